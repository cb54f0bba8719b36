"""Socket.IO through Flask-SocketIO's test client: authentication, snapshots,
live events with circle privacy, streams, acknowledgements and error events."""

from __future__ import annotations


def events_of(client, name="event"):
    return [m["args"][0] for m in client.get_received() if m["name"] == name]


def test_connection_without_valid_token_is_refused(sio, make_session):
    s = make_session()
    assert not sio(None).is_connected()
    assert not sio("garbage-token-garbage-token", s.code).is_connected()
    assert not sio(s.fac).is_connected()  # a bearer token needs its session code
    assert sio(s.fac, s.code).is_connected()


def test_snapshot_on_connect_and_reconnect(sio, make_session):
    s = make_session()
    p = s.join("raadslid")
    s.goto("circle")
    s.post(p["participant_token"], "Voor de reconnect")
    phone = sio(p["participant_token"], s.code)
    snap = events_of(phone, "snapshot")[0]
    assert snap["role"] == "participant" and snap["me"]["id"] == p["participant_id"]
    assert [r["text"] for r in snap["reflections"]] == ["Voor de reconnect"]
    phone.disconnect()
    s.post(p["participant_token"], "Tijdens de onderbreking")
    again = sio(p["participant_token"], s.code)
    snap2 = events_of(again, "snapshot")[0]
    assert [r["text"] for r in snap2["reflections"]] == ["Voor de reconnect",
                                                         "Tijdens de onderbreking"]
    assert snap2["seq"] > snap["seq"]


def test_live_events_respect_circle_privacy(sio, make_session):
    s = make_session()
    raad = s.join("raadslid")
    raad2 = s.join("raadslid")
    bond = s.join("vakbond")
    s.goto("circle")
    fac = sio(s.fac, s.code)
    screen = sio(s.screen, s.code)
    mate = sio(raad2["participant_token"], s.code)
    other = sio(bond["participant_token"], s.code)
    author = sio(raad["participant_token"], s.code)
    for c in (fac, screen, mate, other, author):
        c.get_received()
    ack = author.emit("post", {"text": "Alleen voor de raad", "client_id": "abc"}, callback=True)
    assert ack["ok"] and ack["created"]
    secret = "Alleen voor de raad"
    assert secret in str(events_of(fac))
    assert secret in str(events_of(mate))
    got_other, got_screen = events_of(other), events_of(screen)
    assert secret not in str(got_other) and secret not in str(got_screen)
    assert got_other == []  # another circle hears nothing, not even a tick
    assert got_screen[0]["activity"]["circle"] == "raadslid"
    assert got_screen[0]["stream"] == "screen"  # the screen's stream has every number
    # the same client id again: acknowledged, not duplicated
    again = author.emit("post", {"text": "Alleen voor de raad", "client_id": "abc"},
                        callback=True)
    assert again["ok"] and not again["created"]
    assert again["reflection"]["id"] == ack["reflection"]["id"]
    assert events_of(fac) == []


def test_step_change_reaches_everyone_and_triggers_resync(sio, make_session):
    s = make_session()
    p = s.join("burger")
    fac = sio(s.fac, s.code)
    phone = sio(p["participant_token"], s.code)
    phone.get_received()
    ack = fac.emit("step", {"step": "next"}, callback=True)
    assert ack == {"ok": True, "current_step": "opening", "kind": "welcome"}
    resync = events_of(phone)
    assert resync[0]["type"] == "resync"
    answer = phone.emit("sync", {}, callback=True)
    assert answer["ok"] and answer["snapshot"]["workshop"]["state"]["current_step"] == "opening"


def test_step_change_brings_each_circle_its_own_snapshot(sio, make_session):
    """After a step change each phone gets the new shared snapshot of its own
    circle with the resync (no round trip), never another circle's reflections,
    and then the plain resync with the same number (which pages drop)."""
    s = make_session()
    raad, bond = s.join("raadslid"), s.join("vakbond")
    s.goto("circle")
    s.post(raad["participant_token"], "Onder ons in de raad")
    s.post(bond["participant_token"], "Onder ons bij de bond")
    phones = {"raad": sio(raad["participant_token"], s.code),
              "bond": sio(bond["participant_token"], s.code)}
    screen = sio(s.screen, s.code)
    fac = sio(s.fac, s.code)
    for client in (*phones.values(), screen):
        client.get_received()
    assert fac.emit("step", {"step": "next"}, callback=True)["ok"]  # circle -> next circle step
    for who, own, other in (("raad", "Onder ons in de raad", "Onder ons bij de bond"),
                            ("bond", "Onder ons bij de bond", "Onder ons in de raad")):
        first, plain = events_of(phones[who])
        assert first["type"] == plain["type"] == "resync" and first["seq"] == plain["seq"]
        assert "snapshot" not in plain
        snap = first["snapshot"]
        assert snap["seq"] == first["seq"] and snap["role"] == "participant"
        texts = [r["text"] for r in snap["reflections"]]
        assert own in texts and other not in texts
        assert "me" not in snap and "my_reactions" not in snap  # personal parts stay put
        fresh = phones[who].emit("sync", {}, callback=True)["snapshot"]
        assert {key: fresh[key] for key in snap} == snap  # what a sync would have said
    screen_first = events_of(screen)[0]
    assert screen_first["snapshot"]["role"] == "screen"
    assert "Onder ons" not in str(screen_first)  # nothing shared yet


