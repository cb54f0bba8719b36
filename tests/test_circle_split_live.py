"""The even split when the first circle step opens moves live phones to their new
circle's room: they get their new circle's reflections and no longer their old one's."""

from __future__ import annotations


def events_of(client, name="event"):
    return [m["args"][0] for m in client.get_received() if m["name"] == name]


def test_moved_phone_follows_its_new_circle(sio, make_session):
    s = make_session(circle_size=3)
    first, second, moved, last = (s.join("raadslid") for _ in range(4))
    assert moved["circle"] == "raadslid" and last["circle"] == "raadslid-2"  # 3 + 1 at first
    phone = sio(moved["participant_token"], s.code)
    old_mate = sio(first["participant_token"], s.code)
    new_mate = sio(last["participant_token"], s.code)
    s.goto("circle")  # splits 3 + 1 into 2 + 2: the third joiner moves
    snapshot = events_of(phone, "snapshot")[-1]
    assert snapshot["me"]["circle"] == "raadslid-2"
    for c in (phone, old_mate, new_mate):
        c.get_received()
    ack = new_mate.emit("post", {"text": "we zijn nu met z'n tweeen in de kring"},
                        callback=True)
    assert ack["ok"]
    assert "met z'n tweeen" in str(events_of(phone))
    ack = old_mate.emit("post", {"text": "alleen voor de eerste kring hoor"}, callback=True)
    assert ack["ok"]
    assert "alleen voor de eerste" not in str(events_of(phone))
    # what the moved phone posts lands in its new circle
    ack = phone.emit("post", {"text": "ik zit nu in kring 2 denk ik"}, callback=True)
    assert ack["ok"] and ack["reflection"]["circle"] == "raadslid-2"
    assert "kring 2 denk ik" in str(events_of(new_mate))
    assert "kring 2 denk ik" not in str(events_of(old_mate))
