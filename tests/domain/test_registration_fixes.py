"""What the organiser's registrations page needs from the domain (issue 15, item 3):
rows that matched no perspective are kept to be fixed by hand, a session's own
synonym table (used by the next import and a re-match), both covered by retention and
delete; and a series template updated through the series module, checked like a new
one."""

from __future__ import annotations

import pytest

from facilitator.domain.errors import Forbidden, Invalid, NotFound
from facilitator.domain.operations import Actor, new_token
from facilitator.domain.registrations import (
    KIND,
    PENDING_KIND,
    SYNONYMS_KIND,
    RegistrationService,
    parse,
    phrases_from_text,
)
from facilitator.domain.rules import Role
from facilitator.domain.series import KIND as SERIES_KIND
from facilitator.domain.series import SeriesService

from .test_retention import at, clock, ops, store, store_url  # noqa: F401 (fixtures)

LIST = [["Naam", "Gemeente", "Functie"],
        ["Anna de Vries", "Zwolle", "raadslid"],
        ["Fatima El Amrani", "Deventer", "projectleider sociaal domein"],
        ["Ruud Mulder", "Zwolle", "stagiair"],
        ["Sanne Visser", "Hattem", "coördinator wijkteams"]]


def imported(ops):  # noqa: F811 (the fixture's name)
    code = ops.create_workshop({"title": "Reflectiesessie", "date": "2026-03-20"}).code
    service = RegistrationService(ops, new_token)
    result = service.import_table(Role.ORGANISER, code, LIST)
    return code, service, result


def test_unmatched_rows_wait_and_are_fixed_by_hand(ops):  # noqa: F811
    code, service, result = imported(ops)
    assert result["matched"] == 2
    waiting = service.pending(Role.ORGANISER, code)
    assert [r["name"] for r in waiting] == ["Fatima El Amrani", "Ruud Mulder"]
    assert waiting[0]["function"] == "projectleider sociaal domein"
    # importing the same list again keeps one waiting row per person
    service.import_table(Role.ORGANISER, code, LIST)
    assert len(service.pending(Role.ORGANISER, code)) == 2

    fatima = waiting[0]["id"]
    registration = service.assign(Role.ORGANISER, code, fatima, "beleidsadviseur")
    assert registration["name"] == "Fatima El Amrani"
    assert registration["perspective"] == "beleidsadviseur" and len(registration["token"]) >= 16
    assert [r["name"] for r in service.pending(Role.ORGANISER, code)] == ["Ruud Mulder"]
    # the fixed row keeps no name; a second fix of it is refused
    assert ops.store.get(code, PENDING_KIND, fatima) == {"id": fatima, "resolved": True}
    with pytest.raises(NotFound):
        service.assign(Role.ORGANISER, code, fatima, "manager")
    ruud = service.pending(Role.ORGANISER, code)[0]["id"]
    with pytest.raises(Invalid) as bad:
        service.assign(Role.ORGANISER, code, ruud, "stagiairs")
    assert bad.value.params["field"] == f"perspective-{ruud}"
    with pytest.raises(Forbidden):
        service.assign(Role.FACILITATOR, code, ruud, "onderzoeker")
    # her personal link joins her with the perspective given by hand
    participant, _ = service.join(code, registration["token"])
    assert participant.perspective == "beleidsadviseur"
    # a later import in which she matches does not make her twice
    service.import_rows(Role.ORGANISER, code, parse(
        [["Naam", "Gemeente", "Perspectief"], ["Fatima El Amrani", "Deventer", "manager"]],
        [p.id for p in ops.workshop(code).perspectives]))
    assert [r["name"] for r in ops.store.records(code, KIND)].count("Fatima El Amrani") == 1


