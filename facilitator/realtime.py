"""Socket.IO: authenticate a connection, call an operation, publish its events.

Rooms per workshop ``w:{code}:{audience}`` where the audience comes from
``views.fan_out``: ``facilitator``, ``screen``, ``participants``,
``circle:{id}``, ``participant:{id}``.  Clients send actions with an
acknowledgement callback and receive ``snapshot`` and ``event`` messages;
every event carries the workshop's sequence number (see ``views``).

Client -> server events (each answers ``{"ok": true, ...}`` or ``{"ok": false,
"error": {"code", "message"}}`` through the acknowledgement):

* every role: ``sync`` (a fresh snapshot)
* participant: ``post``, ``share``, ``react``, ``endorse``
* facilitator: ``step``, ``lock``, ``spotlight``, ``hide``, ``share``,
  ``screen``, ``conclude``, ``edit_conclusion``, ``patterns``, ``pin_pattern``
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_socketio import SocketIO, disconnect, join_room
from socketio import RedisManager

from . import safejson
from .domain import views
from .domain.errors import N_, DomainError, Forbidden, RateLimited, Unauthorized
from .domain.model import Workshop, WorkshopData
from .domain.operations import Actor
from .domain.rules import Action, Role, require
from .domain.validation import reject_unknown
from .web.auth import actor_from_socket_auth, fingerprint, ops, settings
from .web.i18n import error_body, gettext

log = logging.getLogger(__name__)
socketio = SocketIO()

#: sid -> actor, for this worker's connections.
_actors: dict[str, Actor] = {}


def room(code: str, audience: str) -> str:
    """The Socket.IO room of one audience in one workshop."""
    return f"w:{code}:{audience}"


def rooms_for(workshop: Workshop, audience: str) -> list[str]:
    """The rooms an audience's events go to.

    Facilitator and screen rooms carry the fingerprint of the current secret
    link, so after a rotation old connections (on any worker) simply stop
    receiving; organisers have a room of their own beside the facilitator's.
    """
    code = workshop.code
    if audience == views.FACILITATORS:
        return [room(code, f"facilitator:{fingerprint(workshop, Role.FACILITATOR)}"),
                room(code, "organiser")]
    if audience == views.SCREEN:
        return [room(code, f"screen:{fingerprint(workshop, Role.SCREEN)}")]
    return [room(code, audience)]


def init_app(app: Flask) -> None:
    """Bind Socket.IO to the app with the configured async mode and message queue."""
    cfg = app.config["FACILITATOR"]
    transports = [t.strip() for t in cfg["SOCKETIO_TRANSPORTS"].split(",") if t.strip()]
    queue = cfg.get("MESSAGE_QUEUE") or None
    extra: dict[str, Any] = {}
    if queue and queue.startswith(("redis://", "rediss://")):
        # As Flask-SocketIO would build it, but with a higher connection cap than
        # redis-py's default of 100, so a burst of publishes does not fail.
        extra["client_manager"] = RedisManager(queue, channel="flask-socketio", redis_options={
            "max_connections": 10_000})
    socketio.init_app(
        app,
        async_mode=cfg.get("SOCKETIO_ASYNC_MODE") or cfg["ASYNC_MODE"],
        message_queue=queue,
        **extra,
        transports=transports,
        ping_interval=20,
        ping_timeout=20,
        max_http_buffer_size=64 * 1024,
        logger=False,
        engineio_logger=False,
        json=safejson,
    )


def publish(code: str, events: list[dict[str, Any]]) -> None:
    """Fan the numbered events of one operation out to the rooms that may see them.

    A step or programme change also carries the new snapshot to the screen
    and to each circle, so that pages need not all ask for one at once.
    """
    if not events:
        return
    workshop = ops().workshop(code)
    for event in events:
        pushed: list[tuple[str, dict[str, Any]]] = []
        if event["type"] in views.RESYNC_EVENTS:
            data = _session_data(code)
            pushed = views.resync_snapshots(
                event, data, lambda role, circle, data=data: _shared_part(data, role, circle))
        for audience, payload in pushed + views.fan_out(event, workshop):
            socketio.emit("event", payload, to=rooms_for(workshop, audience))


#: (code, seq) -> loaded data, and (code, seq, role, circle) -> shared part of a snapshot.
#: After a step change every phone asks for a snapshot at once; they share one load.
_loaded: OrderedDict[str, WorkshopData] = OrderedDict()
_shared: OrderedDict[tuple[str, int, str, str | None], dict[str, Any]] = OrderedDict()
_CACHE_SESSIONS = 32
_cache_lock = threading.Lock()


def _session_data(code: str) -> WorkshopData:
    """The session's data as of its latest event number (loaded once per number)."""
    seq = ops().store.seq(code)
    with _cache_lock:
        data = _loaded.get(code)
    if data is None or data.seq != seq:
        data = ops().load(code)
        with _cache_lock:
            _loaded[code] = data
            _loaded.move_to_end(code)
            while len(_loaded) > _CACHE_SESSIONS:
                _loaded.popitem(last=False)
    return data


