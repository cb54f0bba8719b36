"""The organiser's registrations page in a real browser (issue 15, item 3): upload a
messy registration list, fix a row no perspective fitted, open the name cards with
the page session; axe on each state."""

from __future__ import annotations

import re

import pytest

from .conftest import ORGANISER
from .helpers import DESKTOP, Api, Axe, shot

pytestmark = pytest.mark.browser

#: as an event system exports it: a BOM, ";", an extra column, an empty row, an unknown
#: function and the same person twice
LIST = ("\ufeffNaam;Organisatie;Functie;E-mail\r\n"
        "Anna de Vries;Gemeente Zwolle;Raadslid (fractievoorzitter);anna@zwolle.nl\r\n"
        ";;;\r\n"
        "Fatima El Amrani;Gemeente Deventer;projectleider sociaal domein;\r\n"
        "Pieter Bakker;Gemeente Zwolle;wethouder;\r\n"
        "anna de vries;gemeente zwolle;raadslid;\r\n").encode("utf-8")


def test_upload_fix_a_row_and_open_the_cards(server, page_for, screenshots, tmp_path):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    code = Api(server, ORGANISER).create_session(title="Reflectiesessie Zwolle")["code"]
    axe = Axe(server)
    page = page_for(DESKTOP)
    page.set_default_timeout(10_000)

    page.goto(f"{server}/organiser/{code}")
    page.get_by_label("Organisatorsleutel").fill(ORGANISER)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Aanmeldingen en naamkaartjes").click()
    expect(page.locator("h1")).to_have_text("Aanmeldingen")
    axe.check(page, "registrations, empty")

    listed = tmp_path / "aanmeldingen-zwolle.csv"
    listed.write_bytes(LIST)
    page.get_by_label("Aanmeldlijst (CSV of Excel)").set_input_files(str(listed))
    page.get_by_role("button", name="Lijst inlezen").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Gekoppeld aan een perspectief: 2. Nog niet gekoppeld: 1.")
    expect(page.get_by_role("heading", name="Nog niet gekoppeld (1)")).to_be_visible()
    expect(page.get_by_role("textbox", name="Persoonlijke deelnamelink voor Anna de Vries")) \
        .to_have_value(re.compile(rf"/r/{code}/"))
    axe.check(page, "registrations with a waiting row")
    shot(page, screenshots, "86-organiser-registrations")

    page.get_by_label("Perspectief voor Fatima El Amrani").select_option(label="Beleidsadviseur")
    page.get_by_role("button", name="Gekozen perspectieven opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Rijen die een perspectief kregen: 1.")
    expect(page.get_by_role("heading", name="Nog niet gekoppeld (0)")).to_be_visible()
    fatima = page.get_by_role("row", name=re.compile("Fatima El Amrani"))
    expect(fatima).to_contain_text("Beleidsadviseur")
    axe.check(page, "registrations, all matched")

    page.get_by_role("link", name="Naamkaartjes (HTML, om te printen)").click()
    expect(page.locator("h1")).to_have_text("Naamkaartjes: Reflectiesessie Zwolle")
    expect(page.locator(".name-card")).to_have_count(3)
    expect(page.get_by_role("img", name="Persoonlijke QR-code voor Fatima El Amrani")) \
        .to_be_visible()
    axe.check(page, "name cards")
    axe.assert_clean()
