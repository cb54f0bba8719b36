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
from .domain.patterns import PatternEngine, make_manual_pattern, pattern_to_conclusion_draft

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
    result["manual"] = [
        {**make_manual_pattern(p["name"], p["reflections"], data, audience, lang, min_group),
         "id": p["id"]}
        for p in ops.store.records(code, "pattern")]
    _results[key] = (data.seq, result)
    return result


_session_locks: dict[str, threading.Lock] = {}


def _lock_for(code: str) -> threading.Lock:
    """An engine is not thread-safe: one analysis per session at a time."""
    with _lock:
        return _session_locks.setdefault(code, threading.Lock())


PATTERN_GROUPS = ("themes", "distinctive", "common_ground", "dividing_lines", "blind_spots",
                  "manual")


MAP_ID = "map:themes"
MAP_ROWS = 8


def perspective_map(result: dict[str, Any]) -> dict[str, Any]:
    """Themes against perspectives: the share of each perspective's authors using a theme.

    Built from an analysis for the screen, so small groups are already merged;
    the projector draws it as a heat map with the numbers in every cell.
    """
    themes = result.get("themes", [])[:MAP_ROWS]
    columns: dict[str, Any] = {}
    rows = []
    for theme in themes:
        cells = {}
        for entry in theme.get("perspectives", []):
            pid = entry.get("id")
            if pid is None or "share" not in entry:
                continue
            columns.setdefault(pid, entry.get("label") or {"nl": pid, "en": pid})
            cells[pid] = {"share": entry["share"], "using": entry.get("authors_using"),
                          "authors": entry.get("authors")}
        rows.append({"id": theme["id"], "label": theme.get("term") or theme.get("title"),
                     "cells": cells})
    return {
        "id": MAP_ID, "kind": "map",
        "title": {"nl": "Perspectievenkaart: gedeelde thema's",
                  "en": "Perspective map: shared themes"},
        "explanation": {
            "nl": "Per thema het deel van de deelnemers van elk perspectief dat het noemt "
                  "(alleen gedeelde reflecties; kleine groepen samengevoegd).",
            "en": "For each theme, the share of each perspective's participants who mention it "
                  "(shared reflections only; small groups merged)."},
        "columns": [{"id": pid, "label": label} for pid, label in columns.items()],
        "rows": rows,
    }


def find_pattern(code: str, pattern_id: Any, audience: str = "screen") -> dict[str, Any]:
    """A pattern as the *screen* may show it (small groups merged), for pinning."""
    if not isinstance(pattern_id, str):
        raise NotFound(N_("Unknown pattern."))
    if pattern_id == MAP_ID:
        return perspective_map(patterns_for(code, audience))
    return _find(patterns_for(code, audience), pattern_id, N_(
        "This pattern cannot be shown on the screen: too few people stand behind it, or it "
        "rests on reflections not taken into the dialogue."))


def _find(result: dict[str, Any], pattern_id: str,
          missing: str = N_("Unknown pattern.")) -> dict[str, Any]:
    for group in PATTERN_GROUPS:
        for item in result.get(group, []):
            if item.get("id") == pattern_id:
                return {**item, "group": group}
    raise NotFound(missing)


def conclusion_draft(code: str, pattern_id: Any, lang: str = "nl") -> dict[str, Any]:
    """A draft conclusion (text, reflections, perspectives) from any pattern."""
    if not isinstance(pattern_id, str):
        raise NotFound(N_("Unknown pattern."))
    return pattern_to_conclusion_draft(_find(patterns_for(code, "facilitator", lang),
                                             pattern_id), lang)
