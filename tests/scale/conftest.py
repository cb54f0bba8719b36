"""Fixtures for the multi-process tests: a private Redis and worker processes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.redis_fixtures import RedisServer, require_redis_server, start_redis_server
from tests.scale.harness import LiveClient, Worker


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A private ``redis-server`` with the AOF on (``appendfsync always``)."""
    require_redis_server()
    server = start_redis_server(tmp_path / "redis", appendonly=True)
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def spawn(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., Worker]]:
    """Factory: ``spawn(name, store=..., mode=..., message_queue=...)`` -> a started Worker.

    Every worker is killed at teardown; a failing test prints the workers' logs.
    """
    workers: list[Worker] = []

    def start(name: str, **kwargs) -> Worker:
        worker = Worker(name, tmp_path / "logs", **kwargs)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.kill()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for worker in workers:
            print(f"\n===== log of worker {worker.name} =====\n{worker.log_tail(80)}")


@pytest.fixture
def live(request: pytest.FixtureRequest) -> Iterator[Callable[..., LiveClient]]:
    """Factory: ``live(worker, token, code, name=...)`` -> a connected LiveClient."""
    clients: list[LiveClient] = []

    def connect(worker: Worker, token: str, code: str, **kwargs) -> LiveClient:
        client = LiveClient(worker.url, token, code, **kwargs)
        clients.append(client)
        return client.connect()

    yield connect
    closers = [client.close() for client in clients]
    deadline = time.monotonic() + 0.5  # the workers are killed next anyway
    for closer in closers:
        closer.join(max(0.0, deadline - time.monotonic()))


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell a failed test."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
