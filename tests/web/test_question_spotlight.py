"""A question with its answers on the projector (issue 17, item 2): only the facilitator
puts it there, only in the dialogue; the screen reads it with its answers (a question to
all names an answer's perspective only under the small-group rule), follows new answers,
and loses it when the step leaves the dialogue. The asking circle supports the answers it
got."""

from __future__ import annotations


def events_of(client):
    return [m["args"][0] for m in client.get_received() if m["name"] == "event"]


def test_question_on_the_screen_with_its_answers(make_session, api, sio):
    s = make_session()
    raad = [s.join("raadslid"), s.join("raadslid")]
    bond = [s.join("vakbond") for _ in range(3)]
    burger = s.join("burger")
    s.goto("circle")
    base = f"/sessions/{s.code}"
    asked = api.post(f"{base}/questions", raad[0]["participant_token"],
                     {"to": "vakbond", "text": "merken jullie iets van de raadsbesluiten?"}).json
    to_all = api.post(f"{base}/questions", raad[1]["participant_token"],
                      {"to": "all", "text": "wat is voor jullie de grootste verandering?"}).json
    # not before the dialogue, and never by a phone or the screen
    r = api.post(f"{base}/spotlight/question", s.fac, {"question": asked["id"]},
                 headers={"Accept-Language": "nl"})
    assert r.status_code == 409 and r.json["error"]["message"]
    s.goto("exchange")
    for token in (raad[0]["participant_token"], s.screen):
        assert api.post(f"{base}/spotlight/question", token,
                        {"question": asked["id"]}).status_code == 403
    assert api.post(f"{base}/spotlight/question", s.fac,
                    {"question": "bestaat-niet"}).status_code == 404
    api.post(f"{base}/questions/{asked['id']}/answers", bond[0]["participant_token"],
             {"text": "eerlijk gezegd pas als t in de krant staat"})
    screen = sio(s.screen, s.code)
    screen.get_received()
    r = api.post(f"{base}/spotlight/question", s.fac, {"question": asked["id"]})
    assert r.status_code == 200 and r.json["spotlight_question"] == asked["id"]
    shown = api.get(f"{base}/snapshot", s.screen).json["spotlight_question"]
    assert shown["text"] == asked["text"] and shown["perspective"] == "raadslid"
    assert shown["to"] == "vakbond"
    assert [a["text"] for a in shown["answers"]] == ["eerlijk gezegd pas als t in de krant staat"]
    assert "participant" not in str(shown)
    # a new answer to the question on the screen: the screen re-reads its snapshot
    screen.get_received()
    api.post(f"{base}/questions/{asked['id']}/answers", bond[1]["participant_token"],
             {"text": "via de nieuwsbrief soms"})
    got = events_of(screen)
    assert got and got[-1]["type"] == "resync" and "nieuwsbrief" not in str(got)
    assert len(api.get(f"{base}/snapshot", s.screen).json["spotlight_question"]["answers"]) == 2
    # a question to all: one burger's answer is not named by its perspective
    api.post(f"{base}/questions/{to_all['id']}/answers", burger["participant_token"],
             {"text": "de digitale balie, die werkt nog niet goed"})
    api.post(f"{base}/spotlight/question", s.fac, {"question": to_all["id"]})
    shown = api.get(f"{base}/snapshot", s.screen).json["spotlight_question"]
    assert shown["to"] == "all" and shown["answers"][0]["perspective"] is None
    # a phone sees no spotlighted content it may not see; leaving the dialogue clears it
    assert "spotlight_question" not in api.get(f"{base}/snapshot",
                                               burger["participant_token"]).json
    s.goto("circle")
    assert "spotlight_question" not in api.get(f"{base}/snapshot", s.screen).json
    s.goto("exchange")
    assert api.post(f"{base}/spotlight/question", s.fac, {"question": None}).status_code == 200


def test_the_asking_circle_supports_its_answers(make_session, api, sio):
    s = make_session()
    raad = [s.join("raadslid"), s.join("raadslid")]
    bond = [s.join("vakbond"), s.join("vakbond")]
    burger = s.join("burger")
    s.goto("circle")
    base = f"/sessions/{s.code}"
    qid = api.post(f"{base}/questions", raad[0]["participant_token"],
                   {"to": "vakbond", "text": "hoe gaat t bij jullie met de reorganisatie?"}
                   ).json["id"]
    s.goto("exchange")
    aid = api.post(f"{base}/questions/{qid}/answers", bond[0]["participant_token"],
                   {"text": "onrustig, veel colega's weten niet waar ze aan toe zijn"}).json["id"]
    answerer = sio(bond[1]["participant_token"], s.code)
    answerer.get_received()
    r = api.post(f"{base}/answers/{aid}/support", raad[1]["participant_token"], {})
    assert r.status_code == 200 and r.json["supports"] == 1 and "participant" not in r.json
    # the addressed perspective sees the count go up, no supporter's name
    got = [e for e in events_of(answerer) if e["type"] == "answer"]
    assert got and got[-1]["answer"]["supports"] == 1
    assert raad[1]["participant_id"] not in str(got)
    mine = api.get(f"{base}/snapshot", raad[1]["participant_token"]).json
    assert mine["my_answer_supports"] == [aid]
    assert mine["questions"][0]["answers"][0]["supports"] == 1
    # again changes nothing; taking it back does
    api.post(f"{base}/answers/{aid}/support", raad[1]["participant_token"], {})
    r = api.post(f"{base}/answers/{aid}/support", raad[1]["participant_token"],
                 {"supported": False})
    assert r.json["supports"] == 0
    # not the answering perspective, not a third circle, not an unknown answer
    for token in (bond[1]["participant_token"], burger["participant_token"]):
        r = api.post(f"{base}/answers/{aid}/support", token, {},
                     headers={"Accept-Language": "nl"})
        assert r.status_code == 403 and r.json["error"]["message"]
    r = api.post(f"{base}/answers/bestaat-niet/support", raad[0]["participant_token"], {},
                 headers={"Accept-Language": "nl"})
    assert r.status_code == 404 and r.json["error"]["message"] == "Dit antwoord bestaat niet."
    assert api.post(f"{base}/answers/{aid}/support", raad[0]["participant_token"],
                    {"supported": "ja"}).status_code == 422
    s.goto("conclusions")
    assert api.post(f"{base}/answers/{aid}/support", raad[0]["participant_token"],
                    {}).status_code == 409
