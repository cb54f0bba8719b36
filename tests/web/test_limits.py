"""Rate limits hold and release: wrong join codes per address, posts per
participant, Socket.IO events per connection."""

from __future__ import annotations

import pytest

from facilitator import create_app
from facilitator.ratelimit import LIMITS, MemoryLimiter
from facilitator.realtime import socketio
from tests.conftest import ORGANISER


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def limited_app(db, secret_key: str = "k", **limits: tuple[int, int]):
    """An app on the SQLite file ``db`` whose named ``limits`` are small, and the clock
    the test moves forward."""
    clock = FakeClock()
    app = create_app({"STORE": f"sqlite:///{db}", "TESTING": True, "ASYNC_MODE": "threading",
                      "ORGANISER_TOKEN": ORGANISER, "SECRET_KEY": secret_key})
    app.extensions["facilitator.limiter"] = MemoryLimiter({**LIMITS, **limits}, clock=clock)
    return app, clock


@pytest.fixture
def limited(tmp_path):
    """An app with small limits and a clock the test moves forward."""
    return limited_app(tmp_path / "l.db", code_miss=(3, 60), post=(2, 60),
                       socket_event=(5, 10))


def test_wrong_codes_are_limited_then_released(limited):
    app, clock = limited
    client = app.test_client()
    code = client.post("/api/sessions", json={"title": "x"},
                       headers={"Authorization": f"Bearer {ORGANISER}"}).json["code"]
    for _ in range(3):
        assert client.get("/api/sessions/AAAAAA").status_code == 404
    # now even the right code is refused from this address: a hit looks like a miss
    assert client.get(f"/api/sessions/{code}").status_code == 429
    assert client.get("/api/sessions/AAAAAA").json["error"]["code"] == "rate_limited"
    assert client.post("/join", data={"code": "BBBBBB"}).status_code == 422
    other = app.test_client()
    assert other.get(f"/api/sessions/{code}", environ_base={"REMOTE_ADDR": "10.9.9.9"}
                     ).status_code == 200
    clock.now += 61
    assert client.get(f"/api/sessions/{code}").status_code == 200


def test_posts_per_participant_are_limited(limited):
    app, clock = limited
    client = app.test_client()
    created = client.post("/api/sessions", json={"title": "x"},
                          headers={"Authorization": f"Bearer {ORGANISER}"}).json
    code, fac = created["code"], created["facilitator_token"]
    token = client.post(f"/api/sessions/{code}/participants",
                        json={"perspective": "burger"}).json["participant_token"]
    for _ in range(3):
        client.post(f"/api/sessions/{code}/steps/current", json={"step": "next"},
                    headers={"Authorization": f"Bearer {fac}"})
    auth = {"Authorization": f"Bearer {token}"}
    statuses = [client.post(f"/api/sessions/{code}/reflections", json={"text": f"r{i}"},
                            headers=auth).status_code for i in range(3)]
    assert statuses == [201, 201, 429]
    clock.now += 61
    assert client.post(f"/api/sessions/{code}/reflections", json={"text": "later"},
                       headers=auth).status_code == 201


def test_socket_events_per_connection_are_limited(limited):
    app, clock = limited
    client = app.test_client()
    created = client.post("/api/sessions", json={"title": "x"},
                          headers={"Authorization": f"Bearer {ORGANISER}"}).json
    sio = socketio.test_client(app, auth={"token": created["screen_token"],
                                          "code": created["code"]})
    answers = [sio.emit("seq", {}, callback=True) for _ in range(6)]
    assert [a["ok"] for a in answers] == [True] * 5 + [False]
    assert answers[-1]["error"]["code"] == "rate_limited"
    assert sio.is_connected()
    clock.now += 11
    assert sio.emit("seq", {}, callback=True)["ok"]
    sio.disconnect()


def test_a_store_url_with_a_key_prefix_gives_the_limiter_that_prefix(clean_redis_url):
    """``?prefix=`` is the store's own option: redis-py must not get it (it raised a
    TypeError, so every limited request answered 500), and the counters live under it."""
    from facilitator.ratelimit import RedisLimiter, open_limiter

    limiter = open_limiter(clean_redis_url + "?prefix=gemeente-a")
    assert isinstance(limiter, RedisLimiter)
    assert limiter.hit("post", "someone")
    keys = limiter.client.keys("*")
    assert keys and all(k.startswith(b"gemeente-a:rl:post:someone:") for k in keys)
