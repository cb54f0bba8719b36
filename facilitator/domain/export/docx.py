"""The report as a Word document (python-docx): headings, tables and PNG charts.

Everything stays editable in Word: real heading styles (for the navigation
pane and a table of contents), tables in the "Table Grid" style with a shaded
header row that repeats on every page, bulleted lists, and the charts as PNG
pictures (drawn by ``charts.png``) with their numbers in the table below them.
Page size A4, document language Dutch or English for the spelling checker.

python-docx makes the package, the styles, the properties and the picture
parts; the body is written as WordprocessingML with the default template's
style ids and parsed once, because python-docx's paragraph and cell API is
too slow for thousands of rows.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from . import charts, style
from .report import Report, xml_safe

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: Style ids of python-docx's default template.
_TITLE, _BULLET, _TABLE = "Title", "ListBullet", "TableGrid"
_TABLE_SIZE = 18  # 9 pt in tables, in half points


def _runs(text: str, bold: bool = False, italic: bool = False, color: str = "",
          half_points: int = 0) -> str:
    """One run for a text; line breaks become ``<w:br/>``."""
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    props += f'<w:color w:val="{color}"/>' if color else ""
    props += f'<w:sz w:val="{half_points}"/>' if half_points else ""
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    lines = xml_safe(str(text)).split("\n")
    inner = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return f"<w:r>{rpr}{inner}</w:r>"


def _p(*runs: str, style: str = "", align: str = "", keep_next: bool = False) -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    props += "<w:keepNext/>" if keep_next else ""
    props += f'<w:jc w:val="{align}"/>' if align else ""
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{''.join(runs)}</w:p>"


def _heading(text: str, level: int) -> str:
    return _p(_runs(text), style=f"Heading{level}" if level else _TITLE)


def _lead(lead: str, text: str, style: str = "") -> str:
    """A paragraph with a bold lead-in: ``Datum: 12 maart 2026``."""
    return _p(_runs(lead, bold=True) if lead else "", _runs(text), style=style)


def _row(values: list[Any], widths: list[int], numeric: set[int], header: bool = False) -> str:
    cells = []
    for i, (value, width) in enumerate(zip(values, widths, strict=True)):
        shade = '<w:shd w:val="clear" w:color="auto" w:fill="E8EEF3"/>' if header else ""
        text = "" if value is None else str(value)
        paragraph = _p(_runs(text, bold=header, half_points=_TABLE_SIZE),
                       align="right" if i in numeric else "")
        cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>'
                     f"{paragraph}</w:tc>")
    trpr = '<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>' if header else \
        "<w:trPr><w:cantSplit/></w:trPr>"
    return f"<w:tr>{trpr}{''.join(cells)}</w:tr>"


#: Width of one character of a 9 pt bold header in cm, generous enough for the fonts a
#: Word file meets (Calibri, or DejaVu where LibreOffice substitutes it), plus cell margins.
_CHAR_CM, _CELL_MARGIN_CM = 0.24, 0.45


def _fit_header(header: list[str], widths: list[float]) -> list[float]:
    """Widths in which no header word is broken ("Meegenom|en"): a column narrower than
    its longest header word is widened, the columns with room to spare give it back."""
    need = [max((len(word) for word in str(h).split()), default=0) * _CHAR_CM + _CELL_MARGIN_CM
            for h in header]
    out = [max(w, n) for w, n in zip(widths, need, strict=True)]
    extra = sum(out) - sum(widths)
    for i in sorted(range(len(out)), key=lambda i: need[i] - out[i]):  # most room first
        if extra <= 0:
            break
        give = min(extra, max(0.0, out[i] - need[i]))
        out[i] -= give
        extra -= give
    return out


def _table(header: list[str], rows: list[list[Any]], widths: list[float],
           numeric: set[int] | None = None) -> str:
    """A grid table (widths in cm) with a bold, shaded header row repeated on every page."""
    numeric = numeric or set()
    twips = [int(Cm(w).twips) for w in _fit_header(header, widths)]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    body = [_row(header, twips, set(), header=True)]
    body += [_row(values, twips, numeric) for values in rows]
    # a fixed layout: Word and LibreOffice keep these widths instead of fitting to content
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="{_TABLE}"/>'
            f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(body)}</w:tbl>")


def _set_language(document: Any, lang: str) -> None:
    rpr = document.styles["Normal"].element.get_or_add_rPr()
    node = rpr.find(qn("w:lang"))
    if node is None:
        node = OxmlElement("w:lang")
        rpr.append(node)
    node.set(qn("w:val"), "nl-NL" if lang == "nl" else "en-GB")


def _setup(report: Report) -> Any:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    _set_language(document, report.lang)
    props = document.core_properties
    props.title = xml_safe(report.title)
    props.subject = report.t["report"]
    props.author = xml_safe(report.facilitator)
    props.language = "nl-NL" if report.lang == "nl" else "en-GB"
    props.comments = props.keywords = ""
    # the template's own dates say 2013: the file is made now
    props.created = props.modified = report.generated.astimezone(UTC).replace(tzinfo=None)
    props.last_modified_by = xml_safe(report.facilitator)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):  # the house colour
        document.styles[name].font.color.rgb = RGBColor.from_string(report.colour[1:])
    props.revision = 1
    footer = section.footer.paragraphs[0]
    footer.text = xml_safe(f"{report.title} · {report.date_text} · ")
    # the page number as a field Word fills in (PAGE / NUMPAGES)
    for instr, after in (("PAGE", " / "), ("NUMPAGES", "")):
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), instr)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        footer._p.append(field)
        if after:
            footer.add_run(after)
    return document


class _Pictures:
    """The charts of one document: each a PNG part with its own id and description."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.count = 0

    def logo(self, data: bytes) -> str:
        """The session's logo above the title: at most 1.8 cm high and 6 cm wide."""
        width, height = style.logo_size(data)
        size = {"height": Cm(1.8)} if width / height <= 6 / 1.8 else {"width": Cm(6)}
        inline = self.document.part.new_pic_inline(io.BytesIO(data), **size)
        self.count += 1
        inline.docPr.set("id", str(self.count))
        inline.docPr.set("name", f"Picture {self.count}")
        inline.docPr.set("descr", "Logo")
        return _p(f"<w:r><w:drawing>{etree.tostring(inline, encoding='unicode')}</w:drawing>"
                  "</w:r>")

    def chart(self, spec: charts.BarChart) -> str:
        inline = self.document.part.new_pic_inline(io.BytesIO(charts.png(spec)), width=Cm(16))
        # python-docx numbers pictures from the ids already in the body, which gets
        # its content only at the end: give each picture its own id and description
        self.count += 1
        inline.docPr.set("id", str(self.count))
        inline.docPr.set("name", f"Picture {self.count}")
        inline.docPr.set("descr", xml_safe(spec.title))
        drawing = etree.tostring(inline, encoding="unicode")
        return _p(f"<w:r><w:drawing>{drawing}</w:drawing></w:r>", keep_next=True)


