"""Load test: phones join, post and react while a facilitator and a screen listen.

Phones are python-socketio clients spread over several client processes (one
Python process cannot drive hundreds of sockets on time).  Against the app
(``python -m facilitator serve``) and, under the same load, against the bare
broadcaster ``bench/bare_server.py``, per async mode, it measures:

* fan-out latency: from a phone's ``emit`` to the first arrival of that event
  number at every other client (phones, facilitator, screen): p50/p95/p99;
* the delivered fraction: arrivals / (events x connected clients);
* the time to connect every phone, and for every page to resync after a step
  change; the acknowledgement latency; the CPU the servers used.

Everything runs on 127.0.0.1, in bounded phases, and stops by itself.  The
clients share the machine with the servers, so figures are for the whole box.

    python bench/load.py                                  # quick: 100 phones
    python bench/load.py --phones 500 --modes eventlet,threading,gevent
    python bench/load.py --phones 1000 --workers 2        # two workers on Redis
    python bench/load.py --targets                        # the targets of docs/performance.md

Results are printed as a table and written to ``bench/results/`` as JSON.
"""

from __future__ import annotations

import multiprocessing as mp
import os

if os.environ.get("BENCH_CLIENTS") == "gevent" and mp.parent_process() is not None:
    # a client process with green threads: hundreds of sockets without OS threads
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import engineio  # noqa: E402
import requests  # noqa: E402
import socketio  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
ORGANISER = "organiser-token-for-the-bench"
SECRET_KEY = "one-secret-key-for-every-bench-worker"
PERSPECTIVES = ["raadslid", "bestuurder", "gemeentesecretaris", "directeur", "manager",
                "medewerker", "beleidsadviseur", "hr-adviseur", "bedrijfsvoering", "or-lid",
                "vakbond", "koepel", "burger", "belangengroep", "ondernemer", "onderzoeker"]
FILLER = ("Wat ik herken is dat de verandering via informele netwerken loopt en dat de raad "
          "daar pas laat bij betrokken wordt; vanuit mijn positie zie ik dat vaak gebeuren.")


#: the bare servers: ``bare`` broadcasts every event to every page, ``bare-circle`` sends
#: each to its circle's room (and the facilitator and screen): the floor of streams
BARE_KINDS = {"bare": "everyone", "bare-circle": "circle"}


def raise_nofile_limit() -> int:
    """Raise the open-files limit to the hard limit (servers and clients inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


# -- servers ---------------------------------------------------------------
class Server:
    """A server subprocess (the app or the bare broadcaster) on 127.0.0.1."""

    def __init__(self, kind: str, mode: str, store: str | None, queue: str | None,
                 logdir: Path, name: str) -> None:
        self.kind, self.mode, self.store, self.queue = kind, mode, store, queue
        self.port = free_port()
        self.name = name
        self.logfile = logdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        if self.kind in BARE_KINDS:
            cmd = [sys.executable, str(ROOT / "bench" / "bare_server.py"), "--port",
                   str(self.port), "--mode", self.mode, "--rooms", BARE_KINDS[self.kind]]
            return cmd + (["--queue", self.queue] if self.queue else [])
        return [sys.executable, "-m", "facilitator", "serve", "--host", "127.0.0.1",
                "--port", str(self.port)]

    def start(self, timeout: float = 60) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
        env.update({"FACILITATOR_ASYNC_MODE": self.mode, "FACILITATOR_ENV": "production",
                    "FACILITATOR_ORGANISER_TOKEN": ORGANISER,
                    "FACILITATOR_SECRET_KEY": SECRET_KEY, "PYTHONWARNINGS": "ignore",
                    # a room of phones joins over the API from a few loopback addresses
                    "FACILITATOR_RATE_LIMITS": "api_join=100000/60,join=100000/60",
                    "FACILITATOR_SOCKETIO_TRANSPORTS": "websocket,polling"})
        if self.store:
            env["FACILITATOR_STORE"] = self.store
        if self.queue:
            env["FACILITATOR_MESSAGE_QUEUE"] = self.queue
        log = open(self.logfile, "ab")
        self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=env, stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.logfile.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not start in {timeout}s")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far (from /proc)."""
        if self.proc is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except (OSError, AttributeError):
            pass
        return 0.0

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Redis:
    """A private redis-server for one scenario (no persistence: the bench measures fan-out)."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir), "--maxclients", "10000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        import redis

        client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                client.ping()
                return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def cpu_seconds(self) -> float:
        return Server.cpu_seconds(self)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


# -- clients ---------------------------------------------------------------
class InlineEngineIOClient(engineio.Client):
    """An Engine.IO client that handles each message on its read loop.

    The stock client starts a thread for every message it receives.  At 500
    phones that is 100,000 thread starts in 40 s on the same two cores as the
    server: profiling showed half the clients' CPU in ``Thread.start``, and
    the clients, not the server, set the latency.  The bench's handlers only
    note a time or queue an emit, so running them in line is safe, and the
    measurement then shows the server.
    """

    def _trigger_event(self, event, *args, **kwargs):
        kwargs.pop("run_async", None)
        return super()._trigger_event(event, *args, **kwargs)


class BenchSocketIOClient(socketio.Client):
    """python-socketio's client over :class:`InlineEngineIOClient`."""

    def _engineio_client_class(self):
        return InlineEngineIOClient


