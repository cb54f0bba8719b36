"""The dialogue between perspectives in real browsers (issue 17, items 2 and 3): six phones
of three perspectives ask questions in their circle and support them, answer in the
exchange what was put to their perspective and support the answers they got; the console
puts a question with its answers on the screen, seats everyone at mixed tables, and shares
a table's harvest to the screen. axe checks every new state."""

from __future__ import annotations

import re

import pytest

from .conftest import ORGANISER
from .helpers import DESKTOP, PHONE, PROJECTOR, Api, Axe, shot

pytestmark = pytest.mark.browser

QUESTION = "Merken jullie als OR eigenlijk iets van wat de raad besluit over de reorganisatie?"
TO_ALL = "wat zou voor jullie het belangrijkste zijn om vandaag mee te nemen?"
ANSWER = "eerlijk gezegd pas als t in de krant staat, dan hoor je t pas"
ANSWER_ALL = "dat de werkvloer eerder gehoord word, niet pas achteraf"
HARVEST = "Opvallend: iedereen had t over vertrouwen, ook de raad zelf"


def test_six_phones_ask_answer_sit_at_tables_and_harvest(server, page_for, screenshots):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    api, axe = Api(server, ORGANISER), Axe(server)
    session = api.create_session()
    code = session["code"]
    people = {name: api.join(code, perspective) for name, perspective in (
        ("raad1", "raadslid"), ("raad2", "raadslid"), ("or1", "or-lid"), ("or2", "or-lid"),
        ("bond1", "vakbond"), ("bond2", "vakbond"))}
    api.goto(session, "circle")
    console = page_for(DESKTOP)
    console.goto(session["facilitator_url"])
    screen = page_for(PROJECTOR)
    screen.goto(session["screen_url"])
    phones = {}
    for name, person in people.items():
        page = page_for(PHONE, {"name": f"fac_p_{code}", "value": person["participant_token"]})
        page.goto(f"{server}/p/{code}")
        phones[name] = page
    for page in phones.values():
        expect(page.locator("[data-connection]")).to_have_text("Verbonden")

    # the circle step: a raadslid asks the OR a question, a circle-mate supports it
    asking = phones["raad1"].locator('[data-section="questions"]')
    asking.get_by_label("Aan wie stelt u de vraag?").select_option(label="OR- of GO-lid")
    asking.get_by_role("button", name="Vraag stellen").tap()  # empty: an error, focus stays
    expect(asking.locator("[data-question-error]")).to_have_text(
        "Schrijf uw vraag voordat u die verstuurt.")
    expect(asking.get_by_label("Uw vraag")).to_be_focused()
    asking.get_by_label("Uw vraag").fill(QUESTION)
    asking.get_by_role("button", name="Vraag stellen").tap()
    expect(asking.get_by_label("Uw vraag")).to_be_focused()
    expect(asking.locator("[data-my-questions]")).to_contain_text(QUESTION)
    expect(asking.locator(".pending")).to_have_count(0)
    mates = phones["raad2"].locator('[data-section="questions"]')
    expect(mates.locator("[data-my-questions]")).to_contain_text(QUESTION)
    mates.get_by_role("button", name=re.compile(r"^Steunen \(\+1\)")).tap()
    expect(asking.locator("[data-my-questions]")).to_contain_text("Steun: 1")
    # the OR asks every perspective
    or_asks = phones["or1"].locator('[data-section="questions"]')
    or_asks.get_by_label("Aan wie stelt u de vraag?").select_option("all")
    or_asks.get_by_label("Uw vraag").fill(TO_ALL)
    or_asks.get_by_role("button", name="Vraag stellen").tap()
    expect(or_asks.locator("[data-my-questions]")).to_contain_text(TO_ALL)
    # a third circle sees neither question in the circle step
    expect(phones["bond1"].locator("body")).not_to_contain_text(QUESTION)
    axe.check(phones["raad1"], "dialogue: phone asks in the circle")
    shot(phones["raad1"], screenshots, "17-questions-phone-circle")

    # the exchange: the OR answers the raad, the vakbond answers the OR's question to all
    api.goto(session, "exchange")
    to_or = phones["or2"].locator("[data-questions-to-me]")
    expect(to_or).to_contain_text(QUESTION)
    expect(to_or).to_contain_text("Vraag van Raadslid aan OR- of GO-lid")
    to_or.get_by_label("Uw antwoord").fill(ANSWER)
    to_or.get_by_role("button", name=re.compile("^Antwoord versturen")).tap()
    expect(to_or.locator(".answers")).to_contain_text(ANSWER)
    to_all = phones["bond1"].locator("[data-questions-to-me]")
    expect(to_all).to_contain_text(TO_ALL)
    expect(to_all).not_to_contain_text(QUESTION)  # put to the OR, not to the vakbond
    to_all.get_by_label("Uw antwoord").fill(ANSWER_ALL)
    to_all.get_by_role("button", name=re.compile("^Antwoord versturen")).tap()
    expect(phones["or1"].locator("[data-my-questions]")).to_contain_text(ANSWER_ALL)
    axe.check(phones["or2"], "dialogue: phone answers in the exchange")
    shot(phones["or2"], screenshots, "17-questions-phone-answer")
    # the asking circle reads the answer and supports it
    mine = phones["raad1"].locator("[data-my-questions]")
    expect(mine.locator(".answers")).to_contain_text(ANSWER)
    mine.locator(".answers").get_by_role("button", name=re.compile(r"^Steunen \(\+1\)")).tap()
    expect(mine.locator(".answers")).to_contain_text("Steun: 1")
    axe.check(phones["raad1"], "dialogue: the asking circle reads and supports answers")

    # the console: questions by asking circle; one with its answers on the screen
    panel = console.locator("[data-dialogue-panel]")
    questions = panel.locator("[data-console-questions]")
    expect(questions.locator("section")).to_have_count(2)
    expect(questions).to_contain_text(ANSWER)
    card = questions.locator(".card", has_text=QUESTION)
    expect(card).to_contain_text("Steun: 1")
    card.get_by_role("button", name=re.compile("^Op het scherm tonen")).click()
    spot = screen.locator("[data-question]")
    expect(spot).to_be_visible()
    expect(screen.locator("[data-question-title]")).to_have_text(
        "Vraag van Raadslid aan OR- of GO-lid")
    expect(screen.locator("[data-question-text]")).to_have_text(QUESTION)
    expect(screen.locator("[data-question-answers]")).to_contain_text(ANSWER)
    # a later answer reaches the screen while the question is on it
    phones["or1"].locator("[data-questions-to-me]").get_by_label("Uw antwoord").fill(
        "via de nieuwsbrief soms, maar dat is vaak te laat")
    phones["or1"].locator("[data-questions-to-me]").get_by_role(
        "button", name=re.compile("^Antwoord versturen")).tap()
    expect(screen.locator("[data-question-answers] li")).to_have_count(2)
    axe.check(console, "dialogue: console with questions")
    axe.check(screen, "dialogue: question on the screen")
    shot(screen, screenshots, "17-question-screen", full_page=False)

    # mixed tables from the console: two tables of three, one of each perspective
    tables = panel.locator("[data-tables-form]")
    tables.get_by_label("Personen per tafel").fill("3")
    tables.get_by_label("Startgetal (niet verplicht)").fill("7")
    tables.get_by_role("button", name="Tafels indelen").click()
    expect(panel.locator("[data-console-tables] .card")).to_have_count(2)
    expect(panel.locator("[data-console-tables]")).to_contain_text(
        "Tafel 1 · 3 deelnemers: OR- of GO-lid, Raadslid, Vakbond")
    expect(screen.locator("[data-table-list] li")).to_have_count(2)
    numbers = {}
    for name, page in phones.items():
        expect(page.locator("[data-table]")).to_have_text(re.compile(r"^Uw tafel: [12]$"))
        numbers[name] = page.locator("[data-table]").inner_text()
    assert sorted(numbers.values()) == ["Uw tafel: 1"] * 3 + ["Uw tafel: 2"] * 3

    # a harvest from raad1's table: its table-mates see it, the other table does not
    harvest = phones["raad1"].locator('[data-section="harvest"]')
    harvest.get_by_label("Wat viel uw tafel op in het gesprek?").fill(HARVEST)
    harvest.get_by_role("button", name="Versturen voor onze tafel").tap()
    expect(harvest.get_by_label("Wat viel uw tafel op in het gesprek?")).to_be_focused()
    expect(harvest.locator("[data-harvests]")).to_contain_text(HARVEST)
    mate = next(n for n in phones if n != "raad1" and numbers[n] == numbers["raad1"])
    other = next(n for n in phones if numbers[n] != numbers["raad1"])
    expect(phones[mate].locator("[data-harvests]")).to_contain_text(HARVEST)
    expect(phones[other].locator("body")).not_to_contain_text(HARVEST)
    expect(screen.locator("[data-harvests]")).to_be_hidden()
    axe.check(phones["raad1"], "dialogue: phone at a table with its harvest")
    shot(phones["raad1"], screenshots, "17-harvest-phone")
    harvests = panel.locator("[data-console-harvests]")
    expect(harvests).to_contain_text(HARVEST)
    harvests.get_by_role("button", name=re.compile("^Op het scherm tonen")).click()
    expect(screen.locator("[data-harvest-list]")).to_contain_text(HARVEST)
    expect(phones["raad1"].locator("[data-harvests]")).to_contain_text("Op het scherm")
    share = harvests.get_by_role("button", name=re.compile("^Op het scherm tonen"))
    expect(share).to_have_attribute("aria-pressed", "true")
    axe.check(console, "dialogue: console with tables and harvests")
    axe.check(screen, "dialogue: screen with tables and a harvest")
    shot(console, screenshots, "17-dialogue-console")
    shot(screen, screenshots, "17-dialogue-screen", full_page=False)
    axe.assert_clean()
