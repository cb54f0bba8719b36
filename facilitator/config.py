"""Configuration: defaults, overridden by ``FACILITATOR_*`` environment variables.

Backends that are not configured are simply off: no message queue means one
process; the store defaults to a SQLite file in the instance folder.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

#: name -> (default, parser); every name can be set as FACILITATOR_<NAME>.
SETTINGS: dict[str, tuple[Any, Any]] = {
    "ENV": ("development", str),
    "SECRET_KEY": (None, str),
    "ORGANISER_TOKEN": (None, str),
    "STORE": (None, str),  # default: sqlite:///<instance>/facilitator.db
    "MESSAGE_QUEUE": (None, str),  # redis://... to fan out across worker processes
    "ASYNC_MODE": ("eventlet", str),  # eventlet | threading | gevent
    "PUBLIC_URL": ("", str),  # base URL printed in links and QR codes
    # QR codes and the join text may show a loopback address (everything on one computer,
    # as the browser tests run); off: the screen and the console warn instead
    "LOOPBACK_LINKS": (False, lambda v: v.lower() in ("1", "true", "yes")),
    "MAX_REFLECTION_LENGTH": (1000, int),
    "MIN_GROUP": (3, int),  # smallest group a per-perspective figure may show
    # processes a long PDF report is laid out by side by side; 0: the CPUs, at most 4
    "PDF_PROCESSES": (0, int),
    # seconds that many children wait, WeasyPrint imported, for the next long PDF; 0: none
    "PDF_READY_SECONDS": (900, int),
    "MAX_CONNECTIONS": (5000, int),  # Socket.IO connections per process (HTTP gets more)
    # Socket.IO connections per process from one address: generous, a venue shares one
    "MAX_CONNECTIONS_PER_ADDRESS": (1000, int),
    "RATE_LIMITS": (None, lambda v: parse_limits(v)),  # name=count/seconds,... (see ratelimit)
    # seconds a connection may stay open without completing the Socket.IO handshake
    "HANDSHAKE_TIMEOUT": (10, int),
    "SECURE_COOKIES": (False, lambda v: v.lower() in ("1", "true", "yes")),
    "RETENTION_DAYS": (0, int),  # 0 keeps ended sessions
    "SOCKETIO_TRANSPORTS": ("websocket,polling", str),
    "PROXY_FIX": (0, int),  # number of trusted proxies setting X-Forwarded-For/-Proto
    # the proxies also set X-Forwarded-Host (off: a client's own header is never trusted)
    "PROXY_FIX_HOST": (False, lambda v: v.lower() in ("1", "true", "yes")),
    "LOG_FORMAT": ("text", str),  # json: one JSON line per request and Socket.IO event
    "METRICS_TOKEN": (None, str),  # bearer token for /metrics; unset: no /metrics at all
    # host:port of a listener of its own for /metrics (no token there; the app's is 404)
    "METRICS_ADDRESS": (None, str),
}


#: the least length of each secret in production
STRONG = {"SECRET_KEY": 32, "ORGANISER_TOKEN": 16}


def split_address(text: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` for IPv6) -> (host, port); ValueError when it is not."""
    host, sep, port = text.strip().rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536 \
            or any(c in host for c in "[]/ "):
        raise ValueError(text)
    return host, int(port)


def parse_limits(text: str) -> dict[str, tuple[int, int]]:
    """``name=count/seconds,...`` -> rate limits that replace those of the same name
    (a load test lifting ``api_join``, an operator tightening ``join``)."""
    limits = {}
    for part in text.split(","):
        if part.strip():
            name, _, rule = part.partition("=")
            count, _, window = rule.partition("/")
            limits[name.strip()] = (int(count), int(window))
    return limits


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration is unsafe or inconsistent."""


def load(overrides: dict[str, Any] | None = None,
         environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the configuration dict (keys without the FACILITATOR_ prefix)."""
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for name, (default, parse) in SETTINGS.items():
        raw = environ.get(f"FACILITATOR_{name}")
        config[name] = parse(raw) if raw not in (None, "") else default
    config.update(overrides or {})
    if config["ENV"] == "production":
        missing = [n for n in ("SECRET_KEY", "ORGANISER_TOKEN") if not config.get(n)]
        if missing:
            raise ConfigError("FACILITATOR_ENV=production needs "
                              + " and ".join(f"FACILITATOR_{n}" for n in missing))
        # a short secret key can be recovered offline from any signed cookie, and a short
        # organiser token guessed: production refuses both
        for name, least in STRONG.items():
            if len(str(config[name])) < least:
                raise ConfigError(f"FACILITATOR_{name} is too short for production: use at "
                                  f"least {least} random characters (python -c 'import "
                                  f"secrets; print(secrets.token_urlsafe(32))')")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secrets.token_hex(32)
        config["GENERATED_SECRET_KEY"] = True
    if not config.get("ORGANISER_TOKEN"):
        config["ORGANISER_TOKEN"] = secrets.token_urlsafe(18)
        config["GENERATED_ORGANISER_TOKEN"] = True
    if config.get("METRICS_ADDRESS"):
        try:
            split_address(config["METRICS_ADDRESS"])
        except ValueError:
            raise ConfigError(f"FACILITATOR_METRICS_ADDRESS {config['METRICS_ADDRESS']!r} is "
                              "not host:port (e.g. 127.0.0.1:9100)") from None
    if config["ASYNC_MODE"] not in ("eventlet", "threading", "gevent"):
        raise ConfigError("FACILITATOR_ASYNC_MODE must be eventlet, threading or gevent")
    return config
