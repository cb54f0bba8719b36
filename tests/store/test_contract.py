"""The ``Store`` contract (``facilitator/store/base.py``), run against every backend.

Every test takes ``store`` (or ``store_factory``), parametrized in
``conftest.py`` over SQLite on a temp file and Redis on a private server.  The
Redis-only tests at the end cover what SQLite has no counterpart for: key
layout and prefix, event trimming, behaviour when Redis goes away.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import redis

from facilitator.store.base import DuplicateId, Store, StoreUnavailable
from facilitator.store.redis import RedisStore
from tests.redis_fixtures import require_redis_server, start_redis_server

CODE = "ABC123"
OTHER = "XYZ789"


def workshop(code: str = CODE, created_at: str = "2024-05-01T10:00:00", **extra) -> dict:
    return {"code": code, "title": f"Sessie {code}", "created_at": created_at, **extra}


def reflection(rid: str, text: str = "", **extra) -> dict:
    return {"id": rid, "text": text or f"reflectie {rid}", **extra}


def run_threads(count: int, target: Callable[[int], None]) -> None:
    """Run ``target(i)`` in ``count`` threads released together; re-raise the first error."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


# -- workshops -----------------------------------------------------------------


def test_create_and_get_workshop(store: Store) -> None:
    assert store.get_workshop(CODE) is None
    assert store.create_workshop(CODE, workshop(note="één café")) is True
    assert store.get_workshop(CODE) == workshop(note="één café")


def test_create_workshop_refuses_a_taken_code(store: Store) -> None:
    assert store.create_workshop(CODE, workshop(title="eerste"))
    assert store.create_workshop(CODE, workshop(title="tweede")) is False
    assert store.get_workshop(CODE)["title"] == "eerste"
    assert [w["title"] for w in store.list_workshops()] == ["eerste"]


def test_list_workshops_newest_first(store: Store) -> None:
    assert store.list_workshops() == []
    store.create_workshop("BBB111", workshop("BBB111", "2024-05-01T10:00:00"))
    store.create_workshop("CCC222", workshop("CCC222", "2024-06-01T10:00:00"))
    store.create_workshop("AAA000", workshop("AAA000", "2024-05-01T10:00:00"))
    store.create_workshop("DDD333", workshop("DDD333", "2023-01-01T09:00:00"))
    # created_at descending, ties by code
    assert [w["code"] for w in store.list_workshops()] == ["CCC222", "AAA000", "BBB111", "DDD333"]


def test_delete_workshop_removes_everything(store: Store) -> None:
    for code in (CODE, OTHER):
        store.create_workshop(code, workshop(code))
        store.insert(code, "participant", {"id": "p1"}, unique="token:t1", events=[{"t": "joined"}])
        store.put(code, "reaction", {"id": "r1"}, events=[{"t": "reacted"}])
        store.next_number(code, "circle")

    assert store.delete_workshop(CODE) is True
    assert store.get_workshop(CODE) is None
    assert [w["code"] for w in store.list_workshops()] == [OTHER]
    assert store.records(CODE, "participant") == []
    assert store.records(CODE, "reaction") == []
    assert store.count(CODE, "participant") == 0
    assert store.get(CODE, "participant", "p1") is None
    assert store.find(CODE, "participant", "token:t1") is None
    assert store.seq(CODE) == 0
    assert store.events_since(CODE, 0) == []
    assert store.next_number(CODE, "circle") == 1  # the counter started again
    # the unique key is free again: a new insert creates, numbering restarts at 1
    doc, created, events = store.insert(
        CODE, "participant", {"id": "p2"}, unique="token:t1", events=[{"t": "joined"}]
    )
    assert created and doc == {"id": "p2"} and [e["seq"] for e in events] == [1]
    assert store.delete_workshop(CODE) is False  # the workshop itself is gone already

    # the other workshop is untouched
    assert store.get_workshop(OTHER) == workshop(OTHER)
    assert store.find(OTHER, "participant", "token:t1") == {"id": "p1"}
    assert store.seq(OTHER) == 2
    assert [e["t"] for e in store.events_since(OTHER, 0)] == ["joined", "reacted"]
    assert store.next_number(OTHER, "circle") == 2


