"""The behaviours issue 14 asks of the analysis at session size, on the realistic Dutch
fixture with planted truth (tests/fixtures/patterns_sessions.py); the full table is
printed by bench/patterns_quality.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from patterns_quality import GENERIC, callable_truth, score, workshop_data  # noqa: E402
from patterns_sessions import build  # noqa: E402

from facilitator.domain.patterns import PatternEngine  # noqa: E402


@pytest.fixture(scope="module")
def sessions():
    out = {}
    for name in ("middel-40", "groot-120", "tweede-40"):
        session = build(name)
        data = workshop_data(session)
        out[name] = (session, data, PatternEngine().analyse(data, "facilitator"),
                     PatternEngine().analyse(data, "screen"))
    return out


@pytest.mark.parametrize("name", ["middel-40", "groot-120"])
def test_no_generic_word_leads_a_theme_and_every_planted_theme_is_found(sessions, name):
    session, _data, console, screen = sessions[name]
    for result in (console, screen):
        assert not [t["term"] for t in result["themes"] if t["term"].lower() in GENERIC]
        found, _reported, hit, planted = score(result, session["truth"])["themes"]
        assert hit == planted
    # a phrase stays one unit
    assert "hybride werken" in [t["term"].lower() for t in console["themes"]]


def test_a_concern_of_three_of_four_union_members_surfaces(sessions):
    """The case of the issue: 3 of 4 union members write about the cao, nobody else."""
    _session, _data, console, _screen = sessions["middel-40"]
    cao = [d for d in console["distinctive"] if d["perspective"] == "vak"]
    assert cao and cao[0]["term"].lower() in {"cao", "loonruimte"}
    assert cao[0]["counts"]["others_using"] == 0
    assert 1 <= len(cao[0]["quotes"]) <= 3


@pytest.mark.parametrize("name", ["middel-40", "groot-120"])
def test_precision_and_recall_of_distinctive_and_common_ground(sessions, name):
    session, _data, console, _screen = sessions[name]
    scores = score(console, session["truth"])
    for kind in ("distinctive", "common_ground"):
        correct, reported, hit, planted = scores[kind]
        assert hit == planted, kind
        assert correct >= 0.75 * reported, kind


def test_screen_quotes_only_shared_reflections(sessions):
    _session, data, _console, screen = sessions["groot-120"]
    shared = {r.id for r in data.reflections if r.shared and not r.hidden}
    for kind in ("themes", "distinctive"):
        for item in screen[kind]:
            assert 1 <= len(item["quotes"]) <= 3
            assert {q["id"] for q in item["quotes"]} <= shared


def test_no_two_dividing_items_read_the_same():
    session = build("groot-120")
    original = session["reflections"][-2]["id"]         # the first planted dividing line
    twin = dict(session["reflections"][-2], id="r-twin")  # the same words, another writer
    session["reflections"].append(twin)
    for x in [x for x in session["reactions"] if x["reflection"] == original]:
        session["reactions"].append(dict(x, reflection="r-twin"))
    result = PatternEngine().analyse(workshop_data(session), "facilitator")
    targets = {i["target"] for i in result["dividing_lines"] if i["kind"] == "dividing"}
    assert {f"r:{original}", "r:r-twin"} <= targets
    titles = [i["title"]["nl"] for i in result["dividing_lines"] + result["common_ground"]]
    assert len(titles) == len(set(titles))


def test_variants_and_compounds_count_as_one_theme():
    """werkdruk / werkdrukte and thuiswerken / thuis werken: each person once, one theme."""
    from facilitator.domain.model import (
        LiveState,
        Participant,
        Perspective,
        Reflection,
        Step,
        Workshop,
        WorkshopData,
    )

    data = WorkshopData(workshop=Workshop(
        code="VAR001", title="t",
        perspectives=[Perspective(p, p, p) for p in ("raad", "amb", "or")],
        steps=[Step("s", "x", "exchange")], state=LiveState(current_step="s")))
    texts = ["De werkdruk is veel te hoog", "Zoveel werkdrukte op de afdeling 😓",
             "Thuiswerken bevalt prima", "ik wil vaker thuis werken"]
    n = 0
    for pid in ("raad", "amb", "or"):
        for text in texts:
            n += 1
            data.participants.append(Participant(id=f"u{n}", token="t", pseudonym="x",
                                                 perspective=pid, circle=pid))
            data.reflections.append(Reflection(id=f"r{n}", participant=f"u{n}",
                                               perspective=pid, circle=pid, text=text,
                                               created_at=f"{n:04d}", shared=True))
    result = PatternEngine().analyse(data, "facilitator")
    by_key = {t["key"]: t for t in result["themes"]}
    assert by_key["werkdruk"]["counts"]["authors_using"] == 6
    assert by_key["thuiswerk"]["counts"]["authors_using"] == 6
    assert not any(k in by_key for k in ("werkdrukt", "thuis werk"))
    assert len(by_key["werkdruk"]["reflections"]) == 6


def test_per_circle_summary_key_phrases_and_most_recognised(sessions):
    session, data, console, screen = sessions["middel-40"]
    circles = {c["circle"]: c for c in console["circles"]}
    assert set(circles) >= {"amb", "mt", "raad", "vak"}
    for item in circles.values():
        assert item["kind"] == "circle_summary" and len(item["phrases"]) <= 5
        assert not [p for p in item["phrases"] if p["term"].lower() in GENERIC]
    assert 3 <= len(circles["amb"]["phrases"]) <= 5
    agree = {}
    for x in data.reactions:
        if x.kind == "agree":
            agree[x.reflection] = agree.get(x.reflection, 0) + 1
    best = circles["amb"]["quotes"][0]
    assert best["agree"] == max(agree.get(r.id, 0) for r in data.reflections
                                if r.circle == "amb" and not r.hidden)
    # the screen: shared reflections only, no circle of fewer than three writers
    shown = {c["circle"]: c for c in screen["circles"]}
    assert "sec" in circles and "sec" not in shown
    shared = {r.id for r in data.reflections if r.shared}
    assert all(q["id"] in shared for c in shown.values() for q in c["quotes"])


@pytest.mark.parametrize("view", ["facilitator", "screen"])
def test_every_callable_truth_at_40_and_up_is_found_and_nothing_else(sessions, view):
    """The quality bench's table at 40 and 120 participants: every kind 100 % precision
    and recall over what can be called (see callable_truth), on both fixtures."""
    for name in ("middel-40", "groot-120", "tweede-40"):
        session, _data, console, screen = sessions[name]
        truth, _why = callable_truth(session, view)
        scores = score(console if view == "facilitator" else screen, truth, session["truth"])
        for kind, (correct, reported, hit, planted) in scores.items():
            assert correct == reported, (name, kind)
            if (name, kind) != ("tweede-40", "distinctive"):
                assert hit == planted, (name, kind)


def test_a_split_of_six_of_six_against_none_of_seven_is_a_dividing_line_at_40(sessions):
    """The session-size case: Benjamini-Hochberg over some 60 reflections missed it; the
    session's own permutation null calls it."""
    session, _data, console, _screen = sessions["middel-40"]
    planted = {rid for rid, pair in session["dividing_pairs"].items() if pair == ("mt", "amb")}
    lines = [d for d in console["dividing_lines"] if d["kind"] == "dividing"]
    assert [d["target"][2:] for d in lines] == sorted(planted)
    assert lines[0]["high"] == "mt" and lines[0]["low"] == "amb"
    assert lines[0]["counts"]["q"] <= 0.05


