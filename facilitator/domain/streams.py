"""Streams: what each live page receives of the session's numbered events.

``views.fan_out`` says who may see what of one event, with a content-free
``tick`` for every audience that may not: the facilitator and the screen
receive every event number, and so they keep one stream each, numbered by the
session's sequence (the previous message of their stream is always ``seq - 1``).

A phone listens to three streams (``streams_of``): its own (``participant:<id>``:
its reactions, endorsements, answers to its questions), its circle's
(``circle:<id>``) and the public one (``participants``: steps, state, conclusions,
what every phone may read). A phone no longer receives ticks for what happens in
other circles: in a burst that was phones × posts messages, where a phone needs
only its own circle's. So that it can still tell a gap, every message names its
``stream`` and ``prev``, the event number of the stream's previous message; a page
that has not applied ``prev`` (and whose snapshot is older) missed something.
``deliveries`` is ``fan_out`` without what a phone does nothing with.
"""

from __future__ import annotations

from typing import Any

from . import views
from .model import Workshop
from .operations import Actor
from .rules import Role

#: the streams that carry every event number (their ``prev`` is ``seq - 1``)
EVERY_NUMBER = frozenset({views.FACILITATORS, views.SCREEN})


def is_phone_stream(audience: str) -> bool:
    """Whether an audience is one of the phones' streams (public, circle, personal)."""
    return audience == views.PARTICIPANTS or audience.startswith(("circle:", "participant:"))


def _phone_needs(event: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Whether a phone does something with this payload: content, a removal, a resync.

    A plain ``tick`` only kept the numbers contiguous. A reflection that is new and
    not for this audience has nothing to remove either: no phone outside its circle
    has ever held it (a later share, un-share or hide is a ``reflection_updated``).
    """
    if payload.get("type") != "tick":
        return True
    if event["type"] == "reflection":
        return False
    return "removed" in payload or "removed_conclusion" in payload


def deliveries(event: dict[str, Any], workshop: Workshop) -> list[tuple[str, dict[str, Any]]]:
    """``views.fan_out`` of one event without the phone messages that carry nothing a
    phone uses: (audience, payload), most specific audience first."""
    return [(audience, payload) for audience, payload in views.fan_out(event, workshop)
            if not is_phone_stream(audience) or _phone_needs(event, payload)]


def streams_of(actor: Actor) -> list[str]:
    """The streams a page of this actor listens to (``views.audiences_of``)."""
    if actor.role == Role.ORGANISER:
        return [views.FACILITATORS]
    return views.audiences_of(actor)

