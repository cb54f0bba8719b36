"""Who is calling: bearer tokens (API), per-session cookies (pages) and signed
page tokens (Socket.IO ``auth``), all resolved to a domain ``Actor``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from flask import abort, current_app, make_response, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..domain.errors import N_, NotFound, RateLimited, Unauthorized
from ..domain.joincode import normalise as normalise_code
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


#: the store's document kind of an organiser's page login (deleted at logout)
ORGANISER_LOGINS = "organiser_login"


def organiser_key_digest() -> str:
    """A digest of the current organiser token: a login made with an older one is void."""
    return hashlib.sha256(settings()["ORGANISER_TOKEN"].encode()).hexdigest()[:32]


def check_organiser_key(token: Any) -> bool:
    """An organiser key offered by someone (login form, bearer token where only the
    organiser may act): wrong keys are counted per address, and once over the limit
    every key from that address is refused for a while, the right one too."""
    limiter = current_app.extensions["facilitator.limiter"]
    address = client_address()
    if limiter.blocked("organiser_miss", address):
        raise RateLimited(N_("Too many wrong keys. Please wait a few minutes and try again."))
    if is_organiser_token(token):
        return True
    limiter.hit("organiser_miss", address)
    return False


def start_organiser_login() -> None:
    """Log the browser in as organiser: its cookie names a login kept in the store and the
    digest of the current organiser token, so logging out or changing the token ends it."""
    login_id = secrets.token_urlsafe(18)
    ops().store.put_doc(ORGANISER_LOGINS, login_id, {"id": login_id})
    session.clear()
    session["organiser"] = {"login": login_id, "key": organiser_key_digest()}


def end_organiser_login() -> None:
    """Log out: the login is deleted, so a copy of the old cookie no longer works."""
    current = session.get("organiser")
    if isinstance(current, dict) and isinstance(current.get("login"), str):
        ops().store.delete_doc(ORGANISER_LOGINS, current["login"])
    session.clear()


def organiser_logged_in() -> bool:
    """True for a browser with a live organiser login made with the current token."""
    current = session.get("organiser")
    return (isinstance(current, dict) and isinstance(current.get("login"), str)
            and hmac.compare_digest(str(current.get("key", "")), organiser_key_digest())
            and ops().store.get_doc(ORGANISER_LOGINS, current["login"]) is not None)


def organiser_from_request() -> bool:
    """True for an organiser: bearer organiser token, or a logged-in organiser page session."""
    token = bearer_token()
    if token is not None:
        return check_organiser_key(token)
    return organiser_logged_in()


def bearer_actor(code: str) -> Actor:
    """The actor behind the bearer token for workshop ``code``; Unauthorized otherwise."""
    token = bearer_token()
    if token is None:
        find_workshop(code)  # an unknown code counts as a guess
        raise Unauthorized(N_("This needs a token (Authorization: Bearer ...)."))
    return actor_for_token(code, token)


#: what a code that does not exist is checked against, so a miss costs what a hit costs
_NO_SUCH_SESSION = {"facilitator_token": secrets.token_urlsafe(24),
                    "screen_token": secrets.token_urlsafe(24)}

#: how long an address remembers a code it has used successfully (a session's day)
CODE_SEEN_SECONDS = 12 * 3600

_WRONG = N_("This link or token is not valid (any more).")
_TOO_MANY_CODES = N_("Too many wrong codes. Please wait a minute and try again.")


def _secret_actor(code: Any, token: Any) -> tuple[bool, Actor | None]:
    """(whether the session exists, the actor its secret ``token`` names or None), after
    the same work either way: one session read, the same digest comparisons and one
    participant look-up, against a stand-in when the code does not exist (so a live
    code does not answer measurably slower than a dead one)."""
    canonical = normalise_code(code) if isinstance(code, str) else None
    doc = ops().store.get_workshop(canonical) if canonical else None
    known = doc is not None
    ref = doc if known else _NO_SUCH_SESSION
    plain = token if isinstance(token, str) and 16 <= len(token) <= 200 else ""
    organiser = is_organiser_token(token) and not current_app.extensions[
        "facilitator.limiter"].blocked("organiser_miss", client_address())
    facilitator = hmac.compare_digest(plain.encode(), str(ref.get("facilitator_token")).encode())
    screen = hmac.compare_digest(plain.encode(), str(ref.get("screen_token")).encode())
    participant = ops().store.find(canonical or "000000", "participant",
                                   f"token:{plain[:200]}")
    if not known or not plain and not organiser:
        return known, None
    if organiser:
        return True, Actor(Role.ORGANISER, canonical)
    if facilitator:
        return True, Actor(Role.FACILITATOR, canonical)
    if screen:
        return True, Actor(Role.SCREEN, canonical)
    if participant is not None:
        return True, Actor(Role.PARTICIPANT, canonical, Participant.from_dict(participant))
    return True, None


def _seen_key(address: str, code: str) -> str:
    return f"{address}|{code}"


def _remember_code(code: str) -> None:
    """This address used ``code`` rightly: it keeps working here when the address is
    stopped for wrong codes later (one mistyping phone must not lock out the venue)."""
    current_app.extensions["facilitator.limiter"].mark(
        "code_seen", _seen_key(client_address(), code), CODE_SEEN_SECONDS)


def _miss(bearer: bool = True) -> None:
    """A wrong code or a wrong secret: one guess more for this address; RateLimited once
    it is over the limit, Unauthorized before that (the same for known and unknown codes)."""
    limiter = current_app.extensions["facilitator.limiter"]
    address = client_address()
    limiter.hit("code_miss", address)
    if bearer:  # a wrong bearer token may be a guess at the organiser key
        limiter.hit("organiser_miss", address)
    if limiter.blocked("code_miss", address):
        raise RateLimited(_TOO_MANY_CODES)
    raise Unauthorized(_WRONG)


def actor_for_token(code: Any, token: str) -> Actor:
    """The actor behind a token (organiser, facilitator, screen or participant) in the
    session ``code``, answering a guess the same whichever way it is wrong.

    A valid token always gets in, however many codes its address got wrong (the
    facilitator's own links are never locked out), and its code keeps working from
    that address. A wrong token, or a token with a code that does not exist, is the
    same ``Unauthorized`` after the same work (see ``_secret_actor``), and counts as
    one wrong code for the address; an address over its limit gets ``RateLimited``
    for either. So a code cannot be told to exist by the answer or its time, over
    HTTP or over Socket.IO connect.
    """
    _known, actor = _secret_actor(code, token)
    if actor is not None:
        _remember_code(actor.code)
        return actor
    _miss()
    raise AssertionError("unreachable")  # pragma: no cover


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


def page_token(actor: Actor, via: Role | None = None) -> str:
    """A signed, expiring token for the Socket.IO ``auth`` of a page (not the secret itself).

    ``via`` names the role whose link opened the page for another role (the console's
    preview of the screen): the token then also carries that link's digest, so
    rotating the facilitator link ends the preview too.
    """
    data = {"c": actor.code, "r": actor.role.value, "p": actor.participant_id,
            "k": _fingerprint(actor.role, actor.code)}
    if via is not None:
        data["v"] = _fingerprint(via, actor.code)
    return _serializer().dumps(data)


def preview_link(auth: Any) -> str | None:
    """The digest of the facilitator link a previewing page token was made through, if any."""
    token = auth.get("token") if isinstance(auth, dict) else None
    try:
        data = _serializer().loads(token, max_age=PAGE_TOKEN_MAX_AGE) \
            if isinstance(token, str) and len(token) <= 500 else None
    except BadSignature:
        return None
    return data.get("v") if isinstance(data, dict) else None


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
        via = data.get("v")
        if via is not None and not (isinstance(via, str) and hmac.compare_digest(
                via, _fingerprint(Role.FACILITATOR, workshop.code) or "")):
            # a preview whose facilitator link was rotated since
            raise Unauthorized(N_("This link or token is not valid (any more)."))
        if role == Role.ORGANISER or (data.get("k") and hmac.compare_digest(
                data["k"], _fingerprint(role, workshop.code) or "")):
            return Actor(role, workshop.code)
        raise Unauthorized(N_("This link or token is not valid (any more)."))
    if not isinstance(code, str):
        raise Unauthorized(N_("This link or token is not valid (any more)."))
    return actor_for_token(code, token)


def client_address() -> str:
    """The caller's address (behind a proxy: see FACILITATOR_PROXY_FIX in docs/deploy.md)."""
    return request.remote_addr or "unknown"


def limit(name: str, key: str) -> None:
    """Count one hit against a rate limit; RateLimited when it is exceeded."""
    if not current_app.extensions["facilitator.limiter"].hit(name, key):
        raise RateLimited(N_("Too many requests. Please wait a moment and try again."))


def _holds_secret_for(code: str) -> bool:
    """True when the request carries a page cookie naming a valid secret of session
    ``code`` (checked with the same work whether the session exists or not)."""
    for role in (Role.PARTICIPANT, Role.FACILITATOR, Role.SCREEN):
        token = request.cookies.get(cookie_name(role.value, code))
        if token:
            _known, actor = _secret_actor(code, token)
            if actor is not None and actor.role == role:
                return True
    return False


def find_workshop(code: str):
    """Look up a session by a typed code, refusing addresses that guess codes.

    Wrong codes are counted per address. Once the limit is reached, the address is
    refused (429) every code it has not used rightly before, known or unknown alike,
    so a hit cannot be told from a miss; but a code it has used (the venue's own
    session, typed right by the first phones), and any request carrying a valid
    secret cookie of the session, still get in: a few mistyping phones behind the
    venue's one address do not lock the room out.
    """
    limiter = current_app.extensions["facilitator.limiter"]
    address = client_address()
    canonical = normalise_code(code) if isinstance(code, str) else None
    if limiter.blocked("code_miss", address) and not (
            canonical and (limiter.marked("code_seen", _seen_key(address, canonical))
                           or _holds_secret_for(canonical))):
        raise RateLimited(_TOO_MANY_CODES)
    try:
        workshop = ops().workshop(code)
    except NotFound:
        limiter.hit("code_miss", address)
        raise
    _remember_code(workshop.code)
    return workshop


def enter_with_secret(code: str, token: str, role: Role, endpoint: str):
    """Exchange a secret link for a cookie, then drop the secret from the address bar.

    A right link always gets in, however many wrong codes its address sent; a wrong
    one is a 404 whether the code exists or not (429 once the address is stopped)."""
    _known, actor = _secret_actor(code, token)
    if actor is None or actor.role != role:
        try:
            _miss(bearer=False)
        except Unauthorized:
            abort(404)
    _remember_code(actor.code)
    response = make_response(redirect(url_for(endpoint, code=actor.code)))
    set_identity_cookie(response, role, actor.code, token)
    return response