def test_a_planted_line_too_thin_to_call_is_said_so():
    session = build("middel-40")
    _truth, why = callable_truth(session, "facilitator")
    assert any(w.startswith("dividing") and "vak 0/1" in w for w in why)


def test_the_independently_written_session_finds_its_themes_without_generic_words(sessions):
    session, _data, console, screen = sessions["tweede-40"]
    for result in (console, screen):
        terms = {t["term"].lower() for t in result["themes"]}
        assert not terms & {"inwoners", "inwoner", "elkaar", "goed", "mensen", "gemeente"}
        _ok, _reported, hit, planted = score(result, session["truth"])["themes"]
        assert hit == planted == 3
    # mantelzorger / mantelzorgers / mantelzorg are one concern of the Ouderenbond
    concern = [d for d in console["distinctive"] if d["perspective"] == "ouder"]
    assert concern and concern[0]["term"].lower().startswith("mantelzorg")
    assert concern[0]["counts"]["authors_using"] == 4


def test_a_chance_split_riding_along_with_a_real_line_is_not_called():
    """In this room of 40 (another seed of the fixture) the real line (Management 7 of 7
    against civil servants 0 of 7) is found; two chance splits (5 of 5 against 0 of 6, 5 of
    5 against 1 of 8) passed the 5 % rate at ranks two and three, but the session's own
    shuffles draw such splits far more often than once per 2,000 reflections tested."""
    session = build("middel-40", seed=1013)
    result = PatternEngine().analyse(workshop_data(session), "facilitator")
    lines = [i for i in result["dividing_lines"] if i["kind"] == "dividing"]
    assert [i["target"][2:] for i in lines] == ["r71"]
    assert "r71" in session["truth"]["dividing_lines"]
    tested = sum(1 for r in session["reflections"] if r["shared"])
    assert all(i["counts"]["chance"] <= max(tested, 40) / 2000 for i in lines)
    assert all(i["counts"]["q"] <= 0.05 for i in lines)


def test_a_concern_is_led_by_its_strongest_word_not_a_weaker_phrase_or_a_verb():
    """Another seed of each fixture room: the concern is led by the word with the
    strongest exact test — “mantelzorgers” (5 of 5 older people's union members, nobody
    else) rather than the phrase “mantelzorgers verdienen” (4 of them), and “cao” (4 of
    4 union members, nobody else) rather than “lopen” (4 of 4 and one other)."""
    elders = build("tweede-40", seed=1019)
    result = PatternEngine().analyse(workshop_data(elders), "facilitator")
    concern = next(d for d in result["distinctive"] if d["perspective"] == "ouder")
    assert concern["term"].lower() in {"mantelzorgers", "mantelzorger", "mantelzorg"}
    assert concern["counts"]["others_using"] == 0
    union = build("middel-40", seed=1002)
    result = PatternEngine().analyse(workshop_data(union), "facilitator")
    concern = next(d for d in result["distinctive"] if d["perspective"] == "vak")
    assert concern["term"].lower() in {"cao", "loonruimte"}
    assert "lopen" in [r.lower() for r in concern["related"]] or all(
        d["term"].lower() != "lopen" for d in result["distinctive"])
