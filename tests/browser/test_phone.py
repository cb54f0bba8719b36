"""The phone in a real browser: offline posting, keyboard-only use, a 320 px screen,
large tap targets, and the language switch."""

from __future__ import annotations

import re

import pytest

from .conftest import ORGANISER
from .helpers import PHONE, SMALL_PHONE, Api, Axe, focused, shot, tab_to, text_is

pytestmark = pytest.mark.browser

TIMEOUT = 10_000


@pytest.fixture
def env(server, browser, screenshots):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    contexts = []

    def context(options, locale="nl-NL"):
        ctx = browser.new_context(locale=locale, reduced_motion="reduce", **options)
        ctx.set_default_timeout(TIMEOUT)
        contexts.append(ctx)
        return ctx

    yield {"api": Api(server, ORGANISER), "context": context, "base": server,
           "axe": Axe(server), "shots": screenshots}
    for ctx in contexts:
        ctx.close()


def join(page, session, perspective="raadslid"):
    from playwright.sync_api import expect

    page.goto(session["join_url"])
    page.locator(f"input[name=perspective][value={perspective}]").check()
    page.get_by_role("button", name=re.compile("^(Deelnemen|Join)$")).click()
    expect(page.locator("[data-connection]")).to_have_attribute("data-state", "connected")


def test_offline_phone_shows_waiting_and_delivers_when_back(env):
    from playwright.sync_api import expect

    api, axe = env["api"], env["axe"]
    session = api.create_session()
    ctx = env["context"](PHONE)
    page = ctx.new_page()
    join(page, session)
    api.goto(session, "circle")
    field = page.get_by_label("Wat vindt u van deze resultaten, vanuit uw perspectief?")
    expect(field).to_be_visible()
    axe.inject(page)  # axe itself cannot be fetched once the phone is offline

    ctx.set_offline(True)
    status = page.locator("[data-connection]")
    expect(status).to_have_attribute("data-state", "offline")
    expect(status).to_have_text("Geen verbinding: uw invoer wordt bewaard en later verstuurd")
    text = "Geschreven in de kelder zonder bereik."
    field.fill(text)
    page.get_by_role("button", name="Plaatsen").tap()
    waiting = page.locator("[data-outbox] li", has_text=text)
    expect(waiting).to_contain_text("Wacht op verbinding")
    axe.check(page, "phone offline with a waiting post")
    shot(page, env["shots"], "90-offline-phone-waiting")
    assert api.reflections(session) == []  # nothing has reached the server

    # back online: the outbox sends it (the server stores by client id at most once)
    ctx.set_offline(False)
    expect(status).to_have_attribute("data-state", "connected")
    expect(page.locator("[data-outbox]")).to_be_hidden()
    expect(page.locator("[data-circle-list]")).to_contain_text(text)
    stored = api.reflections(session)
    assert [r["text"] for r in stored] == [text]  # delivered exactly once
    shot(page, env["shots"], "91-offline-phone-delivered")
    axe.assert_clean()


