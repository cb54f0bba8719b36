"""Runs the cross-perspective analysis for the adapters.

One ``PatternEngine`` per session per process keeps each reflection's
normalised text, so a recomputation only normalises what is new.  Results
are cached by the session's event number: asking again without a new event
costs nothing.  The computation runs off the event loop (eventlet's thread
pool, gevent's thread pool), so a large session never stalls live traffic.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import current_app

from .domain.errors import N_, NotFound
from .domain.patterns import PatternEngine

_MAX_SESSIONS = 64
_lock = threading.Lock()
_engines: OrderedDict[str, PatternEngine] = OrderedDict()
_results: dict[tuple[str, str, str], tuple[int, dict[str, Any]]] = {}


def _engine(code: str) -> PatternEngine:
    with _lock:
        engine = _engines.pop(code, None) or PatternEngine()
        _engines[code] = engine
        while len(_engines) > _MAX_SESSIONS:
            old, _ = _engines.popitem(last=False)
            for key in [k for k in _results if k[0] == old]:
                _results.pop(key, None)
        return engine


def run_blocking(fn, *args):
    """Run CPU-heavy work without blocking the async mode's event loop."""
    mode = current_app.config["FACILITATOR"]["ASYNC_MODE"]
    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(fn, *args)
    if mode == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(fn, args)
    return fn(*args)


def patterns_for(code: str, audience: str, lang: str = "nl") -> dict[str, Any]:
    """The analysis of a session for ``audience`` (facilitator | screen | export)."""
    ops = current_app.extensions["facilitator.ops"]
    min_group = current_app.config["FACILITATOR"]["MIN_GROUP"]
    seq = ops.store.seq(code)
    key = (code, audience, lang)
    cached = _results.get(key)
    if cached and cached[0] == seq:
        return cached[1]
    data = ops.load(code)
    engine = _engine(code)
    with _lock_for(code):
        result = run_blocking(engine.analyse, data, audience, lang, min_group)
    _results[key] = (data.seq, result)
    return result


_session_locks: dict[str, threading.Lock] = {}


def _lock_for(code: str) -> threading.Lock:
    """An engine is not thread-safe: one analysis per session at a time."""
    with _lock:
        return _session_locks.setdefault(code, threading.Lock())


PATTERN_GROUPS = ("themes", "distinctive", "common_ground", "dividing_lines", "blind_spots")


def find_pattern(code: str, pattern_id: Any) -> dict[str, Any]:
    """A pattern as the *screen* may show it (small groups merged), for pinning."""
    if not isinstance(pattern_id, str):
        raise NotFound(N_("Unknown pattern."))
    result = patterns_for(code, "screen")
    for group in PATTERN_GROUPS:
        for item in result.get(group, []):
            if item.get("id") == pattern_id:
                return {**item, "group": group}
    manual = current_app.extensions["facilitator.ops"].store.get(code, "pattern", pattern_id)
    if manual is not None:
        return {**manual, "group": "manual"}
    raise NotFound(N_("Unknown pattern."))
