"""The research dataset of a series: one long table over all its sessions.

One row per reflection, reaction, rating and endorsement, each with the session
(code, title, date, place, municipality), the perspective, a pseudonymous
participant id and stable codes (``record_type``, ``kind``, ``round``, finding,
perspective and circle ids), so that a researcher can load it in pandas or R
without cleaning:

* CSV: UTF-8 without a byte order mark, ``,`` between fields, a header row of
  ASCII snake_case names, ``.`` as the decimal point, empty cells for missing
  values, times as ``YYYY-MM-DD HH:MM:SS`` (local time), ``shared`` as 1/0.
  (``pandas.read_csv(f)``, ``read.csv(f, encoding="UTF-8")``.)
* Excel: the same table on the first sheet ``data`` (days and times as dates,
  numbers as numbers) and a ``codebook`` sheet that explains each column. When the
  rows hold text the room never saw (unshared reflections, reasons of ratings), the
  ``data`` sheet's first row says so ("niet doorgeven"), above the header.

The participant id is ``<session code>-P<nnn>``: the n-th participant of that
session, the same in every row and every export of the same data; names never
appear. Hidden (moderated) records, and reactions and endorsements to them, are
left out as in every export. The dataset is not pooled (it holds unshared
reflections, marked ``shared`` 0): it is the research team's, not for handing on.
Text a spreadsheet would take for a formula keeps a leading ``'`` in the CSV and
is stored as text in Excel, as in the session exports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .. import privacy
from ..model import WorkshopData
from . import needs
from .csv import cell
from .labels import labels
from .report import parse_time, xml_safe
from .research import CODEBOOK

COLUMNS = ("series_id", "session_id", "session_title", "date", "place", "municipality",
           "record_type", "record_id", "participant_id", "perspective_id", "perspective",
           "circle_id", "created_at", "finding_id", "round", "score", "kind", "target_id",
           "shared", "text")

#: column -> (Dutch, English) meaning, for the codebook (the session exports' words
#: where the column is the same)
MEANINGS: dict[str, tuple[str, str]] = {
    "series_id": ("Vaste code van de reeks", "Stable code of the series"),
    "session_title": ("Titel van de sessie", "Title of the session"),
    "date": ("Datum van de sessie (JJJJ-MM-DD)", "Date of the session (YYYY-MM-DD)"),
    "place": ("Plaats van de sessie", "Place of the session"),
    "municipality": ("Gemeente of regio van de sessie", "Municipality or region of the session"),
    "record_type": ("Vaste code: reflection, reaction, rating of endorsement",
                    "Stable code: reflection, reaction, rating or endorsement"),
    "record_id": ("Vaste code van de rij binnen de sessie",
                  "Stable code of the row in its session"),
    "participant_id": ("Pseudonieme code: sessiecode en P001, ... (gelijk in alle rijen)",
                       "Pseudonymous code: session code and P001, ... (the same in every row)"),
    "finding_id": ("Vaste code van de bevinding (reflecties op een bevinding en beoordelingen)",
                   "Stable code of the finding (reflections on a finding and ratings)"),
    "round": (CODEBOOK["round"][0] + " (alleen beoordelingen)",
              CODEBOOK["round"][1] + " (ratings only)"),
    "kind": ("Vaste code: agree, disagree, pass (reacties) of support, concern (steun)",
             "Stable code: agree, disagree, pass (reactions) or support, concern (endorsements)"),
    "target_id": ("Waarop gereageerd is: reflectie (reacties) of conclusie (steun)",
                  "What was reacted to: a reflection (reactions) or a conclusion (endorsements)"),
    "shared": (CODEBOOK["shared"][0] + " (alleen reflecties)",
               CODEBOOK["shared"][1] + " (reflections only)"),
    "text": ("Tekst zoals getypt (reflecties; toelichting bij reacties, steun en beoordelingen)",
             "Text as typed (reflections; the note with reactions, endorsements and ratings)"),
}
for _column in ("session_id", "perspective_id", "perspective", "circle_id", "created_at",
                "score"):
    MEANINGS[_column] = CODEBOOK[_column]

#: columns whose values are free text (neutralised in the CSV)
_TEXT = {"session_title", "place", "municipality", "perspective", "text"}


def rows(series_id: str, sessions: Iterable[WorkshopData],
         lang: str = "nl") -> list[dict[str, Any]]:
    """The dataset's rows (``COLUMNS`` as keys), session by session in the given order."""
    out: list[dict[str, Any]] = []
    for data in sessions:
        w = data.workshop
        ids = {p.id: f"{w.code}-P{i:03d}" for i, p in enumerate(data.participants, start=1)}

        def who(participant: str, ids=ids, code=w.code) -> str:
            # authors without a participant record (restored data) get the next number
            if participant not in ids:
                ids[participant] = f"{code}-P{len(ids) + 1:03d}"
            return ids[participant]

        labels = {p.id: p.label_for(lang) for p in w.perspectives}
        base = {"series_id": series_id, "session_id": w.code, "session_title": w.title,
                "date": w.date or None, "place": w.place or None,
                "municipality": w.municipality or None}

        def row(record_type: str, record_id: str, participant: str, perspective: str,
                circle: str | None, created_at: str | None, base=base, labels=labels,
                **values: Any) -> dict[str, Any]:
            entry = {**dict.fromkeys(COLUMNS), **base, "record_type": record_type,
                     "record_id": record_id, "participant_id": who(participant),
                     "perspective_id": perspective,
                     "perspective": labels.get(perspective, perspective),
                     "circle_id": circle or None, "created_at": parse_time(created_at)}
            entry.update(values)
            return entry

        visible = {r.id for r in data.reflections if privacy.is_visible(r)}
        kept = {c.id for c in data.conclusions if privacy.is_visible(c)}
        for r in data.reflections:
            if r.id in visible:
                out.append(row("reflection", r.id, r.participant, r.perspective, r.circle,
                               r.created_at, finding_id=r.finding or None,
                               shared=int(bool(r.shared)), text=r.text))
        for x in data.reactions:
            if x.reflection in visible:
                out.append(row("reaction", x.id, x.participant, x.perspective, x.circle,
                               x.created_at, kind=x.kind, target_id=x.reflection,
                               text=x.text or None))
        for g in data.ratings:
            out.append(row("rating", g.id, g.participant, g.perspective, g.circle,
                           g.updated_at or g.created_at, finding_id=g.finding, round=g.round,
                           score=g.score, text=g.text or None))
        for e in data.endorsements:
            if e.conclusion in kept:
                out.append(row("endorsement", e.id, e.participant, e.perspective, None,
                               e.created_at, kind=e.kind, target_id=e.conclusion,
                               text=e.text or None))
    return out


