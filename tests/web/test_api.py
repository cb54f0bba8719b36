"""The JSON API: a scripted session, errors as 4xx with a JSON body, idempotency."""

from __future__ import annotations

import pytest

from tests.conftest import ORGANISER


def test_create_requires_organiser(api):
    assert api.post("/sessions", None, {"title": "x"}).status_code == 403
    assert api.post("/sessions", "wrong-token-wrong-token", {"title": "x"}).status_code == 403
    r = api.post("/sessions", ORGANISER, {"title": "Sessie", "place": "Utrecht",
                                          "date": "2026-03-14"})
    assert r.status_code == 201
    body = r.json
    assert set(body) >= {"code", "facilitator_token", "screen_token", "join_url",
                         "facilitator_url", "screen_url"}
    assert body["join_url"].endswith(f"/j/{body['code']}")
    assert len(body["facilitator_token"]) >= 22  # at least 128 bits, URL-safe


def test_public_session_view(api, make_session):
    s = make_session()
    body = api.get(f"/sessions/{s.code.lower()}").json
    assert body["code"] == s.code
    assert [st["kind"] for st in body["steps"]][:3] == ["welcome", "presentation", "circle"]
    assert {"id": "raadslid", "label": "Raadslid"} in body["perspectives"]
    english = api.get(f"/sessions/{s.code}?lang=en").json
    assert {"id": "raadslid", "label": "Council member"} in english["perspectives"]
    assert "facilitator_token" not in str(body)


def test_whole_session_through_the_api(api, make_session):
    s = make_session()
    raad = s.join("raadslid")
    bond = s.join("vakbond", name="Piet")
    assert raad["circle"] == "raadslid" and bond["circle"] == "vakbond"
    # too early to post
    r = s.post(raad["participant_token"], "Te vroeg")
    assert r.status_code == 409 and r.json["error"]["code"] == "not_allowed_now"
    s.goto("circle")
    r1 = s.post(raad["participant_token"], "Vertrouwen ontbreekt", client_id="r-1")
    assert r1.status_code == 201
    r1b = s.post(raad["participant_token"], "Vertrouwen ontbreekt", client_id="r-1")
    assert r1b.status_code == 200 and r1b.json["id"] == r1.json["id"]
    r2 = s.post(bond["participant_token"], "Medewerkers pas laat betrokken")
    # circle privacy: the union member sees only their own circle
    seen = api.get(f"/sessions/{s.code}/reflections", bond["participant_token"]).json
    assert [x["text"] for x in seen] == ["Medewerkers pas laat betrokken"]
    assert len(api.get(f"/sessions/{s.code}/reflections", s.fac).json) == 2
    assert api.get(f"/sessions/{s.code}/reflections", s.screen).json == []
    # sharing: only own circle
    r = api.post(f"/sessions/{s.code}/reflections/{r1.json['id']}/share",
                 bond["participant_token"], {})
    assert r.status_code == 403
    for token, rid in ((raad["participant_token"], r1.json["id"]),
                       (bond["participant_token"], r2.json["id"])):
        r = api.post(f"/sessions/{s.code}/reflections/{rid}/share", token, {})
        assert r.status_code == 200 and r.json["shared"] is True
    s.goto("exchange")
    seen = api.get(f"/sessions/{s.code}/reflections", bond["participant_token"]).json
    assert {x["text"] for x in seen} == {"Vertrouwen ontbreekt", "Medewerkers pas laat betrokken"}
    r = api.post(f"/sessions/{s.code}/reflections/{r1.json['id']}/reactions",
                 bond["participant_token"], {"kind": "agree", "text": "Zeker"})
    assert r.status_code == 201
    r = api.post(f"/sessions/{s.code}/reflections/{r1.json['id']}/reactions",
                 raad["participant_token"], {"kind": "agree"})
    assert r.status_code == 403  # own circle
    s.goto("conclusions")
    c = api.post(f"/sessions/{s.code}/conclusions", s.fac,
                 {"text": "Vertrouwen vraagt vroege betrokkenheid",
                  "reflections": [r1.json["id"], r2.json["id"]]})
    assert c.status_code == 201
    r = api.post(f"/sessions/{s.code}/conclusions/{c.json['id']}/endorsements",
                 bond["participant_token"], {"kind": "support"})
    assert r.status_code == 201
    r = api.post(f"/sessions/{s.code}/conclusions", raad["participant_token"], {"text": "x"})
    assert r.status_code == 403
    snap = api.get(f"/sessions/{s.code}/snapshot", s.screen).json
    # one supporter is a group of one: the screen shows no figure of it, not even in the total
    assert snap["conclusions"][0]["endorsements"] == {"total": {}, "by_perspective": {},
                                                      "withheld": True}
    full = api.get(f"/sessions/{s.code}/snapshot", s.fac).json
    assert full["conclusions"][0]["endorsements"]["total"] == {"support": 1}
    s.goto("closing")
    events = api.get(f"/sessions/{s.code}/events?since=0", bond["participant_token"]).json
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    # a replay is judged by today's records: no more than a fresh snapshot shows
    seen = {r["id"]: r["text"] for r in api.get(f"/sessions/{s.code}/snapshot",
                                                bond["participant_token"]).json["reflections"]}
    replayed = {e["reflection"]["id"]: e["reflection"]["text"] for e in events
                if "reflection" in e}
    assert replayed and replayed.items() <= seen.items()


