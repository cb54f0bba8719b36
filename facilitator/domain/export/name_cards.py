"""Name cards for the door as a PDF: A4 sheets, eight cards each, one personal QR code
per registered person with the name and perspective (and organisation) beside it.

The same cards as the organiser's printable page (``templates/organiser/cards.html``),
but self-contained: the QR codes are inline SVG and the CSS is in the page, so
WeasyPrint lays it out without fetching anything. The cards are cut along the
dashed lines; a card never breaks over two pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from ..errors import N_, Invalid
from . import needs

#: cards on one A4 sheet (two columns, four rows)
PER_PAGE = 8
#: cards in one PDF or printable sheet (50 A4 pages, some seconds of layout and QR
#: codes): a longer list comes in parts of this many (``?part=2``)
MAX_CARDS = 400


def part_count(people: int) -> int:
    """How many parts the cards of ``people`` come in (one for none)."""
    return max(1, -(-people // MAX_CARDS))


def chosen_part(people: int, part: Any) -> slice:
    """Which of ``people`` cards one download makes: ``part`` 1, 2, ... of
    ``MAX_CARDS`` each, or all without one while they fit one part; anything else is
    refused at the field ``part``."""
    parts = part_count(people)
    if part in (None, ""):
        if parts > 1:
            raise Invalid(N_("More than %(max)s name cards: download them in parts "
                             "(part 1 to %(parts)s)."), field="part", max=MAX_CARDS,
                          parts=parts)
        return slice(0, MAX_CARDS)
    if not isinstance(part, str) or not part.isdigit() or not 1 <= int(part) <= parts:
        raise Invalid(N_("Choose a part from 1 to %(parts)s."), field="part", parts=parts)
    start = (int(part) - 1) * MAX_CARDS
    return slice(start, start + MAX_CARDS)

CSS = """
@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Segoe UI", "Liberation Sans", "DejaVu Sans", Helvetica, Arial,
  sans-serif; color: #1a1a1a; }
.sheet { width: 190mm; border-collapse: collapse; table-layout: fixed; }
.sheet + .sheet { break-before: page; page-break-before: always; }
.sheet td { width: 95mm; height: 69mm; border: 0.6pt dashed #767676; padding: 5mm;
  vertical-align: middle; break-inside: avoid; page-break-inside: avoid; }
.qr { float: left; width: 36mm; height: 36mm; margin-right: 5mm; }
.qr svg { width: 36mm; height: 36mm; }
.name { font-size: 17pt; font-weight: 700; margin: 0 0 2mm; overflow-wrap: anywhere; }
.perspective { font-size: 13pt; margin: 0 0 2mm; }
.organisation { font-size: 10pt; color: #4a4a4a; margin: 0; overflow-wrap: anywhere; }
.empty { font-size: 12pt; }
"""


@dataclass(frozen=True)
class Card:
    """One person's card: ``qr`` is an inline SVG of their personal link."""

    name: str
    perspective: str
    organisation: str
    qr: str


def _e(value: str) -> str:
    return escape(value or "", quote=True)


def html(title: str, cards: list[Card], lang: str = "nl", empty: str = "") -> str:
    """The cards as one self-contained page: tables of two by four cards, a sheet each."""
    sheets = []
    for start in range(0, len(cards), PER_PAGE):
        chunk = cards[start:start + PER_PAGE]
        rows = []
        for i in range(0, len(chunk), 2):
            cells = []
            for card in chunk[i:i + 2]:
                org = (f'<p class="organisation">{_e(card.organisation)}</p>'
                       if card.organisation else "")
                cells.append(f'<td><div class="qr" role="img" aria-label="QR">{card.qr}</div>'
                             f'<p class="name">{_e(card.name)}</p>'
                             f'<p class="perspective">{_e(card.perspective)}</p>{org}</td>')
            if len(cells) == 1:
                cells.append("<td></td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        sheets.append('<table class="sheet">' + "".join(rows) + "</table>")
    body = "".join(sheets) or f'<p class="empty">{_e(empty)}</p>'
    return (f'<!DOCTYPE html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>{body}</body></html>\n")


def pdf(title: str, cards: list[Card], lang: str = "nl", empty: str = "") -> bytes:
    """The cards as a PDF (WeasyPrint, from the ``export`` extra)."""
    needs.require("pdf")
    from weasyprint import HTML

    return HTML(string=html(title, cards, lang, empty)).write_pdf()
