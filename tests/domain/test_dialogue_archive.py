"""Questions, answers, supports, reasons and table harvests go through the JSON archive
and back (issue 17); an archive from before them still reads (as no questions)."""

from __future__ import annotations

import json

from facilitator.domain import joincode
from facilitator.domain.export import archive
from facilitator.domain.model import StepKind
from facilitator.domain.operations import Actor, Operations
from facilitator.domain.rules import Role
from facilitator.store.sqlite import SQLiteStore

from .conftest import go, member


def test_questions_answers_and_reasons_round_trip(domain_ops, workshop, fac):
    ops = domain_ops
    raad = [member(ops, workshop.code, "raadslid") for _ in range(2)]
    bond = member(ops, workshop.code, "vakbond")
    go(ops, fac, StepKind.CIRCLE)
    q, _, _ = ops.ask_question(raad[0], "vakbond", "merken jullie iets van de raadsbesluiten?",
                               client_id="q1")
    ops.support_question(raad[1], q.id)
    absent, _, _ = ops.ask_question(raad[1], "onderzoeker", "waar zijn de onderzoekers?")
    reflection, _, _ = ops.post_reflection(raad[0], "te veel korte termijn")
    ops.share_reflection(raad[0], reflection.id, True)
    go(ops, fac, StepKind.EXCHANGE)
    answer, _, _ = ops.answer_question(bond, q.id, "pas als t in de krant staat eerlijk gezegd")
    ops.support_answer(raad[0], answer.id)
    ops.compose_tables(fac, 3, 7)
    seated = ops.load(workshop.code).participants[0]
    table = ops.load(workshop.code).participants[0].table
    ops.post_harvest(Actor(Role.PARTICIPANT, workshop.code, seated), table,
                     "iedereen wil minder regels maar niemand wil de eerste zijn")
    ops.react(bond, reflection.id, "disagree", "bij ons merk je daar weinig van")
    data = ops.load(workshop.code)
    doc = json.loads(json.dumps(archive.to_archive(data)))
    back = archive.from_archive(doc)
    assert [x.to_dict() for x in back.questions] == [x.to_dict() for x in data.questions]
    assert back.answers[0].text == "pas als t in de krant staat eerlijk gezegd"
    assert back.reactions[0].text == "bij ons merk je daar weinig van"
    store = SQLiteStore(":memory:")
    try:
        restored = Operations(store)
        tokens = iter(f"tok-{i:04d}-abcdefghijklmnop" for i in range(100))
        new = archive.restore(store, back, joincode.new_code(), lambda: next(tokens))
        again = restored.load(new.code)
        assert {x.id for x in again.questions} == {q.id, absent.id}
        supported = next(x for x in again.questions if x.id == q.id)
        assert supported.supporters == [raad[1].participant.id]
        assert len(again.answers) == 1
        assert again.answers[0].supporters == [raad[0].participant.id]
        assert [h.text for h in again.harvests] == [
            "iedereen wil minder regels maar niemand wil de eerste zijn"]
        # the same client id again is still recognised after a restore
        author = Actor(Role.PARTICIPANT, new.code, again.participants[0])
        again_q, created, _ = restored.ask_question(author, "vakbond", "nog eens", client_id="q1")
        assert not created and again_q.id == q.id
    finally:
        store.close()
    old = dict(doc)
    old.pop("questions")
    old.pop("answers")
    assert archive.from_archive(old).questions == []