def test_the_session_synonym_table_replaces_the_defaults(ops):  # noqa: F811
    code, service, _ = imported(ops)
    table = service.synonyms(Role.ORGANISER, code)
    assert set(table) == {p.id for p in ops.workshop(code).perspectives}
    assert "coordinator" in table["manager"] and "raadslid" in table["raadslid"]

    saved = service.save_synonyms(Role.ORGANISER, code, {
        "manager": "teamleider, Projectleider,projectleider , afdelingshoofd",
        "onderzoeker": "onderzoeker\nstagiair"})
    assert saved["manager"] == ["teamleider", "Projectleider", "projectleider", "afdelingshoofd"]
    assert saved["raadslid"] == table["raadslid"]  # a perspective not posted stays
    assert service.rematch(Role.ORGANISER, code) == 2
    assert service.pending(Role.ORGANISER, code) == []
    people = {r["name"]: r["perspective"] for r in ops.store.records(code, KIND)}
    assert people["Fatima El Amrani"] == "manager" and people["Ruud Mulder"] == "onderzoeker"

    # the next import uses the table: "coordinator" was struck from the managers
    other = ops.create_workshop({"title": "Tweede"}).code
    service.save_synonyms(Role.ORGANISER, other, {"manager": "teamleider"})
    result = service.import_table(Role.ORGANISER, other, LIST)
    assert [r["name"] for r in service.pending(Role.ORGANISER, other)] == \
        ["Fatima El Amrani", "Ruud Mulder", "Sanne Visser"]
    assert result["matched"] == 1

    with pytest.raises(Invalid) as unknown:
        service.save_synonyms(Role.ORGANISER, code, {"astronaut": "ruimtevaarder"})
    assert unknown.value.params["field"] == "synonyms-astronaut"
    with pytest.raises(Forbidden):
        service.save_synonyms(Role.FACILITATOR, code, {"manager": "baas"})


@pytest.mark.parametrize("text", ["-- , ##", "x" * 81, ", ".join(f"woord{i}" for i in range(81)),
                                  None])
def test_bad_synonyms_are_refused_at_their_field(text):
    with pytest.raises(Invalid) as bad:
        phrases_from_text(text, "synonyms-manager")
    assert bad.value.params["field"] == "synonyms-manager"


def test_retention_and_delete_take_waiting_rows_and_synonyms(ops):  # noqa: F811
    code, service, _ = imported(ops)
    service.save_synonyms(Role.ORGANISER, code, {"manager": "projectleider"})
    assert ops.store.records(code, PENDING_KIND) and ops.store.records(code, SYNONYMS_KIND)
    assert ops.purge_ended(30, now=at("2026-04-21T01:00:00")) == [code]
    assert ops.store.records(code, PENDING_KIND) == []
    assert ops.store.records(code, SYNONYMS_KIND) == []

    code, service, _ = imported(ops)
    service.save_synonyms(Role.ORGANISER, code, {"manager": "projectleider"})
    assert ops.delete_workshop(Actor(Role.ORGANISER, code))
    assert ops.store.records(code, PENDING_KIND) == []
    assert ops.store.records(code, SYNONYMS_KIND) == []


def test_update_template_checks_it_like_create(ops):  # noqa: F811
    service = SeriesService(ops)
    series = service.create(Role.ORGANISER, "DVG Reflectiesessies 2027")
    template = {"title": "niet per reeks", "place": "Zwolle",
                "perspectives": [{"id": "raadslid", "label": "Raadslid"},
                                 {"id": "inwoner", "label": "Inwoner"}]}
    updated = service.update_template(Role.ORGANISER, series.id, template)
    assert "title" not in updated.template and "place" not in updated.template
    assert "title" in template  # the caller's dict is left as it was
    stored = service.get(Role.ORGANISER, series.id)
    assert [p["id"] for p in stored.template["perspectives"]] == ["raadslid", "inwoner"]
    session = service.add_session(Role.ORGANISER, series.id, place="Kampen")
    assert [p.id for p in session.perspectives] == ["raadslid", "inwoner"]

    before = ops.store.get_doc(SERIES_KIND, series.id)
    for broken in ({"perspectives": "raadslid"}, {"programme": [{"title": "Welkom",
                                                                 "kind": "dansen"}]}, "yaml"):
        with pytest.raises(Invalid):
            service.update_template(Role.ORGANISER, series.id, broken)
    assert ops.store.get_doc(SERIES_KIND, series.id) == before  # the stored one stays
    with pytest.raises(Forbidden):
        service.update_template(Role.FACILITATOR, series.id, {})
    with pytest.raises(NotFound):
        service.update_template(Role.ORGANISER, "geen-reeks", {})
