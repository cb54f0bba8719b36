"""Circle privacy in snapshots and live fan-out; the small-group rule."""

from __future__ import annotations

from facilitator.domain import views
from facilitator.domain.operations import Actor
from facilitator.domain.rules import Role

from .conftest import go, member


def setup_two_circles(ops, workshop, fac):
    a = member(ops, workshop.code, "raadslid")
    b = member(ops, workshop.code, "vakbond")
    go(ops, fac, "circle")
    ra, _, events = ops.post_reflection(a, "Geheim van de raad")
    return a, b, ra, events


def texts(snapshot):
    return {r["text"] for r in snapshot["reflections"]}


def test_unshared_reflection_only_for_own_circle_and_facilitator(domain_ops, workshop, fac):
    a, b, ra, _ = setup_two_circles(domain_ops, workshop, fac)
    data = domain_ops.load(workshop.code)
    assert "Geheim van de raad" in texts(views.snapshot(data, a))
    assert "Geheim van de raad" in texts(views.snapshot(data, fac))
    assert "Geheim van de raad" not in texts(views.snapshot(data, b))
    assert "Geheim van de raad" not in texts(views.snapshot(data, Actor(Role.SCREEN,
                                                                        workshop.code)))
    # shared, but the dialogue has not begun: still private
    domain_ops.share_reflection(a, ra.id)
    data = domain_ops.load(workshop.code)
    assert "Geheim van de raad" not in texts(views.snapshot(data, b))
    go(domain_ops, fac, "exchange")
    data = domain_ops.load(workshop.code)
    seen_by_b = views.snapshot(data, b)["reflections"]
    assert [r["text"] for r in seen_by_b] == ["Geheim van de raad"]
    assert "participant" not in seen_by_b[0] and "pseudonym" not in seen_by_b[0]


def test_fan_out_never_sends_unshared_text_to_others(domain_ops, workshop, fac):
    a, b, ra, events = setup_two_circles(domain_ops, workshop, fac)
    w = domain_ops.workshop(workshop.code)
    routed = views.fan_out(events[0], w)
    audiences = dict(reversed(routed))
    for audience, payload in routed:
        has_text = "Geheim van de raad" in str(payload)
        allowed = audience in ("facilitator", views.circle_room(a.participant.circle))
        assert has_text == allowed, audience
    # every audience still gets the event number
    assert {p["seq"] for p in audiences.values()} == {events[0]["seq"]}
    assert audiences["participants"]["type"] == "tick"


def test_event_for_matches_live_fan_out(domain_ops, workshop, fac):
    a, b, ra, events = setup_two_circles(domain_ops, workshop, fac)
    w = domain_ops.workshop(workshop.code)
    assert views.event_for(events[0], w, a)["reflection"]["text"] == "Geheim van de raad"
    assert views.event_for(events[0], w, b)["type"] == "tick"


def test_hidden_reflection_leaves_other_screens(domain_ops, workshop, fac):
    a, b, ra, _ = setup_two_circles(domain_ops, workshop, fac)
    domain_ops.share_reflection(a, ra.id)
    go(domain_ops, fac, "exchange")
    _, events = domain_ops.hide_reflection(fac, ra.id, True)
    w = domain_ops.workshop(workshop.code)
    routed = dict(reversed(views.fan_out(events[0], w)))
    assert routed["screen"].get("removed") == ra.id
    assert "Geheim" not in str(routed["screen"]) and "Geheim" not in str(routed["participants"])
    data = domain_ops.load(workshop.code)
    assert texts(views.snapshot(data, b)) == set()
    assert texts(views.snapshot(data, a)) == set()
    assert views.snapshot(data, fac)["reflections"][0]["hidden"] is True


def test_small_groups_are_merged_for_screen_not_for_facilitator(domain_ops, workshop, fac):
    author = member(domain_ops, workshop.code, "burger")
    go(domain_ops, fac, "circle")
    r, _, _ = domain_ops.post_reflection(author, "Iedereen herkent dit")
    domain_ops.share_reflection(author, r.id)
    raad = [member(domain_ops, workshop.code, "raadslid") for _ in range(3)]
    vakbond = [member(domain_ops, workshop.code, "vakbond")]
    orlid = [member(domain_ops, workshop.code, "or-lid") for _ in range(2)]
    go(domain_ops, fac, "exchange")
    for p in raad + vakbond + orlid:
        domain_ops.react(p, r.id, "agree" if p in raad else "disagree")
    data = domain_ops.load(workshop.code)
    screen = views.snapshot(data, Actor(Role.SCREEN, workshop.code))
    by = screen["reflections"][0]["reactions"]["by_perspective"]
    assert by == {"raadslid": {"agree": 3}, views.OTHER: {"disagree": 3}}
    full = views.snapshot(data, fac)["reflections"][0]["reactions"]["by_perspective"]
    assert full == {"raadslid": {"agree": 3}, "vakbond": {"disagree": 1},
                    "or-lid": {"disagree": 2}}


def test_participant_snapshot_has_own_choices_and_permissions(domain_ops, workshop, fac):
    a = member(domain_ops, workshop.code, "raadslid")
    go(domain_ops, fac, "circle")
    snap = views.snapshot(domain_ops.load(workshop.code), a)
    assert "post_reflection" in snap["can"] and "react" not in snap["can"]
    assert snap["me"]["id"] == a.participant.id and "token" not in snap["me"]
    assert "facilitator_token" not in str(snap) and workshop.facilitator_token not in str(snap)


def test_step_resync_carries_each_circles_shared_snapshot(domain_ops, workshop, fac):
    a, b, _, _ = setup_two_circles(domain_ops, workshop, fac)
    _, events = domain_ops.change_step(fac, "next")
    step = next(e for e in events if e["type"] == "step")
    data = domain_ops.load(workshop.code)
    built = []

    def shared_part(role, circle):
        built.append((role, circle))
        return views.shared_snapshot(data, role, circle)

    pushed = dict(views.resync_snapshots(step, data, shared_part))
    assert set(pushed) == {views.SCREEN, views.circle_room(a.participant.circle),
                           views.circle_room(b.participant.circle)}
    assert len(built) == 3  # one shared part per circle, not one per phone
    for payload in pushed.values():
        assert payload["type"] == "resync" and payload["seq"] == step["seq"] == data.seq
    own = pushed[views.circle_room(a.participant.circle)]["snapshot"]
    assert own == views.shared_snapshot(data, Role.PARTICIPANT, a.participant.circle)
    assert "Geheim van de raad" in texts(own)
    assert "Geheim van de raad" not in texts(
        pushed[views.circle_room(b.participant.circle)]["snapshot"])
    assert "Geheim van de raad" not in texts(pushed[views.SCREEN]["snapshot"])
    # the data has moved on since the step: nothing is pushed, pages ask instead
    domain_ops.set_posting_locked(fac, True)
    later = domain_ops.load(workshop.code)
    assert later.seq > step["seq"]
    assert views.resync_snapshots(step, later, shared_part) == []
    # other events never carry snapshots
    assert views.resync_snapshots({**step, "type": "state"}, data, shared_part) == []
