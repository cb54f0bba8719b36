"""The ``facilitator`` command: serve, demo, create, export, import, purge, check, backup, restore.

``room`` is laptop mode: ``serve`` for a room of phones on the laptop's network.

With the eventlet async mode the standard library must be monkey-patched
before anything else is imported, so this module imports the app lazily.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def _patch_for_async_mode() -> str:
    mode = os.environ.get("FACILITATOR_ASYNC_MODE", "eventlet")
    if mode == "eventlet":
        import warnings

        # eventlet announces its maintenance mode at import; docs/deploy.md explains the
        # state, and a banner at every start reads like a fault to an operator
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    return mode


def _app(**overrides):
    """The app as configured; a store or message queue URL that does not parse ends the
    command with one line each (exit 2), not a traceback from deep in the start."""
    from . import create_app
    from .check import url_problems

    malformed = url_problems()
    for line in malformed:
        print(f"facilitator: {line}", file=sys.stderr, flush=True)
    if malformed:
        raise SystemExit(2)
    return create_app(overrides or None)


#: Pending connections the listening socket queues (the kernel caps it at somaxconn):
#: a room of phones reconnecting at once after a Wi-Fi hiccup must not be dropped.
LISTEN_BACKLOG = 2048


#: connections the eventlet server takes above MAX_CONNECTIONS, for HTTP requests only
HTTP_HEADROOM = 64


def raise_open_files_limit(wanted: int) -> int:
    """Raise this process's open-files soft limit towards ``wanted`` (up to the hard limit).

    Every WebSocket is a file descriptor; a soft limit of 1024 (a common
    default) would cap a worker below its ``MAX_CONNECTIONS``.
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _listen(host: str, port: int, mode: str):
    """The app's listening socket, bound before anything else starts: with SO_REUSEADDR
    (a restart binds while the old process's connections linger in TIME_WAIT), never
    with SO_REUSEPORT (eventlet's default on Linux), so a second server on a taken port
    does not start beside the first with the kernel splitting requests between old and
    new code. A taken port (or a host that does not resolve) ends the start with one
    line and exit 2. In eventlet mode the socket is the server's; in the other modes the
    server binds its own (neither sets SO_REUSEPORT) and this one only checks first."""
    import socket

    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
        if mode == "eventlet":
            import eventlet

            return eventlet.listen(address, family, backlog=LISTEN_BACKLOG, reuse_addr=True,
                                   reuse_port=False)
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
        return None
    except OSError as exc:
        print(f"facilitator: cannot serve on {host}:{port}: {exc}", file=sys.stderr,
              flush=True)
        raise SystemExit(2) from None


def _serve_eventlet(app, host: str, port: int, max_size: int, listener=None) -> None:
    """eventlet's own production WSGI server, on ``listener`` or one bound here
    (``_listen``: a deep listen backlog, no SO_REUSEPORT)."""
    import eventlet.wsgi

    if listener is None:
        listener = _listen(host, port, "eventlet")
    stopping = _graceful_sigterm(listener)
    # max_size: simultaneous connections (green threads) per process; eventlet's default is 1024.
    # debug=False: an error escaping the app gets a plain 500, never a traceback with paths.
    try:
        eventlet.wsgi.server(listener, app, log_output=False, max_size=max_size, debug=False)
    except OSError:
        if not stopping:  # the shut listening socket ends the accept loop on SIGTERM
            raise
    print("facilitator: stopped", flush=True)


#: seconds a SIGTERM waits for requests under way before the process exits anyway
SHUTDOWN_GRACE = 10.0


