"""Operating the app: /metrics (Prometheus text, only with the metrics token) and the
JSON log lines (one per request and per Socket.IO event, with a request id, never a
secret link)."""

from __future__ import annotations

import json
import logging

import pytest

from facilitator import create_app
from facilitator.realtime import socketio
from facilitator.web import observe
from tests.conftest import ORGANISER, UNLIMITED

METRICS_TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def metered(tmp_path, monkeypatch):
    # JSON mode without taking over the test run's logging: the flag only
    monkeypatch.setattr(observe, "use_json_logs", lambda: observe._json_logs.update(on=True))
    monkeypatch.setitem(observe._json_logs, "on", False)
    application = create_app({"STORE": f"sqlite:///{tmp_path / 'm.db'}", "TESTING": True,
                              "ASYNC_MODE": "threading", "ORGANISER_TOKEN": ORGANISER,
                              "SECRET_KEY": "metrics-secret" * 3, "RATE_LIMITS": UNLIMITED,
                              "METRICS_TOKEN": METRICS_TOKEN, "LOG_FORMAT": "json"})
    yield application
    application.extensions["facilitator.store"].close()


def test_no_metrics_without_a_token_configured(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(metered):
    client = metered.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {ORGANISER}"}
                      ).status_code == 401  # the organiser's token is not the metrics token
    ok = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert ok.status_code == 200 and ok.mimetype == "text/plain"


def test_metrics_count_clients_events_and_store_calls(metered, caplog):
    client = metered.test_client()
    h = {"Authorization": f"Bearer {ORGANISER}"}
    s = client.post("/api/sessions", json={"title": "Meten"}, headers=h).json
    me = client.post(f"/api/sessions/{s['code']}/participants",
                     json={"perspective": "raadslid"}).json
    phone = socketio.test_client(metered, auth={"token": me["participant_token"],
                                                "code": s["code"]})
    try:
        with caplog.at_level(logging.INFO, logger="facilitator.access"):
            ack = phone.emit("seq", {}, callback=True)
            assert ack["ok"], ack
            client.get(f"/f/{s['code']}/{s['facilitator_token']}",
                       headers={"X-Request-ID": "from-nginx-1"})
        text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
                          ).get_data(as_text=True)
    finally:
        phone.disconnect()
    assert 'facilitator_connected_clients{role="participant"} 1.0' in text
    assert 'facilitator_socket_events_total{event="seq",outcome="ok"}' in text
    assert 'facilitator_ack_seconds_count{event="seq"}' in text
    assert 'facilitator_store_seconds_count{call="get_workshop"}' in text
    assert 'facilitator_http_requests_total{method="POST",status="201"}' in text

    lines = [json.loads(observe.JsonFormatter().format(r)) for r in caplog.records
             if r.name == "facilitator.access"]
    event = next(x for x in lines if x.get("kind") == "socket")
    assert event["event"] == "seq" and event["ok"] is True and event["role"] == "participant"
    assert len(event["request_id"]) == 16 and event["ms"] >= 0
    page = next(x for x in lines if x.get("kind") == "http")
    assert page["request_id"] == "from-nginx-1" and page["status"] in (200, 302)
    # the route is logged, not the path with the facilitator's secret in it
    assert s["facilitator_token"] not in json.dumps(lines)
    assert page["route"] == "/f/<code>/<token>"


def test_every_answer_carries_a_request_id(client):
    answer = client.get("/healthz")
    assert len(answer.headers["X-Request-ID"]) == 16
    assert client.get("/healthz", headers={"X-Request-ID": "abc"}).headers["X-Request-ID"] \
        == "abc"
