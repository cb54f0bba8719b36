"""Review items 2, 3 and 7 (issue 19) on both stores and both limiters (SQLite with the
in-memory limiter, Redis with the Redis limiter): limits key on what identifies a
person, not the venue's one address.

- Mistyped codes stop the *guessing* from an address, never the venue: a code the
  address has used rightly, a valid cookie, link or bearer token still get in; a code
  it never used is refused exactly like an unknown one.
- A browser joins a few times a minute; a whole room behind one address still joins.
- Join codes tested over Socket.IO connect count as wrong codes, alike for known and
  unknown codes.
- Wrong organiser keys over the bearer API count against the organiser-key limit.
"""

from __future__ import annotations

import pytest

from facilitator import create_app
from facilitator.ratelimit import LIMITS, MemoryLimiter, RedisLimiter
from facilitator.realtime import socketio
from tests.conftest import ORGANISER

SMALL = {**LIMITS, "code_miss": (3, 60), "organiser_miss": (3, 300), "join_browser": (2, 60),
         "join": (50, 60)}


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture(params=["sqlite", "redis"])
def limited(request, tmp_path):
    """An app with small limits on each store, its limiter on the store's backend."""
    clock = FakeClock()
    if request.param == "redis":
        url = request.getfixturevalue("clean_redis_url")
    else:
        url = f"sqlite:///{tmp_path / 'l.db'}"
    app = create_app({"STORE": url, "TESTING": True, "ASYNC_MODE": "threading",
                      "ORGANISER_TOKEN": ORGANISER,
                      "SECRET_KEY": "review-secret-key-of-enough-length-here"})
    if request.param == "redis":
        import redis

        limiter = RedisLimiter(redis.Redis.from_url(url), SMALL, clock=clock)
    else:
        limiter = MemoryLimiter(SMALL, clock=clock)
    app.extensions["facilitator.limiter"] = limiter
    return app, clock


def new_session(app) -> dict:
    return app.test_client().post("/api/sessions", json={"title": "Deventer"},
                                  headers={"Authorization": f"Bearer {ORGANISER}"}).json


def test_mistypes_stop_guessing_but_not_the_venue(limited):
    app, clock = limited
    ours, theirs = new_session(app), new_session(app)
    first = app.test_client()  # the first phone at the venue types the code right
    assert first.post("/join", data={"code": ours["code"]}).status_code == 302
    joined = first.post(f"/j/{ours['code']}", data={"perspective": "burger"})
    assert joined.status_code == 302
    mistyper = app.test_client()
    for typo in ("AAAAAA", "BBBBBB", "CCCCCC"):
        assert mistyper.post("/join", data={"code": typo}).status_code == 422
    # the address is stopped for codes it never used, known or unknown alike ...
    unknown = mistyper.get("/api/sessions/DDDDDD")
    other = mistyper.get(f"/api/sessions/{theirs['code']}")
    assert unknown.status_code == other.status_code == 429
    assert unknown.json == other.json
    assert mistyper.get(f"/j/{theirs['code']}").status_code == 429
    assert mistyper.get("/j/DDDDDD").status_code == 429
    # ... but new phones of the venue still find and join the venue's session
    late = app.test_client()
    assert late.post("/join", data={"code": ours["code"]}).status_code == 302
    assert late.post(f"/j/{ours['code']}", data={"perspective": "burger"}).status_code == 302
    assert late.get(f"/p/{ours['code']}").status_code == 200
    assert first.get(f"/p/{ours['code']}").status_code == 200
    # and the other session's facilitator, from the same address, gets in with the link
    console = app.test_client()
    assert console.get(f"/f/{theirs['code']}/{theirs['facilitator_token']}").status_code == 302
    assert console.get(f"/f/{theirs['code']}").status_code == 200
    assert console.get(f"/api/sessions/{theirs['code']}/snapshot", headers={
        "Authorization": f"Bearer {theirs['screen_token']}"}).status_code == 200
    # a minute later the address may guess again
    clock.now += 61
    assert mistyper.get("/api/sessions/DDDDDD").status_code == 404


def test_a_browser_joins_a_few_times_a_room_behind_one_address_many(limited):
    app, _clock = limited
    code = new_session(app)["code"]
    script = app.test_client()  # keeps its cookies: one browser
    answers = []
    for _ in range(4):
        script.delete_cookie(f"fac_p_{code}")  # drops the participant, keeps the browser
        answers.append(script.post(f"/j/{code}", data={"perspective": "burger"}).status_code)
    assert answers[:2] == [302, 302] and answers[2:] == [422, 422]
    page = script.post(f"/j/{code}", data={"perspective": "burger"}).get_data(as_text=True)
    assert "Te veel verzoeken" in page
    # twenty phones behind the same address each join
    for _ in range(20):
        phone = app.test_client()
        assert phone.get(f"/j/{code}").status_code == 200
        assert phone.post(f"/j/{code}", data={"perspective": "burger"}).status_code == 302


