"""Participant pages: join by code or QR link, pick a perspective, the phone page."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from ..domain.errors import N_, DomainError, RateLimited, Unauthorized
from ..domain.operations import new_token
from ..domain.registrations import RegistrationService
from ..domain.rules import Action, Role, require
from ..live import publish
from .auth import client_address, cookie_actor, find_workshop, limit, ops, set_identity_cookie
from .i18n import error_body, select_locale
from .i18n import gettext as _
from .pages import dialogue_strings, socket_context

bp = Blueprint("participant", __name__)


@bp.get("/")
def index():
    """The start page: where to go for each role."""
    return redirect(url_for("participant.join"))


@bp.route("/join", methods=["GET", "POST"])
def join():
    """A field for the join code (what people type from the projector)."""
    error = None
    typed = ""
    if request.method == "POST":
        typed = request.form.get("code", "")
        try:
            workshop = find_workshop(typed)
        except RateLimited as exc:
            error = error_body(exc)["error"]["message"]
        except DomainError:
            error = _("There is no session with this code. Check the code on the screen.")
        else:
            return redirect(url_for("participant.join_code", code=workshop.code))
    return render_template("participant/join.html", error=error, typed=typed[:40]), \
        422 if error else 200


@bp.route("/j/<code>", methods=["GET", "POST"])
def join_code(code: str):
    """The QR target: choose a perspective (and optionally a name) and join."""
    workshop = find_workshop(code)
    if workshop.code != code:
        return redirect(url_for("participant.join_code", code=workshop.code))
    if cookie_actor(workshop.code, Role.PARTICIPANT):
        return redirect(url_for("participant.phone", code=workshop.code))
    browser_id()  # before the first join, so a browser keeping cookies is counted as one
    errors: dict[str, str] = {}
    form = {"perspective": "", "name": ""}
    if request.method == "POST":
        form = {"perspective": request.form.get("perspective", ""),
                "name": request.form.get("name", "")}
        if not form["perspective"]:
            errors["perspective"] = _("Choose the perspective from which you react.")
        else:
            try:
                # per browser (its session cookie, which the form's CSRF token needs
                # anyway) a few joins a minute; per address enough for a whole room
                limit("join_browser", browser_id())
                limit("join", client_address())
                participant, events = ops().join(workshop.code, form["perspective"],
                                                 form["name"] or None, select_locale())
            except DomainError as exc:
                field = exc.params.get("field", "perspective")
                errors[str(field)] = error_body(exc)["error"]["message"]
            else:
                publish(workshop.code, events)
                response = make_response(redirect(url_for("participant.phone",
                                                          code=workshop.code)))
                set_identity_cookie(response, Role.PARTICIPANT, workshop.code, participant.token)
                return response
    return render_template("participant/pick.html", workshop=workshop, errors=errors,
                           form=form), 422 if errors else 200


def browser_id() -> str:
    """A random id of this browser, kept in its (signed) session cookie."""
    current = session.get("browser")
    if not isinstance(current, str):
        current = session["browser"] = secrets.token_urlsafe(12)
    return current


@bp.get("/p/<code>")
def phone(code: str):
    """The phone page: current step, what to do now, the circle, reactions, conclusions."""
    workshop = find_workshop(code)
    actor = cookie_actor(workshop.code, Role.PARTICIPANT)
    if actor is None:
        return redirect(url_for("participant.join_code", code=workshop.code))
    require(actor.role, Action.VIEW_SESSION, workshop.current_kind())
    return render_template("participant/phone.html", workshop=workshop,
                           participant=actor.participant, **socket_context(actor))


@bp.get("/p/<code>/dialogue")
def dialogue_part(code: str):
    """The phone's dialogue forms and lists with their strings (issue 17), fetched by
    static/js/phone-dialogue.js once the session gets there: the phone's first load stays
    within its budget (bench/page_weight.py)."""
    workshop = find_workshop(code)
    actor = cookie_actor(workshop.code, Role.PARTICIPANT)
    if actor is None:
        raise Unauthorized(N_("This link or token is not valid (any more)."))
    require(actor.role, Action.VIEW_SESSION, workshop.current_kind())
    return jsonify({"strings": dialogue_strings(),
                    "html": render_template("participant/_dialogue.html", workshop=workshop)})


@bp.get("/toegankelijkheid")
def accessibility():
    """The accessibility statement Dutch public bodies publish."""
    return render_template("accessibility.html")


@bp.get("/r/<code>/<token>")
def personal(code: str, token: str):
    """A personal link from a name card: the first browser to open it becomes that person
    (and comes back to them on every later visit); any other browser gets a participant
    of its own with the card's perspective and no name (``RegistrationService.join``).
    Then the secret leaves the address bar."""
    workshop = find_workshop(code)
    current = cookie_actor(workshop.code, Role.PARTICIPANT)
    holder = current.participant_id if current else None
    if holder is None:  # this browser may be about to join: the join form's limits
        limit("join_browser", browser_id())
        limit("join", client_address())
    participant, events = RegistrationService(ops(), new_token).join(
        workshop.code, token, select_locale(), holder=holder)
    publish(workshop.code, events)
    response = make_response(redirect(url_for("participant.phone", code=workshop.code)))
    set_identity_cookie(response, Role.PARTICIPANT, workshop.code, participant.token)
    return response
