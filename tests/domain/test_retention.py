from datetime import UTC, datetime

from facilitator.domain.operations import Actor
from facilitator.domain.rules import Role

from .conftest import go


def test_purge_deletes_only_sessions_ended_long_enough_ago(domain_ops):
    old = domain_ops.create_workshop({"title": "Oud"})
    running = domain_ops.create_workshop({"title": "Loopt"})
    go(domain_ops, Actor(Role.FACILITATOR, old.code), "closing")  # ends it (fake clock: 2026-03-14)
    go(domain_ops, Actor(Role.FACILITATOR, running.code), "circle")
    assert domain_ops.purge_ended(30, now=datetime(2026, 3, 20, tzinfo=UTC)) == []
    assert domain_ops.purge_ended(0, now=datetime(2027, 1, 1, tzinfo=UTC)) == []
    assert domain_ops.purge_ended(30, now=datetime(2026, 5, 1, tzinfo=UTC)) == [old.code]
    assert domain_ops.store.get_workshop(old.code) is None
    assert domain_ops.store.get_workshop(running.code) is not None
