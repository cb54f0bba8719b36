"""Access by secret links and cookies, production configuration, headers,
CSRF and escaping."""

from __future__ import annotations

import pytest

from facilitator import config, create_app
from tests.conftest import ORGANISER


def test_production_refuses_to_start_without_secrets():
    with pytest.raises(config.ConfigError):
        config.load(environ={"FACILITATOR_ENV": "production"})
    with pytest.raises(config.ConfigError):
        config.load(environ={"FACILITATOR_ENV": "production", "FACILITATOR_SECRET_KEY": "k"})
    # weak secrets (the review's "x" and "a") are refused in production
    with pytest.raises(config.ConfigError, match="too short"):
        config.load(environ={"FACILITATOR_ENV": "production", "FACILITATOR_SECRET_KEY": "x",
                             "FACILITATOR_ORGANISER_TOKEN": "a" * 20})
    with pytest.raises(config.ConfigError, match="ORGANISER_TOKEN is too short"):
        config.load(environ={"FACILITATOR_ENV": "production", "FACILITATOR_SECRET_KEY": "k" * 40,
                             "FACILITATOR_ORGANISER_TOKEN": "a"})
    strong = "s" * 40
    cfg = config.load(environ={"FACILITATOR_ENV": "production", "FACILITATOR_SECRET_KEY": strong,
                               "FACILITATOR_ORGANISER_TOKEN": "t" * 16})
    assert cfg["SECRET_KEY"] == strong and not cfg.get("GENERATED_SECRET_KEY")
    dev = config.load(environ={})
    assert dev["GENERATED_ORGANISER_TOKEN"] and len(dev["ORGANISER_TOKEN"]) >= 20


def test_security_headers(client):
    response = client.get("/join")
    csp = response.headers["Content-Security-Policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "frame-ancestors" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_secret_links_become_cookies(client, make_session):
    s = make_session()
    response = client.get(f"/f/{s.code}/{s.fac}")
    assert response.status_code == 302 and response.headers["Location"] == f"/f/{s.code}"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get(f"/f/{s.code}").status_code == 200
    assert client.get(f"/f/{s.code}/{s.screen}").status_code == 404  # wrong role's secret
    stranger = client.application.test_client()
    assert stranger.get(f"/f/{s.code}").status_code == 403
    assert stranger.get(f"/s/{s.code}").status_code == 403
    assert stranger.get(f"/f/{s.code}/{'x' * 32}").status_code == 404


def test_participant_cookie_rejoins_the_same_participant(client, make_session):
    s = make_session()
    r = client.post(f"/j/{s.code}", data={"perspective": "burger"})
    assert r.status_code == 302
    assert client.get(f"/p/{s.code}").status_code == 200
    again = client.get(f"/j/{s.code}")
    assert again.status_code == 302 and again.headers["Location"] == f"/p/{s.code}"
    snap = s.api.get(f"/sessions/{s.code}/snapshot", s.fac).json
    assert len(snap["participants"]) == 1
    fresh = client.application.test_client()
    assert fresh.get(f"/p/{s.code}").headers["Location"] == f"/j/{s.code}"


def test_csrf_protects_forms(tmp_path):
    app = create_app({"STORE": f"sqlite:///{tmp_path / 'c.db'}", "TESTING": True,
                      "CSRF_IN_TESTS": True, "ASYNC_MODE": "threading",
                      "ORGANISER_TOKEN": ORGANISER, "SECRET_KEY": "k"})
    client = app.test_client()
    assert client.post("/organiser/login", data={"token": ORGANISER}).status_code == 400
    page = client.get("/organiser/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post("/organiser/login", data={"token": ORGANISER, "csrf_token": token})
    assert r.status_code == 302
    # the API uses bearer tokens, not cookies, and needs no CSRF token
    r = client.post("/api/sessions", json={"title": "x"},
                    headers={"Authorization": f"Bearer {ORGANISER}"})
    assert r.status_code == 201


def test_user_text_is_escaped_in_pages(client, make_session):
    s = make_session(title="<script>alert('x')</script>")
    assert client.post("/organiser/login", data={"token": ORGANISER}).status_code == 302
    page = client.get(f"/organiser/{s.code}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    join = client.get(f"/j/{s.code}").get_data(as_text=True)
    assert "<script>alert" not in join


def test_organiser_pages_need_login(client, make_session):
    s = make_session()
    assert client.get("/organiser/").status_code == 302
    assert client.get(f"/organiser/{s.code}").status_code == 302
    r = client.post("/organiser/login", data={"token": "wrong"})
    assert r.status_code == 401