def test_phone_with_the_keyboard_only(env):
    from playwright.sync_api import expect

    api, axe = env["api"], env["axe"]
    session = api.create_session()
    other = api.join(session["code"], "vakbond")
    page = env["context"]({"viewport": {"width": 390, "height": 800}}).new_page()
    page.goto(session["join_url"])
    # the first Tab stop is the skip link, visible when focused
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Naar de inhoud"
    assert focused(page)["visible"]
    tab_to(page, lambda now: now["tag"] == "INPUT")  # the first perspective
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # radio group: arrows choose
    expect(page.locator("input[value=bestuurder]")).to_be_checked()
    tab_to(page, lambda now: now["tag"] == "INPUT")  # the name field
    page.keyboard.type("Anna")
    tab_to(page, text_is("^Deelnemen$"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/p/{session['code']}$"))
    expect(page.locator("[data-connection]")).to_have_attribute("data-state", "connected")

    api.goto(session, "circle")
    expect(page.locator("#reflection-text")).to_be_visible()
    # an empty post shows an error above the field, linked to it, and focus goes there
    tab_to(page, text_is("^Plaatsen$"))
    page.keyboard.press("Enter")
    field = page.locator("#reflection-text")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile("reflection-error"))
    expect(page.locator("#reflection-error")).to_have_text(
        "Schrijf uw reflectie voordat u die plaatst.")
    axe.check(page, "keyboard phone: empty post error")
    page.keyboard.type("Bestuurders zien de verandering anders dan de raad.")
    tab_to(page, text_is("^Plaatsen$"))
    page.keyboard.press("Enter")
    card = page.locator("[data-circle-list] li", has_text="Bestuurders zien")
    expect(card).to_be_visible()
    tab_to(page, text_is("Meenemen naar de dialoog"))
    page.keyboard.press("Space")
    expect(card.get_by_role("button", name="Meenemen naar de dialoog")).to_have_attribute(
        "aria-pressed", "true")
    # focus stayed on the toggle after the list was re-rendered
    assert focused(page)["text"].endswith("Meenemen naar de dialoog")
    assert focused(page)["visible"]

    reflection = api.post(session["code"], other["participant_token"],
                          "De bond wordt te laat gehoord.")
    api.share(session["code"], other["participant_token"], reflection["id"])
    api.goto(session, "exchange")
    reaction = page.locator("[data-exchange-list] li", has_text="De bond wordt te laat gehoord.")
    expect(reaction).to_be_visible()
    tab_to(page, text_is("^Herkenbaar$"))
    page.keyboard.press("Enter")
    expect(reaction.get_by_role("button", name="Herkenbaar", exact=True)).to_have_attribute(
        "aria-pressed", "true")
    axe.check(page, "keyboard phone: reacted")
    shot(page, env["shots"], "92-keyboard-phone")
    axe.assert_clean()


def test_phone_fits_320_px_with_large_targets(env):
    from playwright.sync_api import expect

    api = env["api"]
    session = api.create_session()
    page = env["context"](SMALL_PHONE).new_page()
    page.goto(session["join_url"])
    measure = """() => {
      const doc = document.documentElement;
      const small = [];
      for (const el of document.querySelectorAll(
          "button, .choice, input:not([type=hidden]):not([type=radio]), textarea, select, "
          + ".lang-switch a, .lang-switch span, .site-footer a")) {
        const r = el.getBoundingClientRect();
        if (!r.width || el.closest("[hidden]")) continue;
        if (r.height < 44 || r.width < 44) {
          small.push(`${el.outerHTML.slice(0, 80)} ${r.width}x${r.height}`);
        }
      }
      const size = parseFloat(getComputedStyle(document.body).fontSize);
      return { overflow: doc.scrollWidth - doc.clientWidth, small, size };
    }"""
    result = page.evaluate(measure)
    assert result == {"overflow": 0, "small": [], "size": 16}, result
    join(page, session)
    api.goto(session, "circle")
    expect(page.locator("#reflection-text")).to_be_visible()
    page.locator("#reflection-text").fill("Een heel lang woord: " + "onderzoeks" * 12)
    page.get_by_role("button", name="Plaatsen").tap()
    expect(page.locator("[data-circle-list] li")).to_have_count(1)
    result = page.evaluate(measure)
    assert result == {"overflow": 0, "small": [], "size": 16}, result
    viewport = page.evaluate("() => document.querySelector('meta[name=viewport]').content")
    assert "user-scalable" not in viewport and "maximum-scale" not in viewport


def test_english_from_accept_language_and_the_remembered_switch(env):
    from playwright.sync_api import expect

    api, axe = env["api"], env["axe"]
    session = api.create_session()
    page = env["context"](PHONE, locale="en-GB").new_page()
    page.goto(session["join_url"])
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Choose your perspective")
    expect(page.get_by_label("Council member", exact=True)).to_be_visible()
    join(page, session)
    expect(page.locator("[data-connection]")).to_have_text("Connected")
    expect(page.locator("[data-my-perspective]")).to_have_text("Council member")
    axe.check(page, "English phone")
    # switch to Dutch: the page, and the next page, are Dutch (a cookie remembers it)
    page.get_by_role("link", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("[data-connection]")).to_have_text("Verbonden")
    page.goto(env["base"] + "/toegankelijkheid")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_have_text("Toegankelijkheidsverklaring")
    axe.check(page, "accessibility statement")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Accessibility statement")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe.assert_clean()
