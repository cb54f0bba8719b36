"""The JSON archive: exact round trip, restore into a store, validation of bad input."""

from __future__ import annotations

import copy
import itertools
import json

import pytest

from facilitator.domain.errors import Conflict, Invalid
from facilitator.domain.export import render
from facilitator.domain.export.archive import (
    FORMAT,
    VERSION,
    from_archive,
    restore,
    to_archive,
)
from facilitator.domain.operations import Operations
from facilitator.store.sqlite import SQLiteStore

from . import make_session


@pytest.fixture(scope="module")
def data():
    return make_session()


def without_time(doc):
    return {k: v for k, v in doc.items() if k != "exported_at"}


def tokens():
    counter = itertools.count(1)
    return lambda: f"restored-token-{next(counter):06d}-abcdefgh"


def test_round_trip_is_exact(data):
    first = to_archive(data)
    again = to_archive(from_archive(first))
    assert without_time(again) == without_time(first)
    # and through JSON text, as a file would go
    text = json.dumps(first, ensure_ascii=False)
    assert without_time(to_archive(from_archive(json.loads(text)))) == without_time(first)


def test_round_trip_keeps_every_record(data):
    restored = from_archive(to_archive(data))
    assert restored.reflections == data.reflections
    assert restored.reactions == data.reactions
    assert restored.conclusions == data.conclusions
    assert restored.endorsements == data.endorsements
    assert restored.seq == data.seq
    for before, after in zip(data.participants, restored.participants, strict=True):
        assert after.token == ""
        assert {**before.to_dict(), "token": ""} == after.to_dict()
    assert restored.workshop.facilitator_token == restored.workshop.screen_token == ""
    assert {**data.workshop.to_dict(), "facilitator_token": "", "screen_token": ""} == \
        restored.workshop.to_dict()


def test_archive_has_no_secrets_and_names_only_when_asked(data):
    doc = to_archive(data)
    text = json.dumps(doc)
    assert "SECRET" not in text and "participant-secret-token" not in text
    assert all("token" not in p for p in doc["participants"])
    assert doc["names_included"] is True and any(p["name"] for p in doc["participants"])
    anonymous = to_archive(data, names=False)
    assert anonymous["names_included"] is False
    assert all(p["name"] == "" for p in anonymous["participants"])


def test_restore_into_sqlite_reads_back_the_same(data):
    store = SQLiteStore(":memory:")
    archive = to_archive(data)
    workshop = restore(store, from_archive(archive), "NEWCDE", tokens())
    assert workshop.code == "NEWCDE"
    back = Operations(store).load("NEWCDE")
    assert back.workshop.code == "NEWCDE"
    assert back.workshop.facilitator_token.startswith("restored-token-")
    assert back.workshop.screen_token.startswith("restored-token-")
    assert back.workshop.facilitator_token != back.workshop.screen_token
    expected = without_time(archive)
    expected["workshop"] = {**expected["workshop"], "code": "NEWCDE"}
    assert {**without_time(to_archive(back)), "seq": data.seq} == expected
    assert back.reflections == data.reflections
    assert back.endorsements == data.endorsements


def test_restore_uses_the_live_unique_keys_and_counters(data):
    store = SQLiteStore(":memory:")
    restore(store, from_archive(to_archive(data)), "NEWCDE", tokens())
    participants = store.records("NEWCDE", "participant")
    secrets = [p["token"] for p in participants]
    assert len(set(secrets)) == len(participants) and all(secrets)
    for doc in participants:
        assert store.find("NEWCDE", "participant", f"token:{doc['token']}")["id"] == doc["id"]
    with_client = [r for r in data.reflections if r.client_id]
    assert with_client
    for r in with_client:
        found = store.find("NEWCDE", "reflection", f"client:{r.participant}:{r.client_id}")
        assert found["id"] == r.id
    # the next join continues the pseudonym numbering and the circle filling
    assert store.next_number("NEWCDE", "participants") == len(data.participants) + 1
    politics = sum(1 for p in data.participants if p.perspective in ("raadslid", "bestuurder"))
    assert store.next_number("NEWCDE", "circle:politiek") == politics + 1


