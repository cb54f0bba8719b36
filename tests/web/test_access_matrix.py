"""The whole matrix role x step kind x action over HTTP and over Socket.IO:
each call must succeed exactly when the rules (as the issue states them) allow
it, and be refused with a 4xx or an error answer otherwise.  Tokens of another
role, of another session, or none, never get in."""

from __future__ import annotations

import pytest

from tests.conftest import ORGANISER
from tests.expected_rules import EXPECTED, KINDS

ROLES = ["organiser", "facilitator", "screen", "participant", "stranger", "none"]
DIALOGUE = ["ask", "support", "answer", "support_answer", "questions", "spotlight_question",
            "harvest", "share_harvest", "tables"]
HTTP_ACTIONS = ["post", "share", "react", "endorse", "conclude", "lock", "spotlight", "hide",
                "snapshot", "export", "edit", "spotlight_reason", *DIALOGUE]
SOCKET_ACTIONS = ["post", "share", "react", "endorse", "conclude", "lock", "spotlight", "hide",
                  "group", "spotlight_reason", *DIALOGUE]


@pytest.fixture
def world(make_session, api):
    s = make_session()
    other = make_session()  # a second session: its tokens must not work here
    a, b = s.join("raadslid"), s.join("vakbond")
    s.goto("circle")
    ra = s.post(a["participant_token"], "Van de raad").json["id"]
    rb = s.post(b["participant_token"], "Van de bond").json["id"]
    for token, rid in ((a["participant_token"], ra), (b["participant_token"], rb)):
        api.post(f"/sessions/{s.code}/reflections/{rid}/share", token, {})
    # a question of the participant's own circle, and one put to its perspective
    qa = api.post(f"/sessions/{s.code}/questions", a["participant_token"],
                  {"to": "vakbond", "text": "Hoe merken jullie dat?"}).json["id"]
    qb = api.post(f"/sessions/{s.code}/questions", b["participant_token"],
                  {"to": "raadslid", "text": "Waarom zo laat?"}).json["id"]
    s.goto("exchange")
    answer = api.post(f"/sessions/{s.code}/questions/{qa}/answers", b["participant_token"],
                      {"text": "Pas als het in de krant staat"}).json["id"]
    s.goto("conclusions")
    conclusion = api.post(f"/sessions/{s.code}/conclusions", s.fac, {"text": "C"}).json["id"]
    api.post(f"/sessions/{s.code}/tables", s.fac, {"size": 2, "seed": 1})
    harvest = api.post(f"/sessions/{s.code}/tables/1/harvest", a["participant_token"],
                       {"text": "Iedereen wil eerder betrokken worden"}).json["id"]
    tokens = {"organiser": ORGANISER, "facilitator": s.fac, "screen": s.screen,
              "participant": a["participant_token"], "stranger": other.fac, "none": None}
    return {"s": s, "api": api, "ra": ra, "rb": rb, "conclusion": conclusion,
            "qa": qa, "qb": qb, "answer": answer, "harvest": harvest, "tokens": tokens}


def http_call(world, action, token):
    api, code = world["api"], world["s"].code
    base = f"/sessions/{code}"
    calls = {
        "post": lambda: api.post(f"{base}/reflections", token, {"text": "Nieuw"}),
        "share": lambda: api.post(f"{base}/reflections/{world['ra']}/share", token,
                                  {"shared": True}),
        "react": lambda: api.post(f"{base}/reflections/{world['rb']}/reactions", token,
                                  {"kind": "agree"}),
        "endorse": lambda: api.post(f"{base}/conclusions/{world['conclusion']}/endorsements",
                                    token, {"kind": "support"}),
        "conclude": lambda: api.post(f"{base}/conclusions", token, {"text": "Nog een"}),
        "lock": lambda: api.post(f"{base}/lock", token, {"locked": False}),
        "spotlight": lambda: api.post(f"{base}/spotlight", token, {"reflection": world["rb"]}),
        "hide": lambda: api.post(f"{base}/reflections/{world['rb']}/hide", token,
                                 {"hidden": False}),
        "snapshot": lambda: api.get(f"{base}/snapshot", token),
        "export": lambda: api.get(f"{base}/export?format=json", token),
        "edit": lambda: api.patch(base, token, {"place": "Zwolle"}),
        "spotlight_reason": lambda: api.post(f"{base}/spotlight/reason", token,
                                             {"reaction": None}),
        "ask": lambda: api.post(f"{base}/questions", token,
                                {"to": "burger", "text": "Zijn jullie er ook?"}),
        "support": lambda: api.post(f"{base}/questions/{world['qa']}/support", token, {}),
        "answer": lambda: api.post(f"{base}/questions/{world['qb']}/answers", token,
                                   {"text": "Omdat het zo liep"}),
        "support_answer": lambda: api.post(f"{base}/answers/{world['answer']}/support",
                                           token, {}),
        "questions": lambda: api.get(f"{base}/questions", token),
        "spotlight_question": lambda: api.post(f"{base}/spotlight/question", token,
                                               {"question": world["qa"]}),
        "harvest": lambda: api.post(f"{base}/tables/1/harvest", token, {"text": "Opvallend"}),
        "share_harvest": lambda: api.post(f"{base}/harvests/{world['harvest']}/share", token,
                                          {"shared": True}),
        "tables": lambda: api.post(f"{base}/tables", token, {"size": 2, "seed": 1}),
    }
    return calls[action]()


