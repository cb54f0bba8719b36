"""The report as Markdown (GitHub-flavoured tables), e.g. for a wiki or an e-mail."""

from __future__ import annotations

import re
from collections.abc import Callable

from .report import Report

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def escape(text: str) -> str:
    """Escape Markdown syntax in participants' text; line breaks become hard breaks."""
    lines = [_SPECIAL.sub(r"\\\1", line) for line in str(text).strip().splitlines()]
    # a line that starts like a list item or heading stays text
    lines = [re.sub(r"^(\s*)([-+]|\d+\.)(\s)", r"\1\\\2\3", line) for line in lines]
    return "  \n  ".join(lines)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return _SPECIAL.sub(r"\\\1", text).replace("\r", "").replace("\n", "<br>")


def _table(header: list[str], rows: list[list[object]],
           total: list[object] | None = None) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in header) + " |",
           "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    if total:
        out.append("| " + " | ".join(f"**{_cell(v)}**" for v in total) + " |")
    return out + [""]


def _bullets(lines: list[str]) -> list[str]:
    return [f"- {escape(line)}" for line in lines] + [""] if lines else []


def _summary(report: Report) -> list[str]:
    """Page one: the conclusions with their support per perspective, what stands out."""
    t, summary = report.t, report.summary
    if summary is None:
        return []
    out = [f"## {t['summary']}", "", escape(summary.took_part), ""]
    if not summary.conclusions:
        out += [t["summary_no_conclusions"], ""]
    for c in summary.conclusions:
        out += [f"### {t['conclusion']} {c.number}", "", escape(c.text), ""]
        out += [f"- {escape(line)}" for line in c.per_perspective]
        if c.rests_on:
            out += ["", f"{t['summary_rests_on']} " + ", ".join(f"#{n}" for n in c.rests_on)]
        out.append("")
    if summary.findings:
        out += [f"### {t['summary_findings']}", ""] + _bullets(summary.findings)
    if summary.patterns:
        out += [f"### {t['summary_patterns']}", ""] + _bullets(summary.patterns)
    return out


def _story(report: Report) -> list[str]:
    t = report.t
    out = [f"## {t['agenda']}", ""]
    out += _table([t["step"], t["planned"], t["actual"]],
                  [[a.title, a.planned_text(t["minutes"]), a.actual_text(t["minutes"])]
                   for a in report.agenda])
    for step in report.story:
        if step.lines:
            out += [f"### {escape(step.title)} ({step.time})", ""] + _bullets(step.lines)
    return out


def _findings(report: Report) -> list[str]:
    t = report.t
    out = [f"## {t['findings']}", ""]
    for f in report.findings:
        out += [f"### {escape(f.title)}", ""]
        out += [escape(f.text), ""] if f.text else []
        if f.ratings:
            out += _table([t["perspective"], t["rating_before_col"], t["rating_after_col"],
                           t["rating_shift_col"]], f.ratings)
        if f.reasons:
            out += [f"**{t['rating_reasons']}**", ""] + _bullets(f.reasons)
    return out


def _exchange(report: Report) -> list[str]:
    """Questions with their answers, the tables' harvests, the reasons (issue 17)."""
    t, exchange = report.t, report.exchange
    if exchange is None or exchange.empty():
        return [t["no_dialogue"], ""]
    out: list[str] = []
    if exchange.questions:
        out += [f"### {t['questions']}", ""]
        for q in exchange.questions:
            support = f" ({escape(q.support_text)})" if q.support_text else ""
            out.append(f"- **{escape(q.asked())}**{support}: {escape(q.text)}")
            out += [f"  - {escape(a.author.display())}: {escape(a.text)}"
                    + (f" ({escape(a.support_text)})" if a.support_text else "")
                    for a in q.answers]
            out += [f"  - *{t['no_answer']}*"] if not q.answers else []
        out.append("")
        out += [f"> {exchange.unanswered_text}", ""] if exchange.unanswered_text else []
    if exchange.harvests:
        out += [f"### {t['harvests']}", ""]
        out += [f"- **{t['table_n'].format(n=h.table)}**: {escape(h.text)}"
                for h in exchange.harvests] + [""]
    if exchange.reasons:
        out += [f"### {t['reasons']}", "", t["reasons_intro"], ""]
        for group in exchange.reasons:
            out += [f"#### {escape(group.heading)}", ""]
            out += [f"- #{x.reflection.number}: {escape(x.text)}" for x in group.reasons]
            out.append("")
    return out


def _dialogue(report: Report) -> list[str]:
    t = report.t
    out = [f"## {t['dialogue_section']}", "", t["dialogue_section_intro"], "",
           f"### {t['dialogue']}", "", t["dialogue_intro"], ""]
    if report.cross:
        out += _table([t["from_perspective"], t["by_perspective"], t["agree"], t["disagree"],
                       t["pass"]],
                      [[c.from_perspective, c.by_perspective, c.agree, c.disagree, c.pass_]
                       for c in report.cross])
    else:
        out += [t["no_reactions"], ""]
    return out + _exchange(report)


