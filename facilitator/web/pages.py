"""Helpers shared by the page blueprints: the translated strings a page's
JavaScript needs, and the page context for the Socket.IO connection."""

from __future__ import annotations

from typing import Any

from ..domain import joincode
from ..domain.operations import Actor
from .auth import page_token
from .i18n import gettext as _


def client_strings() -> dict[str, str]:
    """UI strings for the JavaScript modules, in the request's language."""
    return {
        "connected": _("Connected"),
        "connecting": _("Connecting…"),
        "offline": _("No connection: your input is kept and sent later"),
        "waiting": _("Waiting for connection"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "failed": _("Not sent"),
        "share": _("Take into the dialogue"),
        "unshare": _("Do not take along"),
        "shared": _("Taken into the dialogue"),
        "agree": _("Recognisable"),
        "disagree": _("Not recognisable"),
        "pass": _("No opinion"),
        "support": _("Support"),
        "concern": _("Concern"),
        "your_reaction": _("Your reaction"),
        "your_endorsement": _("Your choice"),
        "no_reflections": _("No reflections yet."),
        "no_conclusions": _("No conclusions yet."),
        "locked": _("The facilitator has paused posting for a moment."),
        "participants": _("participants"),
        "reflections": _("reflections"),
        "hide": _("Hide"),
        "unhide": _("Show again"),
        "hidden": _("Hidden"),
        "spotlight": _("Spotlight"),
        "unspotlight": _("Remove spotlight"),
        "other_perspectives": _("other perspectives"),
        "own_circle": _("Your circle"),
        "other_circles": _("Other circles"),
        "elapsed": _("elapsed"),
        "planned": _("planned"),
        "overrun": _("over time"),
        "draft": _("Draft"),
        "publish": _("Publish"),
        "none_yet": _("Nothing yet."),
        "pin": _("Show on screen"),
        "unpin": _("Remove from screen"),
        "to_conclusion": _("Make draft conclusion"),
        "too_few": _("Too few reactions to interpret."),
        "step_of": _("Step %(n)s of %(total)s"),
        "error": _("Something went wrong. Please try again."),
        "char_count": _("%(n)s of %(max)s characters"),
        "join_more": _("Join at"),
    }


def socket_context(actor: Actor) -> dict[str, Any]:
    """What a live page needs to connect: code, signed page token, strings."""
    return {"code": actor.code, "code_display": joincode.display(actor.code),
            "socket_token": page_token(actor), "strings": client_strings()}
