"""Questions to another perspective and answers (issue 17, item 2): who sees them over
HTTP, Socket.IO and replays (a third circle never does), who may support and answer, a
question to an absent perspective, bad input."""

from __future__ import annotations

import pytest


def events_of(client, name="event"):
    return [m["args"][0] for m in client.get_received() if m["name"] == name]


@pytest.fixture
def room(make_session, api):
    s = make_session()
    raad = [s.join("raadslid"), s.join("raadslid")]
    bond = [s.join("vakbond") for _ in range(12)]
    burger = s.join("burger")  # the third circle: a perspective of one
    s.goto("circle")
    return s, api, raad, bond, burger


def _q(s, api, token, to, text, **extra):
    return api.post(f"/sessions/{s.code}/questions", token, {"to": to, "text": text, **extra})


def test_question_reaches_asking_circle_then_addressed_never_a_third(room, sio):
    s, api, raad, bond, burger = room
    phones = {name: sio(p["participant_token"], s.code)
              for name, p in (("mate", raad[1]), ("bond", bond[0]), ("burger", burger))}
    screen = sio(s.screen, s.code)
    for c in (*phones.values(), screen):
        c.get_received()
    secret = "hoe merken jullie op de werkvloer eigenlijk iets van de raadsbesluiten?"
    r = _q(s, api, raad[0]["participant_token"], "vakbond", secret)
    assert r.status_code == 201, r.json
    body = r.json
    assert set(body) >= {"id", "to", "text", "circle", "supports"} and body["supports"] == 0
    qid = body["id"]
    assert secret in str(events_of(phones["mate"]))
    got_bond, got_burger = events_of(phones["bond"]), events_of(phones["burger"])
    assert secret not in str(got_bond)  # the circle step: only the asking circle
    assert secret not in str(got_burger) and secret not in str(events_of(screen))
    assert got_burger == []  # a third circle hears nothing, not even a tick (issue 13)
    # support by a circle-mate; not by the bond
    r = api.post(f"/sessions/{s.code}/questions/{qid}/support", raad[1]["participant_token"], {})
    assert r.status_code == 200 and r.json["supports"] == 1
    r = api.post(f"/sessions/{s.code}/questions/{qid}/support", bond[0]["participant_token"],
                 {}, headers={"Accept-Language": "nl"})
    assert r.status_code == 403
    s.goto("exchange")
    for c in (*phones.values(), screen):
        c.get_received()
    answer = "eerlijk gezegd pas als t in de krant staat, dan hoor je t pas"
    r = api.post(f"/sessions/{s.code}/questions/{qid}/answers", bond[3]["participant_token"],
                 {"text": answer})
    assert r.status_code == 201, r.json
    assert "participant" not in r.json
    assert answer in str(events_of(phones["mate"])) and answer in str(events_of(phones["bond"]))
    assert answer not in str(events_of(phones["burger"]))
    assert answer not in str(events_of(screen))
    # GET /questions: only what the caller may see
    listed = api.get(f"/sessions/{s.code}/questions", bond[5]["participant_token"]).json
    assert [q["text"] for q in listed] == [secret]
    assert listed[0]["answers"][0]["text"] == answer and "participant" not in str(listed)
    assert api.get(f"/sessions/{s.code}/questions", burger["participant_token"]).json == []
    fac = api.get(f"/sessions/{s.code}/questions", s.fac).json
    assert fac[0]["supports"] == 1 and not fac[0]["unanswered"]
    assert api.get(f"/sessions/{s.code}/questions", s.screen).status_code == 403
    # the third circle's snapshot and a replay hold neither
    snap = api.get(f"/sessions/{s.code}/snapshot", burger["participant_token"]).json
    assert secret not in str(snap) and answer not in str(snap)
    replay = api.get(f"/sessions/{s.code}/events?since=0", burger["participant_token"])
    if replay.status_code == 200:
        assert secret not in str(replay.json) and answer not in str(replay.json)


def test_who_may_answer_and_absent_perspectives(room):
    s, api, raad, bond, burger = room
    absent = _q(s, api, raad[0]["participant_token"], "onderzoeker",
                "waarom zijn de onderzoekers er vandaag niet bij?").json
    to_all = _q(s, api, burger["participant_token"], "all", "wat vinden jullie ervan?").json
    s.goto("exchange")
    base = f"/sessions/{s.code}/questions"
    assert api.post(f"{base}/{absent['id']}/answers", bond[0]["participant_token"],
                    {"text": "wij weten het ook niet"}).status_code == 403
    assert api.post(f"{base}/{to_all['id']}/answers", burger["participant_token"],
                    {"text": "zelf antwoorden"}).status_code == 403
    assert api.post(f"{base}/{to_all['id']}/answers", raad[0]["participant_token"],
                    {"text": "we doen ons best hoor"}).status_code == 201
    fac = {q["id"]: q for q in api.get(base, s.fac).json}
    assert fac[absent["id"]]["unanswered"] and not fac[to_all["id"]]["unanswered"]
    # a question to all reaches everyone in the exchange
    assert to_all["id"] in str(api.get(base, bond[7]["participant_token"]).json)


@pytest.mark.parametrize("body", [
    {"to": "vakbond", "text": ""}, {"to": "vakbond", "text": "x" * 281},
    {"to": "bestaat-niet", "text": "hallo"}, {"to": 5, "text": "hallo"},
    {"to": "vakbond", "text": ["lijst"]}, {"text": "zonder adres"},
    {"to": "vakbond", "text": "hallo", "extra": 1}])
def test_bad_questions_are_refused_in_dutch_and_nothing_is_stored(room, body):
    s, api, raad, bond, burger = room
    r = api.post(f"/sessions/{s.code}/questions", raad[0]["participant_token"], body,
                 headers={"Accept-Language": "nl"})
    assert 400 <= r.status_code < 500, r.json
    assert r.json["error"]["message"]
    assert api.get(f"/sessions/{s.code}/questions", s.fac).json == []


def test_unknown_question_ids(room):
    s, api, raad, bond, burger = room
    s.goto("exchange")
    base = f"/sessions/{s.code}/questions/bestaat-niet"
    r = api.post(f"{base}/answers", bond[0]["participant_token"], {"text": "hm"},
                 headers={"Accept-Language": "nl"})
    assert r.status_code == 404 and r.json["error"]["message"] == "Deze vraag bestaat niet."
    r = api.post(f"{base}/support", raad[0]["participant_token"], {"supported": "ja"})
    assert r.status_code in (404, 422)