def test_counters_count_up_and_read_without_counting(store: Store) -> None:
    assert store.counter(CODE, "ratings") == 0
    assert [store.next_number(CODE, "ratings") for _ in range(3)] == [1, 2, 3]
    assert store.counter(CODE, "ratings") == 3 and store.counter(CODE, "ratings") == 3
    assert store.counter(OTHER, "ratings") == 0  # per workshop
    assert store.seq(CODE) == 0  # a named counter is not the event sequence


def test_documents_outside_workshops(store: Store) -> None:
    assert store.get_doc("series", "s1") is None and store.list_docs("series") == []
    store.put_doc("series", "s2", {"id": "s2", "title": "Reflectiesessies 2027"})
    store.put_doc("series", "s1", {"id": "s1", "title": "eerste"})
    store.put_doc("series", "s2", {"id": "s2", "title": "Reflectiesessies 2027 (nieuw)"})
    assert store.get_doc("series", "s2")["title"] == "Reflectiesessies 2027 (nieuw)"
    assert [d["id"] for d in store.list_docs("series")] == ["s2", "s1"]  # first stored first
    assert store.list_docs("other") == []
    assert store.delete_doc("series", "s2") is True and store.delete_doc("series", "s2") is False
    assert [d["id"] for d in store.list_docs("series")] == ["s1"]
    store.put_doc("series", "s2", {"id": "s2"})
    assert [d["id"] for d in store.list_docs("series")] == ["s1", "s2"]


def test_delete_missing_workshop(store: Store) -> None:
    assert store.delete_workshop(CODE) is False


def test_code_can_be_reused_after_delete(store: Store) -> None:
    store.create_workshop(CODE, workshop(title="oud"))
    store.delete_workshop(CODE)
    assert store.create_workshop(CODE, workshop(title="nieuw"))
    assert store.get_workshop(CODE)["title"] == "nieuw"


def test_update_workshop(store: Store) -> None:
    store.create_workshop(CODE, workshop(step=0))
    calls = []

    def advance(doc: dict):
        calls.append(dict(doc))
        return {**doc, "step": doc["step"] + 1}, [{"t": "step", "step": doc["step"] + 1}]

    doc, events = store.update_workshop(CODE, advance)
    assert doc["step"] == 1 and store.get_workshop(CODE)["step"] == 1
    assert events == [{"t": "step", "step": 1, "seq": 1}]
    assert store.events_since(CODE, 0) == events
    assert calls == [workshop(step=0)]


def test_update_workshop_without_change(store: Store) -> None:
    store.create_workshop(CODE, workshop(step=3))
    doc, events = store.update_workshop(CODE, lambda doc: None)
    assert doc == workshop(step=3) and events == []
    assert store.seq(CODE) == 0 and store.events_since(CODE, 0) == []


def test_update_workshop_with_change_and_no_events(store: Store) -> None:
    store.create_workshop(CODE, workshop(step=3))
    doc, events = store.update_workshop(CODE, lambda doc: ({**doc, "step": 4}, []))
    assert events == [] and store.get_workshop(CODE)["step"] == 4 and store.seq(CODE) == 0


def test_update_workshop_missing_raises_key_error(store: Store) -> None:
    def must_not_run(doc):
        raise AssertionError("mutation called for a missing workshop")

    with pytest.raises(KeyError):
        store.update_workshop(CODE, must_not_run)
    assert store.get_workshop(CODE) is None and store.seq(CODE) == 0


# -- records -----------------------------------------------------------------


def test_insert_and_read(store: Store) -> None:
    store.create_workshop(CODE, workshop())
    doc, created, events = store.insert(
        CODE,
        "reflection",
        reflection("r1", "Het ging goed."),
        unique="client:c1",
        events=[{"t": "reflection"}],
    )
    assert created is True and doc == reflection("r1", "Het ging goed.")
    assert events == [{"t": "reflection", "seq": 1}]
    assert store.get(CODE, "reflection", "r1") == doc
    assert store.find(CODE, "reflection", "client:c1") == doc
    assert store.find(CODE, "reflection", "client:nope") is None
    assert store.find(CODE, "participant", "client:c1") is None  # unique keys are per kind
    assert store.get(CODE, "reflection", "nope") is None
    assert store.get(CODE, "participant", "r1") is None
    assert store.count(CODE, "reflection") == 1
    assert store.count(CODE, "participant") == 0


