"""Real server processes and browser-like Socket.IO clients for the scale tests.

Flask-SocketIO's in-process test client can neither use a message queue nor
run handlers concurrently, so these tests start ``python -m facilitator
serve`` as subprocesses (``Worker``) and drive them with python-socketio
clients that behave like ``static/js/live.js`` and ``static/js/outbox.js``
(``LiveClient``): they keep the position of each of their streams, ask for a
snapshot on a gap in one, a ``resync`` event or a reconnect, ask where their
streams stand now and then, and resend unacknowledged actions with the same
client id.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import socketio

from tests.processes import LoggedProcess
from tests.redis_fixtures import free_port

REPO = Path(__file__).resolve().parents[2]
ORGANISER = "organiser-secret-for-scale-tests"
#: Every worker of one deployment must share the secret key (signed page tokens).
SECRET_KEY = "one-secret-key-shared-by-all-workers"


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05,
               message: str | Callable[[], str] = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout}s waiting for {text}")
        time.sleep(interval)


class Worker(LoggedProcess):
    """One ``python -m facilitator serve`` process on 127.0.0.1 with its own log file."""

    def __init__(self, name: str, logdir: Path, store: str, mode: str = "eventlet",
                 message_queue: str | None = None, port: int | None = None,
                 env: dict[str, str] | None = None) -> None:
        super().__init__()
        self.name = name
        self.describe = f"worker {name}"
        self.logdir = Path(logdir)
        self.store = store
        self.mode = mode
        self.message_queue = message_queue
        self.port = port or free_port()
        self.extra_env = dict(env or {})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def logfile(self) -> Path:
        return self.logdir / f"worker-{self.name}.log"

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
        env.update({
            "FACILITATOR_STORE": self.store,
            "FACILITATOR_ASYNC_MODE": self.mode,
            "FACILITATOR_ORGANISER_TOKEN": ORGANISER,
            "FACILITATOR_SECRET_KEY": SECRET_KEY,
            "FACILITATOR_SOCKETIO_TRANSPORTS": "websocket,polling",
            "PYTHONUNBUFFERED": "1",
            "PYTHONWARNINGS": "ignore",
        })
        if self.message_queue:
            env["FACILITATOR_MESSAGE_QUEUE"] = self.message_queue
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 30.0) -> Worker:
        """Start the process and wait until ``/healthz`` answers 200."""
        self._spawn([sys.executable, "-m", "facilitator", "serve", "--host", "127.0.0.1",
                     "--port", str(self.port)], cwd=REPO, env=self.environ(),
                    new_session=True)

        def healthy() -> bool:
            try:
                return requests.get(f"{self.url}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        self._wait_ready(healthy, timeout)
        return self


class Api:
    """The JSON API of one worker, with requests."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def call(self, method: str, path: str, token: str | None = None, json: Any = None,
             expect: int | tuple[int, ...] = (200, 201)) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.http.request(method, f"{self.base}/api{path}", json=json,
                                     headers=headers, timeout=10)
        wanted = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in wanted, (response.status_code, response.text)
        return response.json() if response.content else None

    def create_session(self, **spec: Any) -> dict[str, Any]:
        spec.setdefault("title", "Schaalsessie")
        return self.call("POST", "/sessions", ORGANISER, spec)

    def join(self, code: str, perspective: str = "raadslid") -> dict[str, Any]:
        return self.call("POST", f"/sessions/{code}/participants",
                         json={"perspective": perspective})

    def step(self, code: str, token: str, step: str) -> dict[str, Any]:
        return self.call("POST", f"/sessions/{code}/steps/current", token, {"step": step})

    def reflections(self, code: str, token: str) -> list[dict[str, Any]]:
        return self.call("GET", f"/sessions/{code}/reflections", token)

    def close(self) -> None:
        self.http.close()


