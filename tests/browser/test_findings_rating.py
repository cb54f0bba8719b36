"""Rating the findings in a real browser (issue 11): three phones of two perspectives
rate before the dialogue, the projector shows the findings against the perspectives,
they rate again after it and the projector shows the movement. axe checks the new
states; screenshots go to screenshots/."""

from __future__ import annotations

import re

import pytest

from .conftest import ORGANISER
from .helpers import DESKTOP, PHONE, PROJECTOR, Api, Axe, shot

pytestmark = pytest.mark.browser

FINDINGS = [
    {"id": "plan", "title": "Verandering verloopt zelden volgens plan",
     "text": "Verandertrajecten lopen vaker via informele netwerken dan via het plan."},
    {"id": "vertrouwen", "title": "Vertrouwen als voorwaarde",
     "text": "Waar medewerkers en bestuur elkaar vertrouwen, krijgt verandering ruimte."},
]


def test_three_phones_rate_before_and_after(server, page_for, screenshots):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    api, axe = Api(server, ORGANISER), Axe(server)
    session = api.create_session(findings=FINDINGS)
    code = session["code"]
    screen = page_for(PROJECTOR)
    screen.goto(session["screen_url"])
    console = page_for(DESKTOP)
    console.goto(session["facilitator_url"])
    phones = []
    for perspective in ("raadslid", "raadslid", "medewerker"):
        joined = api.join(code, perspective)
        page = page_for(PHONE, {"name": f"fac_p_{code}",
                                "value": joined["participant_token"]})
        page.goto(f"{server}/p/{code}")
        expect(page.locator("[data-connection]")).to_have_text("Verbonden")
        phones.append(page)
    api.goto(session, "presentation")

    # -- before: each phone rates both findings, one at a time ---------------------
    before = [(5, 4), (4, 4), (2, None)]
    for page, scores in zip(phones, before, strict=True):
        section = page.locator('[data-section="rating"]')
        expect(section).to_be_visible()
        expect(section.locator("[data-rating-title]")).to_have_text(
            "Hoe herkenbaar is deze bevinding voor u?")
        expect(section.locator("[data-rating-progress]")).to_have_text("1 van 2")
        for index, score in enumerate(scores):
            name = "Geen mening" if score is None else re.compile(rf"^{score} · ")
            button = section.get_by_role("button", name=name)
            button.tap()
            expect(button).to_have_attribute("aria-pressed", "true")
            if index == 0:
                section.locator("summary").tap()
                section.get_by_label("Waarom beoordeelt u het zo?").fill(
                    "bij ons ging t ook heel anders dan gepland, via de wandelgangen")
                section.get_by_role("button", name="Toelichting opslaan").tap()
                section.get_by_role("button", name="Volgende").tap()
                expect(section.locator("[data-rating-progress]")).to_have_text("2 van 2")
        expect(section.locator("[data-rating-done]")).to_be_visible()
    axe.check(phones[0], "rating before: phone")
    shot(phones[0], screenshots, "11-rating-before-phone")

    # -- the console shows the counts and puts the findings on the screen ------------
    panel = console.locator("[data-findings-panel]")
    expect(panel).to_contain_text("3 beoordeeld")
    expect(panel).to_contain_text("via de wandelgangen")
    panel.get_by_role("button", name="De bevindingen op het scherm tonen").click()
    recognition = screen.locator("[data-recognition]")
    expect(recognition).to_be_visible()
    table = recognition.locator("table")
    # two raadsleden and one medewerker: a pool of three from two perspectives
    expect(table.locator("thead")).to_contain_text("Andere perspectieven")
    expect(table.locator("thead")).not_to_contain_text("Raadslid")
    expect(table.locator("tbody tr").first).to_contain_text("3,7")
    axe.check(console, "rating before: console")
    axe.check(screen, "rating before: screen")
    shot(console, screenshots, "11-rating-before-console")
    shot(screen, screenshots, "11-rating-before-screen", full_page=False)

    # -- after the dialogue: rate again, the screen shows the movement --------------
    api.goto(session, "conclusions")
    for page, score in zip(phones, (4, 4, 4), strict=True):
        section = page.locator('[data-section="rating"]')
        expect(section.locator("[data-rating-title]")).to_have_text(
            "Na de dialoog: hoe herkenbaar vindt u deze bevinding nu?")
        expect(section.locator("[data-rating-before]")).to_contain_text(
            "Uw oordeel vóór de dialoog")
        section.get_by_role("button", name=re.compile(rf"^{score} · ")).tap()
    expect(table.locator("tbody tr").first).to_contain_text("3,7 → 4,0")
    axe.check(phones[2], "rating after: phone")
    axe.check(screen, "rating after: screen")
    shot(phones[2], screenshots, "11-rating-after-phone")
    shot(screen, screenshots, "11-rating-after-screen", full_page=False)
    axe.assert_clean()
