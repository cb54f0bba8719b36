"""The board and participants presets read back from every format: what a reader of a
report handed on may see (issue 16), on a session with uneven groups (1, 2 and 12
people of a perspective) and realistic Dutch as people type it."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from collections import defaultdict

import docx
import openpyxl
import pytest

from facilitator.domain import privacy
from facilitator.domain.export import DEFAULT_PRESET, html, render
from facilitator.domain.export.report import build
from facilitator.domain.model import Reflection

from . import UNSHARED_HARVEST, make_session

READER_PRESETS = ("bestuur", "deelnemers")
REPORT_FORMATS = ("docx", "html", "pdf", "md", "csv", "xlsx")
PSEUDONYM = re.compile(r"\b(Merel|Eik|Reiger|Linde) \d+\b")
SMALL = {"vakbond": 1, "burger": 2}
#: What people in a small perspective wrote (shared, so it is in the report, unlabelled).
SMALL_TEXTS = {
    "vakbond": "Als vakbondsman zie ik dat de mensen op de werkvloer pas laat worden "
               "meegenomen, dat is gewoon niet ok",
    "burger": "als burger merk je er eerlijk gezegd weinig van, de gemeente is ver weg",
}
UNSHARED_TEXT = "nog niet rijp om te delen: de wethouder doet zelf ook niet mee met de tafels"


@pytest.fixture(scope="module")
def data():
    """12 people of most perspectives, 1 of the union and 2 citizens."""
    full = make_session(reflections=120, per_perspective=12, seed=11)
    keep: set[str] = set()
    seen: dict[str, int] = defaultdict(int)
    for p in full.participants:
        limit = SMALL.get(p.perspective, 12)
        if seen[p.perspective] < limit:
            keep.add(p.id)
            seen[p.perspective] += 1
    full.participants = [p for p in full.participants if p.id in keep]
    full.reflections = [r for r in full.reflections if r.participant in keep]
    full.reactions = [x for x in full.reactions if x.participant in keep]
    full.endorsements = [e for e in full.endorsements if e.participant in keep]
    full.questions = [q for q in full.questions if q.participant in keep]
    full.answers = [a for a in full.answers if a.participant in keep]
    full.harvests = [h for h in full.harvests if h.participant in keep]
    extra = []
    for n, (pid, text) in enumerate(SMALL_TEXTS.items()):
        author = next(p for p in full.participants if p.perspective == pid)
        extra.append(Reflection.from_dict({
            "id": f"rs{n}", "participant": author.id, "perspective": pid,
            "circle": author.circle, "text": text, "created_at": "2026-03-12T13:20:00+00:00",
            "pseudonym": author.pseudonym, "shared": True,
            "shared_at": "2026-03-12T13:25:00+00:00"}))
    raad = next(p for p in full.participants if p.perspective == "raadslid")
    extra.append(Reflection.from_dict({
        "id": "ru0", "participant": raad.id, "perspective": "raadslid", "circle": raad.circle,
        "text": UNSHARED_TEXT, "created_at": "2026-03-12T13:21:00+00:00",
        "pseudonym": raad.pseudonym, "shared": False}))
    full.reflections += extra
    return full


def text_of(content: bytes, fmt: str) -> str:
    if fmt == "pdf":
        assert content.startswith(b"%PDF-")
        # the PDF is read back as its reader sees it: poppler's pdftotext, which
        # ``./dev test`` installs (Debian: poppler-utils)
        assert shutil.which("pdftotext"), "pdftotext is missing: run ./dev test"
        done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content,
                              capture_output=True, check=True)
        return " ".join(done.stdout.decode("utf-8").split())
    if fmt == "docx":
        document = docx.Document(io.BytesIO(content))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts += [cell.text for cell in row.cells]
        return "\n".join(parts)
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "\n".join(";".join(row) for name in z.namelist() for row in
                             csv.reader(io.StringIO(z.read(name).decode("utf-8-sig")),
                                        delimiter=";"))
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(" ".join(str(v) for v in row if v is not None)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    return content.decode("utf-8")


def unshared(data) -> list[Reflection]:
    return [r for r in data.reflections if not r.hidden and not r.shared]


@pytest.mark.parametrize("preset", READER_PRESETS)
@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_a_reader_never_sees_what_the_room_did_not(data, fmt, preset):
    text = text_of(render(data, fmt, preset=preset).content, fmt)
    if fmt == "pdf":  # and the markup it is laid out from
        text += "\n" + html.render(build(data, preset=preset), for_pdf=True)
    assert UNSHARED_TEXT not in text
    assert UNSHARED_HARVEST not in text  # a table's note the room never saw
    for r in unshared(data):
        marker = re.search(r"\(r\d+\)", r.text)
        if marker:
            assert marker.group(0) not in text, "an unshared reflection is in the report"
    assert "Nog te bespreken" not in text  # a draft conclusion
    assert not PSEUDONYM.search(text), "a pseudonym ties words to one person"
    # a perspective under the minimum is never named, not even as a circle
    assert not re.search(r"\bVakbond\b", text) and not re.search(r"\bBurger\b", text)
    # but what its people took into the dialogue is there, without the label
    for small in SMALL_TEXTS.values():
        assert small.split(",")[0] in text


@pytest.mark.parametrize("fmt", ["docx", "md", "csv"])
def test_research_keeps_everything_unpooled(data, fmt):
    text = text_of(render(data, fmt, preset="onderzoek").content, fmt)
    assert UNSHARED_TEXT in text
    assert "Vakbond" in text and PSEUDONYM.search(text)


def test_the_report_formats_are_handed_on_by_default():
    for fmt in ("docx", "pdf", "html", "md"):
        assert DEFAULT_PRESET[fmt] == "bestuur"
    with pytest.raises(ValueError):
        build(make_session(reflections=10), preset="iedereen")


@pytest.mark.parametrize("min_group", [2, 3, 5])
def test_every_figure_has_enough_people_and_no_pool_is_one_perspective(data, min_group):
    report = build(data, preset="bestuur", min_group=min_group)
    people = defaultdict(set)
    for p in data.participants:
        people[p.perspective].add(p.id)
    label_to_id = {p.label: p.id for p in data.workshop.perspectives}
    where = privacy.pool_assignment(people, min_group)
    pooled = [pid for pid, g in where.items() if g == privacy.OTHER]
    assert len(pooled) != 1
    for row in report.perspectives:
        if row.id == privacy.OTHER:
            assert len(pooled) >= 2 and sum(len(people[p]) for p in pooled) >= min_group
        else:
            assert len(people[row.id]) >= min_group
    for c in report.conclusions:
        endorsers = defaultdict(set)
        for e in data.endorsements:
            if e.conclusion == c.id:
                endorsers[e.perspective].add(e.participant)
        shown = privacy.pool_assignment(endorsers, min_group)
        for row in c.per_perspective:
            if not (row.support or row.concern):
                continue
            if row.perspective_id == privacy.OTHER:
                members = [p for p, g in shown.items() if g == privacy.OTHER]
                assert len(members) >= 2
                assert sum(len(endorsers[p]) for p in members) >= min_group
            else:
                assert len(endorsers[row.perspective_id]) >= min_group
    for cross in report.cross:
        for name in (cross.from_perspective, cross.by_perspective):
            pid = label_to_id.get(name)
            if pid:
                assert len(people[pid]) >= min_group
    for row in report.circle_rows:
        assert row.participants >= min_group


def test_reflection_totals_add_up_only_what_is_shown(data):
    """A total beside pooled figures leaves the withheld group out (no subtraction)."""
    report = build(data, preset="bestuur")
    for item in report.dialogue:
        people = defaultdict(set)
        for x in item.reactions:
            people[x.perspective_id].add(x.participant)
        where = privacy.pool_assignment(people, 3)
        shown = [x for x in item.reactions if where.get(x.perspective_id) is not None]
        assert item.reflection.agree == sum(x.kind == "agree" for x in shown)


def test_participants_get_thanks_and_the_board_does_not(data):
    thanks = "Dank voor uw bijdrage aan deze middag"
    assert thanks in render(data, "md", preset="deelnemers").content.decode()
    assert thanks not in render(data, "md", preset="bestuur").content.decode()


FIELD_WORDS = re.compile(r"authors using|perspectives using|geometric mean|\bscore\b|\bdp\b|"
                         r"_\w+|\bp-value\b", re.I)


@pytest.mark.parametrize("fmt,lang", [(fmt, lang) for fmt in ("md", "html", "docx")
                                      for lang in ("nl", "en")] + [("pdf", "nl")])
def test_page_one_is_the_summary_with_support_per_perspective(data, fmt, lang):
    """The first section after the title holds the conclusions, each with its support
    per (shown) perspective in plain words, and the reflections it rests on."""
    report = build(data, preset="bestuur", lang=lang)
    text = text_of(render(data, fmt, preset="bestuur", lang=lang).content, fmt)
    first = text.index("Samenvatting" if lang == "nl" else "Summary")
    later = min(text.index(word, first + 1) for word in
                (("Programma", "Deelname") if lang == "nl" else ("Programme", "Participation"))
                if word in text[first + 1:])
    page_one = text[first:later]
    assert report.conclusions
    for c in report.conclusions:
        assert c.text.split(":")[0] in page_one
        for row in c.per_perspective:
            if row.support or row.concern:
                assert row.perspective in page_one
    said = "steunen dit" if lang == "nl" else "support this"
    assert said in page_one
    assert not FIELD_WORDS.search(page_one), FIELD_WORDS.search(page_one)


def test_word_layout_rules_page_numbers_and_metadata(data):
    """Rows do not split, header rows repeat, the footer numbers the pages, the file's
    dates are today's (python-docx's template says 2013), circle counts say 1 reflectie."""
    content = render(data, "docx", preset="bestuur").content
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        body = z.read("word/document.xml").decode()
        footers = "".join(z.read(n).decode() for n in z.namelist() if "footer" in n)
        core = z.read("docProps/core.xml").decode()
    rows = body.count("<w:tr>") + body.count("<w:tr ")
    assert rows and body.count("<w:cantSplit/>") == rows
    assert body.count("<w:tblHeader/>") == body.count("<w:tbl>")
    assert 'w:instr="PAGE"' in footers and 'w:instr="NUMPAGES"' in footers
    assert "2013" not in core and "<dcterms:created" in core
    assert "1 reflecties" not in text_of(content, "docx")
    assert "heading 1" in {s.name.lower() for s in docx.Document(io.BytesIO(content)).styles}


@pytest.mark.parametrize("lang,sep", [("nl", ","), ("en", ".")])
def test_decimals_follow_the_language(lang, sep):
    from facilitator.domain.export.report import number_text

    assert number_text(0.8333, lang) == f"0{sep}83"


def test_the_research_package_merges_without_cleaning(data):
    """Every research table loads as-is (read here with the csv module, as pandas would
    with sep=';'): one header row, stable codes beside labels, ids that join, and the
    same codes in Dutch and English exports."""
    def files(lang):
        with zipfile.ZipFile(io.BytesIO(render(data, "csv", lang=lang).content)) as z:
            return {name[:-4]: list(csv.DictReader(io.StringIO(
                z.read(name).decode("utf-8-sig")), delimiter=";")) for name in z.namelist()}

    nl, en = files("nl"), files("en")
    people = {row["participant_id"] for row in nl["participants"]}
    assert len(people) == len(data.participants)
    assert all(re.fullmatch(r"P\d{3}", p) for p in people)
    for name in ("reflections_data", "reactions_data", "endorsements_data"):
        rows = nl[name]
        assert rows and {r["participant_id"] for r in rows} <= people
        assert all(r["step_id"] in {s.id for s in data.workshop.steps} for r in rows)
        assert [r.get("kind") for r in rows] == [r.get("kind") for r in en[name]]
    assert {r["kind"] for r in nl["reactions_data"]} <= {"agree", "disagree", "pass"}
    assert {r["kind"] for r in nl["endorsements_data"]} <= {"support", "concern"}
    assert UNSHARED_TEXT in {r["text"] for r in nl["reflections_data"]}  # not pooled
    steps = [r["step_id"] for r in nl["programme"]]
    assert steps == [s.id for s in data.workshop.steps]
    reflection_ids = {r["reflection_id"] for r in nl["reflections_data"]}
    assert {r["reflection_id"] for r in nl["conclusion_links"]} <= reflection_ids
    described = {(r["table"], r["column"]) for r in nl["codebook"]}
    for name, rows in nl.items():
        if name in ("codebook",) or name not in {r["table"] for r in nl["codebook"]}:
            continue
        for column in rows[0] if rows else []:
            assert (name, column) in described
    assert all(r["meaning"] for r in nl["codebook"])
    assert "niet samengevoegd" in nl["codebook"][0]["meaning"]


def test_the_participation_total_adds_up_only_the_rows_shown(data):
    report = build(data, preset="bestuur")
    assert report.participation_total()[0] == sum(p.participants for p in report.perspectives)
    assert report.participation_total()[1] == sum(p.reflections for p in report.perspectives)
    lone = build(data, preset="bestuur", min_group=4)  # the pool (1 + 2 people) is too small
    assert lone.participation_total()[0] == len(data.participants) - 3


def test_word_header_words_fit_their_columns():
    from facilitator.domain.export.docx import _CELL_MARGIN_CM, _CHAR_CM, _fit_header

    header = ["Perspectief", "Deelnemers", "Reflecties", "Meegenomen", "Reacties",
              "Steun en bedenkingen"]
    widths = _fit_header(header, [4.5, 2.5, 2.5, 2.5, 2.5, 2.5])
    needs = [max(len(w) for w in h.split()) * _CHAR_CM + _CELL_MARGIN_CM for h in header]
    # the table keeps its width, unless the header words need more
    assert sum(widths) <= max(17.0, sum(needs)) + 1e-9
    for word_header, width in zip(header, widths, strict=True):
        longest = max(len(w) for w in word_header.split())
        assert width >= longest * _CHAR_CM + _CELL_MARGIN_CM - 1e-9


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_no_word_of_the_other_language(data, fmt, lang):
    """A Dutch report holds none of the English labels, an English one none of the Dutch
    (labels that are the same in both, like "Facilitator", do not count), and neither
    holds an internal field name of the pattern analysis."""
    from facilitator.domain.export.labels import labels

    mine, other = labels(lang), labels("en" if lang == "nl" else "nl")
    own_words = set(" ".join(mine.values()).split())
    text = text_of(render(data, fmt, preset="bestuur", lang=lang).content, fmt)
    if fmt == "html":
        text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", text, flags=re.S)
    # what people typed is in their own language: only the report's own words count
    typed = [r.text for r in data.reflections] + [x.text for x in data.reactions]
    typed += [e.text for e in data.endorsements] + [c.text for c in data.conclusions]
    typed += [f.title for f in data.workshop.findings] + [f.text for f in data.workshop.findings]
    typed += [data.workshop.title, data.workshop.place]
    typed += [q.text for q in data.questions] + [a.text for a in data.answers]
    typed += [h.text for h in data.harvests]
    for piece in sorted({t for t in typed if t}, key=len, reverse=True):
        for line in piece.splitlines():
            if line.strip():
                text = text.replace(line.strip(), " ")
    for key, value in other.items():
        if key in ("months",) or value == mine.get(key) or "{" in value or len(value) < 6:
            continue
        if set(value.split()) <= own_words:
            continue
        assert not re.search(rf"\b{re.escape(value)}\b", text), (key, value)
    assert not FIELD_WORDS.search(text.split("Reflecties per kring")[0]
                                  if lang == "nl" else text.split("Reflections per circle")[0])


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_the_summary_then_the_afternoon_then_the_appendix(data, fmt):
    content = render(data, fmt, preset="bestuur").content
    if fmt == "docx":  # the headings, in the order of the navigation pane
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs
                         if p.style.name.startswith("Heading"))
    else:
        text = text_of(content, fmt)
    order = ["Samenvatting", "Programma", "Reacties tussen perspectieven", "Conclusies",
             "Deelname", "Reflecties per kring"]
    places = [text.index(word) for word in order]
    assert places == sorted(places)


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_the_method_explains_the_rule_and_counts_moderation(data, fmt):
    text = text_of(render(data, fmt, preset="bestuur").content, fmt)
    assert "Werkwijze" in text and "Kleine groepen" in text
    hidden = sum(1 for r in data.reflections if r.hidden)
    assert f"De facilitator verborg {hidden} reflecties" in text
    assert "(s)" not in text.split("Werkwijze")[-1]
