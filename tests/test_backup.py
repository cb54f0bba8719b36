"""Backups and restores on SQLite and Redis (sessions with their registrations, and the
series they belong to), reading what an older release wrote
(tests/fixtures/backup-v1.json, written by the release that introduced backups), and
refusing what a newer one wrote."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from facilitator import create_app
from facilitator.backup import BackupError, backup, dump, restore
from facilitator.store import open_store
from tests.conftest import ORGANISER, UNLIMITED

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(params=["sqlite", "redis"])
def app(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'live.db'}"
    else:
        url = request.getfixturevalue("clean_redis_url")
    application = create_app({"STORE": url, "TESTING": True, "ASYNC_MODE": "threading",
                              "ORGANISER_TOKEN": ORGANISER, "SECRET_KEY": "backup-secret" * 4,
                              "RATE_LIMITS": UNLIMITED})
    application.kind = request.param
    yield application
    application.extensions["facilitator.store"].close()


#: an event's registration list: names are personal data, kept by a backup, in no export
REGISTERED = [
    {"naam": "Fatma Yılmaz", "organisatie": "Gemeente Deventer", "functie": "raadslid"},
    {"naam": "Kees van den Berg", "organisatie": "Gemeente Deventer",
     "functie": "wethouder financien"},
]


def _session(client) -> tuple[dict, list[dict]]:
    """A session of a series, with two registrations (one used) and two reflections."""
    h = {"Authorization": f"Bearer {ORGANISER}"}
    series = client.post("/api/series", json={"title": "Reeks De Veranderende Gemeente"},
                          headers=h)
    assert series.status_code == 201, series.json
    s = client.post(f"/api/series/{series.json['id']}/sessions",
                    json={"title": "Back-up", "municipality": "Deventer"}, headers=h).json
    s["series"] = series.json["id"]
    code = s["code"]
    reg = client.post(f"/api/sessions/{code}/registrations", json={"rows": REGISTERED},
                      headers=h)
    assert reg.status_code == 200 and reg.json["matched"] == 2, reg.json
    fatma = next(p for p in reg.json["participants"] if p["name"] == "Fatma Yılmaz")
    assert client.get(fatma["join_url"].split("localhost", 1)[1]).status_code == 302
    people = [client.post(f"/api/sessions/{code}/participants",
                          json={"perspective": p}).json for p in ("raadslid", "vakbond")]
    steps = client.get(f"/api/sessions/{code}").json["steps"]
    circle = next(x for x in steps if x["kind"] == "circle")
    fac = {"Authorization": f"Bearer {s['facilitator_token']}"}
    assert client.post(f"/api/sessions/{code}/steps/current", json={"step": circle["id"]},
                       headers=fac).status_code == 200
    for i, p in enumerate(people):
        r = client.post(f"/api/sessions/{code}/reflections", json={"text": f"Tekst {i}"},
                        headers={"Authorization": f"Bearer {p['participant_token']}"})
        assert r.status_code == 201, r.json
    return s, people


def _texts(store, code: str) -> list[str]:
    return sorted(r["text"] for r in store.records(code, "reflection"))


def _registered(store, code: str) -> dict[str, dict]:
    return {r["name"]: r for r in store.records(code, "registration")}


def _restored_registrations(app, store, code: str, before: dict[str, dict]) -> None:
    """Names, perspectives and the participant who used a link are back; every personal
    link is a new one (archives hold no secrets), it works, and it is still the same person."""
    after = _registered(store, code)
    assert sorted(after) == ["Fatma Yılmaz", "Kees van den Berg"]
    for name, old in before.items():
        new = after[name]
        assert {k: new[k] for k in ("id", "organisation", "function", "perspective",
                                    "participant")} == \
               {k: old[k] for k in ("id", "organisation", "function", "perspective",
                                    "participant")}
        assert new["token"] and new["token"] != old["token"]
    fatma = after["Fatma Yılmaz"]
    assert fatma["participant"] and \
        store.get(code, "participant", fatma["participant"])["name"] == "Fatma Yılmaz"
    people = store.count(code, "participant")
    assert app.test_client().get(f"/r/{code}/{fatma['token']}").status_code == 302
    assert app.test_client().get(f"/r/{code}/{before['Fatma Yılmaz']['token']}"
                                 ).status_code == 404
    assert store.count(code, "participant") == people  # the same participant as before


def test_backup_and_restore(app, tmp_path):
    store = app.extensions["facilitator.store"]
    session, _ = _session(app.test_client())
    code = session["code"]
    series = store.list_docs("series")
    registered = _registered(store, code)
    assert len(series) == 1 and len(registered) == 2
    path = tmp_path / ("backup.db" if app.kind == "sqlite" else "backup.json")
    written = backup(store, str(path))
    assert written["sessions"] == 1 and written["series"] == 1 and path.stat().st_size > 0

    if app.kind == "sqlite":
        # into an empty SQLite store: the same database, secret links kept
        target = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
        try:
            assert restore(target, str(path)) == [{"code": code, "links": "kept"}]
            assert _texts(target, code) == ["Tekst 0", "Tekst 1"]
            assert target.get_workshop(code)["facilitator_token"] == session["facilitator_token"]
            assert target.seq(code) == store.seq(code)
            assert target.list_docs("series") == series
            assert _registered(target, code) == registered  # personal links kept too
            with pytest.raises(BackupError, match="not empty"):
                restore(target, str(path))
        finally:
            target.close()
    else:
        written = json.loads(path.read_text())
        assert written["format"] == "facilitator-backup" and written["version"] == 2
        assert "token" not in json.dumps(written["sessions"][0]["registrations"])
        store._r.flushdb()  # Redis lost everything
        assert store.get_workshop(code) is None
        [series_done, done] = restore(store, str(path))
        assert series_done == {"series": session["series"],
                               "title": "Reeks De Veranderende Gemeente", "restored": True}
        assert done["code"] == code and done["was"] == code and done["registrations"] == 2
        assert _texts(store, code) == ["Tekst 0", "Tekst 1"]
        assert store.list_docs("series") == series
        assert store.get_workshop(code)["series"] == session["series"]
        # archives hold no secrets: the restored session has new links
        assert done["facilitator_token"] != session["facilitator_token"]
        _restored_registrations(app, store, code, registered)
        # a second restore keeps the first: the same sessions come back under new codes,
        # in the series already there
        [series_again, again] = restore(store, str(path))
        assert series_again["restored"] is False and len(store.list_docs("series")) == 1
        assert again["code"] != code and _texts(store, again["code"]) == ["Tekst 0", "Tekst 1"]
        assert sorted(_registered(store, again["code"])) == ["Fatma Yılmaz",
                                                              "Kees van den Berg"]


def test_a_sqlite_backup_restores_into_redis_too(tmp_path, clean_redis_url):
    source = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    app = create_app({"STORE": f"sqlite:///{tmp_path / 'a.db'}", "TESTING": True,
                      "ASYNC_MODE": "threading", "ORGANISER_TOKEN": ORGANISER,
                      "SECRET_KEY": "backup-secret" * 4, "RATE_LIMITS": UNLIMITED})
    session, _ = _session(app.test_client())
    registered = _registered(app.extensions["facilitator.store"], session["code"])
    backup(app.extensions["facilitator.store"], str(tmp_path / "b.db"))
    app.extensions["facilitator.store"].close()
    source.close()
    redis_app = create_app({"STORE": clean_redis_url, "TESTING": True,
                            "ASYNC_MODE": "threading", "ORGANISER_TOKEN": ORGANISER,
                            "SECRET_KEY": "backup-secret" * 4, "RATE_LIMITS": UNLIMITED})
    target = redis_app.extensions["facilitator.store"]
    try:
        [series, done] = restore(target, str(tmp_path / "b.db"))
        assert series["series"] == session["series"] and series["restored"]
        assert done["code"] == session["code"]
        assert _texts(target, session["code"]) == ["Tekst 0", "Tekst 1"]
        _restored_registrations(redis_app, target, session["code"], registered)
    finally:
        target.close()


def test_registrations_are_in_a_backup_only(tmp_path):
    """Names are personal data: the exported archive (with or without names) carries no
    registrations; only a backup's archive does, and never with its names left out."""
    from facilitator.domain.export import archive, render

    app = create_app({"STORE": f"sqlite:///{tmp_path / 'a.db'}", "TESTING": True,
                      "ASYNC_MODE": "threading", "ORGANISER_TOKEN": ORGANISER,
                      "SECRET_KEY": "backup-secret" * 4, "RATE_LIMITS": UNLIMITED})
    store = app.extensions["facilitator.store"]
    try:
        session, _ = _session(app.test_client())
        data = app.extensions["facilitator.ops"].load(session["code"])
        for names in (False, True):
            text = render(data, "json", names=names).content.decode("utf-8")
            assert "registrations" not in json.loads(text)
            assert "Kees van den Berg" not in text  # registered, never came
            # Fatma came through her link: her display name only when names are asked for
            assert ("Fatma Yılmaz" in text) is names
        assert "Fatma Yılmaz" not in render(data, "json").content.decode()  # the default
        with pytest.raises(ValueError, match="registrations are names"):
            archive.to_archive(data, names=False, registrations=[])
        backup(store, str(tmp_path / "b.db"))
        bundle = dump(store)
        assert sorted(r["name"] for r in bundle["sessions"][0]["registrations"]) == [
            "Fatma Yılmaz", "Kees van den Berg"]
        # a broken registration is refused before anything is written
        bundle["sessions"][0]["registrations"][0]["participant"] = "nobody"
        (tmp_path / "broken.json").write_text(json.dumps(bundle))
        target = open_store(f"sqlite:///{tmp_path / 'c.db'}")
        try:
            with pytest.raises(BackupError, match="session 1 of the backup: Invalid archive: "
                               "registration .* refers to a missing participant"):
                restore(target, str(tmp_path / "broken.json"))
            assert target.list_workshops() == [] and target.list_docs("series") == []
        finally:
            target.close()
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_reads_the_backup_an_older_release_wrote(kind, tmp_path, request):
    url = (f"sqlite:///{tmp_path / 'x.db'}" if kind == "sqlite"
           else request.getfixturevalue("clean_redis_url"))
    store = open_store(url)
    try:
        [done] = restore(store, str(FIXTURES / "backup-v1.json"))
        code = done["code"]
        assert store.get_workshop(code)["title"] == "Reflectiesessie Oude Back-up"
        assert _texts(store, code) == [f"Reflectie {i} uit de oude versie" for i in (1, 2, 3)]
        assert len(store.records(code, "participant")) == 3
    finally:
        store.close()


def test_refuses_what_a_newer_release_wrote(tmp_path):
    newer = json.loads((FIXTURES / "backup-v1.json").read_text())
    newer["version"] = 99
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with pytest.raises(BackupError, match="version 99.*update the facilitator"):
            restore(store, str(tmp_path / "newer.json"))
        with pytest.raises(BackupError, match="not a facilitator backup"):
            (tmp_path / "junk.json").write_text("{}")
            restore(store, str(tmp_path / "junk.json"))
        assert store.list_workshops() == []
    finally:
        store.close()
    db = sqlite3.connect(tmp_path / "x.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1  # the schema version
    db.execute("PRAGMA user_version=7")
    db.close()
    with pytest.raises(RuntimeError, match="newer facilitator"):
        open_store(f"sqlite:///{tmp_path / 'x.db'}")
