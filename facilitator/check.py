"""``facilitator check``: the configuration as production would use it.

Every problem is one line (what is wrong and what to set); the command exits
non-zero when there is any.  It opens the store and the message queue to see
that they answer, but changes nothing.  No Flask imports.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import warnings
from typing import Any
from urllib.parse import urlsplit

#: the least a production secret (cookie signing key, organiser token) must have
MIN_SECRET_LENGTH = 32
MIN_TOKEN_LENGTH = 16  # as config.load requires in production
#: settings whose problems this module words itself, one line each
_OWN_LINES = {"FACILITATOR_ENV", "FACILITATOR_SECRET_KEY", "FACILITATOR_ORGANISER_TOKEN"}
_WEAK = {"secret", "changeme", "change-me", "password", "development", "dev", "test"}


def _weak(value: str, minimum: int) -> str | None:
    if len(value) < minimum:
        return f"shorter than {minimum} characters"
    if len(set(value)) < 8 or value.lower().strip("-_0123456789") in _WEAK:
        return "too guessable"
    return None


def problems(environ: dict[str, str] | None = None) -> tuple[list[str], dict[str, Any]]:
    """(one line per problem, the settings as far as they could be read)."""
    from . import config as config_module

    environ = dict(os.environ if environ is None else environ)
    found: list[str] = []
    relaxed = dict(environ)
    cfg: dict[str, Any] = {}
    for _ in range(6):  # what config.load refuses, one line each; then check the rest
        try:
            cfg = config_module.load(environ=relaxed)
            break
        except config_module.ConfigError as exc:
            named = set(re.findall(r"FACILITATOR_[A-Z_]+", str(exc)))
            if not named & set(relaxed):
                return [*found, str(exc)], {}
            if not named <= _OWN_LINES:  # the secrets and ENV get one line each below
                found.append(str(exc))
            for name in named:
                relaxed.pop(name, None)
        except ValueError as exc:  # a number that is not one
            return [*found, f"a setting cannot be read: {exc}"], {}
    else:
        return found, {}
    said = " ".join(found)

    if environ.get("FACILITATOR_ENV") != "production":
        found.append("FACILITATOR_ENV is not 'production' (set FACILITATOR_ENV=production)")
    secret = environ.get("FACILITATOR_SECRET_KEY", "")
    if "FACILITATOR_SECRET_KEY" in said:
        pass  # config.load said it already
    elif not secret:
        found.append("FACILITATOR_SECRET_KEY is not set: sessions and forms would not survive "
                     "a restart (generate one: python -c 'import secrets; "
                     "print(secrets.token_hex(32))')")
    elif why := _weak(secret, MIN_SECRET_LENGTH):
        found.append(f"FACILITATOR_SECRET_KEY is {why}: use a random value of "
                     f"{MIN_SECRET_LENGTH}+ characters")
    token = environ.get("FACILITATOR_ORGANISER_TOKEN", "")
    if "FACILITATOR_ORGANISER_TOKEN" in said:
        pass
    elif not token:
        found.append("FACILITATOR_ORGANISER_TOKEN is not set: organisers could not sign in")
    elif why := _weak(token, MIN_TOKEN_LENGTH):
        found.append(f"FACILITATOR_ORGANISER_TOKEN is {why}: use a random value of "
                     f"{MIN_TOKEN_LENGTH}+ characters")

    public = cfg.get("PUBLIC_URL") or ""
    if not public:
        found.append("FACILITATOR_PUBLIC_URL is not set: join links and QR codes would use "
                     "whatever host a request names (set e.g. https://dialoog.example.nl)")
    else:
        parts = urlsplit(public)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
                or parts.fragment or (parts.path not in ("", "/")):
            found.append(f"FACILITATOR_PUBLIC_URL {public!r} is not a base URL like "
                         "https://dialoog.example.nl (scheme and host, no path or query)")
        elif parts.scheme != "https" and parts.hostname not in ("localhost", "127.0.0.1"):
            found.append(f"FACILITATOR_PUBLIC_URL {public!r} is not https: phones would send "
                         "their links in the clear")

    mode = cfg.get("ASYNC_MODE", "eventlet")
    if mode in ("eventlet", "gevent"):
        try:
            with warnings.catch_warnings():  # eventlet announces its own deprecation
                warnings.simplefilter("ignore")
                importlib.import_module(mode)
        except ImportError as exc:
            found.append(f"FACILITATOR_ASYNC_MODE={mode} but {mode} cannot be imported ({exc})")

    found.extend(_metrics_problems(cfg))
    store_url = cfg.get("STORE") or ""
    if store_url:
        bad = url_problem("FACILITATOR_STORE", store_url)
        found.extend([bad] if bad else _store_problems(store_url))
    else:
        folder = default_instance()
        existing = folder
        while not os.path.exists(existing):
            existing = os.path.dirname(existing)
        if not os.access(existing, os.W_OK):
            found.append(f"FACILITATOR_STORE is not set and the default SQLite folder {folder} "
                         "is not writable (set FACILITATOR_STORE or FACILITATOR_INSTANCE_PATH)")
    queue = cfg.get("MESSAGE_QUEUE") or ""
    if queue:
        bad = url_problem("FACILITATOR_MESSAGE_QUEUE", queue)
        found.extend([bad] if bad else _queue_problems(queue))
    return found, cfg


def _metrics_problems(cfg: dict[str, Any]) -> list[str]:
    """The metrics listener asks no token unless one is set: only loopback may do
    without; a token, when set, is held to the organiser key's rule."""
    from .config import split_address

    found = []
    token = cfg.get("METRICS_TOKEN") or ""
    address = cfg.get("METRICS_ADDRESS") or ""
    if token and (why := _weak(token, MIN_TOKEN_LENGTH)):
        found.append(f"FACILITATOR_METRICS_TOKEN is {why}: use a random value of "
                     f"{MIN_TOKEN_LENGTH}+ characters")
    if address and not token:
        try:
            host, _port = split_address(address)
        except ValueError:
            return found  # config.load said so already
        if not _loopback(host):
            found.append(f"FACILITATOR_METRICS_ADDRESS {address} is not a loopback address "
                         "and FACILITATOR_METRICS_TOKEN is not set: anyone who reaches it "
                         "reads the metrics (use 127.0.0.1:PORT, or set a metrics token, "
                         "which the listener then asks for)")
    return found


