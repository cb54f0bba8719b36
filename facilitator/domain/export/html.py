"""The report as one self-contained HTML page, print-ready on A4.

No script, no external fonts, images or style sheets: the charts are inline
SVG, the CSS is in the page and the session's logo, if any, a data URL.
``@page`` sets A4 with margins and page numbers, headings keep with what
follows, table headers repeat on every page. WeasyPrint lays it out as the PDF
(``pdf``); a browser's *Print -> Save as PDF* gives much the same.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from html import escape

from . import charts
from .report import Report

#: The page's margins in mm (top, right, bottom, left): the print CSS's, and where the
#: PDF stamps its page numbers (``pdf``).
MARGINS_MM = (18, 16, 20, 16)
_FONTS = '"Segoe UI", "Liberation Sans", "DejaVu Sans", Helvetica, Arial, sans-serif'
_MARGIN_BOX = f"font-size: 8pt; color: #555; font-family: {_FONTS};"
#: A4 with the margins, for the browser's print and the PDF alike.
_PAGE_BOX = f"size: A4; margin: {' '.join(f'{m}mm' for m in MARGINS_MM)};"
#: No running line on the cover page.
FIRST_PAGE_CSS = "@page :first { @top-left { content: none; } }\n"
#: A browser's print: the running line from the title and date, the pages numbered.
PAGE_CSS = (
    f"@page {{ {_PAGE_BOX}\n"
    f'  @top-left {{ content: string(doctitle) "  ·  " string(docdate); {_MARGIN_BOX} }}\n'
    f'  @bottom-right {{ content: counter(page) " / " counter(pages); {_MARGIN_BOX} }} }}\n'
    + FIRST_PAGE_CSS)
BODY_CSS = """h1 { string-set: doctitle content(); }
dl.meta dd.date { string-set: docdate content(); }
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Liberation Sans", "DejaVu Sans", Helvetica, Arial, sans-serif;
  font-size: 10.5pt;
  line-height: 1.4; color: #1a1a1a; max-width: 190mm; margin: 0 auto; padding: 12mm 0; }