def _bullets(lines: list[str]) -> list[str]:
    return [_p(_runs(line), style=_BULLET) for line in lines]


def _summary(report: Report, pictures: _Pictures) -> list[str]:
    """Page one: the conclusions with their support per perspective, what stands out."""
    t, summary = report.t, report.summary
    if summary is None:
        return []
    out = [_heading(t["summary"], 1), _p(_runs(summary.took_part))]
    if not summary.conclusions:
        out.append(_p(_runs(t["summary_no_conclusions"])))
    for c in summary.conclusions:
        out += [_heading(f"{t['conclusion']} {c.number}", 2), _p(_runs(c.text))]
        out += _bullets(c.per_perspective)
        if c.rests_on:
            out.append(_p(_runs(f"{t['summary_rests_on']} "
                                + ", ".join(f"#{n}" for n in c.rests_on), italic=True)))
    if summary.findings:
        out += [_heading(t["summary_findings"], 2), *_bullets(summary.findings)]
    if summary.patterns:
        out += [_heading(t["summary_patterns"], 2), *_bullets(summary.patterns)]
    return out


def _story(report: Report, pictures: _Pictures) -> list[str]:
    t = report.t
    out = [_heading(t["agenda"], 1),
           _table([t["step"], t["planned"], t["actual"]],
                  [[a.title, a.planned_text(t["minutes"]), a.actual_text(t["minutes"])]
                   for a in report.agenda], [8.5, 4.25, 4.25])]
    for step in report.story:
        if step.lines:
            out += [_heading(f"{step.title} ({step.time})", 2), *_bullets(step.lines)]
    return out