def test_restore_refuses_a_taken_code(data):
    store = SQLiteStore(":memory:")
    restored = from_archive(to_archive(data))
    restore(store, restored, "SAMECD", tokens())
    with pytest.raises(Conflict):
        restore(store, restored, "SAMECD", tokens())
    assert len(store.records("SAMECD", "reflection")) == len(data.reflections)


def test_restore_cleans_up_after_a_failure(data):
    class Failing(SQLiteStore):
        def put(self, *args, **kwargs):
            raise RuntimeError("disk full")

    store = Failing(":memory:")
    with pytest.raises(RuntimeError):
        restore(store, from_archive(to_archive(data)), "BROKEN", tokens())
    assert store.get_workshop("BROKEN") is None
    assert store.records("BROKEN", "participant") == []


def test_render_json_restores(data):
    doc = json.loads(render(data, "json", names=True).content)
    store = SQLiteStore(":memory:")
    restore(store, from_archive(doc), "FROMJS", tokens())
    assert len(store.records("FROMJS", "reaction")) == len(data.reactions)


def test_tokens_in_a_hand_made_archive_are_ignored(data):
    doc = to_archive(data)
    doc["participants"][0]["token"] = "smuggled-token-value-123"
    doc["workshop"]["facilitator_token"] = "smuggled-facilitator-token"
    restored = from_archive(doc)
    assert restored.participants[0].token == ""
    assert restored.workshop.facilitator_token == ""


def test_unknown_fields_are_ignored_for_forward_compatibility(data):
    doc = to_archive(data)
    doc["reflections"][0]["mood"] = "blij"
    doc["workshop"]["theme"] = "donker"
    doc["future_section"] = []
    assert from_archive(doc).reflections[0].id == data.reflections[0].id


def broken(data, change):
    doc = copy.deepcopy(to_archive(data))
    change(doc)
    return doc


@pytest.mark.parametrize("change,fragment", [
    (lambda d: d.update(format="something-else"), "not a facilitator archive"),
    (lambda d: d.update(version=VERSION + 1), "version"),
    (lambda d: d.update(version="1"), "version"),
    (lambda d: d.pop("version"), "version"),
    (lambda d: d.update(workshop=None), "not an object"),
    (lambda d: d["workshop"].pop("title"), "has no"),
    (lambda d: d["workshop"].update(max_reflection_length="veel"), "should be"),
    (lambda d: d["workshop"]["steps"][0].update(planned_start=1330), "should be"),
    (lambda d: d["workshop"]["state"].update(posting_locked="nee"), "should be"),
    (lambda d: d.update(reflections={}), "not a list"),
    (lambda d: d["reflections"].append(42), "not an object"),
    (lambda d: d["reflections"][0].pop("text"), "has no"),
    (lambda d: d["reflections"][0].update(shared="ja"), "should be"),
    (lambda d: d["reflections"][1].update(id=d["reflections"][0]["id"]), "more than once"),
    (lambda d: d["reactions"][0].update(reflection="nope"), "missing"),
    (lambda d: d["endorsements"][0].update(conclusion="nope"), "missing"),
    (lambda d: d["reflections"][0].update(participant="nope"), "missing"),
    (lambda d: d["conclusions"][0].update(reflections=[1, 2]), "should be"),
    (lambda d: d.update(seq=-1), "should be"),
])
def test_bad_archives_are_refused_clearly(data, change, fragment):
    with pytest.raises(Invalid) as caught:
        from_archive(broken(data, change))
    error = caught.value
    rendered = error.message % error.params if error.params else error.message
    assert fragment in rendered
    assert error.status == 422 and error.params.get("field") == "archive"


@pytest.mark.parametrize("doc", [None, [], "archive", 3])
def test_non_objects_are_refused(doc):
    with pytest.raises(Invalid):
        from_archive(doc)


def test_archive_header(data):
    doc = to_archive(data)
    assert doc["format"] == FORMAT and doc["version"] == VERSION
    assert doc["exported_at"].endswith("Z")
    assert list(doc)[:2] == ["format", "version"]
