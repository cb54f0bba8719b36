"""Property tests of the small-group rule in the pattern analysis (issues 14 and 18).

Over random rooms (perspective sizes 1 to 12, minimum group 2 to 5): no figure that
the screen's or a report reader's analysis shows under a perspective's name rests on
fewer than the minimum of distinct people, no pooled "andere perspectieven" figure
holds a single perspective or fewer than the minimum of people, and no item quotes a
reflection the audience may not see (hidden, or not shared).
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.domain.model import (
    Conclusion,
    Endorsement,
    LiveState,
    Participant,
    Perspective,
    Reaction,
    Reflection,
    Step,
    StepKind,
    Workshop,
    WorkshopData,
)
from facilitator.domain.patterns import OTHER, PatternEngine
from facilitator.domain.privacy import Viewer
from facilitator.domain.rules import Role

WORDS = ["vertrouwen", "werkdruk", "hybride werken", "cao", "loonruimte", "kaderstelling",
         "communicatie", "inwoners", "budget", "digitalisering", "samenwerking", "tijd"]
SECTIONS = ("themes", "distinctive", "common_ground", "dividing_lines", "blind_spots")


@st.composite
def rooms(draw):
    sizes = draw(st.lists(st.integers(1, 12), min_size=2, max_size=6))
    min_group = draw(st.integers(2, 5))
    kind = draw(st.sampled_from([StepKind.EXCHANGE, StepKind.CONCLUSIONS]))
    perspectives = [Perspective(f"p{i}", f"Perspectief {i}", f"Perspective {i}")
                    for i in range(len(sizes))]
    workshop = Workshop(code="PROP01", title="t", perspectives=perspectives,
                        steps=[Step("s", "stap", str(kind))],
                        state=LiveState(current_step="s"))
    data = WorkshopData(workshop=workshop)
    n = 0
    for i, size in enumerate(sizes):
        for _ in range(size):
            n += 1
            data.participants.append(Participant(id=f"u{n}", token="t", pseudonym="x",
                                                 perspective=f"p{i}", circle=f"p{i}"))
    for person in data.participants:
        for j in range(draw(st.integers(0, 2))):
            words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
            data.reflections.append(Reflection(
                id=f"r{person.id}-{j}", participant=person.id, perspective=person.perspective,
                circle=person.circle, text="Over " + " en ".join(words),
                created_at=f"{len(data.reflections):06d}",
                shared=draw(st.booleans()) or draw(st.booleans()),
                hidden=draw(st.integers(0, 9)) == 0))
    for r in data.reflections:
        for person in data.participants:
            if draw(st.integers(0, 2)) == 0:
                data.reactions.append(Reaction(
                    id=f"x{len(data.reactions)}", reflection=r.id, participant=person.id,
                    perspective=person.perspective, circle=person.circle,
                    kind=draw(st.sampled_from(["agree", "disagree", "pass"])), created_at=""))
    if data.reflections:
        c = Conclusion(id="c1", text="Samen verder", created_at="",
                       reflections=[data.reflections[0].id])
        data.conclusions.append(c)
        for person in data.participants:
            if draw(st.booleans()):
                data.endorsements.append(Endorsement(
                    id=f"e{person.id}", conclusion="c1", participant=person.id,
                    perspective=person.perspective,
                    kind=draw(st.sampled_from(["support", "concern"])), created_at=""))
    return data, min_group, kind


def _people(data: WorkshopData):
    """(target, perspective) -> the distinct people who reacted or endorsed."""
    who: dict[tuple[str, str], set[str]] = defaultdict(set)
    for x in data.reactions:
        who[(f"r:{x.reflection}", x.perspective)].add(x.participant)
    for e in data.endorsements:
        who[(f"c:{e.conclusion}", e.perspective)].add(e.participant)
    return who


def _check(result: dict, data: WorkshopData, min_group: int) -> None:
    visible = {r.id for r in data.reflections if r.shared and not r.hidden}
    reacted = _people(data)
    members = defaultdict(int)
    for p in data.participants:
        members[p.perspective] += 1
    for section in SECTIONS:
        for item in result[section]:
            assert set(item["reflections"]) <= visible, (section, item["id"])
            for quote in item.get("quotes", []):
                assert quote["id"] in visible, (section, item["id"], quote)
                pid = quote["perspective"]
                assert pid is None or pid == OTHER or members[pid] >= min_group, quote
            target = item.get("target")
            for entry in item["perspectives"]:
                pid = entry["id"]
                if entry.get("hidden"):
                    assert not {"authors", "seen", "agree", "share"} & set(entry), entry
                    continue
                if pid == OTHER:
                    assert entry.get("merged", 0) >= 2, (section, item["id"], entry)
                if "authors" in entry:                    # a text figure: authors behind it
                    assert entry["authors"] >= min_group, (section, item["id"], entry)
                if "seen" in entry:                       # a reaction figure: people behind it
                    if pid != OTHER and target:
                        people = len(reacted[(target, pid)])
                        assert people >= min_group, (section, item["id"], entry, people)
                    assert entry["seen"] >= min_group, (section, item["id"], entry)
                if "participants" in entry and pid not in (OTHER, "rest") \
                        and entry["participants"]:
                    assert entry["participants"] >= min_group, (section, item["id"], entry)
    for row in result["perspectives"]:
        if row.get("hidden") or not row.get("participants"):
            continue
        assert row["participants"] >= min_group, row
        if row["id"] == OTHER:
            assert row["merged"] >= 2, row
        else:
            assert members[row["id"]] >= min_group, row


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rooms())
def test_screen_and_report_figures_rest_on_enough_people(room):
    data, min_group, kind = room
    engine = PatternEngine()
    for role in (Role.SCREEN, Role.READER):
        result = engine.analyse(data, Viewer(role, kind), "nl", min_group)
        assert result["facilitator_only"] is False
        _check(result, data, min_group)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rooms())
def test_the_console_sees_everything_but_marks_small_groups(room):
    data, min_group, kind = room
    result = PatternEngine().analyse(data, Viewer(Role.FACILITATOR, kind), "nl", min_group)
    for section in SECTIONS:
        for item in result[section]:
            for entry in item["perspectives"]:
                if "authors" in entry and entry["id"] not in ("rest", OTHER):
                    assert entry["small_group"] == (entry["authors"] < min_group), entry


def test_the_screen_sees_nothing_before_the_dialogue():
    """The rules table: the screen sees shared reflections from the exchange step on."""
    data = WorkshopData(workshop=Workshop(
        code="PROP02", title="t", perspectives=[Perspective("a", "A", "A"),
                                                Perspective("b", "B", "B")],
        steps=[Step("s", "kring", "circle")], state=LiveState(current_step="s")))
    for i in range(8):
        pid = "a" if i % 2 else "b"
        data.participants.append(Participant(id=f"u{i}", token="t", pseudonym="x",
                                             perspective=pid, circle=pid))
        data.reflections.append(Reflection(id=f"r{i}", participant=f"u{i}", perspective=pid,
                                           circle=pid, text="vertrouwen in elkaar",
                                           created_at=f"{i}", shared=True))
    screen = PatternEngine().analyse(data, "screen")
    assert screen["reflections"] == [] and screen["themes"] == []
    console = PatternEngine().analyse(data, "facilitator")
    assert len(console["reflections"]) == 8
    report = PatternEngine().analyse(data, "export")
    assert len(report["reflections"]) == 8 and report["viewer"]["role"] == "reader"


class _PoolingViewer:
    """The two things ``table._grouped`` asks of an analysis context."""

    def __init__(self, min_group: int) -> None:
        self.pools = True
        self.min_group = min_group


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 4), st.integers(1, 7), st.integers(1, 30), st.integers(0, 10_000))
def test_grouping_a_reaction_table_follows_pool_assignment_row_by_row(min_group, n_cols,
                                                                       n_rows, seed):
    """The vectorised pooling of the reaction table gives, row by row, what
    privacy.pool_assignment decides for that row's people."""
    import numpy as np

    from facilitator.domain.patterns.table import _grouped
    from facilitator.domain.privacy import pool_assignment

    rng = np.random.default_rng(seed)
    people = rng.integers(0, min_group + 3, size=(n_rows, n_cols))
    table = rng.integers(0, 4, size=(n_rows, n_cols, 3)) * (people[..., None] > 0)
    out, merged = _grouped(table, people, _PoolingViewer(min_group))
    for i in range(n_rows):
        where = pool_assignment({j: range(int(people[i, j])) for j in range(n_cols)}, min_group)
        expected_other = np.zeros(3, dtype=np.int64)
        for j in range(n_cols):
            if where.get(j) == j:
                assert (out[i, j] == table[i, j]).all()
            else:
                assert (out[i, j] == 0).all()
                if where.get(j) == OTHER:
                    expected_other += table[i, j]
        assert (out[i, n_cols] == expected_other).all()
        assert merged[i] == sum(1 for j in range(n_cols) if 0 < people[i, j] < min_group)
