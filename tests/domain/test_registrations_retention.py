"""Names from a registration list are personal data: retention (``purge_ended``) and
deleting a session take the registrations and their personal links with them, on
SQLite and on Redis, and no export of the session holds them."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from facilitator.domain.errors import NotFound
from facilitator.domain.export import render
from facilitator.domain.operations import Actor, new_token
from facilitator.domain.registrations import KIND, RegistrationService, parse
from facilitator.domain.rules import Role

from .test_retention import at, clock, ops, store, store_url  # noqa: F401 (fixtures)

LIST = [["Naam", "Organisatie", "Functie"],
        ["Anna de Vries", "Gemeente Zwolle", "raadslid"],
        ["Pieter Bakker", "Gemeente Zwolle", "wethouder"],
        ["Fatima El Amrani", "Gemeente Deventer", "beleidsmedewerker sociaal domein"]]


def imported(ops, code):  # noqa: F811 (the fixture's name)
    service = RegistrationService(ops, new_token)
    ids = [p.id for p in ops.workshop(code).perspectives]
    result = service.import_rows(Role.ORGANISER, code, parse(LIST, ids))
    assert result["matched"] == 3
    return service, result["registrations"]


def test_retention_deletes_registrations_and_their_links(ops, clock):  # noqa: F811
    code = ops.create_workshop({"title": "Oud", "date": "2026-03-20"}).code
    service, people = imported(ops, code)
    anna = next(p for p in people if p["name"] == "Anna de Vries")
    participant, _ = service.join(code, anna["token"])  # Anna came: her name is stored twice
    assert participant.name == "Anna de Vries"
    assert ops.purge_ended(30, now=at("2026-04-20T00:00:00")) == []  # the day is 30 days ago
    assert ops.purge_ended(30, now=at("2026-04-21T01:00:00")) == [code]
    assert ops.store.records(code, KIND) == []
    assert ops.store.records(code, "participant") == []
    assert ops.store.find(code, KIND, f"token:{anna['token']}") is None
    with pytest.raises(NotFound):
        service.join(code, anna["token"])


def test_deleting_a_session_deletes_its_registrations(ops):  # noqa: F811
    kept = ops.create_workshop({"title": "Blijft"}).code
    gone = ops.create_workshop({"title": "Weg"}).code
    service, people = imported(ops, gone)
    imported(ops, kept)
    assert ops.delete_workshop(Actor(Role.ORGANISER, gone))
    assert ops.store.records(gone, KIND) == []
    assert ops.store.find(gone, KIND, f"token:{people[0]['token']}") is None
    assert len(ops.store.records(kept, KIND)) == 3  # another session's list stays
    with pytest.raises(NotFound):
        service.join(gone, people[0]["token"])


def test_no_export_of_the_session_holds_the_registration_list(ops):  # noqa: F811
    code = ops.create_workshop({"title": "Export"}).code
    service, people = imported(ops, code)
    service.join(code, people[0]["token"])  # one came, by the personal link
    data = ops.load(code)
    for fmt in ("md", "json", "csv", "html"):
        content = render(data, fmt).content
        if fmt == "csv":  # a ZIP of CSV files
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                text = "".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
        else:
            text = content.decode("utf-8")
        for name in ("Anna de Vries", "Pieter Bakker", "Fatima El Amrani", "Gemeente Deventer"):
            assert name not in text, (fmt, name)
    archive = json.loads(render(data, "json").content)
    assert KIND not in json.dumps(archive)  # no registration records in the archive
