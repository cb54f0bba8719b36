"""The session's tables as CSV files for Excel, together in one ZIP.

One file per table (reflections, reactions, endorsements and the conclusions
with their totals), UTF-8 with a byte order mark so that Excel reads accents
and emoji correctly, ``;`` as the delimiter as Dutch Excel expects (``,`` on
request).  Cells that a spreadsheet would take for a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) get a leading single
quote, so that a participant's "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from typing import Any

from .report import Report, Table, stamp, tables

DELIMITERS = (";", ",", "\t")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a single quote to text a spreadsheet would evaluate as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def cell(value: Any) -> str:
    """One value as CSV text: datetimes as local ``YYYY-MM-DD HH:MM:SS``, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))


def table_csv(table: Table, delimiter: str = ";") -> bytes:
    """One table as the bytes of a CSV file (UTF-8 with BOM, CRLF line ends)."""
    if delimiter not in DELIMITERS:
        raise ValueError(f"unsupported CSV delimiter {delimiter!r}: use one of {DELIMITERS}")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([cell(c) for c in table.columns])
    writer.writerows([cell(v) for v in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def render(report: Report, delimiter: str = ";") -> bytes:
    """A ZIP with one CSV file per table (see ``report.tables``)."""
    if delimiter not in DELIMITERS:
        raise ValueError(f"unsupported CSV delimiter {delimiter!r}: use one of {DELIMITERS}")
    buffer = io.BytesIO()
    moment = report.generated.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables(report):
            info = zipfile.ZipInfo(f"{table.filename}.csv", date_time=moment)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, table_csv(table, delimiter))
    return buffer.getvalue()
