"""A series of sessions: template inheritance and the synthesis against a small
series computed by hand, with the small-group rule over the series."""

from __future__ import annotations

import pytest

from facilitator.domain import privacy
from facilitator.domain.errors import Invalid
from facilitator.domain.model import (
    Finding,
    Participant,
    Rating,
    Reaction,
    Reflection,
    Workshop,
    WorkshopData,
)
from facilitator.domain.programme import default_perspectives
from facilitator.domain.series import new_series, session_spec, synthesis


def session(code: str, place: str, ratings: list[tuple[str, str, int]],
            themes: list[str], concerns: list[tuple[str, str, int, int]] = ()) -> WorkshopData:
    """A session with ratings of f1 and, as its pattern analysis would give them, themes
    and distinctive concerns ((perspective, term, people using, people of it))."""
    workshop = Workshop(code=code, title="Reflectiesessie", place=place, date="2027-03-01",
                        perspectives=default_perspectives(),
                        findings=[Finding("f1", "Verandering verloopt zelden volgens plan")])
    people = {who: perspective for who, perspective, _ in ratings}
    data = WorkshopData(
        workshop=workshop,
        participants=[Participant(id=who, token="", pseudonym=who, perspective=p, circle=p)
                      for who, p in people.items()],
        ratings=[Rating(id=f"f1:before:{who}", finding="f1", round="before", participant=who,
                        perspective=p, circle=p, score=score, created_at="x")
                 for who, p, score in ratings])
    # what the pattern analysis for a report's reader would give (passed in below)
    data.patterns = {
        "themes": [{"term": t, "key": t.lower(), "counts": {"authors_using": 3},
                    "perspectives": [{"id": "raadslid", "authors_using": 3}]} for t in themes],
        "distinctive": [{"term": t, "key": t, "perspective": pid,
                         "counts": {"authors_using": using, "authors": of}}
                        for pid, t, using, of in concerns]}
    return data


def reflection(data: WorkshopData, rid: str, who: str, perspective: str, finding: str | None,
               shared: bool = True, hidden: bool = False) -> None:
    data.reflections.append(Reflection(id=rid, participant=who, perspective=perspective,
                                       circle=perspective, text="Klopt wel, hier ook zo",
                                       created_at="x", finding=finding, shared=shared,
                                       hidden=hidden))


def react(data: WorkshopData, rid: str, reactions: list[tuple[str, str, str]]) -> None:
    for who, perspective, kind in reactions:
        data.reactions.append(Reaction(id=f"{rid}:{who}", reflection=rid, participant=who,
                                       perspective=perspective, circle=perspective, kind=kind,
                                       created_at="x"))


def test_a_session_starts_from_the_series_template():
    series = new_series("s1", "DVG Reflectiesessies 2027",
                        {"findings": [{"id": "f1", "title": "Plan"}], "title": "weg",
                         "place": "weg"}, "2027-01-01T00:00:00+00:00")
    assert "title" not in series.template and "place" not in series.template
    spec = session_spec(series, date="2027-03-01", place="Zwolle", municipality="Zwolle")
    assert spec == {"findings": [{"id": "f1", "title": "Plan"}],
                    "title": "DVG Reflectiesessies 2027", "date": "2027-03-01",
                    "place": "Zwolle", "municipality": "Zwolle"}
    with pytest.raises(Invalid):
        new_series("s2", "", {}, "now")
    with pytest.raises(Invalid):
        new_series("s2", "x", ["not", "a", "dict"], "now")


