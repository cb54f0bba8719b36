"""Exports of a session: the report (Word, print/PDF page, HTML, Markdown), tables, archive.

``render(data, fmt, lang=..., names=..., patterns=..., delimiter=...)`` returns
an ``Export`` (bytes, MIME type, file name) for one of ``FORMATS``:

========  ====================================================================
docx      the report as a Word document, charts as PNG pictures (python-docx)
pdf       the report as a PDF (A4, page numbers, outline), the print HTML laid
          out by WeasyPrint (``pdf``)
html      the same page as one self-contained HTML file
csv       a ZIP of CSV files (reflections, reactions, endorsements, conclusions),
          UTF-8 with BOM, ``;`` (or ``delimiter``), formulas neutralised
xlsx      the same tables as an Excel workbook, one sheet each (openpyxl)
md        the report as Markdown
json      the complete, versioned archive (see ``archive``); restorable
========  ====================================================================

Every report format is built from one ``report.Report``, which leaves hidden
(moderated) reflections and conclusions out and shows participants as
perspective + pseudonym, with display names only for ``names=True``.  The JSON
archive is a backup: it keeps hidden records (marked), never tokens, and drops
display names unless ``names=True``.  python-docx and openpyxl are imported
only for their formats (the ``export`` extra).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model import WorkshopData
from . import labels, needs
from . import report as report_model


@dataclass(frozen=True)
class Format:
    """What a format produces: its file extension and MIME type."""

    extension: str
    mimetype: str


@dataclass(frozen=True)
class Export:
    """One rendered export: the file's bytes, its MIME type and a suggested file name."""

    content: bytes
    mimetype: str
    filename: str


FORMATS: dict[str, Format] = {
    "docx": Format("docx",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": Format("pdf", "application/pdf"),
    "html": Format("html", "text/html; charset=utf-8"),
    "csv": Format("zip", "application/zip"),
    "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "md": Format("md", "text/markdown; charset=utf-8"),
    "json": Format("json", "application/json"),
}


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe ASCII slug: ``Reflectiesessie Gemeente Één`` -> ``reflectiesessie-...``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:limit].rstrip("-") or "sessie"


def filename(data: WorkshopData, fmt: str, lang: str = "nl") -> str:
    """The suggested file name of an export: ``<title>-<date>-<kind>.<ext>``."""
    t = labels.labels(lang)
    parts = [slug(data.workshop.title)]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", data.workshop.date or ""):
        parts.append(data.workshop.date)
    kind = {"json": t["archive_file"], "csv": "csv"}.get(fmt, t["report_file"])
    parts.append(kind)
    return "-".join(parts) + "." + FORMATS[fmt].extension


def _report_renderer(fmt: str, processes: int | None = None,
                     ready_seconds: float | None = None,
                     ) -> Callable[[report_model.Report, str], bytes]:
    if fmt == "docx":
        from . import docx

        return lambda r, _d: docx.render(r)
    if fmt == "xlsx":
        from . import xlsx

        return lambda r, _d: xlsx.render(r)
    if fmt == "csv":
        from . import csv

        return lambda r, d: csv.render(r, delimiter=d)
    if fmt == "md":
        from . import markdown

        return lambda r, _d: markdown.render(r).encode("utf-8")
    if fmt == "pdf":
        from . import pdf

        return lambda r, _d: pdf.render(r, processes=processes, ready_seconds=ready_seconds)
    from . import html

    return lambda r, _d: html.render(r).encode("utf-8")


def render(data: WorkshopData, fmt: str, *, lang: str = "nl", names: bool = False,
           patterns: dict[str, Any] | None = None, delimiter: str = ";",
           min_group: int = 3, preset: str = "onderzoek",
           processes: int | None = None, ready_seconds: float | None = None) -> Export:
    """Render the export ``fmt`` (one of ``FORMATS``) of a session.

    ``lang`` is 'nl' (default) or 'en'; ``names=True`` adds display names;
    ``patterns`` (optional, from the patterns module) adds a section with each
    item's title, explanation and counts; ``delimiter`` is the CSV delimiter;
    ``min_group`` is the smallest group a per-perspective figure may name;
    ``preset`` is the audience (``report.PRESETS``): ``bestuur`` and
    ``deelnemers`` get what a reader of a report handed on may see (shared
    reflections, pooled figures, no pseudonyms), ``onderzoek`` the organiser's
    unpooled data; ``processes`` caps how many processes lay out a long PDF
    (default: the CPUs, at most four) and ``ready_seconds`` how long as many wait,
    WeasyPrint imported, for the next one (see ``pdf``).
    Raises ValueError for an unknown format or CSV delimiter, ``needs.NotInstalled``
    for a format whose packages (the ``export`` extra) are missing; an unknown
    language gives Dutch.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "csv" and delimiter not in (";", ",", "\t"):
        raise ValueError(f"unsupported CSV delimiter {delimiter!r}: use ';', ',' or a tab")
    needs.require(fmt)
    lang = labels.normalise_lang(lang)
    if fmt == "json":
        from .archive import to_archive

        doc = to_archive(data, names=names)
        content = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    else:
        if fmt == "pdf":
            from . import pdf

            pdf.start_early(len(data.reflections), processes, ready_seconds)
        renderer = _report_renderer(fmt, processes, ready_seconds)
        model = report_model.build(data, lang=lang, names=names, patterns=patterns,
                                   min_group=min_group, preset=preset)
        content = renderer(model, delimiter)
    return Export(content=content, mimetype=FORMATS[fmt].mimetype,
                  filename=filename(data, fmt, lang))


PRESETS = report_model.PRESETS
#: The preset of a format when none is asked for: the report formats are handed on.
DEFAULT_PRESET = {"docx": "bestuur", "pdf": "bestuur", "html": "bestuur", "md": "bestuur",
                  "csv": "onderzoek", "xlsx": "onderzoek", "json": "onderzoek"}

__all__ = ["DEFAULT_PRESET", "FORMATS", "PRESETS", "Export", "Format", "filename", "render", "slug"]
