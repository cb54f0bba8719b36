"""Regressions from the outside review (issue 19) about limits and secrets: a venue's
shared address is not locked out by mistyped codes (2), codes cannot be tested
over Socket.IO connect (3), the organiser key has an attempt limit and its cookie
ends with logout and with a new key (7), the console's preview of the screen ends
with its link (13), a client's X-Forwarded-Host is not trusted and unknown events
are answered (16)."""

from __future__ import annotations

import statistics
import time

import pytest

from facilitator import create_app
from facilitator.realtime import socketio
from tests.conftest import ORGANISER
from tests.web.test_limits import limited_app


@pytest.fixture
def limited(tmp_path):
    """An app with small limits and a clock the test moves forward."""
    return limited_app(tmp_path / "r.db", "review-secret-key-of-enough-length-here",
                       code_miss=(3, 60), organiser_miss=(3, 300), api_join=(5, 60))


def new_session(client):
    return client.post("/api/sessions", json={"title": "Reflectiesessie Deventer"},
                       headers={"Authorization": f"Bearer {ORGANISER}"}).json


def test_mistyped_codes_never_lock_out_those_with_a_link(limited):
    app, _clock = limited
    venue = app.test_client()  # everyone behind the venue's one address
    created, elsewhere = new_session(venue), new_session(venue)
    code, fac = created["code"], created["facilitator_token"]
    phone = venue.post(f"/api/sessions/{code}/participants",
                       json={"perspective": "burger"}).json["participant_token"]
    for typo in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD"):
        venue.get(f"/api/sessions/{typo}")
    # guesses from this address are stopped, a code it never used alike: no oracle
    unknown = venue.get("/api/sessions/EEEEEE")
    other = venue.get(f"/api/sessions/{elsewhere['code']}")
    assert unknown.status_code == other.status_code == 429
    assert unknown.json == other.json
    assert venue.post("/join", data={"code": elsewhere["code"]}).status_code == 422
    # ... but the venue's own code keeps working for new phones, over the pages too
    assert venue.get(f"/api/sessions/{code}").status_code == 200
    assert venue.post("/join", data={"code": code.lower()}).status_code == 302
    assert venue.get(f"/j/{code}").status_code == 200
    # ... and the facilitator's token, a joined phone and the secret links still work
    assert venue.get(f"/api/sessions/{code}/snapshot",
                     headers={"Authorization": f"Bearer {fac}"}).status_code == 200
    assert venue.get(f"/api/sessions/{code}/snapshot",
                     headers={"Authorization": f"Bearer {phone}"}).status_code == 200
    sio = socketio.test_client(app, auth={"token": fac, "code": code})
    assert sio.is_connected()
    sio.disconnect()
    link = venue.get(f"/f/{elsewhere['code']}/{elsewhere['facilitator_token']}")
    assert link.status_code == 302
    assert venue.get(f"/f/{elsewhere['code']}").status_code == 200
    assert app.test_client().get(f"/s/{elsewhere['code']}/{elsewhere['screen_token']}"
                                 ).status_code == 302
    # a wrong secret link is refused like an unknown code
    assert venue.get(f"/f/{elsewhere['code']}/{'x' * 32}").status_code == 429


def test_a_wrong_token_answers_the_same_for_known_and_unknown_codes(limited):
    app, _clock = limited
    client = app.test_client()
    code = new_session(client)["code"]
    wrong = {"Authorization": "Bearer " + "x" * 32}
    known = client.get(f"/api/sessions/{code}/snapshot", headers=wrong)
    unknown = client.get("/api/sessions/ZZZZZZ/snapshot", headers=wrong)
    assert known.status_code == unknown.status_code == 401
    assert known.json == unknown.json


def test_api_joins_are_limited_per_address(limited):
    app, _clock = limited
    client = app.test_client()
    code = new_session(client)["code"]
    answers = [client.post(f"/api/sessions/{code}/participants",
                           json={"perspective": "burger"}).status_code for _ in range(7)]
    assert answers[:5] == [201] * 5 and answers[5:] == [429, 429]


def test_codes_cannot_be_tested_over_socket_connect(limited):
    app, _clock = limited
    code = new_session(app.test_client())["code"]
    fake = "y" * 32
    # a fake token with the real code or with made-up codes: refused alike, and the
    # made-up ones count as guesses until the address is stopped
    assert not socketio.test_client(app, auth={"token": fake, "code": code}).is_connected()
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        assert not socketio.test_client(app, auth={"token": fake,
                                                   "code": guess}).is_connected()
    # the test client's connections come from no address ("unknown"): that one is stopped
    limiter = app.extensions["facilitator.limiter"]
    assert limiter.blocked("code_miss", "unknown")
    assert not socketio.test_client(app, auth={"token": fake, "code": "DDDDDD"}).is_connected()
    assert not limiter.blocked("code_miss", "127.0.0.1")  # another address is not


