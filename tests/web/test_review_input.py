"""Review issue 19, items 6, 11, 16 over HTTP: bad input is a clear 422, never a 500."""

import json
import subprocess
import sys
import time

import pytest

from tests.conftest import ORGANISER
from tests.domain.test_validation import LAUGHS


@pytest.mark.parametrize("since", ["²", "٣", "1" * 20, "-1", "1e3"])
def test_events_since_is_strict(make_session, api, since):
    s = make_session()
    response = api.get(f"/sessions/{s.code}/events?since={since}", s.fac)
    assert response.status_code == 422
    assert response.json["field"] == "since" if "field" in response.json else True


@pytest.mark.parametrize("spec, field", [
    ({"circles": [{"name": "A", "perspectives": [["a"]]}]}, "circles[0].perspectives"),
    ({"circles": [{"name": "A", "perspectives": [{"x": 1}]}]}, "circles[0].perspectives"),
    ({"date": "2026-13-45"}, "date"),
    ({"date": "2026-02-30"}, "date"),
    ({"findings": [{"id": ["x"], "title": "T"}]}, "findings[0].id"),
])
def test_bad_spec_fields_are_422(api, spec, field):
    response = api.post("/sessions", ORGANISER, {"title": "T", **spec})
    assert response.status_code == 422, response.json
    assert field in json.dumps(response.json)


def test_billion_laughs_via_cli(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS)
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "facilitator", "create", str(path)],
                            capture_output=True, text=True, timeout=30,
                            env={"FACILITATOR_DB": str(tmp_path / "db.sqlite"),
                                 "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "alias" in result.stderr.lower() or "anker" in result.stderr.lower(), result.stderr
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("start", ["25:99", "24:00", "9:5", "12:60"])
def test_bad_step_time_is_422(api, start):
    spec = {"title": "T", "programme": [{"title": "Open", "kind": "welcome", "start": start}]}
    response = api.post("/sessions", ORGANISER, spec)
    assert response.status_code == 422, response.json
    assert "programme[0].start" in json.dumps(response.json)


def test_export_content_types_have_one_charset(make_session, api):
    from facilitator.domain.export import FORMATS

    s = make_session()
    for fmt in FORMATS:
        response = api.get(f"/sessions/{s.code}/export?format={fmt}", s.fac)
        assert response.status_code == 200, fmt
        assert response.headers["Content-Type"].lower().count("charset") <= 1, fmt


@pytest.mark.filterwarnings("ignore")  # eventlet warns of its own deprecation on import
def test_eventlet_server_runs_without_debug_tracebacks(monkeypatch):
    """Item 14: eventlet's debug=True sends a traceback with paths to the client."""
    import eventlet.wsgi

    from facilitator import cli

    seen = {}
    monkeypatch.setattr(eventlet.wsgi, "server", lambda *a, **kw: seen.update(kw))
    monkeypatch.setattr(eventlet, "listen", lambda *a, **kw: None)
    cli._serve_eventlet(lambda env, start: [], "127.0.0.1", 0, 10)
    assert seen.get("debug") is False


def test_billion_laughs_via_organiser_form(client):
    client.post("/organiser/login", data={"token": ORGANISER})
    start = time.monotonic()
    response = client.post("/organiser/new", data={"title": "Lach", "spec": LAUGHS})
    assert response.status_code == 422
    assert time.monotonic() - start < 1
