"""A raw python-socketio client against a real server process: without a token,
with a token of another session, or with another role's token, no event gets
through, and the server stays up and answers errors, not silence."""

from __future__ import annotations

import pytest
import socketio

from tests.expected_rules import EXPECTED
from tests.scale.harness import Api

pytestmark = pytest.mark.slow

EVENTS = {
    "post": {"text": "Van buiten"}, "share": {"reflection": "x", "shared": True},
    "react": {"reflection": "x", "kind": "agree"},
    "endorse": {"conclusion": "x", "kind": "support"}, "conclude": {"text": "Nee"},
    "lock": {"locked": True}, "spotlight": {"reflection": None},
    "hide": {"reflection": "x", "hidden": True}, "step": {"step": "next"},
    "screen": {"blank": True}, "edit_conclusion": {"conclusion": "x", "text": "y"},
    "group": {"name": "x", "reflections": ["x"]}, "pattern_conclusion": {"pattern": "x"},
    "pin_pattern": {"pattern": None}, "patterns": {},
}


def raw_client(url: str, auth: dict | None) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    try:
        client.connect(url, auth=auth, transports=["websocket"], wait_timeout=5)
    except socketio.exceptions.ConnectionError:
        pass
    return client


def test_wrong_or_missing_tokens_never_act(spawn, tmp_path):
    worker = spawn("w", store=f"sqlite:///{tmp_path / 'raw.db'}", mode="eventlet")
    api = Api(worker.url)
    session, other = api.create_session(), api.create_session()
    code = session["code"]
    participant = api.join(code, "burger")
    # refused at the door: nothing, garbage, another session's secret, a token without code
    for auth in (None, {"token": "x" * 40, "code": code},
                 {"token": other["facilitator_token"], "code": code},
                 {"token": session["facilitator_token"]}, {"code": code}):
        client = raw_client(worker.url, auth)
        assert not client.connected, auth
        client.disconnect()
    # inside with one role: every other role's event is answered with an error
    for role, token in (("screen", session["screen_token"]),
                        ("participant", participant["participant_token"])):
        client = raw_client(worker.url, {"token": token, "code": code})
        assert client.connected
        for name, payload in EVENTS.items():
            answer = client.call(name, payload, timeout=10)
            allowed_somewhere = bool(EXPECTED.get(name, {}).get(role))
            if not allowed_somewhere:
                assert answer["ok"] is False, (role, name, answer)
                assert answer["error"]["code"] in {"forbidden", "not_allowed_now",
                                                   "not_found", "invalid"}, answer
        assert client.connected
        client.disconnect()
    # nothing changed: the session is where it was, with no reflection and no conclusion
    snapshot = api.call("GET", f"/sessions/{code}/snapshot", session["facilitator_token"])
    assert snapshot["workshop"]["state"]["current_step"] is None
    assert snapshot["reflections"] == [] and snapshot["conclusions"] == []
    assert "Traceback" not in worker.log_tail(200)
    api.close()