def test_insert_is_idempotent_by_unique_key(store: Store) -> None:
    store.create_workshop(CODE, workshop())
    first, created, events = store.insert(
        CODE,
        "reflection",
        reflection("r1", "eerste"),
        unique="client:c1",
        events=[{"t": "reflection"}],
    )
    assert created and [e["seq"] for e in events] == [1]
    again, created, events = store.insert(
        CODE,
        "reflection",
        reflection("r2", "tweede"),
        unique="client:c1",
        events=[{"t": "reflection"}],
    )
    assert created is False and events == []
    assert again == first
    assert store.count(CODE, "reflection") == 1
    assert store.get(CODE, "reflection", "r2") is None
    assert store.seq(CODE) == 1
    assert store.events_since(CODE, 0) == [{"t": "reflection", "seq": 1}]


def test_insert_without_unique_key_never_deduplicates(store: Store) -> None:
    for i in range(3):
        _, created, _ = store.insert(CODE, "reflection", reflection(f"r{i}", "zelfde tekst"))
        assert created
    assert store.count(CODE, "reflection") == 3
    assert store.seq(CODE) == 0  # no events given, none numbered


def test_insert_of_an_existing_id_fails_and_writes_nothing(store: Store) -> None:
    store.insert(CODE, "reflection", reflection("r1", "eerste"), unique="client:c1")
    with pytest.raises(DuplicateId):
        store.insert(
            CODE,
            "reflection",
            reflection("r1", "tweede"),
            unique="client:c2",
            events=[{"t": "reflection"}],
        )
    assert store.get(CODE, "reflection", "r1")["text"] == "eerste"
    assert store.find(CODE, "reflection", "client:c2") is None
    assert store.seq(CODE) == 0 and store.count(CODE, "reflection") == 1


def test_records_in_first_insertion_order_and_put_keeps_position(store: Store) -> None:
    for rid in ("b", "a", "c"):
        store.insert(CODE, "reaction", {"id": rid, "kind": "agree"})
    doc, events = store.put(
        CODE, "reaction", {"id": "a", "kind": "disagree"}, events=[{"t": "reaction", "id": "a"}]
    )
    assert doc == {"id": "a", "kind": "disagree"}
    assert events == [{"t": "reaction", "id": "a", "seq": 1}]
    store.put(CODE, "reaction", {"id": "d", "kind": "pass"})
    store.put(CODE, "reaction", {"id": "b", "kind": "pass"})
    assert store.records(CODE, "reaction") == [
        {"id": "b", "kind": "pass"},
        {"id": "a", "kind": "disagree"},
        {"id": "c", "kind": "agree"},
        {"id": "d", "kind": "pass"},
    ]
    assert store.count(CODE, "reaction") == 4
    assert store.get(CODE, "reaction", "a") == {"id": "a", "kind": "disagree"}
    assert store.records(CODE, "nothing") == []


def test_records_are_per_workshop_and_kind(store: Store) -> None:
    store.insert(CODE, "reflection", reflection("r1"))
    store.insert(OTHER, "reflection", reflection("r2"))
    store.insert(CODE, "conclusion", {"id": "c1"})
    assert store.records(CODE, "reflection") == [reflection("r1")]
    assert store.records(OTHER, "reflection") == [reflection("r2")]
    assert store.records(CODE, "conclusion") == [{"id": "c1"}]


def test_update_record(store: Store) -> None:
    store.insert(CODE, "reflection", reflection("r1", "oud"))
    doc, events = store.update(
        CODE, "reflection", "r1", lambda d: ({**d, "text": "nieuw"}, [{"t": "edited"}])
    )
    assert doc == reflection("r1", "nieuw")
    assert events == [{"t": "edited", "seq": 1}]
    assert store.get(CODE, "reflection", "r1") == doc
    assert store.records(CODE, "reflection") == [doc]


def test_update_record_returning_none_changes_nothing(store: Store) -> None:
    store.insert(CODE, "reflection", reflection("r1", "oud"), events=[{"t": "reflection"}])
    doc, events = store.update(CODE, "reflection", "r1", lambda d: None)
    assert doc == reflection("r1", "oud") and events == []
    assert store.get(CODE, "reflection", "r1") == reflection("r1", "oud")
    assert store.seq(CODE) == 1 and len(store.events_since(CODE, 0)) == 1


