"""The report model: privacy rules, counts, languages, patterns."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

from facilitator.domain.export import labels
from facilitator.domain.export.report import (
    Person,
    build,
    clock,
    date_text,
    parse_time,
    tables,
    xml_safe,
)

from . import HIDDEN_CONCLUSION_MARKER, HIDDEN_MARKER, NAMES, make_session, pooled_group


@pytest.fixture(scope="module")
def data():
    return make_session()


def test_labels_exist_in_both_languages():
    assert set(labels.NL) == set(labels.EN)
    assert all(labels.NL[k].strip() and labels.EN[k].strip() for k in labels.NL)
    assert len(labels.NL["months"].split()) == len(labels.EN["months"].split()) == 12


@pytest.mark.parametrize("tag,expected", [("nl", "nl"), ("en", "en"), ("en-GB", "en"),
                                          ("EN_us", "en"), ("nl_NL", "nl"), (None, "nl"),
                                          ("de", "nl"), ("", "nl"), (3, "nl")])
def test_language_tags_fall_back_to_dutch(tag, expected):
    assert labels.normalise_lang(tag) == expected


def test_hidden_reflections_and_conclusions_are_left_out(data):
    report = build(data)
    texts = [r.text for r in report.reflections]
    assert not any(HIDDEN_MARKER in t for t in texts)
    visible = [r for r in data.reflections if not r.hidden]
    assert [r.id for r in report.reflections] == [r.id for r in visible]
    assert sum(len(c.reflections) for c in report.circles) == len(visible)
    hidden_ids = {r.id for r in data.reflections if r.hidden}
    assert hidden_ids  # the fixture has hidden ones, one of them shared with reactions
    assert any(x.reflection in hidden_ids for x in data.reactions)
    assert not any(x.reflection.id in hidden_ids for x in report.reactions)
    assert not any(i.reflection.id in hidden_ids for i in report.dialogue)
    for c in report.conclusions:
        assert HIDDEN_CONCLUSION_MARKER not in c.text
        assert not any(r.id in hidden_ids for r in c.reflections)
    assert {e.conclusion_id for e in report.endorsements} <= {c.id for c in report.conclusions}


@pytest.mark.parametrize("preset", ["onderzoek", "bestuur"])
def test_support_counts_per_perspective(data, preset):
    """Research: every perspective as it is. A reader: small groups pooled (counted in
    people), drafts left out, and the totals add up only what the rows show."""
    report = build(data, preset=preset)
    min_group = 3 if preset == "bestuur" else 1
    visible = [c for c in data.conclusions
               if not c.hidden and not (c.draft and preset == "bestuur")]
    assert [c.id for c in report.conclusions] == [c.id for c in visible]
    for item in report.conclusions:
        mine = [e for e in data.endorsements if e.conclusion == item.id]
        people = Counter(e.perspective for e in mine)
        expected = Counter((pooled_group(people, e.perspective, min_group), e.kind)
                           for e in mine
                           if pooled_group(people, e.perspective, min_group) is not None)
        for row in item.per_perspective:
            assert row.support == expected[(row.perspective_id, "support")]
            assert row.concern == expected[(row.perspective_id, "concern")]
        assert item.support == sum(n for (_, kind), n in expected.items() if kind == "support")
        assert item.concern == sum(n for (_, kind), n in expected.items() if kind == "concern")
        assert [s.name for s in item.chart.series] == ["Steun", "Bedenking"]
        assert item.chart.series[0].values == [p.support for p in item.per_perspective]


def test_draft_conclusion_is_marked(data):
    report = build(data)
    drafts = [c for c in report.conclusions if c.draft]
    assert len(drafts) == 1 and drafts[0].support == drafts[0].concern == 0


def test_participants_are_pseudonymous_unless_names_asked(data):
    plain = build(data)
    people = [r.author for r in plain.reflections] + [x.author for x in plain.reactions]
    assert all(p.name == "" for p in people)
    assert all(p.perspective and p.pseudonym for p in people)
    named = build(data, names=True)
    shown = {r.author.name for r in named.reflections} | {e.author.name for e in named.endorsements}
    assert shown & set(NAMES)
    assert Person("Raadslid", "Merel 1", "Anna").display() == "Raadslid · Merel 1 (Anna)"
    assert Person("Raadslid", "Merel 1").display() == "Raadslid · Merel 1"


def test_participation_counts(data):
    report = build(data)
    by_id = {p.id: p for p in report.perspectives}
    for pid, row in by_id.items():
        assert row.participants == sum(1 for p in data.participants if p.perspective == pid)
        assert row.reflections == sum(1 for r in data.reflections
                                      if r.perspective == pid and not r.hidden)
    assert sum(c.participants for c in report.circle_rows) == len(data.participants)
    assert report.participation_chart.categories == [p.label for p in report.perspectives]


def test_circles_follow_configuration_and_split_circles_are_named(data):
    report = build(data)
    names = [c.name for c in report.circles]
    assert names[0] == "Politiek & bestuur"
    assert "Uitvoerend medewerker / ambtenaar 2" in names
    english = [c.name for c in build(data, lang="en").circles]
    assert english[0] == "Politics" and "Civil servant 2" in english


def test_shared_flag_is_carried(data):
    report = build(data)
    shared = {r.id for r in data.reflections if r.shared and not r.hidden}
    assert {r.id for r in report.reflections if r.shared} == shared
    assert {i.reflection.id for i in report.dialogue} >= shared


def test_reactions_across_perspectives(data):
    report = build(data)
    hidden = {r.id for r in data.reflections if r.hidden}
    counted = [x for x in data.reactions if x.reflection not in hidden]
    reactors = {pid: len({x.participant for x in counted if x.perspective == pid})
                for pid in {x.perspective for x in counted}}
    assert reactors  # research: unpooled, every reaction counted
    assert sum(c.agree + c.disagree + c.pass_ for c in report.cross) == len(counted)
    for item in report.dialogue:
        mine = [x for x in counted if x.reflection == item.reflection.id]
        assert item.count("agree") == sum(1 for x in mine if x.kind == "agree")
        assert item.reflection.agree == item.count("agree")


def test_english_labels_and_titles(data):
    report = build(data, lang="en")
    assert report.t["conclusions"] == "Conclusions"
    assert report.agenda[0].title == "Opening and welcome"
    assert report.perspectives[0].label == "Council member"
    assert report.date_text == "12 March 2026"
    assert build(data).date_text == "12 maart 2026"


def test_agenda_times_are_local(data):
    report = build(data)
    first = report.agenda[0]
    times = (first.planned_start, first.actual_start, first.actual_end)
    assert times == ("13:30", "13:30", "13:47")
    assert first.planned_minutes == 15 and first.actual_minutes == 17
    assert report.agenda[-1].actual_end == "" and report.agenda[-1].actual_text("min.") == "16:45–"


def test_patterns_are_rendered_generically(data):
    patterns = {"items": [
        {"title": "Raad en uitvoering verschillen", "title_en": "Council and staff differ",
         "explanation": "Uitleg", "counts": {"raadslid": 3, "medewerker": {"agree": 1}},
         "reflections": ["r00000", "r00005", "onbekend"]},
        {"label": "Alleen label", "description": "Beschrijving",
         "counts": [{"perspective": "vakbond", "agree": 2}, 7]},
        "los item",
    ]}
    report = build(data, patterns=patterns)
    (group,) = report.patterns.groups
    first, second, third = group.items
    assert first.title == "Raad en uitvoering verschillen"
    assert first.counts == [("Raadslid", "3"), ("Uitvoerend medewerker / ambtenaar", "agree: 1")]
    assert first.reflections == [1]  # r00005 is hidden: it has no number and is not shown
    assert (second.title, second.explanation) == ("Alleen label", "Beschrijving")
    assert second.counts == [("Vakbond", "agree: 2"), ("", "7")]
    assert third.title == "los item"
    english = build(data, lang="en", patterns=patterns).patterns.groups[0].items[0]
    assert english.title == "Council and staff differ"
    assert build(data).patterns is None
    assert build(data, patterns={"patterns": []}).patterns.groups[0].items == []


def test_patterns_in_groups_with_texts_per_language(data):
    patterns = {
        "version": 1, "audience": "export",
        "explanation": {"nl": "Samenvatting", "en": "Summary"},
        "notes": [{"id": "n1", "nl": "Alleen gedeelde reflecties.", "en": "Shared only."}],
        "themes": [{"id": "t1", "title": {"nl": "Gedeeld thema: ruimte", "en": "Shared: room"},
                    "explanation": {"nl": "Alle perspectieven", "en": "All perspectives"},
                    "counts": {"authors_using": 23, "score": 0.6432},
                    "reflections": ["r00001", "r00002"]}],
        "distinctive": [],
        "perspectives": [{"id": "raadslid", "label": {"nl": "Raadslid"}}],
        "reflections": ["r00001"],
        "counts": {"reflections": 58},
    }
    report = build(data, patterns=patterns)
    assert report.patterns.summary == "Samenvatting"
    assert report.patterns.notes == ["Alleen gedeelde reflecties."]
    (group,) = report.patterns.groups
    assert group.title == "Gedeelde thema's"
    (item,) = group.items
    assert (item.title, item.explanation) == ("Gedeeld thema: ruimte", "Alle perspectieven")
    # research keeps the analysis' figures, with the language's decimal separator
    assert item.counts == [("authors using", "23"), ("score", "0,64")]
    assert item.reflections == [2, 3]
    assert build(data, lang="en", patterns=patterns).patterns.groups[0].items[0].counts[1] == \
        ("score", "0.64")
    # a reader gets none of the analysis' internal figures
    assert build(data, patterns=patterns, preset="bestuur").patterns.groups[0].items[0].counts \
        == []
    english = build(data, lang="en", patterns=patterns).patterns
    assert english.groups[0].title == "Shared themes"
    assert english.groups[0].items[0].title == "Shared: room" and english.summary == "Summary"


def test_tables_have_a_name_column_only_on_request(data):
    plain = {t.key: t for t in tables(build(data))}
    named = {t.key: t for t in tables(build(data, names=True))}
    assert "Naam" not in plain["reflections"].columns
    assert "Naam" in named["reflections"].columns
    assert len(plain["reflections"].rows) == sum(1 for r in data.reflections if not r.hidden)
    assert set(plain) >= {"reflections", "reactions", "endorsements", "conclusions", "codebook"}
    board = {t.key for t in tables(build(data, preset="bestuur"))}
    assert board == {"reflections", "reactions", "endorsements", "conclusions"}


def test_time_helpers():
    moment = parse_time("2026-03-12T12:30:00+00:00")
    assert moment.hour == 13  # CET
    assert parse_time("2026-07-01T12:00:00Z").hour == 14  # CEST
    assert parse_time("") is None and parse_time("gisteren") is None
    assert clock("14:05") == "14:05" and clock(None) == ""
    assert date_text("12-03-2026", "nl") == "12-03-2026"
    assert isinstance(parse_time("2026-03-12T13:30:00"), datetime)


def test_xml_safe_removes_control_characters_only():
    assert xml_safe("a\x00b\x1bc\td\ne 🙂 é") == "abc\td\ne 🙂 é"


def test_small_groups_are_pooled_in_per_perspective_figures(data):
    """No per-perspective figure in a board report points at fewer than three people."""
    report = build(data, preset="bestuur")
    labels = {p.label for p in data.workshop.perspectives}
    for item in report.conclusions:
        endorsers = Counter(e.perspective for e in data.endorsements
                            if e.conclusion == item.id)
        for row in item.per_perspective:
            if row.perspective_id == "_other":
                assert row.perspective not in labels
            elif row.support or row.concern:
                assert endorsers[row.perspective_id] >= 3
    everyone = build(data, min_group=1, preset="bestuur")
    assert all(row.perspective_id != "_other"
               for item in everyone.conclusions for row in item.per_perspective)