def _loopback(host: str) -> bool:
    import ipaddress

    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: where it points is not known here
        return False


def url_problem(name: str, url: str) -> str | None:
    """What is wrong with the form of a store or message queue URL, as one line (nothing
    is opened): an unknown scheme, a port, database number or option that does not
    parse. None when it is well formed."""
    store = name == "FACILITATOR_STORE"
    if store and url.startswith("sqlite:"):
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        if store:
            return (f"{name} {_safe(url)} cannot be opened: use sqlite:///path or "
                    "redis://host:port/db")
        return f"{name} {_safe(url)} is not a redis:// URL"
    from redis.connection import parse_url

    try:
        parse_url(url)
    except (ValueError, TypeError) as exc:
        return f"{name} {_safe(url)} is not a valid URL: {exc}"
    return None


def url_problems(environ: dict[str, str] | None = None) -> list[str]:
    """``url_problem`` of the store and message queue settings (``serve`` and the other
    commands say it in one line before they start)."""
    environ = os.environ if environ is None else environ
    lines = []
    for name in ("FACILITATOR_STORE", "FACILITATOR_MESSAGE_QUEUE"):
        if environ.get(name):
            bad = url_problem(name, environ[name])
            if bad:
                lines.append(bad)
    return lines


def default_instance() -> str:
    """Where the default SQLite file goes (what ``create_app`` gives Flask)."""
    from . import assets

    # Flask's default for an installed package: <prefix>/var/<package>-instance
    return assets.instance_path() or os.path.join(sys.prefix, "var", "facilitator-instance")


def _store_problems(url: str) -> list[str]:
    from .store import open_store
    from .store.base import NewerSchema

    try:
        store = open_store(url)
    except NewerSchema as exc:
        return [f"FACILITATOR_STORE {_safe(url)} holds data of a newer facilitator (schema "
                f"{exc.stored}; this release reads up to {exc.supported}): install that "
                "release or a newer one"]
    except Exception as exc:  # noqa: BLE001 - every failure is a line for the operator
        return [f"FACILITATOR_STORE {_safe(url)} cannot be opened: {exc}"]
    try:
        if not store.ping():
            return [f"FACILITATOR_STORE {_safe(url)} does not answer"]
    finally:
        store.close()
    return []


def _queue_problems(url: str) -> list[str]:
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return [f"FACILITATOR_MESSAGE_QUEUE {_safe(url)} is not a redis:// URL"]
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError) as exc:
        return [f"FACILITATOR_MESSAGE_QUEUE {_safe(url)} does not answer: {exc}"]
    return []


def _safe(url: str) -> str:
    """A URL without its password, fit for a log line (also one that does not parse)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return re.sub(r"(://[^/@]*?:)[^/@]*@", r"\1***@", url)
    if password:
        netloc = parts.netloc.replace(f":{password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def summary(cfg: dict[str, Any], instance: str | None = None) -> str:
    """One line of what the app runs with (no secrets)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("facilitator")
    except PackageNotFoundError:
        release = "source"
    store = cfg.get("STORE") or f"sqlite (default, in {instance or 'the instance folder'})"
    return (f"facilitator {release}: store {_safe(store)}, message queue "
            f"{_safe(cfg.get('MESSAGE_QUEUE') or 'none (one process)')}, async mode "
            f"{cfg.get('ASYNC_MODE')}, public URL {cfg.get('PUBLIC_URL') or 'from each request'}"
            f", metrics {_metrics_where(cfg)}, {_exports()}, env {cfg.get('ENV')}")


def _exports() -> str:
    """Which download formats this install can make (Word, Excel and PDF need the extra)."""
    from .domain.export import needs

    absent = [fmt for fmt in needs.MODULES if needs.missing(fmt)]
    if not absent:
        return "exports all formats"
    return f"exports without {', '.join(absent)} (pip install \"facilitator[export]\")"


def _metrics_where(cfg: dict[str, Any]) -> str:
    if cfg.get("METRICS_ADDRESS"):
        return f"on http://{cfg['METRICS_ADDRESS']}/metrics"
    return "at /metrics with the token" if cfg.get("METRICS_TOKEN") else "off"
