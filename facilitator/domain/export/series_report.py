"""The report of a series: the synthesis across its sessions as Word, HTML/PDF or Markdown.

Built from ``series.synthesis`` only, so it is pseudonymous and pooled by
construction: no names, no pseudonyms, per-perspective figures only where the
small-group rule over the series lets them through, and totals that add up what
is shown. The content is laid out once as a list of blocks (headings,
paragraphs, tables, lists); each format draws the blocks.

Sections: the sessions (date, place, municipality, participants, reflections),
per finding the recognition per perspective over all and per session (or the
reactions where a session did not rate it), the themes shared across sessions,
the concerns distinctive of a perspective, what recurs in most sessions and
what appeared in one only, and how the figures were made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from . import needs, slug
from .html import CSS
from .labels import normalise_lang
from .markdown import escape as md_escape
from .report import date_text, number_text, xml_safe

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}

WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Reeksverslag: {title}",
        "about": "{n} sessies van {first} tot en met {last}, in {places}.",
        "about_one": "Eén sessie, {first}, in {places}.",
        "about_none": "Nog geen sessies in deze selectie.",
        "privacy": "Dit verslag is pseudoniem en samengevoegd: er staan geen namen en geen "
                   "sessiecodes in. Een cijfer per perspectief telt een sessie alleen mee als "
                   "daar minstens {min_group} deelnemers van dat perspectief een antwoord "
                   "gaven; kleinere groepen zijn per sessie samengevoegd tot ‘andere "
                   "perspectieven’ (minstens {min_group} mensen uit minstens twee "
                   "perspectieven) of weggelaten, net als in het verslag van die sessie, en "
                   "totalen tellen alleen op wat er staat.",
        "sessions": "Sessies", "session_n": "sessie {n}", "date": "Datum", "place": "Plaats",
        "municipality": "Gemeente of regio", "participants": "Deelnemers",
        "reflections": "Reflecties", "shared": "Gedeeld", "ratings": "Beoordelingen",
        "findings": "Bevindingen over de sessies",
        "findings_none": "Er zijn geen bevindingen in deze sessies.",
        "round_before": "Herkenbaarheid vóór de dialoog",
        "round_after": "Herkenbaarheid na de dialoog",
        "perspective": "Perspectief", "people": "Deelnemers", "n": "Aantal",
        "mean": "Gemiddelde (1–5)", "per_session": "Per sessie (gemiddelde)",
        "all": "Alle getoonde perspectieven",
        "rated_in": "Beoordeeld in: {places}.",
        "reacted_in": "Niet beoordeeld, wel reacties op reflecties erover in: {places}.",
        "no_figures": "Te weinig deelnemers per perspectief om cijfers te tonen.",
        "reactions": "Reacties op reflecties over deze bevinding (sessies zonder "
                     "beoordelingen: {sessions})",
        "agree": "Herkenbaar", "disagree": "Niet herkenbaar", "pass": "Geen mening",
        "withheld": "Een deel van de reacties is weggelaten: te kleine groepen.",
        "themes": "Gedeelde thema's over de sessies",
        "themes_none": "Geen gedeelde thema's gevonden (of nog geen gedeelde reflecties).",
        "theme": "Thema", "in_sessions": "Aantal sessies", "where": "Waar",
        "using": "Deelnemers die het noemen",
        "concerns": "Kenmerkende zorgen per perspectief",
        "concerns_none": "Geen zorgen gevonden die kenmerkend zijn voor één perspectief.",
        "concern": "Zorg", "of": "van",
        "recurring": "Wat in de meeste sessies terugkomt",
        "once": "Wat in één sessie opkwam",
        "none": "Niets.", "kind_theme": "thema", "kind_concern": "zorg van {label}",
        "item": "{term} ({kind}): {count} sessies, {people} deelnemers — {where}",
        "item_one": "{term} ({kind}): {people} deelnemers — {where}",
        "method": "Werkwijze",
        "method_text": "Per sessie zijn de gedeelde reflecties geanalyseerd zoals een lezer "
                       "van het verslag ze ziet (niet-gedeelde en verborgen reflecties tellen "
                       "niet mee). Een thema of zorg ‘komt terug’ als het in meer dan de helft "
                       "van de sessies voorkomt. Beoordelingen lopen van 1 (helemaal niet "
                       "herkenbaar) tot 5 (zeer herkenbaar).",
        "generated": "Gemaakt op {when}.",
        "file": "reeksverslag",
    },
    "en": {
        "title": "Series report: {title}",
        "about": "{n} sessions from {first} to {last}, in {places}.",
        "about_one": "One session, {first}, in {places}.",
        "about_none": "No sessions in this selection yet.",
        "privacy": "This report is pseudonymous and pooled: it holds no names and no "
                   "session codes. A figure per perspective counts a session only where at "
                   "least {min_group} participants of that perspective answered there; "
                   "smaller groups are merged per session into ‘other perspectives’ (at least "
                   "{min_group} people from at least two perspectives) or left out, as in that "
                   "session's own report, and totals add up only what is shown.",
        "sessions": "Sessions", "session_n": "session {n}", "date": "Date", "place": "Place",
        "municipality": "Municipality or region", "participants": "Participants",
        "reflections": "Reflections", "shared": "Shared", "ratings": "Ratings",
        "findings": "Findings across the sessions",
        "findings_none": "There are no findings in these sessions.",
        "round_before": "Recognition before the dialogue",
        "round_after": "Recognition after the dialogue",
        "perspective": "Perspective", "people": "Participants", "n": "Number",
        "mean": "Mean (1–5)", "per_session": "Per session (mean)",
        "all": "All perspectives shown",
        "rated_in": "Rated in: {places}.",
        "reacted_in": "Not rated, but reactions to reflections on it in: {places}.",
        "no_figures": "Too few participants per perspective to show figures.",
        "reactions": "Reactions to reflections on this finding (sessions without ratings: "
                     "{sessions})",
        "agree": "Recognisable", "disagree": "Not recognisable", "pass": "No opinion",
        "withheld": "Some reactions are left out: groups too small.",
        "themes": "Themes shared across the sessions",
        "themes_none": "No shared themes found (or no shared reflections yet).",
        "theme": "Theme", "in_sessions": "Sessions", "where": "Where",
        "using": "Participants mentioning it",
        "concerns": "Concerns distinctive of a perspective",
        "concerns_none": "No concerns found that are distinctive of one perspective.",
        "concern": "Concern", "of": "of",
        "recurring": "What recurs in most sessions",
        "once": "What came up in one session",
        "none": "Nothing.", "kind_theme": "theme", "kind_concern": "concern of {label}",
        "item": "{term} ({kind}): {count} sessions, {people} participants — {where}",
        "item_one": "{term} ({kind}): {people} participants — {where}",
        "method": "Method",
        "method_text": "Each session's shared reflections were analysed as a reader of the "
                       "report sees them (unshared and hidden reflections do not count). A "
                       "theme or concern ‘recurs’ when it occurs in more than half of the "
                       "sessions. Ratings run from 1 (not recognisable at all) to 5 (very "
                       "recognisable).",
        "generated": "Generated on {when}.",
        "file": "series-report",
    },
}


@dataclass
class Block:
    """One piece of the report: ``h1``/``h2``/``h3``, ``p``, ``note``, ``list`` or ``table``."""

    kind: str
    text: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    #: table columns (by index) that hold numbers (right-aligned)
    numeric: set[int] = field(default_factory=set)
    items: list[str] = field(default_factory=list)


@dataclass
class SeriesReport:
    lang: str
    title: str
    blocks: list[Block]
    generated: datetime


def session_names(sessions: list[dict[str, Any]], lang: str = "nl") -> dict[str, str]:
    """Session reference -> how the report names it: its place (or municipality), with
    the date where two sessions share a place, the date alone without a place; never
    its code (a join code, which would let a reader into the room)."""
    def base(s: dict[str, Any]) -> str:
        return s.get("place") or s.get("municipality") or ""

    count: dict[str, int] = {}
    for s in sessions:
        count[base(s)] = count.get(base(s), 0) + 1
    out: dict[str, str] = {}
    for number, s in enumerate(sessions, start=1):
        day = date_text(s.get("date") or "", lang)
        name = base(s)
        if not name:
            name = day or WORDS[lang]["session_n"].format(n=number)
        elif count[name] > 1 and day:
            name = f"{name} ({day})"
        out[s["id"]] = name
    return out


def build(synthesis: dict[str, Any], lang: str = "nl",
          generated: datetime | None = None) -> SeriesReport:
    """The report's blocks from a synthesis (``series.synthesis``) in ``lang``."""
    lang = normalise_lang(lang)
    w = WORDS[lang]
    generated = generated or datetime.now()
    sessions = synthesis.get("sessions", [])
    where = session_names(sessions, lang)

    def num(value: Any) -> str:
        return number_text(float(value), lang) if isinstance(value, float) else str(value)

    def places(codes: list[str]) -> str:
        return ", ".join(dict.fromkeys(where.get(c, c) for c in codes))

    title = w["title"].format(title=synthesis.get("series", {}).get("title", ""))
    blocks = [Block("h1", title)]
    dates = sorted(s["date"] for s in sessions if s.get("date"))
    all_places = places([s["id"] for s in sessions])
    if not sessions:
        blocks.append(Block("p", w["about_none"]))
    elif len(sessions) == 1:
        blocks.append(Block("p", w["about_one"].format(
            first=date_text(dates[0], lang) if dates else "–", places=all_places)))
    else:
        blocks.append(Block("p", w["about"].format(
            n=len(sessions), first=date_text(dates[0], lang) if dates else "–",
            last=date_text(dates[-1], lang) if dates else "–", places=all_places)))
    blocks.append(Block("note", w["privacy"].format(min_group=synthesis.get("min_group", 3))))

    blocks.append(Block("h2", w["sessions"]))
    blocks.append(Block("table", header=[w["date"], w["place"], w["municipality"],
                                         w["participants"], w["reflections"], w["shared"],
                                         w["ratings"]],
                        rows=[[date_text(s.get("date") or "", lang),
                               s.get("place") or "", s.get("municipality") or "",
                               s["participants"], s["reflections"], s["shared"], s["ratings"]]
                              for s in sessions], numeric={3, 4, 5, 6}))

    blocks.append(Block("h2", w["findings"]))
    findings = synthesis.get("findings", [])
    if not findings:
        blocks.append(Block("p", w["findings_none"]))
    codes = [s["id"] for s in sessions]
    for finding in findings:
        blocks.append(Block("h3", finding["title"]))
        sources = finding.get("sources", {})
        rated = [c for c in codes if sources.get(c) == "ratings"]
        reacted = [c for c in codes if sources.get(c) == "reactions"]
        if rated:
            blocks.append(Block("p", w["rated_in"].format(places=places(rated))))
        if reacted:
            blocks.append(Block("p", w["reacted_in"].format(places=places(reacted))))
        for round_ in ("before", "after"):
            figures = finding.get("rounds", {}).get(round_) or {}
            rows = figures.get("perspectives") or []
            if not figures.get("n") and not rows and not figures.get("withheld"):
                continue
            blocks.append(Block("p", w[f"round_{round_}"]))
            if not rows:
                blocks.append(Block("p", w["no_figures"]))
                continue
            table_rows = [[r["label"], r["people"], num(r["mean"]),
                           "; ".join(f"{where.get(c, c)}: {num(v['mean'])}"
                                     for c, v in r.get("sessions", {}).items())]
                          for r in rows]
            table_rows.append([w["all"], sum(r["people"] for r in rows),
                               num(figures["mean"]) if figures.get("mean") is not None else "",
                               ""])
            blocks.append(Block("table", header=[w["perspective"], w["people"], w["mean"],
                                                 w["per_session"]],
                                rows=table_rows, numeric={1, 2}))
        reactions = finding.get("reactions") or {}
        if reactions.get("sessions"):
            blocks.append(Block("p", w["reactions"].format(
                sessions=places(reactions["sessions"]))))
            rows = reactions.get("perspectives") or []
            if rows:
                total = reactions.get("total", {})
                blocks.append(Block("table", header=[w["perspective"], w["people"], w["agree"],
                                                     w["disagree"], w["pass"]],
                                    rows=[[r["label"], r["people"], r["agree"], r["disagree"],
                                           r["pass"]] for r in rows]
                                    + [[w["all"], sum(r["people"] for r in rows),
                                        total.get("agree", 0), total.get("disagree", 0),
                                        total.get("pass", 0)]],
                                    numeric={1, 2, 3, 4}))
            else:
                blocks.append(Block("p", w["no_figures"]))
            if reactions.get("withheld"):
                blocks.append(Block("note", w["withheld"]))

    blocks.append(Block("h2", w["themes"]))
    themes = synthesis.get("themes", [])
    if themes:
        blocks.append(Block("table", header=[w["theme"], w["in_sessions"], w["where"],
                                             w["using"]],
                            rows=[[t["term"], t["count"], places(t["sessions"]), t["people"]]
                                  for t in themes], numeric={1, 3}))
    else:
        blocks.append(Block("p", w["themes_none"]))

    blocks.append(Block("h2", w["concerns"]))
    concerns = synthesis.get("concerns", [])
    if concerns:
        blocks.append(Block("table", header=[w["perspective"], w["concern"], w["in_sessions"],
                                             w["where"], w["people"]],
                            rows=[[c["label"], c["term"], c["count"], places(c["sessions"]),
                                   f"{c['people']} {w['of']} {c['of']}"] for c in concerns],
                            numeric={2}))
    else:
        blocks.append(Block("p", w["concerns_none"]))

    def item(e: dict[str, Any]) -> str:
        kind = w["kind_theme"] if e["kind"] == "theme" else w["kind_concern"].format(
            label=e.get("label", ""))
        key = "item_one" if e["count"] == 1 else "item"
        return w[key].format(term=e["term"], kind=kind, count=e["count"], people=e["people"],
                             where=places(e["sessions"]))

    for key in ("recurring", "once"):
        blocks.append(Block("h2", w[key]))
        entries = synthesis.get(key, [])
        blocks.append(Block("list", items=[item(e) for e in entries]) if entries
                      else Block("p", w["none"]))

    blocks.append(Block("h2", w["method"]))
    blocks.append(Block("p", w["method_text"]))
    blocks.append(Block("p", w["generated"].format(when=generated.strftime("%Y-%m-%d %H:%M"))))
    return SeriesReport(lang=lang, title=title, blocks=blocks, generated=generated)


