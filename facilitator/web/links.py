"""The links of a session: the phone's join link (and QR target), the secret
facilitator and screen links."""

from __future__ import annotations

from flask import request, url_for

from ..domain.model import Workshop
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
