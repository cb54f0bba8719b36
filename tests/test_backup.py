"""Backups and restores on SQLite and Redis, reading what an older release wrote
(tests/fixtures/backup-v1.json, written by the release that introduced backups), and
refusing what a newer one wrote."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from facilitator import create_app
from facilitator.backup import BackupError, backup, restore
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


def _session(client) -> tuple[dict, list[dict]]:
    h = {"Authorization": f"Bearer {ORGANISER}"}
    s = client.post("/api/sessions", json={"title": "Back-up"}, headers=h).json
    code = s["code"]
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


def test_backup_and_restore(app, tmp_path):
    store = app.extensions["facilitator.store"]
    session, _ = _session(app.test_client())
    code = session["code"]
    path = tmp_path / ("backup.db" if app.kind == "sqlite" else "backup.json")
    written = backup(store, str(path))
    assert written["sessions"] == 1 and path.stat().st_size > 0

    if app.kind == "sqlite":
        # into an empty SQLite store: the same database, secret links kept
        target = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
        try:
            assert restore(target, str(path)) == [{"code": code, "links": "kept"}]
            assert _texts(target, code) == ["Tekst 0", "Tekst 1"]
            assert target.get_workshop(code)["facilitator_token"] == session["facilitator_token"]
            assert target.seq(code) == store.seq(code)
            with pytest.raises(BackupError, match="not empty"):
                restore(target, str(path))
        finally:
            target.close()
    else:
        assert json.loads(path.read_text())["format"] == "facilitator-backup"
        store._r.flushdb()  # Redis lost everything
        assert store.get_workshop(code) is None
        [done] = restore(store, str(path))
        assert done["code"] == code and done["was"] == code
        assert _texts(store, code) == ["Tekst 0", "Tekst 1"]
        # archives hold no secrets: the restored session has new links
        assert done["facilitator_token"] != session["facilitator_token"]
        # a second restore keeps the first: the same sessions come back under new codes
        [again] = restore(store, str(path))
        assert again["code"] != code and _texts(store, again["code"]) == ["Tekst 0", "Tekst 1"]


def test_a_sqlite_backup_restores_into_redis_too(tmp_path, clean_redis_url):
    source = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    app = create_app({"STORE": f"sqlite:///{tmp_path / 'a.db'}", "TESTING": True,
                      "ASYNC_MODE": "threading", "ORGANISER_TOKEN": ORGANISER,
                      "SECRET_KEY": "backup-secret" * 4, "RATE_LIMITS": UNLIMITED})
    session, _ = _session(app.test_client())
    backup(app.extensions["facilitator.store"], str(tmp_path / "b.db"))
    app.extensions["facilitator.store"].close()
    source.close()
    target = open_store(clean_redis_url)
    try:
        [done] = restore(target, str(tmp_path / "b.db"))
        assert done["code"] == session["code"]
        assert _texts(target, session["code"]) == ["Tekst 0", "Tekst 1"]
    finally:
        target.close()


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