def test_a_live_code_answers_no_slower_than_an_unknown_one(limited):
    app, clock = limited
    code = new_session(app.test_client())["code"]
    fake = "z" * 32

    def timed(which: str) -> float:
        clock.now += 120  # a fresh window: the limit is not what is measured
        started = time.perf_counter()
        socketio.test_client(app, auth={"token": fake, "code": which})
        return time.perf_counter() - started

    live = statistics.median(timed(code) for _ in range(15))
    dead = statistics.median(timed("QQQQQQ") for _ in range(15))
    # the same work either way: a live code is not measurably slower
    assert live < dead * 3 + 0.005, (live, dead)


def test_the_organiser_key_has_an_attempt_limit(limited):
    app, _clock = limited
    client = app.test_client()
    for _ in range(3):
        assert client.post("/organiser/login", data={"token": "a"}).status_code == 401
    # stopped: even the right key waits now (a hit cannot be told from a miss)
    assert client.post("/organiser/login", data={"token": ORGANISER}).status_code == 429
    assert client.get("/api/sessions",
                      headers={"Authorization": f"Bearer {ORGANISER}"}).status_code == 429


def test_the_organiser_cookie_ends_with_logout_and_with_a_new_key(tmp_path):
    app = create_app({"STORE": f"sqlite:///{tmp_path / 'o.db'}", "TESTING": True,
                      "ASYNC_MODE": "threading", "ORGANISER_TOKEN": ORGANISER,
                      "SECRET_KEY": "review-secret-key-of-enough-length-here"})
    client = app.test_client()
    client.post("/organiser/login", data={"token": ORGANISER})
    assert client.get("/organiser/").status_code == 200
    copied = client.get_cookie("session").value
    client.post("/organiser/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/organiser/").status_code == 302  # to the login page
    # a login made with the old key ends when the key changes
    client.post("/organiser/login", data={"token": ORGANISER})
    assert client.get("/organiser/").status_code == 200
    app.config["FACILITATOR"]["ORGANISER_TOKEN"] = "a-new-organiser-key-1234"
    assert client.get("/organiser/").status_code == 302


def test_the_screen_preview_ends_with_the_facilitator_link(client, api, make_session):
    s = make_session()
    console = app_client = client
    console.get(f"/f/{s.code}/{s.fac}")  # the facilitator's cookie
    page = app_client.get(f"/s/{s.code}?preview=1").get_data(as_text=True)
    token = page.split('"token": "', 1)[1].split('"', 1)[0] if '"token": "' in page else \
        page.split('&#34;token&#34;: &#34;', 1)[1].split('&#34;', 1)[0]
    preview = socketio.test_client(client.application, auth={"token": token})
    assert preview.is_connected()
    api.post(f"/sessions/{s.code}/links/rotate", s.fac, {"which": "facilitator"})
    assert preview.emit("seq", {}, callback=True)["ok"] is False  # sent away
    again = socketio.test_client(client.application, auth={"token": token})
    assert not again.is_connected()
    # the screen's own link still works
    assert socketio.test_client(client.application, auth={"token": s.screen,
                                                          "code": s.code}).is_connected()


def test_a_client_sent_forwarded_host_is_not_trusted(tmp_path):
    app = create_app({"STORE": f"sqlite:///{tmp_path / 'p.db'}", "TESTING": True,
                      "ASYNC_MODE": "threading", "ORGANISER_TOKEN": ORGANISER,
                      "SECRET_KEY": "review-secret-key-of-enough-length-here", "PROXY_FIX": 1})
    created = app.test_client().post(
        "/api/sessions", json={"title": "x"},
        headers={"Authorization": f"Bearer {ORGANISER}", "X-Forwarded-Host": "evil.example",
                 "X-Forwarded-Proto": "https"})
    assert "evil.example" not in created.json["join_url"]
    assert created.json["join_url"].startswith("https://")  # the proto is the proxy's


def test_unknown_socket_events_are_answered(sio, make_session):
    s = make_session()
    client = sio(s.fac, s.code)
    answer = client.emit("bestaat_niet", {"x": 1}, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "invalid"
    assert client.is_connected()