def _graceful_sigterm(listener) -> list[bool]:
    """On SIGTERM: stop accepting, close every live connection's transport (the pages
    reconnect by themselves, to another worker or to this one restarted; their outbox
    resends anything unacknowledged), let requests under way finish, then return from
    the server.  Returns a list that is non-empty once stopping."""
    import signal
    import socket as std_socket

    import eventlet
    import eventlet.hubs
    import eventlet.patcher
    import eventlet.wsgi

    stopping: list[bool] = []

    def drain() -> None:
        from .realtime import socketio

        eventlet.wsgi.is_accepting = False
        server = socketio.server
        websockets = [env.get("eventlet.input") for env in list(server.environ.values())
                      if env.get("HTTP_UPGRADE", "").lower() == "websocket"]
        for sock in list(server.eio.sockets.values()):
            try:
                # abort: no engine.io CLOSE packet (a page told "server disconnect" would
                # stay away); long-polling pages get an unknown session and reconnect
                sock.close(wait=False, abort=True)
            except Exception:  # noqa: BLE001 - a socket already gone
                pass
        for stream in websockets:  # and a WebSocket's connection is closed under it
            try:
                stream.get_socket().shutdown(std_socket.SHUT_RDWR)
            except (AttributeError, OSError):
                pass
        try:
            listener.shutdown(std_socket.SHUT_RDWR)  # accept() fails: the loop ends
        except OSError:
            pass
        eventlet.sleep(SHUTDOWN_GRACE)
        print("facilitator: requests still open after the grace period; exiting", flush=True)
        os._exit(0)

    # The handler only writes to a pipe: the hub may sit in epoll until its next timer
    # (a ping 20 s away), and a byte on a watched pipe is what wakes it now.
    real_os = eventlet.patcher.original("os")  # the green os.write may not run in the hub
    wake_r, wake_w = real_os.pipe()
    real_os.set_blocking(wake_w, False)

    def wait_for_sigterm() -> None:
        eventlet.hubs.trampoline(wake_r, read=True)
        real_os.read(wake_r, 1)
        print("facilitator: SIGTERM, closing connections and finishing requests", flush=True)
        drain()

    def on_sigterm(signum, frame) -> None:
        if not stopping:
            stopping.append(True)
            real_os.write(wake_w, b"x")

    eventlet.spawn_n(wait_for_sigterm)
    signal.signal(signal.SIGTERM, on_sigterm)
    return stopping


def serve(host: str, port: int, app=None) -> None:
    """Serve the app with the configured async mode (eventlet's WSGI server by default)."""
    app = app or _app()
    from .realtime import socketio

    cfg = app.config["FACILITATOR"]
    mode = cfg["ASYNC_MODE"]
    listener = _listen(host, port, mode)  # a taken port stops here, before any task starts
    # headroom above MAX_CONNECTIONS for the store, Redis and the listening socket
    raise_open_files_limit(cfg["MAX_CONNECTIONS"] + HTTP_HEADROOM + 256)
    if cfg["RETENTION_DAYS"] > 0:
        socketio.start_background_task(_retention_loop, app)
    from .check import summary

    if cfg.get("METRICS_ADDRESS"):
        _serve_metrics(app, cfg["METRICS_ADDRESS"])
    print(f"facilitator: serving on http://{host}:{port} ({mode}); "
          + summary(cfg, app.instance_path), flush=True)
    if mode == "eventlet":
        # Socket.IO stops at MAX_CONNECTIONS (realtime._guard_engineio); the server has
        # slots above that, so plain HTTP (/healthz, pages) is never starved by sockets
        _serve_eventlet(app, host, port, cfg["MAX_CONNECTIONS"] + HTTP_HEADROOM, listener)
        return
    kwargs = {"host": host, "port": port, "use_reloader": False, "log_output": False}
    if mode == "threading":
        # Werkzeug's threaded server with simple-websocket: one thread per connection.
        kwargs["allow_unsafe_werkzeug"] = True
    socketio.run(app, **kwargs)


