"""A hall connecting at once (issue 13): the snapshots that phones ask for at the same
moment share one load of the session and, per circle, one shared part."""

from __future__ import annotations

import threading
import time

from facilitator.domain import views
from facilitator.domain.operations import Actor
from facilitator.domain.rules import Role


def test_phones_asking_at_once_share_one_load_and_one_part_per_circle(app, make_session,
                                                                     monkeypatch):
    s = make_session()
    joined = [s.join(p) for p in ("raadslid", "vakbond", "burger") for _ in range(6)]
    s.goto("circle")
    s.post(joined[0]["participant_token"], "de raad wil alles tegelijk, dat gaat nooit goed")
    live = app.extensions["facilitator.live"]
    ops = live.ops
    data = ops.load(s.code)
    actors = [Actor(Role.PARTICIPANT, s.code, data.participant(p["participant_id"]))
              for p in joined]
    circles = {a.participant.circle for a in actors}
    loads, parts = [], []
    real_load, real_part = ops.load, views.shared_snapshot

    def slow_load(code):
        loads.append(code)
        time.sleep(0.2)  # long enough for every phone to ask while it runs
        return real_load(code)

    def counted_part(data, role, circle, min_group):
        parts.append(circle)
        time.sleep(0.05)
        return real_part(data, role, circle, min_group)

    monkeypatch.setattr(ops, "load", slow_load)
    monkeypatch.setattr(views, "shared_snapshot", counted_part)
    # a new event number: what the process holds is out of date
    s.post(joined[1]["participant_token"], "werkdruk is hoog, zeker na de reorganisatie")
    snaps: dict[int, dict] = {}
    errors: list[BaseException] = []

    def ask(i: int) -> None:
        try:
            snaps[i] = live.snapshot(actors[i])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(actors))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == [] and len(snaps) == len(actors)
    assert len(loads) == 1, "one load for the whole hall"
    assert sorted(parts) == sorted(circles), "one shared part per circle"
    for i, actor in enumerate(actors):
        snap = snaps[i]
        assert snap["me"]["id"] == actor.participant.id
        assert f"circle:{actor.participant.circle}" in snap["streams"]
        texts = {r["text"] for r in snap["reflections"]}
        own = actor.participant.circle == actors[0].participant.circle
        assert ("de raad wil alles tegelijk, dat gaat nooit goed" in texts) == own