@pytest.mark.parametrize("payload,status,code", [
    ({"text": ""}, 422, "invalid"),
    ({"text": "x" * 10_000}, 422, "invalid"),
    ({"text": 5}, 422, "invalid"),
    ({"text": "ok", "extra": 1}, 422, "invalid"),
    ({"text": "ok", "finding": "<script>"}, 422, "invalid"),
    (["not", "an", "object"], 422, "invalid"),
])
def test_bad_reflections_get_clear_errors(api, make_session, payload, status, code):
    s = make_session()
    p = s.join("burger")
    s.goto("circle")
    r = api.post(f"/sessions/{s.code}/reflections", p["participant_token"], payload)
    assert r.status_code == status
    assert r.json["error"]["code"] == code and r.json["error"]["message"]
    assert api.get(f"/sessions/{s.code}/reflections", s.fac).json == []


def test_errors_are_json_and_translated(api, make_session):
    s = make_session()
    assert api.get("/sessions/QQQQQQ").status_code == 404
    r = api.post(f"/sessions/{s.code}/participants", json={"perspective": "astronaut"})
    assert r.status_code == 422 and "astronaut" in r.json["error"]["message"]
    r = api.post(f"/sessions/{s.code}/participants", json={"perspective": "astronaut"},
                 headers={"Accept-Language": "nl"})
    assert r.json["error"]["message"].startswith("Onbekend perspectief")
    r = api.post(f"/sessions/{s.code}/reflections", "not-a-valid-token-at-all", {"text": "x"})
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthorized"
    r = api.post(f"/sessions/{s.code}/reflections", None, {"text": "x"})
    assert r.status_code == 401
    r = api.post(f"/sessions/{s.code}/steps/current", s.fac, {"step": "nowhere"})
    assert r.status_code == 422
    r = api.post(f"/sessions/{s.code}/steps/current", s.screen, {"step": "next"})
    assert r.status_code == 403
    r = api.client.post(f"/api/sessions/{s.code}/participants", data="{not json",
                        content_type="application/json")
    assert r.status_code == 422
    assert api.get("/nothing-here").status_code == 404
    assert api.get("/nothing-here").json["error"]["code"] == "not_found"


def test_rejoin_is_the_same_participant_by_token(api, make_session):
    s = make_session()
    p = s.join("burger")
    snap = api.get(f"/sessions/{s.code}/snapshot", p["participant_token"]).json
    assert snap["me"]["id"] == p["participant_id"]


def test_edit_and_rotate_and_delete(api, make_session):
    s = make_session()
    r = api.patch(f"/sessions/{s.code}", ORGANISER, {"title": "Nieuwe titel"})
    assert r.status_code == 200 and r.json["title"] == "Nieuwe titel"
    assert api.patch(f"/sessions/{s.code}", s.fac, {"title": "x"}).status_code == 403
    r = api.post(f"/sessions/{s.code}/links/rotate", s.fac, {"which": "screen"})
    assert r.status_code == 200
    assert api.get(f"/sessions/{s.code}/snapshot", s.screen).status_code == 401
    assert api.get(f"/sessions/{s.code}/snapshot", r.json["screen_token"]).status_code == 200
    assert api.call("DELETE", f"/sessions/{s.code}", s.fac).status_code == 403
    assert api.call("DELETE", f"/sessions/{s.code}", ORGANISER).status_code == 204
    assert api.get(f"/sessions/{s.code}").status_code == 404
