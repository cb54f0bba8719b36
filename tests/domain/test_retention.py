"""Retention (``Operations.purge_ended``) on SQLite and on Redis.

A session counts as ended at its last sign of life: reaching the closing step,
a later step change, its start or creation, or anything stored in it. Review
issue 19, item 9: a session never taken to the closing step, with a named
participant, used to be kept for ever.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from facilitator.domain.operations import Actor, Operations
from facilitator.domain.rules import Role
from facilitator.store.base import open_store
from tests.redis_fixtures import clean_redis_url, redis_url  # noqa: F401

from .conftest import Clock, go, member


class SetClock:
    """A clock the test sets: every operation is stamped with ``now``."""

    def __init__(self, now: str = "2026-03-14T13:30:00+00:00") -> None:
        self.now = now

    def __call__(self) -> str:
        return self.now


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'retention.db'}"
    return request.getfixturevalue("clean_redis_url")


@pytest.fixture
def store(store_url) -> Iterator:
    opened = open_store(store_url)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> SetClock:
    return SetClock()


@pytest.fixture
def ops(store, clock) -> Operations:
    return Operations(store, clock=clock)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_purge_deletes_only_sessions_ended_long_enough_ago(store):
    domain_ops = Operations(store, clock=Clock())
    old = domain_ops.create_workshop({"title": "Oud"})
    go(domain_ops, Actor(Role.FACILITATOR, old.code), "closing")  # ends it (fake clock: 2026-03-14)
    assert domain_ops.purge_ended(30, now=datetime(2026, 3, 20, tzinfo=UTC)) == []
    assert domain_ops.purge_ended(0, now=datetime(2027, 1, 1, tzinfo=UTC)) == []
    assert domain_ops.purge_ended(30, now=datetime(2026, 5, 1, tzinfo=UTC)) == [old.code]
    assert domain_ops.store.get_workshop(old.code) is None


def test_a_session_never_closed_is_purged_after_the_period_without_activity(ops, clock):
    """The finding: no closing step, a participant with a name -> kept for ever."""
    left_open = ops.create_workshop({"title": "Nooit afgesloten"})
    fac = Actor(Role.FACILITATOR, left_open.code)
    anna = member(ops, left_open.code, "raadslid", "Anna de Vries")
    clock.now = "2026-03-14T14:00:00+00:00"
    go(ops, fac, "circle")
    clock.now = "2026-03-14T14:20:00+00:00"
    ops.post_reflection(anna, "Een reflectie van Anna.")
    assert ops.store.get_workshop(left_open.code)["ended_at"] is None

    assert ops.purge_ended(30, now=at("2026-04-13T12:00:00")) == []  # 29 days idle
    assert ops.purge_ended(30, now=at("2026-04-14T15:00:00")) == [left_open.code]
    assert ops.store.get_workshop(left_open.code) is None
    assert ops.store.records(left_open.code, "participant") == []  # the name is gone
    assert ops.store.records(left_open.code, "reflection") == []


def test_activity_stored_after_the_last_step_change_keeps_a_session(ops, clock):
    """The workshop document says idle; a post made long after the step change says not."""
    code = ops.create_workshop({"title": "Lang open"}).code
    fac = Actor(Role.FACILITATOR, code)
    bram = member(ops, code, "vakbond")
    go(ops, fac, "circle")
    clock.now = "2026-04-10T09:00:00+00:00"  # weeks later, still in the same step
    ops.post_reflection(bram, "Nog een gedachte, later.")
    assert ops.purge_ended(30, now=at("2026-04-20T00:00:00")) == []
    assert ops.purge_ended(30, now=at("2026-05-11T00:00:00")) == [code]


def test_a_session_prepared_ahead_lives_until_its_planned_day_is_over(ops, clock):
    code = ops.create_workshop({"title": "Voorbereid", "date": "2026-06-01"}).code
    assert ops.purge_ended(30, now=at("2026-05-20T00:00:00")) == []  # created 67 days ago
    assert ops.purge_ended(30, now=at("2026-07-01T12:00:00")) == []  # the day ended 30 d ago
    assert ops.purge_ended(30, now=at("2026-07-02T01:00:00")) == [code]


def test_a_dry_run_weeks_ahead_does_not_delete_the_session_before_its_day(ops, clock):
    code = ops.create_workshop({"title": "Generale repetitie", "date": "2026-06-01"}).code
    go(ops, Actor(Role.FACILITATOR, code), "circle")  # tried out on 2026-03-14
    assert ops.purge_ended(30, now=at("2026-05-30T00:00:00")) == []
    assert ops.purge_ended(30, now=at("2026-07-02T01:00:00")) == [code]


def test_a_join_before_the_start_counts_as_activity(ops, clock):
    """Never started, no date: the participants' joining keeps it, then it goes."""
    code = ops.create_workshop({"title": "Zonder datum"}).code
    clock.now = "2026-04-01T10:00:00+00:00"
    member(ops, code, "bestuurder", "Carla")
    assert ops.purge_ended(30, now=at("2026-04-20T00:00:00")) == []
    assert ops.purge_ended(30, now=at("2026-05-02T00:00:00")) == [code]


def test_a_session_used_again_after_closing_is_kept_while_in_use(ops, clock):
    code = ops.create_workshop({"title": "Heropend"}).code
    fac = Actor(Role.FACILITATOR, code)
    go(ops, fac, "closing")
    clock.now = "2026-04-30T10:00:00+00:00"
    go(ops, fac, "circle")  # opened again weeks later
    assert ops.store.get_workshop(code)["ended_at"] == "2026-03-14T13:30:00+00:00"
    assert ops.purge_ended(30, now=at("2026-05-01T00:00:00")) == []
    assert ops.purge_ended(30, now=at("2026-06-01T00:00:00")) == [code]


def test_the_cli_purge_deletes_by_the_same_rule(store, store_url, monkeypatch, capsys):
    """``facilitator purge`` on the configured store: the idle, never-closed session goes."""
    from facilitator import cli

    ops = Operations(store, clock=SetClock("2020-01-01T10:00:00+00:00"))
    idle = ops.create_workshop({"title": "Heel oud"}).code
    member(ops, idle, "raadslid", "Dirk")
    ops.clock = SetClock(datetime.now(UTC).replace(microsecond=0).isoformat())
    recent = ops.create_workshop({"title": "Vandaag"}).code
    monkeypatch.setenv("FACILITATOR_STORE", store_url)
    monkeypatch.setenv("FACILITATOR_RETENTION_DAYS", "30")
    monkeypatch.setenv("FACILITATOR_ASYNC_MODE", "threading")  # no eventlet import in tests
    assert cli.main(["purge"]) == 0
    assert "deleted 1 session" in capsys.readouterr().out
    assert store.get_workshop(idle) is None
    assert store.get_workshop(recent) is not None
