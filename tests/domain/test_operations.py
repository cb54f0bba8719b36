"""Use cases: joining and circles, idempotent posting, steps and their times,
conclusions and endorsements, validation."""

from __future__ import annotations

import threading

import pytest

from facilitator.domain.errors import Forbidden, Invalid, NotFound, NotNow, Unauthorized
from facilitator.domain.operations import Actor, Operations
from facilitator.domain.rules import Role
from facilitator.store.sqlite import SQLiteStore

from .conftest import go, member


def test_default_programme_and_perspectives(workshop):
    assert [s.kind for s in workshop.steps] == ["welcome", "presentation", "circle", "exchange",
                                                "conclusions", "closing"]
    assert workshop.steps[0].planned_start == "13:30"
    assert workshop.steps[-1].planned_end == "17:00"
    assert workshop.steps[2].title == "Reflectie op deze resultaten in eigen kring"
    labels = {p.id: p.label for p in workshop.perspectives}
    assert len(labels) == 16
    assert labels["or-lid"] == "OR- of GO-lid"
    assert all(p.label_en for p in workshop.perspectives)
    assert len(workshop.circles) == 16  # one circle per perspective by default
    assert len(workshop.code) == 6


def test_circle_splits_when_full(domain_ops):
    w = domain_ops.create_workshop({"title": "Klein", "circle_size": 3,
                                    "perspectives": ["Raadslid", "Burger"]})
    circles = [domain_ops.join(w.code, "raadslid")[0].circle for _ in range(7)]
    assert circles == ["raadslid"] * 3 + ["raadslid-2"] * 3 + ["raadslid-3"]
    p, _ = domain_ops.join(w.code, "raadslid")
    assert p.circle_name == "Raadslid 3"


def test_grouped_perspectives_share_a_circle(domain_ops):
    w = domain_ops.create_workshop({
        "title": "Groepen", "perspectives": ["Raadslid", "Wethouder", "Burger"],
        "circles": [{"name": "Bestuur", "perspectives": ["raadslid", "wethouder"]}]})
    a, _ = domain_ops.join(w.code, "raadslid")
    b, _ = domain_ops.join(w.code, "wethouder")
    c, _ = domain_ops.join(w.code, "burger")
    assert a.circle == b.circle == "bestuur"
    assert c.circle == "burger"


