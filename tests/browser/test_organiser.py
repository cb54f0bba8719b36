"""The organiser pages and the error page in a real browser: server-side
validation with an error summary that takes focus, errors above their fields,
and axe on every page and state."""

from __future__ import annotations

import re

import pytest

from .conftest import ORGANISER
from .helpers import DESKTOP, Axe, shot

pytestmark = pytest.mark.browser


def test_organiser_pages_and_errors(server, browser, screenshots, tmp_path):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    axe = Axe(server)
    ctx = browser.new_context(locale="nl-NL", reduced_motion="reduce", **DESKTOP)
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    try:
        page.goto(server + "/organiser/")
        expect(page).to_have_url(re.compile("/organiser/login"))
        axe.check(page, "organiser login")
        page.get_by_label("Organisatorsleutel").fill("wrong-key")
        page.get_by_role("button", name="Inloggen").click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Deze organisatorsleutel klopt niet.")
        field = page.get_by_label("Organisatorsleutel")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", "error-token")
        expect(page).to_have_title(re.compile("^Fout: "))
        axe.check(page, "organiser login with an error")
        shot(page, screenshots, "80-organiser-login-error")
        # the summary links to the field
        summary.get_by_role("link").click()
        expect(field).to_be_focused()
        field.fill(ORGANISER)
        page.get_by_role("button", name="Inloggen").click()
        expect(page.locator("h1")).to_have_text("Sessies")
        axe.check(page, "organiser list")

        page.get_by_role("link", name="Nieuwe sessie").click()
        axe.check(page, "new session")
        broken = tmp_path / "broken.yaml"
        broken.write_text("programme: [unclosed\n", encoding="utf-8")
        page.get_by_label("Titel").fill("Sessie in de browser")
        page.get_by_label(re.compile("^Beschrijvingsbestand")).set_input_files(str(broken))
        page.get_by_role("button", name="Sessie aanmaken").click()
        expect(page.locator(".error-summary")).to_be_focused()
        expect(page.locator("#error-spec")).to_contain_text("Dit is geen geldige YAML of JSON")
        axe.check(page, "new session with an error")
        shot(page, screenshots, "81-organiser-new-error")
        page.get_by_label(re.compile("^Beschrijvingsbestand")).set_input_files([])
        page.get_by_label("Titel").fill("Sessie in de browser")
        page.get_by_role("button", name="Sessie aanmaken").click()
        expect(page.locator("h1")).to_have_text("Sessie in de browser")
        expect(page.get_by_role("status")).to_contain_text("De sessie is aangemaakt.")
        axe.check(page, "edit session")
        page.get_by_label("Programma, perspectieven, kringen en bevindingen (YAML)").fill(
            "perspectives: 12")
        page.get_by_role("button", name="Opslaan").click()
        expect(page.locator(".error-summary")).to_be_focused()
        spec = page.get_by_label("Programma, perspectieven, kringen en bevindingen (YAML)")
        expect(page.locator("#error-spec")).to_have_text("Dit veld moet een lijst zijn.")
        expect(spec).to_have_attribute("aria-describedby", re.compile("error-spec"))
        page.locator(".error-summary").get_by_role("link").click()
        expect(spec).to_be_focused()
        axe.check(page, "edit session with an error")
        shot(page, screenshots, "82-organiser-edit-error")

        page.goto(server + "/p/NOSUCH")
        expect(page.locator("h1")).to_have_text("Excuses")
        axe.check(page, "error page")
        axe.assert_clean()
    finally:
        ctx.close()
