"""The dialogue (issue 17) and the story of the afternoon (issue 16) in every format.

Each format is read back: Word with python-docx, the PDF with pdftotext, HTML and
Markdown as text, the research package with csv and openpyxl. A reader's report
carries the questions with their answers, the harvests the room saw and the reasons
behind *niet herkenbaar* pooled by people; the research package has one row per
question, answer, reason and harvest with stable codes, all in its codebook.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter, defaultdict

import openpyxl
import pytest

from facilitator.domain import privacy
from facilitator.domain.export import render
from facilitator.domain.export.report import build

from . import UNSHARED_HARVEST, make_session
from .test_presets import data as small_groups  # noqa: F401 - a fixture
from .test_presets import text_of


@pytest.fixture(scope="module")
def data():
    return make_session()


def norm(text: str) -> str:
    return " ".join(str(text).split())


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_the_dialogue_section_in_every_report_format(data, fmt):
    text = norm(text_of(render(data, fmt, preset="bestuur").content, fmt))
    if fmt == "html":
        text = norm(re.sub(r"<[^>]+>", " ", text).replace("&#x27;", "'"))
    report = build(data, preset="bestuur")
    assert "De dialoog" in text and "Vragen aan andere perspectieven" in text
    for q in data.questions:
        assert norm(q.text) in text, q.id
    for a in data.answers:
        assert norm(a.text) in text, a.id
    supported = [a for q in report.exchange.questions for a in q.answers if a.support_text]
    assert supported and all(norm(a.support_text) in text for a in supported)
    answered = {a.question for a in data.answers}
    unanswered = sum(1 for q in data.questions if q.id not in answered)
    assert unanswered and f"Onbeantwoord: {unanswered} van de {len(data.questions)}" in text
    for h in data.harvests:
        assert (norm(h.text) in text) == h.shared, h.id  # only what the room saw
    assert "Waarom niet herkenbaar" in text
    assert report.exchange.reasons
    for group in report.exchange.reasons:
        assert norm(group.heading) in text
        for x in group.reasons:
            assert x.kind == "disagree" and f"#{x.reflection.number}" in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_research_package_has_a_row_per_question_answer_reason_and_harvest(data, fmt):
    content = render(data, fmt, lang="en").content
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            def rows(name):
                return list(csv.DictReader(io.StringIO(z.read(f"{name}.csv").decode("utf-8-sig")),
                                           delimiter=";"))
            dialogue, codebook = rows("dialogue_data"), rows("codebook")
    else:
        book = openpyxl.load_workbook(io.BytesIO(content))

        def rows(name):
            values = list(book[name].iter_rows(values_only=True))
            if "do not hand on" in str(values[0][0]):  # unshared text: the warning first
                values = values[1:]
            return [dict(zip(values[0], ["" if v is None else str(v) for v in row],
                             strict=True)) for row in values[1:]]
        dialogue, codebook = rows("dialogue_data"), rows("codebook")
    shown = {r.id for r in data.reflections if not r.hidden}
    reasons = [x for x in data.reactions if x.reflection in shown and x.text.strip()]
    assert Counter(r["record"] for r in dialogue) == {
        "question": len(data.questions), "answer": len(data.answers),
        "reason": len(reasons), "harvest": len(data.harvests)}
    by_id = {r["record_id"]: r for r in dialogue}
    for q in data.questions:
        row = by_id[q.id]
        assert row["to_perspective_id"] == q.to and row["perspective_id"] == q.perspective
        assert int(row["supports"]) == len(set(q.supporters))
        assert re.fullmatch(r"P\d{3}", row["participant_id"])
        assert row["question_code"].startswith("Q") and row["step_id"] == "dialoog"
    for a in data.answers:
        assert by_id[a.id]["question_id"] == a.question
        assert int(by_id[a.id]["supports"]) == len(set(a.supporters))
    assert all(by_id[x.id]["kind"] in ("agree", "disagree", "pass") for x in reasons)
    assert by_id[next(h.id for h in data.harvests if not h.shared)]["text"] == UNSHARED_HARVEST
    described = {r["column"] for r in codebook if r["table"] == "dialogue_data" and r["meaning"]}
    assert described == set(dialogue[0])


def test_a_reader_gets_reasons_and_questions_by_the_small_group_rule(small_groups):  # noqa: F811
    """One union member and two citizens: their reasons are pooled (or left out), a
    question to them does not name them, and their support counts stay out."""
    data = small_groups
    members = defaultdict(set)
    for p in data.participants:
        members[p.perspective].add(p.id)
    for min_group in (2, 3, 5):
        report = build(data, preset="bestuur", min_group=min_group)
        reasons = report.exchange.reasons
        assert reasons
        for group in reasons:
            people = defaultdict(set)
            for x in group.reasons:
                people[x.perspective_id].add(x.participant)
            assert sum(len(who) for who in people.values()) == group.people >= min_group
            if group.perspective == report.t["other_perspectives"]:
                assert len(people) >= 2
            else:
                assert len(people) == 1
                assert len(members[next(iter(people))]) >= min_group
        for q in report.exchange.questions:
            if q.to_id in ("vakbond", "burger") and min_group > len(members[q.to_id]):
                assert q.to == "een ander perspectief"
            assert q.supporters is None or q.supporters >= min_group
            assert all(a.supporters is None or a.supporters >= min_group for a in q.answers)
    research = build(data, preset="onderzoek")
    assert {q.to for q in research.exchange.questions} >= {"Vakbond", "Burger"}
    assert UNSHARED_HARVEST in {h.text for h in research.exchange.harvests}


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_the_story_tells_each_step_in_counts_a_reader_understands(small_groups, fmt):  # noqa: F811
    data = small_groups
    report = build(data, preset="bestuur")
    text = text_of(render(data, fmt, preset="bestuur").content, fmt)
    told = [step for step in report.story if step.lines]
    assert {s.id for s in told} >= {"opening", "eigen-kring", "dialoog", "conclusies"}
    for step in told:
        assert step.title in text
        for line in step.lines:
            assert norm(line)[:60] in norm(text.replace("&amp;", "&").replace("\\#", "#")
                                           .replace("\\", "")), line
    recognised = [m for s in told for line in s.lines
                  for m in re.finditer(r"(\d+) van de (\d+) herkennen dit", line)]
    assert recognised, "the exchange is told per perspective"
    for match in recognised:
        assert int(match.group(2)) >= 3 and int(match.group(1)) <= int(match.group(2))
    people = {p.id for p in data.participants}
    assert f"Deelnemers: {len(people)} mensen" in text
    assert privacy.OTHER not in text


def rated(data):
    """The sample session with both findings rated before and after the dialogue, with
    scores that give means such as 3,5 (uneven on purpose)."""
    from facilitator.domain import findings
    from facilitator.domain.model import Rating

    out = []
    for n, p in enumerate(data.participants):
        for finding in ("f1", "f2"):
            for round_, score in (("before", 2 + n % 4), ("after", 3 + n % 3)):
                out.append(Rating(id=findings.rating_id(finding, round_, p.id), finding=finding,
                                  round=round_, participant=p.id, perspective=p.perspective,
                                  circle=p.circle, score=score, created_at="2026-03-12T13:50:00"))
    data.ratings = out
    return data


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_numbers_use_the_language_decimal_separator_in_every_format(fmt):
    data = rated(make_session())
    typed = sorted([r.text for r in data.reflections] + [x.text for x in data.reactions]
                   + [e.text for e in data.endorsements] + [c.text for c in data.conclusions],
                   key=len, reverse=True)
    for lang, decimal, wrong in (("nl", r"\d,\d", r"\d\.\d"), ("en", r"\d\.\d", r"\d,\d")):
        text = text_of(render(data, fmt, preset="bestuur", lang=lang).content, fmt)
        if fmt == "html":  # the words and the charts' labels, not the CSS or SVG geometry
            text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", text, flags=re.S)
        for piece in typed:
            for line in piece.splitlines():
                text = text.replace(line.strip(), " ") if line.strip() else text
        assert re.search(decimal, text), "the ratings' means have decimals"
        assert not re.search(wrong, text), re.search(wrong, text)
