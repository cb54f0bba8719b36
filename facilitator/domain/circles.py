"""How the members of one base circle are spread over its sub-circles (issue 17, item 5).

Nine people of one perspective with a circle maximum of eight make two circles of
five and four, never eight and one: nobody reflects alone. Pure functions, so the
rule is tested over many random rooms without a store.
"""

from __future__ import annotations

from collections.abc import Mapping


def sub_circle_count(members: int, max_size: int) -> int:
    """k = ceil(members / max_size), at least one."""
    size = max(max_size, 1)
    return max(1, -(-members // size))


def even_sizes(members: int, max_size: int) -> list[int]:
    """Sizes of k sub-circles that differ by at most one and add up to ``members``."""
    k = sub_circle_count(members, max_size)
    small, extra = divmod(members, k)
    return [small + 1 if i < extra else small for i in range(k)]


def balanced_numbers(members: int, max_size: int) -> list[int]:
    """Sub-circle number (1, 2, ...) of each member in join order: the first members fill
    circle 1, the next circle 2, and so on, with even sizes."""
    numbers: list[int] = []
    for number, size in enumerate(even_sizes(members, max_size), start=1):
        numbers.extend([number] * size)
    return numbers


def seat_late(counts: Mapping[int, int], max_size: int) -> int:
    """The sub-circle for a late joiner: the smallest one that is not full (the lowest
    number among equals), or a new one when all are full."""
    size = max(max_size, 1)
    open_ones = [(count, number) for number, count in counts.items() if count < size]
    if open_ones:
        return min(open_ones)[1]
    return max(counts, default=0) + 1


def circle_id(base_id: str, number: int) -> str:
    """The id of sub-circle ``number`` of a base circle (the first keeps the base id)."""
    return base_id if number == 1 else f"{base_id}-{number}"


def circle_name(base_name: str, number: int) -> str:
    """The name of sub-circle ``number`` of a base circle."""
    return base_name if number == 1 else f"{base_name} {number}"


def number_of(base_id: str, circle: str) -> int | None:
    """The sub-circle number of ``circle`` within base circle ``base_id``, or None."""
    if circle == base_id:
        return 1
    prefix = f"{base_id}-"
    if circle.startswith(prefix) and circle[len(prefix):].isdigit():
        return int(circle[len(prefix):])
    return None
