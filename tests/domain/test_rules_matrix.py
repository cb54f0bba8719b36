"""Walk role x step kind x action through the operations and compare with the
rules as the issue states them (written out here independently of rules.RULES)."""

from __future__ import annotations

import pytest

from facilitator.domain.errors import Forbidden, NotNow
from facilitator.domain.operations import Actor
from facilitator.domain.rules import RULES, Action, Role, allowed, as_markdown
from tests.expected_rules import EXPECTED, KINDS

from .conftest import go, member

# the actions the operations-level walk tries (snapshot, export and edit are adapters')
OPERATIONS = ["post", "share", "react", "endorse", "conclude", "lock", "spotlight", "hide",
              "screen", "group", "spotlight_reason"]
ROLES = ["organiser", "facilitator", "screen", "participant"]


@pytest.fixture
def world(domain_ops, workshop, fac):
    """Two circles with a shared reflection each and a published conclusion."""
    ops = domain_ops
    a = member(ops, workshop.code, "raadslid")
    b = member(ops, workshop.code, "vakbond")
    go(ops, fac, "circle")
    ra, _, _ = ops.post_reflection(a, "Vertrouwen tussen raad en organisatie")
    rb, _, _ = ops.post_reflection(b, "Medewerkers worden te laat betrokken")
    ops.share_reflection(a, ra.id, True)
    ops.share_reflection(b, rb.id, True)
    go(ops, fac, "exchange")
    conclusion, _ = ops.write_conclusion(fac, "Betrek medewerkers eerder")
    return {"ops": ops, "a": a, "b": b, "ra": ra, "rb": rb, "conclusion": conclusion,
            "code": workshop.code}


def actor_for(world, role: str) -> Actor:
    if role == "participant":
        return world["a"]
    return Actor(Role(role), world["code"])


def attempt(world, action: str, actor: Actor) -> bool:
    ops = world["ops"]
    calls = {
        "post": lambda: ops.post_reflection(actor, "Nog een reflectie"),
        "share": lambda: ops.share_reflection(
            actor, world["ra"].id, not ops.store.get(world["code"], "reflection",
                                                     world["ra"].id)["shared"]),
        "react": lambda: ops.react(actor, world["rb"].id, "agree"),
        "endorse": lambda: ops.endorse(actor, world["conclusion"].id, "support"),
        "conclude": lambda: ops.write_conclusion(actor, "Een conclusie"),
        "lock": lambda: ops.set_posting_locked(actor, False),
        "spotlight": lambda: ops.spotlight(actor, world["rb"].id),
        "hide": lambda: ops.hide_reflection(actor, world["rb"].id, False),
        "screen": lambda: ops.control_screen(actor, blank=False),
        "group": lambda: ops.save_pattern(actor, "Samen", [world["ra"].id, world["rb"].id]),
        "spotlight_reason": lambda: ops.spotlight_reason(actor, None),
    }
    try:
        calls[action]()
    except (Forbidden, NotNow):
        return False
    return True


@pytest.mark.parametrize("kind", KINDS)
def test_matrix_through_operations(world, kind):
    fac = Actor(Role.FACILITATOR, world["code"])
    go(world["ops"], fac, kind)
    wrong = []
    for action in OPERATIONS:
        per_role = EXPECTED[action]
        for role in ROLES:
            expected = kind in per_role.get(role, set())
            # Re-share so that share/react preconditions hold in every step.
            world["ops"].store.update(world["code"], "reflection", world["rb"].id,
                                      lambda d: ({**d, "shared": True, "hidden": False}, []))
            got = attempt(world, action, actor_for(world, role))
            if got != expected:
                wrong.append((action, role, kind, expected, got))
    assert wrong == []


def test_forbidden_and_not_now_are_distinct(world):
    fac = Actor(Role.FACILITATOR, world["code"])
    go(world["ops"], fac, "presentation")
    with pytest.raises(NotNow):
        world["ops"].post_reflection(world["a"], "te vroeg")
    with pytest.raises(Forbidden):
        world["ops"].post_reflection(Actor(Role.SCREEN, world["code"]), "scherm")


def test_relations_own_and_other_circle(world):
    ops, fac = world["ops"], Actor(Role.FACILITATOR, world["code"])
    go(ops, fac, "exchange")
    with pytest.raises(Forbidden):  # no reacting to one's own circle
        ops.react(world["a"], world["ra"].id, "agree")
    go(ops, fac, "circle")
    with pytest.raises(Forbidden):  # no sharing another circle's reflection
        ops.share_reflection(world["a"], world["rb"].id, False)


def test_lock_stops_participants_only(world):
    ops, fac = world["ops"], Actor(Role.FACILITATOR, world["code"])
    go(ops, fac, "circle")
    ops.set_posting_locked(fac, True)
    with pytest.raises(NotNow):
        ops.post_reflection(world["a"], "tijdens pauze")
    ops.share_reflection(world["a"], world["ra"].id, False)  # marking is not posting
    ops.set_posting_locked(fac, False)
    ops.post_reflection(world["a"], "na pauze")


def test_table_is_complete_and_printable():
    assert set(RULES) == set(Action)
    md = as_markdown()
    assert "post_reflection | participant" in md
    assert allowed("participant", Action.POST_REFLECTION, "circle")
    with pytest.raises(TypeError):  # every check names the step it is judged in
        allowed("participant", Action.POST_REFLECTION, None)
