"""A bare Flask-SocketIO server: the same protocol shape as the app, no application logic.

``bench/load.py`` runs it under the same load as the app to tell what the
application (store, rules, views) adds to the cost of Flask-SocketIO itself.
It numbers events (a counter in this process, or Redis ``INCR`` when several
workers share a message queue), acknowledges every action and stores nothing.

``--rooms everyone`` (the default) broadcasts one event per action to every
page. ``--rooms circle`` sends each post only to its circle's room, the
facilitator and the screen (a reaction to the reactor, the reflection's circle,
the facilitator and the screen): the floor that sending each phone only what
it must see can reach. Its circles are those of a session with circles of 8,
without the even split: the perspective a phone joins with, numbered per 8.

    python bench/bare_server.py --port 5100 --mode eventlet [--queue redis://...] [--rooms circle]
"""

from __future__ import annotations

import argparse
import os
import sys


def _args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5100)
    parser.add_argument("--mode", default=os.environ.get("FACILITATOR_ASYNC_MODE", "eventlet"),
                        choices=["eventlet", "threading", "gevent"])
    parser.add_argument("--queue", default=os.environ.get("FACILITATOR_MESSAGE_QUEUE") or None,
                        help="redis:// URL: several workers share events and the counter")
    parser.add_argument("--max-connections", type=int, default=5000)
    parser.add_argument("--rooms", choices=["everyone", "circle"], default="everyone",
                        help="broadcast every event, or send each to its circle's room")
    parser.add_argument("--circle-size", type=int, default=8)
    return parser.parse_args(argv)


ARGS = _args()

# Patch before anything imports socket or threading, as a production launcher must.
if ARGS.mode == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif ARGS.mode == "gevent":
    from gevent import monkey

    monkey.patch_all()

import itertools  # noqa: E402
import threading  # noqa: E402
import uuid  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(app, async_mode=ARGS.mode, message_queue=ARGS.queue,
                    transports=["websocket", "polling"], ping_interval=20, ping_timeout=20,
                    max_http_buffer_size=64 * 1024, logger=False, engineio_logger=False)
ROOM = "everyone"


class Counter:
    """The event number: local, or shared by all workers through Redis ``INCR``.

    ``last`` is the last number this worker handed out (no Redis round trip):
    the bench only needs snapshots to be roughly current.
    """

    def __init__(self, url: str | None) -> None:
        self.redis = None
        if url:
            import redis

            pool = redis.BlockingConnectionPool.from_url(url, max_connections=64, timeout=20)
            self.redis = redis.Redis(connection_pool=pool)
        self._count = itertools.count(1)
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        if self.redis is not None:
            value = int(self.redis.incr("bare:seq"))
        else:
            with self._lock:
                value = next(self._count)
        self._last = max(self._last, value)
        return value

    def last(self) -> int:
        return self._last


counter = Counter(ARGS.queue)


@app.get("/healthz")
def healthz():
    return jsonify({"ok": True})


@app.post("/api/sessions")
def create_session():
    return jsonify({"code": "BARE", "facilitator_token": "facilitator-" + uuid.uuid4().hex,
                    "screen_token": "screen-" + uuid.uuid4().hex}), 201


#: per perspective, how many have joined (circles of ``--circle-size`` by join order)
joined: dict[str, int] = {}
joined_lock = threading.Lock()
#: sid -> the circle of the phone on it (None: the facilitator or the screen)
circle_of: dict[str, str | None] = {}
#: reflection id -> its circle (for reactions in ``--rooms circle``)
reflection_circle: dict[str, str] = {}
PAGES = "pages"  # the facilitator and the screen, in ``--rooms circle``


@app.post("/api/sessions/<code>/participants")
def join(code: str):
    payload = request.get_json(silent=True) or {}
    perspective = str(payload.get("perspective", "c"))
    with joined_lock:
        number = joined[perspective] = joined.get(perspective, 0) + 1
    circle = f"{perspective}-{(number - 1) // ARGS.circle_size + 1}"
    # the token names the circle: the bare server keeps no participants
    return jsonify({"participant_token": f"phone:{circle}:{uuid.uuid4().hex}",
                    "participant_id": uuid.uuid4().hex, "circle": circle}), 201


@socketio.on("connect")
def on_connect(auth=None):
    token = str((auth or {}).get("token") or "")
    circle = token.split(":")[1] if token.startswith("phone:") else None
    circle_of[request.sid] = circle
    if ARGS.rooms == "everyone":
        join_room(ROOM)
    elif circle is None:
        join_room(PAGES)
    else:
        join_room(f"circle:{circle}")
    snapshot = {"seq": counter.last()}
    if circle is not None:
        snapshot["me"] = {"circle": circle}
    socketio.emit("snapshot", snapshot, to=request.sid)
    return True


@socketio.on("disconnect")
def on_disconnect(*_args):
    circle_of.pop(request.sid, None)


def _broadcast(event: dict, rooms: list[str] | None = None) -> int:
    seq = counter.next()
    if ARGS.rooms == "everyone":
        socketio.emit("event", {**event, "seq": seq}, to=ROOM)
    elif rooms is None:  # a share, a step: every page
        socketio.emit("event", {**event, "seq": seq})
    else:
        socketio.emit("event", {**event, "seq": seq}, to=rooms + [PAGES])
    return seq


@socketio.on("post")
def on_post(data):
    rid = uuid.uuid4().hex
    circle = circle_of.get(request.sid)
    if circle is not None:
        reflection_circle[rid] = circle
    _broadcast({"type": "reflection", "reflection": {"id": rid, "text": data.get("text"),
                                                     "circle": circle}},
               [f"circle:{circle}"])
    return {"ok": True, "reflection": {"id": rid}, "created": True}


@socketio.on("react")
def on_react(data):
    target = reflection_circle.get(str(data.get("reflection")))
    _broadcast({"type": "reaction", "reaction": {"reflection": data.get("reflection"),
                                                 "kind": data.get("kind"),
                                                 "text": data.get("text")}},
               [request.sid] + ([f"circle:{target}"] if target else []))
    return {"ok": True}


@socketio.on("share")
def on_share(data):
    rid = str(data.get("reflection"))
    _broadcast({"type": "reflection_updated", "reflection": {
        "id": rid, "circle": reflection_circle.get(rid)}})  # a share reaches everyone
    return {"ok": True}


@socketio.on("step")
def on_step(data):
    _broadcast({"type": "resync", "reason": "step"})
    return {"ok": True, "current_step": data.get("step")}


@socketio.on("sync")
def on_sync(data=None):
    return {"ok": True, "snapshot": {"seq": counter.last()}}


@socketio.on("seq")
def on_seq(data=None):
    return {"ok": True, "seq": counter.last()}


def main() -> int:
    kwargs = {"host": ARGS.host, "port": ARGS.port, "use_reloader": False, "log_output": False}
    if ARGS.mode == "eventlet":
        kwargs["max_size"] = ARGS.max_connections
    elif ARGS.mode == "threading":
        kwargs["allow_unsafe_werkzeug"] = True
    print(f"bare: serving on http://{ARGS.host}:{ARGS.port} ({ARGS.mode}, rooms: {ARGS.rooms})",
          flush=True)
    socketio.run(app, **kwargs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
