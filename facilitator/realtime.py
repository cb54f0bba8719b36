"""Socket.IO: authenticate a connection, serve the registered actions, publish.

Clients connect with ``auth={"token": ...}``, join the rooms of their audience
(see ``live.rooms_for``) and receive ``snapshot`` and ``event`` messages; every
event carries the workshop's sequence number (see ``views``). Every action of
``facilitator.actions`` is an event of the same name, answered through the
acknowledgement with ``{"ok": true, ...}`` or ``{"ok": false, "error": {"code",
"message"}}`` in the user's language.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app, request
from flask_socketio import SocketIO, disconnect, join_room
from socketio import RedisManager, packet

from . import safejson
from .actions import ACTIONS, ActionDef, perform
from .domain import views
from .domain.errors import N_, DomainError, Forbidden, Invalid, RateLimited, Unauthorized
from .domain.operations import Actor
from .domain.rules import Role
from .domain.validation import reject_unknown
from .live import RESEAT_EVENT, Connection, live, room, rooms_for
from .store.base import as_outage
from .web import observe, outage_error
from .web.auth import actor_from_socket_auth, fingerprint, ops, preview_link
from .web.i18n import error_body, gettext

log = logging.getLogger(__name__)
socketio = SocketIO()



def init_app(app: Flask) -> None:
    """Bind Socket.IO to the app with the configured async mode and message queue."""
    cfg = app.config["FACILITATOR"]
    transports = [t.strip() for t in cfg["SOCKETIO_TRANSPORTS"].split(",") if t.strip()]
    queue = cfg.get("MESSAGE_QUEUE") or None
    extra: dict[str, Any] = {}
    if queue and queue.startswith(("redis://", "rediss://")):
        # As Flask-SocketIO would build it, but with a higher connection cap than
        # redis-py's default of 100, so a burst of publishes does not fail.
        extra["client_manager"] = QueueManager(queue, channel="flask-socketio", redis_options={
            "max_connections": 10_000})
        extra["client_manager"].reseat_hook = _reseat_here(app)
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
    _close_silent_connections(cfg["HANDSHAKE_TIMEOUT"])
    _guard_engineio(app)


class QueueManager(RedisManager):
    """Flask-SocketIO's Redis manager, which also hands ``live.RESEAT_EVENT`` to this
    worker's ``Live.reseat`` instead of to clients.

    When circles split, phones connected to other workers must change rooms too, and
    only the worker that holds a socket can say which participant it is. The request
    travels over the message queue in order with the events, so every worker has
    moved its sockets before the new circles' messages reach them.
    """

    reseat_hook: Any = None

    def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") == RESEAT_EVENT:
            if self.reseat_hook is not None:
                data = message.get("data")
                payload = data[0] if isinstance(data, list) and data else data
                if isinstance(payload, dict) and isinstance(payload.get("code"), str):
                    self.reseat_hook(payload["code"])
            return
        super()._handle_emit(message)


def _reseat_here(app: Flask):
    """``Live.reseat`` on this worker, in an app context (the message queue's listener
    has none); a failure is logged, never raised into the listener."""

    def reseat(code: str) -> None:
        try:
            with app.app_context():
                app.extensions["facilitator.live"].reseat(code)
        except Exception:  # noqa: BLE001 - the listener must go on with the next message
            log.exception("reseat of %s failed", code)

    return reseat


def _close_silent_connections(timeout: int) -> None:
    """Close an Engine.IO connection that has not joined the Socket.IO namespace within
    ``timeout`` seconds: an idle socket that never says who it is would hold a
    connection slot (and, with a small ``FACILITATOR_MAX_CONNECTIONS``, starve
    ``/healthz``). A page connects within a second; the timeout is generous."""
    server = socketio.server
    if server is None or timeout <= 0:
        return
    handshake = server._handle_eio_connect  # python-socketio's own handler, kept

    def watch(eio_sid: str) -> None:
        socketio.sleep(timeout)
        if eio_sid in server.environ and server.manager.sid_from_eio_sid(eio_sid, "/") is None:
            server.eio.disconnect(eio_sid)

    def on_eio_connect(eio_sid: str, environ: dict[str, Any]):
        answer = handshake(eio_sid, environ)
        socketio.start_background_task(watch, eio_sid)
        return answer

    server.eio.on("connect", on_eio_connect)


#: malformed packets one connection may send before it is closed
MALFORMED_LIMIT = 5


def _well_formed(data: Any) -> bool:
    """True for a packet this app's pages send: text (never binary), in the root
    namespace, a CONNECT with an object or nothing, a DISCONNECT, an ACK, or an EVENT
    whose name is a string followed by at most one payload."""
    if not isinstance(data, str):
        return False
    try:
        pkt = socketio.server.packet_class(encoded_packet=data)
    except Exception:  # noqa: BLE001 - any undecodable packet is simply malformed
        return False
    if pkt.namespace not in (None, "/"):
        return False
    if pkt.packet_type == packet.CONNECT:
        return pkt.data is None or isinstance(pkt.data, dict)
    if pkt.packet_type in (packet.DISCONNECT, packet.ACK):
        return True
    return (pkt.packet_type == packet.EVENT and isinstance(pkt.data, list)
            and 1 <= len(pkt.data) <= 2 and isinstance(pkt.data[0], str))


def _guard_engineio(app: Flask) -> None:
    """Connection bookkeeping in front of python-socketio's Engine.IO handlers.

    - At most ``MAX_CONNECTIONS`` Engine.IO connections per process (the eventlet
      server keeps some slots above that for plain HTTP such as ``/healthz``) and
      ``MAX_CONNECTIONS_PER_ADDRESS`` from one address (generous: a venue's phones
      share one); a connection over either is refused at its Engine.IO handshake.
    - A malformed packet (undecodable, binary, a wrong shape) is dropped before
      python-socketio sees it: no traceback, at most one short log line per
      connection; it costs one hit of the connection's event budget, and a
      connection over that budget or sending ``MALFORMED_LIMIT`` of them is closed.
    """
    server = socketio.server
    if server is None:
        return
    cfg = app.config["FACILITATOR"]
    total, per_address = cfg["MAX_CONNECTIONS"], cfg["MAX_CONNECTIONS_PER_ADDRESS"]
    handlers = server.eio.handlers
    connect, message, gone = handlers["connect"], handlers["message"], handlers["disconnect"]
    address_of: dict[str, str] = {}
    open_from: dict[str, int] = {}
    malformed: dict[str, int] = {}
    lock = threading.Lock()

    def release(eio_sid: str) -> None:
        with lock:
            malformed.pop(eio_sid, None)
            address = address_of.pop(eio_sid, None)
            if address is not None:
                left = open_from.get(address, 1) - 1
                if left > 0:
                    open_from[address] = left
                else:
                    open_from.pop(address, None)

    def on_eio_connect(eio_sid: str, environ: dict[str, Any]):
        address = environ.get("REMOTE_ADDR") or "unknown"
        with lock:
            if len(address_of) >= total or open_from.get(address, 0) >= per_address:
                return False
            address_of[eio_sid] = address
            open_from[address] = open_from.get(address, 0) + 1
        answer = connect(eio_sid, environ)
        if answer is False:
            release(eio_sid)
        return answer

    def on_eio_disconnect(eio_sid: str, reason: Any = None):
        try:
            return gone(eio_sid, reason)
        finally:
            release(eio_sid)

    def on_eio_message(eio_sid: str, data: Any):
        if _well_formed(data):
            return message(eio_sid, data)
        with lock:
            count = malformed[eio_sid] = malformed.get(eio_sid, 0) + 1
        sid = server.manager.sid_from_eio_sid(eio_sid, "/")
        within = app.extensions["facilitator.limiter"].hit("socket_event", sid or eio_sid)
        if count == 1:
            log.info("malformed Socket.IO packet dropped (%d characters)", len(data or ""))
        if not within or count >= MALFORMED_LIMIT:
            if eio_sid in server.eio.sockets:
                server.eio.disconnect(eio_sid)
            else:  # the in-process test client has no Engine.IO socket to close
                server._handle_eio_disconnect(eio_sid, server.reason.SERVER_DISCONNECT)
                release(eio_sid)
        return None

    server.eio.on("connect", on_eio_connect)
    server.eio.on("disconnect", on_eio_disconnect)
    server.eio.on("message", on_eio_message)
    # the in-process test client calls the server's method, not the Engine.IO handler
    server._handle_eio_message = on_eio_message


def _fail(exc: DomainError) -> dict[str, Any]:
    return {"ok": False, **error_body(exc)}


def _serve(action: ActionDef) -> None:
    """Register the Socket.IO event of one action of the registry.

    The payload must be an object with only the action's fields, and every
    connection has an event budget on top of the action's own limit. Domain
    errors become ``{"ok": false, "error": ...}`` in the user's language; an
    unexpected exception is logged and answered the same way, never dropped.
    """

    def handler(data: Any = None) -> dict[str, Any]:
        connection = live().connections.get(request.sid)
        actor = connection.actor if connection else None
        if actor is None:
            return _fail(Forbidden(N_("You are not connected to a session.")))
        try:
            _check_link_still_valid(actor)
            if not current_app.extensions["facilitator.limiter"].hit("socket_event",
                                                                     request.sid):
                raise RateLimited(N_("Too many requests. Please wait a moment and try again."))
            payload = reject_unknown(data, set(action.fields))
            return {"ok": True, **perform(action, actor, payload).body}
        except DomainError as exc:
            return _fail(exc)
        except Exception as exc:
            if as_outage(exc) is not None:  # the store logs an outage once, not per event
                return {"ok": False, "error": outage_error()}
            log.exception("socket event %s failed", action.name)
            return {"ok": False, "error": {
                "code": "server_error",
                "message": gettext("Something went wrong on our side. Please try again.")}}

    handler.__name__ = f"on_{action.name}"
    socketio.on_event(action.name, observe.socket_event(action.name, handler))


def _check_link_still_valid(actor: Actor) -> None:
    """A facilitator or screen whose secret link (or previewing console link) was rotated
    is sent away."""
    if actor.role not in (Role.FACILITATOR, Role.SCREEN):
        return
    connection = live().connections.get(request.sid)
    own, via = (connection.link, connection.via) if connection else (None, None)
    workshop = ops().workshop(actor.code)
    if fingerprint(workshop, actor.role) != own or (
            via is not None and fingerprint(workshop, Role.FACILITATOR) != via):
        disconnect()
        raise Unauthorized(N_("This link or token is not valid (any more)."))


@socketio.on("connect")
def on_connect(auth: Any = None):
    """Any client: authenticate with ``auth={"token": ...}``; refused without a valid one."""
    try:
        actor = actor_from_socket_auth(auth)
    except DomainError:
        return False
    connection = Connection(actor)
    live().connections[request.sid] = connection
    workshop = ops().workshop(actor.code)
    if actor.role == Role.ORGANISER:
        join_room(room(actor.code, "organiser"))
    else:
        connection.link, connection.via = fingerprint(workshop, actor.role), preview_link(auth)
        for audience in views.audiences_of(actor):
            for name in rooms_for(workshop, audience):
                if not name.endswith(":organiser"):
                    join_room(name)
    socketio.emit("snapshot", live().snapshot(actor), to=request.sid)
    _count_phone(actor, workshop, came=True)
    return True


def _counts_phones() -> bool:
    """Whether this process knows every phone of a session: with a message queue the
    phones spread over several workers, and one worker's count would mislead."""
    return not current_app.config["FACILITATOR"].get("MESSAGE_QUEUE")


