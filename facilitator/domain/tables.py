"""Mixed dialogue tables (issue 17, item 3): pure composition, so that its promise is
tested over many random rooms without a store.

For n people and a wanted table size s there are k = ceil(n / s) tables. People are
dealt round-robin over the tables, one perspective after another (the order of the
perspectives and of the people within one drawn from the seed), so that

* table sizes differ by at most one (person i sits at table i mod k), and
* each perspective of c people has floor(c / k) or ceil(c / k) at every table: no table
  holds two people of one perspective while another table lacks that perspective, and
  each table holds as many different perspectives as the room allows.

The same people, size and seed always give the same tables; another seed recomposes.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence


def table_count(people: int, size: int) -> int:
    """k = ceil(people / size), at least one."""
    return max(1, -(-people // max(size, 1)))


def compose(people: Sequence[tuple[str, str]], size: int, seed: int = 0) -> dict[str, int]:
    """Seat (person id, perspective) pairs at tables numbered 1..k; returns id -> number."""
    if not people:
        return {}
    rng = random.Random(seed)
    by_perspective: dict[str, list[str]] = defaultdict(list)
    for person, perspective in sorted(people):
        by_perspective[perspective].append(person)
    # larger perspectives first, the order among equals (and within one) from the seed
    order = sorted(by_perspective)
    rng.shuffle(order)
    order.sort(key=lambda p: -len(by_perspective[p]))
    k = table_count(len(people), size)
    seats: dict[str, int] = {}
    i = 0
    for perspective in order:
        members = by_perspective[perspective][:]
        rng.shuffle(members)
        for person in members:
            seats[person] = i % k + 1
            i += 1
    return seats


def seat_late(tables: Mapping[int, Sequence[str]], perspective: str) -> int:
    """The table a late joiner of ``perspective`` adds most to: one that lacks the
    perspective (else has fewest of it), then the smallest, then the lowest number."""
    if not tables:
        return 1
    return min(tables, key=lambda n: (Counter(tables[n])[perspective], len(tables[n]), n))


def composition(composed: Mapping[str, object] | None) -> int:
    """The number of the tables as composed now (``LiveState.tables``): each recomposing
    that seats anyone elsewhere counts one up, so a harvest keeps the composition it was
    written in. 0 before any, and for tables composed before compositions were numbered
    (their harvests carry 0 as well)."""
    number = (composed or {}).get("composition", 0)
    return number if isinstance(number, int) and not isinstance(number, bool) else 0
