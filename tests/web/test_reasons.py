"""Reasons behind a reaction ("Waarom?", issue 17 item 1): the reflection's own circle sees
them without names and with the perspective only under the small-group rule; the
facilitator sees them by perspective and can put one on the screen; a third circle
never sees them."""

from __future__ import annotations


def events_of(client, name="event"):
    return [m["args"][0] for m in client.get_received() if m["name"] == name]


def _room(make_session, api):
    s = make_session()
    raad = s.join("raadslid")
    bond = [s.join("vakbond") for _ in range(3)]
    third = s.join("burger")
    s.goto("circle")
    rid = s.post(raad["participant_token"], "De raad kijkt te veel naar de korte termijn"
                 ).json["id"]
    api.post(f"/sessions/{s.code}/reflections/{rid}/share", raad["participant_token"], {})
    s.goto("exchange")
    return s, raad, bond, third, rid


def test_reasons_reach_the_circle_pooled_and_the_facilitator_by_perspective(
        make_session, api, sio):
    s, raad, bond, third, rid = _room(make_session, api)
    phone, other = sio(raad["participant_token"], s.code), sio(third["participant_token"],
                                                                 s.code)
    for c in (phone, other):
        c.get_received()
    base = f"/sessions/{s.code}/reflections/{rid}/reactions"
    r = api.post(base, bond[0]["participant_token"],
                 {"kind": "disagree", "text": "bij ons op de werkvloer merk je daar niks van"})
    assert r.status_code in (200, 201), r.json
    got = events_of(phone)
    assert any(e["type"] == "resync" for e in got)
    assert "werkvloer" not in str(events_of(other))
    snap = api.get(f"/sessions/{s.code}/snapshot", raad["participant_token"]).json
    assert snap["reasons"] == [{"reflection": rid, "kind": "disagree",
                                "text": "bij ons op de werkvloer merk je daar niks van",
                                "perspective": None}]  # one person of the bond: withheld
    for i, p in enumerate(bond[1:]):
        api.post(base, p["participant_token"], {"kind": "agree", "text": f"herkenbaar{i}"})
    snap = api.get(f"/sessions/{s.code}/snapshot", raad["participant_token"]).json
    assert {x["perspective"] for x in snap["reasons"]} == {"vakbond"}
    assert "pseudonym" not in str(snap["reasons"]) and "participant" not in str(snap["reasons"])
    outsider = api.get(f"/sessions/{s.code}/snapshot", third["participant_token"]).json
    assert outsider["reasons"] == []
    fac = api.get(f"/sessions/{s.code}/snapshot", s.fac).json
    assert len(fac["reasons"]["vakbond"]) == 3
    reaction_id = fac["reasons"]["vakbond"][0]["id"]
    assert "reasons" not in api.get(f"/sessions/{s.code}/snapshot", s.screen).json
    r = api.post(f"/sessions/{s.code}/spotlight/reason", s.fac, {"reaction": reaction_id})
    assert r.status_code == 200, r.json
    screen = api.get(f"/sessions/{s.code}/snapshot", s.screen).json
    assert screen["spotlight_reason"]["text"] == "bij ons op de werkvloer merk je daar niks van"
    assert screen["spotlight_reason"]["perspective"] == "vakbond"
    s.goto("circle")
    assert "spotlight_reason" not in api.get(f"/sessions/{s.code}/snapshot", s.screen).json


def test_bad_reason_input_is_refused_in_dutch(make_session, api):
    s, raad, bond, third, rid = _room(make_session, api)
    base = f"/sessions/{s.code}/reflections/{rid}/reactions"
    r = api.post(base, bond[0]["participant_token"], {"kind": "disagree", "text": "x" * 281})
    assert r.status_code == 422
    r = api.post(base, bond[0]["participant_token"], {"kind": "disagree", "text": 12})
    assert r.status_code == 422
    for body in ({"reaction": "bestaat-niet"}, {"reaction": 5}, {"reaction": ""}):
        r = api.post(f"/sessions/{s.code}/spotlight/reason", s.fac, body,
                     headers={"Accept-Language": "nl"})
        assert 400 <= r.status_code < 500, (body, r.json)
    r = api.post(f"/sessions/{s.code}/spotlight/reason", s.fac, {"reaction": "bestaat-niet"},
                 headers={"Accept-Language": "nl"})
    assert r.json["error"]["message"] == "Deze reden bestaat niet."
    assert api.get(f"/sessions/{s.code}/snapshot", s.fac).json["reasons"] == {}
