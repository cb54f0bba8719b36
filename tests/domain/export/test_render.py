"""The public entry point: formats, file names, MIME types, errors, speed."""

from __future__ import annotations

import csv
import io
import string
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator.domain.export import FORMATS, Export, render, slug
from facilitator.domain.export import csv as csv_export
from facilitator.domain.export.report import Table

from . import make_session


@pytest.fixture(scope="module")
def data():
    return make_session()


def test_formats():
    assert set(FORMATS) == {"docx", "pdf", "html", "csv", "xlsx", "md", "json"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_with_name_and_type(data, fmt):
    export = render(data, fmt)
    assert isinstance(export, Export) and isinstance(export.content, bytes) and export.content
    assert export.mimetype == FORMATS[fmt].mimetype
    assert export.filename.startswith("reflectiesessie-de-veranderende-gemeente-zwolle-2026-03-12")
    assert export.filename.endswith("." + FORMATS[fmt].extension)
    assert set(export.filename) <= set(string.ascii_lowercase + string.digits + "-.")


def test_pdf_is_a_real_pdf_with_an_outline_and_page_numbers(data):
    """format=pdf is application/pdf laid out by WeasyPrint from the print HTML: the
    headings make the outline, the print CSS numbers the pages."""
    from facilitator.domain.export import html, pdf
    from facilitator.domain.export.report import build

    export = render(data, "pdf", preset="bestuur")
    assert export.mimetype == "application/pdf" and export.filename.endswith("-verslag.pdf")
    assert export.content.startswith(b"%PDF-")
    raw = pdf.render(build(data, preset="bestuur"), compress=False)
    assert b"/Outlines" in raw
    for heading in (b"(Samenvatting)", b"(Conclusie 1)", b"(Programma)", b"(Deelname)"):
        assert heading in raw, heading
    assert b"/Author (Fatima El Idrissi)" in raw
    css = html.CSS
    assert "counter(page)" in css and "counter(pages)" in css
    assert "thead { display: table-header-group; }" in css
    assert "break-inside: avoid" in css and "string(doctitle)" in css


def test_english_file_names(data):
    assert render(data, "docx", lang="en").filename.endswith("-report.docx")
    assert render(data, "json", lang="en").filename.endswith("-archive.json")


def test_unknown_format_is_refused_and_unknown_language_gives_dutch(data):
    with pytest.raises(ValueError, match="unknown export format"):
        render(data, "pptx")
    assert b"## Conclusies" in render(data, "md", lang="fr").content


def test_slug():
    assert slug("Reflectiesessie Één — Zwolle!") == "reflectiesessie-een-zwolle"
    assert slug("🙂") == "sessie"


def test_an_empty_session_exports(data):
    from facilitator.domain.model import WorkshopData

    empty = WorkshopData(workshop=data.workshop)
    for fmt in FORMATS:
        assert render(empty, fmt).content


def test_every_format_of_2000_reflections_renders():
    """A large session renders in every format (but the PDF, which is slow at this size).
    How fast is a benchmark, not a test: ``bench/export.py`` and docs/performance.md."""
    big = make_session(reflections=2000, per_perspective=30)
    for fmt in set(FORMATS) - {"pdf"}:
        assert render(big, fmt).content, fmt


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(text)
def test_csv_keeps_any_text_and_never_starts_a_formula(value):
    table = Table(key="t", title="T", filename="t", columns=["a"], rows=[[value]])
    content = csv_export.table_csv(table).decode("utf-8-sig")
    (header, row) = list(csv.reader(io.StringIO(content, newline=""), delimiter=";"))
    cell = row[0]
    if value.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert cell == "'" + value
    else:
        assert cell == value


def test_xlsx_never_holds_a_formula():
    data = make_session(reflections=12)
    workbook = openpyxl.load_workbook(io.BytesIO(render(data, "xlsx").content))
    with zipfile.ZipFile(io.BytesIO(render(data, "xlsx").content)) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert all(b"<f>" not in s and b"<f " not in s for s in sheets)
    assert workbook.sheetnames
