"""A bare Flask-SocketIO broadcaster: the same protocol shape as the app, no application logic.

``bench/load.py`` runs it under the same load as the app to tell what the
application (store, rules, views) adds to the cost of Flask-SocketIO itself.
It numbers events (a counter in this process, or Redis ``INCR`` when several
workers share a message queue), acknowledges every action and broadcasts
one event per action to everyone; it stores nothing.

    python bench/bare_server.py --port 5100 --mode eventlet [--queue redis://...]
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


@app.post("/api/sessions/<code>/participants")
def join(code: str):
    payload = request.get_json(silent=True) or {}
    return jsonify({"participant_token": uuid.uuid4().hex, "participant_id": uuid.uuid4().hex,
                    "circle": payload.get("perspective", "c")}), 201


@socketio.on("connect")
def on_connect(auth=None):
    join_room(ROOM)
    socketio.emit("snapshot", {"seq": counter.last()}, to=request.sid)
    return True


def _broadcast(event: dict) -> int:
    seq = counter.next()
    socketio.emit("event", {**event, "seq": seq}, to=ROOM)
    return seq


@socketio.on("post")
def on_post(data):
    rid = uuid.uuid4().hex
    _broadcast({"type": "reflection", "reflection": {"id": rid, "text": data.get("text"),
                                                     "circle": data.get("circle")}})
    return {"ok": True, "reflection": {"id": rid}, "created": True}


@socketio.on("react")
def on_react(data):
    _broadcast({"type": "reaction", "reaction": {"reflection": data.get("reflection"),
                                                 "kind": data.get("kind"),
                                                 "text": data.get("text")}})
    return {"ok": True}


@socketio.on("share")
def on_share(data):
    _broadcast({"type": "reflection_updated", "reflection": {"id": data.get("reflection")}})
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
    print(f"bare: serving on http://{ARGS.host}:{ARGS.port} ({ARGS.mode})", flush=True)
    socketio.run(app, **kwargs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
