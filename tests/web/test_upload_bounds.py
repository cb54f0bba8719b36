"""Uploads with bounds, on SQLite and on Redis: a registration list that unpacks too far,
has too many people, a cell past the CSV reader's limit or a workbook without sheets,
and a synonym table past the organiser table's bounds, each get a clear 4xx at the
field in the user's language (never a 500) and leave nothing stored; the name cards
come in parts of ``name_cards.MAX_CARDS``."""

from __future__ import annotations

import io
import re
import subprocess

import openpyxl
import pytest

from facilitator import create_app
from facilitator.domain import registrations
from facilitator.domain.export import name_cards
from facilitator.domain.registrations import KIND, PENDING_KIND, SYNONYMS_KIND
from tests.conftest import ORGANISER, UNLIMITED
from tests.domain.test_registration_bounds import rezipped, workbook
from tests.web.test_organiser_registrations import NL, logged_in, upload


@pytest.fixture(params=["sqlite", "redis"])
def app(request, tmp_path):
    """The app on each store (overrides the suite's one app for this module)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'uploads.db'}"
    else:
        url = request.getfixturevalue("clean_redis_url")
    application = create_app({"STORE": url, "TESTING": True, "ASYNC_MODE": "threading",
                              "ORGANISER_TOKEN": ORGANISER, "SECRET_KEY": "uploads-secret",
                              "RATE_LIMITS": UNLIMITED})
    yield application
    application.extensions["facilitator.store"].close()


def nothing_stored(ops, code: str) -> bool:
    return all(ops.store.records(code, kind) == [] for kind in (KIND, PENDING_KIND,
                                                                SYNONYMS_KIND))


def zip_bomb() -> bytes:
    padding = b" " * (registrations.MAX_UNPACKED + 1024)
    return rezipped(workbook([["Naam", "Functie"], ["Anna de Vries", "raadslid"]]),
                    lambda name, content: content.replace(b"<sheetData>",
                                                          padding + b"<sheetData>", 1)
                    if name == "xl/worksheets/sheet1.xml" else content)


def without_sheets() -> bytes:
    return rezipped(workbook([["Naam"], ["Anna de Vries"]]), lambda name, content: (
        re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", content)
        if name == "xl/workbook.xml" else content))


def test_a_zip_bomb_is_refused_at_the_field_unopened(client, make_session, ops, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a workbook that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    s = make_session()
    logged_in(client)
    response = upload(client, s.code, zip_bomb(), "aanmeldingen.xlsx")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    error = text[text.index('id="error-file"'):][:300]
    assert "De werkmap is uitgepakt groter dan 20 MB" in error, error
    assert nothing_stored(ops, s.code)


@pytest.mark.parametrize("name, make, dutch, english", [
    ("lang.csv", lambda: f"Naam;Opmerking\nAnna de Vries;{'x' * 131_073}\n".encode(),
     "Regel 2 heeft een cel van meer dan 10000 tekens.",
     "Line 2 has a cell of more than 10000 characters."),
    ("leeg.xlsx", without_sheets, "De werkmap heeft geen werkblad met de lijst.",
     "The workbook has no sheet with the list."),
    ("veel.csv", lambda: ("Naam\n" + "".join(
        f"Persoon {i}\n" for i in range(registrations.MAX_ROWS + 1))).encode(),
     "De lijst heeft meer dan 2000 rijen.", "The list has more than 2000 rows."),
])
def test_a_list_past_a_bound_is_a_4xx_at_the_field(client, api, make_session, ops, name,
                                                    make, dutch, english):
    s = make_session()
    logged_in(client)
    page = upload(client, s.code, make(), name)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert dutch in text[text.index('id="error-file"'):][:300]
    answer = api.call("POST", f"/sessions/{s.code}/registrations", ORGANISER,
                      data={"file": (io.BytesIO(make()), name)},
                      content_type="multipart/form-data", headers={"Accept-Language": "en"})
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == "file"
    assert answer.json["error"]["message"] == english
    assert nothing_stored(ops, s.code)


def test_a_synonym_table_past_its_bounds_is_refused_at_its_field(api, make_session, ops):
    s = make_session()
    rows = [{"naam": "Anna de Vries", "functie": "griffier"}]
    for synonyms, field in [
        ({"astronaut": ["griffier"]}, "synonyms.astronaut"),
        ({"raadslid": [f"woord {i}" for i in range(registrations.MAX_PHRASES + 1)]},
         "synonyms.raadslid"),
        ({"raadslid": ["griffier " * 40]}, "synonyms.raadslid"),
        ({"raadslid": "griffier"}, "synonyms.raadslid"),
        ("griffier", "synonyms"),
    ]:
        answer = api.post(f"/sessions/{s.code}/registrations", ORGANISER,
                          {"rows": rows, "synonyms": synonyms})
        assert answer.status_code == 422, (synonyms, answer.json)
        assert answer.json["error"]["field"] == field, answer.json
    assert nothing_stored(ops, s.code)
    fine = api.post(f"/sessions/{s.code}/registrations", ORGANISER,
                    {"rows": rows, "synonyms": {"raadslid": ["griffier"]}})
    assert fine.status_code == 200 and fine.json["matched"] == 1


def test_name_cards_come_in_parts(client, api, make_session, monkeypatch):
    monkeypatch.setattr(name_cards, "MAX_CARDS", 3)
    s = make_session()
    rows = [{"naam": f"Deelnemer {i}", "functie": "raadslid"} for i in range(1, 8)]
    assert api.post(f"/sessions/{s.code}/registrations", ORGANISER,
                    {"rows": rows}).json["matched"] == 7
    cards = f"/sessions/{s.code}/registrations/cards"
    for fmt in ("pdf", "html"):
        whole = api.get(f"{cards}?format={fmt}", ORGANISER, headers={"Accept-Language": "nl"})
        assert whole.status_code == 422 and whole.json["error"]["field"] == "part"
        assert whole.json["error"]["message"] == ("Meer dan 3 naamkaartjes: download ze in "
                                                  "delen (deel 1 tot en met 3).")
        for part in ("0", "4", "x", "1.5"):
            wrong = api.get(f"{cards}?format={fmt}&part={part}", ORGANISER)
            assert wrong.status_code == 422 and wrong.json["error"]["field"] == "part"
    last = api.get(f"{cards}?format=pdf&part=3", ORGANISER)
    assert last.status_code == 200 and "naamkaartjes-deel-3.pdf" in \
        last.headers["Content-Disposition"]
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=last.data,
                                   capture_output=True, check=True).stdout.decode().split())
    assert "Deelnemer 7" in text and "Deelnemer 6" not in text
    sheet = api.get(f"{cards}?format=html&part=2", ORGANISER).data.decode()
    assert [n for n in range(1, 8) if f"Deelnemer {n}<" in sheet] == [4, 5, 6]
    # the organiser's page links to each part
    logged_in(client)
    page = client.get(f"/organiser/{s.code}/registrations", headers=NL).get_data(as_text=True)
    assert re.findall(r"cards\?format=pdf&amp;part=(\d)", page) == ["1", "2", "3"], page
    assert "Naamkaartjes (PDF), deel 2 van 3" in page
