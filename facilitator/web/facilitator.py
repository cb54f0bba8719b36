"""The facilitator console, behind a per-session secret link."""

from __future__ import annotations

import hmac

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    url_for,
)

from ..domain.rules import Role
from .auth import cookie_actor, find_workshop, set_identity_cookie
from .exports import export_response
from .links import links_for
from .pages import socket_context

bp = Blueprint("facilitator", __name__, url_prefix="/f")


@bp.get("/<code>/<token>")
def enter(code: str, token: str):
    """Exchange the secret link for a cookie, then drop the secret from the address bar."""
    workshop = find_workshop(code)
    if not hmac.compare_digest(token.encode(), workshop.facilitator_token.encode()):
        abort(404)
    response = make_response(redirect(url_for("facilitator.console", code=workshop.code)))
    set_identity_cookie(response, Role.FACILITATOR, workshop.code, token)
    return response


@bp.get("/<code>")
def console(code: str):
    """Step through the agenda, see everything live, spotlight, conclude."""
    workshop = find_workshop(code)
    actor = cookie_actor(workshop.code, Role.FACILITATOR)
    if actor is None:
        abort(403)
    return render_template("facilitator/console.html", workshop=workshop,
                           links=links_for(workshop), **socket_context(actor))


@bp.get("/<code>/export")
def export(code: str):
    """Download the session in a format (facilitator cookie; never with names)."""
    workshop = find_workshop(code)
    if cookie_actor(workshop.code, Role.FACILITATOR) is None:
        abort(403)
    return export_response(workshop.code)
