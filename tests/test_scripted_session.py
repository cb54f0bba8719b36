"""A whole session from join to export: phones on Socket.IO, the facilitator
and organiser on the API, then the Markdown and JSON exports, the CLI export
and a restore of the archive into a new session."""

from __future__ import annotations

import json

from facilitator import cli
from tests.conftest import ORGANISER


def ok(answer):
    assert answer and answer["ok"], answer
    return answer


def test_join_to_export(make_session, sio, api, app, tmp_path, capsys, monkeypatch):
    s = make_session(title="Reflectiesessie Zwolle", place="Zwolle", date="2026-03-14")
    people = {"raad": s.join("raadslid"), "raad2": s.join("raadslid"),
              "bond": s.join("vakbond", name="Piet Jansen"), "burger": s.join("burger")}
    phones = {k: sio(v["participant_token"], s.code) for k, v in people.items()}
    screen = sio(s.screen, s.code)
    for step in ("welcome", "presentation", "circle"):
        s.goto(step)
    texts = {"raad": "Vertrouwen tussen raad en ambtenaren ontbreekt",
             "raad2": "De raad hoort veranderingen pas achteraf",
             "bond": "Medewerkers worden te laat betrokken bij reorganisaties",
             "burger": "Als burger merk ik weinig van de verandering"}
    ids = {}
    for who, text in texts.items():
        ids[who] = ok(phones[who].emit("post", {"text": text, "client_id": f"c-{who}"},
                                       callback=True))["reflection"]["id"]
    # a circle-mate sees the post live, others do not
    mate_events = [m["args"][0] for m in phones["raad2"].get_received() if m["name"] == "event"]
    assert texts["raad"] in str(mate_events)
    bond_events = [m["args"][0] for m in phones["bond"].get_received() if m["name"] == "event"]
    assert texts["raad"] not in str(bond_events)
    for who in ("raad", "bond", "burger"):
        ok(phones[who].emit("share", {"reflection": ids[who], "shared": True}, callback=True))
    s.goto("exchange")
    ok(phones["bond"].emit("react", {"reflection": ids["raad"], "kind": "agree"}, callback=True))
    ok(phones["burger"].emit("react", {"reflection": ids["raad"], "kind": "disagree",
                                       "text": "Niet in mijn ervaring"}, callback=True))
    ok(phones["raad"].emit("react", {"reflection": ids["bond"], "kind": "agree"}, callback=True))
    fac = sio(s.fac, s.code)
    ok(fac.emit("spotlight", {"reflection": ids["raad"]}, callback=True))
    ok(fac.emit("hide", {"reflection": ids["burger"], "hidden": True}, callback=True))
    s.goto("conclusions")
    conclusion = ok(fac.emit("conclude", {
        "text": "Vertrouwen groeit als medewerkers en raad eerder worden betrokken",
        "reflections": [ids["raad"], ids["bond"]]}, callback=True))["conclusion"]
    for who, kind in (("raad", "support"), ("bond", "support"), ("burger", "concern")):
        ok(phones[who].emit("endorse", {"conclusion": conclusion["id"], "kind": kind},
                            callback=True))
    s.goto("closing")
    final = [m["args"][0] for m in screen.get_received() if m["name"] == "event"]
    assert final and final[-1]["type"] == "resync"
    # Markdown export: visible content, no hidden reflection, no names by default
    md = api.get(f"/sessions/{s.code}/export?format=md", s.fac)
    assert md.status_code == 200
    text = md.get_data(as_text=True)
    assert "Reflectiesessie Zwolle" in text
    for who in ("raad", "bond"):
        assert texts[who] in text
    # the report handed on (board preset, the default) holds only what was shared
    assert texts["raad2"] not in text
    assert texts["burger"] not in text and "Piet Jansen" not in text
    research = api.get(f"/sessions/{s.code}/export?format=md&preset=onderzoek", s.fac)
    assert texts["raad2"] in research.get_data(as_text=True)
    assert api.get(f"/sessions/{s.code}/export?format=md&preset=x", s.fac).status_code == 422
    assert "Vertrouwen groeit als medewerkers en raad eerder worden betrokken" in text
    # the organiser may ask for names
    named = api.get(f"/sessions/{s.code}/export?format=md&names=1&preset=onderzoek", ORGANISER)
    assert "Piet Jansen" in named.get_data(as_text=True)
    assert "Piet Jansen" not in api.get(f"/sessions/{s.code}/export?format=md&names=1",
                                        ORGANISER).get_data(as_text=True)  # a reader's report
    assert "Piet Jansen" not in api.get(
        f"/sessions/{s.code}/export?format=md&names=1&preset=onderzoek",
        s.fac).get_data(as_text=True)
    # JSON archive: complete, versioned, no secrets
    archive = api.get(f"/sessions/{s.code}/export?format=json", s.fac).json
    assert archive["format"] == "facilitator-archive" and archive["version"] == 1
    assert len(archive["reflections"]) == 4 and len(archive["endorsements"]) == 3
    assert s.fac not in json.dumps(archive)
    assert all(p["participant_token"] not in json.dumps(archive) for p in people.values())
    # the CLI exports and restores it into a new session
    monkeypatch.setenv("FACILITATOR_STORE", app.config["FACILITATOR"]["STORE"])
    monkeypatch.setenv("FACILITATOR_ASYNC_MODE", "threading")
    out = tmp_path / "archive.json"
    assert cli.main(["export", s.code, "--format", "json", "-o", str(out)]) == 0
    capsys.readouterr()
    assert cli.main(["import", str(out)]) == 0
    restored = json.loads(capsys.readouterr().out)
    copy = api.get(f"/sessions/{restored['code']}/export?format=json",
                   restored["facilitator_token"]).json
    for key in ("reflections", "reactions", "conclusions", "endorsements"):
        assert copy[key] == archive[key]