def test_errors_come_back_as_error_answers(sio, make_session):
    s = make_session()
    p = s.join("burger")
    phone = sio(p["participant_token"], s.code)
    fac = sio(s.fac, s.code)
    early = phone.emit("post", {"text": "te vroeg"}, callback=True)
    assert early["ok"] is False and early["error"]["code"] == "not_allowed_now"
    assert phone.emit("step", {"step": "next"}, callback=True)["error"]["code"] == "forbidden"
    assert phone.emit("post", "not a dict", callback=True)["error"]["code"] == "invalid"
    assert phone.emit("post", ["x"] * 3, callback=True)["ok"] is False
    s.goto("circle")
    long = phone.emit("post", {"text": "x" * 10_000}, callback=True)
    assert long["error"]["code"] == "invalid"
    assert fac.emit("conclude", {"text": ""}, callback=True)["ok"] is False
    assert phone.is_connected() and fac.is_connected()


def test_screen_follows_reactions_in_the_exchange(sio, make_session):
    s = make_session()
    a, b = s.join("raadslid"), s.join("vakbond")
    s.goto("circle")
    rid = s.post(a["participant_token"], "Gedeeld").json["id"]
    s.api.post(f"/sessions/{s.code}/reflections/{rid}/share", a["participant_token"], {})
    s.goto("exchange")
    screen = sio(s.screen, s.code)
    snap = events_of(screen, "snapshot")[0]
    assert [r["text"] for r in snap["reflections"]] == ["Gedeeld"]
    phone = sio(b["participant_token"], s.code)
    ack = phone.emit("react", {"reflection": rid, "kind": "agree"}, callback=True)
    assert ack["ok"]
    reaction = [e for e in events_of(screen) if e["type"] == "reaction"][0]
    # the screen is told the counts changed, never whose perspective reacted how: one
    # vakbond member's reaction would otherwise be theirs alone (it re-reads its snapshot)
    assert reaction == {"type": "reaction", "seq": reaction["seq"], "stream": "screen"}
    fresh = screen.emit("sync", {}, callback=True)["snapshot"]
    assert fresh["reflections"][0]["reactions"] == {"total": {}, "by_perspective": {},
                                                     "withheld": True}


