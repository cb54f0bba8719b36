"""Every format read back with its own library and checked against the session.

Word with python-docx, the HTML/PDF page with ``html.parser``, Markdown as
text, the CSV ZIP with ``zipfile`` and ``csv``, Excel with openpyxl and the
archive with ``json``: each must contain every visible reflection and every
visible conclusion with the right support per perspective, and no hidden
reflection, no display name (unless asked), no token, no live formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter, defaultdict
from html.parser import HTMLParser

import docx
import openpyxl
import pytest

from facilitator.domain.export import render
from facilitator.domain.patterns import analyse_workshop

from . import HIDDEN_CONCLUSION_MARKER, HIDDEN_MARKER, INJECTION, NAMES, make_session, pooled_group

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def data():
    return make_session()


def norm(text: str) -> str:
    return " ".join(str(text).split())


def visible_reflections(data):
    return [r for r in data.reflections if not r.hidden]


def visible_conclusions(data):
    return [c for c in data.conclusions if not c.hidden]


def perspective_label(data, pid, lang="nl"):
    return data.workshop.perspective(pid).label_for(lang)


OTHER_LABEL = {"nl": "Andere perspectieven (kleine groepen samengevoegd)",
               "en": "Other perspectives (small groups merged)"}


def expected_support(data, lang="nl", min_group=1):
    """conclusion id -> {perspective label: (support, concern)} for perspectives with any;
    perspectives with fewer than ``min_group`` endorsers are pooled or left out (the
    small-group rule)."""
    out = {}
    for c in visible_conclusions(data):
        mine = [e for e in data.endorsements if e.conclusion == c.id]
        people = Counter(e.perspective for e in mine)
        counts: Counter = Counter()
        for e in mine:
            group = pooled_group(people, e.perspective, min_group)
            if group is None:
                continue
            shown = OTHER_LABEL[lang] if group == "_other" else \
                perspective_label(data, e.perspective, lang)
            counts[(shown, e.kind)] += 1
        out[c.id] = {label: (counts[(label, "support")], counts[(label, "concern")])
                     for label in {k for k, _ in counts}}
    return out


def check_support(data, found: dict[str, dict[str, tuple[int, int]]], lang="nl",
                  min_group=1):
    """``found``: conclusion id -> rows {perspective: (support, concern)} incl. zero rows.
    The research preset (the default of ``render``) is unpooled (``min_group=1``); the
    board and participants presets pool small groups (see test_presets.py)."""
    expected = expected_support(data, lang, min_group)
    assert set(found) == set(expected)
    for cid, rows in expected.items():
        nonzero = {k: v for k, v in found[cid].items() if v != (0, 0)}
        assert nonzero == {k: v for k, v in rows.items() if v != (0, 0)}, cid


def check_privacy(data, text: str, names: bool = False):
    assert HIDDEN_MARKER not in text
    assert HIDDEN_CONCLUSION_MARKER not in text
    assert "SECRET" not in text and "participant-secret-token" not in text
    shown = [n for n in NAMES if n in text]
    if names:
        assert shown, "names were asked for"
    else:
        assert not shown, f"display names leaked: {shown}"


RESEARCH = {f"{name}.csv" for name in ("participants", "session", "programme", "findings",
                                       "reflections_data", "reactions_data",
                                       "endorsements_data", "ratings", "conclusion_links",
                                       "dialogue_data", "codebook")}


# -- Word ---------------------------------------------------------------------------

def docx_text(content: bytes) -> tuple[docx.document.Document, str]:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return document, "\n".join(parts)


def docx_raw(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                         if n.endswith(".xml"))


@pytest.mark.parametrize("names", [False, True])
def test_docx(data, names):
    export = render(data, "docx", names=names)
    document, text = docx_text(export.content)
    flat = norm(text)
    for r in visible_reflections(data):
        assert norm(r.text) in flat, r.id
    check_privacy(data, docx_raw(export.content), names)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert {"Programma", "Deelname", "Reflecties per kring", "Reacties tussen perspectieven",
            "Conclusies"} <= set(headings)
    assert document.paragraphs[1].style.name == "Title"
    assert data.workshop.title in text and "12 maart 2026" in text
    # conclusions: text and the support table that follows each heading, in order
    support_tables = [t for t in document.tables
                      if [c.text for c in t.rows[0].cells] == ["Perspectief", "Steun", "Bedenking"]]
    conclusions = visible_conclusions(data)
    assert len(support_tables) == len(conclusions)
    found = {}
    for c, table in zip(conclusions, support_tables, strict=True):
        assert norm(c.text) in flat
        rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
        assert rows[-1][0] == "Totaal"
        found[c.id] = {r[0]: (int(r[1]), int(r[2])) for r in rows[:-1]}
    check_support(data, found)
    # charts: participation (2) and one per conclusion, as PNG pictures
    assert len(document.inline_shapes) == 2 + len(conclusions)
    assert all(b"PNG" in rel.target_part.blob[:4] for rel in document.part.rels.values()
               if "image" in rel.reltype)
    ids = re.findall(r'<wp:docPr id="(\d+)"', docx_raw(export.content))
    assert len(ids) == len(set(ids)) == 2 + len(conclusions), "picture ids must be unique"
    # "meegenomen" is visible per reflection in the circle tables
    circle_tables = [t for t in document.tables
                     if [c.text for c in t.rows[0].cells] == ["#", "Deelnemer", "Reflectie",
                                                              "Meegenomen"]]
    marked = sum(1 for t in circle_tables for row in t.rows[1:] if row.cells[3].text == "ja")
    assert marked == sum(1 for r in visible_reflections(data) if r.shared)


def test_docx_in_english(data):
    document, text = docx_text(render(data, "docx", lang="en").content)
    assert "Conclusions" in text and "Reflections per circle" in text
    assert "Council member" in text


# -- HTML / print page ----------------------------------------------------------------

class ReportParser(HTMLParser):
    """Collects the text, the tags, and the support tables of each conclusion article."""

    VOID = {"meta", "br", "rect", "line", "img", "link", "hr", "input"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: Counter = Counter()
        self.stack: list[str] = []
        self.article: str | None = None
        self.tables: dict[str, list[list[str]]] = defaultdict(list)
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        attrs = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "style":
            self.in_style = True
        if tag == "article" and "conclusion" in (attrs.get("class") or ""):
            self.article = attrs["data-id"]
        if self.article and tag == "tr":
            self.row = []
        if self.row is not None and tag in ("td", "th"):
            self.cell = []

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] += 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack[-3:]}"
        self.stack.pop()
        if tag == "style":
            self.in_style = False
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell))
            self.cell = None
        if tag == "tr" and self.row is not None and self.article:
            self.tables[self.article].append(self.row)
            self.row = None
        if tag == "article":
            self.article = None

    def handle_data(self, text):
        if not self.in_style:
            self.text.append(text)
        if self.cell is not None:
            self.cell.append(text)


@pytest.mark.parametrize("fmt", ["html", "pdf"])
@pytest.mark.parametrize("names", [False, True])
def test_html_and_print_page(data, fmt, names):
    """The HTML page, and the page the PDF is laid out from (the same markup)."""
    from facilitator.domain.export import html
    from facilitator.domain.export.report import build

    page = render(data, "html", names=names).content.decode("utf-8") if fmt == "html" else \
        html.render(build(data, names=names), for_pdf=True)
    parser = ReportParser()
    parser.feed(page)
    parser.close()
    assert parser.stack == [], "every element is closed"
    text = norm(" ".join(parser.text))
    for r in visible_reflections(data):
        assert norm(r.text) in text, r.id
    check_privacy(data, page, names)
    # self-contained and print-ready: no script, nothing loaded from elsewhere
    assert parser.tags["script"] == 0 and parser.tags["link"] == 0 and parser.tags["img"] == 0
    assert not re.search(r"\bsrc=|url\(|@import|https?://(?!www\.w3\.org/2000/svg)", page
                         .replace("http://example.invalid", ""))
    assert "@page" in page and "size: A4" in page
    assert parser.tags["svg"] == 2 + len(visible_conclusions(data))
    assert "&lt;script&gt;" in page  # a participant's markup is shown as text
    assert "class=\"print-hint\"" not in page  # the PDF is made on the server, no hint to print
    found = {}
    for c in visible_conclusions(data):
        assert norm(c.text) in text
        rows = parser.tables[c.id]
        assert rows[0] == ["Perspectief", "Steun", "Bedenking"]
        assert rows[-1][0] == "Totaal"
        found[c.id] = {r[0]: (int(r[1]), int(r[2])) for r in rows[1:-1]}
    check_support(data, found)


def test_html_in_english_with_patterns(data):
    patterns = {"items": [{"title": "Patroon X", "explanation": "Omdat Y",
                           "counts": {"raadslid": 4}}]}
    page = render(data, "html", lang="en", patterns=patterns).content.decode()
    assert '<html lang="en">' in page and "Patterns across perspectives" in page
    assert "Patroon X" in page and "Council member: 4" in page


@pytest.mark.parametrize("fmt", ["html", "md", "docx"])
def test_the_pattern_analysis_of_the_session_is_rendered(fmt):
    data = make_session(reflections=200, per_perspective=5)
    analysis = analyse_workshop(data, audience="export")
    titles = [item["title"]["nl"] for key in ("themes", "distinctive", "common_ground",
                                              "dividing_lines", "blind_spots")
              for item in analysis.get(key, [])]
    assert titles
    content = render(data, fmt, patterns=analysis).content
    text = docx_text(content)[1] if fmt == "docx" else md_unescape(content.decode())
    assert "Patronen tussen perspectieven" in text
    for title in titles:
        assert title in text.replace("&#x27;", "'")
    check_privacy(data, text)


# -- Markdown ------------------------------------------------------------------------

def md_unescape(text: str) -> str:
    return re.sub(r"\\([\\`*_\[\]<>|#~+\-.])", r"\1", text)


@pytest.mark.parametrize("names", [False, True])
def test_markdown(data, names):
    md = render(data, "md", names=names).content.decode("utf-8")
    flat = norm(md_unescape(md).replace("<br>", " "))
    for r in visible_reflections(data):
        assert norm(r.text) in flat, r.id
    check_privacy(data, md, names)
    assert md.startswith("# Reflectiesessie")
    found = {}
    lines = md.splitlines()
    section = lines.index("## Conclusies")  # the summary on page one has its own headings
    for c, heading in zip(visible_conclusions(data),
                          [i for i, line in enumerate(lines)
                           if i > section and line.startswith("### Conclusie ")],
                          strict=True):
        start = next(i for i in range(heading, len(lines)) if lines[i].startswith("| Perspectief"))
        rows = []
        for line in lines[start + 2:]:
            if not line.startswith("|"):
                break
            rows.append([md_unescape(x.strip()) for x in line.strip("|").split(" | ")])
        assert rows[-1][0] == "**Totaal**"
        found[c.id] = {r[0]: (int(r[1]), int(r[2])) for r in rows[:-1]}
        assert norm(c.text) in flat
    check_support(data, found)


# -- CSV ---------------------------------------------------------------------------------

def read_zip(content: bytes, delimiter: str) -> dict[str, list[list[str]]]:
    out = {}
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        for name in z.namelist():
            raw = z.read(name)
            assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no BOM"
            text = raw.decode("utf-8-sig")
            out[name] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return out


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("names", [False, True])
def test_csv(data, delimiter, names):
    export = render(data, "csv", delimiter=delimiter, names=names)
    assert export.mimetype == "application/zip" and export.filename.endswith(".zip")
    files = read_zip(export.content, delimiter)
    assert set(files) == {"reflecties.csv", "reacties.csv", "steun-en-bedenkingen.csv",
                          "conclusies.csv"} | RESEARCH
    raw = "\n".join(delimiter.join(row) for rows in files.values() for row in rows)
    check_privacy(data, raw, names)

    header, *rows = files["reflecties.csv"]
    assert ("Naam" in header) == names
    col = {name: i for i, name in enumerate(header)}
    visible = visible_reflections(data)
    assert [r[col["Id"]] for r in rows] == [r.id for r in visible]
    for row, r in zip(rows, visible, strict=True):
        expected = "'" + r.text if r.text.startswith(DANGEROUS) else r.text
        assert row[col["Reflectie"]] == expected
        assert row[col["Meegenomen"]] == ("ja" if r.shared else "nee")
    assert "'" + INJECTION in [r[col["Reflectie"]] for r in rows]
    # no cell anywhere can start a formula
    for name, content in files.items():
        for row in content:
            for value in row:
                assert not value.startswith(DANGEROUS), (name, value)

    header, *rows = files["steun-en-bedenkingen.csv"]
    col = {name: i for i, name in enumerate(header)}
    numbers = {c.id: i for i, c in enumerate(visible_conclusions(data), start=1)}
    found: dict[str, dict[str, list[int]]] = {cid: defaultdict(lambda: [0, 0]) for cid in numbers}
    by_number = {n: cid for cid, n in numbers.items()}
    for row in rows:
        entry = found[by_number[int(row[col["# conclusie"]])]][row[col["Perspectief"]]]
        entry[0 if row[col["Soort"]] == "Steun" else 1] += 1
    check_support(data, {cid: {k: tuple(v) for k, v in rows.items()}
                         for cid, rows in found.items()}, min_group=1)

    header, *rows = files["conclusies.csv"]
    col = {name: i for i, name in enumerate(header)}
    for row, c in zip(rows, visible_conclusions(data), strict=True):
        assert row[col["Conclusie"]] == c.text
        mine = [e for e in data.endorsements if e.conclusion == c.id]
        assert int(row[col["Steun"]]) == sum(1 for e in mine if e.kind == "support")
        assert int(row[col["Bedenking"]]) == sum(1 for e in mine if e.kind == "concern")

    header, *rows = files["reacties.csv"]
    hidden = {r.id for r in data.reflections if r.hidden}
    assert len(rows) == sum(1 for x in data.reactions if x.reflection not in hidden)


def test_csv_in_english(data):
    files = read_zip(render(data, "csv", lang="en").content, ";")
    assert set(files) == {"reflections.csv", "reactions.csv", "endorsements.csv",
                          "conclusions.csv"} | RESEARCH
    assert "Taken into the dialogue" in files["reflections.csv"][0]


def test_csv_refuses_other_delimiters(data):
    with pytest.raises(ValueError):
        render(data, "csv", delimiter="x")


# -- Excel --------------------------------------------------------------------------------

@pytest.mark.parametrize("names", [False, True])
def test_xlsx(data, names):
    export = render(data, "xlsx", names=names)
    workbook = openpyxl.load_workbook(io.BytesIO(export.content))
    assert workbook.sheetnames[:4] == ["Reflecties", "Reacties", "Steun en bedenkingen",
                                       "Conclusies"]
    assert workbook.sheetnames[-1] == "codebook"
    texts = []
    warned = set()
    for ws in workbook.worksheets:
        # a sheet with text the room never saw says so in its first row, above the header
        if "niet doorgeven" in str(ws["A1"].value):
            warned.add(ws.title)
        assert ws.freeze_panes == ("A3" if ws.title in warned else "A2")
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(DANGEROUS):
                        assert cell.quotePrefix, f"{ws.title}!{cell.coordinate} not neutralised"
    check_privacy(data, "\n".join(texts), names)
    with zipfile.ZipFile(io.BytesIO(export.content)) as z:
        check_privacy(data, "\n".join(z.read(n).decode("utf-8", "replace")
                                      for n in z.namelist()), names)

    assert {"Reflecties", "reflections_data", "dialogue_data"} <= warned
    ws = workbook["Reflecties"]
    header = [c.value for c in ws[2]]
    col = {name: i for i, name in enumerate(header)}
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    visible = visible_reflections(data)
    assert [r[col["Id"]] for r in rows] == [r.id for r in visible]
    for row, r in zip(rows, visible, strict=True):
        assert row[col["Reflectie"]] == r.text
    assert INJECTION in [r[col["Reflectie"]] for r in rows]
    assert rows[0][col["Tijdstip"]].year == 2026  # a real date-time

    ws = workbook["Steun en bedenkingen"]
    header = [c.value for c in ws[1]]
    col = {name: i for i, name in enumerate(header)}
    numbers = {n: c.id for n, c in enumerate(visible_conclusions(data), start=1)}
    found: dict[str, dict[str, list[int]]] = {cid: defaultdict(lambda: [0, 0])
                                              for cid in numbers.values()}
    for row in ws.iter_rows(min_row=2, values_only=True):
        entry = found[numbers[row[col["# conclusie"]]]][row[col["Perspectief"]]]
        entry[0 if row[col["Soort"]] == "Steun" else 1] += 1
    check_support(data, {cid: {k: tuple(v) for k, v in rows.items()}
                         for cid, rows in found.items()}, min_group=1)


# -- JSON archive ---------------------------------------------------------------------------

@pytest.mark.parametrize("names", [False, True])
def test_json(data, names):
    export = render(data, "json", names=names)
    assert export.mimetype == "application/json"
    raw = export.content.decode("utf-8")
    doc = json.loads(raw)
    assert doc["format"] == "facilitator-archive" and doc["version"] == 1
    assert "SECRET" not in raw and "participant-secret-token" not in raw
    assert "token" not in doc["participants"][0]
    assert "facilitator_token" not in doc["workshop"]
    assert bool([n for n in NAMES if n in raw]) == names
    # the archive is complete: hidden records stay, marked hidden
    assert [r["id"] for r in doc["reflections"]] == [r.id for r in data.reflections]
    assert any(r["hidden"] for r in doc["reflections"])
    assert any(c["hidden"] for c in doc["conclusions"])
    assert len(doc["endorsements"]) == len(data.endorsements)


def test_a_circle_named_after_its_perspective_lists_its_authors_without_it(data):
    """Under "Kring Raadslid" each reflection says who wrote it without "Raadslid ·"
    again, in every report format; where circles mix (the pooled "Andere kringen")
    the perspective stays with each reflection."""
    from facilitator.domain.export.report import build

    report = build(data, preset="onderzoek")
    named = [s for s in report.circles if s.perspective]
    mixed = [s for s in report.circles if s.reflections and not s.perspective]
    assert named and all(s.perspective in s.name for s in named)
    section = named[0]
    first = section.reflections[0]
    assert section.author(first) == first.author.pseudonym
    html = render(data, "html", preset="onderzoek").content.decode()
    md = render(data, "md", preset="onderzoek").content.decode()
    # the appendix's paragraph (a conclusion's "rests on" list keeps the full name)
    assert f'data-id="{first.id}"><b>#{first.number} {first.author.pseudonym}' in html
    assert f'data-id="{first.id}"><b>#{first.number} {first.author.display()}' not in html
    assert f"- **#{first.number} {first.author.pseudonym}**" in md
    word = docx.Document(io.BytesIO(render(data, "docx", preset="onderzoek").content))
    rows = [[c.text for c in row.cells] for table in word.tables for row in table.rows]
    assert [str(first.number), first.author.pseudonym] in [r[:2] for r in rows]
    for section in mixed:
        for r in section.reflections:
            assert section.author(r) == r.author.display()
    # the board's report shows no pseudonyms: under a named circle only the number
    board = build(data, preset="bestuur")
    section = next(s for s in board.circles if s.perspective and s.reflections)
    r = section.reflections[0]
    assert section.author(r) == ""
    html = render(data, "html", preset="bestuur").content.decode()
    assert re.search(rf'data-id="{r.id}"><b>#{r.number}( · [^<]*)?</b>', html)
