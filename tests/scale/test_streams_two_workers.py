"""Streams across two workers on one Redis (store and message queue): a phone hears
only its own streams, and when the circles split, open phones on *either* worker move
to their new circle's stream (issue 13, and issue 17: ``Live.reseat``)."""

from __future__ import annotations

import time

import pytest

from tests.scale.harness import Api, wait_until

pytestmark = pytest.mark.slow


def test_split_moves_phones_on_the_other_worker(redis_server, spawn, live):
    url = redis_server.url
    a = spawn("a", store=url, message_queue=url)
    b = spawn("b", store=url, message_queue=url)
    api = Api(a.url)
    session = api.create_session(circle_size=3)
    code, fac_token = session["code"], session["facilitator_token"]
    first, second, moved, last = (api.join(code, "raadslid") for _ in range(4))
    bond = api.join(code, "vakbond")
    assert moved["circle"] == "raadslid" and last["circle"] == "raadslid-2"  # 3 + 1 at first

    # the phone that will move, a mate of its old and of its new circle and a third
    # circle all live on worker b; the step is taken on worker a
    phone = live(b, moved["participant_token"], code, name="moved@b")
    old_mate = live(b, first["participant_token"], code, name="old-mate@b")
    new_mate = live(a, last["participant_token"], code, name="new-mate@a")
    third = live(b, bond["participant_token"], code, name="bond@b")
    api.step(code, fac_token, "eigen-kring")  # 3 + 1 become 2 + 2: the third joiner moves
    wait_until(lambda: (phone.snapshot or {}).get("me", {}).get("circle") == "raadslid-2", 10,
               message="the moved phone's new snapshot")
    assert "circle:raadslid-2" in phone.positions and "circle:raadslid" not in phone.positions

    new_text = "we zijn nu met z'n tweeen in kring 2, prima zo"
    old_text = "alleen voor de eerste kring, niet doorvertellen"
    assert new_mate.call("post", {"text": new_text, "client_id": "n-1"})["ok"]
    assert old_mate.call("post", {"text": old_text, "client_id": "o-1"})["ok"]
    wait_until(lambda: new_text in phone.texts(), 10, message="the new circle's post on b")
    wait_until(lambda: old_text in old_mate.texts(), 10, message="the old circle's own post")
    time.sleep(0.5)  # what would arrive late arrives now
    assert old_text not in str(phone.received), "the old circle's post reached the moved phone"
    # a third circle hears of neither post: no content, no tick
    reflections = [e for e in third.received if e["type"] in ("reflection", "tick")]
    assert reflections == [], reflections
    # and the moved phone posts into its new circle, seen by its new mate on worker a
    mine = "ik zit nu in kring 2 denk ik, klopt dat?"
    assert phone.call("post", {"text": mine, "client_id": "m-1"})["ok"]
    wait_until(lambda: mine in new_mate.texts(), 10, message="the moved phone's post on a")
    assert mine not in old_mate.texts()
    assert phone.gaps == 0 and new_mate.gaps == 0, (phone.gaps, new_mate.gaps)


def test_a_missed_circle_message_is_caught_by_the_stream_check(redis_server, spawn, live):
    """A message lost between workers (here: taken out of the client's hands) shows as a
    jump in that circle's stream, or, when it was the last one, at the next check of
    where the streams stand; either way the page reads a snapshot that holds it."""
    url = redis_server.url
    a = spawn("a", store=url, message_queue=url)
    b = spawn("b", store=url, message_queue=url)
    api = Api(a.url)
    session = api.create_session()
    code, fac_token = session["code"], session["facilitator_token"]
    author, mate = api.join(code, "burger"), api.join(code, "burger")
    api.step(code, fac_token, "eigen-kring")
    phone = live(b, mate["participant_token"], code, name="mate@b", check_interval=0.5)
    writer = live(a, author["participant_token"], code, name="author@a")
    stream = f"circle:{author['circle']}"
    with phone.lock:
        phone.positions[stream] -= 1  # as if the stream's last message never came
    first = "de bus rijdt hier maar 1x per uur, dat is toch geen doen"
    assert writer.call("post", {"text": first, "client_id": "b-1"})["ok"]
    wait_until(lambda: phone.gaps >= 1, 10, message="the jump in the circle stream")
    wait_until(lambda: first in phone.texts(), 10, message="the snapshot after the jump")
    resyncs = phone.resyncs
    with phone.lock:
        phone.positions[stream] -= 1  # and once more, now with no message following
    wait_until(lambda: phone.resyncs > resyncs, 10, message="the periodic stream check")
    assert first in phone.texts()
