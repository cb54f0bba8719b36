"""The report as a real PDF: the print HTML laid out by WeasyPrint with real fonts.

The same page as ``html`` (one layout for screen, print and PDF): A4 with page
numbers and a running line with the session's title and date (``@page`` in the
print CSS), table header rows that repeat and rows that do not split, and a PDF
outline made from the headings (WeasyPrint bookmarks h1–h3). WeasyPrint draws
with Pango: ``./dev`` installs the Debian libraries it needs; the Python package
is in the ``export`` extra and imported only here.
"""

from __future__ import annotations

from . import html
from .report import Report


def render(report: Report, *, compress: bool = True) -> bytes:
    """The PDF's bytes; ``compress=False`` leaves the objects readable (for tests)."""
    from weasyprint import HTML

    page = html.render(report, for_pdf=True)
    return HTML(string=page).write_pdf(uncompressed_pdf=not compress)