def phones_notice(connected: int) -> dict[str, Any]:
    """The console's unnumbered notice: how many phones are connected now."""
    return {"type": "phones", "connected": connected}


def _count_phone(actor: Actor, workshop: Any, came: bool) -> None:
    """Keep the count of phones connected now and tell the facilitator's pages when it
    changes; a console that connects hears it at once."""
    if not _counts_phones():
        return
    if actor.role == Role.FACILITATOR and came:
        socketio.emit("notice", phones_notice(live().phones_connected(actor.code)),
                      to=request.sid)
        return
    if actor.role != Role.PARTICIPANT or actor.participant is None:
        return
    counted = (live().phone_came if came else live().phone_went)(actor.code,
                                                                 actor.participant.id)
    if counted is not None:
        live().notify(actor.code, [(views.FACILITATORS, phones_notice(counted))], workshop)


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    """Forget the connection's actor (and count its phone out)."""
    connection = live().connections.pop(request.sid, None)
    if connection is None:
        return
    try:
        _count_phone(connection.actor, None, came=False)
    except Exception as exc:
        if as_outage(exc) is None:
            raise
        # the store away while phones leave: the count here is right all the same; the
        # console hears it with the next change


@socketio.on("*")
def on_unknown(event: Any, *_args: Any) -> dict[str, Any]:
    """Any other event name: counted against the connection's budget and answered with an
    error (when the client asked for an acknowledgement), never left hanging."""
    if not current_app.extensions["facilitator.limiter"].hit("socket_event", request.sid):
        disconnect()
        return _fail(RateLimited(N_("Too many requests. Please wait a moment and try again.")))
    return _fail(Invalid(N_("Unknown action: %(action)s."), action=str(event)[:40]))


for _action in ACTIONS:
    _serve(_action)