def test_update_missing_record(store: Store) -> None:
    store.insert(CODE, "reflection", reflection("r1"))

    def must_not_run(doc):
        raise AssertionError("mutation called for a missing record")

    assert store.update(CODE, "reflection", "nope", must_not_run) == (None, [])
    assert store.update(OTHER, "reflection", "r1", must_not_run) == (None, [])
    assert store.seq(CODE) == 0


def test_events_numbered_consecutively_across_all_writes(store: Store) -> None:
    store.create_workshop(CODE, workshop(step=0))
    returned = []
    returned += store.insert(
        CODE, "participant", {"id": "p1"}, unique="token:a", events=[{"t": "joined", "id": "p1"}]
    )[2]
    returned += store.insert(
        CODE, "participant", {"id": "p9"}, unique="token:a", events=[{"t": "joined", "id": "p9"}]
    )[2]  # duplicate: nothing
    returned += store.put(
        CODE, "reaction", {"id": "x"}, events=[{"t": "reaction"}, {"t": "tally", "n": 1}]
    )[1]
    returned += store.put(CODE, "reaction", {"id": "x", "v": 2})[1]  # no events
    returned += store.update(
        CODE, "participant", "p1", lambda d: ({**d, "name": "Anna"}, [{"t": "renamed"}])
    )[1]
    returned += store.update_workshop(
        CODE, lambda d: ({**d, "step": 1}, [{"t": "step"}, {"t": "timer", "seq": 99}])
    )[1]
    returned += store.insert(CODE, "reflection", reflection("r1"), events=[{}])[2]

    assert [e["seq"] for e in returned] == [1, 2, 3, 4, 5, 6, 7]
    assert store.seq(CODE) == 7
    stored = store.events_since(CODE, 0)
    assert stored == returned
    assert [e.get("t") for e in stored] == [
        "joined",
        "reaction",
        "tally",
        "renamed",
        "step",
        "timer",
        None,
    ]
    assert stored[5] == {"t": "timer", "seq": 6}  # a caller's "seq" is overwritten
    assert stored[6] == {"seq": 7}
    assert store.seq(OTHER) == 0 and store.events_since(OTHER, 0) == []


def test_events_since_with_limit(store: Store) -> None:
    for i in range(1, 11):
        store.put(CODE, "tick", {"id": f"t{i}"}, events=[{"t": "tick", "i": i}])
    assert [e["seq"] for e in store.events_since(CODE, 0)] == list(range(1, 11))
    assert [e["seq"] for e in store.events_since(CODE, 3, limit=4)] == [4, 5, 6, 7]
    assert [e["i"] for e in store.events_since(CODE, 8, limit=100)] == [9, 10]
    assert store.events_since(CODE, 10) == []
    assert store.events_since(CODE, 50) == []
    assert len(store.events_since(CODE, 0, limit=1)) == 1


def test_next_number(store: Store) -> None:
    assert [store.next_number(CODE, "circle") for _ in range(3)] == [1, 2, 3]
    assert store.next_number(CODE, "group") == 1
    assert store.next_number(OTHER, "circle") == 1
    assert store.next_number(CODE, "circle") == 4
    assert store.seq(CODE) == 0  # counters are not events


def test_unicode_and_nested_documents_round_trip(store: Store) -> None:
    doc = {
        "id": "r1",
        "text": "Wij zagen “perspectieven” – ook €, 中文 en 🙂",
        "tags": [],
        "meta": {},
        "n": 1.5,
        "ok": True,
        "none": None,
        "list": [1, [2, {}]],
    }
    store.insert(CODE, "reflection", doc, unique="ü:1", events=[{"t": "x", "body": doc}])
    assert store.get(CODE, "reflection", "r1") == doc
    assert store.find(CODE, "reflection", "ü:1") == doc
    assert store.events_since(CODE, 0) == [{"t": "x", "body": doc, "seq": 1}]


def test_ping_and_close(store_factory) -> None:
    store = store_factory()
    assert store.ping() is True
    store.close()


# -- concurrency -------------------------------------------------------------


