"""The even circle split (issue 17, item 5) on both stores: the moves are stored, and
data caches see them (the version changes although no event is numbered)."""

from __future__ import annotations

from collections import Counter

from facilitator.domain.operations import Actor, Operations
from facilitator.domain.rules import Role


def test_nine_raadsleden_become_five_and_four_and_a_tenth_joins_the_four(store):
    ops = Operations(store)
    workshop = ops.create_workshop({"title": "Dialoog", "circle_size": 8})
    fac = Actor(Role.FACILITATOR, workshop.code)
    for _ in range(9):
        ops.join(workshop.code, "raadslid")
    before = ops.version(workshop.code)
    step = next(s for s in workshop.steps if s.kind == "circle")
    ops.change_step(fac, step.id)
    assert ops.version(workshop.code) != before
    sizes = Counter(p.circle for p in ops.load(workshop.code).participants)
    assert sizes == {"raadslid": 5, "raadslid-2": 4}
    late, _ = ops.join(workshop.code, "raadslid")
    assert late.circle == "raadslid-2" and late.circle_name.endswith(" 2")
