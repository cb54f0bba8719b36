"""Starting the server: eventlet patches the standard library before anything
that creates locks or sockets is imported, and the server starts clean."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_importing_the_package_loads_no_web_or_async_library():
    code = ("import facilitator, facilitator.cli, sys; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'flask', 'werkzeug', 'redis', 'eventlet', 'gevent', 'socketio', 'engineio'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True)
    assert out.stdout.strip() == "[]"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["eventlet", "threading"])
def test_serve_starts_clean(tmp_path, mode):
    port = free_port()
    env = {**os.environ, "FACILITATOR_ASYNC_MODE": mode,
           "FACILITATOR_STORE": f"sqlite:///{tmp_path / 's.db'}",
           "FACILITATOR_SECRET_KEY": "k", "FACILITATOR_ORGANISER_TOKEN": "organiser-token-1"}
    proc = subprocess.Popen([sys.executable, "-m", "facilitator", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    assert "Traceback" not in output and "monkey_patch" not in output, output
