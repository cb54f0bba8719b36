"""The address the projector sends the room to: its QR code and join text use the public
base URL, and never an address only this computer reaches (``localhost``, 127.0.0.1):
then the screen and the console warn in words a facilitator understands instead."""

from __future__ import annotations

import re

import pytest
import segno

from tests.web.test_pages import facilitator_client

NL = {"Accept-Language": "nl"}
EN = {"Accept-Language": "en"}
#: a documentation address (RFC 5737): printed and encoded only, never connected to
LAPTOP = "http://192.0.2.10:8000"
WARNING_NL = "Telefoons kunnen dit adres niet bereiken"
WARNING_EN = "Phones cannot reach this address"


def qr_of(url: str) -> str:
    """The QR code the screen draws for ``url`` (segno is deterministic)."""
    return segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff",
                                                 omitsize=True)


def screen_page(app, s, headers=NL, base_url: str | None = None) -> str:
    client = app.test_client()
    kwargs = {"base_url": base_url} if base_url else {}
    client.get(f"/s/{s.code}/{s.screen}", **kwargs)
    response = client.get(f"/s/{s.code}", headers=headers, **kwargs)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def console_page(app, s, headers=NL) -> str:
    response = facilitator_client(app, s).get(f"/f/{s.code}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def public_url(app, monkeypatch):
    def configure(url: str) -> None:
        monkeypatch.setitem(app.config["FACILITATOR"], "PUBLIC_URL", url)

    return configure


def test_the_screen_sends_phones_to_the_public_address_in_its_qr_code_and_join_text(
        app, make_session, public_url):
    public_url(LAPTOP)
    s = make_session()
    page = screen_page(app, s)
    join_url = f"{LAPTOP}/j/{s.code}"
    assert qr_of(join_url) in page  # the QR code encodes exactly the laptop's join link
    assert f'aria-label="QR-code om deel te nemen: {join_url}"' in page
    assert re.search(r'data-join-text>192\.0\.2\.10:8000/join<', page), page
    assert "localhost" not in page and "127.0.0.1" not in page
    assert WARNING_NL not in page and "data-reach-warning" not in page
    console = console_page(app, s)
    assert "192.0.2.10:8000/join" in console and "data-reach-warning" not in console


def test_without_a_public_url_the_join_text_follows_the_address_the_screen_was_opened_at(
        app, make_session):
    s = make_session()
    page = screen_page(app, s, base_url=LAPTOP)
    assert qr_of(f"{LAPTOP}/j/{s.code}") in page
    assert "data-join-text>192.0.2.10:8000/join<" in page


@pytest.mark.parametrize("opened_at", [None, "http://127.0.0.1:5000", "http://[::1]:5000"])
def test_a_screen_opened_at_a_loopback_address_warns_instead_of_a_qr_code(
        app, make_session, opened_at):
    s = make_session()
    page = screen_page(app, s, base_url=opened_at)  # None: the test client's localhost
    assert WARNING_NL in page and "./dev room" in page and "FACILITATOR_PUBLIC_URL" in page
    assert 'class="segno"' not in page and "<svg" not in page
    assert "data-join-text" not in page and "/join<" not in page
    assert "QR-code om deel te nemen" not in page
    # the code stays: someone who knows the right address can still type it
    assert 'class="join-code"' in page


def test_a_loopback_public_url_warns_on_the_screen_and_the_console_in_dutch_and_english(
        app, make_session, public_url):
    public_url("http://localhost:8000")
    s = make_session()
    assert WARNING_NL in screen_page(app, s) and WARNING_NL in console_page(app, s)
    english = screen_page(app, s, headers=EN)
    assert WARNING_EN in english and "only works on this computer" in english
    assert 'class="segno"' not in english
    console = console_page(app, s, headers=EN)
    assert WARNING_EN in console and "data-join-text" not in console


def test_loopback_links_on_one_computer_are_allowed_only_when_configured(
        app, make_session, public_url, monkeypatch):
    public_url("http://127.0.0.1:5000")
    monkeypatch.setitem(app.config["FACILITATOR"], "LOOPBACK_LINKS", True)
    s = make_session()
    page = screen_page(app, s)
    assert qr_of(f"http://127.0.0.1:5000/j/{s.code}") in page
    assert WARNING_NL not in page
