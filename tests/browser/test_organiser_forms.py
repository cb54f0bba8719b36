"""The organiser edits a programme in forms, not YAML (issue 15, item 2), in a real
browser: add a step, move it up, change a time, give it a Dutch and an English title,
save, see it in the session; a bad time shows its error at the field; axe on each
state. Every button posts the form, so this is the same path as without JavaScript."""

from __future__ import annotations

import re

import pytest

from .conftest import ORGANISER
from .helpers import DESKTOP, Api, Axe, shot

pytestmark = pytest.mark.browser


def test_edit_a_programme_without_touching_yaml(server, page_for, screenshots):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    api = Api(server, ORGANISER)
    session = api.create_session(title="Reflectiesessie Kampen")
    code = session["code"]
    axe = Axe(server)
    page = page_for(DESKTOP)
    page.set_default_timeout(10_000)

    page.goto(f"{server}/organiser/{code}")
    page.get_by_label("Organisatorsleutel").fill(ORGANISER)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("h1")).to_have_text("Reflectiesessie Kampen")
    axe.check(page, "organiser forms")

    # add a step: it comes last, its first field has the focus
    page.get_by_role("button", name="Stap toevoegen").click()
    added = page.get_by_role("group", name=re.compile(r"^Stap 7$"))
    expect(added.get_by_label("Titel in het Nederlands")).to_be_focused()
    expect(page.get_by_role("group", name=re.compile(r"^Stap 6: Afsluiting"))).to_be_visible()

    # move it up, before the closing; the button keeps the focus
    added.get_by_role("button", name=re.compile("^Omhoog")).click()
    moved = page.get_by_role("group", name=re.compile(r"^Stap 6$"))
    expect(moved.get_by_role("button", name=re.compile("^Omhoog"))).to_be_focused()
    expect(page.get_by_role("group", name=re.compile(r"^Stap 7: Afsluiting"))).to_be_visible()

    moved.get_by_label("Titel in het Nederlands").fill("Pauze met koffie en thee")
    moved.get_by_label("Titel in het Engels").fill("Coffee and tea break")
    moved.get_by_label("Soort stap").select_option("exchange")
    moved.get_by_label("Begintijd").fill("16.4O")  # a full stop and a letter O
    moved.get_by_label("Eindtijd").fill("16:45")
    conclusions = page.get_by_role("group", name=re.compile(r"^Stap 5: Algemene conclusies"))
    conclusions.get_by_label("Eindtijd").fill("16:40")
    page.get_by_role("button", name="Opslaan", exact=True).click()

    # the server's error, at its field, in Dutch; what was typed is still there
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Gebruik een tijd zoals 13:30.")
    start = page.get_by_role("group", name=re.compile(r"^Stap 6: Pauze")).get_by_label(
        "Begintijd")
    expect(start).to_have_attribute("aria-invalid", "true")
    expect(start).to_have_attribute("aria-describedby", "error-programme-5-start")
    expect(page.locator("#error-programme-5-start")).to_have_text("Gebruik een tijd zoals 13:30.")
    expect(start).to_have_value("16.4O")
    expect(page).to_have_title(re.compile("^Fout: "))
    axe.check(page, "organiser forms with a field error")
    shot(page, screenshots, "83-organiser-forms-error")
    summary.get_by_role("link").click()
    expect(start).to_be_focused()
    start.fill("16:40")
    start.press("Enter")  # Enter saves (the form's first button), it moves no step

    expect(page.get_by_role("status")).to_contain_text("De wijzigingen zijn opgeslagen.")
    saved = page.get_by_role("group", name=re.compile(r"^Stap 6: Pauze met koffie en thee"))
    expect(saved.get_by_label("Begintijd")).to_have_value("16:40")
    expect(saved.get_by_label("Titel in het Engels")).to_have_value("Coffee and tea break")
    axe.check(page, "organiser forms saved")

    # the session itself has the step, where it was put, with its times
    status, public = api.call("GET", f"/sessions/{code}")
    assert status == 200
    steps = [(s["title"], s["kind"], s["planned_start"], s["planned_end"])
             for s in public["steps"]]
    assert steps[4][3] == "16:40"
    assert steps[5:] == [("Pauze met koffie en thee", "exchange", "16:40", "16:45"),
                         ("Afsluiting", "closing", "16:45", "17:00")]
    # and in English, the English title
    page.goto(f"{server}/organiser/{code}?lang=en")
    expect(page.get_by_role("group", name=re.compile(r"^Step 6: Pauze"))
           .get_by_label("Title in English")).to_have_value("Coffee and tea break")
    axe.check(page, "organiser forms in English")

    # a series template has the same forms
    status, series = api.call("POST", "/series", ORGANISER, {"title": "DVG Reflectiesessies 2027"})
    assert status == 201, series
    page.goto(f"{server}/organiser/series/{series['id']}?lang=nl")
    expect(page.locator("h1")).to_have_text("DVG Reflectiesessies 2027")
    page.get_by_role("button", name="Bevinding toevoegen").click()
    finding = page.get_by_role("group", name=re.compile(r"^Bevinding 1$"))
    expect(finding.get_by_label("Titel")).to_be_focused()
    finding.get_by_label("Titel").fill("Verandering komt vaak van bovenaf")
    page.get_by_role("button", name="Sjabloon opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Het sjabloon is opgeslagen.")
    axe.check(page, "series page")
    shot(page, screenshots, "84-organiser-series")
    axe.assert_clean()


def test_the_forms_save_without_javascript(server, page_for):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    api = Api(server, ORGANISER)
    code = api.create_session(title="Sessie zonder script")["code"]
    page = page_for({**DESKTOP, "java_script_enabled": False})
    page.goto(f"{server}/organiser/{code}")
    page.get_by_label("Organisatorsleutel").fill(ORGANISER)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="Stap toevoegen").click()
    added = page.get_by_role("group", name=re.compile(r"^Stap 7$"))
    added.get_by_label("Titel in het Nederlands").fill("Napraten bij de borrel")
    added.get_by_label("Begintijd").fill("17:00")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("De wijzigingen zijn opgeslagen.")
    _, public = api.call("GET", f"/sessions/{code}")
    assert (public["steps"][-1]["title"], public["steps"][-1]["planned_start"]) == \
        ("Napraten bij de borrel", "17:00")