def test_concurrent_joins_never_overfill(tmp_path):
    store = SQLiteStore(str(tmp_path / "c.db"))
    ops = Operations(store)
    w = ops.create_workshop({"title": "Druk", "circle_size": 4, "perspectives": ["Burger"]})
    results = []

    def join():
        for _ in range(5):
            results.append(ops.join(w.code, "burger")[0].circle)

    threads = [threading.Thread(target=join) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = {c: results.count(c) for c in set(results)}
    assert sorted(counts.values()) == [4, 4, 4, 4, 4]


def test_join_validation(domain_ops, workshop):
    with pytest.raises(NotFound):
        domain_ops.join("ZZZZZZ", "raadslid")
    with pytest.raises(Invalid):
        domain_ops.join(workshop.code, "astronaut")
    with pytest.raises(Invalid):
        domain_ops.join(workshop.code, "raadslid", "x" * 61)
    with pytest.raises(Invalid):
        domain_ops.join(workshop.code, {"$ne": 1})
    p, _ = domain_ops.join(workshop.code.lower(), "raadslid", "  Anna\x00 ")
    assert p.name == "Anna" and p.pseudonym


def test_posting_is_idempotent_by_client_id(domain_ops, workshop, fac):
    a = member(domain_ops, workshop.code, "raadslid")
    go(domain_ops, fac, "circle")
    first, created, events = domain_ops.post_reflection(a, "Eerste", client_id="c-1")
    again, created_again, events_again = domain_ops.post_reflection(a, "Eerste",
                                                                    client_id="c-1")
    assert created and not created_again
    assert again.id == first.id and events_again == []
    assert len(events) == 1 and events[0]["type"] == "reflection"
    assert domain_ops.store.count(workshop.code, "reflection") == 1
    # another participant may use the same client id: ids are per participant
    b = member(domain_ops, workshop.code, "raadslid")
    other, created_other, _ = domain_ops.post_reflection(b, "Ander", client_id="c-1")
    assert created_other and other.id != first.id


def test_reflection_text_rules(domain_ops, workshop, fac):
    a = member(domain_ops, workshop.code, "burger")
    go(domain_ops, fac, "circle")
    for bad in ["", "   ", "x" * 1001, None, 42, ["a"]]:
        with pytest.raises(Invalid):
            domain_ops.post_reflection(a, bad)
    r, _, _ = domain_ops.post_reflection(a, "x" * 1000)
    assert len(r.text) == 1000
    with pytest.raises(Invalid):
        domain_ops.post_reflection(a, "ok", finding="no-such-finding")
    r2, _, _ = domain_ops.post_reflection(a, "Over F1", finding=workshop.findings[0].id)
    assert r2.finding == workshop.findings[0].id


def test_step_changes_keep_times(domain_ops, workshop, fac):
    w, events = domain_ops.change_step(fac, "next")
    assert w.state.current_step == "opening" and events[0]["type"] == "step"
    assert w.started_at and w.steps[0].actual_start
    w, _ = domain_ops.change_step(fac, "next")
    assert w.steps[0].actual_end and w.steps[1].actual_start
    w, _ = domain_ops.change_step(fac, "previous")
    assert w.state.current_step == "opening"
    w, _ = domain_ops.change_step(fac, "afsluiting")
    assert w.ended_at
    with pytest.raises(NotNow):
        domain_ops.change_step(fac, "next")
    with pytest.raises(Invalid):
        domain_ops.change_step(fac, "nope")
    with pytest.raises(Invalid):
        domain_ops.change_step(fac, 3)


def test_conclusions_and_endorsements(domain_ops, workshop, fac):
    a = member(domain_ops, workshop.code, "raadslid")
    go(domain_ops, fac, "circle")
    r, _, _ = domain_ops.post_reflection(a, "Vertrouwen")
    go(domain_ops, fac, "conclusions")
    c, _ = domain_ops.write_conclusion(fac, "Vertrouwen is de basis", reflections=[r.id])
    assert c.reflections == [r.id]
    with pytest.raises(NotFound):
        domain_ops.write_conclusion(fac, "x", reflections=["missing"])
    e1, _ = domain_ops.endorse(a, c.id, "support")
    e2, _ = domain_ops.endorse(a, c.id, "concern", "Maar hoe?")
    assert e1.id == e2.id  # one endorsement per participant and conclusion
    assert [e.kind for e in domain_ops.load(workshop.code).endorsements] == ["concern"]
    draft, _ = domain_ops.write_conclusion(fac, "Concept", draft=True)
    with pytest.raises(NotFound):
        domain_ops.endorse(a, draft.id, "support")
    with pytest.raises(Invalid):
        domain_ops.endorse(a, c.id, "love")


def test_hide_clears_spotlight(domain_ops, workshop, fac):
    a = member(domain_ops, workshop.code, "raadslid")
    go(domain_ops, fac, "circle")
    r, _, _ = domain_ops.post_reflection(a, "Zichtbaar")
    domain_ops.share_reflection(a, r.id)
    go(domain_ops, fac, "exchange")
    w, _ = domain_ops.spotlight(fac, r.id)
    assert w.state.spotlight == r.id
    domain_ops.hide_reflection(fac, r.id, True)
    assert domain_ops.workshop(workshop.code).state.spotlight is None
    with pytest.raises(NotNow):
        domain_ops.spotlight(fac, r.id)


def test_authentication(domain_ops, workshop):
    p, _ = domain_ops.join(workshop.code, "burger")
    assert domain_ops.authenticate(workshop.code, p.token).participant.id == p.id
    assert domain_ops.authenticate(workshop.code, workshop.facilitator_token).role == \
        Role.FACILITATOR
    assert domain_ops.authenticate(workshop.code, workshop.screen_token).role == Role.SCREEN
    for bad in [None, "", "short", "x" * 300, workshop.facilitator_token + "x", 5]:
        with pytest.raises(Unauthorized):
            domain_ops.authenticate(workshop.code, bad)


def test_rotating_links_voids_old_ones(domain_ops, workshop):
    old = workshop.facilitator_token
    w, _ = domain_ops.rotate_links(Actor(Role.ORGANISER, workshop.code))
    assert w.facilitator_token != old
    with pytest.raises(Unauthorized):
        domain_ops.authenticate(workshop.code, old)


def test_spec_validation(domain_ops):
    bad_specs = [
        {"title": ""},
        {"title": "x", "programme": []},
        {"title": "x", "programme": [{"title": "a", "kind": "party"}]},
        {"title": "x", "programme": [{"title": "a", "kind": "welcome", "start": "25:00"}]},
        {"title": "x", "perspectives": []},
        {"title": "x", "circles": [{"name": "c", "perspectives": ["nobody"]}]},
        {"title": "x", "date": "14 maart"},
        {"title": "x", "surprise": True},
        {"title": "x", "circle_size": 1},
        "not an object",
    ]
    for spec in bad_specs:
        with pytest.raises(Invalid):
            domain_ops.create_workshop(spec)
    w = domain_ops.create_workshop({"title": "Eigen", "programme": [
        {"title": "Start", "kind": "welcome", "start": "09:00", "end": "09:15"},
        {"title": "Kring", "kind": "circle"}]})
    assert [s.id for s in w.steps] == ["start", "kring"]


def test_edit_keeps_history_of_kept_steps(domain_ops, workshop, fac):
    go(domain_ops, fac, "presentation")
    org = Actor(Role.ORGANISER, workshop.code)
    steps = [s.to_dict() for s in domain_ops.workshop(workshop.code).steps]
    reordered = [steps[1], steps[0]] + steps[2:] + [{"title": "Borrel", "kind": "closing"}]
    keep = ("id", "title", "kind", "planned_start", "planned_end", "description")
    w, events = domain_ops.edit_workshop(org, {"programme": [
        {k: v for k, v in s.items() if k in keep} for s in reordered]})
    assert [s.id for s in w.steps][:2] == ["presentatie", "opening"]
    assert w.steps[0].actual_start  # the presentation had started: kept
    assert w.steps[-1].title == "Borrel"
    assert events[0]["type"] == "programme"
    with pytest.raises(Forbidden):
        domain_ops.edit_workshop(Actor(Role.FACILITATOR, workshop.code), {"title": "x"})
