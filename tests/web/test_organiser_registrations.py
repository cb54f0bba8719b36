"""The organiser's registrations page (issue 15, item 3): upload the event's list as
event systems export it, see who matched a perspective and which rows did not, fix
those by hand or by editing the session's synonym table, copy personal links and
open the name cards with the page session. Plain forms, errors at the field in the
user's language, never a 500."""

from __future__ import annotations

import io
import re

from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from facilitator.domain.registrations import PENDING_KIND, SYNONYMS_KIND
from tests.conftest import ORGANISER

NL = {"Accept-Language": "nl"}
EN = {"Accept-Language": "en"}

#: as an event system exports it: a BOM, ";", an extra column, an empty row, an
#: unknown function, the same person twice (once with other capitals and spaces)
MESSY_CSV = (
    "\ufeffNaam;Organisatie;Functie;E-mail;Dieetwensen\r\n"
    "Anna de Vries;Gemeente Zwolle;Raadslid (fractievoorzitter);anna@zwolle.nl;vega\r\n"
    "Pieter Bakker;Gemeente Zwolle;Wethouder sociaal domein;p.bakker@zwolle.nl;\r\n"
    ";;;;\r\n"
    "Fatima El Amrani;Gemeente Deventer;projectleider sociaal domein;f.elamrani@deventer.nl;"
    "halal\r\n"
    "Joost  van Dijk;Gemeente Kampen;Beleidsmedewerker wonen;;\r\n"
    "anna de vries;gemeente zwolle;raadslid;;\r\n"
    "Henk Jansen;FNV;kaderlid vakbond;;\r\n"
    "Sanne Visser;Gemeente Hattem;coördinator wijkteams;;\r\n"
    "Ruud Mulder;Gemeente Zwolle;stagiair;;\r\n"
).encode("utf-8")


def logged_in(client):
    assert client.post("/organiser/login", data={"token": ORGANISER}).status_code == 302
    return client


def upload(client, code, data: bytes, filename: str = "aanmeldingen.csv", headers=NL):
    # encoded in memory: the test client would spool a large body to a temporary file
    # that nobody closes when the server refuses it unread (the 413)
    body, length, boundary = stream_encode_multipart(
        {"file": FileStorage(io.BytesIO(data), filename=filename)}, use_tempfile=False)
    return client.post(f"/organiser/{code}/registrations", headers=headers, input_stream=body,
                       content_length=length,
                       content_type=f"multipart/form-data; boundary={boundary}")


def pending_fields(page: str) -> dict[str, str]:
    """Each waiting row's select name -> the name shown in its row."""
    out = {}
    for row in re.findall(r"<tr class=\"utrecht-table__row\">(.*?)</tr>", page, re.S):
        select = re.search(r'<select[^>]*name="(perspective-[^"]+)"', row)
        if select:
            out[select.group(1)] = re.search(r'scope="row">([^<]*)<', row).group(1)
    return out


def test_the_session_page_links_to_registrations(client, make_session):
    s = make_session(title="Reflectiesessie Zwolle")
    page = logged_in(client).get(f"/organiser/{s.code}", headers=NL).get_data(as_text=True)
    assert f'href="/organiser/{s.code}/registrations"' in page
    assert "Aanmeldingen en naamkaartjes" in page


def test_the_page_needs_the_organiser(client, make_session):
    s = make_session()
    response = client.get(f"/organiser/{s.code}/registrations")
    assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]
    facilitator = client.application.test_client()
    facilitator.get(f"/f/{s.code}/{s.fac}")  # a facilitator's cookie is not an organiser's
    assert facilitator.get(f"/organiser/{s.code}/registrations").status_code == 302


