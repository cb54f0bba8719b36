"""Rating the findings per perspective, before and after the dialogue (issue 11):
the rules per round and step, idempotence, bad input, what each role sees, pairing,
and the small-group rule on the screen — over HTTP and Socket.IO."""

from __future__ import annotations

import pytest

from tests.conftest import ORGANISER

FINDINGS = [
    {"id": "plan", "title": "Verandering verloopt zelden volgens plan"},
    {"id": "betekenis", "title": "Betekenisgeving verschilt per positie"},
    {"id": "vertrouwen", "title": "Vertrouwen als voorwaarde"},
]


@pytest.fixture
def session(make_session):
    return make_session(findings=FINDINGS)


def rate(api, s, token, finding="plan", **body):
    body.setdefault("round", "before")
    body.setdefault("score", 4)
    return api.post(f"/sessions/{s.code}/findings/{finding}/ratings", token, body)


def test_session_lists_its_findings(api, session):
    listed = api.get(f"/sessions/{session.code}").json["findings"]
    assert listed == [{"id": f["id"], "title": f["title"]} for f in FINDINGS]


def test_rounds_follow_the_steps(api, session):
    p = session.join("raadslid")["participant_token"]
    assert rate(api, session, p).status_code == 409  # welcome: nothing open
    session.goto("presentation")
    assert rate(api, session, p).status_code == 201
    assert rate(api, session, p, round="after").status_code == 409
    session.goto("circle")
    assert rate(api, session, p, finding="betekenis").status_code == 201
    session.goto("exchange")
    assert rate(api, session, p, finding="vertrouwen").status_code == 409
    session.goto("conclusions")
    assert rate(api, session, p, round="after").status_code == 201
    assert rate(api, session, p, round="before").status_code == 409
    # only participants rate
    assert rate(api, session, session.fac, round="after").status_code == 403
    assert rate(api, session, session.screen, round="after").status_code == 403


def test_the_facilitator_opens_and_closes_rounds_by_hand(api, session, sio):
    p = session.join("raadslid")["participant_token"]
    session.goto("exchange")
    assert rate(api, session, p).status_code == 409
    r = api.post(f"/sessions/{session.code}/findings/rounds", session.fac,
                 {"round": "before", "open": True})
    assert r.status_code == 200 and r.json["open_round"] == "before"
    assert rate(api, session, p).status_code == 201
    phone = sio(p, session.code)
    snap = phone.emit("sync", {}, callback=True)["snapshot"]
    assert snap["rating"]["open_round"] == "before"
    fac = sio(session.fac, session.code)
    ack = fac.emit("rating_round", {"round": "before", "open": False}, callback=True)
    assert ack["ok"] and ack["open_round"] is None
    assert rate(api, session, p, score=2).status_code == 409
    session.goto("presentation")  # closed by hand stays closed in its own step
    assert rate(api, session, p, score=2).status_code == 409
    fac.emit("rating_round", {"round": "before", "open": None}, callback=True)
    assert rate(api, session, p, score=2).status_code == 200  # replaces the first one
    # participants and screens cannot open rounds
    assert api.post(f"/sessions/{session.code}/findings/rounds", p,
                    {"round": "after", "open": True}).status_code == 403


def test_rating_again_replaces_and_the_same_client_id_never_duplicates(api, session, sio):
    p = session.join("vakbond")["participant_token"]
    session.goto("presentation")
    first = rate(api, session, p, score=2, client_id="c-1", text="klopt niet hoor")
    assert first.status_code == 201
    again = rate(api, session, p, score=2, client_id="c-1", text="klopt niet hoor")
    assert again.status_code == 200 and again.json == first.json
    seq = api.get(f"/sessions/{session.code}/snapshot", session.fac).json["seq"]
    changed = rate(api, session, p, score=None, client_id="c-2")  # geen mening
    assert changed.status_code == 200 and changed.json["score"] is None
    phone = sio(p, session.code)
    ack = phone.emit("rate", {"finding": "plan", "round": "before", "score": 5,
                              "client_id": "c-3"}, callback=True)
    assert ack["ok"] and ack["created"] is False and ack["rating"]["score"] == 5
    assert phone.emit("rate", {"finding": "plan", "round": "before", "score": 5,
                               "client_id": "c-3"}, callback=True)["ok"]
    snap = api.get(f"/sessions/{session.code}/snapshot", session.fac).json
    # ratings number no events (no tick to every phone per rating): the sequence stands
    assert snap["seq"] == seq
    plan = snap["rating"]["results"]["findings"][0]["rounds"]["before"]
    assert plan["n"] == 1 and plan["mean"] == 5