def _conclusions(report: Report) -> list[str]:
    t = report.t
    out = [f"## {t['conclusions']}", ""]
    if not report.conclusions:
        out += [t["no_conclusions"], ""]
    for c in report.conclusions:
        draft = f" ({t['draft']})" if c.draft else ""
        out += [f"### {t['conclusion']} {c.number}{draft}", "", escape(c.text), ""]
        if c.perspectives:
            out += [f"{t['concerns_perspectives']}: {escape(', '.join(c.perspectives))}", ""]
        out += _table([t["perspective"], t["support"], t["concern"]],
                      [[p.perspective, p.support, p.concern] for p in c.per_perspective],
                      [t["total"], c.support, c.concern])
        if c.comments():
            out += [f"**{t['comments']}**", ""]
            out += [f"- {escape(e.author.display())} ({report.kind_label(e.kind)}): "
                    f"{escape(e.text)}" for e in c.comments()]
            out.append("")
        if c.reflections:
            out += [f"**{t['rests_on']}**", ""]
            out += [f"- #{r.number} {escape(r.author.display())}: {escape(r.text)}"
                    for r in c.reflections]
            out.append("")
    return out


def _participation(report: Report) -> list[str]:
    t = report.t
    out = [f"## {t['participation']}", "", f"### {t['participation_perspective']}", ""]
    out += _table(
        [t["perspective"], t["participants"], t["reflections"], t["shared"], t["reactions"],
         t["endorsements"]],
        [[p.label, p.participants, p.reflections, p.shared, p.reactions, p.endorsements]
         for p in report.perspectives],
        [t["total"], *report.participation_total()])
    out += [f"### {t['participation_circle']}", ""]
    return out + _table([t["circle"], t["perspectives"], t["participants"], t["reflections"],
                         t["shared"]],
                        [[c.name, ", ".join(c.perspectives), c.participants, c.reflections,
                          c.shared] for c in report.circle_rows])


def _circles(report: Report) -> list[str]:
    """Every listed reflection per circle, with the reactions it got."""
    t = report.t
    out = [f"## {t['circles']}", ""]
    for section in report.circles:
        out += [f"### {t['circle']} {escape(section.name)}", "", escape(section.line), ""]
        for r in section.reflections:
            marks = [f"*{t['shared_long']}*"] if r.shared else []
            marks += [f"{t['finding']}: {escape(r.finding)}"] if r.finding else []
            suffix = f" — {' · '.join(marks)}" if marks else ""
            counts = f"  \n  {r.counts(t)}" if r.shared else ""
            who = f" {escape(section.author(r))}".rstrip()
            out.append(f"- **#{r.number}{who}**{suffix}  \n"
                       f"  {escape(r.text)}{counts}")
            out += [f"  - {escape(x.author.display())} ({report.kind_label(x.kind)}): "
                    f"{escape(x.text)}" for x in r.comments]
        out += [""] if section.reflections else [t["no_reflections"], ""]
    return out


def _patterns(report: Report) -> list[str]:
    t, patterns = report.t, report.patterns
    out = [f"## {t['patterns']}", ""]
    out += [escape(patterns.summary), ""] if patterns.summary else []
    out += [f"> {escape(note)}" for note in patterns.notes]
    out += [""] if patterns.notes else []
    if not any(g.items for g in patterns.groups):
        out += [t["no_patterns"], ""]
    for group in patterns.groups:
        out += [f"### {escape(group.title)}", ""] if group.title else []
        level = "####" if group.title else "###"
        for p in group.items:
            out += [f"{level} {escape(p.title)}", ""]
            out += [escape(p.explanation), ""] if p.explanation else []
            out += [f"- {escape(k) + ': ' if k else ''}{escape(v)}" for k, v in p.counts]
            if p.reflections:
                out.append(f"- {t['reflections']}: " + ", ".join(f"#{n}" for n in p.reflections))
            out += [""] if p.counts or p.reflections else []
    return out


def _method(report: Report) -> list[str]:
    return [f"## {report.t['method']}", ""] + [escape(line) + "\n" for line in report.method or []]


#: One layout function per section of the report model (``Report.sections``).
LAYOUT: dict[str, Callable[[Report], list[str]]] = {
    "summary": _summary, "story": _story, "findings": _findings, "dialogue": _dialogue,
    "conclusions": _conclusions, "participation": _participation, "circles": _circles,
    "patterns": _patterns, "method": _method}


def render(report: Report) -> str:
    """The whole report as one Markdown document."""
    t = report.t
    out: list[str] = [f"# {escape(report.title)}", ""]
    meta = [(t["date"], report.date_text), (t["place"], report.place),
            (t["facilitator"], report.facilitator)]
    out += [f"- **{label}:** {escape(value)}" for label, value in meta if value]
    out += ["", f"> {report.privacy_note()} {t['hidden_note']}", ""]
    for key in report.sections:
        out += LAYOUT[key](report)
    out += ["---", "", f"_{t['generated']} {report.generated.strftime('%Y-%m-%d %H:%M')}_", ""]
    return "\n".join(out)
