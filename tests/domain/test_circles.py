"""Circles split evenly (issue 17, item 5): nobody reflects alone because of a maximum."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.domain import circles
from facilitator.domain.model import StepKind
from facilitator.domain.operations import Actor, Operations
from facilitator.domain.rules import Role
from facilitator.store.sqlite import SQLiteStore

from .conftest import Clock, go

PERSPECTIVES = [{"id": "raad", "label": "Raadsleden"}, {"id": "or", "label": "OR-leden"},
                {"id": "inw", "label": "Inwoners"}]


@given(st.integers(min_value=0, max_value=300), st.integers(min_value=2, max_value=100))
def test_even_sizes(members, max_size):
    sizes = circles.even_sizes(members, max_size)
    assert sum(sizes) == members
    assert len(sizes) == circles.sub_circle_count(members, max_size)
    assert max(sizes) - min(sizes) <= 1
    assert max(sizes) <= max_size
    assert circles.balanced_numbers(members, max_size) == sorted(
        circles.balanced_numbers(members, max_size))


def test_nine_with_a_maximum_of_eight_are_five_and_four():
    assert circles.even_sizes(9, 8) == [5, 4]
    assert circles.even_sizes(17, 8) == [6, 6, 5]
    assert circles.seat_late({1: 5, 2: 4}, 8) == 2
    assert circles.seat_late({1: 8, 2: 8}, 8) == 3


def _room(max_size):
    store = SQLiteStore(":memory:")
    ops = Operations(store, clock=Clock())
    workshop = ops.create_workshop({"title": "Dialoog", "perspectives": PERSPECTIVES,
                                    "circle_size": max_size})
    return store, ops, workshop, Actor(Role.FACILITATOR, workshop.code)


def _sizes(ops, code):
    by_base: dict[str, Counter] = {}
    for p in ops.load(code).participants:
        by_base.setdefault(p.perspective, Counter())[p.circle] += 1
    return by_base


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=2, max_value=9),
       st.lists(st.sampled_from(["raad", "or", "inw"]), max_size=40),
       st.lists(st.sampled_from(["raad", "or", "inw"]), max_size=12))
def test_random_rooms_split_evenly_and_late_joiners_take_the_smallest(max_size, early, late):
    store, ops, workshop, fac = _room(max_size)
    try:
        joined = [ops.join(workshop.code, p)[0] for p in early]
        go(ops, fac, StepKind.CIRCLE)
        for perspective, counts in _sizes(ops, workshop.code).items():
            n = sum(counts.values())
            assert sorted(counts.values(), reverse=True) == circles.even_sizes(n, max_size)
            # by join order: the earliest members are in the first circle
            order = [p.circle for p in ops.load(workshop.code).participants
                     if p.perspective == perspective]
            assert order == sorted(order, key=lambda c: circles.number_of(perspective, c))
        assert len(ops.load(workshop.code).participants) == len(joined)
        for perspective in late:
            before = _sizes(ops, workshop.code).get(perspective, Counter())
            participant, _ = ops.join(workshop.code, perspective)
            open_ones = [n for n in before.values() if n < max_size]
            if open_ones:
                assert before[participant.circle] == min(open_ones)
            else:
                assert participant.circle not in before
            after = _sizes(ops, workshop.code)[perspective]
            assert max(after.values()) <= max_size
    finally:
        store.close()


def test_split_happens_once_and_keeps_circles_after_going_back(domain_ops):
    ops = domain_ops
    workshop = ops.create_workshop({"title": "t", "perspectives": PERSPECTIVES,
                                    "circle_size": 8})
    fac = Actor(Role.FACILITATOR, workshop.code)
    people = [ops.join(workshop.code, "raad")[0] for _ in range(9)]
    assert [p.circle for p in people].count("raad-2") == 1  # 8 + 1 before the circles open
    go(ops, fac, StepKind.CIRCLE)
    circles_now = {p.id: p.circle for p in ops.load(workshop.code).participants}
    assert Counter(circles_now.values()) == {"raad": 5, "raad-2": 4}
    assert circles_now[people[5].id] == "raad-2"
    names = {p.circle: p.circle_name for p in ops.load(workshop.code).participants}
    assert names == {"raad": "Raadsleden", "raad-2": "Raadsleden 2"}
    ops.change_step(fac, "previous")
    ops.change_step(fac, "next")
    assert {p.id: p.circle for p in ops.load(workshop.code).participants} == circles_now