def _serve_metrics(app, address: str) -> None:
    """``/metrics`` on a listener of its own (``FACILITATOR_METRICS_ADDRESS``), served
    beside the app in a background task of the async mode; a port already taken ends
    the start with one clear line."""
    import socket
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from .config import split_address
    from .realtime import socketio
    from .web.observe import metrics_app

    host, port = split_address(address)

    class Quiet(WSGIRequestHandler):
        def log_message(self, format, *args) -> None:  # noqa: A002 - the base's name
            pass  # a scrape every few seconds is not worth a log line

    class Server(WSGIServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    try:
        server = make_server(host, port, metrics_app(app), server_class=Server,
                             handler_class=Quiet)
    except OSError as exc:
        print(f"facilitator: cannot serve metrics on {address} "
              f"(FACILITATOR_METRICS_ADDRESS): {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    socketio.start_background_task(server.serve_forever)


def _retention_loop(app) -> None:
    """Delete sessions past the retention period at start-up and then hourly."""
    from .realtime import socketio

    days = app.config["FACILITATOR"]["RETENTION_DAYS"]
    while True:
        try:
            deleted = app.extensions["facilitator.ops"].purge_ended(days)
            if deleted:
                print(f"facilitator: retention deleted {len(deleted)} session(s)", flush=True)
        except Exception as exc:  # the store may be briefly away; try again next hour
            print(f"facilitator: retention run failed: {exc}", flush=True)
        socketio.sleep(3600)


def demo(host: str, port: int) -> None:
    """Create a demo session on the default programme, print its links and serve it."""
    app = _app()
    cfg = app.config["FACILITATOR"]
    shown_host = "localhost" if host in ("0.0.0.0", "::") else host
    base = cfg.get("PUBLIC_URL") or f"http://{shown_host}:{port}"
    with app.test_request_context(base_url=base):
        from .web.links import links_for

        workshop = app.extensions["facilitator.ops"].create_demo()
        links = links_for(workshop)
    print("\nDemo session:", workshop.title, f"(code {workshop.code})")
    print("  Phone (join):   ", links["join_url"])
    print("  Join by code:   ", f"{base}/join  ->  {workshop.code}")
    print("  Facilitator:    ", links["facilitator_url"])
    print("  Screen:         ", links["screen_url"])
    print("  Organiser:      ", f"{base}/organiser/login  (key: {cfg['ORGANISER_TOKEN']})")
    if cfg.get("GENERATED_ORGANISER_TOKEN"):
        print("  (organiser key generated for this run; set FACILITATOR_ORGANISER_TOKEN to fix it)")
    from .laptop import url_is_loopback

    if url_is_loopback(base):
        print("  (these links work on this computer only: for the phones in a room, start "
              "./dev room or facilitator room; docs/on-location.md)")
    print(flush=True)
    serve(host, port, app)


#: open sessions whose links laptop mode prints at its start (newest first)
ROOM_SESSIONS_LISTED = 5


def room_settings(port: int, address: str | None,
                  detect=None) -> tuple[dict[str, str], list, str | None]:
    """Laptop mode's settings: the secrets kept in the instance folder and the public
    base URL phones reach; with the candidates found and a line to warn with (or None).

    ``FACILITATOR_*`` variables win over both; ``address`` (``--address``) over the
    detected one; ``detect`` replaces the detection (tests)."""
    from . import laptop
    from .check import default_instance

    instance = default_instance()
    overrides: dict[str, str] = {"INSTANCE_PATH": instance}
    kept = laptop.kept_secrets(instance)
    for name, value in kept.items():
        if not os.environ.get(f"FACILITATOR_{name}"):
            overrides[name] = value
    configured = os.environ.get("FACILITATOR_PUBLIC_URL", "")
    candidates = [] if configured or address else (detect or laptop.detect_addresses)()
    if configured:
        base = configured.rstrip("/")
    elif address:
        base = laptop.base_url(address, port)
    elif candidates:
        base = laptop.base_url(candidates[0].address, port)
    else:
        base = laptop.base_url("127.0.0.1", port)
    overrides["PUBLIC_URL"] = base
    warning = None
    if laptop.url_is_loopback(base):
        warning = ("phones cannot reach this address: connect the laptop to the room's "
                   "network (or its own hotspot) and start again, or give --address")
    return overrides, candidates, warning


def room(host: str, port: int, address: str | None = None, new_demo: bool = False,
         detect=None) -> None:
    """Laptop mode: serve the room's phones from this laptop (docs/on-location.md).

    Serves on every interface, prints the links with the laptop's address on its
    default network, and keeps secrets and data in the instance folder, so that a
    restart keeps every phone in its session. The open sessions are served (the
    organiser's own, or the demo session made on the first start or with --demo)."""
    from urllib.parse import urlsplit

    overrides, candidates, warning = room_settings(port, address, detect)
    app = _app(**overrides)
    cfg = app.config["FACILITATOR"]
    base = cfg["PUBLIC_URL"].rstrip("/")
    ops = app.extensions["facilitator.ops"]
    sessions = [w for w in ops.list_workshops() if not w.ended_at]
    if new_demo or not sessions:
        sessions.insert(0, ops.create_demo())
    with app.test_request_context(base_url=base):
        from .web.links import links_for

        print("\nLaptop mode (facilitator room): phones join at", base, flush=True)
        if warning:
            print(f"  WARNING: {warning}")
        shown = urlsplit(base).hostname
        others = [c for c in candidates if c.address != shown]
        if others:
            print("  Other addresses of this laptop (choose one with --address): "
                  + ", ".join(c.address + (f" ({c.interface})" if c.interface else "")
                              for c in others))
        for workshop in sessions[:ROOM_SESSIONS_LISTED]:
            links = links_for(workshop)
            print(f"\nSession: {workshop.title} (code {workshop.code})")
            print("  Phone (join):   ", links["join_url"])
            print("  Join by code:   ", f"{base}/join  ->  {workshop.code}")
            print("  Facilitator:    ", links["facilitator_url"])
            print("  Screen:         ", links["screen_url"])
        if len(sessions) > ROOM_SESSIONS_LISTED:
            print(f"\n  (and {len(sessions) - ROOM_SESSIONS_LISTED} more open session(s): "
                  "see the organiser page)")
    print("\n  Organiser:      ", f"{base}/organiser/login  (key: {cfg['ORGANISER_TOKEN']})")
    print("  Secrets and data are kept in", app.instance_path, "(a restart keeps every phone)")
    print(flush=True)
    serve(host, port, app)


def create(path: str) -> int:
    """Create a session from a JSON or YAML file; print its code and secrets as JSON."""
    from .domain.errors import DomainError
    from .domain.spec import parse_text

    app = _app()
    with open(path, encoding="utf-8") as handle:
        text = handle.read(4 * 1024 * 1024)
    try:
        workshop = app.extensions["facilitator.ops"].create_workshop(parse_text(text))
    except DomainError as exc:
        print(f"error: {exc.text()} ({exc.params.get('field', '')})", file=sys.stderr)
        return 2
    print(json.dumps({"code": workshop.code, "facilitator_token": workshop.facilitator_token,
                      "screen_token": workshop.screen_token}))
    return 0


def export(code: str, fmt: str, output: str | None, names: bool, lang: str,
           preset: str = "onderzoek") -> int:
    """Write a session report or archive to a file or stdout (``preset``: bestuur,
    deelnemers or onderzoek; the command line is the organiser's, so research by default)."""
    from .domain.errors import DomainError
    from .domain.export import render

    app = _app()
    ops = app.extensions["facilitator.ops"]
    try:
        data = ops.load(code)
    except DomainError:
        print(f"error: no session with code {code!r}", file=sys.stderr)
        return 2
    from .domain.patterns import analyse_workshop

    min_group = app.config["FACILITATOR"]["MIN_GROUP"]
    patterns = analyse_workshop(data, audience="export", lang=lang, min_group=min_group)
    try:
        # ready_seconds=0: no children wait for a next PDF this command never makes
        result = render(data, fmt, lang=lang, names=names, patterns=patterns,
                        min_group=min_group, preset=preset, ready_seconds=0)
    except DomainError as exc:  # e.g. a format whose packages are not installed
        print(f"error: {exc.text()}", file=sys.stderr)
        return 2
    if output:
        with open(output, "wb") as handle:
            handle.write(result.content)
        print(f"wrote {output} ({len(result.content)} bytes)")
    else:
        sys.stdout.buffer.write(result.content)
    return 0


def import_archive(path: str) -> int:
    """Restore a JSON archive into a new session; print its code and secrets."""
    from .domain.errors import DomainError
    from .domain.export.archive import from_archive, restore
    from .domain.joincode import new_code
    from .domain.operations import new_token

    app = _app()
    store = app.extensions["facilitator.store"]
    try:
        with open(path, encoding="utf-8") as handle:
            data = from_archive(json.load(handle))
    except (OSError, ValueError, DomainError) as exc:
        print(f"error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    for _ in range(20):
        code = new_code()
        if store.get_workshop(code) is None:
            break
    restore(store, data, code, new_token)
    workshop = store.get_workshop(code)
    print(json.dumps({"code": code, "facilitator_token": workshop["facilitator_token"],
                      "screen_token": workshop["screen_token"]}))
    return 0


def purge() -> int:
    """Delete sessions ended, or idle, for longer than FACILITATOR_RETENTION_DAYS.

    Closed or not: a session left open counts as ended at its last activity
    (see ``Operations.purge_ended``)."""
    app = _app()
    days = app.config["FACILITATOR"]["RETENTION_DAYS"]
    if days <= 0:
        print("FACILITATOR_RETENTION_DAYS is not set: nothing is deleted automatically")
        return 0
    deleted = app.extensions["facilitator.ops"].purge_ended(days)
    print(f"deleted {len(deleted)} session(s) ended or idle for more than {days} days")
    return 0


def operate(command: str, path: str | None) -> int:
    """``check``, ``backup PATH`` and ``restore PATH`` (docs/deploy.md)."""
    if command == "check":
        from .check import problems, summary

        found, cfg = problems()
        for line in found:
            print(f"problem: {line}", file=sys.stderr)
        if found:
            return 1
        print("ok: " + summary(cfg))
        return 0
    from .backup import BackupError, backup, restore

    store = _app().extensions["facilitator.store"]
    try:
        if command == "backup":
            done = backup(store, path)
            print(f"backed up {done['sessions']} session(s) and {done['series']} series to "
                  f"{done['path']} ({done['kind']})")
        else:
            for session in restore(store, path):
                print(json.dumps(session))
    except (BackupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``facilitator`` and ``python -m facilitator``."""
    parser = argparse.ArgumentParser(prog="facilitator", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", "demo"):
        p = sub.add_parser(name, help=f"{name} the web app")
        p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    p = sub.add_parser("room", help="laptop mode: serve the room's phones from this laptop")
    p.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"),
                   help="the interface to serve on (default: every one)")
    # not 5000, which a Mac's AirPlay receiver often holds
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    p.add_argument("--address", help="the address phones reach this laptop at "
                   "(default: its address on the default network)")
    p.add_argument("--demo", action="store_true", help="create a new demo session too")
    p = sub.add_parser("create", help="create a session from a JSON or YAML file")
    p.add_argument("file")
    p = sub.add_parser("export", help="export a session")
    p.add_argument("code")
    p.add_argument("--format", default="md",
                   choices=["md", "json", "html", "pdf", "docx", "csv", "xlsx"])
    p.add_argument("-o", "--output")
    p.add_argument("--names", action="store_true", help="include display names")
    p.add_argument("--lang", default="nl", choices=["nl", "en"])
    p.add_argument("--preset", default="onderzoek", choices=["bestuur", "deelnemers", "onderzoek"],
                   help="for whom: the board, the participants, or research (all data)")
    p = sub.add_parser("import", help="restore a JSON archive into a new session")
    p.add_argument("file")
    sub.add_parser("purge", help="delete sessions past the retention period")
    sub.add_parser("check", help="check the configuration as production would use it")
    p = sub.add_parser("backup", help="back up every session (SQLite: an online copy)")
    p.add_argument("path")
    p = sub.add_parser("restore", help="restore a backup into the configured store")
    p.add_argument("path")
    args = parser.parse_args(argv)
    if args.command in ("serve", "demo"):
        _patch_for_async_mode()
        (serve if args.command == "serve" else demo)(args.host, args.port)
        return 0
    if args.command == "room":
        _patch_for_async_mode()
        room(args.host, args.port, args.address, args.demo)
        return 0
    if args.command == "create":
        return create(args.file)
    if args.command == "export":
        return export(args.code, args.format, args.output, args.names, args.lang, args.preset)
    if args.command == "purge":
        return purge()
    if args.command in ("check", "backup", "restore"):
        return operate(args.command, getattr(args, "path", None))
    return import_archive(args.file)
