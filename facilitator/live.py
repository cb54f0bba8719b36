"""Publishing events to live pages, and the per-process caches behind snapshots.

``Live`` is owned by the app (``app.extensions["facilitator.live"]``): it sends
the numbered events of an operation to the streams that may see them
(``streams.deliveries``) and builds snapshots from data and shared parts
cached by event number. Both the JSON API and the Socket.IO handlers publish
through it, so neither imports the other.

Rooms per workshop are ``w:{code}:{audience}`` with the audiences of
``views.fan_out``; the facilitator's and the screen's rooms carry the
fingerprint of the current secret link, so after a rotation old connections
(on any worker) simply stop receiving. Each room is one stream
(``domain.streams``): a phone's three streams number their messages with
store counters (``stream:<audience>``, ``n``), so every worker numbers a stream
the same way and a page tells a gap in its own streams without receiving
anything of other circles.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any

from flask import current_app
from socketio import PubSubManager

from .domain import streams, views
from .domain.model import Workshop, WorkshopData
from .domain.operations import Actor, Operations
from .domain.rules import Role
from .web.auth import fingerprint

log = logging.getLogger(__name__)

#: How many sessions one process keeps loaded; shared parts are kept per session, role
#: and circle of the latest event numbers.
CACHED_SESSIONS = 32
SHARED_PARTS_PER_SESSION = 64
#: The Socket.IO event that asks every worker (over the message queue) to move its own
#: phone connections whose circle changed; it reaches no client (see ``realtime``).
RESEAT_EVENT = "facilitator:reseat"
#: The room nobody joins, that ``RESEAT_EVENT`` is addressed to.
NOBODY = "facilitator:nobody"


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


def _covers(have: tuple[int, int], wanted: tuple[int, int]) -> bool:
    """Whether data of version ``have`` is at least as new as ``wanted`` (both parts of a
    version only grow)."""
    return have[0] >= wanted[0] and have[1] >= wanted[1]


def stream_counter(audience: str) -> str:
    """The store counter that numbers the messages of one phone stream (workers that
    share a message queue number every message there)."""
    return f"stream:{audience}"


def block_counter(audience: str) -> str:
    """The store counter of the blocks of numbers one process takes for a phone stream."""
    return f"streamblock:{audience}"


#: One process alone (no message queue) numbers a stream in memory, from blocks of this
#: many numbers taken from the store: one store write per block instead of one per
#: message (on SQLite each write waits for the disk, and holds up the event loop). After
#: a restart the next block starts above every number given out before: pages see a
#: jump and read a snapshot once.
STREAM_BLOCK = 1000


#: A room of at least ``COALESCE_MEMBERS`` sockets (on this worker) that is sent more
#: than ``COALESCE_RATE`` messages in a second gets them in batches (``events``, a list
#: in order) of at most ``COALESCE_WINDOW`` seconds: a whole hall sharing at once in the
#: dialogue reaches every phone as a few frames, not hundreds. Small rooms (a circle,
#: the console, the screen) cost little per message and are never kept waiting.
COALESCE_RATE = 20
COALESCE_WINDOW = 0.05
COALESCE_MEMBERS = 50


class Coalescer:
    """Sends each room's messages in order: one by one while the room is quiet, in short
    batches while it is busy. A batch is encoded once for the whole room, as a single
    message is; acknowledgements of actions are not messages of a room and never wait."""

    def __init__(self, socketio: Any, rate: int = COALESCE_RATE,
                 window: float = COALESCE_WINDOW, members: int = COALESCE_MEMBERS) -> None:
        self.socketio = socketio
        self.rate, self.window, self.members = rate, window, members
        self._lock = threading.Lock()
        #: rooms -> send times within the last second
        self._recent: dict[tuple[str, ...], deque[float]] = {}
        #: rooms -> messages waiting for their batch (in order)
        self._waiting: dict[tuple[str, ...], list[dict[str, Any]]] = {}

    def send(self, rooms: list[str], message: dict[str, Any]) -> None:
        key = tuple(rooms)
        now = time.monotonic()
        with self._lock:
            times = self._recent.setdefault(key, deque())
            times.append(now)
            while times[0] < now - 1.0:
                times.popleft()
            if key in self._waiting:  # a batch is open: join it, behind what came first
                self._waiting[key].append(message)
                return
            busy = len(times) > self.rate and self._members(rooms) >= self.members
            if busy:
                self._waiting[key] = [message]
            if len(self._recent) > 10_000:
                self._forget_quiet(now)
        if busy:
            self.socketio.start_background_task(self._flush, key)
        else:
            self.socketio.emit("event", message, to=rooms)

    def _flush(self, key: tuple[str, ...]) -> None:
        self.socketio.sleep(self.window)
        with self._lock:
            batch = list(self._waiting.get(key) or [])
            # the batch stays open (messages keep joining it) until it is sent
            if not batch:
                self._waiting.pop(key, None)
                return
        try:
            self.socketio.emit("events", batch, to=list(key))
        finally:
            with self._lock:
                rest = self._waiting.pop(key, [])[len(batch):]
                if rest:
                    self._waiting[key] = rest
        if rest:
            self.socketio.start_background_task(self._flush, key)

    def _members(self, rooms: list[str]) -> int:
        """How many sockets of this worker are in these rooms (an estimate for a deployment
        of several workers: each judges by its own)."""
        server = self.socketio.server
        if server is None:
            return 0
        namespace = server.manager.rooms.get("/", {})
        return sum(len(namespace.get(name) or ()) for name in rooms)

    def _forget_quiet(self, now: float) -> None:
        for key in [k for k, times in self._recent.items()
                    if (not times or times[-1] < now - 1.0) and k not in self._waiting]:
            del self._recent[key]


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
        #: code -> the load under way (its event): a connect storm shares one load
        self._loading: dict[str, threading.Event] = {}
        #: (code, version, role, circle) -> the shared part of a snapshot
        self._shared: OrderedDict[tuple[str, tuple[int, int], str, str | None],
                                  dict[str, Any]] = OrderedDict()
        self._building: dict[tuple[str, tuple[int, int], str, str | None],
                             threading.Event] = {}
        #: (code, stream) whose message this process could not number (the store was
        #: away): the stream's next number is skipped, so its pages see a gap
        self._unnumbered: set[tuple[str, str]] = set()
        #: (code, stream) -> (last number given, last number of the block), one process
        self._numbers: dict[tuple[str, str], tuple[int, int]] = {}
        self._numbering = threading.Lock()
        #: Socket.IO sid -> its connection (as many as this process has sockets)
        self.connections: dict[str, Connection] = {}
        #: code -> participant id -> this process's connections of that participant
        self._phones: dict[str, dict[str, int]] = {}
        self.coalescer = Coalescer(socketio)

    # -- snapshots ----------------------------------------------------------
    def session_data(self, code: str) -> WorkshopData:
        """The session's data as of its latest version (loaded once per version).

        After a step change, or when a hall of phones connects at once, every page
        asks for a snapshot at the same moment: one load serves them all (who comes
        while a load is under way waits for it, then checks the version again).
        """
        while True:
            version = self.ops.version(code)
            with self._lock:
                data = self._loaded.get(code)
                if data is not None and _covers(data.version, version):
                    return data
                loading = self._loading.get(code)
                if loading is None:
                    loading = self._loading[code] = threading.Event()
                    mine = True
                else:
                    mine = False
            if not mine:
                loading.wait(10)
                continue
            try:
                data = self.ops.load(code)
                with self._lock:
                    current = self._loaded.get(code)
                    if current is None or _covers(data.version, current.version):
                        self._loaded[code] = data
                    self._loaded.move_to_end(code)
                    while len(self._loaded) > self.sessions:
                        self._loaded.popitem(last=False)
                return data
            finally:
                with self._lock:
                    self._loading.pop(code, None)
                loading.set()

    def shared_part(self, data: WorkshopData, role: Role, circle: str | None) -> dict[str, Any]:
        """``views.shared_snapshot`` of one role and circle, built once per data version
        (a circle's phones that connect at once wait for the one build)."""
        key = (data.workshop.code, data.version, role.value, circle)
        while True:
            with self._lock:
                shared = self._shared.get(key)
                if shared is not None:
                    return shared
                building = self._building.get(key)
                if building is None:
                    building = self._building[key] = threading.Event()
                    break
            building.wait(10)
        try:
            shared = views.shared_snapshot(data, role, circle, self.min_group)
            with self._lock:
                self._shared[key] = shared
                while len(self._shared) > SHARED_PARTS_PER_SESSION * self.sessions:
                    self._shared.popitem(last=False)
            return shared
        finally:
            with self._lock:
                self._building.pop(key, None)
            building.set()

    def stream_heads(self, actor: Actor) -> dict[str, int]:
        """The number of the last message of each stream of ``actor`` (a phone's from the
        store's counters; the facilitator's and the screen's are the session's seq)."""
        names = streams.streams_of(self._fresh(actor))
        if not any(streams.is_phone_stream(name) for name in names):
            seq = self.ops.store.seq(actor.code)
            return {name: seq for name in names}
        if self._shared_numbers():
            return {name: self.ops.store.counter(actor.code, stream_counter(name))
                    for name in names}
        return {name: self._number(actor.code, name, take=False) for name in names}

    def _shared_numbers(self) -> bool:
        """Whether workers share a message queue (then the store numbers every message)."""
        server = self.socketio.server
        return server is not None and isinstance(server.manager, PubSubManager)

    def _number(self, code: str, audience: str, take: bool = True) -> int:
        """The next number of a phone stream (``take``), or the last one given (a fresh
        block when there is none yet in this process)."""
        if self._shared_numbers():
            return self.ops.store.next_number(code, stream_counter(audience))
        key = (code, audience)
        with self._numbering:
            last, end = self._numbers.get(key, (0, 0))
            if end == 0 or (take and last >= end):
                block = self.ops.store.next_number(code, block_counter(audience))
                last, end = (block - 1) * STREAM_BLOCK, block * STREAM_BLOCK
            if take:
                last += 1
            self._numbers[key] = (last, end)
            return last

    def _fresh(self, actor: Actor, data: WorkshopData | None = None) -> Actor:
        """The actor with its participant as stored now: a connection keeps the one it
        came in with, and the table (and after the even split, the circle) may have
        changed since."""
        if actor.participant is None:
            return actor
        if data is not None:
            fresh = data.participant(actor.participant.id)
        else:
            doc = self.ops.store.get(actor.code, "participant", actor.participant.id)
            fresh = type(actor.participant).from_dict(doc) if doc else None
        return Actor(actor.role, actor.code, fresh) if fresh is not None else actor

    def snapshot(self, actor: Actor) -> dict[str, Any]:
        """Everything ``actor`` may see now, with the event number it is current to and the
        position of each of its streams (``streams``).

        A phone's stream positions are read before the data: every message they count
        was stored before it was counted, so the data holds it (a later message with a
        number above the position is new to the page; one the data already holds is
        dropped by its ``seq``)."""
        heads = self.stream_heads(actor)
        data = self.session_data(actor.code)
        actor = self._fresh(actor, data)
        if set(heads) != set(streams.streams_of(actor)):  # moved since: read again
            heads = self.stream_heads(actor)
        if actor.role != Role.PARTICIPANT:
            heads = {name: data.seq for name in heads}
        circle = actor.participant.circle if actor.participant else None
        snap = views.snapshot(data, actor, shared=self.shared_part(data, actor.role, circle))
        return {**snap, "streams": heads}

    # -- publishing ---------------------------------------------------------
    def publish(self, code: str, events: list[dict[str, Any]],
                workshop: Workshop | None = None) -> None:
        """Send the numbered events of one operation to the streams that may see them.

        A step or programme change also carries the new snapshot to the screen
        and to each circle, so that pages need not all ask for one at once.
        Each room gets one message per event, encoded once for all its sockets.
        ``workshop``: the session as the action that caused the events left it, when
        the caller has it (an action that wrote no session document: see
        ``actions.Call``); otherwise it is read here.
        """
        if not events:
            return
        if workshop is None or workshop.code != code:
            workshop = self.ops.workshop(code)
        if any(event["type"] in views.RESYNC_EVENTS or event["type"] == "tables"
               for event in events):
            self.reseat_everywhere(code)
        self._number_skipped(code)
        for event in events:
            pushed: list[tuple[str, dict[str, Any]]] = []
            if event["type"] in views.RESYNC_EVENTS:
                data = self.session_data(code)
                pushed = views.resync_snapshots(
                    event, data, lambda role, circle, data=data: self.shared_part(data, role,
                                                                                  circle))
            for audience, payload in pushed + streams.deliveries(event, workshop):
                message = self._on_stream(code, audience, payload)
                self.coalescer.send(rooms_for(workshop, audience), message)
        if workshop.state.pinned_pattern is not None:  # live pin (issue 14); else one read less
            current_app.extensions["facilitator.patterns"].refresh_pinned(code)

    def _on_stream(self, code: str, audience: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload as a message of its stream: with ``stream``, and on a phone's stream
        with ``n``, the stream's next number (shared by every worker through the store)."""
        message = {**payload, "stream": audience}
        if not streams.is_phone_stream(audience):
            return message
        try:
            message["n"] = self._number(code, audience)
        except Exception as exc:  # noqa: BLE001 - an outage: the pages must see a gap later
            with self._lock:
                self._unnumbered.add((code, audience))
            log.warning("stream %s of %s not numbered (%s): its next number is skipped",
                        audience, code, type(exc).__name__)
            return {"type": "resync", "seq": payload["seq"], "stream": audience,
                    "reason": "unnumbered"}
        return message

    def _number_skipped(self, code: str) -> None:
        """Skip one number of each stream this process could not number before: its
        pages then see a gap (and read a snapshot) instead of missing a message."""
        with self._lock:
            pending = [key for key in self._unnumbered if key[0] == code]
        for key in pending:
            try:
                self._number(code, key[1])
            except Exception:  # noqa: BLE001 - still away: try at the next publish
                return
            with self._lock:
                self._unnumbered.discard(key)

    def reseat_everywhere(self, code: str) -> None:
        """Have every worker move its own phone connections whose circle changed.

        With a message queue the request goes over it (``RESEAT_EVENT`` to a room
        nobody is in; ``realtime`` hands it to ``reseat`` on each worker, this one
        first and at once); without one, this process is all there is.
        """
        if self.socketio.server is not None and hasattr(self.socketio.server.manager,
                                                        "reseat_hook"):
            self.socketio.emit(RESEAT_EVENT, {"code": code}, to=NOBODY)
        else:
            self.reseat(code)

    def reseat(self, code: str) -> None:
        """Move this process's phone connections whose participant changed circle (the even
        split when the first circle step opens) to their new circle's stream, so that they
        neither miss their own circle's events nor receive their old circle's, and keep
        each connection's participant (its table) current."""
        mine = [(sid, c) for sid, c in list(self.connections.items())
                if c.actor.code == code and c.actor.participant is not None]
        if not mine:
            return
        data = self.session_data(code)
        stored = {p.id: p for p in data.participants}
        for sid, connection in mine:
            actor = connection.actor
            fresh = stored.get(actor.participant.id)
            if fresh is None:
                continue
            connection.actor = Actor(actor.role, code, fresh)
            if fresh.circle == actor.participant.circle:
                continue
            old_room = room(code, views.circle_room(actor.participant.circle))
            self.socketio.server.leave_room(sid, old_room, namespace="/")
            self.socketio.server.enter_room(sid, room(code, views.circle_room(fresh.circle)),
                                            namespace="/")
            # its circle's resync would not tell the page its own new circle ("me"), nor
            # the position of its new circle's stream
            self.socketio.emit("snapshot", self.snapshot(connection.actor), to=sid,
                               ignore_queue=True)

    # -- phones connected now -----------------------------------------------
    def phone_came(self, code: str, participant: str) -> int | None:
        """Count a participant's connection; the phones connected now when that changed
        (a second tab of the same person is no new phone: None)."""
        with self._lock:
            present = self._phones.setdefault(code, {})
            present[participant] = present.get(participant, 0) + 1
            return len(present) if present[participant] == 1 else None

    def phone_went(self, code: str, participant: str) -> int | None:
        """Forget a participant's connection; the phones connected now when that changed."""
        with self._lock:
            present = self._phones.get(code, {})
            if participant not in present:
                return None
            present[participant] -= 1
            if present[participant] > 0:
                return None
            del present[participant]
            if not present:
                self._phones.pop(code, None)
            return len(present)

    def phones_connected(self, code: str) -> int:
        """How many participants have a live connection to this process."""
        with self._lock:
            return len(self._phones.get(code, {}))

    def notify(self, code: str, notices: list[tuple[str, dict[str, Any]]],
               workshop: Workshop | None = None) -> None:
        """Send unnumbered notices (audience, payload): they change no sequence."""
        if not notices:
            return
        if workshop is None or workshop.code != code:
            workshop = self.ops.workshop(code)
        for audience, payload in notices:
            self.socketio.emit("notice", payload, to=rooms_for(workshop, audience))


def live() -> Live:
    """The current app's publisher."""
    return current_app.extensions["facilitator.live"]


def publish(code: str, events: list[dict[str, Any]]) -> None:
    """Send the numbered events of an operation to the live pages that may see them."""
    live().publish(code, events)
