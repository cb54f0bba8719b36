"""A long PDF laid out in parts side by side (``pdf``), read back as its reader sees it.

The parts are cut at section and circle boundaries and laid out by child processes;
joined, they must read as the PDF laid out in one piece: the same text in the same
order, every page numbered "n / total", one outline over all parts, the document's
metadata and language. A child that fails costs time, never the report.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import subprocess

import pytest
from pypdf import PdfReader

from facilitator.domain.export import html, pdf
from facilitator.domain.export.report import build

from . import make_session

RUNNING_LINE = "Reflectiesessie De Veranderende Gemeente — Zwolle · 12 maart 2026"


@pytest.fixture(scope="module")
def report():
    return build(make_session(reflections=120, per_perspective=4), preset="onderzoek")


@pytest.fixture(scope="module")
def whole(report) -> list[str]:
    """The pages of the report laid out in one piece."""
    return pages_of(pdf.render(report, processes=1))


@pytest.fixture
def small_parts(monkeypatch):
    """Parts from a small report: a part is worth a child at a tenth of the usual size."""
    monkeypatch.setattr(pdf, "PART_COST", 15_000)


def pages_of(content: bytes) -> list[str]:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", "-", "-"], input=content,
                          capture_output=True, check=True)
    return done.stdout.decode("utf-8").split("\f")[:-1]


def body_words(pages: list[str], report) -> list[str]:
    """The text without what a page break adds: the running line, the page number and
    a table's repeated header row (its words are left out everywhere)."""
    _start, blocks, _end = html.document_parts(report, for_pdf=True)
    header = {w for cell in re.findall(r"<th[^>]*>([^<]*)</th>", "".join(blocks))
              for w in cell.split()}
    words = []
    for page in pages:
        for line in page.splitlines():
            line = line.replace(RUNNING_LINE, "")
            line = re.sub(r"\b\d+ / \d+\s*$", "", line)
            words += [w for w in line.split() if w not in header]
    return words


def outline(reader: PdfReader) -> list:
    """The outline as nested (title, page index, children) tuples."""
    def walk(items):
        out = []
        for item in items:
            if isinstance(item, list):
                out[-1][2].extend(walk(item))
            else:
                out.append((item.title, reader.get_destination_page_number(item), []))
        return out
    return walk(reader.outline)