def test_rotated_links_stop_old_connections(sio, make_session, api):
    s = make_session()
    p = s.join("burger")
    old_fac = sio(s.fac, s.code)
    old_screen = sio(s.screen, s.code)
    rotated = api.post(f"/sessions/{s.code}/links/rotate", s.fac, {"which": "both"}).json
    new_fac = sio(rotated["facilitator_token"], s.code)
    new_screen = sio(rotated["screen_token"], s.code)
    assert not sio(s.fac, s.code).is_connected()  # the old secret no longer opens a socket
    for c in (old_fac, old_screen, new_fac, new_screen):
        c.get_received()
    s.api.post(f"/sessions/{s.code}/participants", json={"perspective": "raadslid"})
    assert events_of(new_fac) and events_of(new_screen)
    assert events_of(old_fac) == [] and events_of(old_screen) == []
    answer = old_fac.emit("step", {"step": "next"}, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "unauthorized"
    assert not old_fac.is_connected()
    assert new_fac.emit("step", {"step": "next"}, callback=True)["ok"]
    assert p["participant_token"]


def test_a_third_circle_receives_nothing_of_other_circles(sio, make_session):
    """A burst in two circles: each phone gets its own circle's messages on its circle's
    stream, numbered 1, 2, 3 from where its snapshot said; a third circle gets nothing."""
    s = make_session()
    raad, raad2, bond, bond2, burger = (s.join(p) for p in ("raadslid", "raadslid", "vakbond",
                                                            "vakbond", "burger"))
    s.goto("circle")
    phones = {name: sio(p["participant_token"], s.code)
              for name, p in (("raad", raad2), ("bond", bond2), ("burger", burger))}
    snaps = {name: events_of(c, "snapshot")[0] for name, c in phones.items()}
    circle_of = {"raad": raad["circle"], "bond": bond["circle"], "burger": burger["circle"]}
    for name, snap in snaps.items():
        assert set(snap["streams"]) == {"participants", f"circle:{circle_of[name]}",
                                        f"participant:{snap['me']['id']}"}
    for i in range(3):
        s.post(raad["participant_token"], f"raad {i}: de raad hoort t pas als t te laat is")
        s.post(bond["participant_token"], f"bond {i}: werkdruk, werkdruk en nog eens werkdruk")
    assert events_of(phones["burger"]) == []
    for name, author in (("raad", "raad"), ("bond", "bond")):
        got = events_of(phones[name])
        stream = f"circle:{circle_of[name]}"
        at = snaps[name]["streams"][stream]
        assert [(e["stream"], e["n"]) for e in got] == [(stream, at + k) for k in (1, 2, 3)]
        assert [e["reflection"]["text"].split(":")[0] for e in got] == [
            f"{author} {k}" for k in range(3)]
    # where the streams stand now, as the periodic check asks it
    heads = phones["raad"].emit("seq", {}, callback=True)
    assert heads["ok"] and heads["streams"][f"circle:{circle_of['raad']}"] == \
        snaps["raad"]["streams"][f"circle:{circle_of['raad']}"] + 3
    burger_heads = phones["burger"].emit("seq", {}, callback=True)["streams"]
    assert burger_heads == snaps["burger"]["streams"]  # nothing new for the burger


def test_a_reconnect_learns_where_each_stream_stands(sio, make_session):
    """A phone that was away misses messages of its circle stream: its new snapshot holds
    them and gives the stream's position, so the next message follows on from it."""
    s = make_session()
    author, mate = s.join("ondernemer"), s.join("ondernemer")
    s.goto("circle")
    phone = sio(mate["participant_token"], s.code)
    stream = f"circle:{author['circle']}"
    before = events_of(phone, "snapshot")[0]["streams"][stream]
    phone.disconnect()
    for i in range(2):
        s.post(author["participant_token"], f"terwijl u weg was {i}: parkeren blijft n drama")
    again = sio(mate["participant_token"], s.code)
    snap = events_of(again, "snapshot")[0]
    assert snap["streams"][stream] == before + 2
    assert {"terwijl u weg was 0", "terwijl u weg was 1"} <= {
        r["text"].split(":")[0] for r in snap["reflections"]}
    s.post(author["participant_token"], "en nu bent u er weer")
    (event,) = events_of(again)
    assert (event["stream"], event["n"]) == (stream, before + 3)


def test_after_a_restart_stream_numbers_jump_above_the_last(app, sio, make_session):
    """One process numbers a stream in memory from blocks taken from the store; a restarted
    process takes a new block, so its first message is a jump (the page reads a snapshot
    once) and never a number a page already has."""
    from facilitator.live import Live

    s = make_session()
    author, mate = s.join("beleidsadviseur"), s.join("beleidsadviseur")
    s.goto("circle")
    phone = sio(mate["participant_token"], s.code)
    stream = f"circle:{author['circle']}"
    s.post(author["participant_token"], "voor de herstart: de nota komt altijd te laat")
    (before,) = events_of(phone)
    running = app.extensions["facilitator.live"]
    restarted = Live(running.ops, running.socketio, running.min_group)
    restarted.connections = running.connections  # the sockets stay; the memory is new
    app.extensions["facilitator.live"] = restarted
    try:
        s.post(author["participant_token"], "na de herstart: nog steeds te laat hoor")
        (after,) = events_of(phone)
        assert after["stream"] == stream and after["n"] > before["n"] + 1
        snap = phone.emit("sync", {}, callback=True)["snapshot"]
        assert snap["streams"][stream] == after["n"]
        s.post(author["participant_token"], "en daarna gewoon de volgende")
        (next_one,) = events_of(phone)
        assert next_one["n"] == after["n"] + 1
    finally:
        app.extensions["facilitator.live"] = running


def test_a_busy_room_gets_batches_in_order(app, sio, make_session):
    """More than COALESCE_RATE messages a second to one (large) room come in short batches
    (``events``): every message once, in the order of its stream, none left behind.
    Here the console's room counts as large (a hall's public room would)."""

    from facilitator.live import COALESCE_MEMBERS, COALESCE_RATE

    coalescer = app.extensions["facilitator.live"].coalescer
    coalescer.members = 1
    try:
        _busy_room_in_order(sio, make_session, COALESCE_RATE)
    finally:
        coalescer.members = COALESCE_MEMBERS


def _busy_room_in_order(sio, make_session, rate):
    import time

    s = make_session()
    authors = [s.join("medewerker") for _ in range(4)]
    s.goto("circle")
    circle = authors[0]["circle"]
    assert all(a["circle"] == circle for a in authors)
    fac = sio(s.fac, s.code)
    fac.get_received()
    count = rate + 15
    for i in range(count):
        author = authors[i % len(authors)]["participant_token"]
        s.post(author, f"schrijf nu uw reflectie {i}: de werkdruk is echt te hoog")
    got: list[dict] = []
    batches = 0
    deadline = time.monotonic() + 5
    while len(got) < count and time.monotonic() < deadline:
        for m in fac.get_received():
            if m["name"] == "events":
                batches += 1
                got.extend(m["args"][0])
            elif m["name"] == "event":
                got.append(m["args"][0])
        time.sleep(0.05)
    assert batches >= 1, "a busy room is sent batches"
    assert [e["reflection"]["text"].split(":")[0] for e in got] == [
        f"schrijf nu uw reflectie {i}" for i in range(count)]
    seqs = [e["seq"] for e in got]
    assert seqs == list(range(seqs[0], seqs[0] + count))  # the console's stream: every number
