"""The facilitator console, behind a per-session secret link."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    render_template,
)

from ..domain.rules import Action, Role, require
from .auth import cookie_actor, enter_with_secret, find_workshop
from .exports import export_response
from .links import join_target, links_for
from .pages import socket_context

bp = Blueprint("facilitator", __name__, url_prefix="/f")


@bp.get("/<code>/<token>")
def enter(code: str, token: str):
    """The secret link: becomes an HttpOnly cookie, and the address loses the secret."""
    return enter_with_secret(code, token, Role.FACILITATOR, "facilitator.console")


@bp.get("/<code>")
def console(code: str):
    """Step through the agenda, see everything live, spotlight, conclude."""
    workshop = find_workshop(code)
    actor = cookie_actor(workshop.code, Role.FACILITATOR)
    if actor is None:
        abort(403)
    require(actor.role, Action.VIEW_SESSION, workshop.current_kind())
    return render_template("facilitator/console.html", workshop=workshop,
                           links=links_for(workshop), target=join_target(workshop),
                           **socket_context(actor))


@bp.get("/<code>/export")
def export(code: str):
    """Download the session in a format (facilitator cookie; never with names)."""
    actor = cookie_actor(find_workshop(code).code, Role.FACILITATOR)
    if actor is None:
        abort(403)
    return export_response(actor)