def _shared_part(data: WorkshopData, role: Role, circle: str | None) -> dict[str, Any]:
    """``views.shared_snapshot`` of one role and circle, built once per event number."""
    key = (data.workshop.code, data.seq, role.value, circle)
    with _cache_lock:
        shared = _shared.get(key)
    if shared is None:
        shared = views.shared_snapshot(data, role, circle, settings()["MIN_GROUP"])
        with _cache_lock:
            _shared[key] = shared
            while len(_shared) > 64 * _CACHE_SESSIONS:
                _shared.popitem(last=False)
    return shared


def current_snapshot(actor: Actor) -> dict[str, Any]:
    """The actor's snapshot, built from data and shared parts cached by event number."""
    data = _session_data(actor.code)
    circle = actor.participant.circle if actor.participant else None
    return views.snapshot(data, actor, shared=_shared_part(data, actor.role, circle))


def _fail(exc: DomainError) -> dict[str, Any]:
    return {"ok": False, **error_body(exc)}


def _handler(name: str, fields: set[str] | frozenset[str] = frozenset(),
             per_participant: str | None = None) -> Callable:
    """Register a Socket.IO event whose function gets (actor, data) and returns a dict.

    The payload must be an object with only ``fields``; every connection has
    an event budget, and ``per_participant`` names a further rate limit.
    Domain errors become ``{"ok": false, "error": ...}`` in the user's
    language; an unexpected exception is logged and answered the same way,
    never dropped.
    """

    def decorate(fn: Callable[[Actor, dict[str, Any]], dict[str, Any]]) -> Callable:
        def wrapper(data: Any = None) -> dict[str, Any]:
            actor = _actors.get(request.sid)
            if actor is None:
                return _fail(Forbidden(N_("You are not connected to a session.")))
            try:
                _check_link_still_valid(actor)
                limiter = current_app.extensions["facilitator.limiter"]
                if not limiter.hit("socket_event", request.sid) or (
                        per_participant and actor.participant_id
                        and not limiter.hit(per_participant, actor.participant_id)):
                    raise RateLimited(N_("Too many requests. Please wait a moment and try "
                                         "again."))
                payload = reject_unknown(data, set(fields))
                return {"ok": True, **(fn(actor, payload) or {})}
            except DomainError as exc:
                return _fail(exc)
            except Exception:
                log.exception("socket event %s failed", name)
                return {"ok": False, "error": {
                    "code": "server_error",
                    "message": gettext("Something went wrong on our side. Please try again.")}}

        wrapper.__name__ = f"on_{name}"
        socketio.on_event(name, wrapper)
        return fn

    return decorate


#: sid -> fingerprint of the secret link a facilitator or screen connected with.
_links: dict[str, str | None] = {}


