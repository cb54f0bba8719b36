"""No two documents of a series differ by a small group: the series synthesis under
every filter, its per-session cells and each session's own board report are put side
by side, and every subtraction of their counts (and n·mean sums) is tried."""

from __future__ import annotations

import itertools
import re
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.domain import privacy
from facilitator.domain.export import report as session_report
from facilitator.domain.model import (
    Finding,
    Participant,
    Perspective,
    Rating,
    Reaction,
    Reflection,
    Workshop,
    WorkshopData,
)
from facilitator.domain.series import new_series, synthesis

PERSPECTIVES = [("raadslid", "Raadslid"), ("burger", "Burger"),
                ("griffier", "Griffier"), ("wethouder", "Wethouder")]
LABEL_TO_ID = {label: pid for pid, label in PERSPECTIVES}
TOTAL = "*total"


def session(code: str, place: str, people: dict[str, list[tuple[int | None, int | None]]],
            date: str = "2027-03-01",
            reactions: dict[str, list[str | None]] | None = None) -> WorkshopData:
    """A session whose people (per perspective) rated f1 (before, after): None = not
    rated in that round; 0 = *geen mening*. ``reactions``: per perspective, each
    person's reaction (or None) to one shared reflection on f2, which nobody rates."""
    workshop = Workshop(code=code, title="Reflectiesessie", place=place, date=date,
                        municipality=place,
                        perspectives=[Perspective(id=i, label=label) for i, label in PERSPECTIVES],
                        findings=[Finding("f1", "Verandering verloopt zelden volgens plan"),
                                  Finding("f2", "Betekenisgeving verschilt per positie")])
    participants, ratings = [], []
    for pid, scores in people.items():
        for n, (before, after) in enumerate(scores):
            who = f"{code}-{pid}-{n}"
            participants.append(Participant(id=who, token="", pseudonym=who, perspective=pid,
                                            circle=pid))
            for round_, score in (("before", before), ("after", after)):
                if score is None:
                    continue
                ratings.append(Rating(id=f"f1:{round_}:{who}", finding="f1", round=round_,
                                      participant=who, perspective=pid, circle=pid,
                                      score=score or None, created_at="x"))
    data = WorkshopData(workshop=workshop, participants=participants, ratings=ratings)
    if reactions:
        data.reflections.append(Reflection(id="r1", participant="author", perspective="auteur",
                                           circle="auteur", text="Zo gaat het hier ook",
                                           created_at="x", finding="f2", shared=True))
        for pid, kinds in reactions.items():
            for n, kind in enumerate(kinds):
                if kind is not None:
                    who = f"{code}-{pid}-{n}"
                    data.reactions.append(Reaction(id=f"r1:{who}", reflection="r1",
                                                   participant=who, perspective=pid, circle=pid,
                                                   kind=kind, created_at="x"))
    return data


def synthesis_figures(out: dict, chosen: list[int]) -> list[tuple]:
    """(sessions covered, round, group, n, n·mean, decimals) of every figure the synthesis
    shows: each row, each row's per-session cell, each round's total."""
    key_to_index = {(s.get("id") or s.get("code")): i for s, i in zip(out["sessions"], chosen,
                                                                      strict=True)}
    figures = []
    everyone = frozenset(chosen)
    for finding in out["findings"]:
        for round_, figure in finding["rounds"].items():
            if figure["n"]:
                figures.append((everyone, round_, TOTAL, figure["n"],
                                figure["n"] * figure["mean"], 2))
            for row in figure["perspectives"]:
                figures.append((everyone, round_, row["id"], row["people"],
                                row["people"] * row["mean"], 2))
                for key, cell in row.get("sessions", {}).items():
                    figures.append((frozenset({key_to_index[key]}), round_, row["id"],
                                    cell["people"], cell["people"] * cell["mean"], 2))
        # reactions (one reflection per session, one reaction per person): n is the number
        # of reactions, the "sum" the agreeing ones
        reactions = finding.get("reactions") or {}
        total = reactions.get("total") or {}
        if sum(total.values()):
            figures.append((everyone, "reactions", TOTAL, sum(total.values()),
                            total.get("agree", 0), 9))
        for row in reactions.get("perspectives") or []:
            figures.append((everyone, "reactions", row["id"],
                            row["agree"] + row["disagree"] + row["pass"], row["agree"], 9))
            for key, cell in row.get("sessions", {}).items():
                figures.append((frozenset({key_to_index[key]}), "reactions", row["id"],
                                sum(cell.values()), cell["agree"], 9))
    return figures


CELL = re.compile(r"^(\d+(?:,\d+)?) \((\d+)\)$")


def report_figures(data: WorkshopData, index: int, min_group: int) -> list[tuple]:
    """The same figures from the session's board report: its rating table and page one."""
    built = session_report.build(data, lang="nl", preset="bestuur", min_group=min_group,
                                 now=datetime(2027, 3, 2))
    figures = []
    cover = frozenset({index})
    for item in built.findings:
        for row in item.ratings:
            label = row[0]
            group = (privacy.OTHER if label.startswith("Andere perspectieven")
                     else LABEL_TO_ID[label])
            for round_, text in (("before", row[1]), ("after", row[2])):
                match = CELL.match(text)
                if match:
                    n = int(match.group(2))
                    mean = float(match.group(1).replace(",", "."))
                    figures.append((cover, round_, group, n, n * mean, 1))
    for item in built.reflections:
        if item.id == "r1" and item.agree + item.disagree + item.pass_:
            figures.append((cover, "reactions", TOTAL, item.agree + item.disagree + item.pass_,
                            item.agree, 9))
    for line in built.summary.findings:
        for round_, pattern in (("before", r"vooraf herkent \d+ van (\d+) beoordelaars dit "
                                           r"\(gemiddeld (\d+,\d)\)"),
                                ("after", r"na de dialoog \d+ van (\d+) \(gemiddeld (\d+,\d)\)")):
            match = re.search(pattern, line)
            if match:
                n, mean = int(match.group(1)), float(match.group(2).replace(",", "."))
                figures.append((cover, round_, TOTAL, n, n * mean, 1))
    return figures