h1 { font-size: 20pt; margin: 0 0 4pt; color: #0b3d60; }
h2 { font-size: 14pt; margin: 18pt 0 6pt; padding-bottom: 2pt; border-bottom: 1.5pt solid #0b3d60;
  color: #0b3d60; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11.5pt; margin: 12pt 0 4pt; break-after: avoid; page-break-after: avoid; }
h4 { font-size: 10.5pt; margin: 8pt 0 3pt; break-after: avoid; page-break-after: avoid; }
p { margin: 3pt 0 6pt; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 1pt 10pt; margin: 6pt 0; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
.note { color: #444; font-size: 9.5pt; border-left: 3pt solid #0b3d60; padding: 3pt 8pt;
  background: #f2f6f9; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 10pt; font-size: 9.5pt; }
th, td { border: 0.6pt solid #b8c2cc; padding: 3pt 5pt; text-align: left; vertical-align: top; }
th { background: #e8eef3; }
td.n, th.n { text-align: right; white-space: nowrap; }
thead { display: table-header-group; }
tr, .r, .question, .pattern, figure { break-inside: avoid; page-break-inside: avoid; }
ul.plain { list-style: none; padding: 0; margin: 4pt 0; }
.r { white-space: pre-line; overflow-wrap: break-word; border-left: 3pt solid #c9d3dc;
  padding: 2pt 8pt; margin: 0 0 6pt; }
.r.s { border-left-color: #009E73; }
.who { font-weight: 600; }
.tag { display: inline-block; font-size: 8.5pt; padding: 0 4pt; border-radius: 3pt;
  background: #e0f2ec; color: #00563f; margin-left: 4pt; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.muted { color: #555; font-size: 9pt; }
figure { margin: 6pt 0 10pt; }
svg.chart { max-width: 100%; height: auto; }
.conclusion { border: 0.8pt solid #b8c2cc; padding: 4pt 10pt; margin: 0 0 10pt; }
footer { margin-top: 16pt; color: #555; font-size: 8.5pt; }
img.logo { display: block; max-height: 18mm; max-width: 60mm; margin: 0 0 6pt; }
@media print {
  body { padding: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
  /* the appendix is looked things up in, not read through: set tighter (a research
     report of 2,000 reflections has a third fewer pages, laid out a tenth faster) */
  #circles .r, .circle .r { font-size: 9pt; line-height: 1.3; }
}
"""
CSS = PAGE_CSS + BODY_CSS

#: Where a section's HTML may be cut (the appendix between its circles):
#: ``document_parts`` cuts there, and ``pdf`` lays the pieces out in parts side by side.
PART_BREAK = "<!--part-->"


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _table(header: list[str], rows: list[list[object]], numeric: set[int] | None = None,
           caption: str = "") -> str:
    numeric = numeric or set()
    head = "".join(f'<th{" class=n" if i in numeric else ""} scope="col">{_e(h)}</th>'
                   for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{_e(v)}</td>'
                                    for i, v in enumerate(row)) + "</tr>" for row in rows)
    cap = f"<caption class=muted>{_e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(chart: charts.BarChart) -> str:
    return f"<figure>{charts.svg(chart)}</figure>"


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in items) + "</ul>" if items else ""


def _text(value: str) -> str:
    """A participant's text: escaped, its line breaks kept as ``<br>`` (no pre-wrap box)."""
    return "<br>".join(_e(line) for line in str(value).split("\n"))


def _summary(report: Report) -> str:
    """Page one: the conclusions with their support per perspective, what stands out."""
    t, summary = report.t, report.summary
    if summary is None:
        return ""
    out = [f'<section id="summary" class="summary"><h2>{_e(t["summary"])}</h2>',
           f"<p>{_e(summary.took_part)}</p>"]
    if not summary.conclusions:
        out.append(f"<p>{_e(t['summary_no_conclusions'])}</p>")
    for c in summary.conclusions:
        out.append(f'<div class="conclusion"><h3>{_e(t["conclusion"])} {c.number}</h3>'
                   f"<p>{_e(c.text)}</p>{_list(c.per_perspective)}")
        if c.rests_on:
            out.append(f'<p class="muted">{_e(t["summary_rests_on"])} '
                       + ", ".join(f"#{n}" for n in c.rests_on) + "</p>")
        out.append("</div>")
    if summary.findings:
        out.append(f"<h3>{_e(t['summary_findings'])}</h3>{_list(summary.findings)}")
    if summary.patterns:
        out.append(f"<h3>{_e(t['summary_patterns'])}</h3>{_list(summary.patterns)}")
    out.append("</section>")
    return "".join(out)


def _story(report: Report) -> str:
    """The afternoon step by step: the programme's times, then what happened in each."""
    t = report.t
    out = [f'<section id="agenda"><h2>{_e(t["agenda"])}</h2>',
           _table([t["step"], t["planned"], t["actual"]],
                  [[a.title, a.planned_text(t["minutes"]), a.actual_text(t["minutes"])]
                   for a in report.agenda])]
    for step in report.story:
        if step.lines:
            out.append(f"<h3>{_e(step.title)} <span class=muted>{_e(step.time)}</span></h3>"
                       + _list(step.lines))
    out.append("</section>")
    return "".join(out)


def _findings(report: Report) -> str:
    t = report.t
    out = [f'<section id="findings"><h2>{_e(t["findings"])}</h2>']
    for f in report.findings:
        out.append(f"<h3>{_e(f.title)}</h3>")
        if f.text:
            out.append(f'<p class="text">{_text(f.text)}</p>')
        if f.chart:
            out.append(_figure(f.chart))
        if f.ratings:
            out.append(_table([t["perspective"], t["rating_before_col"],
                               t["rating_after_col"], t["rating_shift_col"]], f.ratings))
        if f.reasons:
            out.append(f"<h4>{_e(t['rating_reasons'])}</h4>{_list(f.reasons)}")
    out.append("</section>")
    return "".join(out)


def _questions(report: Report) -> str:
    t, exchange = report.t, report.exchange
    out = [f"<h3>{_e(t['questions'])}</h3>"]
    for q in exchange.questions:
        support = f" <span class=muted>· {_e(q.support_text)}</span>" if q.support_text else ""
        out.append(f'<div class="question" data-id="{_e(q.id)}"><p>'
                   f"<span class=who>{_e(q.asked())}</span>{support}"
                   f"<br>{_text(q.text)}</p>")
        if q.answers:
            out.append("<ul>" + "".join(
                f"<li><span class=who>{_e(a.author.display())}</span>: {_text(a.text)}"
                + (f" <span class=muted>· {_e(a.support_text)}</span>" if a.support_text else "")
                + "</li>" for a in q.answers) + "</ul>")
        else:
            out.append(f"<p class=muted>{_e(t['no_answer'])}</p>")
        out.append("</div>")
    if exchange.unanswered_text:
        out.append(f'<p class="note">{_e(exchange.unanswered_text)}</p>')
    return "".join(out)


def _exchange(report: Report) -> str:
    """Questions with their answers, the tables' harvests, the reasons (issue 17)."""
    t, exchange = report.t, report.exchange
    if exchange is None or exchange.empty():
        return f"<p>{_e(t['no_dialogue'])}</p>"
    out = [_questions(report)] if exchange.questions else []
    if exchange.harvests:
        out.append(f"<h3>{_e(t['harvests'])}</h3><ul>" + "".join(
            f"<li><b>{_e(t['table_n'].format(n=h.table))}</b>: {_text(h.text)}</li>"
            for h in exchange.harvests) + "</ul>")
    if exchange.reasons:
        out.append(f"<h3>{_e(t['reasons'])}</h3><p>{_e(t['reasons_intro'])}</p>")
        for group in exchange.reasons:
            out.append(f"<h4>{_e(group.heading)}</h4><p class=r>" + _e("\n".join(
                f"#{x.reflection.number}: {x.text}" for x in group.reasons)) + "</p>")
    return "".join(out)


def _dialogue(report: Report) -> str:
    t = report.t
    out = [f'<section id="dialogue"><h2>{_e(t["dialogue_section"])}</h2>'
           f"<p>{_e(t['dialogue_section_intro'])}</p><h3>{_e(t['dialogue'])}</h3>"
           f"<p>{_e(t['dialogue_intro'])}</p>"]
    if report.cross:
        out.append(_table([t["from_perspective"], t["by_perspective"], t["agree"],
                           t["disagree"], t["pass"]],
                          [[c.from_perspective, c.by_perspective, c.agree, c.disagree, c.pass_]
                           for c in report.cross], numeric={2, 3, 4}))
    else:
        out.append(f"<p>{_e(t['no_reactions'])}</p>")
    out.append(_exchange(report))
    out.append("</section>")
    return "".join(out)


def _conclusions(report: Report) -> str:
    t = report.t
    out = [f'<section id="conclusions"><h2>{_e(t["conclusions"])}</h2>']
    if not report.conclusions:
        out.append(f"<p>{_e(t['no_conclusions'])}</p>")
    for c in report.conclusions:
        draft = f' <span class="tag">{_e(t["draft"])}</span>' if c.draft else ""
        out.append(f'<article class="conclusion" data-id="{_e(c.id)}">'
                   f"<h3>{_e(t['conclusion'])} {c.number}{draft}</h3>"
                   f'<p class="text">{_text(c.text)}</p>')
        if c.perspectives:
            out.append(f"<p class=muted>{_e(t['concerns_perspectives'])}: "
                       f"{_e(', '.join(c.perspectives))}</p>")
        out.append(_figure(c.chart))
        out.append(_table([t["perspective"], t["support"], t["concern"]],
                          [[p.perspective, p.support, p.concern] for p in c.per_perspective]
                          + [[t["total"], c.support, c.concern]], numeric={1, 2}))
        if c.comments():
            out.append(f"<h4>{_e(t['comments'])}</h4><p class=r>" + _e("\n".join(
                f"– {e.author.display()} ({report.kind_label(e.kind)}): {e.text}"
                for e in c.comments())) + "</p>")
        if c.reflections:
            out.append(f"<h4>{_e(t['rests_on'])}</h4>" + "".join(
                f'<p class="r"><b>#{r.number} {_e(r.author.display())}</b>\n{_e(r.text)}</p>'
                for r in c.reflections))
        out.append("</article>")
    out.append("</section>")
    return "".join(out)


def _participation(report: Report) -> str:
    t = report.t
    return "".join([
        f'<section id="participation"><h2>{_e(t["participation"])}</h2>',
        _figure(report.participation_chart),
        _table([t["perspective"], t["participants"], t["reflections"], t["shared"],
                t["reactions"], t["endorsements"]],
               [[p.label, p.participants, p.reflections, p.shared, p.reactions, p.endorsements]
                for p in report.perspectives] + [[t["total"], *report.participation_total()]],
               numeric={1, 2, 3, 4, 5}),
        _figure(report.circle_chart),
        _table([t["circle"], t["perspectives"], t["participants"], t["reflections"],
                t["shared"]],
               [[c.name, ", ".join(c.perspectives), c.participants, c.reflections, c.shared]
                for c in report.circle_rows], numeric={2, 3, 4}),
        "</section>"])


def _circles(report: Report) -> str:
    """Every listed reflection per circle, with the reactions it got: one paragraph each,
    its lines kept by ``white-space: pre-line`` (the appendix is long, and a paragraph of
    plain text lays out much faster in the PDF than boxes and line-break elements)."""
    t = report.t
    out = [f'<section id="circles"><h2>{_e(t["circles"])}</h2>']
    for number, section in enumerate(report.circles):
        if number:  # each circle its own section: where a long PDF may be cut
            out.append(f'</section>{PART_BREAK}<section class="circle">')
        out.append(f"<h3>{_e(t['circle'])} {_e(section.name)}</h3>"
                   f"<p class=muted>{_e(section.line)}</p>")
        if not section.reflections:
            out.append(f"<p>{_e(t['no_reflections'])}</p>")
        for r in section.reflections:
            who = section.author(r)
            head = [f"#{r.number} {who}".rstrip()]
            head += [t["shared_long"]] if r.shared else []
            head += [f"{t['finding']}: {r.finding}"] if r.finding else []
            lines = [r.text] + ([r.counts(t)] if r.shared else [])
            lines += [f"– {x.author.display()} ({report.kind_label(x.kind)}): {x.text}"
                      for x in r.comments]
            out.append(f'<p class="r{" s" if r.shared else ""}" data-id="{_e(r.id)}">'
                       f"<b>{_e(' · '.join(head))}</b>\n{_e(chr(10).join(lines))}</p>")
    out.append("</section>")
    return "".join(out)


def _patterns(report: Report) -> str:
    t, patterns = report.t, report.patterns
    out = [f'<section id="patterns"><h2>{_e(t["patterns"])}</h2>']
    if patterns.summary:
        out.append(f"<p>{_e(patterns.summary)}</p>")
    out += [f'<p class="note">{_e(note)}</p>' for note in patterns.notes]
    if not any(g.items for g in patterns.groups):
        out.append(f"<p>{_e(t['no_patterns'])}</p>")
    for group in patterns.groups:
        if group.title:
            out.append(f"<h3>{_e(group.title)}</h3>")
        tag = "h4" if group.title else "h3"
        for p in group.items:
            out.append(f'<div class="pattern"><{tag}>{_e(p.title)}</{tag}>')
            if p.explanation:
                out.append(f'<p class="text">{_text(p.explanation)}</p>')
            out.append(_list([f"{k}: {v}" if k else v for k, v in p.counts]))
            if p.reflections:
                out.append(f"<p class=muted>{_e(t['reflections'])}: "
                           + ", ".join(f"#{n}" for n in p.reflections) + "</p>")
            out.append("</div>")
    out.append("</section>")
    return "".join(out)


def _method(report: Report) -> str:
    return (f'<section id="method"><h2>{_e(report.t["method"])}</h2>'
            + "".join(f"<p>{_e(line)}</p>" for line in report.method or []) + "</section>")


#: One layout function per section of the report model (``Report.sections``).
LAYOUT: dict[str, Callable[[Report], str]] = {
    "summary": _summary, "story": _story, "findings": _findings, "dialogue": _dialogue,
    "conclusions": _conclusions, "participation": _participation, "circles": _circles,
    "patterns": _patterns, "method": _method}


def _css_string(text: str) -> str:
    """``text`` as a CSS string: all but letters, digits and spaces escaped (a session's
    title may hold quotes, backslashes or ``</style>``)."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} "
                         for c in text) + '"'


def pdf_page_css(report: Report) -> str:
    """The PDF's pages: the running line written out, since a part of the PDF laid out on
    its own has no title to take it from, and no numbers: ``pdf`` stamps them."""
    line = "  ·  ".join(x for x in (report.title, report.date_text) if x)
    return (f"@page {{ {_PAGE_BOX}\n"
            f"  @top-left {{ content: {_css_string(line)}; {_MARGIN_BOX} }} }}\n"
            + FIRST_PAGE_CSS)


def _prologue(report: Report, for_pdf: bool) -> str:
    t = report.t
    css = (pdf_page_css(report) + BODY_CSS) if for_pdf else CSS
    out = ["<!DOCTYPE html>", f'<html lang="{report.lang}">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_e(t['report'])}: {_e(report.title)}</title>",
           f"<style>{css.replace('#0b3d60', report.colour)}</style>", "</head>", "<body>"]
    if for_pdf:
        out.insert(4, f'<meta name="author" content="{_e(report.facilitator)}">'
                      f'<meta name="dcterms.created" content="{report.generated.isoformat()}">'
                      '<meta name="generator" content="facilitator">')
    return "\n".join(out)


def _header(report: Report) -> str:
    t = report.t
    logo = (f'<img class="logo" alt="" src="data:image/png;base64,'
            f'{base64.b64encode(report.logo).decode()}">' if report.logo else "")
    meta = [(t["date"], report.date_text), (t["place"], report.place),
            (t["facilitator"], report.facilitator)]
    return (f"<header>{logo}<p class=muted>{_e(t['report'])}</p><h1>{_e(report.title)}</h1>"
            '<dl class="meta">' + "".join(
                f'<dt>{_e(k)}</dt><dd{" class=date" if k == t["date"] else ""}>{_e(v)}</dd>'
                for k, v in meta if v) + "</dl>"
            f'<p class="note">{_e(report.privacy_note())} {_e(t["hidden_note"])}</p></header>')


def document_parts(report: Report, *, for_pdf: bool = False) -> tuple[str, list[str], str]:
    """The page in three: the document up to ``<body>``, the body's blocks (the header,
    then the sections; the appendix one block per circle), and its end. ``for_pdf`` adds
    the metadata WeasyPrint writes into the PDF (author, dates) and the PDF's page CSS."""
    blocks = [_header(report)]
    for key in report.sections:
        blocks += [b for b in LAYOUT[key](report).split(PART_BREAK) if b]
    end = (f"<footer>{_e(report.t['generated'])} "
           f"{report.generated.strftime('%Y-%m-%d %H:%M')}</footer></body></html>")
    return _prologue(report, for_pdf), blocks, end


def render(report: Report, *, for_pdf: bool = False) -> str:
    """The report as a complete HTML document (see ``document_parts``)."""
    start, blocks, end = document_parts(report, for_pdf=for_pdf)
    return "\n".join([start, *blocks, end])