def _findings(report: Report, pictures: _Pictures) -> list[str]:
    t = report.t
    out = [_heading(t["findings"], 1)]
    for f in report.findings:
        out.append(_heading(f.title, 2))
        if f.text:
            out.append(_p(_runs(f.text)))
        if f.chart:
            out.append(pictures.chart(f.chart))
        if f.ratings:
            out.append(_table([t["perspective"], t["rating_before_col"],
                               t["rating_after_col"], t["rating_shift_col"]], f.ratings,
                              [5.6, 4.2, 4.0, 3.2]))
        if f.reasons:
            out += [_p(_runs(t["rating_reasons"])), *_bullets(f.reasons)]
    return out


def _exchange(report: Report) -> list[str]:
    """Questions with their answers, the tables' harvests, the reasons (issue 17)."""
    t, exchange = report.t, report.exchange
    if exchange is None or exchange.empty():
        return [_p(_runs(t["no_dialogue"]))]
    out: list[str] = []
    if exchange.questions:
        out.append(_heading(t["questions"], 2))
        for q in exchange.questions:
            support = f" ({q.support_text})" if q.support_text else ""
            out.append(_lead(f"{q.asked()}{support}: ", q.text, style=_BULLET))
            out += [_lead(f"{a.author.display()}: ",
                          a.text + (f" ({a.support_text})" if a.support_text else ""))
                    for a in q.answers]
            out += [] if q.answers else [_p(_runs(t["no_answer"], italic=True))]
        if exchange.unanswered_text:
            out.append(_p(_runs(exchange.unanswered_text, italic=True)))
    if exchange.harvests:
        out.append(_heading(t["harvests"], 2))
        out += [_lead(f"{t['table_n'].format(n=h.table)}: ", h.text, style=_BULLET)
                for h in exchange.harvests]
    if exchange.reasons:
        out += [_heading(t["reasons"], 2), _p(_runs(t["reasons_intro"]))]
        for group in exchange.reasons:
            out.append(_heading(group.heading, 3))
            out += [_lead(f"#{x.reflection.number}: ", x.text, style=_BULLET)
                    for x in group.reasons]
    return out


def _dialogue(report: Report, pictures: _Pictures) -> list[str]:
    t = report.t
    out = [_heading(t["dialogue_section"], 1), _p(_runs(t["dialogue_section_intro"])),
           _heading(t["dialogue"], 2), _p(_runs(t["dialogue_intro"]))]
    if report.cross:
        out.append(_table([t["from_perspective"], t["by_perspective"], t["agree"],
                           t["disagree"], t["pass"]],
                          [[c.from_perspective, c.by_perspective, c.agree, c.disagree, c.pass_]
                           for c in report.cross], [4.4, 4.4, 2.8, 2.8, 2.6],
                          numeric={2, 3, 4}))
    else:
        out.append(_p(_runs(t["no_reactions"])))
    return out + _exchange(report)


def _conclusions(report: Report, pictures: _Pictures) -> list[str]:
    t = report.t
    out = [_heading(t["conclusions"], 1)]
    if not report.conclusions:
        out.append(_p(_runs(t["no_conclusions"])))
    for c in report.conclusions:
        draft = f" ({t['draft']})" if c.draft else ""
        out += [_heading(f"{t['conclusion']} {c.number}{draft}", 2), _p(_runs(c.text))]
        if c.perspectives:
            out.append(_lead(f"{t['concerns_perspectives']}: ", ", ".join(c.perspectives)))
        out.append(pictures.chart(c.chart))
        out.append(_table([t["perspective"], t["support"], t["concern"]],
                          [[p.perspective, p.support, p.concern] for p in c.per_perspective]
                          + [[t["total"], c.support, c.concern]], [9.0, 3.5, 3.5],
                          numeric={1, 2}))
        if c.comments():
            out.append(_heading(t["comments"], 3))
            out += [_lead(f"{e.author.display()} ({report.kind_label(e.kind)}): ", e.text,
                          style=_BULLET) for e in c.comments()]
        if c.reflections:
            out.append(_heading(t["rests_on"], 3))
            out += [_lead(f"#{r.number} · {r.author.display()}: ", r.text, style=_BULLET)
                    for r in c.reflections]
    return out


