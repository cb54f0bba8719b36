"""Review items 10 and 11 (issue 19) against a real eventlet worker: Socket.IO
connections are capped per process and per address, with slots kept for plain HTTP
(so /healthz answers with every socket slot taken), and malformed packets cost the
connection's budget, close a connection that keeps sending them and write no
traceback."""

from __future__ import annotations

import json

import pytest
import requests
import websocket

from tests.scale.harness import ORGANISER

pytestmark = pytest.mark.slow


def engineio_socket(url: str) -> websocket.WebSocket:
    """An Engine.IO WebSocket, opened (the ``0{...}`` packet read)."""
    ws = websocket.create_connection(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=10)
    assert ws.recv().startswith("0{")
    return ws


def connect(ws: websocket.WebSocket, created: dict) -> None:
    """Send the Socket.IO CONNECT with the screen's secret; read until it is accepted
    (the snapshot may come first)."""
    ws.send("40" + json.dumps({"token": created["screen_token"], "code": created["code"]}))
    for _ in range(5):
        if ws.recv().startswith("40{"):
            return
    raise AssertionError("not connected")


def refused(url: str) -> bool:
    ws = websocket.WebSocket()
    try:
        ws.connect(url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
                   timeout=10)
    except websocket.WebSocketBadStatusException:
        return True
    finally:
        ws.close()
    return False


def test_sockets_are_capped_and_healthz_keeps_a_slot(spawn, tmp_path):
    worker = spawn("w", store=f"sqlite:///{tmp_path / 'c.db'}",
                   env={"FACILITATOR_MAX_CONNECTIONS": "6",
                        "FACILITATOR_MAX_CONNECTIONS_PER_ADDRESS": "4",
                        "FACILITATOR_HANDSHAKE_TIMEOUT": "60"})
    held = [engineio_socket(worker.url) for _ in range(4)]
    assert refused(worker.url)  # a fifth from this address
    # every socket slot from here taken and silent: plain HTTP still answers at once
    assert requests.get(f"{worker.url}/healthz", timeout=3).status_code == 200
    held.pop().close()
    held.append(engineio_socket(worker.url))  # a slot freed is a slot again
    for ws in held:
        ws.close()


def test_the_process_cap_leaves_http_its_slots(spawn, tmp_path):
    worker = spawn("w", store=f"sqlite:///{tmp_path / 'c.db'}",
                   env={"FACILITATOR_MAX_CONNECTIONS": "3",
                        "FACILITATOR_HANDSHAKE_TIMEOUT": "60"})
    held = [engineio_socket(worker.url) for _ in range(3)]
    assert refused(worker.url)
    for _ in range(5):
        assert requests.get(f"{worker.url}/healthz", timeout=3).status_code == 200
    for ws in held:
        ws.close()


def test_malformed_packets_are_dropped_quietly_and_end_the_connection(spawn, tmp_path):
    worker = spawn("w", store=f"sqlite:///{tmp_path / 'm.db'}")
    created = requests.post(f"{worker.url}/api/sessions", json={"title": "Deventer"},
                            headers={"Authorization": f"Bearer {ORGANISER}"}, timeout=10).json()
    before = worker.logfile.read_text(errors="replace").count("\n")
    ws = engineio_socket(worker.url)
    connect(ws, created)
    junk = ['42["post"', "42{}", "42[1]", '42["seq",1,2,3]', "4\x00\xff", "47", '43/x,["a"]']
    closed = False
    sent = 0
    try:
        for i in range(100):
            ws.send(junk[i % len(junk)])
            sent += 1
    except (websocket.WebSocketConnectionClosedException, BrokenPipeError,
            ConnectionResetError):
        closed = True
    if not closed:  # the close may only show when reading
        ws.settimeout(5)
        try:
            while ws.recv():
                pass
        except (websocket.WebSocketConnectionClosedException, ConnectionResetError, OSError):
            pass
        closed = not ws.connected
    ws.shutdown()  # the server closed it; this closes our end too
    assert closed, sent
    log = worker.logfile.read_text(errors="replace")
    assert "Traceback" not in log
    assert log.count("\n") - before <= 2, log[-2000:]
    # the worker is fine, and a well-behaved page still connects
    assert requests.get(f"{worker.url}/healthz", timeout=3).status_code == 200
    page = engineio_socket(worker.url)
    connect(page, created)
    page.close()


def test_behind_a_proxy_socket_guesses_count_for_the_client_not_the_proxy(spawn, tmp_path):
    # the wrong-code limit (60 a minute by default) counted in a window of an hour: the
    # guesses cannot straddle the fixed window's boundary and be counted in two
    worker = spawn("w", store=f"sqlite:///{tmp_path / 'p.db'}",
                   env={"FACILITATOR_PROXY_FIX": "1",
                        "FACILITATOR_RATE_LIMITS": "code_miss=20/3600"})
    guesser = ["X-Forwarded-For: 203.0.113.9"]
    for i in range(21):
        ws = websocket.create_connection(
            worker.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
            timeout=10, header=guesser)
        try:
            assert ws.recv().startswith("0{")
            ws.send("40" + json.dumps({"token": "g" * 32, "code": f"{i:06d}"}))
            assert ws.recv().startswith("44")  # refused
        finally:
            ws.close()
    # the guessing client is stopped, over HTTP too; everyone else behind the proxy is not
    assert requests.get(f"{worker.url}/api/sessions/ZZZZZZ", timeout=5,
                        headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    assert requests.get(f"{worker.url}/api/sessions/ZZZZZZ", timeout=5,
                        headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 404