def small_series() -> list[WorkshopData]:
    """Three sessions; Ede did not rate the finding but reacted to reflections on it."""
    zwolle = session("ZWL001", "Zwolle",
                     [("a1", "raadslid", 4), ("a2", "raadslid", 4), ("a3", "raadslid", 5),
                      ("a4", "burger", 2)], ["werkdruk", "vertrouwen", "hybride werken"],
                     [("raadslid", "kaderstelling", 3, 4)])
    deventer = session("DEV001", "Deventer",
                       [("b1", "raadslid", 3), ("b2", "raadslid", 3), ("b5", "raadslid", 4),
                        ("b3", "burger", 1), ("b4", "burger", 2)], ["Vertrouwen", "kaderstelling"],
                       [("raadslid", "kaderstelling", 2, 2), ("burger", "parkeren", 2, 2)])
    ede = session("EDE001", "Ede", [], ["vertrouwen", "werkdruk"])
    # Zwolle rated f1: its reactions on f1 do not count for f1
    reflection(zwolle, "z1", "a1", "raadslid", "f1")
    react(zwolle, "z1", [("a2", "raadslid", "disagree"), ("a3", "raadslid", "disagree"),
                         ("a4", "raadslid", "disagree")])
    # Ede: three raadsleden, one burger and one town clerk react to a shared reflection
    # on f1; the two singles are too few for a pool and are withheld
    reflection(ede, "e1", "e1", "raadslid", "f1")
    react(ede, "e1", [("e2", "raadslid", "agree"), ("e3", "raadslid", "agree"),
                      ("e4", "raadslid", "disagree"), ("e5", "burger", "agree"),
                      ("e6", "gemeentesecretaris", "pass")])
    # a hidden reflection and one on no finding do not count
    reflection(ede, "e2", "e2", "raadslid", "f1", hidden=True)
    react(ede, "e2", [("e3", "raadslid", "pass"), ("e4", "raadslid", "pass"),
                      ("e5", "burger", "pass")])
    reflection(ede, "e3", "e3", "raadslid", None)
    react(ede, "e3", [("e2", "raadslid", "pass"), ("e4", "raadslid", "pass"),
                      ("e1", "raadslid", "pass")])
    return [zwolle, deventer, ede]


def test_synthesis_against_a_series_computed_by_hand():
    zwolle, deventer, ede = small_series()
    series = new_series("s1", "DVG 2027", {}, "now")
    out = synthesis(series, [zwolle, deventer, ede], patterns_of=lambda d: d.patterns)
    # sessions by their place in the selection, never by their (join) code
    assert [(s["id"], s["place"]) for s in out["sessions"]] == [
        ("S1", "Zwolle"), ("S2", "Deventer"), ("S3", "Ede")]
    assert "ZWL001" not in repr(out)
    f1 = out["findings"][0]
    rows = {p["id"]: p for p in f1["rounds"]["before"]["perspectives"]}
    # over the series: six raadsleden (23 / 6), three in each session; the burgers
    # were one in Zwolle and two in Deventer: small in each session, so pooled at the
    # source (alone among the small ones there: withheld), not three over the series
    assert rows["raadslid"]["people"] == 6 and rows["raadslid"]["mean"] == 3.83
    assert "burger" not in rows and privacy.OTHER not in rows
    assert rows["raadslid"]["sessions"] == {"S1": {"n": 3, "people": 3, "mean": 4.33},
                                            "S2": {"n": 3, "people": 3, "mean": 3.33}}
    assert f1["rounds"]["before"]["n"] == 6 and f1["rounds"]["before"]["mean"] == 3.83
    assert f1["rounds"]["before"]["withheld"]
    # Ede has no ratings of f1: its reactions count instead, Zwolle's do not
    assert f1["sources"] == {"S1": "ratings", "S2": "ratings", "S3": "reactions"}
    assert f1["reactions"] == {
        "sessions": ["S3"], "total": {"agree": 2, "disagree": 1, "pass": 0},
        "withheld": True,
        "perspectives": [{"id": "raadslid", "label": "Raadslid", "people": 3, "agree": 2,
                          "disagree": 1, "pass": 0,
                          "sessions": {"S3": {"agree": 2, "disagree": 1, "pass": 0}}}]}
    # themes with the sessions they occur in (Vertrouwen and vertrouwen are one)
    themes = {t["term"].lower(): t for t in out["themes"]}
    assert themes["vertrouwen"]["sessions"] == ["S1", "S2", "S3"]
    assert themes["vertrouwen"]["count"] == 3 and themes["vertrouwen"]["people"] == 9
    assert themes["vertrouwen"]["perspectives"] == [
        {"id": "raadslid", "label": "Raadslid", "people": 9}]
    assert themes["werkdruk"]["sessions"] == ["S1", "S3"]
    assert {k: t["spread"] for k, t in themes.items()} == {
        "vertrouwen": "most", "werkdruk": "most", "hybride werken": "one",
        "kaderstelling": "one"}
    # a raadsleden concern: 3 of 4 in Zwolle; Deventer's 2 of 2 raadsleden and the two
    # burgers there are under the minimum in that session and are left out at the source
    assert out["concerns"] == [{
        "kind": "concern", "perspective": "raadslid", "label": "Raadslid",
        "term": "kaderstelling", "key": "kaderstelling", "sessions": ["S1"],
        "people": 3, "of": 4, "count": 1, "spread": "one"}]
    assert [(e["kind"], e["term"].lower()) for e in out["recurring"]] == [
        ("theme", "vertrouwen"), ("theme", "werkdruk")]
    assert [(e["kind"], e["term"], e["sessions"]) for e in out["once"]] == [
        ("theme", "hybride werken", ["S1"]), ("theme", "kaderstelling", ["S2"]),
        ("concern", "kaderstelling", ["S1"])]
    # a filter by place keeps one session; without an analysis there are no themes
    only = synthesis(series, [zwolle, deventer, ede], keep=lambda d: d.workshop.place == "Ede")
    assert [s["place"] for s in only["sessions"]] == ["Ede"] and only["themes"] == []
    assert only["findings"][0]["sources"] == {"S1": "reactions"}


