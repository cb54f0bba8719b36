"""Translations: the Dutch catalog is complete and matches the code, every page
says its language in <html lang>, the language switch is remembered, and errors
come in the user's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from facilitator.web.pages import client_strings

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "facilitator" / "translations"
NL_PO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def read_catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def nl():
    return read_catalog(NL_PO)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages in the code now, extracted exactly as the README says."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_", "-k", "_",
        "-o", str(pot), "--no-location", "--sort-output", "--project", "facilitator",
        "--ignore-dirs", "node_modules .venv tests bench .git", str(ROOT)])
    return read_catalog(pot)


def test_every_dutch_entry_is_translated_and_not_fuzzy(nl):
    untranslated, fuzzy = [], []
    for message in nl:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s and s.strip() for s in strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"untranslated Dutch entries: {untranslated}"
    assert not fuzzy, f"fuzzy Dutch entries: {fuzzy}"
    assert not nl.fuzzy, "the Dutch catalog header is marked fuzzy"


def test_translations_keep_their_placeholders(nl):
    for message in nl:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for translated in strings:
            assert set(PLACEHOLDER.findall(translated)) == wanted, (message.id, translated)


def test_every_message_in_the_code_is_in_the_dutch_catalog(nl, extracted):
    catalog_ids = {m.id for m in nl if m.id}
    missing = sorted(str(m.id) for m in extracted if m.id and m.id not in catalog_ids)
    assert not missing, (
        "messages in the code but not in the Dutch catalog (run pybabel extract and "
        f"pybabel update, then translate): {missing}")
    assert len(catalog_ids) > 200


def test_the_compiled_catalog_is_used(client):
    page = client.get("/join", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Deelnemen aan een sessie" in page
    assert "Join a session" not in page


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "no <html lang>"
    return match.group(1)


@pytest.mark.parametrize(("header", "expected"), [
    ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
    ("en-GB,en;q=0.9", "en"),
    ("de-DE,fr;q=0.8", "nl"),  # Dutch by default
    ("fr;q=0.9, en;q=0.5", "en"),
    ("", "nl"),
])
def test_html_lang_follows_accept_language(app, header, expected):
    client = app.test_client()
    for path in ("/join", "/toegankelijkheid", "/organiser/login"):
        response = client.get(path, headers={"Accept-Language": header} if header else {})
        assert response.status_code == 200
        assert html_lang(response) == expected, (path, header)


def test_the_language_switch_is_remembered(app):
    client = app.test_client()
    response = client.get("/join?lang=en", headers={"Accept-Language": "nl"})
    assert html_lang(response) == "en"
    assert "Join a session" in response.get_data(as_text=True)
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "en"
    # later pages, without the switch, stay English although the browser prefers Dutch
    later = client.get("/toegankelijkheid", headers={"Accept-Language": "nl"})
    assert html_lang(later) == "en"
    assert "Accessibility statement" in later.get_data(as_text=True)
    back = client.get("/toegankelijkheid?lang=nl")
    assert html_lang(back) == "nl" and "Toegankelijkheidsverklaring" in back.get_data(as_text=True)
    assert html_lang(client.get("/join", headers={"Accept-Language": "en"})) == "nl"
    # an unknown language in the switch is ignored
    assert html_lang(app.test_client().get("/join?lang=xx")) == "nl"


def test_the_switch_marks_the_other_language(client):
    page = client.get("/join").get_data(as_text=True)
    assert '<span aria-current="true" lang="nl">Nederlands</span>' in page
    assert 'href="?lang=en" lang="en" hreflang="en">English</a>' in page


def test_api_errors_in_dutch_and_english(api, make_session):
    s = make_session()
    dutch = api.post(f"/sessions/{s.code}/participants", json={"perspective": "astronaut"},
                     headers={"Accept-Language": "nl"})
    assert dutch.status_code == 422
    assert dutch.json["error"]["message"] == "Onbekend perspectief: astronaut."
    english = api.post(f"/sessions/{s.code}/participants", json={"perspective": "astronaut"},
                       headers={"Accept-Language": "en"})
    assert english.json["error"]["message"] == "Unknown perspective: astronaut."
    missing = api.get("/sessions/QQQQQQ", headers={"Accept-Language": "nl-NL"})
    assert missing.json["error"]["message"] == "Er is geen sessie met deze code."


def test_form_errors_in_dutch(client, make_session):
    s = make_session()
    response = client.post(f"/j/{s.code}", data={"perspective": ""},
                           headers={"Accept-Language": "nl"})
    assert response.status_code == 422
    assert "Kies het perspectief van waaruit u reageert." in response.get_data(as_text=True)
    response = client.post("/join", data={"code": "ZZZZZZ"}, headers={"Accept-Language": "nl"})
    assert "Er is geen sessie met deze code." in response.get_data(as_text=True)


def test_javascript_strings_come_translated(app):
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        dutch = client_strings()
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = client_strings()
    assert dutch.keys() == english.keys()
    assert dutch["agree"] == "Herkenbaar" and english["agree"] == "Recognisable"
    assert dutch["disagree"] == "Niet herkenbaar"
    assert dutch["pass"] == "Geen mening"
    assert dutch["share"] == "Meenemen naar de dialoog"
    assert dutch["participants_one"] == "%(n)s deelnemer"
    assert dutch["participants_other"] == "%(n)s deelnemers"
    assert not {k for k in dutch if dutch[k] == english[k]}, "a string the JS gets is untranslated"


def test_javascript_has_no_hard_coded_sentences():
    """User-facing text in static/js comes from the page's translated strings (T.*)."""
    sentence = re.compile(r"""(["'`])([A-Z][a-z]+(?: [a-zA-Z]+){1,}[.!?]?)\1""")
    found = []
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("//"):
                continue
            for match in sentence.finditer(line):
                found.append(f"{path.name}:{number}: {match.group(2)}")
    assert not found, "hard-coded text in JavaScript: " + "; ".join(found)


@pytest.mark.parametrize("path", ["/join", "/toegankelijkheid", "/organiser/login"])
def test_dutch_pages_show_no_english_message_ids(client, nl, path):
    page = client.get(path, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    leaked = [m.id for m in nl if isinstance(m.id, str) and len(m.id) > 12
              and m.string != m.id and f">{m.id}<" in page]
    assert not leaked, leaked
