"""One way to answer an export download, for the API, the console and the organiser page."""

from __future__ import annotations

from flask import Response, request

from ..domain.errors import N_, Invalid
from .auth import ops, settings


def export_response(code: str, *, names: bool = False) -> Response:
    """Render ``?format=&lang=&delimiter=`` of a session as a file download.

    The patterns section uses the export version of the analysis (small
    groups merged), and per-perspective figures follow FACILITATOR_MIN_GROUP.
    """
    from ..domain.export import FORMATS, render
    from ..patterns_service import patterns_for

    fmt = request.args.get("format", "md")
    if fmt not in FORMATS:
        raise Invalid(N_("Unknown format."), field="format")
    lang = "en" if request.args.get("lang") == "en" else "nl"
    delimiter = "," if request.args.get("delimiter") == "," else ";"
    result = render(ops().load(code), fmt, lang=lang, names=names,
                    patterns=patterns_for(code, "export", lang), delimiter=delimiter,
                    min_group=settings()["MIN_GROUP"])
    return Response(result.content, mimetype=result.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'})
