"""Every route and every Socket.IO event asks the rules table, with a step kind,
before it acts (issue 18): no hand-written role check, no check without a step.

The rules module is instrumented: each lookup of ``RULES`` and each step kind it
is judged in is recorded, and a check without a step kind fails the test. Then
every URL rule of the app and every Socket.IO event is called once with an actor
that may use it; each must have consulted the table, except the few public
routes listed below, each with the reason it needs no rule.
"""

from __future__ import annotations

import re

import pytest

from facilitator.actions import ACTIONS
from facilitator.domain import rules
from facilitator.realtime import socketio
from tests.conftest import ORGANISER

#: endpoint -> why it acts for nobody in particular (no rule to ask)
PUBLIC = {
    "static": "files",
    "vendor": "third-party browser files",
    "healthz": "liveness for load balancers",
    "metrics": "the operator's Prometheus metrics: its own bearer token, no session data",
    "participant.index": "the page to type a code on",
    "participant.join": "looks a typed code up and redirects",
    "participant.join_code": "the join form; joining itself asks the table (join)",
    "participant.accessibility": "the accessibility statement",
    "organiser.login": "signs in",
    "organiser.logout": "signs out",
    "facilitator.enter": "exchanges a secret link for a cookie",
    "screen.enter": "exchanges a secret link for a cookie",
    "participant.personal": "exchanges a personal link for a cookie; joining asks (join)",
    "api.get_session": "the public programme a phone reads before joining",
}


@pytest.fixture
def asked(monkeypatch):
    """Records every action looked up in the rules table and every step kind judged."""
    seen: list = []
    judge = rules.step_kind

    class Recording(dict):
        def __getitem__(self, action):
            seen.append(action)
            return super().__getitem__(action)

    def step_kind(kind):
        if kind is None:
            raise AssertionError("a rules check without a step kind")
        seen.append(kind)
        return judge(kind)

    monkeypatch.setattr(rules, "RULES", Recording(rules.RULES))
    monkeypatch.setattr(rules, "step_kind", step_kind)
    return seen


def _fill(rule: str, world: dict) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: world[m.group(1)], rule)


@pytest.fixture
def world(make_session, api):
    s = make_session()
    p = s.join("raadslid")
    s.goto("circle")
    rid = s.post(p["participant_token"], "Wij als raad horen het vaak pas achteraf").json["id"]
    s.goto("conclusions")
    cid = api.post(f"/sessions/{s.code}/conclusions", s.fac, {"text": "Eerder betrekken"}).json[
        "id"]
    return {"session": s, "participant": p, "code": s.code, "reflection": rid,
            "conclusion": cid, "finding": "f1", "series_id": "geen-reeks", "token": s.fac,
            "question": "geen-vraag", "answer": "geen-antwoord", "table": "1",
            "harvest": "geen-oogst",
            "filename": "css/app.css", "name": "socket.io.min.js",
            "path:filename": "css/app.css"}


def _client_for(app, endpoint: str, world: dict):
    """A browser with the cookie of the role a page is for."""
    client = app.test_client()
    s = world["session"]
    if endpoint.startswith("organiser."):
        client.post("/organiser/login", data={"token": ORGANISER})
    elif endpoint.startswith(("facilitator.", "screen.")):
        client.get(f"/f/{s.code}/{s.fac}")
    elif endpoint.startswith("participant."):
        client.set_cookie(f"fac_p_{s.code}", world["participant"]["participant_token"])
    return client


#: API routes of the organiser (the rest take the facilitator's token)
ORGANISER_ROUTES = {"api.create_session", "api.list_sessions", "api.edit_session",
                    "api.delete_session", "api.create_series", "api.list_series",
                    "api.get_series", "api.add_series_session", "api.series_synthesis",
                    "api.series_export"}
#: routes that end what the others need (the links, the session): called last
LAST = ["api.action_rotate_links", "organiser.rotate"]


def test_every_route_asks_the_rules_table(app, world, asked):
    called, silent = [], []
    url_rules = sorted(app.url_map.iter_rules(),
                       key=lambda r: LAST.index(r.endpoint) if r.endpoint in LAST else -1)
    for url_rule in url_rules:
        endpoint = url_rule.endpoint
        if endpoint in PUBLIC:
            continue
        method = "GET" if "GET" in url_rule.methods else sorted(
            url_rule.methods - {"HEAD", "OPTIONS"})[0]
        place = world
        if endpoint in ("api.delete_session", "organiser.delete"):  # each deletes one of its own
            place = {**world, "code": app.test_client().post(
                "/api/sessions", json={"title": "Weg"},
                headers={"Authorization": f"Bearer {ORGANISER}"}).json["code"]}
        path = _fill(url_rule.rule, place)
        client = _client_for(app, endpoint, world)
        token = ORGANISER if endpoint in ORGANISER_ROUTES else world["token"]
        headers = {"Authorization": f"Bearer {token}"}
        asked.clear()
        response = client.open(path, method=method, headers=headers,
                               json={} if method in ("POST", "PATCH") and endpoint.startswith(
                                   "api.") else None)
        assert response.status_code < 500, (endpoint, response.status_code)
        if not any(isinstance(x, rules.Action) for x in asked):
            silent.append(f"{endpoint} ({method} {path})")
        called.append(endpoint)
    assert not silent, f"acted without asking the rules table: {silent}"
    assert "api.action_post" in called and "organiser.edit" in called


def test_every_socket_event_asks_the_rules_table(world, sio, asked):
    s = world["session"]
    events = set(socketio.server.handlers["/"]) - {"connect", "disconnect", "*"}
    assert events == {a.name for a in ACTIONS}  # nothing served outside the registry
    fac = sio(s.fac, s.code)
    for action in sorted(ACTIONS, key=lambda a: a.name == "rotate_links"):
        asked.clear()
        ack = fac.emit(action.name, {}, callback=True)
        assert isinstance(ack, dict), action.name
        assert action.rule in asked, f"{action.name} did not ask {action.rule}"


def test_registry_actions_name_rules_of_the_table():
    for action in ACTIONS:
        assert action.rule in rules.RULES, action.name
