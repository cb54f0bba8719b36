"""Mixed dialogue tables (issue 17, item 3): the composition promise over many random
rooms, determinism per seed, and late joiners."""

from __future__ import annotations

from collections import Counter, defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator.domain import tables

PERSPECTIVES = ["raadslid", "vakbond", "burger", "or-lid", "medewerker", "onderzoeker"]

rooms = st.lists(st.sampled_from(PERSPECTIVES), max_size=80).map(
    lambda ps: [(f"p{i:03d}", p) for i, p in enumerate(ps)])


def _tables(people, seats):
    out = defaultdict(list)
    for person, perspective in people:
        out[seats[person]].append(perspective)
    return out


@settings(max_examples=300, deadline=None)
@given(rooms, st.integers(min_value=2, max_value=12), st.integers(min_value=0, max_value=10**6))
def test_composition_holds_over_random_rooms(people, size, seed):
    seats = tables.compose(people, size, seed)
    assert set(seats) == {p for p, _ in people}
    if not people:
        return
    k = tables.table_count(len(people), size)
    by_table = _tables(people, seats)
    assert set(by_table) == set(range(1, k + 1))
    sizes = [len(v) for v in by_table.values()]
    assert max(sizes) - min(sizes) <= 1 and max(sizes) <= size
    per_perspective = Counter(p for _, p in people)
    for perspective, count in per_perspective.items():
        at = [Counter(by_table[n])[perspective] for n in range(1, k + 1)]
        # no table holds two of one perspective while another lacks it
        assert max(at) - min(at) <= 1
        assert min(at) == count // k
    # as many different perspectives per table as the room allows: a perspective with at
    # least k people sits at every table
    for members in by_table.values():
        assert {p for p, c in per_perspective.items() if c >= k} <= set(members)
    assert tables.compose(list(reversed(people)), size, seed) == seats  # deterministic


def test_another_seed_recomposes():
    people = [(f"p{i}", PERSPECTIVES[i % 3]) for i in range(12)]
    seen = {tuple(sorted(tables.compose(people, 4, seed).items())) for seed in range(10)}
    assert len(seen) > 1


def test_uneven_room_one_two_and_twelve():
    people = ([("b1", "burger")] + [(f"o{i}", "or-lid") for i in range(2)]
              + [(f"r{i}", "raadslid") for i in range(12)])
    by_table = _tables(people, tables.compose(people, 5, seed=7))
    assert len(by_table) == 3
    assert sorted(len(v) for v in by_table.values()) == [5, 5, 5]
    assert sorted(Counter(v)["raadslid"] for v in by_table.values()) == [4, 4, 4]


def test_late_joiner_goes_where_the_perspective_is_missing():
    seated = {1: ["raadslid", "vakbond", "burger"], 2: ["raadslid", "vakbond"],
              3: ["raadslid", "burger"]}
    assert tables.seat_late(seated, "burger") == 2
    assert tables.seat_late(seated, "vakbond") == 3
    assert tables.seat_late(seated, "raadslid") == 2  # all have one: the smallest
    assert tables.seat_late({}, "raadslid") == 1
