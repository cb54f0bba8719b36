"""The facilitator console with the keyboard only: clicker keys, single-key
shortcuts that can be switched off (WCAG 2.1.4), never while typing, a button
for every shortcut, and focus that is always visible."""

from __future__ import annotations

import re

import pytest

from .conftest import ORGANISER
from .helpers import DESKTOP, Api, Axe, focused, shot, tab_to, text_is

pytestmark = pytest.mark.browser


def test_console_with_the_keyboard_only(server, browser, screenshots):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    api, axe = Api(server, ORGANISER), Axe(server)
    session = api.create_session()
    code = session["code"]
    raad = api.join(code, "raadslid")
    api.goto(session, "circle")
    first = api.post(code, raad["participant_token"], "Eerste reflectie van de raad.")
    api.share(code, raad["participant_token"], first["id"])
    api.goto(session, "welcome")

    ctx = browser.new_context(locale="nl-NL", reduced_motion="reduce", **DESKTOP)
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    try:
        page.goto(session["facilitator_url"])
        expect(page.locator("[data-connection]")).to_have_attribute("data-state", "connected")
        current = page.locator("[data-current-step]")
        expect(current).to_contain_text("Opening en welkom")
        screen_state = page.locator("[data-screen-state]")

        # a presentation clicker: PageDown / PageUp, always on
        page.keyboard.press("PageDown")
        expect(current).to_contain_text("Presentatie")
        page.keyboard.press("PageUp")
        expect(current).to_contain_text("Opening en welkom")
        # single keys: → and Space next, ← previous, B and . blank the screen
        page.keyboard.press("ArrowRight")
        expect(current).to_contain_text("Presentatie")
        page.keyboard.press("Space")
        expect(current).to_contain_text("Reflectie op deze resultaten")
        page.keyboard.press("ArrowLeft")
        expect(current).to_contain_text("Presentatie")
        page.keyboard.press("b")
        expect(screen_state).to_have_text("Het scherm staat op zwart.")
        page.keyboard.press(".")
        expect(screen_state).to_have_text("Het scherm volgt de agenda.")

        # never while typing: in the conclusion field, keys are just text
        page.get_by_label("Nieuwe conclusie").focus()
        page.keyboard.type("b. s")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("PageDown")
        expect(page.get_by_label("Nieuwe conclusie")).to_have_value("b. s")
        expect(current).to_contain_text("Presentatie")
        expect(screen_state).to_have_text("Het scherm volgt de agenda.")
        page.get_by_label("Nieuwe conclusie").fill("")

        # an empty conclusion or group: the error under the field, linked to it
        for button, control, error, text in (
                ("Conclusie toevoegen", "#conclusion-text", "conclusion-error",
                 "Schrijf de conclusie voordat u die toevoegt."),
                ("Groeperen als patroon", "#group-name", "group-error",
                 "Selecteer minstens één reflectie en geef het patroon een naam.")):
            page.get_by_role("button", name=button).click()
            field = page.locator(control)
            expect(field).to_be_focused()
            expect(field).to_have_attribute("aria-invalid", "true")
            expect(field).to_have_attribute("aria-describedby", re.compile(error))
            expect(page.locator(f"#{error}")).to_have_text(text)
        expect(page.locator("#conclusion-text")).to_have_class(re.compile("utrecht-textarea--invalid"))

        # every control is reachable with Tab, with a visible focus; buttons do what keys do
        page.locator("h1").click()  # start the Tab order at the top
        tab_to(page, text_is("Volgend onderdeel"))
        page.keyboard.press("Enter")
        expect(current).to_contain_text("Reflectie op deze resultaten")
        tab_to(page, text_is("Volgend onderdeel"), key="Shift+Tab")
        page.keyboard.press("Enter")
        expect(current).to_contain_text("Uitwisselen van reflecties")
        tab_to(page, text_is("Scherm op zwart"))
        page.keyboard.press("Space")
        expect(page.get_by_role("button", name="Scherm op zwart")).to_have_attribute(
            "aria-pressed", "true")
        page.keyboard.press("Space")
        expect(page.get_by_role("button", name="Scherm op zwart")).to_have_attribute(
            "aria-pressed", "false")

        # select a reflection with the keyboard and spotlight it with S
        checkbox = page.get_by_role("checkbox", name=re.compile("Selecteren"))
        tab_to(page, lambda now: now["id"].startswith("sel-"))
        expect(checkbox).to_be_focused()
        page.keyboard.press("Space")
        expect(checkbox).to_be_checked()
        page.keyboard.press("s")
        card = page.locator("[data-reflections] li", has_text="Eerste reflectie van de raad.")
        expect(card.get_by_role("button", name="Uitlichten")).to_have_attribute(
            "aria-pressed", "true")
        # the spotlight button of the card (the button for S) switches it off again
        tab_to(page, text_is("^Uitlichten$"))
        page.keyboard.press("Enter")
        expect(card.get_by_role("button", name="Uitlichten")).to_have_attribute(
            "aria-pressed", "false")
        assert focused(page)["visible"]
        axe.check(page, "keyboard console")
        shot(page, screenshots, "93-keyboard-console")

        # switch single-key shortcuts off (remembered); the clicker keys keep working
        toggle = page.get_by_label("Sneltoetsen met één toets")
        toggle.focus()
        page.keyboard.press("Space")
        expect(toggle).not_to_be_checked()
        page.locator("h1").click()
        page.keyboard.press("b")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("s")
        page.wait_for_timeout(500)
        expect(screen_state).to_have_text("Het scherm volgt de agenda.")
        expect(current).to_contain_text("Uitwisselen van reflecties")
        page.keyboard.press("PageDown")
        expect(current).to_contain_text("Algemene conclusies")
        page.reload()
        expect(page.get_by_label("Sneltoetsen met één toets")).not_to_be_checked()
        axe.assert_clean()
    finally:
        ctx.close()