class LiveClient:
    """A python-socketio client that follows a session the way the browser pages do.

    Socket.IO handlers run on the client's read thread, where waiting for an
    acknowledgement would deadlock; so handlers only record and hand work
    (resync, outbox flush) to a helper thread, as the browser's promises do.
    """

    #: as static/js/outbox.js: answers after which the item waits and goes again
    TRANSIENT = {"offline", "timeout", "empty", "server_error", "rate_limited",
                 "store_unavailable"}

    def __init__(self, url: str, token: str, code: str, name: str = "client",
                 check_interval: float = 1.0, transports: tuple[str, ...] = ("websocket",),
                 call_timeout: float = 5.0) -> None:
        self.url = url
        self.token = token
        self.code = code
        self.name = name
        self.check_interval = check_interval
        self.transports = list(transports)
        self.call_timeout = call_timeout
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2,
                                   reconnection_delay_max=1.0, randomization_factor=0.2)
        self.lock = threading.RLock()
        self.seq = -1  # the number of the last full snapshot
        self.shared_seq = -1  # of the last shared part a step change brought
        self.positions: dict[str, int] = {}  # stream -> n of its last message
        self.applied: set[int] = set()  # event numbers above seq whose content is applied
        self.early: list[dict[str, Any]] = []  # events before the first snapshot
        self.received: list[dict[str, Any]] = []  # every event message, as it came
        self.gaps = 0  # jumps in a stream (each asks for a snapshot)
        self.unknown_streams = 0
        self.snapshot: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []  # applied events, in order
        self.reflections: dict[str, dict[str, Any]] = {}  # id -> latest view
        self.activity_ticks = 0
        self.reflection_count = 0  # what a screen shows: reflections posted (activity)
        self.snapshots = 0
        self.pushed_snapshots = 0
        self.resyncs = 0
        self.connects = 0
        self.transient_failures = 0  # answers like server_error/timeout, retried later
        self.failure_codes: dict[str, int] = {}  # error code -> how many transient answers
        self.outbox: list[dict[str, Any]] = []  # {"event", "data"} not yet acknowledged
        self.answers: dict[str, dict[str, Any]] = {}  # client_id -> ok answer
        self._tasks: queue.Queue[str] = queue.Queue()
        self._closed = threading.Event()
        self._helper = threading.Thread(target=self._run, name=f"live-{name}", daemon=True)
        self.sio.on("connect", self._on_connect)
        self.sio.on("snapshot", self._apply_snapshot)
        self.sio.on("event", self._apply_event)
        self.sio.on("events", self._apply_events)

    # -- connection ------------------------------------------------------
    def connect(self, timeout: float = 10.0) -> LiveClient:
        self.sio.connect(self.url, auth={"token": self.token, "code": self.code},
                         transports=self.transports, wait_timeout=timeout)
        self._helper.start()
        wait_until(lambda: self.snapshot is not None, timeout, message=f"{self.name} snapshot")
        return self

    def close(self) -> threading.Thread:
        """Disconnect in the background (a websocket close may wait seconds for its answer)."""
        self._closed.set()

        def disconnect() -> None:
            try:
                # shutdown, not disconnect: a client still reconnecting to a killed
                # worker stops too (its retries draw on the global random module,
                # which Hypothesis tests later in the session watch)
                self.sio.shutdown()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass

        closer = threading.Thread(target=disconnect, name=f"close-{self.name}", daemon=True)
        closer.start()
        return closer

    @property
    def connected(self) -> bool:
        return self.sio.connected

    def _on_connect(self) -> None:
        self.connects += 1
        self._tasks.put("flush")

    # -- live.js ---------------------------------------------------------
    def _apply_snapshot(self, snap: dict[str, Any], partial: bool = False) -> None:
        with self.lock:
            if partial:
                self.shared_seq = max(self.shared_seq, snap["seq"])
            elif snap["seq"] < self.seq:
                return  # an older answer that overtook a newer one
            else:
                self.seq = self.shared_seq = snap["seq"]
                self.positions = dict(snap.get("streams") or {})
                self.applied = set()
            # a partial snapshot (sent with a step change) leaves the personal part
            self.snapshot = {**(self.snapshot or {}), **snap} if partial else snap
            self.snapshots += 1
            self.reflections = {r["id"]: r for r in snap.get("reflections", [])}
            circles = snap.get("activity", {}).get("circles", {})
            self.reflection_count = sum(c["reflections"] for c in circles.values())
            if not partial:
                early, self.early = self.early, []
        if not partial:
            for event in early:
                self._apply_event(event)

    def _apply_events(self, events: list[dict[str, Any]]) -> None:
        """A busy room's batch: its messages in order."""
        for event in events:
            self._apply_event(event)

    def _apply_event(self, event: dict[str, Any]) -> None:
        """As live.js: a message is applied when it is the next one of its stream; an older
        one is dropped, a jump asks for a snapshot; content comes once per event number."""
        with self.lock:
            self.received.append(event)
            if self.seq < 0:
                self.early.append(event)
                return
            stream = event.get("stream")
            if stream not in self.positions:
                self.unknown_streams += 1
                self._tasks.put("resync")
                return
            n = event.get("n", event["seq"])
            if n <= self.positions[stream]:
                return
            if n > self.positions[stream] + 1 or event.get("reason") == "unnumbered":
                self.gaps += 1
                self._tasks.put("resync")
                return
            self.positions[stream] = n
            if event["seq"] <= self.seq or event["seq"] in self.applied:
                return
            personal = stream.startswith("participant:")
            if not personal and event["seq"] <= self.shared_seq and event["type"] != "resync":
                return
            self.applied.add(event["seq"])
            self.events.append(event)
            activity = event.get("activity")
            if activity:
                if "reflection" not in event:
                    self.activity_ticks += 1
                if activity["kind"] == "reflection" and not activity["hidden"]:
                    self.reflection_count += 1
            if "reflection" in event:
                self.reflections[event["reflection"]["id"]] = event["reflection"]
            if event.get("removed"):
                self.reflections.pop(event["removed"], None)
            # pages take the snapshot a "resync" brings, or ask for one; the console
            # also asks on its own "step"/"programme" events
            if event["type"] == "resync" and "snapshot" in event:
                self.pushed_snapshots += 1
                self._apply_snapshot(event["snapshot"], partial=True)
            elif event["type"] in ("resync", "step", "programme"):
                self._tasks.put("resync")

    def call(self, name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Emit with an acknowledgement; a transient error code instead of an exception."""
        if not self.sio.connected:
            return {"ok": False, "error": {"code": "offline"}}
        try:
            answer = self.sio.call(name, data or {}, timeout=self.call_timeout)
        except socketio.exceptions.TimeoutError:
            return {"ok": False, "error": {"code": "timeout"}}
        except socketio.exceptions.SocketIOError:
            return {"ok": False, "error": {"code": "offline"}}
        return answer or {"ok": False, "error": {"code": "empty"}}

    def resync(self) -> bool:
        answer = self.call("sync", {})
        if answer.get("ok"):
            self.resyncs += 1
            self._apply_snapshot(answer["snapshot"])
            return True
        return False

    def check_heads(self) -> dict[str, tuple[int, int]]:
        """The streams whose last message is past this page's position: stream -> (here,
        on the server); empty when the page is current."""
        answer = self.call("seq", {})
        assert answer.get("ok"), answer
        with self.lock:
            return {stream: (self.positions.get(stream, -1), n)
                    for stream, n in answer["streams"].items()
                    if n > self.positions.get(stream, -1)}

    def check_seq(self) -> None:
        answer = self.call("seq", {})
        if not answer.get("ok"):
            return
        with self.lock:
            behind = any(stream not in self.positions or n > self.positions[stream]
                         for stream, n in answer["streams"].items())
        if behind:
            self.resync()

    # -- outbox.js -------------------------------------------------------
    def send(self, event: str, data: dict[str, Any]) -> str:
        """Queue an action with a fresh client id and try to send it now."""
        client_id = data.get("client_id") or uuid.uuid4().hex
        with self.lock:
            self.outbox.append({"event": event, "data": {**data, "client_id": client_id}})
        self._tasks.put("flush")
        return client_id

    def post(self, text: str, client_id: str | None = None) -> str:
        data: dict[str, Any] = {"text": text}
        if client_id:
            data["client_id"] = client_id
        return self.send("post", data)

    def flush(self) -> None:
        while True:
            with self.lock:
                if not self.outbox:
                    return
                item = self.outbox[0]
            answer = self.call(item["event"], item["data"])
            if answer.get("ok"):
                with self.lock:
                    self.answers[item["data"]["client_id"]] = answer
                    self.outbox.remove(item)
            elif answer.get("error", {}).get("code") in self.TRANSIENT:
                self.transient_failures += 1
                code = answer["error"]["code"]
                self.failure_codes[code] = self.failure_codes.get(code, 0) + 1
                return  # try again on the next tick or reconnect
            else:
                raise AssertionError(f"{self.name}: {item['event']} refused: {answer}")

    @property
    def pending(self) -> int:
        with self.lock:
            return len(self.outbox)

    def _run(self) -> None:
        while not self._closed.is_set():
            try:
                task = self._tasks.get(timeout=self.check_interval)
            except queue.Empty:
                task = "tick"
            try:
                if task == "resync":
                    self.resync()
                elif task == "flush":
                    self.flush()
                else:
                    self.flush()
                    self.check_seq()
            except AssertionError as exc:
                self.error = exc
            except Exception:  # noqa: BLE001 - the helper must outlive a dropped connection
                pass

    error: AssertionError | None = None

    # -- what the page shows -------------------------------------------
    def texts(self) -> set[str]:
        with self.lock:
            return {r["text"] for r in self.reflections.values()}

    def current_step(self) -> str | None:
        with self.lock:
            if self.snapshot is None:
                return None
            return self.snapshot["workshop"]["state"]["current_step"]
