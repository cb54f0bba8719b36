"""The realtime scenario against a real server in every async mode, on SQLite and on Redis.

The project must be able to leave eventlet with a configuration change
(``FACILITATOR_ASYNC_MODE``), so the same scenario runs against a
``facilitator serve`` subprocess in eventlet, threading and gevent mode.
"""

from __future__ import annotations

import importlib.util

import pytest

from tests.redis_fixtures import require_redis_server, start_redis_server
from tests.scale.harness import Api, wait_until

pytestmark = pytest.mark.slow

MODES = [
    "eventlet",
    "threading",
    pytest.param("gevent", marks=pytest.mark.skipif(
        importlib.util.find_spec("gevent") is None, reason="gevent is not installed")),
]


@pytest.fixture(params=["sqlite", "redis"])
def backend(request, tmp_path):
    """(store URL, message queue URL or None) for one worker."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'facilitator.db'}", None
        return
    require_redis_server()
    server = start_redis_server(tmp_path / "redis")
    try:
        yield server.url, server.url
    finally:
        server.kill()


@pytest.mark.parametrize("mode", MODES)
def test_join_step_post_receive(mode, backend, spawn, live):
    store, queue = backend
    worker = spawn("w", store=store, mode=mode, message_queue=queue)
    api = Api(worker.url)
    session = api.create_session()
    code, fac_token = session["code"], session["facilitator_token"]
    author = api.join(code, "raadslid")
    mate = api.join(code, "raadslid")
    other = api.join(code, "vakbond")

    fac = live(worker, fac_token, code, name="facilitator")
    screen = live(worker, session["screen_token"], code, name="screen")
    phones = {name: live(worker, who["participant_token"], code, name=name)
              for name, who in (("author", author), ("mate", mate), ("other", other))}
    assert fac.snapshot["role"] == "facilitator" and screen.snapshot["role"] == "screen"

    # the facilitator opens the circle step: every page resyncs to it
    assert fac.call("step", {"step": "eigen-kring"}) == {"ok": True,
                                                        "current_step": "eigen-kring",
                                                        "kind": "circle"}
    for client in (screen, *phones.values()):
        wait_until(lambda c=client: c.current_step() == "eigen-kring", 10,
                   message=f"{client.name} to follow the step")

    answer = phones["author"].call("post", {"text": f"Reflectie in {mode}", "client_id": "c-1"})
    assert answer["ok"] and answer["created"], answer
    text = f"Reflectie in {mode}"
    wait_until(lambda: text in fac.texts(), 10, message="the facilitator to receive it")
    wait_until(lambda: text in phones["mate"].texts(), 10, message="the circle mate")
    wait_until(lambda: screen.reflection_count == 1, 10, message="the screen's activity")
    assert text not in phones["other"].texts() and text not in screen.texts()
    # another circle hears nothing of it: no content and no tick (its own streams only)
    assert phones["other"].check_heads() == {}, "another circle's stream moved"
    assert not [e for e in phones["other"].received if e["type"] in ("reflection", "tick")]

    again = phones["author"].call("post", {"text": text, "client_id": "c-1"})
    assert again["ok"] and not again["created"]
    assert again["reflection"]["id"] == answer["reflection"]["id"]
    stored = api.reflections(code, fac_token)
    assert [r["text"] for r in stored] == [text]
    assert all(c.error is None for c in (fac, screen, *phones.values()))