def test_codes_tested_over_socket_connect_count_and_look_alike(limited):
    app, _clock = limited
    code = new_session(app)["code"]
    fake = "y" * 32
    limiter = app.extensions["facilitator.limiter"]
    # a fake token with the real code counts as much as one with an unknown code
    assert not socketio.test_client(app, auth={"token": fake, "code": code}).is_connected()
    assert not socketio.test_client(app, auth={"token": fake, "code": "AAAAAA"}).is_connected()
    # (the in-process Socket.IO test client comes from no address: "unknown")
    assert not limiter.blocked("code_miss", "unknown")
    assert not socketio.test_client(app, auth={"token": fake, "code": "BBBBBB"}).is_connected()
    assert limiter.blocked("code_miss", "unknown")
    # HTTP from that address is stopped now too, for codes it never used
    same = {"REMOTE_ADDR": "unknown"}
    assert app.test_client().get("/api/sessions/CCCCCC", environ_base=same).status_code == 429
    assert app.test_client().get(f"/api/sessions/{code}", environ_base=same).status_code == 429
    # and the real secret still connects
    created = new_session(app)
    sio = socketio.test_client(app, auth={"token": created["facilitator_token"],
                                          "code": created["code"]})
    assert sio.is_connected()
    sio.disconnect()


def test_wrong_bearer_keys_count_against_the_organiser_limit(limited):
    app, _clock = limited
    code = new_session(app)["code"]
    client = app.test_client()
    for _ in range(3):
        assert client.get(f"/api/sessions/{code}/snapshot",
                          headers={"Authorization": "Bearer " + "k" * 24}).status_code in (401,
                                                                                         429)
    # the organiser key is stopped from this address, wherever it is offered
    assert client.get("/api/sessions",
                      headers={"Authorization": f"Bearer {ORGANISER}"}).status_code == 429
    assert client.get(f"/api/sessions/{code}/snapshot",
                      headers={"Authorization": f"Bearer {ORGANISER}"}).status_code == 429


def test_an_organiser_cookie_replayed_after_logout_is_refused(limited):
    app, _clock = limited
    client = app.test_client()
    assert client.post("/organiser/login", data={"token": ORGANISER}).status_code == 302
    assert client.get("/organiser/").status_code == 200
    copied = client.get_cookie("session").value
    client.post("/organiser/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/organiser/").status_code == 302  # to the login page


def test_malformed_packets_cost_the_event_budget_and_end_the_connection(tmp_path, caplog):
    app = create_app({"STORE": f"sqlite:///{tmp_path / 'm.db'}", "TESTING": True,
                      "ASYNC_MODE": "threading", "ORGANISER_TOKEN": ORGANISER,
                      "SECRET_KEY": "review-secret-key-of-enough-length-here"})
    app.extensions["facilitator.limiter"] = MemoryLimiter({**LIMITS, "socket_event": (6, 10)},
                                                          clock=FakeClock())
    created = new_session(app)
    sio = socketio.test_client(app, auth={"token": created["screen_token"],
                                          "code": created["code"]})
    server = socketio.server
    for junk in ('42["post"', "42{}", "42[1]"):  # truncated, not a list, no event name
        server._handle_eio_message(sio.eio_sid, junk)
    # each cost one hit of the budget of six: three events are left
    answers = [sio.emit("seq", {}, callback=True) for _ in range(4)]
    assert [a["ok"] for a in answers] == [True, True, True, False]
    assert not [r for r in caplog.records if r.exc_info]  # no traceback
    assert len([r for r in caplog.records if "malformed" in r.getMessage()]) <= 1
    # a connection that keeps sending junk is closed
    other = socketio.test_client(app, auth={"token": created["screen_token"],
                                            "code": created["code"]})
    for _ in range(5):
        server._handle_eio_message(other.eio_sid, "42[")
    assert server.manager.sid_from_eio_sid(other.eio_sid, "/") is None


@pytest.mark.parametrize("trusted", [False, True])
def test_forwarded_host_only_with_its_own_setting(tmp_path, trusted):
    app = create_app({"STORE": f"sqlite:///{tmp_path / 'p.db'}", "TESTING": True,
                      "ASYNC_MODE": "threading", "ORGANISER_TOKEN": ORGANISER,
                      "SECRET_KEY": "review-secret-key-of-enough-length-here", "PROXY_FIX": 1,
                      "PROXY_FIX_HOST": trusted})
    created = app.test_client().post(
        "/api/sessions", json={"title": "x"},
        headers={"Authorization": f"Bearer {ORGANISER}", "X-Forwarded-Host": "proxy.example"})
    assert ("proxy.example" in created.json["join_url"]) is trusted


def test_an_unknown_event_is_answered_in_the_users_language(limited):
    app, _clock = limited
    created = new_session(app)
    for language, words in (("nl", "Onbekende actie"), ("en", "Unknown action")):
        sio = socketio.test_client(app, auth={"token": created["screen_token"],
                                              "code": created["code"]},
                                   headers={"Accept-Language": language})
        answer = sio.emit("bestaat_niet", {"x": 1}, callback=True)
        assert answer["ok"] is False and answer["error"]["code"] == "invalid"
        assert words in answer["error"]["message"], answer
        sio.disconnect()


def test_a_live_code_answers_as_fast_as_an_unknown_one_on_each_store(limited):
    import statistics
    import time

    app, clock = limited
    code = new_session(app)["code"]

    def timed(which: str) -> float:
        clock.now += 120  # a fresh window: the limit is not what is measured
        started = time.perf_counter()
        socketio.test_client(app, auth={"token": "z" * 32, "code": which})
        return time.perf_counter() - started

    timed(code), timed("QQQQQQ")  # warm up
    live = statistics.median(timed(code) for _ in range(21))
    dead = statistics.median(timed("QQQQQQ") for _ in range(21))
    assert live < dead * 1.5 + 0.002, (live, dead)