def test_themes_from_the_real_pattern_analysis():
    """The analysis a report's reader sees, run on two realistic sessions."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "bench"))
    sys.path.insert(0, str(root / "tests" / "fixtures"))
    from patterns_quality import workshop_data
    from patterns_sessions import build

    from facilitator.domain.patterns import PatternEngine

    sessions = []
    for code, name in (("KLN001", "klein-15"), ("MID001", "middel-40")):
        data = workshop_data(build(name))
        data.workshop.code = code
        sessions.append(data)
    out = synthesis(new_series("s", "t", {}, "now"), sessions,
                    patterns_of=lambda d: PatternEngine().analyse(d, "export"))
    shared = [t for t in out["themes"] if t["count"] == 2]
    assert shared and all(t["sessions"] == ["S1", "S2"] for t in shared)
    assert {t["term"].lower() for t in out["recurring"] if t["kind"] == "theme"} == {
        t["term"].lower() for t in shared}
    for concern in out["concerns"]:
        assert concern["of"] >= 3 and concern["perspective"] != privacy.OTHER


def test_the_small_group_rule_holds_over_the_series():
    one = session("ONE001", "A", [("a1", "gemeentesecretaris", 1), ("a2", "raadslid", 5),
                                  ("a3", "raadslid", 5), ("a4", "raadslid", 4)], [])
    two = session("TWO001", "B", [("b1", "gemeentesecretaris", 2)], [])
    out = synthesis(new_series("s", "t", {}, "now"), [one, two])
    ids = [p["id"] for p in out["findings"][0]["rounds"]["before"]["perspectives"]]
    # two town clerks over the series: under three, and alone among the small ones
    assert ids == ["raadslid"] and privacy.OTHER not in ids
    # who came per perspective: the single town clerk of each session is not shown
    assert [s["perspectives"] for s in out["sessions"]] == [{"raadslid": 3}, {}]
    # the total adds up what is shown: the clerks' scores cannot be worked out from it
    assert out["findings"][0]["rounds"]["before"]["n"] == 3
    assert out["findings"][0]["rounds"]["before"]["mean"] == 4.67


def test_no_subtraction_reveals_a_small_group_in_one_session():
    """Three raadsleden in one session and two in another: the two are under the
    minimum in their session and stay out of the series figure (pooled at the source),
    so the series figure is the first session's, shown beside it; with a third session
    of three both sessions of three are shown and add up to the series figure."""
    one = session("ONE001", "A", [("a1", "raadslid", 5), ("a2", "raadslid", 5),
                                  ("a3", "raadslid", 4)], [])
    two = session("TWO001", "B", [("b1", "raadslid", 1), ("b2", "raadslid", 1)], [])
    three = session("THR001", "C", [("c1", "raadslid", 3), ("c2", "raadslid", 3),
                                    ("c3", "raadslid", 3)], [])
    series = new_series("s", "t", {}, "now")
    row = synthesis(series, [one, two])["findings"][0]["rounds"]["before"]["perspectives"][0]
    assert (row["people"], row["mean"]) == (3, 4.67)
    assert row["sessions"] == {"S1": {"n": 3, "people": 3, "mean": 4.67}}
    row = synthesis(series, [one, two, three])["findings"][0]["rounds"]["before"][
        "perspectives"][0]
    assert row["people"] == 6 and sorted(row["sessions"]) == ["S1", "S3"]
    assert sum(f["people"] for f in row["sessions"].values()) == row["people"]