def _participation(report: Report, pictures: _Pictures) -> list[str]:
    t = report.t
    return [
        _heading(t["participation"], 1), pictures.chart(report.participation_chart),
        _table([t["perspective"], t["participants"], t["reflections"], t["shared"],
                t["reactions"], t["endorsements"]],
               [[p.label, p.participants, p.reflections, p.shared, p.reactions, p.endorsements]
                for p in report.perspectives] + [[t["total"], *report.participation_total()]],
               [4.5, 2.5, 2.5, 2.5, 2.5, 2.5], numeric={1, 2, 3, 4, 5}),
        _p(), pictures.chart(report.circle_chart),
        _table([t["circle"], t["perspectives"], t["participants"], t["reflections"],
                t["shared"]],
               [[c.name, ", ".join(c.perspectives), c.participants, c.reflections, c.shared]
                for c in report.circle_rows], [4.0, 5.5, 2.5, 2.5, 2.5], numeric={2, 3, 4})]


def _reflection_cell(report: Report, r: Any) -> str:
    """A reflection's text with its finding, and for a shared one the reactions it got."""
    t = report.t
    lines = [r.text] + ([f"({t['finding']}: {r.finding})"] if r.finding else [])
    if r.shared:
        lines.append(r.counts(t))
    lines += [f"– {x.author.display()} ({report.kind_label(x.kind)}): {x.text}"
              for x in r.comments]
    return "\n".join(lines)


def _circles(report: Report, pictures: _Pictures) -> list[str]:
    t = report.t
    out = [_heading(t["circles"], 1)]
    for circle in report.circles:
        out += [_heading(f"{t['circle']} {circle.name}", 2), _p(_runs(circle.line))]
        authors = [circle.author(r) for r in circle.reflections]
        if any(authors):
            out.append(_table(
                ["#", t["participant"], t["reflection"], t["shared"]],
                [[r.number, who or "–", _reflection_cell(report, r), t["yes"] if r.shared else ""]
                 for r, who in zip(circle.reflections, authors, strict=True)],
                [1.0, 4.0, 9.5, 2.5], numeric={0}))
        elif circle.reflections:  # the heading names the one perspective: no column for it
            out.append(_table(
                ["#", t["reflection"], t["shared"]],
                [[r.number, _reflection_cell(report, r), t["yes"] if r.shared else ""]
                 for r in circle.reflections],
                [1.0, 13.5, 2.5], numeric={0}))
    return out


def _patterns(report: Report, pictures: _Pictures) -> list[str]:
    t, patterns = report.t, report.patterns
    out = [_heading(t["patterns"], 1)]
    if patterns.summary:
        out.append(_p(_runs(patterns.summary)))
    out += [_p(_runs(note, italic=True)) for note in patterns.notes]
    if not any(g.items for g in patterns.groups):
        out.append(_p(_runs(t["no_patterns"])))
    for group in patterns.groups:
        if group.title:
            out.append(_heading(group.title, 2))
        for p in group.items:
            out.append(_heading(p.title, 3 if group.title else 2))
            if p.explanation:
                out.append(_p(_runs(p.explanation)))
            out += [_lead(f"{key}: " if key else "", value, style=_BULLET)
                    for key, value in p.counts]
            if p.reflections:
                out.append(_lead(f"{t['reflections']}: ",
                                 ", ".join(f"#{n}" for n in p.reflections), style=_BULLET))
    return out


def _method(report: Report, pictures: _Pictures) -> list[str]:
    return [_heading(report.t["method"], 1), *(_p(_runs(line)) for line in report.method or [])]


#: One layout function per section of the report model (``Report.sections``).
LAYOUT: dict[str, Callable[[Report, _Pictures], list[str]]] = {
    "summary": _summary, "story": _story, "findings": _findings, "dialogue": _dialogue,
    "conclusions": _conclusions, "participation": _participation, "circles": _circles,
    "patterns": _patterns, "method": _method}


def render(report: Report) -> bytes:
    """The report as the bytes of a .docx file."""
    t = report.t
    document = _setup(report)
    pictures = _Pictures(document)
    out = [pictures.logo(report.logo)] if report.logo else []
    out += [_p(_runs(t["report"], color=report.colour[1:])), _heading(report.title, 0)]
    out += [_lead(f"{key}: ", value) for key, value in
            [(t["date"], report.date_text), (t["place"], report.place),
             (t["facilitator"], report.facilitator)] if value]
    out.append(_p(_runs(f"{report.privacy_note()} {t['hidden_note']}", italic=True)))
    for key in report.sections:
        out += LAYOUT[key](report, pictures)
    out.append(_p())  # Word wants a paragraph, not a table, before the section properties

    body = document.element.body
    parsed = parse_xml(f'<w:body xmlns:w="{_W}">{"".join(out)}</w:body>')
    section_properties = body.sectPr
    for element in list(parsed):
        section_properties.addprevious(element)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