class Client:
    """One Socket.IO client: a phone, the facilitator console or the screen."""

    def __init__(self, idx: int, url: str, token: str, code: str,
                 keep_events: bool = False) -> None:
        self.idx, self.url, self.token, self.code = idx, url, token, code
        # websocket-client checks UTF-8 in pure Python, byte by byte: a few ms per
        # snapshot, which would be measured as server latency (browsers do it natively)
        self.sio = BenchSocketIOClient(
            reconnection=False, websocket_extra_options={"skip_utf8_validation": True})
        self.seen: dict[int, float] = {}
        self.events: dict[int, dict[str, Any]] | None = {} if keep_events else None
        self.last_seq = -1
        self.syncs = 0
        self.synced_at: list[float] = []  # when each round of snapshot arrived
        self.sync_errors = 0
        self.acks: list[tuple[str, float, float, bool, str]] = []
        self.disconnected = False
        self.circle: str | None = None
        self.messages = 0  # every event message received, duplicates included
        self.connect_at: float | None = None  # when this page started to connect
        self.snapshot_at: float | None = None  # when its first snapshot arrived
        self.sio.on("snapshot", self._on_snapshot)
        self.sio.on("event", self._on_event)
        self.sio.on("events", self._on_events)
        self.sio.on("disconnect", self._on_disconnect)

    def connect(self) -> None:
        self.connect_at = time.monotonic()
        self.sio.connect(self.url, auth={"token": self.token, "code": self.code},
                         transports=["websocket"], wait_timeout=60)
        # A browser gives up on a server only after ping interval + ping timeout
        # (40 s) without a ping; python-engineio's client after max(both) + 5 s.
        # Tolerate what a browser tolerates, so a busy moment is measured as
        # latency, not as a dropped phone.
        eio = self.sio.eio
        eio.ping_timeout = eio.ping_interval + eio.ping_timeout

    def _on_snapshot(self, snap: dict[str, Any]) -> None:
        if self.snapshot_at is None:
            self.snapshot_at = time.monotonic()
        self.last_seq = max(self.last_seq, snap.get("seq", -1))
        me = snap.get("me")
        if me and me.get("circle"):
            self.circle = me["circle"]  # after the even split too

    def _on_events(self, events: list[dict[str, Any]]) -> None:
        for event in events:  # a busy room's batch, in order
            self._on_event(event)

    def _on_event(self, event: dict[str, Any]) -> None:
        now = time.monotonic()
        self.messages += 1
        seq = event["seq"]
        if seq in self.seen:
            return  # a page drops a number it already has (e.g. the plain resync)
        self.seen[seq] = now
        if self.events is not None:
            self.events[seq] = event
        self.last_seq = max(self.last_seq, seq)
        if event["type"] == "resync" and "snapshot" in event:
            # the step change brought the new snapshot along, as pages take it
            self.syncs += 1
            self.synced_at.append(now)
            self._on_snapshot(event["snapshot"])
        elif event["type"] in ("resync", "step"):
            # what a page does on a step change without one (emit from a handler: no waiting)
            self.sio.emit("sync", {}, callback=self._on_sync)

    def _on_sync(self, answer: dict[str, Any] | None = None) -> None:
        if answer and answer.get("ok"):
            self.syncs += 1
            self.synced_at.append(time.monotonic())
            self._on_snapshot(answer["snapshot"])
        else:
            self.sync_errors += 1

    def _on_disconnect(self, *args: Any) -> None:
        self.disconnected = True

    def send(self, name: str, data: dict[str, Any]) -> None:
        sent = time.monotonic()

        def ack(answer: dict[str, Any] | None = None) -> None:
            answer = answer or {}
            self.acks.append((name, sent, time.monotonic(), bool(answer.get("ok")),
                              (answer.get("error") or {}).get("code", "")))

        self.sio.emit(name, data, callback=ack)

    def close(self) -> None:
        try:
            self.sio.eio.disconnect(abort=True)
        except Exception:  # noqa: BLE001 - closing at the end is best effort
            pass