def test_upload_a_messy_list_fix_a_row_and_get_links(client, make_session, ops):
    s = make_session(title="Reflectiesessie Zwolle")
    logged_in(client)
    empty = client.get(f"/organiser/{s.code}/registrations", headers=NL).get_data(as_text=True)
    assert "persoonsgegevens" in empty and "bewaartermijn" in empty  # says names are personal
    assert 'for="field-file"' in empty and "naam, organisatie of gemeente, functie" in empty

    response = upload(client, s.code, MESSY_CSV)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=NL).get_data(as_text=True)
    # five matched (Anna once, though listed twice; the empty row skipped), two waiting
    assert "Gekoppeld aan een perspectief: 5. Nog niet gekoppeld: 2." in page
    registered = {r["name"]: r for r in ops.store.records(s.code, "registration")}
    assert set(registered) == {"Anna de Vries", "Pieter Bakker", "Joost van Dijk",
                               "Henk Jansen", "Sanne Visser"}
    assert registered["Anna de Vries"]["perspective"] == "raadslid"
    assert registered["Henk Jansen"]["perspective"] == "vakbond"
    assert registered["Pieter Bakker"]["perspective"] == "bestuurder"
    assert registered["Joost van Dijk"]["perspective"] == "beleidsadviseur"
    assert registered["Sanne Visser"]["perspective"] == "manager"  # "coördinator" as coordinator
    assert "anna@zwolle.nl" not in str(registered) and "vega" not in str(registered)
    waiting = pending_fields(page)
    assert sorted(waiting.values()) == ["Fatima El Amrani", "Ruud Mulder"]
    # every registered person has a copy-able personal link, labelled with their name
    links = re.findall(r'<input[^>]*readonly value="([^"]+)"\s+aria-label="Persoonlijke '
                       r'deelnamelink voor ([^"]+)"', page)
    assert {name for _, name in links} == set(registered)
    assert all(f"/r/{s.code}/" in link for link, _ in links)

    # the organiser gives Fatima a perspective; Ruud is left at "choose" and keeps waiting
    fatima = next(k for k, v in waiting.items() if v == "Fatima El Amrani")
    ruud = next(k for k, v in waiting.items() if v == "Ruud Mulder")
    fixed = client.post(f"/organiser/{s.code}/registrations/fix", headers=NL,
                        data={fatima: "beleidsadviseur", ruud: ""})
    assert fixed.status_code == 302
    page = client.get(f"/organiser/{s.code}/registrations", headers=NL).get_data(as_text=True)
    assert "Rijen die een perspectief kregen: 1." in page
    assert list(pending_fields(page).values()) == ["Ruud Mulder"]
    fatima_doc = next(r for r in ops.store.records(s.code, "registration")
                      if r["name"] == "Fatima El Amrani")
    assert fatima_doc["perspective"] == "beleidsadviseur"
    # the fixed row keeps no name in the waiting list
    assert "Fatima" not in str(ops.store.records(s.code, PENDING_KIND))

    # her personal link joins her with that perspective, the same participant twice
    link = next(url for url, name in re.findall(
        r'readonly value="([^"]+)"\s+aria-label="Persoonlijke deelnamelink voor ([^"]+)"', page)
        if name == "Fatima El Amrani")
    phone = client.application.test_client()
    first = phone.get(link.removeprefix("http://localhost"))
    assert first.status_code in (302, 303)
    joined = [p for p in ops.store.records(s.code, "participant")
              if p.get("name") == "Fatima El Amrani"]
    assert len(joined) == 1 and joined[0]["perspective"] == "beleidsadviseur"
    phone.get(link.removeprefix("http://localhost"))
    assert len([p for p in ops.store.records(s.code, "participant")
                if p.get("name") == "Fatima El Amrani"]) == 1


