"""Reasons behind reactions in a real browser (issue 17, item 1): phones of the vakbond
say why a raadslid's reflection is not recognisable, the raadslid's phone shows the
reasons (perspective named once three people stand behind it), the console lists them
by perspective and puts one on the screen. axe checks the new states."""

from __future__ import annotations

import re

import pytest

from .conftest import ORGANISER
from .helpers import DESKTOP, PHONE, PROJECTOR, Api, Axe, shot

pytestmark = pytest.mark.browser

REASONS = ["bij ons op de werkvloer merk je daar eerlijk gezegd weinig van",
           "de raad zit er toch te ver vanaf, dat zie je aan de besluiten",
           "herken het wel, maar alleen bij de grote projecten"]


def test_vakbond_phones_give_reasons_and_the_screen_shows_one(server, page_for, screenshots):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    api, axe = Api(server, ORGANISER), Axe(server)
    session = api.create_session()
    code = session["code"]
    raad = api.join(code, "raadslid")
    bond = [api.join(code, "vakbond") for _ in range(3)]
    api.goto(session, "circle")
    reflection = api.post(code, raad["participant_token"],
                          "We sturen als raad vooral op de korte termijn, dat merkt iedereen")
    api.share(code, raad["participant_token"], reflection["id"])
    api.goto(session, "exchange")
    screen = page_for(PROJECTOR)
    screen.goto(session["screen_url"])
    console = page_for(DESKTOP)
    console.goto(session["facilitator_url"])
    own = page_for(PHONE, {"name": f"fac_p_{code}", "value": raad["participant_token"]})
    own.goto(f"{server}/p/{code}")
    expect(own.locator("[data-connection]")).to_have_text("Verbonden")
    for index, member in enumerate(bond):
        page = page_for(PHONE, {"name": f"fac_p_{code}",
                                "value": member["participant_token"]})
        page.goto(f"{server}/p/{code}")
        expect(page.locator("[data-connection]")).to_have_text("Verbonden")
        section = page.locator('[data-section="exchange"]')
        kind = "Niet herkenbaar" if index < 2 else "Herkenbaar"
        section.get_by_role("button", name=kind, exact=True).tap()
        label = "Waarom niet herkenbaar?" if index < 2 else "Waarom? (optioneel)"
        section.get_by_label(label).fill(REASONS[index])
        section.get_by_role("button", name="Reden versturen").tap()
        expect(section.locator(".pending")).to_have_count(0)
        if index == 0:
            axe.check(page, "reason: phone that gives one")
            shot(page, screenshots, "17-reason-phone-give")
    circle = own.locator('[data-section="circle"]')
    for text in REASONS:
        expect(circle.get_by_text(text)).to_be_visible()
    expect(circle.locator(".reasons").first).to_contain_text("Vakbond")
    axe.check(own, "reasons: own circle's phone")
    shot(own, screenshots, "17-reasons-own-circle")
    panel = console.locator("[data-reasons-panel]")
    expect(panel).to_be_visible()
    expect(panel.locator(".card")).to_have_count(3)
    panel.get_by_role("button", name="Uitlichten").first.click()
    expect(screen.locator("[data-reason]")).to_be_visible()
    expect(screen.locator("[data-reason-text]")).to_have_text(REASONS[0])
    expect(screen.locator("[data-reason-perspective]")).to_contain_text("Vakbond")
    axe.check(console, "reasons: console")
    axe.check(screen, "reasons: screen")
    shot(console, screenshots, "17-reasons-console")
    shot(screen, screenshots, "17-reasons-screen", full_page=False)
    # mixed tables: each phone its number, the screen the tables with perspectives
    api.call("POST", f"/sessions/{code}/tables", session["facilitator_token"],
             {"size": 2, "seed": 3})
    expect(own.locator("[data-table]")).to_have_text(re.compile(r"^Uw tafel: [12]$"))
    expect(screen.locator("[data-table-list] li")).to_have_count(2)
    expect(screen.locator("[data-table-list]")).to_contain_text("Tafel 1")
    expect(screen.locator("[data-table-list]")).not_to_contain_text("Merel")
    axe.check(own, "tables: phone")
    axe.check(screen, "tables: screen")
    shot(own, screenshots, "17-table-phone", full_page=False)
    shot(screen, screenshots, "17-tables-screen", full_page=False)
    axe.assert_clean()
