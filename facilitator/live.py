"""Publishing events to live pages, and the per-process caches behind snapshots.

``Live`` is owned by the app (``app.extensions["facilitator.live"]``): it fans
the numbered events of an operation out to the Socket.IO rooms that may see
them (``views.fan_out``) and builds snapshots from data and shared parts
cached by event number. Both the JSON API and the Socket.IO handlers publish
through it, so neither imports the other.

Rooms per workshop are ``w:{code}:{audience}`` with the audiences of
``views.fan_out``; the facilitator's and the screen's rooms carry the
fingerprint of the current secret link, so after a rotation old connections
(on any worker) simply stop receiving.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import current_app

from .domain import views
from .domain.model import Participant, Workshop, WorkshopData
from .domain.operations import Actor, Operations
from .domain.rules import Role
from .web.auth import fingerprint

#: How many sessions one process keeps loaded; shared parts are kept per session, role
#: and circle of the latest event numbers.
CACHED_SESSIONS = 32
SHARED_PARTS_PER_SESSION = 64


def room(code: str, audience: str) -> str:
    """The Socket.IO room of one audience in one workshop."""
    return f"w:{code}:{audience}"


def rooms_for(workshop: Workshop, audience: str) -> list[str]:
    """The rooms an audience's events go to (organisers beside the facilitator)."""
    code = workshop.code
    if audience == views.FACILITATORS:
        return [room(code, f"facilitator:{fingerprint(workshop, Role.FACILITATOR)}"),
                room(code, "organiser")]
    if audience == views.SCREEN:
        return [room(code, f"screen:{fingerprint(workshop, Role.SCREEN)}")]
    return [room(code, audience)]


@dataclass
class Connection:
    """One Socket.IO connection of this process: who it is, and the digests of the secret
    links it came in with (its own, and for a preview the facilitator's)."""

    actor: Actor
    link: str | None = None
    via: str | None = None


class Live:
    """The app's publisher, its bounded snapshot caches and this process's connections."""

    def __init__(self, ops: Operations, socketio: Any, min_group: int,
                 sessions: int = CACHED_SESSIONS) -> None:
        self.ops = ops
        self.socketio = socketio
        self.min_group = min_group
        self.sessions = sessions
        self._lock = threading.Lock()
        #: code -> the session's data as of its latest event number
        self._loaded: OrderedDict[str, WorkshopData] = OrderedDict()
        #: (code, version, role, circle) -> the shared part of a snapshot
        self._shared: OrderedDict[tuple[str, tuple[int, int], str, str | None],
                                  dict[str, Any]] = OrderedDict()
        #: Socket.IO sid -> its connection (as many as this process has sockets)
        self.connections: dict[str, Connection] = {}

    # -- snapshots ----------------------------------------------------------
    def session_data(self, code: str) -> WorkshopData:
        """The session's data as of its latest version (loaded once per version).

        After a step change every phone asks for a snapshot at once; they share one load.
        """
        version = self.ops.version(code)
        with self._lock:
            data = self._loaded.get(code)
        if data is None or data.version != version:
            data = self.ops.load(code)
            with self._lock:
                self._loaded[code] = data
                self._loaded.move_to_end(code)
                while len(self._loaded) > self.sessions:
                    self._loaded.popitem(last=False)
        return data

    def shared_part(self, data: WorkshopData, role: Role, circle: str | None) -> dict[str, Any]:
        """``views.shared_snapshot`` of one role and circle, built once per data version."""
        key = (data.workshop.code, data.version, role.value, circle)
        with self._lock:
            shared = self._shared.get(key)
        if shared is None:
            shared = views.shared_snapshot(data, role, circle, self.min_group)
            with self._lock:
                self._shared[key] = shared
                while len(self._shared) > SHARED_PARTS_PER_SESSION * self.sessions:
                    self._shared.popitem(last=False)
        return shared

    def snapshot(self, actor: Actor) -> dict[str, Any]:
        """Everything ``actor`` may see now, with the event number it is current to."""
        data = self.session_data(actor.code)
        if actor.participant is not None:
            # a connection keeps the participant it came in with; the table (and after the
            # even split, the circle) may have changed since: answer with today's record
            fresh = data.participant(actor.participant.id)
            if fresh is not None:
                actor = Actor(actor.role, actor.code, fresh)
        circle = actor.participant.circle if actor.participant else None
        return views.snapshot(data, actor, shared=self.shared_part(data, actor.role, circle))

    # -- publishing ---------------------------------------------------------
    def publish(self, code: str, events: list[dict[str, Any]]) -> None:
        """Fan the numbered events of one operation out to the rooms that may see them.

        A step or programme change also carries the new snapshot to the screen
        and to each circle, so that pages need not all ask for one at once.
        """
        if not events:
            return
        workshop = self.ops.workshop(code)
        if any(event["type"] == "step" for event in events):
            self.reseat(code)
        for event in events:
            pushed: list[tuple[str, dict[str, Any]]] = []
            if event["type"] in views.RESYNC_EVENTS:
                data = self.session_data(code)
                pushed = views.resync_snapshots(
                    event, data, lambda role, circle, data=data: self.shared_part(data, role,
                                                                                  circle))
            for audience, payload in pushed + views.fan_out(event, workshop):
                self.socketio.emit("event", payload, to=rooms_for(workshop, audience))
        current_app.extensions["facilitator.patterns"].refresh_pinned(code)  # live pin (issue 14)


    def reseat(self, code: str) -> None:
        """Move this process's phone connections whose participant changed circle (the even
        split when the first circle step opens) to their new circle's room, so that they
        neither miss their own circle's events nor receive their old circle's."""
        for sid, connection in list(self.connections.items()):
            actor = connection.actor
            if actor.code != code or actor.participant is None:
                continue
            doc = self.ops.store.get(code, "participant", actor.participant.id)
            if doc is None or doc.get("circle") == actor.participant.circle:
                continue
            fresh = Participant.from_dict(doc)
            old_room = room(code, views.circle_room(actor.participant.circle))
            self.socketio.server.leave_room(sid, old_room, namespace="/")
            self.socketio.server.enter_room(sid, room(code, views.circle_room(fresh.circle)),
                                            namespace="/")
            connection.actor = Actor(actor.role, code, fresh)
            # its circle's resync would not tell the page its own new circle ("me")
            self.socketio.emit("snapshot", self.snapshot(connection.actor), to=sid)

    def notify(self, code: str, notices: list[tuple[str, dict[str, Any]]]) -> None:
        """Send unnumbered notices (audience, payload): they change no sequence."""
        if not notices:
            return
        workshop = self.ops.workshop(code)
        for audience, payload in notices:
            self.socketio.emit("notice", payload, to=rooms_for(workshop, audience))


def live() -> Live:
    """The current app's publisher."""
    return current_app.extensions["facilitator.live"]


def publish(code: str, events: list[dict[str, Any]]) -> None:
    """Send the numbered events of an operation to the live pages that may see them."""
    live().publish(code, events)