# -- formats ------------------------------------------------------------------------

def _md_cell(value: Any) -> str:
    return md_escape("" if value is None else str(value)).replace("\n", " ") or " "


def markdown(report: SeriesReport) -> str:
    out: list[str] = []
    for b in report.blocks:
        if b.kind in ("h1", "h2", "h3"):
            out += ["#" * int(b.kind[1]) + " " + md_escape(b.text), ""]
        elif b.kind == "p":
            out += [md_escape(b.text), ""]
        elif b.kind == "note":
            out += ["> " + md_escape(b.text), ""]
        elif b.kind == "list":
            out += ["- " + md_escape(i) for i in b.items] + [""]
        elif b.kind == "table":
            out.append("| " + " | ".join(_md_cell(h) for h in b.header) + " |")
            out.append("|" + "".join("---:|" if i in b.numeric else "---|"
                                     for i in range(len(b.header))))
            out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in b.rows]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def html(report: SeriesReport) -> str:
    """One self-contained page (the session report's print CSS), print-ready on A4."""
    body: list[str] = []
    for b in report.blocks:
        if b.kind in ("h1", "h2", "h3"):
            body.append(f"<{b.kind}>{_e(b.text)}</{b.kind}>")
        elif b.kind == "p":
            body.append(f"<p>{_e(b.text)}</p>")
        elif b.kind == "note":
            body.append(f'<p class="note">{_e(b.text)}</p>')
        elif b.kind == "list":
            body.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in b.items) + "</ul>")
        elif b.kind == "table":
            def cell(tag: str, i: int, value: Any, numeric: set[int] = b.numeric) -> str:
                cls = ' class="n"' if i in numeric else ""
                scope = ' scope="col"' if tag == "th" else ""
                return f"<{tag}{cls}{scope}>{_e(value)}</{tag}>"

            head = "".join(cell("th", i, h) for i, h in enumerate(b.header))
            rows = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row))
                           + "</tr>" for row in b.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return (f'<!DOCTYPE html>\n<html lang="{report.lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(report.title)}</title><style>{CSS}</style></head>"
            f"<body><main>{''.join(body)}</main></body></html>\n")


