"""The pages over HTTP: NL Design System CSS served from our own server, no
external resources, forms that validate on the server with an error summary
and errors linked to their fields, and the parts each screen needs."""

from __future__ import annotations

import re

import pytest

from facilitator.domain.export import FORMATS
from facilitator.web import VENDOR_FILES
from facilitator.web.auth import cookie_name
from tests.conftest import ORGANISER

NL = {"Accept-Language": "nl"}


def joined_phone(app, session, perspective="raadslid"):
    """A client with a participant cookie (joined through the pick page)."""
    client = app.test_client()
    response = client.post(f"/j/{session.code}", data={"perspective": perspective}, headers=NL)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def facilitator_client(app, session):
    client = app.test_client()
    client.set_cookie(cookie_name("facilitator", session.code), session.fac)
    return client


def resources(page: str) -> list[str]:
    return re.findall(r'<(?:link|script)[^>]+(?:href|src)="([^"]+)"', page)


def test_vendor_files_come_from_node_modules(client):
    for name in VENDOR_FILES:
        response = client.get(f"/vendor/{name}")
        assert response.status_code == 200, name
        assert response.mimetype in ("text/css", "text/javascript", "application/javascript")
        assert len(response.data) > 100
        response.close()
    assert client.get("/vendor/../package.json").status_code == 404
    assert client.get("/vendor/not-there.css").status_code == 404


def test_every_page_loads_only_our_own_resources(app, client, make_session):
    s = make_session()
    phone = joined_phone(app, s)
    console = facilitator_client(app, s)
    pages = [client.get("/join"), client.get(f"/j/{s.code}"), phone.get(f"/p/{s.code}"),
             console.get(f"/f/{s.code}"), console.get(f"/s/{s.code}"),
             client.get("/toegankelijkheid"), client.get("/organiser/login")]
    for response in pages:
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        for url in resources(page):
            assert url == "data:," or (url.startswith("/") and not url.startswith("//")), url
        # no address of a font service or CDN anywhere in the page (a word, not a random
        # token: one in the page's data once held "...lmmcdnxpro")
        assert "fonts.googleapis" not in page
        assert not re.search(r"(?:https?:)?//[^\s\"'<>]*cdn|\bcdn[.-]", page, re.I), page
        # the CSP allows no inline script or style: only JSON data blocks
        for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page):
            assert 'type="application/json"' in tag, tag
        assert " style=" not in page
        assert "voorbeeld-theme" in page and "/vendor/utrecht-button.css" in page


def test_phone_page(app, make_session):
    s = make_session()
    phone = joined_phone(app, s)
    page = phone.get(f"/p/{s.code}", headers=NL).get_data(as_text=True)
    assert '<html lang="nl"' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert 'data-connection data-state="connecting" role="status">Verbinden…' in page
    assert 'id="page-data"' in page and '"Meenemen naar de dialoog"' in page
    assert "utrecht-textarea" in page and "/vendor/socket.io.min.js" in page
    assert 'for="reflection-text"' in page


def test_phone_without_a_cookie_goes_to_the_pick_page(client, make_session):
    s = make_session()
    response = client.get(f"/p/{s.code}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/j/{s.code}")


def test_join_by_code_validates_on_the_server(client, make_session):
    s = make_session()
    response = client.post("/join", data={"code": "nope"}, headers=NL)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<title>Fout: Deelnemen aan een sessie</title>" in page
    assert 'class="utrecht-alert utrecht-alert--error error-summary" role="alert" tabindex="-1"' \
        in page
    assert 'href="#field-code"' in page
    assert re.search(r'id="error-code">Er is geen sessie met deze code', page)
    assert 'aria-describedby="hint-code error-code" aria-invalid="true"' in page
    # the error comes before the field (NL Design System: error above the input)
    assert page.index('id="error-code"') < page.index('id="field-code"')
    ok = client.post("/join", data={"code": s.code.lower()[:3] + " " + s.code.lower()[3:]})
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/j/{s.code}")


def test_pick_page_validates_on_the_server(client, make_session):
    s = make_session()
    page = client.get(f"/j/{s.code}", headers=NL).get_data(as_text=True)
    assert page.count('type="radio"') == 16
    assert 'id="field-perspective"' in page  # the summary's link target: the first choice
    response = client.post(f"/j/{s.code}", data={"perspective": ""}, headers=NL)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#field-perspective"' in page
    assert 'aria-describedby="hint-perspective error-perspective"' in page
    response = client.post(f"/j/{s.code}", data={"perspective": "astronaut"}, headers=NL)
    assert "Onbekend perspectief: astronaut." in response.get_data(as_text=True)