def _check_link_still_valid(actor: Actor) -> None:
    """A facilitator or screen whose secret link was rotated is sent away."""
    if actor.role not in (Role.FACILITATOR, Role.SCREEN):
        return
    if fingerprint(ops().workshop(actor.code), actor.role) != _links.get(request.sid):
        disconnect()
        raise Unauthorized(N_("This link or token is not valid (any more)."))


@socketio.on("connect")
def on_connect(auth: Any = None):
    """Any client: authenticate with ``auth={"token": ...}``; refused without a valid one."""
    try:
        actor = actor_from_socket_auth(auth)
    except DomainError:
        return False
    _actors[request.sid] = actor
    workshop = ops().workshop(actor.code)
    if actor.role == Role.ORGANISER:
        join_room(room(actor.code, "organiser"))
    else:
        _links[request.sid] = fingerprint(workshop, actor.role)
        for audience in views.audiences_of(actor):
            for name in rooms_for(workshop, audience):
                if not name.endswith(":organiser"):
                    join_room(name)
    socketio.emit("snapshot", current_snapshot(actor), to=request.sid)
    return True


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    """Forget the connection's actor."""
    _actors.pop(request.sid, None)
    _links.pop(request.sid, None)


@_handler("sync", {"since"})
def on_sync(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Any client: a fresh snapshot (after a reconnect, a gap, or a step change)."""
    return {"snapshot": current_snapshot(actor)}


@_handler("seq")
def on_seq(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Any client: the workshop's latest event number (cheap check for missed events)."""
    return {"seq": ops().store.seq(actor.code)}


@_handler("post", {"text", "finding", "client_id"}, per_participant="post")
def on_post(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Participant: post a reflection ``{text, finding?, client_id?}``; acked once stored."""
    reflection, created, events = ops().post_reflection(
        actor, data.get("text"), data.get("finding"), data.get("client_id"))
    publish(actor.code, events)
    return {"reflection": views.reflection_view(reflection, actor.role, True,
                                ops().workshop(actor.code).current_kind()),
            "created": created}


@_handler("share", {"reflection", "shared"})
def on_share(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Circle member or facilitator: take into the dialogue ``{reflection, shared}``."""
    reflection, events = ops().share_reflection(actor, data.get("reflection"),
                                                data.get("shared", True))
    publish(actor.code, events)
    return {"reflection": views.reflection_view(reflection, actor.role, True,
                                ops().workshop(actor.code).current_kind())}


@_handler("react", {"reflection", "kind", "text", "client_id"}, per_participant="react")
def on_react(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Participant: react to another circle's reflection ``{reflection, kind, text?}``."""
    reaction, events = ops().react(actor, data.get("reflection"), data.get("kind"),
                                   data.get("text"), data.get("client_id"))
    publish(actor.code, events)
    return {"reaction": reaction.to_dict()}


@_handler("endorse", {"conclusion", "kind", "text", "client_id"},
          per_participant="react")
def on_endorse(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Participant: support or voice a concern about a conclusion ``{conclusion, kind, text?}``."""
    endorsement, events = ops().endorse(actor, data.get("conclusion"), data.get("kind"),
                                        data.get("text"), data.get("client_id"))
    publish(actor.code, events)
    return {"endorsement": endorsement.to_dict()}


@_handler("step", {"step"})
def on_step(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Facilitator: open a step ``{step: id | "next" | "previous"}``."""
    workshop, events = ops().change_step(actor, data.get("step"))
    publish(actor.code, events)
    return {"current_step": workshop.state.current_step}


@_handler("lock", {"locked"})
def on_lock(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Facilitator: lock or unlock posting ``{locked}``."""
    workshop, events = ops().set_posting_locked(actor, data.get("locked"))
    publish(actor.code, events)
    return {"posting_locked": workshop.state.posting_locked}


@_handler("spotlight", {"reflection"})
def on_spotlight(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Facilitator: show a shared reflection on the projector ``{reflection | null}``."""
    workshop, events = ops().spotlight(actor, data.get("reflection"))
    publish(actor.code, events)
    return {"spotlight": workshop.state.spotlight}


@_handler("hide", {"reflection", "hidden"})
def on_hide(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Facilitator: hide or restore a reflection ``{reflection, hidden}``."""
    reflection, events = ops().hide_reflection(actor, data.get("reflection"),
                                               data.get("hidden", True))
    publish(actor.code, events)
    return {"reflection": views.reflection_view(reflection, actor.role, True,
                                ops().workshop(actor.code).current_kind())}


@_handler("screen", {"blank", "finding_index"})
def on_screen(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Facilitator: blank the projector or page the findings ``{blank?, finding_index?}``."""
    workshop, events = ops().control_screen(actor, data.get("blank"), data.get("finding_index"))
    publish(actor.code, events)
    return {"state": workshop.state.to_dict()}


@_handler("conclude", {"text", "reflections", "perspectives", "draft"})
def on_conclude(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Facilitator: write a conclusion ``{text, reflections?, perspectives?, draft?}``."""
    conclusion, events = ops().write_conclusion(actor, data.get("text"), data.get("reflections"),
                                                data.get("perspectives"),
                                                data.get("draft", False))
    publish(actor.code, events)
    return {"conclusion": conclusion.to_dict()}


@_handler("edit_conclusion", {"conclusion", "text", "hidden", "draft", "reflections"})
def on_edit_conclusion(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Facilitator: reword, publish, hide or relink ``{conclusion, text?, hidden?, draft?}``."""
    conclusion, events = ops().edit_conclusion(actor, data.get("conclusion"), data.get("text"),
                                               data.get("hidden"), data.get("draft"),
                                               data.get("reflections"))
    publish(actor.code, events)
    return {"conclusion": conclusion.to_dict()}


@_handler("patterns")
def on_patterns(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Facilitator: the cross-perspective analysis as the console shows it."""
    require(actor.role, Action.VIEW_PATTERNS, None)
    from .patterns_service import patterns_for

    return {"patterns": patterns_for(actor.code, "facilitator")}


@_handler("group", {"name", "reflections", "pattern"})
def on_group(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Facilitator: group reflections by hand into a named pattern ``{name, reflections}``."""
    pattern, events = ops().save_pattern(actor, data.get("name"), data.get("reflections"),
                                         data.get("pattern"))
    publish(actor.code, events)
    return {"pattern": pattern}


@_handler("pattern_conclusion", {"pattern", "lang"})
def on_pattern_conclusion(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Facilitator: turn a pattern into a draft conclusion that keeps its links."""
    require(actor.role, Action.WRITE_CONCLUSION, ops().workshop(actor.code).current_kind())
    from .patterns_service import conclusion_draft

    draft = conclusion_draft(actor.code, data.get("pattern"),
                             "en" if data.get("lang") == "en" else "nl")
    conclusion, events = ops().write_conclusion(actor, draft["text"][:2000] or "—",
                                                draft["reflections"], draft["perspectives"],
                                                True)
    publish(actor.code, events)
    return {"conclusion": conclusion.to_dict()}


@_handler("pin_pattern", {"pattern"})
def on_pin_pattern(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Facilitator: show a pattern on the projector ``{pattern: id | null}``."""
    # Checked before the (costly) analysis runs; pin_pattern checks again when it writes.
    require(actor.role, Action.PIN_PATTERN, ops().workshop(actor.code).current_kind())
    pattern_id = data.get("pattern")
    pinned = None
    if pattern_id is not None:
        from .patterns_service import find_pattern

        pinned = find_pattern(actor.code, pattern_id)
    workshop, events = ops().pin_pattern(actor, pinned)
    publish(actor.code, events)
    return {"pinned": workshop.state.pinned_pattern is not None}

