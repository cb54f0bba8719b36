"""SIGTERM with live clients (a restart by the service manager): the worker stops
accepting, drops every live connection's transport so the pages reconnect by
themselves (not the "server disconnect" after which a Socket.IO client stays away),
lets requests under way finish and exits 0 within moments. The pages reconnect to
the restarted worker and carry on; what they post afterwards is stored."""

from __future__ import annotations

import json
import time

import pytest

from tests.scale.harness import Api, wait_until

pytestmark = pytest.mark.slow


def test_sigterm_with_live_clients(tmp_path, spawn, live):
    store = f"sqlite:///{tmp_path / 'sigterm.db'}"
    first = spawn("first", store=store, env={"FACILITATOR_LOG_FORMAT": "json"})
    api = Api(first.url)
    session = api.create_session()
    code = session["code"]
    people = [api.join(code, p) for p in ("raadslid", "vakbond")]
    api.step(code, session["facilitator_token"], "eigen-kring")
    phones = [live(first, p["participant_token"], code, name=f"phone{i}")
              for i, p in enumerate(people)]
    console = live(first, session["facilitator_token"], code, name="console")
    assert all(c.connects == 1 for c in (*phones, console))
    assert phones[1].call("seq", {})["ok"]

    started = time.monotonic()
    first.proc.send_signal(15)
    assert first.proc.wait(10) == 0, first.log_tail()
    took = time.monotonic() - started
    assert took < 5, f"SIGTERM took {took:.1f}s"
    log = first.logfile.read_text()
    assert "SIGTERM" in log and "facilitator: stopped" in log and "Traceback" not in log
    # JSON logs in a real eventlet worker: a line per request and per Socket.IO event
    lines = [json.loads(x) for x in log.splitlines() if x.startswith("{")]
    assert any(x.get("kind") == "http" and x.get("route") == "/api/sessions" for x in lines)
    assert any(x.get("kind") == "socket" and x.get("request_id") for x in lines), lines[-5:]
    assert session["facilitator_token"] not in log

    # the same port again, as systemd restarts it: every page comes back by itself
    second = spawn("second", store=store, port=first.port)
    for client in (*phones, console):
        wait_until(lambda c=client: c.connects >= 2 and c.connected, 15,
                   message=f"{client.name} to reconnect")
    phones[0].post("Na de herstart", client_id="after-restart")
    wait_until(lambda: phones[0].pending == 0, 10, message="the post after the restart")
    wait_until(lambda: "Na de herstart" in console.texts(), 10, message="the console")
    assert second.proc.poll() is None