def test_console_has_a_button_for_every_shortcut(app, make_session):
    s = make_session()
    page = facilitator_client(app, s).get(f"/f/{s.code}", headers=NL).get_data(as_text=True)
    assert 'aria-keyshortcuts="ArrowRight PageDown Space"' in page
    assert 'aria-keyshortcuts="ArrowLeft PageUp"' in page
    assert 'aria-keyshortcuts="B ."' in page
    assert 'aria-keyshortcuts="S"' in page
    assert "data-shortcuts-toggle checked" in page
    assert 'data-timer' in page and "<iframe" in page and "preview=1" in page


def test_console_needs_the_facilitator_cookie(client, make_session):
    s = make_session()
    assert client.get(f"/f/{s.code}").status_code == 403


def test_screen_shows_qr_and_code(client, make_session, app, monkeypatch):
    # a public address phones reach (a loopback one gets a warning instead: test_join_address)
    monkeypatch.setitem(app.config["FACILITATOR"], "PUBLIC_URL", "https://dialoog.example.nl")
    s = make_session()
    client.get(f"/s/{s.code}/{s.screen}")
    page = client.get(f"/s/{s.code}", headers=NL).get_data(as_text=True)
    assert '<svg viewBox=' in page and 'class="segno"' in page
    assert 'role="img" aria-label="QR-code om deel te nemen: http' in page
    assert "data-fullscreen" in page and "Volledig scherm" in page
    assert 'class="join-code"' in page


def test_screen_preview_has_nothing_to_focus(app, make_session):
    s = make_session()
    page = facilitator_client(app, s).get(f"/s/{s.code}?preview=1").get_data(as_text=True)
    assert "screen--preview" in page
    assert "<button" not in page and "<a " not in page


@pytest.mark.parametrize(("lang", "title"), [("nl", "Toegankelijkheidsverklaring"),
                                              ("en", "Accessibility statement")])
def test_accessibility_statement(client, lang, title):
    response = client.get("/toegankelijkheid", headers={"Accept-Language": lang})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"<h1 class=\"nl-heading nl-heading--level-1\">{title}</h1>" in page
    assert "WCAG 2.1" in page


def test_every_page_links_to_the_accessibility_statement(client):
    for path in ("/join", "/organiser/login"):
        assert 'href="/toegankelijkheid"' in client.get(path).get_data(as_text=True)


def test_organiser_forms_link_errors_to_fields(client, make_session):
    s = make_session()
    response = client.post("/organiser/login", data={"token": "wrong"}, headers=NL)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert 'href="#field-token"' in page and 'aria-describedby="error-token"' in page
    client.post("/organiser/login", data={"token": ORGANISER})
    response = client.post(f"/organiser/{s.code}", data={"title": "Sessie",
                                                         "spec": "perspectives: 12"}, headers=NL)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#field-spec"' in page  # a YAML part has no field of its own
    assert 'id="error-spec">Dit veld moet een lijst zijn.' in page
    assert 'aria-describedby="hint-spec-edit error-spec" aria-invalid="true"' in page
    response = client.post("/organiser/new", data={"title": ""}, headers=NL)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#field-title"' in page and 'id="error-title"' in page


def test_phone_first_load_stays_within_60_kb_gzip():
    """bench/page_weight.py: HTML, CSS, JS and fonts of the phone page, compressed."""
    from bench.page_weight import KB, measure

    phone = measure()["phone"]
    assert phone["total_gzip"] <= 60 * KB, phone["total_gzip"] / KB
    assert "font" not in phone["by_kind"]  # system fonts only
    assert any(f["url"] == "/vendor/voorbeeld-theme.css" for f in phone["files"])


def test_forbidden_page_speaks_the_users_language(client, make_session):
    s = make_session()
    page = client.get(f"/f/{s.code}", headers=NL).get_data(as_text=True)
    assert "U hebt geen toegang tot deze pagina." in page
    assert "permission" not in page


def test_console_downloads_the_report_as_a_real_pdf_and_every_other_format(app, make_session):
    """The console's download row: Word, a real PDF (not the print page), Markdown,
    HTML and the data tables; every link answers with its file."""
    s = make_session()
    console = facilitator_client(app, s)
    page = console.get(f"/f/{s.code}", headers=NL).get_data(as_text=True)
    links = re.findall(r'href="(/f/[^"]+/export\?format=(\w+)[^"]*)"', page)
    assert [fmt for _href, fmt in links] == ["docx", "pdf", "md", "html", "xlsx", "csv", "json"]
    assert "HTML/PDF" not in page
    for href, fmt in links:
        response = console.get(href.replace("&amp;", "&"))
        assert response.status_code == 200, fmt
        assert response.headers["Content-Type"] == FORMATS[fmt].mimetype, (fmt, response.headers)
    assert console.get(links[1][0].replace("&amp;", "&")).data.startswith(b"%PDF-")
