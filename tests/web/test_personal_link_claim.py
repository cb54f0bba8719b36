"""A name card's personal link joins once and binds to the browser that used it: another
browser opening the same link gets a participant of its own (the card's perspective, no
name) and never sees or changes the first one's name, ratings or reasons; the organiser can
release a card so that a new phone claims the same participant. On SQLite and on Redis."""

from __future__ import annotations

import re

import pytest

from facilitator import create_app
from facilitator.domain.registrations import KIND
from tests.conftest import ORGANISER, UNLIMITED


@pytest.fixture(params=["sqlite", "redis"])
def app(request, tmp_path):
    """The app on each store (overrides the suite's one app for this module)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cards.db'}"
    else:
        url = request.getfixturevalue("clean_redis_url")
    application = create_app({"STORE": url, "TESTING": True, "ASYNC_MODE": "threading",
                              "ORGANISER_TOKEN": ORGANISER, "SECRET_KEY": "cards-secret",
                              "RATE_LIMITS": UNLIMITED, "CSRF_IN_TESTS": True})
    yield application
    application.extensions["facilitator.store"].close()


NAME = "Annemarie de Vries-Oosterhuis"
REASON = "bij ons in de raad herken ik dit totaal niet"


def _card(api, make_session):
    s = make_session(findings=[{"title": "Werkdruk", "text": "De werkdruk is hoog."}])
    r = api.post(f"/sessions/{s.code}/registrations", ORGANISER, {"rows": [
        {"naam": NAME, "organisatie": "Gemeente Zwolle", "functie": "raadslid"}]})
    assert r.status_code == 200, r.json
    link = r.json["participants"][0]["join_url"].removeprefix("http://localhost")
    s.goto("circle")  # the first round of rating is open
    finding = api.get(f"/sessions/{s.code}/snapshot", s.fac).json["workshop"]["findings"][0]
    return s, link, finding["id"]


def _open(browser, s, link) -> str:
    """Open the card's link in ``browser``; the participant token its cookie now holds."""
    response = browser.get(link)
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"].endswith(f"/p/{s.code}")
    cookie = browser.get_cookie(f"fac_p_{s.code}")
    assert cookie is not None
    return cookie.value


def _rate(api, s, token, finding, score, text=None):
    r = api.post(f"/sessions/{s.code}/findings/{finding}/ratings", token,
                 {"round": "before", "score": score, "text": text})
    assert r.status_code in (200, 201), r.json


def test_a_second_browser_on_the_same_card_gets_its_own_nameless_participant(
        app, api, make_session):
    s, link, finding = _card(api, make_session)
    first = app.test_client()
    mine = _open(first, s, link)
    _rate(api, s, mine, finding, 2, REASON)
    me = api.get(f"/sessions/{s.code}/snapshot", mine).json["me"]
    assert me["name"] == NAME and me["perspective"] == "raadslid"
    store = app.extensions["facilitator.store"]
    registration = store.records(s.code, KIND)[0]
    assert registration["participant"] == me["id"] and registration["claimed"] is True

    second = app.test_client()  # another phone, no cookies: someone who photographed the QR
    theirs = _open(second, s, link)
    assert theirs != mine
    snapshot = api.get(f"/sessions/{s.code}/snapshot", theirs).json
    assert snapshot["me"]["id"] != me["id"] and snapshot["me"]["name"] == ""
    assert snapshot["me"]["perspective"] == "raadslid"  # the card's perspective
    assert snapshot["my_ratings"] == {}
    page = second.get(f"/p/{s.code}").get_data(as_text=True)
    for seen in (str(snapshot), page):
        assert NAME not in seen and REASON not in seen
    _rate(api, s, theirs, finding, 5, "wel herkenbaar")
    # the first one's rating and reason stand; the card still belongs to them
    assert api.get(f"/sessions/{s.code}/snapshot", mine).json["my_ratings"] == {
        finding: {"before": {"score": 2, "text": REASON}}}
    assert store.records(s.code, KIND)[0]["participant"] == me["id"]
    # opening the link again in the second browser makes nobody new
    people = store.count(s.code, "participant")
    assert _open(second, s, link) == theirs and store.count(s.code, "participant") == people

    # the first browser still works after a reload, and the link brings it back to itself
    assert first.get(f"/p/{s.code}").status_code == 200
    assert _open(first, s, link) == mine
    assert store.count(s.code, "participant") == people
    # nobody but the facilitator's console learns that the name belongs to a second phone
    assert NAME not in str(api.get(f"/sessions/{s.code}/snapshot", s.screen).json)


def test_a_phone_already_in_the_session_keeps_its_own_participant(app, api, make_session):
    s, link, _finding = _card(api, make_session)
    assert _open(app.test_client(), s, link)
    walked_in = s.join("vakbond")
    browser = app.test_client()
    browser.set_cookie(f"fac_p_{s.code}", walked_in["participant_token"])
    assert _open(browser, s, link) == walked_in["participant_token"]


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _logged_in(app):
    client = app.test_client()
    token = _csrf(client.get("/organiser/login").get_data(as_text=True))
    assert client.post("/organiser/login", data={"token": ORGANISER,
                                                 "csrf_token": token}).status_code == 302
    return client


def test_the_organiser_releases_a_card_for_a_new_phone(app, api, make_session):
    s, link, finding = _card(api, make_session)
    old_phone = app.test_client()
    mine = _open(old_phone, s, link)
    _rate(api, s, mine, finding, 2, REASON)
    me = api.get(f"/sessions/{s.code}/snapshot", mine).json["me"]
    store = app.extensions["facilitator.store"]
    registration = store.records(s.code, KIND)[0]

    organiser = _logged_in(app)
    page = organiser.get(f"/organiser/{s.code}/registrations",
                         headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Vrijgeven" in page
    csrf = _csrf(page)
    # without the form's CSRF token, or as someone else, nothing is released
    assert organiser.post(f"/organiser/{s.code}/registrations/release",
                          data={"registration": registration["id"]}).status_code == 400
    stranger = app.test_client()  # with a valid CSRF token of its own, not signed in
    own = _csrf(stranger.get("/organiser/login").get_data(as_text=True))
    refused = stranger.post(f"/organiser/{s.code}/registrations/release",
                            data={"registration": registration["id"], "csrf_token": own})
    assert refused.status_code in (302, 401, 403)
    assert "/organiser/login" in refused.headers.get("Location", "/organiser/login")
    assert store.records(s.code, KIND)[0]["claimed"] is True
    bad = organiser.post(f"/organiser/{s.code}/registrations/release",
                         data={"registration": "reg-bestaat-niet", "csrf_token": csrf},
                         headers={"Accept-Language": "nl"})
    assert bad.status_code == 404
    released = organiser.post(f"/organiser/{s.code}/registrations/release",
                              data={"registration": registration["id"], "csrf_token": csrf})
    assert released.status_code == 302
    assert store.records(s.code, KIND)[0]["claimed"] is False

    new_phone = app.test_client()
    again = _open(new_phone, s, link)
    assert again == mine  # the same participant, with their ratings
    assert api.get(f"/sessions/{s.code}/snapshot", again).json["my_ratings"][finding][
        "before"]["text"] == REASON
    assert store.records(s.code, KIND)[0]["claimed"] is True
    # claimed again: a third browser gets a nameless participant of its own
    third = _open(app.test_client(), s, link)
    assert third != mine
    assert api.get(f"/sessions/{s.code}/snapshot", third).json["me"]["id"] != me["id"]