@pytest.mark.parametrize("body,status", [
    ({"round": "before", "score": 0}, 422),
    ({"round": "before", "score": 6}, 422),
    ({"round": "before", "score": "5"}, 422),
    ({"round": "before", "score": 4.5}, 422),
    ({"round": "before", "score": True}, 422),
    ({"round": "during", "score": 3}, 422),
    ({"round": "before", "score": 3, "text": "x" * 281}, 422),
    ({"round": "before", "score": 3, "text": "nou " * 2500}, 422),
    ({"round": "before", "score": 3, "extra": 1}, 422),
])
def test_bad_ratings_get_a_clear_error_and_nothing_is_stored(api, session, body, status):
    p = session.join("burger")["participant_token"]
    session.goto("presentation")
    r = api.post(f"/sessions/{session.code}/findings/plan/ratings", p, body)
    assert r.status_code == status and r.json["error"]["message"]
    snap = api.get(f"/sessions/{session.code}/snapshot", session.fac).json
    assert snap["rating"]["results"]["findings"][0]["rounds"]["before"]["n"] == 0


def test_unknown_finding_is_404(api, session):
    p = session.join("burger")["participant_token"]
    session.goto("presentation")
    r = rate(api, session, p, finding="bestaat-niet")
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


def test_who_sees_what(api, session, sio):
    raad = [session.join("raadslid")["participant_token"] for _ in range(3)]
    clerk = session.join("gemeentesecretaris")["participant_token"]
    session.goto("presentation")
    for token, score in zip(raad, (5, 4, 4), strict=True):
        rate(api, session, token, score=score, text="herken ik wel, bij ons ook zo")
    rate(api, session, clerk, score=1, text="Als secretaris zie ik dat echt anders")
    url = f"/sessions/{session.code}/findings/results"
    # participants: 403; they see only their own ratings
    assert api.get(url, raad[0]).status_code == 403
    mine = api.get(f"/sessions/{session.code}/snapshot", clerk).json
    assert mine["my_ratings"] == {"plan": {"before": {"score": 1, "text":
                                                      "Als secretaris zie ik dat echt anders"}}}
    assert "results" not in mine["rating"]
    # the facilitator and the organiser: everything, with the reasons
    for token in (session.fac, ORGANISER):
        full = api.get(url, token).json["findings"][0]
        ids = {p["id"]: p for p in full["rounds"]["before"]["perspectives"]}
        assert ids["gemeentesecretaris"]["mean"] == 1 and ids["raadslid"]["n"] == 3
        assert {r["id"] for r in full["reasons"]} == {"raadslid", "gemeentesecretaris"}
    # the screen: the lone town clerk is neither shown nor in the total, no reasons
    screen = api.get(url, session.screen).json["findings"][0]
    before = screen["rounds"]["before"]
    assert [p["id"] for p in before["perspectives"]] == ["raadslid"]
    assert before["n"] == 3 and before["mean"] == 4.33 and before["withheld"] is True
    assert "reasons" not in screen
    assert "secretaris" not in str(api.get(url, session.screen).json)
    # live: the screen learns only that results changed, the console gets the rating,
    # the rater's own other device gets it, other phones hear nothing
    screen_client = sio(session.screen, session.code)
    console = sio(session.fac, session.code)
    own_other_device = sio(clerk, session.code)
    other_phone = sio(raad[0], session.code)
    for client in (screen_client, console, own_other_device, other_phone):
        client.get_received()
    rate(api, session, clerk, score=2, text="toch iets herkenbaarder")
    received = {name: client.get_received() for name, client in (
        ("screen", screen_client), ("console", console), ("own", own_other_device),
        ("other", other_phone))}
    assert [m["args"][0] for m in received["screen"]] == [{"type": "rating"}]
    assert received["console"][0]["args"][0]["rating"]["text"] == "toch iets herkenbaarder"
    assert received["own"][0]["args"][0]["rating"]["score"] == 2
    assert received["other"] == []
    assert all(m["name"] == "notice" for ms in received.values() for m in ms)


def test_shift_pairs_each_person_with_themselves(api, session):
    raad = [session.join("raadslid")["participant_token"] for _ in range(3)]
    bond = [session.join("vakbond")["participant_token"] for _ in range(3)]
    late = session.join("vakbond")["participant_token"]
    session.goto("presentation")
    for token, score in zip(raad + bond, (2, 2, 3, 5, 5, 4), strict=True):
        rate(api, session, token, score=score)
    session.goto("conclusions")
    for token, score in zip(raad + bond, (4, 3, 3, 4, 4, 4), strict=True):
        rate(api, session, token, round="after", score=score)
    rate(api, session, late, round="after", score=1)  # no before rating: not paired
    result = api.get(f"/sessions/{session.code}/findings/results", session.fac).json
    shift = result["findings"][0]["shift"]
    by = {p["id"]: p for p in shift["perspectives"]}
    assert by["raadslid"] == {"id": "raadslid", "label": "Raadslid", "n_paired": 3,
                              "mean_delta": 1.0}
    assert by["vakbond"]["n_paired"] == 3 and by["vakbond"]["mean_delta"] == -0.67
    assert shift["n_paired"] == 6
    before, after = (result["findings"][0]["rounds"][r] for r in ("before", "after"))
    # before 2.33 against 4.67; after 3.33 against 3.25 (the late vakbond member counts
    # in the round, not in the shift): the perspectives came together
    assert before["spread"] == 2.33 and after["spread"] == 0.08
    assert result["dividing"] == [] and result["uniting"] == []  # after: mean 3.29 < 3.5
