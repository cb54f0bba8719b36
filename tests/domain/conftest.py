"""Domain fixtures: operations over an in-memory SQLite store, no Flask."""

from __future__ import annotations

import pytest

from facilitator.domain.operations import Actor, Operations
from facilitator.domain.rules import Role
from facilitator.store.sqlite import SQLiteStore


class Clock:
    """A controllable clock: each call advances one minute."""

    def __init__(self) -> None:
        self.minute = 0

    def __call__(self) -> str:
        self.minute += 1
        hours, minutes = divmod(self.minute, 60)
        return f"2026-03-14T{13 + hours:02d}:{30 + minutes % 30:02d}:00+00:00"


@pytest.fixture
def domain_ops():
    """Operations on a fresh in-memory store with a fake clock."""
    store = SQLiteStore(":memory:")
    yield Operations(store, clock=Clock())
    store.close()


@pytest.fixture
def workshop(domain_ops):
    """A workshop on the default programme with two findings."""
    return domain_ops.create_workshop({
        "title": "Test", "findings": [{"title": "F1", "text": "t"}, {"title": "F2"}]})


@pytest.fixture
def fac(workshop):
    """The facilitator of ``workshop``."""
    return Actor(Role.FACILITATOR, workshop.code)


def go(ops, fac, kind):
    """Open the first step of ``kind``."""
    workshop = ops.workshop(fac.code)
    step = next(s for s in workshop.steps if s.kind == kind)
    return ops.change_step(fac, step.id)


def member(ops, code, perspective, name=None):
    """Join and return the participant's actor."""
    participant, _events = ops.join(code, perspective, name)
    return Actor(Role.PARTICIPANT, code, participant)
