"""Review item 10 (issue 19): WebSockets that never send the Socket.IO CONNECT are
closed after FACILITATOR_HANDSHAKE_TIMEOUT, so they cannot hold connection slots and
starve /healthz; a page that does connect stays."""

from __future__ import annotations

import time

import pytest
import requests
import websocket

from tests.scale.harness import ORGANISER

pytestmark = pytest.mark.slow


def silent_socket(url: str) -> websocket.WebSocket:
    """An Engine.IO WebSocket that opens and then says nothing (no ``40`` CONNECT)."""
    ws = websocket.create_connection(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=10)
    assert ws.recv().startswith("0{")  # the Engine.IO open packet
    return ws


def test_silent_websockets_are_closed_and_healthz_keeps_answering(spawn, live, tmp_path):
    worker = spawn("w", store=f"sqlite:///{tmp_path / 'h.db'}",
                   env={"FACILITATOR_HANDSHAKE_TIMEOUT": "2",
                        "FACILITATOR_MAX_CONNECTIONS": "40"})
    created = requests.post(f"{worker.url}/api/sessions", json={"title": "Deventer"},
                            headers={"Authorization": f"Bearer {ORGANISER}"}, timeout=10).json()
    page = live(worker, created["facilitator_token"], created["code"])
    silent = [silent_socket(worker.url) for _ in range(30)]
    started = time.monotonic()
    closed = 0
    for ws in silent:
        ws.settimeout(8)
        try:
            while ws.recv() not in ("", None):
                pass  # pings, until the server closes the socket
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            pass
        finally:
            ws.shutdown()  # close() skips the socket once the server has closed it
        closed += 1
    assert closed == 30 and time.monotonic() - started < 10
    # the slots are free again: the server answers, and new pages connect
    assert requests.get(f"{worker.url}/healthz", timeout=5).status_code == 200
    late = live(worker, created["screen_token"], created["code"])
    assert late.call("seq")["ok"]
    # the page that did its handshake was not touched
    assert page.call("seq")["ok"]
