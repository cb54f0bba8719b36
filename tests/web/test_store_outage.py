"""A store that cannot answer for a moment (here: SQLite locked by another process past
its busy timeout) is answered honestly: 503 with Retry-After and the code
``store_unavailable`` over HTTP, the same code in a Socket.IO ack, in the user's
language; never a 500. The Redis outage under load is in tests/scale/test_two_workers.py."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest


@contextmanager
def locked(app):
    """Another connection holds the write lock; the app's store gives up after 50 ms."""
    store = app.extensions["facilitator.store"]
    store._db.execute("PRAGMA busy_timeout=50")
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        store._db.execute("PRAGMA busy_timeout=10000")


@pytest.mark.parametrize("language, message", [
    ("nl", "Even geduld, we proberen het opnieuw."),
    ("en", "One moment please, we are trying again."),
])
def test_http_write_during_an_outage_is_503_with_retry_after(app, api, make_session,
                                                             language, message):
    session = make_session()
    steps = api.get(f"/sessions/{session.code}").json["steps"]
    with locked(app):
        answer = api.post(f"/sessions/{session.code}/steps/current", session.fac,
                          {"step": steps[1]["id"]}, headers={"Accept-Language": language})
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.json["error"]["code"] == "store_unavailable"
    assert answer.json["error"]["message"] == message
    # and once the lock is gone, the same request simply works
    again = api.post(f"/sessions/{session.code}/steps/current", session.fac,
                     {"step": steps[1]["id"]})
    assert again.status_code == 200, again.json


def test_socket_ack_during_an_outage_has_the_same_code(app, make_session, sio):
    session = make_session()
    me = session.join()
    session.goto("circle")
    phone = sio(me["participant_token"], session.code)
    with locked(app):
        ack = phone.emit("post", {"text": "Tijdens de storing", "client_id": "outage-1"},
                         callback=True)
    assert ack["ok"] is False
    assert ack["error"]["code"] == "store_unavailable"
    assert ack["error"]["retry_after"] == 5
    # the outbox sends the same client id again: stored once
    ack = phone.emit("post", {"text": "Tijdens de storing", "client_id": "outage-1"},
                     callback=True)
    assert ack["ok"] is True, ack


def test_outbox_waits_on_store_unavailable():
    """static/js/outbox.js keeps the item waiting (a transient answer), not failed."""
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "static" / "js" / "outbox.js").read_text()
    transient = source[source.index("const TRANSIENT"):source.index(");", source.index(
        "const TRANSIENT"))]
    assert '"store_unavailable"' in transient
