"""One way to answer an export download, for the API, the console and the organiser page."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request

from ..domain.errors import N_, Invalid
from ..domain.operations import Actor
from ..domain.rules import Action, allowed, require
from .auth import ops, settings

log = logging.getLogger(__name__)


def export_response(actor: Actor) -> Response:
    """Render ``?format=&lang=&delimiter=&names=`` of a session as a file download.

    Names appear only when asked for and the rules table lets the actor
    (``export_names``); otherwise the export is pseudonymous. The patterns
    section uses the export version of the analysis (small groups merged),
    and per-perspective figures follow FACILITATOR_MIN_GROUP.
    """
    from ..domain.export import FORMATS, render
    from ..patterns_service import patterns_for

    code = actor.code
    kind = ops().workshop(code).current_kind()
    require(actor.role, Action.EXPORT, kind)
    names = request.args.get("names") in ("1", "true", "yes") and allowed(
        actor.role, Action.EXPORT_NAMES, kind)
    fmt = request.args.get("format", "md")
    if fmt not in FORMATS:
        raise Invalid(N_("Unknown format."), field="format")
    lang = "en" if request.args.get("lang") == "en" else "nl"
    delimiter = "," if request.args.get("delimiter") == "," else ";"
    preset = _preset(actor, fmt, kind)
    if fmt == "pdf":
        prepare_pdf(code)
    result = made_off_the_loop(functools.partial(
        render, ops().load(code), fmt, lang=lang, names=names,
        patterns=patterns_for(code, "export", lang), delimiter=delimiter,
        min_group=settings()["MIN_GROUP"], preset=preset,
        processes=settings()["PDF_PROCESSES"] or None,
        ready_seconds=settings()["PDF_READY_SECONDS"]))
    # content_type, not mimetype: the formats' types carry their charset already (Flask
    # would add a second one to a text mimetype)
    return Response(result.content, content_type=result.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'})


def _preset(actor: Actor, fmt: str, kind: str) -> str:
    """``?preset=bestuur|deelnemers|onderzoek``; without it the report formats are the
    board's and the tables the research data. Research holds what the room did not
    see (unshared reflections, small groups), so only who may see that may ask it."""
    from ..domain.export import DEFAULT_PRESET, PRESETS

    preset = request.args.get("preset") or DEFAULT_PRESET[fmt]
    if preset not in PRESETS:
        raise Invalid(N_("Unknown preset."), field="preset")
    if preset == "onderzoek":
        require(actor.role, Action.VIEW_ALL_REFLECTIONS, kind)
        require(actor.role, Action.VIEW_SMALL_GROUPS, kind)
    return preset


def prepare_pdf(code: str) -> None:
    """Have PDF children ready (WeasyPrint imported) for a long session: when an
    organiser opens its page, for the download that usually follows, and when its PDF
    is asked for, while the session and its patterns load (``pdf.start_early``). So
    even the first download starts 0.5–0.8 s sooner. Never in the way: anything that
    fails here only leaves them unstarted."""
    from ..domain.export import needs, pdf

    seconds = settings()["PDF_READY_SECONDS"]
    if seconds <= 0 or needs.missing("pdf"):
        return
    processes = settings()["PDF_PROCESSES"] or None
    try:
        reflections = ops().store.count(code, "reflection")
        if reflections >= pdf.LONG_AT:
            made_off_the_loop(lambda: pdf.start_early(reflections, processes, seconds))
    except Exception:  # noqa: BLE001 - a convenience; the download works without it
        log.warning("pdf: could not get children ready for %s", code, exc_info=True)


def made_off_the_loop(make: Callable[[], Any], starts_processes: bool = True) -> Any:
    """``make()`` (an export: seconds of CPU for a long session) off the event loop, so
    the room's live events keep flowing: in eventlet's thread pool (a PDF's parts in
    child processes). In gevent mode only what ``starts_processes=False`` (reading an
    uploaded list): gevent watches child processes only from its main loop, and
    WeasyPrint's first import runs ``ldconfig``; there an export is made on the loop,
    a PDF's parts still laid out by child processes."""
    from ..patterns_service import run_blocking

    if starts_processes and current_app.config["FACILITATOR"]["ASYNC_MODE"] == "gevent":
        return make()
    return run_blocking(make)