def test_the_split_keeps_order_and_balances_the_parts(report, small_parts):
    _start, blocks, _end = html.document_parts(report, for_pdf=True)
    total = sum(pdf._cost(b) for b in blocks)
    for processes in (1, 2, 3, 4):
        groups = pdf.split(blocks, processes)
        assert [b for g in groups for b in g] == blocks
        assert len(groups) == min(processes, total // pdf.PART_COST)
        biggest = max(pdf._cost(b) for b in blocks)
        assert all(sum(pdf._cost(b) for b in g) <= total / len(groups) + biggest
                   for g in groups)
    # the appendix is cut between circles, each one a section of its own
    assert sum(b.startswith('<section class="circle">') for b in blocks) == \
        len(report.circles) - 1


def test_a_report_below_a_part_is_one_piece_without_children(monkeypatch):
    monkeypatch.setattr(pdf, "_start_child", lambda *a: pytest.fail("no child expected"))
    report = build(make_session(reflections=30), preset="bestuur")
    _start, blocks, _end = html.document_parts(report, for_pdf=True)
    assert sum(pdf._cost(b) for b in blocks) < pdf.PART_COST
    content = pdf.render(report, processes=4)
    pages = pages_of(content)
    assert all(page.rstrip().endswith(f"{n} / {len(pages)}")
               for n, page in enumerate(pages, start=1))


def test_parts_read_as_the_pdf_laid_out_in_one_piece(report, whole, small_parts):
    parted_pages, whole_pages = pages_of(pdf.render(report, processes=3)), whole
    assert body_words(parted_pages, report) == body_words(whole_pages, report)
    # a part starts on a new page, so the parted PDF may have a page or two more
    assert len(whole_pages) <= len(parted_pages) <= len(whole_pages) + 2
    total = len(parted_pages)
    for number, page in enumerate(parted_pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[-1].endswith(f"{number} / {total}"), number
        # the running line on every page but the cover, in every part
        assert (RUNNING_LINE in lines[0]) == (number > 1), number


def test_one_outline_over_all_parts(report, small_parts):
    content = pdf.render(report, processes=3)
    reader, pages = PdfReader(io.BytesIO(content)), pages_of(content)
    tree = outline(reader)
    assert [title for title, _, _ in tree] == [report.title]
    sections = [title for title, _, _ in tree[0][2]]
    assert sections[:3] == ["Samenvatting", "Programma", "Tussentijdse bevindingen"]
    assert sections[-1] == "Werkwijze"
    circles = next(children for title, _, children in tree[0][2]
                   if title == "Reflecties per kring")
    assert [title for title, _, _ in circles] == [f"Kring {c.name}" for c in report.circles]
    # each heading points at the page that shows it, in the later parts too
    for title, page, _ in [*tree[0][2], *circles]:
        assert title in pages[page], title
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_metadata_and_language_come_through(report, small_parts):
    reader = PdfReader(io.BytesIO(pdf.render(report, processes=2)))
    assert reader.metadata.title == f"Verslag: {report.title}"
    assert reader.metadata.author == report.facilitator
    assert reader.trailer["/Root"]["/Lang"] == "nl"
    english = build(make_session(reflections=120, per_perspective=4), lang="en",
                    preset="onderzoek")
    reader = PdfReader(io.BytesIO(pdf.render(english, processes=2)))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.metadata.title == f"Report: {english.title}"


@pytest.mark.parametrize("executable", ["/bin/false", "/nonexistent/python"])
def test_a_failing_child_costs_time_not_the_report(report, whole, small_parts, monkeypatch,
                                                    executable, caplog):
    pdf.discard_ready()  # no child that started before this test
    monkeypatch.setattr(pdf.sys, "executable", executable)
    parted = pdf.render(report, processes=2)
    pages = pages_of(parted)
    assert body_words(pages, report) == body_words(whole, report)
    assert "laying" in caplog.text and "out here" in caplog.text


def test_a_title_with_quotes_and_markup_in_the_running_line(small_parts):
    data = make_session(reflections=120, per_perspective=4)
    title = 'Sessie "Samen" \\ </style><b>vet</b> — Zwolle'
    data = dataclasses.replace(data, workshop=dataclasses.replace(data.workshop, title=title))
    report = build(data, preset="onderzoek")
    pages = pages_of(pdf.render(report, processes=2))
    assert title in pages[0]  # the cover
    assert all(f"{title} · 12 maart 2026" in page.splitlines()[0] for page in pages[1:])


def test_emoji_are_drawn_and_each_image_is_stored_once(caplog, monkeypatch):
    """Participants type emoji. The PDF draws them from the colour emoji font that
    ``./dev`` installs (no empty .notdef box, which WeasyPrint would log), and an emoji
    typed thirty times is one image in the file, encoded once, not thirty times."""
    from PIL import Image

    encoded = []
    save = Image.Image.save
    monkeypatch.setattr(Image.Image, "save", lambda image, fp, format=None, **kw:
                        encoded.append(format) or save(image, fp, format, **kw))
    data = make_session(reflections=40)
    shared = [r for r in data.reflections if r.shared and not r.hidden]
    for n, reflection in enumerate(shared):
        reflection.text = f"Klopt wel 👍 maar de raad moet meer luisteren 🤔 ({n})"
    shared[0].text = "Eindelijk iemand die het zegt 👍🏽 🙏"
    report = build(data, preset="bestuur")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = pdf.render(report, processes=1)
    assert ".notdef" not in caplog.text
    text = "".join(pages_of(content))
    assert "Klopt wel 👍 maar de raad moet meer luisteren 🤔" in text
    images = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        objects = page["/Resources"].get("/XObject") or {}
        images.update(x.idnum for x in objects.values()
                      if x.get_object().get("/Subtype") == "/Image")
    # 👍, 🤔, 👍🏽 (one glyph with its skin tone), 🙏; the charts are vector drawings
    assert len(shared) > 10 and len(images) == 4
    # each image encoded once where first drawn and twice when written (the picture and
    # its transparency mask); WeasyPrint alone re-encodes at every one of the occurrences
    occurrences = sum(page.count("👍") + page.count("🤔") for page in text.split("\f"))
    assert occurrences > 25 and encoded.count("PNG") <= 3 * len(images)


def test_the_next_long_pdf_takes_the_children_left_ready(report, whole, small_parts,
                                                          monkeypatch):
    """After a long PDF, children with WeasyPrint imported wait for the next one: it
    starts without the half second of import per part, and reads the same."""
    pdf.discard_ready()
    pdf.render(report, processes=2)
    waiting = {p.pid for p in pdf._ready}
    assert len(waiting) == 2 and all(p.poll() is None for p in pdf._ready)
    finished = []
    finish = pdf._finish_child
    monkeypatch.setattr(pdf, "_finish_child",
                        lambda process, target: finished.append(process.pid)
                        or finish(process, target))
    pages = pages_of(pdf.render(report, processes=2))
    assert set(finished) == waiting
    assert body_words(pages, report) == body_words(whole, report)
    # two more wait now; let go, each exits on its closed pipe
    left = list(pdf._ready)
    assert len(left) == 2 and not {p.pid for p in left} & waiting
    pdf.discard_ready()
    assert [p.returncode for p in left] == [0, 0] and not pdf._ready


def test_a_ready_child_that_died_or_timed_out_is_passed_over(report, whole, small_parts,
                                                             monkeypatch):
    pdf.discard_ready()
    monkeypatch.setattr(pdf, "READY_SECONDS", 1)
    pdf.render(report, processes=2)
    timed_out, killed = pdf._ready
    killed.kill()
    timed_out.wait(timeout=30)  # WeasyPrint imported, a second's wait, then gone
    assert timed_out.returncode == 0
    pages = pages_of(pdf.render(report, processes=2))
    assert body_words(pages, report) == body_words(whole, report)
    pdf.discard_ready()



def test_the_appendix_is_set_smaller_than_the_story(report, whole):
    """Print only: the reflections per circle in 9 pt, the report's text in 10.5 pt
    (the sample texts end in "(r12)", a word only the appendix prints)."""
    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"],
                           input=pdf.render(report, processes=1),
                           capture_output=True, check=True).stdout.decode("utf-8")
    heights: dict[str, set[float]] = {}
    for y_min, y_max, word in re.findall(
            r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', boxes):
        heights.setdefault(word, set()).add(round(float(y_max) - float(y_min), 1))
    appendix = set().union(*(h for w, h in heights.items() if re.fullmatch(r"\(r\d+\)", w)))
    story = heights["deel;"]  # "28 mensen uit 7 perspectieven namen deel; ...", page one
    assert len(appendix) == 1 and max(appendix) < min(story)
    assert max(appendix) / min(story) == pytest.approx(9 / 10.5, abs=0.02)
    # the screen keeps one size: the rule is the print style's
    assert "#circles .r, .circle .r { font-size: 9pt;" in html.CSS.split("@media print")[1]


def test_no_child_waits_when_ready_seconds_is_zero(report, small_parts):
    pdf.discard_ready()
    assert pdf.render(report, processes=2, ready_seconds=0).startswith(b"%PDF-")
    assert not pdf._ready


def test_a_long_sessions_children_start_before_its_report_is_built(monkeypatch):
    """``export.render`` starts the children a long session's PDF will take before it
    builds the report, so their import of WeasyPrint overlaps with that; a short
    session's PDF, or one with ``ready_seconds=0``, starts none."""
    from facilitator.domain import export

    order = []
    monkeypatch.setattr(pdf, "keep_ready", lambda count, seconds: order.append(
        ("children", count, seconds)))
    build = export.report_model.build
    monkeypatch.setattr(export.report_model, "build",
                        lambda *a, **kw: order.append("report") or build(*a, **kw))
    data = make_session(reflections=12, per_perspective=2)
    monkeypatch.setattr(pdf, "LONG_AT", 12)
    export.render(data, "pdf", preset="bestuur", processes=1, ready_seconds=60)
    # (a report this short is laid out in one piece: no children are kept after it)
    assert order == [("children", 1, 60), "report"]
    order.clear()
    export.render(data, "pdf", preset="bestuur", processes=1, ready_seconds=0)
    assert order == ["report"]
    monkeypatch.setattr(pdf, "LONG_AT", 13)
    export.render(data, "pdf", preset="bestuur", processes=1, ready_seconds=60)
    assert order == ["report", "report"]
