"""Shared fixtures: one app per test run (isolation by session code), factories
for sessions and participants, and API and Socket.IO helpers."""

from __future__ import annotations

from typing import Any

import pytest

from facilitator import create_app
from facilitator.ratelimit import LIMITS
from facilitator.realtime import socketio
from tests.browser.catalogs import compile_catalogs
from tests.redis_fixtures import clean_redis_url, redis_url  # noqa: F401  (fixtures)

# Flask-Babel caches catalogs on first use, so compile them before any app answers.
compile_catalogs()

#: The shared test app must not trip over limits; tests/web/test_limits.py tests them.
UNLIMITED = {name: (10**9, window) for name, (_count, window) in LIMITS.items()}


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """One app on a temporary SQLite file, threading mode (the test client's mode)."""
    db = tmp_path_factory.mktemp("db") / "test.db"
    return create_app({"STORE": f"sqlite:///{db}", "TESTING": True, "ASYNC_MODE": "threading",
                       "ORGANISER_TOKEN": "organiser-secret-for-tests",
                       "SECRET_KEY": "test-secret-key", "RATE_LIMITS": UNLIMITED})


@pytest.fixture
def client(app):
    """A fresh HTTP client (its own cookie jar)."""
    return app.test_client()


@pytest.fixture
def ops(app):
    """The app's operations."""
    return app.extensions["facilitator.ops"]


class Api:
    """A thin JSON client for /api with bearer tokens."""

    def __init__(self, client):
        self.client = client

    def call(self, method: str, path: str, token: str | None = None, json: Any = None,
             **kwargs: Any):
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(f"/api{path}", method=method, json=json, headers=headers,
                                **kwargs)

    def get(self, path, token=None, **kw):
        return self.call("GET", path, token, **kw)

    def post(self, path, token=None, json=None, **kw):
        return self.call("POST", path, token, json, **kw)

    def patch(self, path, token=None, json=None, **kw):
        return self.call("PATCH", path, token, json, **kw)


@pytest.fixture
def api(client):
    """JSON API helper."""
    return Api(client)


ORGANISER = "organiser-secret-for-tests"


class Session:
    """A workshop created through the API, with helpers to drive it."""

    def __init__(self, api: Api, created: dict[str, Any]):
        self.api = api
        self.code = created["code"]
        self.fac = created["facilitator_token"]
        self.screen = created["screen_token"]
        self.created = created

    def join(self, perspective: str = "raadslid", name: str | None = None) -> dict[str, Any]:
        body = {"perspective": perspective}
        if name:
            body["name"] = name
        response = self.api.post(f"/sessions/{self.code}/participants", json=body)
        assert response.status_code == 201, response.json
        return response.json

    def goto(self, kind: str) -> None:
        """Open the first step of a kind (facilitator)."""
        steps = self.api.get(f"/sessions/{self.code}").json["steps"]
        step = next(s for s in steps if s["kind"] == kind)
        response = self.api.post(f"/sessions/{self.code}/steps/current", self.fac,
                                 {"step": step["id"]})
        assert response.status_code == 200, response.json

    def post(self, token: str, text: str, **extra: Any):
        return self.api.post(f"/sessions/{self.code}/reflections", token,
                             {"text": text, **extra})


@pytest.fixture
def make_session(api):
    """Factory: make_session(**spec) -> Session, created by the organiser over the API."""

    def make(**spec: Any) -> Session:
        spec.setdefault("title", "Testsessie")
        response = api.post("/sessions", ORGANISER, spec)
        assert response.status_code == 201, response.json
        return Session(api, response.json)

    return make


@pytest.fixture
def sio(app):
    """Factory for Flask-SocketIO test clients: sio(token, code=None)."""
    clients = []

    def connect(token: str | None, code: str | None = None):
        auth = {"token": token} if token else None
        if auth and code:
            auth["code"] = code
        c = socketio.test_client(app, auth=auth)
        clients.append(c)
        return c

    yield connect
    for c in clients:
        if c.is_connected():
            c.disconnect()
