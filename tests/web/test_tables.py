"""Mixed dialogue tables over the API (issue 17, item 3): composed by the facilitator,
each phone knows its own table, the screen lists tables with perspectives and no names,
late joiners are seated where their perspective is missing, bad input is refused."""

from __future__ import annotations

from collections import Counter


def test_tables_over_the_api(make_session, api, sio):
    s = make_session()
    people = ([s.join("raadslid") for _ in range(3)] + [s.join("vakbond") for _ in range(2)]
              + [s.join("burger")])
    s.goto("exchange")
    phone = sio(people[0]["participant_token"], s.code)
    phone.get_received()
    r = api.post(f"/sessions/{s.code}/tables", s.fac, {"size": 3, "seed": 42})
    assert r.status_code == 200, r.json
    listed = r.json["tables"]
    assert [t["number"] for t in listed] == [1, 2]
    assert sorted(t["size"] for t in listed) == [3, 3]
    assert all(Counter(t["perspectives"])["raadslid"] <= 2 for t in listed)
    assert all("vakbond" in t["perspectives"] for t in listed)
    assert any(m["args"][0].get("type") == "resync" for m in phone.get_received())
    again = api.post(f"/sessions/{s.code}/tables", s.fac, {"size": 3, "seed": 42}).json
    assert again["tables"] == listed  # deterministic for a seed
    mine = api.get(f"/sessions/{s.code}/snapshot", people[0]["participant_token"]).json
    assert mine["table"] in (1, 2) and "tables" not in mine
    screen = api.get(f"/sessions/{s.code}/snapshot", s.screen).json
    assert screen["tables"] == listed and "pseudonym" not in str(screen["tables"])
    burger_table = next(t["number"] for t in listed if "burger" in t["perspectives"])
    late = s.join("burger")
    seat = api.get(f"/sessions/{s.code}/snapshot", late["participant_token"]).json["table"]
    assert seat == 3 - burger_table


def test_bad_table_input(make_session, api):
    s = make_session()
    s.join("raadslid")
    s.goto("exchange")
    for body in ({}, {"size": 1}, {"size": "vier"}, {"size": 4, "seed": -1},
                 {"size": True}, {"size": 4, "extra": 1}):
        r = api.post(f"/sessions/{s.code}/tables", s.fac, body,
                     headers={"Accept-Language": "nl"})
        assert 400 <= r.status_code < 500, (body, r.json)
        assert r.json["error"]["message"]
    assert "tables" not in api.get(f"/sessions/{s.code}/snapshot", s.fac).json
    s.goto("circle")
    assert api.post(f"/sessions/{s.code}/tables", s.fac, {"size": 4}).status_code in (403, 409)


def test_harvest_reaches_its_table_and_the_screen_only_when_shared(make_session, api, sio):
    s = make_session()
    people = [s.join(p) for p in ("raadslid", "vakbond", "burger", "raadslid", "vakbond",
                                  "burger")]
    s.goto("exchange")
    listed = api.post(f"/sessions/{s.code}/tables", s.fac, {"size": 3, "seed": 1}).json["tables"]
    assert len(listed) == 2
    tables = {p["participant_id"]: api.get(f"/sessions/{s.code}/snapshot",
                                           p["participant_token"]).json["table"]
              for p in people}
    writer = people[0]
    mine = tables[writer["participant_id"]]
    mate = next(p for p in people[1:] if tables[p["participant_id"]] == mine)
    other = next(p for p in people if tables[p["participant_id"]] != mine)
    phones = {"mate": sio(mate["participant_token"], s.code),
              "other": sio(other["participant_token"], s.code), "screen": sio(s.screen, s.code)}
    for c in phones.values():
        c.get_received()
    text = "opvallend dat iedereen t over vertrouwen had, ook de raad"
    r = api.post(f"/sessions/{s.code}/tables/{mine}/harvest", writer["participant_token"],
                 {"text": text})
    assert r.status_code == 201, r.json
    assert text in str(phones["mate"].get_received())
    assert text not in str(phones["other"].get_received())
    assert text not in str(phones["screen"].get_received())
    r = api.post(f"/sessions/{s.code}/tables/{3 - mine}/harvest", writer["participant_token"],
                 {"text": "andermans tafel"}, headers={"Accept-Language": "nl"})
    assert r.status_code == 403
    for body in ({"text": ""}, {"text": "x" * 601}, {"text": 3}):
        r = api.post(f"/sessions/{s.code}/tables/{mine}/harvest", writer["participant_token"],
                     body)
        assert r.status_code == 422
    assert api.post(f"/sessions/{s.code}/tables/twee/harvest", writer["participant_token"],
                    {"text": "hm"}).status_code == 422
    # a digit Python's isdigit() takes but int() does not (superscript two) is a 422 too
    assert api.post(f"/sessions/{s.code}/tables/%C2%B2/harvest", writer["participant_token"],
                    {"text": "hm"}).status_code == 422
    hid = api.get(f"/sessions/{s.code}/snapshot", s.fac).json["harvests"][0]["id"]
    assert api.get(f"/sessions/{s.code}/snapshot", s.screen).json["harvests"] == []
    r = api.post(f"/sessions/{s.code}/harvests/{hid}/share", s.fac, {"shared": True})
    assert r.status_code == 200, r.json
    assert text in str(phones["screen"].get_received())
    assert [h["text"] for h in api.get(f"/sessions/{s.code}/snapshot",
                                       s.screen).json["harvests"]] == [text]
    assert api.get(f"/sessions/{s.code}/snapshot", other["participant_token"]).json[
        "harvests"] == []
    assert api.post(f"/sessions/{s.code}/harvests/geen/share", s.fac,
                    {"shared": True}).status_code == 404
