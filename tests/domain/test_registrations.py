"""Registration lists as event systems export them: BOM, ``;`` or ``,``, extra
columns, empty rows, Windows-1252, Excel, unknown functions, a person twice, and
2,000 rows; free-text functions mapped to perspectives."""

from __future__ import annotations

import io

import openpyxl
import pytest

from facilitator.domain.errors import Invalid
from facilitator.domain.programme import default_perspectives
from facilitator.domain.registrations import map_function, parse, read_table

IDS = [p.id for p in default_perspectives()]

EXPORT = (
    "\ufeffNaam;Organisatie;Functie;E-mailadres;Dieetwensen\r\n"
    "Anna de Vries;Gemeente Zwolle;Raadslid (GroenLinks);anna@example.nl;vegetarisch\r\n"
    ";;;;\r\n"
    "Pieter Bakker;Gemeente Zwolle;Wethouder P&O en financiën;;\r\n"
    "Fatima El Amrani;Gemeente Deventer;beleidsmedewerker sociaal domein;;\r\n"
    "J. Jansen;Gemeente Deventer;OR-lid;;\r\n"
    "Kees van Dijk;FNV Overheid;Bestuurder FNV;;\r\n"
    "Marieke Smit;Gemeente Zwolle;teamleider Burgerzaken;;\r\n"
    "Henk;Dorpsraad Wijhe;voorzitter;;\r\n"
    "Anna de Vries;Gemeente Zwolle;raadslid;;\r\n"
    "Sanne Visser;Gemeente Olst-Wijhe;HR-adviseur;;\r\n"
)


def test_a_real_export_with_bom_semicolons_extra_columns_and_empty_rows():
    rows = parse(read_table(EXPORT.encode("utf-8")), IDS)
    assert [r.name for r in rows][:3] == ["Anna de Vries", "Pieter Bakker", "Fatima El Amrani"]
    got = {r.name: r.perspective for r in rows if r.duplicate_of is None}
    assert got == {"Anna de Vries": "raadslid", "Pieter Bakker": "bestuurder",
                   "Fatima El Amrani": "beleidsadviseur", "J. Jansen": "or-lid",
                   "Kees van Dijk": "vakbond", "Marieke Smit": "manager", "Henk": None,
                   "Sanne Visser": "hr-adviseur"}
    twice = [r for r in rows if r.duplicate_of]
    assert [(r.name, r.duplicate_of) for r in twice] == [("Anna de Vries", 2)]
    assert all("@" not in str(r.to_dict()) for r in rows)  # e-mail is never kept


def test_commas_windows_1252_and_a_perspective_column():
    text = ("naam,gemeente,functie,perspectief\n"
            "Jos Hermans,Gemeente Venlo,adviseur,Burger\n"
            "Inès Römer,Gemeente Venlo,wethouder,\n")
    rows = parse(read_table(text.encode("cp1252")), IDS)
    assert [(r.name, r.perspective, r.matched_by) for r in rows] == [
        ("Jos Hermans", "burger", "column"), ("Inès Römer", "bestuurder", "function")]


def test_excel_and_json_rows():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Naam", "Organisatie", "Functie"])
    sheet.append(["Lotte Mulder", "Gemeente Ede", "gemeentesecretaris / algemeen directeur"])
    sheet.append([None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = parse(read_table(buffer.getvalue()), IDS)
    assert [(r.name, r.perspective) for r in rows] == [("Lotte Mulder", "gemeentesecretaris")]
    json_rows = parse([{"naam": "Bram", "functie": "ondernemer (zzp)"}], IDS)
    assert json_rows[0].perspective == "ondernemer"


def test_the_synonym_table_can_be_extended_and_only_present_perspectives_count():
    assert map_function("griffier", IDS) == "gemeentesecretaris"
    assert map_function("griffier", IDS, {"raadslid": ["griffier"]}) == "raadslid"
    assert map_function("wethouder", ["raadslid", "burger"]) is None
    assert map_function("", IDS) is None


def test_two_thousand_rows():
    lines = ["Naam;Organisatie;Functie"] + [
        f"Deelnemer {i};Gemeente {i % 40};{['raadslid', 'wethouder', 'ambtenaar', 'kok'][i % 4]}"
        for i in range(2000)]
    rows = parse(read_table("\n".join(lines).encode()), IDS)
    assert len(rows) == 2000
    assert sum(r.perspective is None for r in rows) == 500  # the cooks are for the organiser


@pytest.mark.parametrize("content", [b"", b"Organisatie;Functie\nx;y\n", b"PK\x03\x04broken"])
def test_bad_files_get_a_clear_error(content):
    with pytest.raises(Invalid):
        parse(read_table(content), IDS)
