"""Runs the cross-perspective analysis for the adapters.

The app owns one ``PatternsService`` (``app.extensions["facilitator.patterns"]``,
made in ``create_app``).  It keeps a bounded LRU of sessions: per session one
``PatternEngine`` (each reflection's normalised text, so a recomputation only
normalises what is new), the lock that keeps one analysis of that engine at a
time, and the results cached by the session's event number (asking again
without a new event costs nothing).  An evicted session takes its engine, lock
and results with it.  The computation runs off the event loop (eventlet's
thread pool, gevent's thread pool), so a large session never stalls live
traffic.

Who sees what is the rules table's: the console's analysis is
``Viewer(Role.FACILITATOR, kind)``, the projector's ``Viewer(Role.SCREEN, kind)``
and an export's ``Viewer(Role.READER, kind)``, ``kind`` being the session's
current step kind.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from .domain.errors import N_, NotFound
from .domain.patterns import PatternEngine, make_manual_pattern, pattern_to_conclusion_draft
from .domain.patterns.context import viewer_for
from .domain.privacy import Viewer

#: Sessions whose engines a process keeps; results kept per session (audience x language).
MAX_SESSIONS = 64
MAX_RESULTS_PER_SESSION = 8


@dataclass
class _Slot:
    """One session's engine, the lock that goes with it, and its cached results."""

    engine: PatternEngine = field(default_factory=PatternEngine)
    lock: threading.Lock = field(default_factory=threading.Lock)
    results: OrderedDict[tuple[str, str, str], tuple[int, dict[str, Any]]] = \
        field(default_factory=OrderedDict)


class PatternsService:
    """The app's pattern analyses, with bounded caches (see the module docstring)."""

    def __init__(self, max_sessions: int = MAX_SESSIONS) -> None:
        self.max_sessions = max(1, int(max_sessions))
        self._lock = threading.Lock()
        self._slots: OrderedDict[str, _Slot] = OrderedDict()

    def __len__(self) -> int:
        return len(self._slots)

    def slot(self, code: str) -> _Slot:
        """The session's slot, most recently used last; the oldest is dropped past the bound."""
        with self._lock:
            slot = self._slots.pop(code, None) or _Slot()
            self._slots[code] = slot
            while len(self._slots) > self.max_sessions:
                self._slots.popitem(last=False)
            return slot

    def forget(self, code: str) -> None:
        """Drop a session's engine and results (a deleted session)."""
        with self._lock:
            self._slots.pop(code, None)

    def refresh_pinned(self, code: str) -> None:
        """See ``refresh_pinned``: ``publish`` calls this after every operation."""
        refresh_pinned(code)

    def analyse(self, code: str, audience: str | Viewer, lang: str = "nl") -> dict[str, Any]:
        """The analysis of a session for an audience name (facilitator | screen | export)
        or a ``Viewer``, in the session's current step."""
        ops = current_app.extensions["facilitator.ops"]
        min_group = current_app.config["FACILITATOR"]["MIN_GROUP"]
        version = ops.version(code)  # ratings change results without an event number
        slot = self.slot(code)
        key_kind = audience if isinstance(audience, str) else \
            f"{audience.role}:{audience.kind}"
        key = (key_kind, lang, "")
        cached = slot.results.get(key)
        if cached and cached[0] == version:
            return cached[1]
        data = ops.load(code)
        viewer = viewer_for(audience, data.workshop.current_kind())
        with slot.lock:
            result = run_blocking(slot.engine.analyse, data, viewer, lang, min_group)
        result["manual"] = [
            {**make_manual_pattern(p["name"], p["reflections"], data, viewer, lang, min_group),
             "id": p["id"]}
            for p in ops.store.records(code, "pattern")]
        slot.results[key] = (data.version, result)
        slot.results.move_to_end(key)
        while len(slot.results) > MAX_RESULTS_PER_SESSION:
            slot.results.popitem(last=False)
        return result


def service() -> PatternsService:
    """The current app's pattern service."""
    return current_app.extensions["facilitator.patterns"]


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


def patterns_for(code: str, audience: str | Viewer, lang: str = "nl") -> dict[str, Any]:
    """The analysis of a session for ``audience`` (facilitator | screen | export, or a Viewer)."""
    return service().analyse(code, audience, lang)


PATTERN_GROUPS = ("themes", "distinctive", "common_ground", "dividing_lines", "blind_spots",
                  "circles", "manual")


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


_refreshing = threading.local()


def refresh_pinned(code: str) -> None:
    """Recompute the pattern pinned on the screen after the data under it changed, and
    rewrite it through ``Operations.refresh_pinned_pattern`` (cleared when it no longer
    holds for the screen). Called by ``publish`` after every operation; the state event
    it publishes itself does not start another round."""
    if getattr(_refreshing, "on", False):
        return
    ops = current_app.extensions["facilitator.ops"]
    try:
        pinned = ops.workshop(code).state.pinned_pattern
    except NotFound:
        return
    if not isinstance(pinned, dict) or not isinstance(pinned.get("id"), str):
        return
    try:
        fresh: dict[str, Any] | None = find_pattern(code, pinned["id"])
    except NotFound:
        fresh = None
    if fresh == pinned:
        return
    _refreshing.on = True
    try:
        _workshop, events = ops.refresh_pinned_pattern(code, fresh)
        if events:
            current_app.extensions["facilitator.live"].publish(code, events)
    finally:
        _refreshing.on = False