def exposed(figures: list[tuple], min_group: int) -> list[str]:
    """Every subtraction of two figures of the same group and round where one document
    covers the other's sessions: what group would it give?"""
    found = []
    for a, b in itertools.permutations(figures, 2):
        cover_a, round_a, group_a, n_a, sum_a, dec_a = a
        cover_b, round_b, group_b, n_b, sum_b, dec_b = b
        if round_a != round_b or group_a != group_b or not cover_b <= cover_a:
            continue
        derived = n_a - n_b
        if derived < 0:
            found.append(f"{b} holds more people than {a}, which covers it")
        elif 0 < derived < min_group:
            found.append(f"{a} minus {b} gives a group of {derived}")
        elif derived == 0:
            # the same people: the sums agree (up to the rounding of the means shown)
            slack = n_a * 0.5 * 10 ** -min(dec_a, dec_b) * 2 + 1e-6
            if abs(sum_a - sum_b) > slack:
                found.append(f"{a} and {b}: the same count, other people")
    return found


def documents(sessions: list[WorkshopData], min_group: int) -> list[tuple]:
    series = new_series("s", "DVG 2027", {}, "now")
    figures = []
    for size in range(1, len(sessions) + 1):
        for chosen in itertools.combinations(range(len(sessions)), size):
            out = synthesis(series, [sessions[i] for i in chosen], min_group=min_group)
            figures += synthesis_figures(out, list(chosen))
    for i, data in enumerate(sessions):
        figures += report_figures(data, i, min_group)
    return figures


def test_the_deventer_council_member_cannot_be_subtracted():
    """Four council members over the series (three in Zwolle, one in Deventer): the whole
    series minus 'Zwolle only', or minus Zwolle's own board report, gave the one Deventer
    council member's score."""
    zwolle = session("ZWL001", "Zwolle", {"raadslid": [(4, None), (4, None), (5, None)],
                                          "burger": [(2, None)] * 3})
    deventer = session("DEV001", "Deventer", {"raadslid": [(1, None)],
                                              "burger": [(3, None)] * 3})
    series = new_series("s", "DVG 2027", {}, "now")

    def council(sessions):
        rows = synthesis(series, sessions)["findings"][0]["rounds"]["before"]["perspectives"]
        return [(r["people"], r["mean"]) for r in rows if r["id"] == "raadslid"]

    assert council([zwolle]) == [(3, 4.33)]
    # the lone council member of Deventer is not in the series figure: it is Zwolle's
    assert council([zwolle, deventer]) == [(3, 4.33)]
    assert council([deventer]) == []
    board = session_report.build(zwolle, preset="bestuur", now=datetime(2027, 3, 2))
    assert ["Raadslid", "4,3 (3)"] == board.findings[0].ratings[0][:2]
    assert exposed(documents([zwolle, deventer], 3), 3) == []


def test_where_pooling_leaves_nothing_the_series_report_says_so():
    from facilitator.domain.export import series_report

    lone = session("ONE001", "Ede", {"raadslid": [(4, None)], "burger": [(2, None)]})
    out = synthesis(new_series("s", "DVG 2027", {}, "now"), [lone])
    before = out["findings"][0]["rounds"]["before"]
    assert before["perspectives"] == [] and before["n"] == 0 and before["withheld"]
    text = series_report.markdown(series_report.build(out, "nl"))
    assert "Herkenbaarheid vóór de dialoog" in text
    assert "Te weinig deelnemers per perspectief om cijfers te tonen." in text


scores = st.one_of(st.none(), st.integers(min_value=0, max_value=5))
kinds = st.sampled_from([None, "agree", "disagree", "pass"])


@st.composite
def series_of_sessions(draw):
    min_group = draw(st.integers(min_value=2, max_value=5))
    count = draw(st.integers(min_value=2, max_value=4))
    sessions = []
    for i in range(count):
        people = {}
        reactions = {}
        for pid, _label in PERSPECTIVES[:draw(st.integers(min_value=2, max_value=4))]:
            size = draw(st.integers(min_value=1, max_value=12))
            people[pid] = [(draw(scores), draw(scores)) for _ in range(size)]
            reactions[pid] = [draw(kinds) for _ in range(size)]
        place = draw(st.sampled_from(["Zwolle", "Deventer", "Ede", "Zwolle"]))
        sessions.append(session(f"S{i}X{draw(st.integers(100, 999))}", place, people,
                                date=f"2027-0{i + 1}-01", reactions=reactions))
    return sessions, min_group


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(series_of_sessions())
def test_no_subtraction_between_two_documents_reveals_a_small_group(case):
    sessions, min_group = case
    figures = documents(sessions, min_group)
    assert exposed(figures, min_group) == []
    # and no figure itself stands on fewer people than the rule
    assert all(n >= min_group for *_rest, n, _s, _d in figures)
