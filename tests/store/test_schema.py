"""The Redis store's schema version (``P:schema``): data written before the key existed
(tests/fixtures/redis-v1.json, every key a session with a series, registrations and
reflections left on Redis, written by the release before the key) is read by this one;
data of a newer release is refused on open and for new writes, and ``facilitator check``
names it. SQLite's ``user_version`` works the same way (tests/test_backup.py)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import redis

from facilitator import create_app
from facilitator.backup import backup, restore
from facilitator.check import problems
from facilitator.store import open_store
from facilitator.store.base import NewerSchema
from facilitator.store.redis import SCHEMA_VERSION, RedisStore
from tests.conftest import ORGANISER, UNLIMITED
from tests.test_check import good

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "redis-v1.json"


def _load_raw(url: str, prefix: str = "fac") -> dict:
    """Write the fixture's keys into Redis as the older release left them."""
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        for suffix, entry in fixture["keys"].items():
            key, value = f"{prefix}:{suffix}", entry["value"]
            if entry["type"] == "string":
                client.set(key, value)
            elif entry["type"] == "hash":
                client.hset(key, mapping=value)
            elif entry["type"] == "list":
                client.rpush(key, *value)
            elif entry["type"] == "set":
                client.sadd(key, *value)
            else:
                for entry_id, fields in value:
                    client.xadd(key, fields, id=entry_id)
    finally:
        client.close()
    return fixture


def test_reads_what_the_release_before_the_schema_key_wrote(clean_redis_url, tmp_path):
    fixture = _load_raw(clean_redis_url)
    code, series_id = fixture["code"], fixture["series"]
    app = create_app({"STORE": clean_redis_url, "TESTING": True, "ASYNC_MODE": "threading",
                      "ORGANISER_TOKEN": ORGANISER, "SECRET_KEY": "schema-secret" * 4,
                      "RATE_LIMITS": UNLIMITED})
    store = app.extensions["facilitator.store"]
    try:
        assert store.stored_schema() == 1 and store._r.get("fac:schema") is None
        data = app.extensions["facilitator.ops"].load(code)
        assert data.workshop.title == "Reflectiesessie Zwolle (oude Redis)"
        assert data.workshop.series == series_id and data.workshop.municipality == "Zwolle"
        assert sorted(r.text for r in data.reflections) == [
            "de werkdruk is echt te hoog, we lopen achter de feiten aan",
            "raadsleden krijgen stukken vaak te laat, dat moet anders"]
        assert [p.name for p in data.participants if p.name] == ["Anna de Vries"]
        assert [s["title"] for s in store.list_docs("series")] == [
            "Reeks De Veranderende Gemeente 2026"]
        # the personal link Pieter was sent still works, and the API reads it all
        pieter = next(r for r in store.records(code, "registration")
                      if r["name"] == "Pieter Bakker")
        client = app.test_client()
        assert client.get(f"/r/{code}/{pieter['token']}").status_code == 302
        snap = client.get(f"/api/sessions/{code}/snapshot", headers={
            "Authorization": f"Bearer {data.workshop.facilitator_token}"})
        assert snap.status_code == 200 and len(snap.json["participants"]) == 4
        listed = client.get(f"/api/series/{series_id}",
                            headers={"Authorization": f"Bearer {ORGANISER}"})
        assert [s["code"] for s in listed.json["sessions"]] == [code]
        # a new session stamps the version; the old data reads on as before
        assert client.post("/api/sessions", json={"title": "Nieuw"}, headers={
            "Authorization": f"Bearer {ORGANISER}"}).status_code == 201
        assert store._r.get("fac:schema") == str(SCHEMA_VERSION)
        # and it backs up like any data: into SQLite with its series and registrations
        backup(store, str(tmp_path / "old.json"))
        target = open_store(f"sqlite:///{tmp_path / 'moved.db'}")
        try:
            done = restore(target, str(tmp_path / "old.json"))
            assert done[0] == {"series": series_id, "restored": True,
                               "title": "Reeks De Veranderende Gemeente 2026"}
            moved = next(d for d in done if d.get("was") == code)
            assert moved["registrations"] == 2
        finally:
            target.close()
    finally:
        store.close()


def test_an_empty_store_carries_no_version_until_data_is_written(clean_redis_url):
    store = RedisStore.from_url(clean_redis_url)
    try:
        assert store.stored_schema() == 0 and not store.schema_pending
        store.put_doc("series", "s1", {"id": "s1", "title": "Reeks", "created_at": "2026"})
        assert store.stored_schema() == SCHEMA_VERSION
    finally:
        store.close()


def test_data_of_a_newer_release_is_refused(clean_redis_url, tmp_path):
    _load_raw(clean_redis_url)
    client = redis.Redis.from_url(clean_redis_url, decode_responses=True)
    client.set("fac:schema", SCHEMA_VERSION + 1)
    try:
        with pytest.raises(NewerSchema, match=f"schema {SCHEMA_VERSION + 1}.*update"):
            RedisStore.from_url(clean_redis_url)
        # a worker of this release still running when the newer one took over writes nothing
        running = RedisStore(redis.Redis.from_url(clean_redis_url, decode_responses=True))
        try:
            assert running.ping() is False  # its health check fails
            with pytest.raises(NewerSchema):
                running.create_workshop("NIEUW1", {"code": "NIEUW1", "title": "x"})
            with pytest.raises(NewerSchema):
                running.put_doc("series", "s2", {"id": "s2"})
            assert running.get_workshop("NIEUW1") is None
            assert running.get_doc("series", "s2") is None
        finally:
            running.close()
        # facilitator check says so in one line
        found, _ = problems(good(tmp_path, FACILITATOR_STORE=clean_redis_url))
        assert [line for line in found if "newer facilitator" in line] == [
            f"FACILITATOR_STORE {clean_redis_url} holds data of a newer facilitator (schema "
            f"{SCHEMA_VERSION + 1}; this release reads up to {SCHEMA_VERSION}): install that "
            "release or a newer one"], found
    finally:
        client.close()


def test_check_names_a_sqlite_file_of_a_newer_release(tmp_path):
    open_store(f"sqlite:///{tmp_path / 'ok.db'}").close()
    db = sqlite3.connect(tmp_path / "ok.db")
    db.execute("PRAGMA user_version=9")
    db.close()
    found, _ = problems(good(tmp_path))
    assert len(found) == 1 and "holds data of a newer facilitator (schema 9" in found[0], found
