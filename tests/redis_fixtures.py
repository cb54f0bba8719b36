"""A private ``redis-server`` for the tests, and a handle to stop and restart one.

Import the fixtures into a ``conftest.py``::

    from tests.redis_fixtures import clean_redis_url, redis_url  # noqa: F401

``redis_url`` (session) starts ``redis-server`` on a free port in a temp dir
and yields ``redis://127.0.0.1:N/0``.  Without the binary it falls back to
``FACILITATOR_TEST_REDIS_URL``; without that it skips, except when ``CI`` is
set: then it fails, so that CI never passes by silently skipping Redis.
``clean_redis_url`` (function) flushes that database before the test.

``RedisServer(port, dir)`` is the same server as an object with
``start()``/``stop()``/``kill()``, for tests that stop Redis and restart it on
the same port.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.processes import LoggedProcess

ENV_URL = "FACILITATOR_TEST_REDIS_URL"


def redis_server_binary() -> str | None:
    """The ``redis-server`` on PATH, or None."""
    return shutil.which("redis-server")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ready(port: int, pid: int) -> bool:
    """True when *our* Redis (``pid``) answers on ``port`` and has loaded its data."""
    client = redis.Redis(
        host="127.0.0.1", port=port, socket_timeout=0.5, socket_connect_timeout=0.5
    )
    try:
        info = client.info()
        return info.get("process_id") == pid and not info.get("loading")
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


class RedisServer(LoggedProcess):
    """One ``redis-server`` process on ``127.0.0.1:port`` with its files in ``dir``.

    ``appendonly=True`` turns on the AOF with ``appendfsync always``, so data
    written before ``kill()`` is there again after ``start()``.  Without it the
    server keeps nothing on disk (``--save ""``) and restarts empty.
    """

    def __init__(
        self,
        port: int,
        dir: str | os.PathLike[str],
        appendonly: bool = False,
        binary: str | None = None,
    ) -> None:
        super().__init__()
        self.port = port
        self.dir = Path(dir)
        self.appendonly = appendonly
        self.binary = binary or redis_server_binary()
        if self.binary is None:
            raise RuntimeError("no redis-server binary on PATH")
        self.describe = f"redis-server on port {port}"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def logfile(self) -> Path:
        return self.dir / "redis.log"

    def args(self) -> list[str]:
        args = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.dir),
            "--save",
            "",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ]
        if self.appendonly:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        else:
            args += ["--appendonly", "no"]
        return args

    def start(self, timeout: float = 10.0) -> RedisServer:
        """Start the server and wait until it answers PING; raise with its log if not."""
        self._spawn(self.args(), cwd=self.dir)
        assert self.proc is not None
        pid = self.proc.pid
        self._wait_ready(lambda: _ready(self.port, pid), timeout)
        return self

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()


def start_redis_server(
    dir: str | os.PathLike[str], appendonly: bool = False, attempts: int = 3
) -> RedisServer:
    """A started ``RedisServer`` on a free port (a few tries, in case a port got taken)."""
    error: Exception | None = None
    for _ in range(attempts):
        server = RedisServer(free_port(), dir, appendonly=appendonly)
        try:
            return server.start()
        except RuntimeError as exc:
            error = exc
    raise RuntimeError(f"could not start redis-server: {error}")


def _missing(message: str) -> None:
    """Skip, or fail under CI: CI must never pass by silently skipping Redis."""
    if os.environ.get("CI"):
        pytest.fail(f"{message}: CI must run the Redis tests (install redis-server)", pytrace=False)
    pytest.skip(message)


def require_redis_server() -> str:
    """The ``redis-server`` binary, for tests that run their own ``RedisServer``."""
    binary = redis_server_binary()
    if binary is None:
        _missing("no redis-server binary on PATH")
    return binary


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``redis://127.0.0.1:N/0`` of a private server for this test session."""
    if redis_server_binary() is not None:
        server = start_redis_server(tmp_path_factory.mktemp("redis"))
        try:
            yield server.url
        finally:
            server.kill()
        return
    url = os.environ.get(ENV_URL)
    if url:
        yield url
        return
    message = f"no redis-server binary on PATH and {ENV_URL} is not set"
    if os.environ.get("CI"):
        pytest.fail(f"{message}: CI must run the Redis tests (install redis-server)", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def clean_redis_url(redis_url: str) -> Iterator[str]:
    """``redis_url`` with its database flushed before the test."""
    flush_redis(redis_url)
    yield redis_url


def flush_redis(url: str) -> None:
    """FLUSHDB the database of ``url``."""
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
