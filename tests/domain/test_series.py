"""A series of sessions: template inheritance and the synthesis against a small
series computed by hand, with the small-group rule over the series."""

from __future__ import annotations

import pytest

from facilitator.domain import privacy
from facilitator.domain.errors import Invalid
from facilitator.domain.model import Finding, Participant, Rating, Workshop, WorkshopData
from facilitator.domain.programme import default_perspectives
from facilitator.domain.series import new_series, session_spec, synthesis


def session(code: str, place: str, ratings: list[tuple[str, str, int]],
            themes: list[str]) -> WorkshopData:
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
    data.themes = themes  # what the pattern analysis would give (passed in below)
    return data


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


def test_synthesis_against_a_series_computed_by_hand():
    zwolle = session("ZWL001", "Zwolle",
                     [("a1", "raadslid", 4), ("a2", "raadslid", 4), ("a3", "raadslid", 5),
                      ("a4", "burger", 2)], ["werkdruk", "vertrouwen", "hybride werken"])
    deventer = session("DEV001", "Deventer",
                       [("b1", "raadslid", 3), ("b2", "raadslid", 3), ("b3", "burger", 1),
                        ("b4", "burger", 2)], ["vertrouwen", "kaderstelling"])
    ede = session("EDE001", "Ede", [], ["vertrouwen", "werkdruk"])
    series = new_series("s1", "DVG 2027", {}, "now")
    out = synthesis(series, [zwolle, deventer, ede], themes_of=lambda d: d.themes)
    assert [s["code"] for s in out["sessions"]] == ["ZWL001", "DEV001", "EDE001"]
    rows = {p["id"]: p for p in out["findings"][0]["rounds"]["before"]["perspectives"]}
    # over the series: five raadsleden (3.8) and three burgers (1.67), each >= 3 people
    assert rows["raadslid"]["people"] == 5 and rows["raadslid"]["mean"] == 3.8
    assert rows["burger"]["people"] == 3 and rows["burger"]["mean"] == 1.67
    # per session only where that session has enough people of the perspective
    assert rows["raadslid"]["sessions"] == {"ZWL001": {"n": 3, "people": 3, "mean": 4.33}}
    assert rows["burger"]["sessions"] == {}
    assert out["findings"][0]["rounds"]["before"]["n"] == 8
    themes = out["themes"]
    assert themes["recurring"][0] == {"term": "vertrouwen", "count": 3,
                                      "sessions": ["ZWL001", "DEV001", "EDE001"]}
    assert [t["term"] for t in themes["recurring"]] == ["vertrouwen", "werkdruk"]
    assert [t["term"] for t in themes["once"]] == ["hybride werken", "kaderstelling"]
    # a filter by place keeps one session
    only = synthesis(series, [zwolle, deventer, ede], keep=lambda d: d.workshop.place == "Ede")
    assert [s["code"] for s in only["sessions"]] == ["EDE001"] and "themes" not in only


def test_the_small_group_rule_holds_over_the_series():
    one = session("ONE001", "A", [("a1", "gemeentesecretaris", 1), ("a2", "raadslid", 5),
                                  ("a3", "raadslid", 5), ("a4", "raadslid", 4)], [])
    two = session("TWO001", "B", [("b1", "gemeentesecretaris", 2)], [])
    out = synthesis(new_series("s", "t", {}, "now"), [one, two])
    ids = [p["id"] for p in out["findings"][0]["rounds"]["before"]["perspectives"]]
    # two town clerks over the series: under three, and alone among the small ones
    assert ids == ["raadslid"] and privacy.OTHER not in ids
