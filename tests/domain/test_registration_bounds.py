"""An uploaded registration list is bounded before it costs the worker: an Excel
workbook by what its zip directory says it unpacks to (before openpyxl opens it), any
list by its rows, columns and cell length, a synonym table by its perspectives and
phrases. Each refusal is a clear ``Invalid`` at the field, never an exception of the
CSV reader or openpyxl."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from facilitator.domain import registrations
from facilitator.domain.errors import Invalid
from facilitator.domain.programme import default_perspectives
from facilitator.domain.registrations import parse, read_table, synonyms_from_json

IDS = [p.id for p in default_perspectives()]


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezipped(data: bytes, change) -> bytes:
    """The workbook ``data`` with ``change(name, content) -> content`` applied to each entry."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info.filename)))
    return out.getvalue()


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a workbook that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_a_zip_bomb_workbook_is_refused_before_openpyxl_opens_it(openpyxl_never_opens):
    padding = b" " * (registrations.MAX_UNPACKED + 1024)  # compresses to about 25 kB
    bomb = rezipped(workbook([["Naam"], ["Anna"]]), lambda name, content: (
        content.replace(b"<sheetData>", padding + b"<sheetData>", 1)
        if name == "xl/worksheets/sheet1.xml" else content))
    assert len(bomb) < 100_000
    with pytest.raises(Invalid) as refused:
        read_table(bomb)
    assert refused.value.params["field"] == "file" and "MB" in refused.value.text()


