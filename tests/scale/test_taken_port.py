"""A second ``facilitator serve`` on a port a running server holds refuses to start, in
every async mode: one line and a non-zero exit, and the first keeps serving alone (with
SO_REUSEPORT, eventlet's default, the second started and the kernel split the requests
between old and new code)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from tests.scale.harness import REPO

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("mode", ["eventlet", "gevent", "threading"])
def test_a_second_server_on_a_taken_port_refuses_to_start(tmp_path, spawn, mode):
    first = spawn("first", store=f"sqlite:///{tmp_path / 'first.db'}", mode=mode)
    env = first.environ()
    env["FACILITATOR_STORE"] = f"sqlite:///{tmp_path / 'second.db'}"
    try:
        second = subprocess.run(
            [sys.executable, "-m", "facilitator", "serve", "--host", "127.0.0.1",
             "--port", str(first.port)], cwd=REPO, env=env, capture_output=True, text=True,
            timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("a second server started on the taken port")
    assert second.returncode == 2, (second.returncode, second.stdout, second.stderr)
    assert second.stderr.strip() == (f"facilitator: cannot serve on 127.0.0.1:{first.port}: "
                                     "[Errno 98] Address already in use"), second.stderr
    assert "serving on" not in second.stdout
    for _ in range(20):
        assert requests.get(f"{first.url}/healthz", timeout=5).status_code == 200
    assert first.running


def test_a_restart_binds_the_port_its_predecessor_just_left(tmp_path, spawn):
    """SO_REUSEADDR stays: the old server's connections in TIME_WAIT do not keep the next
    one from the port."""
    store = f"sqlite:///{tmp_path / 'same.db'}"
    first = spawn("first", store=store)
    with requests.Session() as browser:  # a connection the server closes on its stop
        assert browser.get(f"{first.url}/healthz", timeout=5).status_code == 200
        first.stop()
    again = spawn("again", store=store, port=first.port)
    assert requests.get(f"{again.url}/healthz", timeout=5).status_code == 200