def test_concurrent_inserts_with_the_same_unique_keys(store_factory) -> None:
    """8 workers post the same 50 reflections (as retrying phones would)."""
    first = store_factory()
    first.create_workshop(CODE, workshop())
    stores = [store_factory() for _ in range(8)]
    created_by: list[list[str]] = [[] for _ in stores]

    def work(i: int) -> None:
        store = stores[i]
        for n in range(50):
            doc, created, events = store.insert(
                CODE,
                "reflection",
                reflection(f"r{n}-w{i}"),
                unique=f"client:{n}",
                events=[{"t": "reflection", "n": n}],
            )
            assert doc["id"].startswith(f"r{n}-")
            if created:
                assert len(events) == 1
                created_by[i].append(doc["id"])
            else:
                assert events == []

    run_threads(8, work)
    records = first.records(CODE, "reflection")
    assert len(records) == 50 == first.count(CODE, "reflection")
    assert sum(len(c) for c in created_by) == 50
    assert sorted(r["id"] for r in records) == sorted(sum(created_by, []))
    assert first.seq(CODE) == 50
    events = first.events_since(CODE, 0)
    assert [e["seq"] for e in events] == list(range(1, 51))
    assert sorted(e["n"] for e in events) == list(range(50))
    for n in range(50):
        assert first.find(CODE, "reflection", f"client:{n}")["id"].startswith(f"r{n}-")


def test_concurrent_update_workshop_increments(store_factory) -> None:
    """8 workers each increment a counter field 50 times: no update is lost."""
    first = store_factory()
    first.create_workshop(CODE, workshop(counter=0))
    stores = [store_factory() for _ in range(8)]

    def increment(doc: dict):
        value = doc["counter"] + 1
        return {**doc, "counter": value}, [{"t": "counter", "value": value}]

    def work(i: int) -> None:
        for _ in range(50):
            doc, events = stores[i].update_workshop(CODE, increment)
            assert len(events) == 1 and events[0]["value"] == doc["counter"]

    run_threads(8, work)
    assert first.get_workshop(CODE)["counter"] == 400
    assert first.seq(CODE) == 400
    events = first.events_since(CODE, 0, limit=1000)
    assert [e["seq"] for e in events] == list(range(1, 401))
    assert [e["value"] for e in events] == list(range(1, 401))


# -- Redis only ----------------------------------------------------------------


@pytest.fixture
def rstore(clean_redis_url: str):
    store = RedisStore.from_url(clean_redis_url)
    yield store
    store.close()


def _keys(url: str, pattern: str = "*") -> set[str]:
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        return set(client.scan_iter(match=pattern))
    finally:
        client.close()


def test_redis_key_layout_and_delete_leaves_no_key(
    rstore: RedisStore, clean_redis_url: str
) -> None:
    for code in (CODE, OTHER):
        rstore.create_workshop(code, workshop(code))
        rstore.insert(code, "participant", {"id": "p1"}, unique="token:t", events=[{"t": "j"}])
        rstore.put(code, "reaction", {"id": "x"})
        rstore.next_number(code, "circle")
    keys = _keys(clean_redis_url)
    assert "fac:workshops" in keys and rstore._r.get("fac:schema") == "1"
    # every other key carries its workshop's hash tag: one Cluster slot per workshop
    assert all(
        k.startswith((f"fac:{{{CODE}}}:", f"fac:{{{OTHER}}}:"))
        for k in keys - {"fac:workshops", "fac:schema"}
    )
    assert rstore.delete_workshop(CODE)
    assert _keys(clean_redis_url, f"fac:{{{CODE}}}:*") == set()
    assert _keys(clean_redis_url, f"fac:{{{OTHER}}}:*")


def test_redis_prefix_from_url_or_argument(clean_redis_url: str) -> None:
    a = RedisStore.from_url(clean_redis_url + "?prefix=one")
    b = RedisStore.from_url(clean_redis_url, prefix="two")
    c = RedisStore.from_url(clean_redis_url + "?prefix=one", prefix="three")
    try:
        assert (a.prefix, b.prefix, c.prefix) == ("one", "two", "three")
        a.create_workshop(CODE, workshop(title="a"))
        b.create_workshop(CODE, workshop(title="b"))
        assert a.get_workshop(CODE)["title"] == "a" and b.get_workshop(CODE)["title"] == "b"
        assert c.list_workshops() == []
        assert {k.split(":")[0] for k in _keys(clean_redis_url)} == {"one", "two"}
    finally:
        for s in (a, b, c):
            s.close()
    with pytest.raises(ValueError):
        RedisStore.from_url(clean_redis_url, prefix="x{y}")
    client = redis.Redis.from_url(clean_redis_url)  # decode_responses=False
    try:
        with pytest.raises(ValueError):
            RedisStore(client)
    finally:
        client.close()


