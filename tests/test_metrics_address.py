"""``/metrics`` on an address of its own (FACILITATOR_METRICS_ADDRESS): a real
``facilitator serve`` answers the metrics there (asking the metrics token when one is
set; without one ``check`` lets only a loopback address pass), and 404 for
``/metrics`` on the app's own port, even with the metrics token; an address that is
not host:port is a problem line of ``facilitator check``."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from facilitator import create_app
from facilitator.check import problems
from facilitator.web.observe import metrics_app
from tests.conftest import ORGANISER, UNLIMITED
from tests.redis_fixtures import free_port
from tests.test_check import good

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "metrics-token-for-tests-0123456789"


def test_the_app_answers_404_for_metrics_that_have_their_own_address(tmp_path):
    from werkzeug.test import Client

    app = create_app({"STORE": f"sqlite:///{tmp_path / 'm.db'}", "TESTING": True,
                      "ASYNC_MODE": "threading", "ORGANISER_TOKEN": ORGANISER,
                      "SECRET_KEY": "metrics-secret" * 3, "RATE_LIMITS": UNLIMITED,
                      "METRICS_TOKEN": TOKEN, "METRICS_ADDRESS": "127.0.0.1:9100"})
    try:
        web = app.test_client()
        assert web.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
                       ).status_code == 404
        assert web.get("/healthz").status_code == 200
        listener = Client(metrics_app(app))
        answer = listener.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 200 and answer.mimetype == "text/plain"
        text = answer.get_data(as_text=True)
        assert 'facilitator_connected_clients{role="participant"} 0.0' in text
        assert 'facilitator_http_requests_total{method="GET",status="200"}' in text
        assert listener.get("/").status_code == 404
        assert listener.post("/metrics").status_code == 404
    finally:
        app.extensions["facilitator.store"].close()


def test_the_listener_asks_the_metrics_token_when_one_is_set(tmp_path):
    """Without a token only a loopback address passes ``check``; with one, the listener
    asks for it, so a public address is no open door."""
    from werkzeug.test import Client

    for token in (TOKEN, None):
        app = create_app({"STORE": f"sqlite:///{tmp_path / 't.db'}", "TESTING": True,
                          "ASYNC_MODE": "threading", "ORGANISER_TOKEN": ORGANISER,
                          "SECRET_KEY": "metrics-secret" * 3, "RATE_LIMITS": UNLIMITED,
                          "METRICS_TOKEN": token, "METRICS_ADDRESS": "0.0.0.0:9100"})
        try:
            listener = Client(metrics_app(app))
            if token:
                assert listener.get("/metrics").status_code == 401
                assert listener.get("/metrics", headers={
                    "Authorization": "Bearer wrong"}).status_code == 401
                assert listener.get("/metrics", headers={
                    "Authorization": f"Bearer {TOKEN}"}).status_code == 200
            else:
                assert listener.get("/metrics").status_code == 200
        finally:
            app.extensions["facilitator.store"].close()


@pytest.mark.parametrize("address, expected", [
    ("9100", "FACILITATOR_METRICS_ADDRESS '9100' is not host:port"),
    ("localhost:99999", "is not host:port"),
    ("127.0.0.1", "is not host:port"),
])
def test_check_names_a_bad_metrics_address(tmp_path, address, expected):
    found, _ = problems(good(tmp_path, FACILITATOR_METRICS_ADDRESS=address))
    assert len(found) == 1 and expected in found[0], found
    assert problems(good(tmp_path, FACILITATOR_METRICS_ADDRESS="127.0.0.1:9100"))[0] == []
    assert problems(good(tmp_path, FACILITATOR_METRICS_ADDRESS="[::1]:9100"))[0] == []


@pytest.mark.slow
def test_serve_puts_the_metrics_on_their_own_address(tmp_path):
    port, metrics_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    env.update({"FACILITATOR_ENV": "production", "FACILITATOR_SECRET_KEY": secrets.token_hex(32),
                "FACILITATOR_ORGANISER_TOKEN": secrets.token_urlsafe(24),
                "FACILITATOR_STORE": f"sqlite:///{tmp_path / 'm.db'}",
                "FACILITATOR_METRICS_TOKEN": TOKEN,
                "FACILITATOR_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}"})
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "facilitator", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "serve.log").read_text()
            time.sleep(0.1)
        assert requests.get(base + "/metrics", timeout=5,
                            headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
        # the metrics token is set, so the listener asks for it too
        refused = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
        assert refused.status_code == 401 and "process_" not in refused.text
        scraped = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5,
                               headers={"Authorization": f"Bearer {TOKEN}"})
        assert scraped.status_code == 200, scraped.text
        assert scraped.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        # the same process's figures: the health checks just made
        [served] = [line for line in scraped.text.splitlines() if line.startswith(
            'facilitator_http_requests_total{method="GET",status="200"} ')]
        assert float(served.split()[-1]) >= 1, served
        assert "process_resident_memory_bytes" in scraped.text
        assert requests.get(f"http://127.0.0.1:{metrics_port}/", timeout=5).status_code == 404
        # and the app still stops cleanly on SIGTERM, metrics listener and all
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    text = (tmp_path / "serve.log").read_text()
    assert f"metrics on http://127.0.0.1:{metrics_port}/metrics" in text, text
    assert "Traceback" not in text, text


def test_a_taken_metrics_port_stops_the_start_with_one_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
        env.update({"FACILITATOR_STORE": f"sqlite:///{tmp_path / 'm.db'}",
                    "FACILITATOR_ASYNC_MODE": "threading",
                    "FACILITATOR_METRICS_ADDRESS": f"127.0.0.1:{busy}"})
        done = subprocess.run([sys.executable, "-m", "facilitator", "serve", "--port",
                               str(free_port())], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 2, done
    assert done.stderr.strip() == (f"facilitator: cannot serve metrics on 127.0.0.1:{busy} "
                                   "(FACILITATOR_METRICS_ADDRESS): [Errno 98] Address already "
                                   "in use"), done.stderr