SOCKET_PAYLOADS = {
    "post": lambda w: ("post", {"text": "Nieuw"}),
    "share": lambda w: ("share", {"reflection": w["ra"], "shared": True}),
    "react": lambda w: ("react", {"reflection": w["rb"], "kind": "agree"}),
    "endorse": lambda w: ("endorse", {"conclusion": w["conclusion"], "kind": "support"}),
    "conclude": lambda w: ("conclude", {"text": "Nog een"}),
    "lock": lambda w: ("lock", {"locked": False}),
    "spotlight": lambda w: ("spotlight", {"reflection": w["rb"]}),
    "hide": lambda w: ("hide", {"reflection": w["rb"], "hidden": False}),
    "group": lambda w: ("group", {"name": "Samen", "reflections": [w["ra"], w["rb"]]}),
    "spotlight_reason": lambda w: ("spotlight_reason", {"reaction": None}),
    "ask": lambda w: ("ask", {"to": "burger", "text": "Zijn jullie er ook?"}),
    "support": lambda w: ("support", {"question": w["qa"]}),
    "answer": lambda w: ("answer", {"question": w["qb"], "text": "Omdat het zo liep"}),
    "support_answer": lambda w: ("support_answer", {"answer": w["answer"]}),
    "questions": lambda w: ("questions", {}),
    "spotlight_question": lambda w: ("spotlight_question", {"question": w["qa"]}),
    "harvest": lambda w: ("harvest", {"table": 1, "text": "Opvallend"}),
    "share_harvest": lambda w: ("share_harvest", {"harvest": w["harvest"], "shared": True}),
    "tables": lambda w: ("tables", {"size": 2, "seed": 1}),
}


@pytest.mark.parametrize("kind", KINDS)
def test_matrix_over_http(world, kind):
    s = world["s"]
    s.goto(kind)
    wrong = []
    for action in HTTP_ACTIONS:
        per_role = EXPECTED[action]
        for role in ROLES:
            response = http_call(world, action, world["tokens"][role])
            expected = kind in per_role.get(role, set())
            ok = response.status_code < 300
            if ok != expected or (not ok and not 400 <= response.status_code < 500):
                wrong.append((action, role, kind, response.status_code))
            if not ok:
                assert response.json["error"]["message"]
    assert wrong == []


@pytest.mark.parametrize("kind", KINDS)
def test_matrix_over_socketio(world, sio, kind):
    s = world["s"]
    s.goto(kind)
    clients = {}
    for role in ("facilitator", "screen", "participant"):
        clients[role] = sio(world["tokens"][role], s.code)
        assert clients[role].is_connected()
    # the organiser secret also opens a socket (read everything, moderate)
    clients["organiser"] = sio(ORGANISER, s.code)
    # a token of another session, or none, is refused at the door
    assert not sio(world["tokens"]["stranger"], s.code).is_connected()
    assert not sio(None).is_connected()
    wrong = []
    for action in SOCKET_ACTIONS:
        for role, client in clients.items():
            name, payload = SOCKET_PAYLOADS[action](world)
            answer = client.emit(name, payload, callback=True)
            expected = kind in EXPECTED[action].get(role, set())
            if answer["ok"] != expected:
                wrong.append((action, role, kind, answer.get("error")))
            if not answer["ok"]:
                assert answer["error"]["code"] in {"forbidden", "not_allowed_now", "not_found"}
    assert wrong == []
    for client in clients.values():
        assert client.is_connected()  # refusals never drop the connection
