"""Who is calling: bearer tokens (API), per-session cookies (pages) and signed
page tokens (Socket.IO ``auth``), all resolved to a domain ``Actor``."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import abort, current_app, make_response, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..domain.errors import N_, NotFound, RateLimited, Unauthorized
from ..domain.model import Participant, Workshop
from ..domain.operations import Actor, Operations
from ..domain.rules import Role

PAGE_TOKEN_MAX_AGE = 24 * 3600


def ops() -> Operations:
    """The app's operations (use cases)."""
    return current_app.extensions["facilitator.ops"]


def settings() -> dict[str, Any]:
    """The app's facilitator settings."""
    return current_app.config["FACILITATOR"]


def is_organiser_token(token: Any) -> bool:
    """Constant-time check of the organiser secret from configuration."""
    expected = settings()["ORGANISER_TOKEN"]
    return isinstance(token, str) and hmac.compare_digest(token.encode(), expected.encode())


def bearer_token() -> str | None:
    """The token in ``Authorization: Bearer ...``, or None."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def organiser_from_request() -> bool:
    """True for an organiser: bearer organiser token, or a logged-in organiser page session."""
    return is_organiser_token(bearer_token()) or session.get("organiser") is True


def bearer_actor(code: str) -> Actor:
    """The actor behind the bearer token for workshop ``code``; Unauthorized otherwise."""
    token = bearer_token()
    workshop = find_workshop(code)
    if token is None:
        raise Unauthorized(N_("This needs a token (Authorization: Bearer ...)."))
    if is_organiser_token(token):
        return Actor(Role.ORGANISER, workshop.code)
    return ops().authenticate(workshop.code, token)


def cookie_name(role: str, code: str) -> str:
    """The per-session cookie of a role: one phone can be in two sessions."""
    return f"fac_{role[0]}_{code}"


def cookie_actor(code: str, role: Role) -> Actor | None:
    """The actor a browser's cookie names for this workshop and role, or None."""
    token = request.cookies.get(cookie_name(role.value, code))
    if not token:
        return None
    try:
        actor = ops().authenticate(code, token)
    except Unauthorized:
        return None
    return actor if actor.role == role else None


def set_identity_cookie(response, role: Role, code: str, token: str) -> None:
    """Remember a role's secret in an HttpOnly cookie scoped to this session."""
    response.set_cookie(cookie_name(role.value, code), token, max_age=7 * 86400, httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="socket-page-token")


def link_secret(workshop: Workshop, role: Role) -> str | None:
    """The secret in the facilitator's or the screen's link (other roles have none)."""
    if role == Role.FACILITATOR:
        return workshop.facilitator_token
    if role == Role.SCREEN:
        return workshop.screen_token
    return None


def fingerprint(workshop: Workshop, role: Role) -> str | None:
    """A digest of a role's current secret link: rotating the link changes it.

    Page tokens carry it, and live rooms are named by it, so a rotated link
    stops both new connections and the delivery of events to old ones.
    """
    secret = link_secret(workshop, role)
    return None if secret is None else hashlib.sha256(secret.encode()).hexdigest()[:16]


def _fingerprint(actor_role: Role, code: str) -> str | None:
    return fingerprint(ops().workshop(code), actor_role)


def page_token(actor: Actor) -> str:
    """A signed, expiring token for the Socket.IO ``auth`` of a page (not the secret itself)."""
    return _serializer().dumps({"c": actor.code, "r": actor.role.value,
                                "p": actor.participant_id,
                                "k": _fingerprint(actor.role, actor.code)})


def actor_from_socket_auth(auth: Any) -> Actor:
    """Resolve Socket.IO ``auth={"token": ...}``: a page token or a bearer token."""
    token = auth.get("token") if isinstance(auth, dict) else None
    code = auth.get("code") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not token or len(token) > 500:
        raise Unauthorized(N_("This link or token is not valid (any more)."))
    try:
        data = _serializer().loads(token, max_age=PAGE_TOKEN_MAX_AGE)
    except BadSignature:
        data = None
    if isinstance(data, dict):
        role = Role(data["r"])
        workshop = ops().workshop(data["c"])
        if role == Role.PARTICIPANT:
            doc = ops().store.get(workshop.code, "participant", data["p"])
            if doc is None:
                raise Unauthorized(N_("This link or token is not valid (any more)."))
            return Actor(role, workshop.code, Participant.from_dict(doc))
        if role == Role.ORGANISER or (data.get("k") and hmac.compare_digest(
                data["k"], _fingerprint(role, workshop.code) or "")):
            return Actor(role, workshop.code)
        raise Unauthorized(N_("This link or token is not valid (any more)."))
    if not isinstance(code, str):
        raise Unauthorized(N_("This link or token is not valid (any more)."))
    if is_organiser_token(token):
        return Actor(Role.ORGANISER, ops().workshop(code).code)
    return ops().authenticate(code, token)


def client_address() -> str:
    """The caller's address (behind a proxy: see FACILITATOR_PROXY_FIX in docs/deploy.md)."""
    return request.remote_addr or "unknown"


def limit(name: str, key: str) -> None:
    """Count one hit against a rate limit; RateLimited when it is exceeded."""
    if not current_app.extensions["facilitator.limiter"].hit(name, key):
        raise RateLimited(N_("Too many requests. Please wait a moment and try again."))


def find_workshop(code: str):
    """Look up a session by a typed code, refusing addresses that guess codes.

    Wrong codes are counted per address; once the limit is reached, every
    look-up from that address is refused until the window ends, so a hit
    cannot be told from a miss by the answer.
    """
    limiter = current_app.extensions["facilitator.limiter"]
    address = client_address()
    if limiter.blocked("code_miss", address):
        raise RateLimited(N_("Too many wrong codes. Please wait a minute and try again."))
    try:
        return ops().workshop(code)
    except NotFound:
        limiter.hit("code_miss", address)
        raise


def enter_with_secret(code: str, token: str, role: Role, endpoint: str):
    """Exchange a secret link for a cookie, then drop the secret from the address bar."""
    workshop = find_workshop(code)
    secret = link_secret(workshop, role)
    if not isinstance(token, str) or secret is None or not hmac.compare_digest(
            token.encode(), secret.encode()):
        abort(404)
    response = make_response(redirect(url_for(endpoint, code=workshop.code)))
    set_identity_cookie(response, role, workshop.code, token)
    return response
