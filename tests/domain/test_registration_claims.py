"""A name card's personal link is claimed once (``RegistrationService.join``): the claim is
atomic, so of two browsers at one moment only the winner ever holds the name; a card
used before cards were bound stays bound; a join the step refuses leaves the card free;
only the organiser releases a card. On SQLite and on Redis."""

from __future__ import annotations

import pytest

from facilitator.domain.errors import Forbidden, NotFound, NotNow
from facilitator.domain.operations import Actor, new_token
from facilitator.domain.registrations import KIND, RegistrationService, claimed, parse
from facilitator.domain.rules import Role

from .conftest import go
from .test_retention import clock, ops, store, store_url  # noqa: F401 (fixtures)

NAME = "Fatima El Amrani"


def _card(ops):  # noqa: F811 (the fixture's name)
    code = ops.create_workshop({"title": "Reflectiesessie"}).code
    service = RegistrationService(ops, new_token)
    ids = [p.id for p in ops.workshop(code).perspectives]
    result = service.import_rows(Role.ORGANISER, code, parse(
        [["Naam", "Gemeente", "Functie"], [NAME, "Deventer", "beleidsadviseur"]], ids))
    return code, service, result["registrations"][0]


def _named(ops, code):  # noqa: F811
    return [p for p in ops.store.records(code, "participant") if p.get("name")]


def test_the_loser_of_two_claims_at_one_moment_never_holds_the_name(ops):  # noqa: F811
    code, service, card = _card(ops)
    records = ops.store
    original = records.update

    def racing(code_, kind, record_id, mutate):
        if kind == KIND and not claimed(records.get(code_, KIND, record_id)):
            # the other browser's claim lands between this one's read and its claim
            original(code_, kind, record_id, lambda d: (
                {**d, "participant": "other-phone", "claimed": True}, []))
        return original(code_, kind, record_id, mutate)

    records.update = racing
    try:
        participant, _ = service.join(code, card["token"])
    finally:
        del records.update  # the class's method again
    assert participant.name == "" and participant.id != "other-phone"
    assert participant.perspective == "beleidsadviseur"
    assert _named(ops, code) == []
    assert records.get(code, KIND, card["id"])["participant"] == "other-phone"


def test_a_card_used_before_cards_were_bound_stays_with_its_browser(ops):  # noqa: F811
    code, service, card = _card(ops)
    first, _ = service.join(code, card["token"])
    # as stored by the release before: the participant, no claim flag
    ops.store.update(code, KIND, card["id"], lambda d: (
        {k: v for k, v in d.items() if k not in ("claimed", "claimed_at")}, []))
    assert claimed(ops.store.get(code, KIND, card["id"]))
    again, _ = service.join(code, card["token"], holder=first.id)
    assert again.id == first.id and again.name == NAME
    other, _ = service.join(code, card["token"])
    assert other.id != first.id and other.name == ""


def test_a_refused_join_leaves_the_card_free(ops):  # noqa: F811
    code, service, card = _card(ops)
    fac = Actor(Role.FACILITATOR, code)
    go(ops, fac, "closing")
    with pytest.raises(NotNow):
        service.join(code, card["token"])
    stored = ops.store.get(code, KIND, card["id"])
    assert not claimed(stored) and stored["participant"] is None
    assert ops.store.count(code, "participant") == 0


def test_only_the_organiser_releases_a_card(ops):  # noqa: F811
    code, service, card = _card(ops)
    first, _ = service.join(code, card["token"])
    with pytest.raises(Forbidden):
        service.release(Role.FACILITATOR, code, card["id"])
    for wrong in ("reg-bestaat-niet", 5, None, "x" * 41):
        with pytest.raises(NotFound):
            service.release(Role.ORGANISER, code, wrong)
    assert claimed(ops.store.get(code, KIND, card["id"]))
    released = service.release(Role.ORGANISER, code, card["id"])
    assert released["claimed"] is False and released["participant"] == first.id
    phone, _ = service.join(code, card["token"])
    assert phone.id == first.id and phone.name == NAME
