"""The projector screen, behind a per-session secret read-only link."""

from __future__ import annotations

import segno
from flask import Blueprint, abort, render_template

from ..domain.operations import Actor
from ..domain.rules import Action, Role, require
from .auth import cookie_actor, enter_with_secret, find_workshop
from .links import join_target
from .pages import socket_context

bp = Blueprint("screen", __name__, url_prefix="/s")


@bp.get("/<code>/<token>")
def enter(code: str, token: str):
    """The secret link: becomes an HttpOnly cookie, and the address loses the secret."""
    return enter_with_secret(code, token, Role.SCREEN, "screen.show")


@bp.get("/<code>")
def show(code: str):
    """Large type for the room: QR and code, findings, activity, shared reflections."""
    workshop = find_workshop(code)
    viewer = cookie_actor(workshop.code, Role.SCREEN) or cookie_actor(workshop.code,
                                                                      Role.FACILITATOR)
    if viewer is None:
        abort(403)
    require(viewer.role, Action.VIEW_SCREEN, workshop.current_kind())
    # the console's preview shows (and connects as) the screen itself
    actor = Actor(Role.SCREEN, workshop.code)
    target = join_target(workshop)
    # no QR code of an address no phone can reach: the page warns instead
    qr_svg = None if target["unreachable"] else segno.make(
        target["join_url"], error="m").svg_inline(scale=8, dark="#000", light="#fff",
                                                  omitsize=True)
    via = Role.FACILITATOR if viewer.role == Role.FACILITATOR else None
    return render_template("screen/screen.html", workshop=workshop, target=target,
                           join_url=target["join_url"], qr_svg=qr_svg,
                           **socket_context(actor, via))