def test_a_workbook_entry_that_unpacks_a_hundredfold_is_refused(openpyxl_never_opens):
    # under the total bound, but no real sheet compresses like this
    padding = b"\0" * (registrations.MAX_UNPACKED // 4)
    bomb = rezipped(workbook([["Naam"], ["Anna"]]), lambda name, content: (
        content + padding if name == "xl/sharedStrings.xml" or name.endswith("sheet1.xml")
        else content))
    with pytest.raises(Invalid) as refused:
        read_table(bomb)
    assert refused.value.params["field"] == "file"


def test_a_zip_of_thousands_of_entries_is_refused(openpyxl_never_opens):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(registrations.MAX_ENTRIES + 1):
            archive.writestr(f"xl/media/{i}.bin", b"")
    with pytest.raises(Invalid) as refused:
        read_table(out.getvalue())
    assert refused.value.params["field"] == "file"


def test_a_workbook_without_sheets_is_a_clear_error():
    data = rezipped(workbook([["Naam"], ["Anna"]]), lambda name, content: (
        re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", content)
        if name == "xl/workbook.xml" else content))
    with pytest.raises(Invalid) as refused:
        read_table(data)
    assert refused.value.params["field"] == "file" and "sheet" in refused.value.text()


def test_rows_over_the_bound_are_refused_in_csv_xlsx_and_json():
    many = registrations.MAX_ROWS + 1
    csv_data = ("Naam;Functie\n" + "".join(f"Persoon {i};raadslid\n" for i in range(many)))
    xlsx_data = workbook([["Naam", "Functie"]] + [[f"Persoon {i}", "raadslid"]
                                                  for i in range(many)])
    for data in (csv_data.encode(), xlsx_data):
        with pytest.raises(Invalid) as refused:
            parse(read_table(data), IDS)
        assert refused.value.params["field"] == "file"
        assert f"{registrations.MAX_ROWS}" in refused.value.text()
    with pytest.raises(Invalid):
        parse([{"naam": f"Persoon {i}"} for i in range(many)], IDS)
    # the bound counts people: empty rows between them do not
    spaced = "Naam\n" + "".join(f"Persoon {i}\n\n" for i in range(registrations.MAX_ROWS))
    assert len(parse(read_table(spaced.encode()), IDS)) == registrations.MAX_ROWS


def test_an_xlsx_with_rows_far_beyond_the_bound_stops_reading_early():
    data = workbook([["Naam"]] + [[f"Persoon {i}"] for i in range(3 * registrations.MAX_ROWS)])
    with pytest.raises(Invalid):
        read_table(data)


def test_columns_over_the_bound_are_refused():
    header = ";".join(["Naam"] + [f"vraag {i}" for i in range(registrations.MAX_COLUMNS)])
    with pytest.raises(Invalid) as refused:
        parse(read_table(f"{header}\nAnna\n".encode()), IDS)
    assert refused.value.params["field"] == "file"
    wide = workbook([["Naam"] + [None] * (registrations.MAX_COLUMNS - 1) + ["x"], ["Anna"]])
    with pytest.raises(Invalid):
        read_table(wide)
    with pytest.raises(Invalid):
        parse([{"naam": "Anna", **{f"k{i}": "v" for i in range(registrations.MAX_COLUMNS)}}],
              IDS)


@pytest.mark.parametrize("length", [registrations.MAX_CELL + 1, 131_073, 300_000])
def test_a_csv_field_over_the_cell_bound_is_a_clear_error(length):
    data = f"Naam;Opmerking\nAnna;{'x' * length}\n".encode()
    with pytest.raises(Invalid) as refused:
        parse(read_table(data), IDS)
    assert refused.value.params["field"] == "file" and "2" in refused.value.text()  # the line


def test_a_long_excel_cell_is_a_clear_error():
    with pytest.raises(Invalid) as refused:
        read_table(workbook([["Naam", "Opmerking"], ["Anna", "x" * (registrations.MAX_CELL + 1)]]))
    assert refused.value.params["field"] == "file"


def test_a_synonym_table_from_json_is_bounded_at_its_field():
    assert synonyms_from_json({"raadslid": ["griffier", " fractie  lid "]}, IDS) == {
        "raadslid": ["griffier", "fractie lid"]}
    cases = [
        ({"geen-perspectief": ["x"]}, "synonyms.geen-perspectief"),
        ({"raadslid": [f"woord {i}" for i in range(registrations.MAX_PHRASES + 1)]},
         "synonyms.raadslid"),
        ({"raadslid": ["x" * (registrations.MAX_PHRASE_LENGTH + 1)]}, "synonyms.raadslid"),
        ({"raadslid": "griffier"}, "synonyms.raadslid"),
        (["raadslid"], "synonyms"),
    ]
    for table, field in cases:
        with pytest.raises(Invalid) as refused:
            synonyms_from_json(table, IDS)
        assert refused.value.params["field"] == field, (table, refused.value.params["field"])


def test_matching_does_not_grow_with_the_synonym_table():
    """A long table costs one dictionary, not a scan per row: a full table on every
    perspective and the row bound still match as the short table does."""
    table = {pid: [f"functie {pid} {i}" for i in range(registrations.MAX_PHRASES)]
             for pid in IDS}
    table["raadslid"][-1] = "griffier"
    rows = [{"naam": f"Persoon {i}", "functie": "griffier van de raad" if i % 2 else "kok"}
            for i in range(registrations.MAX_ROWS)]
    parsed = parse(rows, IDS, table)
    assert sum(r.perspective == "raadslid" for r in parsed) == registrations.MAX_ROWS // 2


def _out_to_the_last_column(name: str, content: bytes) -> bytes:
    if not name.startswith("xl/worksheets/"):
        return content
    content = re.sub(rb'(<row r="(\d+)"[^>]*>.*?)</row>', lambda m: (
        m.group(1) + b'<c r="XFD' + m.group(2) + b'" t="inlineStr"><is><t>x</t></is></c></row>'),
        content, flags=re.S)
    return re.sub(rb'<dimension ref="A1:[A-Z]+(\d+)"', rb'<dimension ref="A1:XFD\1"', content)


def test_a_sheet_with_a_cell_in_its_last_column_is_read_no_wider_than_the_bound():
    """A 33 kB workbook that claims 16,384 columns (a cell in column XFD on each of its
    2,000 rows): every row was padded out to it (15 s and 580 MB here); now a row is read
    no wider than the bound, and what lies past it is not read."""
    data = rezipped(workbook([["Naam", "Functie"]] + [[f"Persoon {i}", "raadslid"]
                                                      for i in range(registrations.MAX_ROWS)]),
                    _out_to_the_last_column)
    assert len(data) < 60_000
    table = read_table(data)
    assert len(table) == registrations.MAX_ROWS + 1
    assert max(len(row) for row in table) <= registrations.MAX_COLUMNS
    assert len(parse(table, IDS)) == registrations.MAX_ROWS