def test_a_wrong_choice_shows_at_its_row(client, make_session):
    s = make_session()
    logged_in(client)
    upload(client, s.code, MESSY_CSV)
    page = client.get(f"/organiser/{s.code}/registrations", headers=EN).get_data(as_text=True)
    ruud = next(k for k, v in pending_fields(page).items() if v == "Ruud Mulder")
    bad = client.post(f"/organiser/{s.code}/registrations/fix", headers=EN,
                      data={ruud: "stagiairs", "perspective-pending-doesnotexist": "burger"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert f'id="error-{ruud}"' in text
    assert "Choose one of the perspectives of this session." in text
    assert "This row is no longer waiting for a perspective." in text  # in the summary
    assert '<option value="">' in text and 'aria-invalid="true"' in text
    assert "Ruud Mulder" in text  # still waiting


def test_editing_the_synonyms_changes_the_match(client, make_session, ops):
    s = make_session()
    logged_in(client)
    page = client.get(f"/organiser/{s.code}/registrations", headers=NL).get_data(as_text=True)
    # prefilled with the built-in table, one field per perspective, with its label
    manager = re.search(r'id="field-synonyms-manager" name="synonyms-manager"[^>]*>([^<]*)<',
                        page).group(1)
    assert "teamleider" in manager and "afdelingshoofd" in manager
    assert '<label class="utrecht-form-label" for="field-synonyms-manager">Manager</label>' in page

    upload(client, s.code, MESSY_CSV)
    assert len(ops.store.records(s.code, "registration")) == 5
    # "projectleider" goes with the managers, "stagiair" with the researchers; the
    # organiser strikes "coordinator" from the managers (Sanne stays, she is imported)
    saved = client.post(f"/organiser/{s.code}/registrations/synonyms", headers=NL, data={
        "synonyms-manager": manager.replace("coordinator, ", "") + ", Projectleider",
        "synonyms-onderzoeker": "onderzoeker, promovendus, stagiair,  stagiair ",
        "op": "rematch"})
    assert saved.status_code == 302
    page = client.get(f"/organiser/{s.code}/registrations", headers=NL).get_data(as_text=True)
    assert "Wachtende rijen die nu gekoppeld zijn: 2." in page
    assert pending_fields(page) == {}
    people = {r["name"]: r["perspective"] for r in ops.store.records(s.code, "registration")}
    assert people["Fatima El Amrani"] == "manager" and people["Ruud Mulder"] == "onderzoeker"
    assert re.search(r'name="synonyms-onderzoeker"[^>]*>onderzoeker, promovendus, stagiair<',
                     page)
    table = ops.store.records(s.code, SYNONYMS_KIND)[0]["table"]
    assert "coordinator" not in table["manager"] and "Projectleider" in table["manager"]

    # the next import uses the session's table: a coordinator no longer matches
    other = make_session()
    logged_in(client)
    client.post(f"/organiser/{other.code}/registrations/synonyms",
                data={"synonyms-manager": "teamleider"})
    upload(client, other.code, "Naam,Functie\nSanne Visser,coördinator wijkteams\n"
           "Bram Smit,Teamleider Burgerzaken\n".encode("cp1252"))
    names = [r["name"] for r in ops.store.records(other.code, "registration")]
    assert names == ["Bram Smit"]
    assert [r["name"] for r in ops.store.records(other.code, PENDING_KIND)] == ["Sanne Visser"]


def test_a_bad_synonym_shows_at_its_field(client, make_session, ops):
    s = make_session()
    logged_in(client)
    too_long = "beleidsmedewerker " * 6
    bad = client.post(f"/organiser/{s.code}/registrations/synonyms", headers=NL, data={
        "synonyms-beleidsadviseur": f"beleidsadviseur, {too_long}",
        "synonyms-burger": "inwoner, --", "op": "save"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'id="error-synonyms-beleidsadviseur"' in text and 'id="error-synonyms-burger"' in text
    assert "ten hoogste 80 tekens" in text
    assert too_long.strip() in text  # what was typed stays in the field
    assert ops.store.records(s.code, SYNONYMS_KIND) == []  # nothing saved


def test_bad_files_are_refused_at_the_field(client, make_session):
    s = make_session()
    logged_in(client)
    cases = [
        (b"%PDF-1.7 registraties", "aanmeldingen.pdf", "Kies een CSV-bestand of een Excel-werkmap"),
        (b"", "aanmeldingen.csv", "De lijst is leeg."),
        (b"\r\n\r\n", "leeg.csv", "De lijst is leeg."),
        (b"E-mail;Functie\nx@y.nl;raadslid\n", "zonder-naam.csv", "naam"),
        (b"PK\x03\x04 not really a workbook", "kapot.xlsx", None),
    ]
    for data, name, message in cases:
        response = upload(client, s.code, data, name)
        assert 400 <= response.status_code < 500, (name, response.status_code)
        text = response.get_data(as_text=True)
        assert 'id="error-file"' in text and 'aria-describedby="hint-file error-file"' in text, name
        if message:
            assert message in text, (name, text[text.index('id="error-file"'):][:200])
    no_file = client.post(f"/organiser/{s.code}/registrations", headers=EN, data={},
                          content_type="multipart/form-data")
    assert no_file.status_code == 422
    assert "Choose a file with the registration list." in no_file.get_data(as_text=True)


def test_a_too_large_file_is_a_413_at_the_field(client, make_session):
    s = make_session()
    logged_in(client)
    big = b"Naam;Functie\n" + b"Anna de Vries;raadslid\n" * 120_000  # about 2.8 MB
    response = upload(client, s.code, big, headers=EN)
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert 'id="error-file"' in text and "The file is too large." in text
    # a visitor without the organiser login learns nothing about the session
    stranger = client.application.test_client()
    response = upload(stranger, s.code, big)
    assert response.status_code in (302, 413)  # to the login, or refused before it
    assert "error-file" not in response.get_data(as_text=True)


def test_the_name_cards_open_with_the_page_session(client, make_session, api):
    s = make_session(title="Reflectiesessie Zwolle")
    logged_in(client)
    upload(client, s.code, MESSY_CSV)
    page = client.get(f"/organiser/{s.code}/registrations", headers=NL).get_data(as_text=True)
    html_link = re.search(r'href="([^"]*/registrations/cards\?format=html)"', page).group(1)
    pdf_link = re.search(r'href="([^"]*/registrations/cards\?format=pdf)"', page).group(1)
    cards = client.get(html_link, headers=NL)
    assert cards.status_code == 200 and "Pieter Bakker" in cards.get_data(as_text=True)
    pdf = client.get(pdf_link)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # no login, no cards; a bearer token still decides when one is given
    stranger = client.application.test_client()
    assert stranger.get(html_link).status_code == 401
    assert client.get(html_link, headers={"Authorization": f"Bearer {s.fac}"}).status_code == 403
    assert api.get(html_link.removeprefix("/api"), ORGANISER).status_code == 200
    # a logged-out organiser's cookie no longer opens them
    client.post("/organiser/logout")
    assert client.get(html_link).status_code == 401


def test_an_excel_list_and_rows_from_the_api_wait_on_the_page(client, make_session, api):
    from openpyxl import Workbook

    s = make_session()
    logged_in(client)
    book = Workbook()
    sheet = book.active
    sheet.append(["Volledige naam", "Gemeente", "Functietitel", "Telefoon"])
    sheet.append(["Lotte Hendriks", "Gemeente Olst-Wijhe", "HR-adviseur", "06-12345678"])
    sheet.append([None, None, None, None])
    sheet.append(["Bas de Boer", "Dorpsraad Wijhe", "voorzitter", None])
    data = io.BytesIO()
    book.save(data)
    response = upload(client, s.code, data.getvalue(), "aanmeldingen.xlsx")
    assert response.status_code == 302
    page = client.get(f"/organiser/{s.code}/registrations", headers=NL).get_data(as_text=True)
    assert "Gekoppeld aan een perspectief: 1. Nog niet gekoppeld: 1." in page
    assert "HR- of organisatieadviseur" in page and "06-12345678" not in page
    assert list(pending_fields(page).values()) == ["Bas de Boer"]
    # a row the API could not match waits here too
    answer = api.post(f"/sessions/{s.code}/registrations", ORGANISER,
                      {"rows": [{"naam": "Kees Smit", "functie": "vrijwilliger"}]})
    assert answer.json["matched"] == 0
    page = client.get(f"/organiser/{s.code}/registrations", headers=NL).get_data(as_text=True)
    assert sorted(pending_fields(page).values()) == ["Bas de Boer", "Kees Smit"]


def test_the_api_upload_uses_the_sessions_own_synonyms(client, api, make_session, ops):
    """A list sent to the API is matched with the table the organiser saved on the page,
    like the page's own upload (it used only the built-in table)."""
    s = make_session()
    logged_in(client)
    client.post(f"/organiser/{s.code}/registrations/synonyms",
                data={"synonyms-manager": "teamleider, kwartiermaker"})
    answer = api.call("POST", f"/sessions/{s.code}/registrations", ORGANISER, data={
        "file": (io.BytesIO("Naam;Functie\nJoost Kok;kwartiermaker omgevingswet\n"
                            "Sanne Visser;coördinator wijkteams\n".encode()), "lijst.csv")},
        content_type="multipart/form-data")
    assert answer.status_code == 200, answer.json
    assert [p["name"] for p in answer.json["participants"]] == ["Joost Kok"]
    assert [r["name"] for r in answer.json["unmatched"]] == ["Sanne Visser"]
    assert [r["name"] for r in ops.store.records(s.code, PENDING_KIND)] == ["Sanne Visser"]
