"""The links of a session: the phone's join link (and QR target), the secret
facilitator and screen links."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for

from ..domain.model import Workshop
from ..laptop import url_is_loopback
from .auth import settings


def base_url() -> str:
    """FACILITATOR_PUBLIC_URL when set (behind a proxy), else the request's host URL."""
    configured = settings().get("PUBLIC_URL") or ""
    return (configured or request.host_url).rstrip("/")


def links_for(workshop: Workshop) -> dict[str, str]:
    """Absolute URLs: join (QR target), facilitator and screen (secret)."""
    base = base_url()
    return {
        "join_url": base + url_for("participant.join_code", code=workshop.code),
        "facilitator_url": base + url_for("facilitator.enter", code=workshop.code,
                                          token=workshop.facilitator_token),
        "screen_url": base + url_for("screen.enter", code=workshop.code,
                                     token=workshop.screen_token),
    }


def join_target(workshop: Workshop) -> dict[str, object]:
    """What the projector shows to join by: the QR target, the address to type
    (``host/join``, from the same base URL), and ``unreachable`` when that base leads
    to this computer only (``localhost``, 127.0.0.1): then no phone could follow it,
    and the screen and the console warn instead of showing it."""
    join_url = links_for(workshop)["join_url"]
    parts = urlsplit(join_url)
    unreachable = url_is_loopback(join_url) and not settings().get("LOOPBACK_LINKS")
    return {"join_url": join_url, "join_text": f"{parts.netloc}/join",
            "unreachable": unreachable}