def _csv_value(column: str, value: Any) -> str:
    """``csv.cell``, but only free-text columns are neutralised (ids and codes stay as
    they are, so they merge with the session exports)."""
    if column not in _TEXT and isinstance(value, str):
        return value
    return cell(value)


def to_csv(table: list[dict[str, Any]]) -> bytes:
    """The rows as one CSV file (see the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in table:
        writer.writerow([_csv_value(c, entry[c]) for c in COLUMNS])
    return out.getvalue().encode("utf-8")


def to_xlsx(table: list[dict[str, Any]], lang: str = "nl") -> bytes:
    """The rows on a ``data`` sheet, the column meanings on ``codebook`` (openpyxl)."""
    needs.require("xlsx")
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    data = book.create_sheet("data")
    bold = Font(bold=True)
    # text the room never saw (unshared reflections, the reasons of ratings): the sheet
    # says so in its first row, above the header, as the session's research sheets do
    unseen = any((e["record_type"] == "reflection" and not e["shared"])
                 or (e["record_type"] == "rating" and e["text"]) for e in table)
    data.freeze_panes = "A3" if unseen else "A2"
    if unseen:
        warning = WriteOnlyCell(data, labels(lang)["not_pooled"])
        warning.font = bold
        data.append([warning])
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(data, name)
        cell.font = bold
        header.append(cell)
    data.append(header)
    for entry in table:
        line: list[Any] = []
        for column in COLUMNS:
            value = entry[column]
            if column == "date" and isinstance(value, str):
                try:  # the session's day as an Excel date (a real calendar date in the spec)
                    value = datetime.strptime(value, "%Y-%m-%d")
                except ValueError:
                    pass
                else:
                    cell = WriteOnlyCell(data, value)
                    cell.number_format = "yyyy-mm-dd"
                    line.append(cell)
                    continue
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)
                cell = WriteOnlyCell(data, value)
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
                line.append(cell)
            elif isinstance(value, str):
                cell = WriteOnlyCell(data, xml_safe(value))
                cell.data_type = "s"  # never a formula, whatever the text starts with
                line.append(cell)
            else:
                line.append(value)
        data.append(line)
    codebook = book.create_sheet("codebook")
    codebook.append(["column", "meaning"])
    pick = 1 if lang == "en" else 0
    for column in COLUMNS:
        codebook.append([column, MEANINGS[column][pick]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
