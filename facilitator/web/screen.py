"""The projector screen, behind a per-session secret read-only link."""

from __future__ import annotations

import hmac

import segno
from flask import Blueprint, abort, make_response, redirect, render_template, url_for

from ..domain.operations import Actor
from ..domain.rules import Role
from .auth import cookie_actor, find_workshop, set_identity_cookie
from .links import links_for
from .pages import socket_context

bp = Blueprint("screen", __name__, url_prefix="/s")


@bp.get("/<code>/<token>")
def enter(code: str, token: str):
    """Exchange the secret link for a cookie, then drop the secret from the address bar."""
    workshop = find_workshop(code)
    if not hmac.compare_digest(token.encode(), workshop.screen_token.encode()):
        abort(404)
    response = make_response(redirect(url_for("screen.show", code=workshop.code)))
    set_identity_cookie(response, Role.SCREEN, workshop.code, token)
    return response


@bp.get("/<code>")
def show(code: str):
    """Large type for the room: QR and code, findings, activity, shared reflections."""
    workshop = find_workshop(code)
    actor = cookie_actor(workshop.code, Role.SCREEN)
    if actor is None and cookie_actor(workshop.code, Role.FACILITATOR):
        actor = Actor(Role.SCREEN, workshop.code)  # the console's preview of the screen
    if actor is None:
        abort(403)
    join_url = links_for(workshop)["join_url"]
    qr_svg = segno.make(join_url, error="m").svg_inline(scale=8, dark="#000", light="#fff",
                                                        omitsize=True)
    return render_template("screen/screen.html", workshop=workshop, join_url=join_url,
                           qr_svg=qr_svg, **socket_context(actor))
