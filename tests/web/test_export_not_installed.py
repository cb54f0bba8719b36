"""A server installed without the ``export`` extra (``pip install facilitator``, no
``[export]``) answers a Word, Excel or PDF download with a clear message in the
user's language (501), never a server error; Markdown, HTML, CSV and JSON still work."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import ORGANISER

from .test_series import TEMPLATE

EXTRA = ("docx", "openpyxl", "weasyprint", "pypdf")


@pytest.fixture
def without_extra(monkeypatch):
    for module in EXTRA:
        monkeypatch.setitem(sys.modules, module, None)  # ``import`` fails, as uninstalled


def _refused(response, fmt: str) -> None:
    assert response.status_code == 501, (fmt, response.status_code, response.data[:200])
    error = response.json["error"]
    assert error["code"] == "not_installed"
    assert error["message"].startswith(f"Deze server kan geen {fmt.upper()}-bestanden maken")
    assert 'pip install "facilitator[export]"' in error["message"]


def test_session_exports_without_the_extra(api, make_session, without_extra):
    s = make_session()
    s.goto("circle")
    token = s.join("raadslid")["participant_token"]
    s.post(token, "Werkdruk is hoog bij ons team, echt te veel tegelijk")
    for fmt in ("pdf", "docx", "xlsx"):
        _refused(api.get(f"/sessions/{s.code}/export?format={fmt}", s.fac), fmt)
    for fmt in ("md", "html", "csv", "json"):
        assert api.get(f"/sessions/{s.code}/export?format={fmt}", s.fac).status_code == 200
    english = api.get(f"/sessions/{s.code}/export?format=pdf", s.fac,
                      headers={"Accept-Language": "en"})
    assert english.status_code == 501
    assert english.json["error"]["message"].startswith("This server cannot make PDF files")


def test_series_and_name_cards_without_the_extra(api, client, make_session, without_extra):
    sid = api.post("/series", ORGANISER, {"title": "DVG 2027", "template": TEMPLATE}).json["id"]
    api.post(f"/series/{sid}/sessions", ORGANISER, {"date": "2027-05-12", "place": "Ede"})
    client.post("/organiser/login", data={"token": ORGANISER})
    page = client.get(f"/organiser/series/{sid}", headers={"Accept-Language": "nl"}).get_data(
        as_text=True)
    assert "format=pdf" not in page and "format=xlsx" not in page and "format=md" in page
    assert "Excel (niet geïnstalleerd op deze server)" in page
    for fmt in ("pdf", "docx", "xlsx"):
        _refused(api.get(f"/series/{sid}/export?format={fmt}", ORGANISER), fmt)
    assert api.get(f"/series/{sid}/export?format=md", ORGANISER).status_code == 200
    s = make_session()
    api.post(f"/sessions/{s.code}/registrations", ORGANISER,
             {"rows": [{"naam": "Joke de Vries", "functie": "raadslid"}]})
    _refused(api.get(f"/sessions/{s.code}/registrations/cards?format=pdf", ORGANISER), "pdf")


def test_the_organiser_pages_link_says_so_in_a_page(client, make_session, without_extra):
    s = make_session()
    client.post("/organiser/login", data={"token": ORGANISER})
    response = client.get(f"/organiser/{s.code}/export?format=pdf&preset=bestuur",
                          headers={"Accept-Language": "nl", "Accept": "text/html"})
    assert response.status_code == 501
    page = response.get_data(as_text=True)
    assert "Deze server kan geen PDF-bestanden maken" in page


def test_the_command_line_says_so_too(api, app, make_session, without_extra, monkeypatch,
                                      tmp_path, capsys):
    from facilitator import cli

    s = make_session()
    monkeypatch.setenv("FACILITATOR_STORE", app.config["FACILITATOR"]["STORE"])
    monkeypatch.setenv("FACILITATOR_ASYNC_MODE", "threading")
    out = tmp_path / "verslag.pdf"
    assert cli.main(["export", s.code, "--format", "pdf", "-o", str(out)]) == 2
    assert 'cannot make PDF files: the export extra is not installed' in capsys.readouterr().err
    assert not out.exists()


def test_pages_offer_no_button_for_what_is_not_installed(api, client, make_session,
                                                         without_extra):
    s = make_session()
    client.post("/organiser/login", data={"token": ORGANISER})
    page = client.get(f"/organiser/{s.code}", headers={"Accept-Language": "nl"}).get_data(
        as_text=True)
    assert f"/organiser/{s.code}/export?format=pdf" not in page
    assert f"/organiser/{s.code}/export?format=docx" not in page
    assert f"/organiser/{s.code}/export?format=md" in page  # Markdown needs nothing extra
    assert "PDF (niet geïnstalleerd op deze server)" in page
    cards = client.get(f"/organiser/{s.code}/registrations",
                       headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "format=pdf" not in cards and "Naamkaartjes (PDF) (niet geïnstalleerd" in cards
