"""Operating the app: structured logs and Prometheus metrics.

* ``FACILITATOR_LOG_FORMAT=json``: one JSON line per HTTP request and per
  Socket.IO event handled, each with a request id (the proxy's
  ``X-Request-ID`` when it sends one, else a new one, returned in the
  response's ``X-Request-ID``).  Paths are logged as their route
  (``/f/<code>/<token>``), never with the secret in them.
* ``/metrics`` in the Prometheus text format, only with
  ``Authorization: Bearer <FACILITATOR_METRICS_TOKEN>``; without that setting
  the endpoint does not exist (404).  Or, with ``FACILITATOR_METRICS_ADDRESS``
  (``127.0.0.1:9100``), on a listener of its own at that address
  (``metrics_app``, started by ``facilitator serve``), where the token is asked
  only when one is set (``facilitator check`` lets only a loopback address do
  without); the app itself then answers 404 for
  ``/metrics``.  Per worker process: connected clients per role, Socket.IO
  events (their rate is events per second), ack latency, HTTP requests, store
  call latency.
"""

from __future__ import annotations

import hmac
import json
import logging
import sys
import time
import uuid
from collections import Counter as Tally
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from ..store import base as store_base

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
EVENTS = Counter("facilitator_socket_events", "Socket.IO events handled",
                 ["event", "outcome"], registry=REGISTRY)
ACK_SECONDS = Histogram("facilitator_ack_seconds", "time from a Socket.IO event to its ack",
                        ["event"], buckets=_LATENCY, registry=REGISTRY)
REQUESTS = Counter("facilitator_http_requests", "HTTP requests answered",
                   ["method", "status"], registry=REGISTRY)
REQUEST_SECONDS = Histogram("facilitator_http_seconds", "time to answer an HTTP request",
                            buckets=_LATENCY, registry=REGISTRY)
STORE_SECONDS = Histogram("facilitator_store_seconds", "time of one store call", ["call"],
                          buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                   0.25, 1.0, 5.0),
                          registry=REGISTRY)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

access = logging.getLogger("facilitator.access")
_json_logs = {"on": False}


class _Connected:
    """Connected Socket.IO clients per role, counted at scrape time from realtime's table."""

    def describe(self):
        return []

    def collect(self):
        connections = current_app.extensions["facilitator.live"].connections
        family = GaugeMetricFamily("facilitator_connected_clients",
                                   "Socket.IO clients connected to this worker", labels=["role"])
        counts = Tally(str(c.actor.role.value) for c in list(connections.values()))
        for role in ("participant", "facilitator", "screen", "organiser"):
            counts.setdefault(role, 0)
        for role, n in sorted(counts.items()):
            family.add_metric([role], n)
        yield family


REGISTRY.register(_Connected())


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extras."""

    FIELDS = ("request_id", "kind", "method", "route", "status", "ms", "event", "role", "ok",
              "error")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage()}
        for name in self.FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def use_json_logs() -> None:
    """Every log line of the process as JSON on stderr (once per process)."""
    if _json_logs["on"]:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    _json_logs["on"] = True


def _observe_store(call: str, seconds: float) -> None:
    STORE_SECONDS.labels(call).observe(seconds)


def init_app(app: Flask) -> None:
    """Request ids, the access log in JSON mode, metrics and the /metrics endpoint."""
    cfg = app.config["FACILITATOR"]
    json_logs = (cfg.get("LOG_FORMAT") or "text").lower() == "json"
    if json_logs:
        use_json_logs()
    store_base.hooks["on_call"] = _observe_store
    token = cfg.get("METRICS_TOKEN") or ""
    separate = bool(cfg.get("METRICS_ADDRESS"))

    @app.before_request
    def start_request() -> None:
        g.request_started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if 0 < len(given) <= 64 and given.isprintable() \
            else uuid.uuid4().hex[:16]

    @app.after_request
    def finish_request(response):
        started = g.pop("request_started", None)
        if started is None:
            return response
        seconds = time.perf_counter() - started
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        if request.endpoint == "metrics":
            return response
        REQUESTS.labels(request.method, str(response.status_code)).inc()
        REQUEST_SECONDS.observe(seconds)
        if json_logs:
            # the route, not the path: secret links never reach the log
            route = request.url_rule.rule if request.url_rule else "(unrouted)"
            access.info("request", extra={
                "kind": "http", "request_id": g.get("request_id"), "method": request.method,
                "route": route, "status": response.status_code, "ms": round(seconds * 1000, 1)})
        return response

    @app.route("/metrics")
    def metrics():
        """Prometheus text format; only with the metrics token (404 when none is set, and
        when the metrics have an address of their own)."""
        if not token or separate:
            abort(404)
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return Response("metrics need Authorization: Bearer <FACILITATOR_METRICS_TOKEN>\n",
                            status=401, mimetype="text/plain",
                            headers={"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(REGISTRY), status=200, content_type=CONTENT_TYPE)


def metrics_app(app: Flask) -> Callable[..., Any]:
    """The WSGI app of the metrics listener (``FACILITATOR_METRICS_ADDRESS``): ``GET
    /metrics`` in the Prometheus text format; anything else 404. No token is asked
    unless ``FACILITATOR_METRICS_TOKEN`` is set (``facilitator check`` lets only a
    loopback address do without one)."""
    token = app.config["FACILITATOR"].get("METRICS_TOKEN") or ""

    def serve_metrics(environ: dict[str, Any], start_response: Callable[..., Any]):
        if environ.get("PATH_INFO") != "/metrics" or environ.get("REQUEST_METHOD") not in (
                "GET", "HEAD"):
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"not found: the metrics are at /metrics\n"]
        given = environ.get("HTTP_AUTHORIZATION", "")
        if token and not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            start_response("401 Unauthorized", [("Content-Type", "text/plain; charset=utf-8"),
                                                ("WWW-Authenticate", "Bearer")])
            return [b"metrics need Authorization: Bearer <FACILITATOR_METRICS_TOKEN>\n"]
        with app.app_context():  # the connected-clients gauge reads the app's live table
            body = generate_latest(REGISTRY)
        start_response("200 OK", [("Content-Type", CONTENT_TYPE),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return serve_metrics


def socket_event(name: str,
                 handler: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """``handler`` of one Socket.IO event, counted, timed and (in JSON mode) logged."""

    def observed(data: Any = None) -> dict[str, Any]:
        started = time.perf_counter()
        answer = handler(data)
        seconds = time.perf_counter() - started
        ok = bool(answer.get("ok")) if isinstance(answer, dict) else False
        error = None if ok or not isinstance(answer, dict) else (
            (answer.get("error") or {}).get("code"))
        EVENTS.labels(name, "ok" if ok else (error or "error")).inc()
        ACK_SECONDS.labels(name).observe(seconds)
        if _json_logs["on"]:
            connection = current_app.extensions["facilitator.live"].connections.get(
                request.sid)
            actor = connection.actor if connection else None
            access.info("event", extra={
                "kind": "socket", "request_id": uuid.uuid4().hex[:16], "event": name,
                "role": str(getattr(getattr(actor, "role", None), "value", "")) or None,
                "ok": ok, "error": error, "ms": round(seconds * 1000, 1)})
        return answer

    observed.__name__ = handler.__name__
    return observed
