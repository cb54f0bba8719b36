"""The projector never shows the text of a reflection that is not (or no longer) taken into
the dialogue: not through the reflection spotlight, not through a spotlit reason that
quotes it, whether the spotlight came before or after the un-share or the hide; over HTTP
and Socket.IO, on SQLite and on Redis."""

from __future__ import annotations

import pytest

from facilitator import create_app
from facilitator.domain.operations import Operations
from tests.conftest import ORGANISER, UNLIMITED


@pytest.fixture(params=["sqlite", "redis"])
def app(request, tmp_path):
    """The app on each store (overrides the suite's one app for this module)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'spotlight.db'}"
    else:
        url = request.getfixturevalue("clean_redis_url")
    application = create_app({"STORE": url, "TESTING": True, "ASYNC_MODE": "threading",
                              "ORGANISER_TOKEN": ORGANISER, "SECRET_KEY": "spotlight-secret",
                              "RATE_LIMITS": UNLIMITED})
    yield application
    application.extensions["facilitator.store"].close()


PRIVATE = "eigenlijk weten we als raad niet wat er op de werkvloer speelt"
REASON = "bij ons op de werkvloer merk je daar weinig van"


def _room(make_session, api):
    """A council member's reflection, shared, with a union member's reason to it."""
    s = make_session()
    raad = s.join("raadslid")
    bond = s.join("vakbond")
    s.goto("circle")
    rid = s.post(raad["participant_token"], PRIVATE).json["id"]
    api.post(f"/sessions/{s.code}/reflections/{rid}/share", raad["participant_token"], {})
    s.goto("exchange")
    r = api.post(f"/sessions/{s.code}/reflections/{rid}/reactions", bond["participant_token"],
                 {"kind": "disagree", "text": REASON})
    assert r.status_code in (200, 201), r.json
    reason = api.get(f"/sessions/{s.code}/snapshot", s.fac).json["reasons"]["vakbond"][0]["id"]
    return s, rid, reason


def _take_out(api, fac, s, rid, how):
    if how == "unshare_http":
        r = api.post(f"/sessions/{s.code}/reflections/{rid}/share", s.fac, {"shared": False})
    elif how == "unshare_socket":
        assert fac.emit("share", {"reflection": rid, "shared": False}, callback=True)["ok"]
        return
    elif how == "hide_http":
        r = api.post(f"/sessions/{s.code}/reflections/{rid}/hide", s.fac, {"hidden": True})
    else:
        assert fac.emit("hide", {"reflection": rid, "hidden": True}, callback=True)["ok"]
        return
    assert r.status_code == 200, r.json


def _screen_sees(api, sio, s) -> str:
    """All the screen gets now: its snapshot over HTTP and Socket.IO, and its replay."""
    snapshot = api.get(f"/sessions/{s.code}/snapshot", s.screen).json
    replay = api.get(f"/sessions/{s.code}/events?since=0", s.screen).json
    synced = sio(s.screen, s.code).emit("sync", {}, callback=True)["snapshot"]
    return str(snapshot) + str(replay) + str(synced)


@pytest.mark.parametrize("how", ["unshare_http", "unshare_socket", "hide_http", "hide_socket"])
def test_a_spotlit_reason_leaves_the_projector_with_its_reflection(api, make_session, sio,
                                                                   how):
    s, rid, reason = _room(make_session, api)
    fac = sio(s.fac, s.code)
    assert fac.emit("spotlight_reason", {"reaction": reason}, callback=True)["ok"]
    assert fac.emit("spotlight", {"reflection": rid}, callback=True)["ok"]
    screen = sio(s.screen, s.code)
    assert api.get(f"/sessions/{s.code}/snapshot", s.screen).json["spotlight_reason"][
        "reflection"] == PRIVATE
    screen.get_received()
    _take_out(api, fac, s, rid, how)
    state = api.get(f"/sessions/{s.code}/snapshot", s.screen).json["workshop"]["state"]
    assert state["spotlight_reason"] is None and state["spotlight"] is None
    live = [m["args"][0] for m in screen.get_received() if m["name"] == "event"]
    assert any(e["type"] == "state" and e["state"]["spotlight_reason"] is None for e in live)
    assert PRIVATE not in str(live)
    assert PRIVATE not in _screen_sees(api, sio, s)
    if how.startswith("unshare"):  # un-shared, not moderated: the console keeps the reason
        assert api.get(f"/sessions/{s.code}/snapshot", s.fac).json["reasons"]["vakbond"]


@pytest.mark.parametrize("over", ["http", "socket"])
def test_a_reason_to_an_unshared_reflection_cannot_be_spotlit(api, make_session, sio, over):
    s, rid, reason = _room(make_session, api)
    fac = sio(s.fac, s.code)
    _take_out(api, fac, s, rid, "unshare_http")
    if over == "http":
        r = api.post(f"/sessions/{s.code}/spotlight/reason", s.fac, {"reaction": reason},
                     headers={"Accept-Language": "nl"})
        assert r.status_code == 409, r.json
        assert r.json["error"]["message"] == (
            "Alleen redenen bij reflecties die zijn meegenomen naar de dialoog kunnen worden "
            "getoond.")
    else:
        answer = fac.emit("spotlight_reason", {"reaction": reason}, callback=True)
        assert not answer["ok"], answer
    state = api.get(f"/sessions/{s.code}/snapshot", s.screen).json["workshop"]["state"]
    assert state["spotlight_reason"] is None
    assert PRIVATE not in _screen_sees(api, sio, s)
    # shared again, it may go on the projector again
    api.post(f"/sessions/{s.code}/reflections/{rid}/share", s.fac, {"shared": True})
    r = api.post(f"/sessions/{s.code}/spotlight/reason", s.fac, {"reaction": reason})
    assert r.status_code == 200, r.json


def test_the_screen_never_quotes_an_unshared_reflection_the_state_still_points_at(
        app, api, make_session, sio):
    s, rid, reason = _room(make_session, api)
    ops = Operations(app.extensions["facilitator.store"])
    # un-shared behind the operations' back (an old archive, a bug elsewhere): the stored
    # state still names the reason and the reflection
    ops.store.update(s.code, "reflection", rid, lambda d: ({**d, "shared": False}, []))

    def point(doc):
        doc["state"]["spotlight_reason"], doc["state"]["spotlight"] = reason, rid
        doc["state"]["pinned_pattern"] = {"id": "manual:oud", "kind": "manual",
                                          "reflections": [{"id": rid, "text": PRIVATE}]}
        return doc, [{"type": "state", "state": doc["state"]}]

    ops.store.update_workshop(s.code, point)
    assert ops.workshop(s.code).state.spotlight_reason == reason
    seen = _screen_sees(api, sio, s)
    assert PRIVATE not in seen and REASON not in seen
    screen = api.get(f"/sessions/{s.code}/snapshot", s.screen).json
    assert screen.get("spotlight_reason") is None
    assert screen["workshop"]["state"]["pinned_pattern"] is None
    # the console still sees what the state holds, to clear it
    console = api.get(f"/sessions/{s.code}/snapshot", s.fac).json["workshop"]["state"]
    assert console["spotlight_reason"] == reason and console["pinned_pattern"]
