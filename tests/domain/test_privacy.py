"""The small-group rule of ``domain.privacy``, over random rooms: perspective sizes
1 to 12, a minimum group of 2 to 5, everyone or some reacting. No figure shown is
backed by fewer than the minimum of people, no pool holds a single perspective,
and the totals add up only what is shown. The screen's snapshot and the report
apply the same rule to the same input."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.domain import privacy


@dataclass
class Opinion:
    participant: str
    perspective: str
    kind: str


rooms = st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=8)


@st.composite
def opinions(draw):
    sizes = draw(rooms)
    min_group = draw(st.integers(min_value=2, max_value=5))
    items = []
    for index, size in enumerate(sizes):
        for person in range(size):
            if draw(st.booleans()) or size == 1:
                kind = draw(st.sampled_from(["agree", "disagree", "pass"]))
                items.append(Opinion(f"p{index}-{person}", f"perspective{index}", kind))
    return items, min_group


def people_behind(items, group_of):
    behind: dict[str, set[str]] = defaultdict(set)
    origins: dict[str, set[str]] = defaultdict(set)
    for item in items:
        group = group_of.get(item.perspective)
        if group is not None:
            behind[group].add(item.participant)
            origins[group].add(item.perspective)
    return behind, origins


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(opinions())
def test_no_figure_rests_on_fewer_than_the_minimum(case):
    items, min_group = case
    summary = privacy.pooled_counts(items, min_group)
    people = defaultdict(set)
    for item in items:
        people[item.perspective].add(item.participant)
    group_of = privacy.pool_assignment(people, min_group)
    behind, origins = people_behind(items, group_of)
    for group, counts in summary["by_perspective"].items():
        assert len(behind[group]) >= min_group, (group, behind[group])
        if group == privacy.OTHER:
            assert len(origins[group]) >= 2  # a pool of one perspective would name it
        assert sum(counts.values()) == sum(1 for i in items if group_of[i.perspective] == group)
    # the total is the sum of what is shown: subtracting never reveals a withheld group
    shown_total: Counter = Counter()
    for counts in summary["by_perspective"].values():
        shown_total.update(counts)
    assert summary["total"] == dict(shown_total)
    assert summary.get("withheld", False) == any(g is None for g in group_of.values())
    # without pooling (facilitator) everything is there
    full = privacy.pooled_counts(items, min_group, pool=False)
    assert sum(full["total"].values()) == len(items) and "withheld" not in full


def test_uneven_room_by_hand():
    # 12 raadsleden, 2 OR-leden, 1 gemeentesecretaris, 1 burger; minimum 3
    people = {"raadslid": set(range(12)), "or-lid": {"a", "b"}, "gemeentesecretaris": {"c"},
              "burger": {"d"}}
    assert privacy.pool_assignment(people, 3) == {
        "raadslid": "raadslid", "or-lid": privacy.OTHER, "gemeentesecretaris": privacy.OTHER,
        "burger": privacy.OTHER}
    # a lone small perspective cannot hide in a pool of itself
    assert privacy.pool_assignment({"raadslid": set(range(12)), "or-lid": {"a", "b"}}, 3) == {
        "raadslid": "raadslid", "or-lid": None}
    # two small perspectives of one person each: still too few together
    assert privacy.pool_assignment({"burger": {"d"}, "ondernemer": {"e"}}, 3) == {
        "burger": None, "ondernemer": None}
    # the same person twice counts once
    assert privacy.pool_assignment({"vakbond": ["x", "x", "x"]}, 3) == {"vakbond": None}
