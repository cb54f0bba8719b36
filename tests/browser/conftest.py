"""Browser tests: a real server in a subprocess and Debian's Chromium driven by
Playwright (sync API).  ``playwright install`` cannot download browsers here,
so the tests use /usr/bin/chromium; without it they skip, except in CI, where
they fail."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("FACILITATOR_CHROMIUM", "/usr/bin/chromium")
ORGANISER = "organiser-secret-for-browser-tests"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]



def _why_not_runnable() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (Python) is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip browser tests cleanly on a machine without Chromium, never in CI."""
    reason = _why_not_runnable()
    if reason is None:
        return
    if os.environ.get("CI"):
        # In CI a missing browser is a failure, not a skip: the fixtures raise.
        return
    marker = pytest.mark.skip(reason=reason + " (browser tests skip outside CI)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(marker)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """``python -m facilitator serve`` on a free port with a temporary SQLite store."""
    reason = _why_not_runnable()
    if reason:
        pytest.fail(reason)
    tmp = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {**os.environ,
           "FACILITATOR_STORE": f"sqlite:///{tmp / 'e2e.db'}",
           "FACILITATOR_ORGANISER_TOKEN": ORGANISER,
           "FACILITATOR_SECRET_KEY": "browser-test-secret-key-browser-test",
           "FACILITATOR_ASYNC_MODE": os.environ.get("FACILITATOR_E2E_ASYNC_MODE", "eventlet"),
           "FACILITATOR_PUBLIC_URL": f"http://127.0.0.1:{port}",
           # phones and projector are all on this computer: the QR code may say 127.0.0.1
           "FACILITATOR_LOOPBACK_LINKS": "1",
           "PYTHONUNBUFFERED": "1"}
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "facilitator", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    failed = wait_healthy(base, proc, 30, tmp / "server.log")
    if failed is not None:
        log.close()
        pytest.fail("the server did not start:\n" + failed)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    reason = _why_not_runnable()
    if reason:
        pytest.fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The git-ignored folder for screenshots people can look at."""
    folder = ROOT / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def page_for(server, browser):
    """Factory: ``page_for(viewport options, cookie=None)`` -> a new page in a Dutch,
    reduced-motion context of its own (with the cookie set on the server); every
    context is closed after the test."""
    contexts = []

    def new_page(options, cookie: dict | None = None):
        ctx = browser.new_context(locale="nl-NL", reduced_motion="reduce", **options)
        contexts.append(ctx)
        if cookie:
            ctx.add_cookies([{**cookie, "url": server}])
        return ctx.new_page()

    yield new_page
    for ctx in contexts:
        ctx.close()
