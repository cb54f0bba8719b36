"""The session's tables as one Excel workbook (openpyxl), one sheet per table.

Values keep their type (numbers, local date-times), the header row is bold,
frozen and has an auto filter.  Text is always stored as text: a cell that
starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is written as a
string with Excel's *quote prefix*, the workbook form of the leading
apostrophe, so a participant's "=HYPERLINK(...)" is shown, never evaluated.
"""

from __future__ import annotations

import io
from copy import copy
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .report import Report, tables, xml_safe

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF3")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
#: Column widths in characters for text-heavy columns (others get a default).
_LONG = 60


class _Styles:
    """Cell styles of one workbook, made once and copied onto each cell.

    Assigning font, alignment and number format to every one of 100,000
    cells makes openpyxl hash each style object again; copying the style
    array of a finished template cell is many times faster.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.arrays: dict[tuple[str, bool], Any] = {}

    def apply(self, cell: Any, kind: str, quote: bool = False) -> Any:
        key = (kind, quote)
        if key not in self.arrays:
            template = WriteOnlyCell(self.ws, None)
            if kind == "header":
                template.font, template.fill, template.alignment = _HEADER_FONT, _HEADER_FILL, _TOP
            elif kind == "date":
                template.number_format, template.alignment = "yyyy-mm-dd hh:mm:ss", _TOP
            elif kind == "wrap":
                template.alignment = _WRAP
            template.quotePrefix = quote
            self.arrays[key] = template._style
        cell._style = copy(self.arrays[key])
        return cell

    def cell(self, value: Any, kind: str) -> Any:
        """A cell for ``value``; text is always text, formula-like text quote-prefixed.

        Plain numbers and plain short text go in as values (openpyxl's fast
        path); dates, wrapped long text, header and formula-like text as
        styled cells.
        """
        if isinstance(value, datetime):
            return self.apply(WriteOnlyCell(self.ws, value.replace(tzinfo=None)), "date")
        if value is None or isinstance(value, int | float):
            return value if kind == "plain" else self.apply(WriteOnlyCell(self.ws, value), kind)
        text = xml_safe(str(value))
        risky = text.startswith(_FORMULA_START)
        if kind == "plain" and not risky:
            return text
        cell = WriteOnlyCell(self.ws, text)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return self.apply(cell, kind, quote=risky)


def render(report: Report) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = xml_safe(report.title)
    workbook.properties.subject = report.t["report"]
    workbook.properties.creator = "facilitator"
    workbook.properties.language = "nl-NL" if report.lang == "nl" else "en-GB"
    for table in tables(report):
        ws = workbook.create_sheet(table.title[:31])
        long_columns = set()
        for i, name in enumerate(table.columns):
            sample = [len(str(row[i])) for row in table.rows[:200] if row[i] is not None]
            widest = max([len(name), *sample]) if sample else len(name)
            width = min(max(widest + 2, 8), _LONG)
            if widest > _LONG:
                long_columns.add(i)
            if table.rows and isinstance(table.rows[0][i], datetime):
                width = 20
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        # a sheet with text the room never saw says so in its first row, above the header
        top = 2 if table.warning else 1
        ws.freeze_panes = f"A{top + 1}"
        ws.auto_filter.ref = (f"A{top}:{get_column_letter(len(table.columns))}"
                              f"{len(table.rows) + top}")
        styles = _Styles(ws)
        if table.warning:
            warning = WriteOnlyCell(ws, xml_safe(table.warning))
            warning.font = _HEADER_FONT
            ws.append([warning])
        ws.append([styles.cell(name, "header") for name in table.columns])
        kinds = ["wrap" if i in long_columns else "plain" for i in range(len(table.columns))]
        for row in table.rows:
            ws.append([styles.cell(v, k) for v, k in zip(row, kinds, strict=True)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