def pdf(report: SeriesReport) -> bytes:
    from weasyprint import HTML  # the export extra

    return HTML(string=html(report)).write_pdf()


def docx(report: SeriesReport) -> bytes:
    import io

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    document.core_properties.title = xml_safe(report.title)
    document.core_properties.language = "nl-NL" if report.lang == "nl" else "en-GB"
    for b in report.blocks:
        if b.kind in ("h1", "h2", "h3"):
            document.add_heading(xml_safe(b.text), level=int(b.kind[1]) - 1)
        elif b.kind == "p":
            document.add_paragraph(xml_safe(b.text))
        elif b.kind == "note":
            document.add_paragraph(xml_safe(b.text)).runs[0].italic = True
        elif b.kind == "list":
            for i in b.items:
                document.add_paragraph(xml_safe(i), style="List Bullet")
        elif b.kind == "table":
            table = document.add_table(rows=1, cols=len(b.header))
            table.style = "Table Grid"
            for i, h in enumerate(b.header):
                cell = table.rows[0].cells[i]
                cell.text = xml_safe(str(h))
                cell.paragraphs[0].runs[0].bold = True
            for row in b.rows:
                cells = table.add_row().cells
                for i, value in enumerate(row):
                    cells[i].text = xml_safe("" if value is None else str(value))
                    if i in b.numeric:
                        cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            document.add_paragraph()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(synthesis: dict[str, Any], fmt: str, lang: str = "nl") -> tuple[bytes, str, str]:
    """(content, MIME type, file name) of the series report in ``fmt`` (``FORMATS``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown series report format {fmt!r}")
    needs.require(fmt)
    lang = normalise_lang(lang)
    name = f"{slug(synthesis.get('series', {}).get('title') or 'reeks')}-{WORDS[lang]['file']}"
    if fmt == "json":
        content = json.dumps(synthesis, ensure_ascii=False, indent=1).encode("utf-8")
        return content, FORMATS[fmt], f"{name}.json"
    report = build(synthesis, lang)
    if fmt == "md":
        content = markdown(report).encode("utf-8")
    elif fmt == "html":
        content = html(report).encode("utf-8")
    elif fmt == "pdf":
        content = pdf(report)
    else:
        content = docx(report)
    return content, FORMATS[fmt], f"{name}.{fmt}"
