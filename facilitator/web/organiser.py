"""Organiser pages: log in with the organiser secret, list, create and edit
sessions (programme, perspectives, circles, findings), export and delete."""

from __future__ import annotations

import functools

import yaml
from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..domain.errors import DomainError, RateLimited
from ..domain.operations import Actor
from ..domain.rules import Action, Role, require, require_any_step
from ..domain.spec import parse_text
from ..live import publish
from .auth import (
    check_organiser_key,
    end_organiser_login,
    ops,
    organiser_logged_in,
    start_organiser_login,
)
from .exports import export_response
from .i18n import error_body
from .i18n import gettext as _
from .links import links_for

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


def organiser_required(action: Action):
    """An organiser page: visitors without the organiser session go to the login page,
    and the page asks the rules table for ``action`` (in the session's current step
    kind, or in every kind for the pages outside a session)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not organiser_logged_in():
                return redirect(url_for("organiser.login", next=request.path))
            if "code" in kwargs:
                require(Role.ORGANISER, action, ops().workshop(kwargs["code"]).current_kind())
            else:
                require_any_step(Role.ORGANISER, action)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def spec_text(workshop) -> str:
    """The editable part of a session as YAML: programme, perspectives, circles, findings."""
    spec = {
        "programme": [{"id": s.id, "title": s.title, "kind": s.kind, "start": s.planned_start,
                       "end": s.planned_end, "description": s.description,
                       "title_en": s.title_en, "description_en": s.description_en}
                      for s in workshop.steps],
        "perspectives": [{"id": p.id, "label": p.label, "label_en": p.label_en}
                         for p in workshop.perspectives],
        "circles": [{"name": c.name, "perspectives": c.perspectives, "max_size": c.max_size}
                    for c in workshop.circles if len(c.perspectives) > 1],
        "findings": [{"id": f.id, "title": f.title, "text": f.text} for f in workshop.findings],
    }
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100)


def parse_spec(text: str) -> dict:
    """Read a JSON or YAML spec (bounded, no YAML aliases); a clear Invalid error else."""
    return parse_text(text)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with the organiser secret from configuration."""
    error = None
    if request.method == "POST":
        try:
            right = check_organiser_key(request.form.get("token", ""))
        except RateLimited as exc:
            return render_template("organiser/login.html",
                                   error=error_body(exc)["error"]["message"]), 429
        if right:
            start_organiser_login()
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/organiser") else
                            url_for("organiser.index"))
        error = _("This organiser key is not correct.")
    return render_template("organiser/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    """End the organiser session (the login is deleted: a copied cookie stops working)."""
    end_organiser_login()
    return redirect(url_for("organiser.login"))


@bp.get("/")
@organiser_required(Action.LIST_SESSIONS)
def index():
    """All sessions, newest first."""
    return render_template("organiser/list.html", workshops=ops().list_workshops())


@bp.route("/new", methods=["GET", "POST"])
@organiser_required(Action.CREATE_SESSION)
def new():
    """Create a session from the form, optionally with a JSON or YAML description."""
    errors: dict[str, str] = {}
    form = request.form.to_dict() if request.method == "POST" else {}
    if request.method == "POST":
        try:
            spec = {}
            upload = request.files.get("spec_file")
            if upload and upload.filename:
                spec = parse_spec(upload.read(256 * 1024).decode("utf-8", "replace"))
            if form.get("spec", "").strip():
                spec.update(parse_spec(form["spec"]))
            for field in ("title", "date", "place", "facilitator"):
                if form.get(field):
                    spec[field] = form[field]
            spec.setdefault("title", form.get("title", ""))
            workshop = ops().create_workshop(spec)
        except DomainError as exc:
            errors[str(exc.params.get("field", "spec"))] = error_body(exc)["error"]["message"]
        else:
            flash(_("The session has been created."))
            return redirect(url_for("organiser.edit", code=workshop.code))
    return render_template("organiser/new.html", errors=errors, form=form), \
        422 if errors else 200


@bp.route("/<code>", methods=["GET", "POST"])
@organiser_required(Action.EDIT_SESSION)
def edit(code: str):
    """Edit a session; shows its links, export buttons and the danger zone."""
    workshop = ops().workshop(code)
    errors: dict[str, str] = {}
    text = spec_text(workshop)
    if request.method == "POST":
        form = request.form
        text = form.get("spec", "")
        try:
            spec = parse_spec(text)
            for field in ("title", "date", "place", "facilitator"):
                if field in form:
                    spec[field] = form[field]
            workshop, events = ops().edit_workshop(Actor(Role.ORGANISER, workshop.code), spec)
        except DomainError as exc:
            errors[str(exc.params.get("field", "spec"))] = error_body(exc)["error"]["message"]
        else:
            publish(workshop.code, events)
            flash(_("The changes have been saved."))
            return redirect(url_for("organiser.edit", code=workshop.code))
    return render_template("organiser/edit.html", workshop=workshop, links=links_for(workshop),
                           spec=text, errors=errors), 422 if errors else 200


@bp.post("/<code>/rotate")
@organiser_required(Action.ROTATE_LINKS)
def rotate(code: str):
    """New facilitator and screen links; the old ones stop working."""
    workshop = ops().workshop(code)
    _workshop, events = ops().rotate_links(Actor(Role.ORGANISER, workshop.code), "both")
    publish(workshop.code, events)
    flash(_("New links have been made; the old links no longer work."))
    return redirect(url_for("organiser.edit", code=workshop.code))


@bp.post("/<code>/delete")
@organiser_required(Action.DELETE_SESSION)
def delete(code: str):
    """Delete the session and everything in it."""
    workshop = ops().workshop(code)
    if request.form.get("confirm") != workshop.code:
        flash(_("Type the session code to confirm."))
        return redirect(url_for("organiser.edit", code=workshop.code))
    ops().delete_workshop(Actor(Role.ORGANISER, workshop.code))
    flash(_("The session and all its data have been deleted."))
    return redirect(url_for("organiser.index"))


@bp.get("/<code>/export")
@organiser_required(Action.EXPORT)
def export(code: str):
    """Download the session report in a format (names only when asked for)."""
    return export_response(Actor(Role.ORGANISER, ops().workshop(code).code))
