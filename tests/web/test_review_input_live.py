"""The review's input items (issue 19) end to end: Unicode through the API as the
projector would show it (12), and a real eventlet server around an app that fails
outside Flask (14). tests/web/test_review_input.py has the rest."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import ORGANISER

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_unicode_that_would_break_the_projector(make_session):
    s = make_session()
    p = s.join("raadslid")["participant_token"]
    s.goto("circle")
    # a right-to-left override would turn the rest of the line around
    r = s.post(p, "Wij zien \u202eeen probleem\u202c bij de raad")
    assert r.status_code == 201 and r.json["text"] == "Wij zien een probleem bij de raad"
    # only zero-width characters: nothing to see, so empty, and nothing stored
    r = s.post(p, "\u200b\u200c\u200d\u2060\ufeff")
    assert r.status_code == 422 and r.json["error"]["field"] == "text"
    # 960 combining marks stack over the header: at most three stay on a character
    r = s.post(p, "Zalgo" + "\u0336" * 960 + " tekst")
    assert r.status_code == 201 and len(r.json["text"]) == len("Zalgo tekst") + 3
    # Dutch diacritics and emoji (with their zero-width joiners) are kept as written
    kept = "Thuiswerken 👩‍💻 is ingeburgerd, maar de coördinatie… naïef? 👍🏽"
    assert s.post(p, kept).json["text"] == kept
    texts = [r["text"] for r in s.api.get(f"/sessions/{s.code}/reflections", s.fac).json]
    assert len(texts) == 3


def test_a_real_leap_day_is_a_date_and_arabic_digits_are_no_number(api, make_session):
    assert api.post("/sessions", ORGANISER, {"title": "x", "date": "2028-02-29"}).status_code \
        == 201
    s = make_session()
    assert api.get(f"/sessions/{s.code}/events?since=١٢", s.fac).status_code == 422


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_an_error_escaping_the_app_shows_no_traceback():
    """eventlet's server as ``serve`` starts it, around an app that fails outside Flask."""
    port = _free_port()
    program = textwrap.dedent(f"""
        import eventlet
        eventlet.monkey_patch()
        from facilitator.cli import _serve_eventlet

        def app(environ, start_response):
            raise RuntimeError("secret detail in /srv/facilitator/app.py")

        _serve_eventlet(app, "127.0.0.1", {port}, 100)
        """)
    proc = subprocess.Popen([sys.executable, "-c", program], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            except urllib.error.HTTPError as err:
                body = err.read().decode("utf-8", "replace")
                assert err.code == 500
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.2)
        assert "Traceback" not in body and "secret detail" not in body and ".py" not in body
    finally:
        proc.kill()
        proc.wait()