def test_redis_event_log_is_trimmed(clean_redis_url: str) -> None:
    store = RedisStore.from_url(clean_redis_url, max_events=5)
    try:
        for i in range(1, 9):
            store.put(CODE, "tick", {"id": f"t{i}"}, events=[{"i": i}])
        assert store.seq(CODE) == 8
        # the oldest events are gone: a client asking from 0 sees the gap (first seq 4)
        assert [e["seq"] for e in store.events_since(CODE, 0)] == [4, 5, 6, 7, 8]
        assert [e["seq"] for e in store.events_since(CODE, 6)] == [7, 8]
    finally:
        store.close()


def test_redis_connection_lost_during_update_raises_and_is_not_retried(
    clean_redis_url: str,
) -> None:
    rstore = RedisStore.from_url(clean_redis_url, client_name="contract-victim")
    rstore.create_workshop(CODE, workshop(counter=0))
    killer = redis.Redis.from_url(clean_redis_url, decode_responses=True)
    calls = []

    def mutate(doc):
        calls.append(1)
        for client in killer.client_list():  # drop the store's (watching) connection
            if client["name"] == "contract-victim":
                killer.client_kill_filter(_id=client["id"])
        return {**doc, "counter": doc["counter"] + 1}, [{"t": "counter"}]

    try:
        with pytest.raises(StoreUnavailable) as lost:
            rstore.update_workshop(CODE, mutate)
        assert isinstance(lost.value.__cause__, redis.ConnectionError)
        assert calls == [1]  # not retried: the caller gets the failure
        assert rstore.get_workshop(CODE)["counter"] == 0 and rstore.seq(CODE) == 0
    finally:
        killer.close()
        rstore.close()


def test_redis_down_writes_raise_and_store_recovers(tmp_path) -> None:
    require_redis_server()
    server = start_redis_server(tmp_path)
    store = RedisStore.from_url(server.url, socket_timeout=1, socket_connect_timeout=1)
    try:
        store.create_workshop(CODE, workshop())
        server.stop()
        assert store.ping() is False
        # an outage is its own error (503 with Retry-After upstream), not a driver error
        with pytest.raises(StoreUnavailable):
            store.insert(CODE, "reflection", reflection("r1"), unique="client:1")
        with pytest.raises(StoreUnavailable):
            store.update_workshop(CODE, lambda d: ({**d, "x": 1}, []))
        server.start()
        assert store.ping() is True
        # no AOF: the restarted server is empty, and the store just works again
        _, created, events = store.insert(
            CODE, "reflection", reflection("r1"), unique="client:1", events=[{"t": "r"}]
        )
        assert created and events == [{"t": "r", "seq": 1}]
    finally:
        store.close()
        server.kill()


def test_redis_server_keeps_data_over_a_kill_with_appendonly(tmp_path) -> None:
    require_redis_server()
    server = start_redis_server(tmp_path, appendonly=True)
    store = RedisStore.from_url(server.url)
    try:
        store.insert(CODE, "reflection", reflection("r1"), unique="client:1", events=[{"t": "r"}])
        server.kill()
        server.start()
        assert store.find(CODE, "reflection", "client:1") == reflection("r1")
        assert store.seq(CODE) == 1
    finally:
        store.close()
        server.kill()


def test_sqlite_locked_is_an_outage(tmp_path) -> None:
    """Another process holding the write lock past the busy timeout is StoreUnavailable
    (503 upstream), not a server error; the store works again afterwards."""
    import sqlite3

    from facilitator.store.sqlite import SQLiteStore

    path = tmp_path / "locked.db"
    store = SQLiteStore(str(path))
    store._db.execute("PRAGMA busy_timeout=50")  # fail fast instead of after 10 s
    store.create_workshop(CODE, workshop())
    other = sqlite3.connect(str(path), isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreUnavailable) as locked:
            store.insert(CODE, "reflection", reflection("r1"), unique="client:1")
        assert "locked" in str(locked.value)
        other.execute("ROLLBACK")
        _, created, _ = store.insert(CODE, "reflection", reflection("r1"), unique="client:1")
        assert created
    finally:
        other.close()
        store.close()