def _post_json(url: str, path: str, body: dict[str, Any], source_ip: str) -> dict[str, Any]:
    """POST JSON from a chosen loopback address (rate limits count per address)."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source_ip, 0))
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = json.loads(response.read() or b"{}")
        if response.status >= 300:
            raise RuntimeError(f"{path}: {response.status} {payload}")
        return payload
    finally:
        conn.close()


def parallel(fn, items: list[Any], workers: int) -> list[Any]:
    """``map`` with ``workers`` at a time: green threads in a gevent client process."""
    if os.environ.get("BENCH_CLIENTS") == "gevent":
        from gevent.pool import Pool

        return list(Pool(workers).imap(fn, items))
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def _receive(conn) -> Any:
    """The next command; polling keeps a gevent hub running while it waits."""
    while not conn.poll(0.2):
        pass
    return conn.recv()


def phone_process(conn, spec: dict[str, Any]) -> None:
    """A client process: drives ``spec['count']`` phones on commands from the bench."""
    raise_nofile_limit()
    phones: list[Client] = []
    codes = spec["codes"]
    while True:
        command, arg = _receive(conn)
        if command == "join":
            def join(i: int) -> Client:
                idx = spec["first"] + i
                url = spec["urls"][idx % len(spec["urls"])]
                code = codes[idx % len(codes)]
                perspective = PERSPECTIVES[(idx // len(codes)) % len(PERSPECTIVES)]
                answer = _post_json(url, f"/api/sessions/{code}/participants",
                                    {"perspective": perspective}, spec["source_ip"])
                phone = Client(idx, url, answer["participant_token"], code)
                phone.circle = answer.get("circle")
                return phone

            phones = parallel(join, list(range(spec["count"])), 4)
            conn.send([(p.idx, p.circle) for p in phones])
        elif command == "connect":
            # arg: how many at a time, as fast as they go; or {"start", "spread", "total"}:
            # a connect storm, phone i connecting at start + i / total * spread
            started = time.monotonic()
            errors: list[str] = []

            def connect(phone: Client, errors: list[str] = errors, arg=arg) -> None:
                if isinstance(arg, dict):
                    delay = arg["start"] + phone.idx / arg["total"] * arg["spread"] - \
                        time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                try:
                    phone.connect()
                except Exception as exc:  # noqa: BLE001 - reported, not raised
                    errors.append(repr(exc))

            parallel(connect, phones, len(phones) if isinstance(arg, dict) else arg)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and any(
                    p.snapshot_at is None and p.sio.connected for p in phones):
                time.sleep(0.05)
            conn.send({"seconds": time.monotonic() - started, "errors": errors[:5],
                       "failed": len(errors),
                       "no_snapshot": sum(1 for p in phones if p.snapshot_at is None),
                       "snapshot_s": [p.snapshot_at - p.connect_at for p in phones
                                      if p.snapshot_at is not None]})
        elif command == "status":
            conn.send({"syncs": sum(p.syncs for p in phones),
                       "sync_errors": sum(p.sync_errors for p in phones),
                       "synced": sum(1 for p in phones if p.syncs >= arg),
                       "synced_at": [p.synced_at[arg - 1] for p in phones
                                     if arg and len(p.synced_at) >= arg],
                       "min_seq": min((p.last_seq for p in phones), default=-1),
                       "disconnected": sum(p.disconnected for p in phones)})
        elif command == "schedule":
            kind, items = arg
            by_idx = {p.idx: p for p in phones}

            def run(items=items, kind=kind, by_idx=by_idx) -> None:
                for at, idx, data in items:
                    delay = at - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    phone = by_idx[idx]
                    data = dict(data)
                    data["text"] = data["text"].replace("{t}", f"{time.monotonic():.6f}")
                    phone.send(kind, data)

            threading.Thread(target=run, daemon=True).start()
            conn.send("scheduled")
        elif command == "collect":
            conn.send(summarise_receivers(phones, arg))
        elif command == "circles":
            conn.send([(p.idx, p.circle) for p in phones])
        elif command == "missing":
            conn.send(summarise_receivers(phones, arg)["missing"])
        elif command == "close":
            for phone in phones:
                phone.close()
            conn.send("closed")
            return


def expected_at(client: Client, circle: str | None, reactor: int | None) -> bool:
    """Whether a page must receive an event: the facilitator and the screen every one; a
    phone every one when ``circle`` is None (the broadcaster), else those of its circle
    and its own reactions."""
    return client.idx < 0 or circle is None or client.circle == circle or client.idx == reactor


def summarise_receivers(clients: list[Client], sends: list[tuple]) -> dict[str, Any]:
    """Latencies (seconds) of every measured event at the clients that must receive it, and
    what is missing. ``sends``: (code, seq, sent, circle, reactor) per event."""
    latencies: list[float] = []
    missing = expected = 0
    for client in clients:
        for code, seq, sent, circle, reactor in sends:
            if code != client.code or not expected_at(client, circle, reactor):
                continue
            expected += 1
            got = client.seen.get(seq)
            if got is None:
                missing += 1
            else:
                latencies.append(got - sent)
    acks = [(name, done - sent, ok, error) for c in clients for name, sent, done, ok, error
            in c.acks]
    return {"latencies": latencies, "missing": missing, "expected": expected,
            "acks": acks, "disconnected": sum(c.disconnected for c in clients),
            "messages": sum(c.messages for c in clients if c.idx >= 0)}


# -- one scenario ------------------------------------------------------------
class Bench:
    """Servers, client processes, the facilitators and the screens of one scenario.

    ``scenario``: ``steady`` (connect, circle step, ``rate`` posts a second for
    ``window`` seconds with one post per phone, exchange step, as many reactions),
    or ``burst`` (a connect storm, every phone connecting within ``storm`` seconds,
    then the circle step and ``rate`` posts a second for ``window`` seconds, phones
    posting more than once). ``sessions`` sessions side by side share the phones.
    """

    def __init__(self, kind: str, mode: str, phones: int, workers: int, procs: int,
                 rate: float, store: str, workdir: Path, window: float = 20.0,
                 log=print, scenario: str = "steady", sessions: int = 1,
                 storm: float = 10.0) -> None:
        self.kind, self.mode, self.phones, self.workers = kind, mode, phones, workers
        self.procs, self.rate, self.store_kind = procs, rate, store
        self.scenario, self.sessions, self.storm = scenario, sessions, storm
        self.window = window
        #: events per phase: ``rate`` a second for ``window`` seconds (steady: at most
        #: one per phone)
        self.actions = max(1, round(rate * window))
        if scenario == "steady":
            self.actions = min(phones, self.actions)
        self.workdir = workdir
        self.log = log
        self.redis: Redis | None = None
        self.servers: list[Server] = []
        self.pipes: list[Any] = []
        self.children: list[Any] = []
        self.facs: list[Client] = []
        self.screens: list[Client] = []
        self.sync_errors = 0
        #: reflection id -> its circle (for the reactions' receivers)
        self.reflection_circles: dict[str, str | None] = {}

    # helpers
    def broadcast(self, command: str, arg: Any = None) -> list[Any]:
        for pipe in self.pipes:
            pipe.send((command, arg))
        return [pipe.recv() for pipe in self.pipes]

    def server_cpu(self) -> float:
        total = sum(s.cpu_seconds() for s in self.servers)
        return total + (self.redis.cpu_seconds() if self.redis else 0.0)

    def wait_synced(self, rounds: int, timeout: float, since: float) -> dict[str, Any]:
        """Wait until every phone has its ``rounds``-th snapshot since the step change
        sent at ``since``; the seconds until the last one (None: timed out, or some
        sync was answered with an error: a page that stays stale until its next
        ``seq`` check) and the median and p95 over the phones."""
        out: dict[str, Any] = {"s": None, "p50_s": None, "p95_s": None}
        while time.monotonic() - since < timeout:
            statuses = self.broadcast("status", rounds)
            self.sync_errors = sum(s["sync_errors"] for s in statuses)
            synced = sum(s["synced"] for s in statuses)
            if synced >= self.phones:
                times = sorted(t - since for s in statuses for t in s["synced_at"])
                out.update(s=round(times[-1], 2), p50_s=round(statistics.median(times), 2),
                           p95_s=round(times[int(0.95 * len(times)) - 1], 2))
                return out
            if self.sync_errors and synced + self.sync_errors >= self.phones:
                return out
            time.sleep(0.1)
        return out

    def step_and_wait(self, step: str, rounds: int, phase: str, result: dict[str, Any]) -> None:
        """Open ``step`` in every session as its facilitator and note in ``result`` how
        long every phone took to get its ``rounds``-th snapshot (``resync_{phase}_s``,
        ``_p50_s``, ``_p95_s``)."""
        sent = time.monotonic()
        for fac in self.facs:
            fac.send("step", {"step": step})
        synced = self.wait_synced(rounds, 120, sent)
        for key, value in synced.items():
            result[f"resync_{phase}_{key}"] = value

    def measured(self, kinds: tuple[str, ...]) -> list[tuple[str, int, float, Any, Any]]:
        """The bench's own posts and reactions, as every facilitator received them:
        (code, seq, send time, circle that must receive it or None for all, reactor)."""
        out = []
        for fac in self.facs:
            assert fac.events is not None
            for seq, event in list(fac.events.items()):
                if event["type"] not in kinds:
                    continue
                body = event.get("reflection") or event.get("reaction") or {}
                parts = (body.get("text") or "").split()
                if len(parts) < 3 or parts[0] != "bench":
                    continue
                idx, sent = int(parts[1]), float(parts[2])
                if self.kind == "bare":
                    circle, reactor = None, None  # the broadcaster sends everyone everything
                elif event["type"] == "reflection":
                    circle, reactor = body.get("circle"), None
                    self.reflection_circles[body.get("id")] = circle
                else:
                    circle = self.reflection_circles.get(body.get("reflection"), "")
                    reactor = idx
                out.append((fac.code, seq, sent, circle, reactor))
        return out

    def drain(self, expected: int, kinds: tuple[str, ...], timeout: float) -> bool:
        """Wait until the facilitators have every bench event and every page that must
        receive one has it (or ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sends = self.measured(kinds)
            if len(sends) >= expected:
                missing = sum(self.broadcast("missing", sends))
                missing += summarise_receivers(self.facs + self.screens, sends)["missing"]
                if missing == 0:
                    return True
            time.sleep(0.5)
        return False

    def schedule(self, kind: str, items: list[tuple[float, int, dict[str, Any]]]) -> None:
        per_proc: list[list[tuple[float, int, dict[str, Any]]]] = [[] for _ in self.pipes]
        size = -(-self.phones // len(self.pipes))
        for item in items:
            per_proc[item[1] // size].append(item)
        for pipe, chunk in zip(self.pipes, per_proc, strict=True):
            pipe.send(("schedule", (kind, sorted(chunk, key=lambda i: i[0]))))
        for pipe in self.pipes:
            pipe.recv()

    def run(self) -> dict[str, Any]:
        result: dict[str, Any] = {"server": self.kind, "mode": self.mode, "phones": self.phones,
                                  "workers": self.workers, "client_processes": self.procs,
                                  "rate_per_s": self.rate, "store": self.store_kind,
                                  "scenario": self.scenario, "sessions": self.sessions,
                                  "loadavg_before": os.getloadavg()[0]}
        try:
            self._run(result)
        finally:
            self.close()
            result["server_log_errors"] = self.server_errors()
        return result

    def _start(self, result: dict[str, Any]) -> list[str]:
        """Redis when asked, the servers, the sessions and the client processes: the
        session codes."""
        queue = store = None
        if self.workers > 1 or self.store_kind == "redis":
            self.redis = Redis(self.workdir).start()
            queue = self.redis.url if self.workers > 1 else None
            store = self.redis.url
        if store is None:
            store = f"sqlite:///{self.workdir / 'bench.db'}"
        for w in range(self.workers):
            name = f"{self.kind}-{self.mode}-{w}"
            self.servers.append(Server(self.kind, self.mode, store if self.kind == "app"
                                       else None, queue, self.workdir, name).start())
        urls = [s.url for s in self.servers]
        codes = []
        for n in range(self.sessions):
            created = requests.post(f"{urls[0]}/api/sessions", json={"title": f"Bench {n}"},
                                    headers={"Authorization": f"Bearer {ORGANISER}"},
                                    timeout=30).json()
            codes.append(created["code"])
            # each session's console and screen on a worker of its own, round the workers
            self.facs.append(Client(-1, urls[n % len(urls)], created["facilitator_token"],
                                    created["code"], keep_events=True))
            self.screens.append(Client(-2, urls[(n + 1) % len(urls)], created["screen_token"],
                                       created["code"]))
        ctx = mp.get_context("spawn")
        size = -(-self.phones // self.procs)
        for p in range(self.procs):
            first, count = p * size, min(size, self.phones - p * size)
            if count <= 0:
                break
            parent, child = ctx.Pipe()
            spec = {"first": first, "count": count, "urls": urls, "codes": codes,
                    "source_ip": f"127.0.{1 + p // 250}.{2 + p % 250}"}
            proc = ctx.Process(target=phone_process, args=(child, spec), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.children.append(proc)
        return codes

    def _connect(self, result: dict[str, Any]) -> None:
        """Join every phone, connect the consoles and screens, then the phones: as fast as
        they go (steady), or a storm spread over ``storm`` seconds (burst)."""
        t = time.monotonic()
        self.broadcast("join")
        result["join_s"] = round(time.monotonic() - t, 2)
        for client in self.facs + self.screens:
            client.connect()
        t = time.monotonic()
        if self.scenario == "burst":
            arg: Any = {"start": t + 0.5, "spread": self.storm, "total": self.phones}
        else:
            arg = 8
        connected = self.broadcast("connect", arg)
        result["connect_s"] = round(time.monotonic() - t, 2)
        result["connect_failed"] = sum(c["failed"] for c in connected)
        result["connect_no_snapshot"] = sum(c["no_snapshot"] for c in connected)
        snapshot_s = sorted(x for c in connected for x in c["snapshot_s"])
        for name, p in (("p50", 50), ("p95", 95), ("max", 100)):
            value = percentile(snapshot_s, p)
            result[f"snapshot_{name}_s"] = round(value, 3) if value is not None else None
        if result["connect_failed"]:
            result["connect_errors"] = [e for c in connected for e in c["errors"]][:5]
        self.log(f"  {self.phones} phones joined in {result['join_s']}s, "
                 f"connected in {result['connect_s']}s ({result['connect_failed']} failed, "
                 f"snapshot p95 {result['snapshot_p95_s']} s)")

    def _post_phase(self, result: dict[str, Any]) -> tuple[float, float, list[int]]:
        """``actions`` posts at ``rate`` a second: (server CPU seconds, wall seconds, the
        phones in posting order)."""
        window = self.actions / self.rate
        cpu0, t0 = self.server_cpu(), time.monotonic()
        start = t0 + 1.0
        order = list(range(self.phones))
        random.Random(1).shuffle(order)
        posters = [order[k % self.phones] for k in range(self.actions)]
        items = [(start + rank / self.rate, idx,
                  {"text": f"bench {idx} {{t}} {FILLER}", "client_id": f"b{idx}-{rank}"})
                 for rank, idx in enumerate(posters)]
        self.schedule("post", items)
        time.sleep(max(0.0, start + window - time.monotonic()))
        result["posts_drained"] = self.drain(self.actions, ("reflection",), 60)
        return self.server_cpu() - cpu0, time.monotonic() - t0, order[:min(self.phones,
                                                                          self.actions)]

    def _run(self, result: dict[str, Any]) -> None:
        self._start(result)
        self._connect(result)

        # the circle step: every page gets (or asks for) the new snapshot
        self.step_and_wait("eigen-kring", 1, "circle", result)
        result["sync_errors_circle"] = self.sync_errors
        messages0 = sum(p["messages"] for p in self.broadcast("collect", []))

        post_cpu, post_wall, order = self._post_phase(result)
        react_cpu = react_wall = 0.0
        kinds: tuple[str, ...] = ("reflection",)
        if self.scenario == "steady":
            react_cpu, react_wall = self._react_phase(result, order)
            kinds = ("reflection", "reaction")
        result["server_cpu_pct"] = round(100 * (post_cpu + react_cpu) / (post_wall + react_wall),
                                         1)
        result["server_rss_mb"] = round(sum(s.rss_mb() for s in self.servers), 1)

        # collect: latency of every measured event at every page that must receive it
        sends = self.measured(kinds)
        parts = self.broadcast("collect", sends)
        parts.append(summarise_receivers(self.facs + self.screens, sends))
        latencies = sorted(x for part in parts for x in part["latencies"])
        acks = [a for part in parts for a in part["acks"] if a[0] in ("post", "react")]
        failed = [a for a in acks if not a[2]]
        expected_events = self.actions * (2 if self.scenario == "steady" else 1)
        delivered = len(latencies)
        expected = sum(part["expected"] for part in parts)
        result.update({
            "events": len(sends), "events_expected": expected_events,
            "deliveries": delivered, "deliveries_expected": expected,
            "delivered_fraction": round(delivered / expected, 6) if expected else None,
            "acks_failed": len(failed),
            "ack_errors": sorted({a[3] for a in failed}),
            "disconnected": sum(part["disconnected"] for part in parts),
            "deliveries_per_s": round(delivered / (post_wall + react_wall), 1),
            # event messages a phone received while phones posted (and reacted)
            "messages_per_phone": round((sum(p["messages"] for p in parts) - messages0)
                                        / self.phones, 1),
        })
        for name, p in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100)):
            value = percentile(latencies, p)
            result[f"latency_{name}_ms"] = round(value * 1000, 1) if value is not None else None
        ack_times = sorted(a[1] for a in acks if a[2])
        result["ack_p95_ms"] = round(percentile(ack_times, 95) * 1000, 1) if ack_times else None
        if latencies:
            result["latency_mean_ms"] = round(statistics.fmean(latencies) * 1000, 1)
        result["loadavg_after"] = os.getloadavg()[0]

    def _react_phase(self, result: dict[str, Any], order: list[int]) -> tuple[float, float]:
        """Share one reflection per circle, open the exchange, and have every poster react
        once to a shared reflection of another circle: (server CPU s, wall s)."""
        shared: dict[Any, str] = {}  # circle -> reflection id
        for code, seq, _sent, circle, _ in sorted(self.measured(("reflection",))):
            fac = next(f for f in self.facs if f.code == code)
            rid = fac.events[seq]["reflection"]["id"]
            key = (code, circle if circle is not None else seq)
            if key not in shared and len(shared) < 16 * self.sessions:
                shared[key] = rid
                fac.send("share", {"reflection": rid, "shared": True})
                time.sleep(0.05)
        time.sleep(1.0)
        self.step_and_wait("dialoog", 2, "exchange", result)
        result["sync_errors_exchange"] = self.sync_errors - result["sync_errors_circle"]
        circles = dict(pair for chunk in self.broadcast("circles") for pair in chunk)
        codes = [f.code for f in self.facs]
        window = self.actions / self.rate
        cpu1, t1 = self.server_cpu(), time.monotonic()
        start = t1 + 1.0
        items = []
        for rank, idx in enumerate(order):
            code = codes[idx % len(codes)]
            options = [rid for (c, circle), rid in shared.items()
                       if c == code and circle != circles.get(idx)] or \
                [rid for (c, _), rid in shared.items() if c == code]
            items.append((start + rank / self.rate, idx,
                          {"reflection": options[idx % len(options)], "kind": "agree",
                           "text": f"bench {idx} {{t}}", "client_id": f"r{idx}"}))
        self.schedule("react", items)
        time.sleep(max(0.0, start + window - time.monotonic()))
        result["reactions_drained"] = self.drain(len(items), ("reaction",), 60)
        return self.server_cpu() - cpu1, time.monotonic() - t1

    def server_errors(self) -> dict[str, int]:
        """Logged tracebacks per server, and the last error line of each kind."""
        out: dict[str, int] = {}
        for server in self.servers:
            try:
                text = server.logfile.read_text(errors="replace")
            except OSError:
                continue
            for line in text.splitlines():
                if line and not line.startswith(" ") and ("Error" in line or "failed" in line):
                    key = line[:120]
                    out[key] = out.get(key, 0) + 1
        return out

    def close(self) -> None:
        for client in self.facs + self.screens:
            client.close()
        for pipe in self.pipes:
            try:
                pipe.send(("close", None))
            except OSError:
                pass
        for pipe in self.pipes:
            try:
                if pipe.poll(10):
                    pipe.recv()
            except (OSError, EOFError):
                pass
        for child in self.children:
            child.join(5)
            if child.is_alive():
                child.kill()
        for server in self.servers:
            server.stop()
        if self.redis is not None:
            self.redis.stop()


# -- the table ---------------------------------------------------------------
COLUMNS = [("scenario", "scenario"), ("server", "server"), ("mode", "mode"),
           ("phones", "phones"), ("workers", "workers"), ("sessions", "sessions"),
           ("runs", "runs"),
           ("rate/s", "rate_per_s"), ("events", "events"), ("delivered", "delivered_fraction"),
           ("p50 ms", "latency_p50_ms"), ("p95 ms", "latency_p95_ms"),
           ("p99 ms", "latency_p99_ms"), ("max ms", "latency_max_ms"),
           ("ack p95", "ack_p95_ms"), ("connect s", "connect_s"),
           ("resync p95 s", "resync_exchange_p95_s"), ("resync max s", "resync_exchange_s"),
           ("srv CPU%", "server_cpu_pct"),
           ("RSS MB", "server_rss_mb"), ("msgs/phone", "messages_per_phone"),
           ("connect failed", "connect_failed"), ("snapshot p95 s", "snapshot_p95_s")]


def fmt(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key == "delivered_fraction":
        return f"{value * 100:.2f}%"
    return str(value)


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(c for c, _ in COLUMNS) + " | app/bare p95 | app/bare-circle p95 |",
             "|" + "---|" * (len(COLUMNS) + 2)]
    for r in results:
        ratios = [r.get("p95_ratio_vs_bare"), r.get("p95_ratio_vs_bare_circle")]
        lines.append("| " + " | ".join(fmt(k, r.get(k)) for _, k in COLUMNS) + " | "
                     + " | ".join(str(x) if x is not None else "-" for x in ratios) + " |")
    return "\n".join(lines)


MEDIAN_KEYS = ["latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "latency_max_ms",
               "ack_p95_ms", "connect_s", "resync_circle_p50_s", "resync_circle_p95_s",
               "resync_circle_s", "resync_exchange_p50_s", "resync_exchange_p95_s",
               "resync_exchange_s", "server_cpu_pct",
               "server_rss_mb", "loadavg_before", "messages_per_phone", "snapshot_p50_s",
               "snapshot_p95_s", "snapshot_max_s", "connect_failed", "connect_no_snapshot"]


def summarise(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (server, mode, phones, workers): medians over repetitions, the worst
    delivered fraction, and app p95 / bare p95 for the same mode and scenario."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault((r.get("scenario", "steady"), r["server"], r["mode"], r["phones"],
                           r["workers"], r.get("sessions", 1)), []).append(r)
    rows = []
    for (scenario, server, mode, phones, workers, sessions), runs in groups.items():
        ok = [r for r in runs if "error" not in r]
        row: dict[str, Any] = {"scenario": scenario, "server": server, "mode": mode,
                               "phones": phones, "workers": workers, "sessions": sessions,
                               "runs": len(runs), "failed_runs":
                               len(runs) - len(ok), "rate_per_s": runs[0].get("rate_per_s"),
                               "events": sum(r.get("events", 0) for r in ok)}
        fractions = [r["delivered_fraction"] for r in ok if r.get("delivered_fraction")
                     is not None]
        row["delivered_fraction"] = min(fractions) if fractions else None
        for key in MEDIAN_KEYS:
            values = [r[key] for r in ok if r.get(key) is not None]
            digits = 3 if key.startswith("snapshot") else 1
            row[key] = round(statistics.median(values), digits) if values else None
        rows.append(row)
    same = ("scenario", "mode", "phones", "workers", "sessions")
    for row in rows:
        for kind, key in (("bare", "p95_ratio_vs_bare"),
                          ("bare-circle", "p95_ratio_vs_bare_circle")):
            bare = next((b for b in rows if b["server"] == kind
                         and all(b[k] == row[k] for k in same)), None)
            if row["server"] == "app" and bare and bare["latency_p95_ms"] and \
                    row["latency_p95_ms"]:
                row[key] = round(row["latency_p95_ms"] / bare["latency_p95_ms"], 2)
    return rows


def modes_available(wanted: list[str]) -> list[str]:
    out = []
    for mode in wanted:
        try:
            __import__({"eventlet": "eventlet", "gevent": "gevent"}.get(mode, "threading"))
        except ImportError:
            print(f"skipping {mode}: not installed")
            continue
        out.append(mode)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--modes", default="eventlet,threading")
    parser.add_argument("--servers", default="app,bare")
    parser.add_argument("--rate", type=float, default=None,
                        help="posts (then reactions) per second over all phones")
    parser.add_argument("--procs", type=int, default=None, help="client processes")
    parser.add_argument("--store", choices=["sqlite", "redis"], default=None,
                        help="one worker: sqlite (default); two or more: always redis")
    parser.add_argument("--window", type=float, default=20.0,
                        help="seconds of posting (and of reacting): rate x window actions")
    parser.add_argument("--clients", choices=["threads", "gevent"], default="threads",
                        help="client processes with OS threads or gevent green threads")
    parser.add_argument("--repeat", type=int, default=1,
                        help="repetitions (app and bare alternate); the table shows medians")
    parser.add_argument("--targets", action="store_true",
                        help="500 phones on one worker and 1000 on two, every mode")
    parser.add_argument("--scenario", choices=["steady", "burst"], default="steady",
                        help="steady: posts then reactions, one each per phone; burst: a "
                             "connect storm, then posts at --rate for --window seconds")
    parser.add_argument("--burst", action="store_true",
                        help="the burst and storm of issue 13: 500 phones connect within "
                             "10 s, then 40 posts/s for 15 s; app, bare and bare-circle")
    parser.add_argument("--sessions", type=int, default=1,
                        help="sessions side by side (the phones spread over them)")
    parser.add_argument("--storm", type=float, default=10.0,
                        help="burst: seconds over which all phones connect")
    args = parser.parse_args(argv)
    os.environ["BENCH_CLIENTS"] = args.clients  # read by the client processes at import
    limit = raise_nofile_limit()

    scenarios: list[tuple[int, int, float, int, str]] = []
    if args.burst:
        args.scenario = "burst"
        args.window = 15.0 if args.window == 20.0 else args.window
        args.rate = args.rate or 40.0
        args.phones = 500 if args.phones == 100 else args.phones
        if args.servers == "app,bare":
            args.servers = "app,bare,bare-circle"
        if args.modes == "eventlet,threading":
            args.modes = "eventlet"
    if args.targets:
        scenarios = [(500, 1, args.rate or 5.0, args.procs or 4, args.store or "sqlite"),
                     (1000, 2, args.rate or 3.0, args.procs or 6, "redis")]
        modes = modes_available(["eventlet", "threading", "gevent"])
    else:
        store = "redis" if args.workers > 1 else (args.store or "sqlite")
        procs = args.procs or max(1, min(8, -(-args.phones // 125)))
        scenarios = [(args.phones, args.workers, args.rate or 5.0, procs, store)]
        modes = modes_available(args.modes.split(","))
    servers = args.servers.split(",")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    logs = RESULTS / f"load-{stamp}-logs"  # server logs, kept for a look afterwards
    results: list[dict[str, Any]] = []
    print(f"open files limit {limit}; {os.cpu_count()} cores shared by servers and clients")
    runs = [(scenario, mode, kind, rep) for scenario in scenarios
            for rep in range(args.repeat) for mode in modes for kind in servers]
    # app and bare alternate, so that both see the same background load
    for (phones, workers, rate, procs, store), mode, kind, rep in runs:
        workdir = logs / f"{kind}-{mode}-{phones}-{workers}-{rep}"
        workdir.mkdir(parents=True)
        print(f"{kind} {mode}: {phones} phones, {workers} worker(s), {store}, "
              f"{rate}/s, {procs} client processes", flush=True)
        started = time.monotonic()
        try:
            result = Bench(kind, mode, phones, workers, procs, rate, store,
                           workdir, window=args.window, scenario=args.scenario,
                           sessions=args.sessions if kind == "app" else 1,
                           storm=args.storm).run()
        except Exception as exc:  # noqa: BLE001 - one failed run is a figure too
            result = {"server": kind, "mode": mode, "phones": phones,
                      "workers": workers, "rate_per_s": rate,
                      "error": repr(exc)}
            for log in workdir.glob("*.log"):
                result.setdefault("logs", {})[log.name] = log.read_text()[-2000:]
        result["seconds"] = round(time.monotonic() - started, 1)
        result["repetition"] = rep
        results.append(result)
        print("  " + json.dumps({k: v for k, v in result.items()
                                 if k not in ("logs",)}), flush=True)
    summary = summarise(results)
    meta = {"when": stamp, "cores": os.cpu_count(), "python": sys.version.split()[0],
            "nofile": limit, "repeat": args.repeat, "window_s": args.window,
            "clients": args.clients, "scenario": args.scenario, "sessions": args.sessions,
            "note": "clients and servers share the machine"}
    path = RESULTS / f"load-{stamp}.json"
    path.write_text(json.dumps({"meta": meta, "summary": summary, "runs": results}, indent=2))
    print()
    print(table(summary))
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
