"""The story of the afternoon: per programme step what happened, in counts a reader
understands ("Raadslid: 8 van de 10 herkennen dit").

Built from the report model, so it shows only what the report's reader may see:
circles as the report lists them (small ones pooled), reactions counted in
distinct people per shown perspective (the small-group rule of ``privacy``),
the dialogue's questions and harvests as the dialogue section lists them.
What a step tells depends on its kind; a kind told once (two circle steps)
is told at its first step, the other steps give their times.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import dialogue
from .report import DialogueItem, count_text

if TYPE_CHECKING:
    from .report import Report, _Ctx

#: How many reflections of the exchange are told with their recognition per perspective.
TOLD = 3


@dataclass
class StoryStep:
    """One programme step: its title, when it ran, and what happened in plain sentences."""

    id: str
    title: str
    time: str
    lines: list[str]


def build(ctx: _Ctx, report: Report) -> list[StoryStep]:
    """One ``StoryStep`` per programme step, in the programme's order."""
    tellers = {"welcome": _welcome, "presentation": _presentation, "circle": _circles,
               "exchange": _exchange, "conclusions": _conclusions}
    told: set[str] = set()
    out = []
    for step, row in zip(ctx.workshop.steps, report.agenda, strict=True):
        kind = str(step.kind)
        lines: list[str] = []
        if kind in tellers and kind not in told:
            told.add(kind)
            lines = tellers[kind](ctx, report)
        time = row.actual_text(report.t["minutes"]) or row.planned_text(report.t["minutes"])
        out.append(StoryStep(id=row.id, title=row.title, time=time, lines=lines))
    return out


def _welcome(ctx: _Ctx, report: Report) -> list[str]:
    t = report.t
    # counted as they came, not as the pooled rows show them
    return [t["story_welcome"].format(
        people=count_text(report.participants, t, "person"),
        perspectives=count_text(report.perspectives_present, t, "perspective"),
        pooled=t["pooled_people"].format(n=report.pooled_people)
        if report.pooled_people else "")]


def _presentation(ctx: _Ctx, report: Report) -> list[str]:
    if not report.findings:
        return []
    t = report.t
    lines = [t["story_findings"].format(findings=count_text(len(report.findings), t,
                                                             "finding"))]
    return lines + (report.summary.findings if report.summary else [])


def _circles(ctx: _Ctx, report: Report) -> list[str]:
    t = report.t
    written = sum(s.written for s in report.circles)
    shared = sum(s.shared for s in report.circles)
    lines = [t["story_circles"].format(circles=count_text(report.circles_present, t, "circle"),
                                       pooled=t["pooled_circles"].format(
                                           n=report.pooled_circles)
                                       if report.pooled_circles else "",
                                       written=count_text(written, t, "reflection"),
                                       shared=shared)]
    return lines + [f"{s.name}: {s.line}" for s in report.circles]


def recognition(ctx: _Ctx, item: DialogueItem) -> list[str]:
    """``Raadslid: 8 van de 10 herkennen dit`` per shown perspective that reacted to a
    reflection: the people who found it recognisable of those who reacted, pooled."""
    people: dict[str, set[str]] = defaultdict(set)
    for x in item.reactions:
        people[x.perspective_id].add(x.participant)
    where = ctx.pooled(people)
    reacted: dict[str, set[str]] = defaultdict(set)
    agreed: dict[str, set[str]] = defaultdict(set)
    for x in item.reactions:
        group = where.get(x.perspective_id)
        if group is None:
            continue
        reacted[group].add(x.participant)
        if x.kind == "agree":
            agreed[group].add(x.participant)
    order = ctx.order
    return [ctx.t["story_recognise"].format(perspective=ctx.label(g), n=len(agreed[g]),
                                            of=len(reacted[g]))
            for g in sorted(reacted, key=lambda g: (order.get(g, len(order)), g))]


def _exchange(ctx: _Ctx, report: Report) -> list[str]:
    t = report.t
    people = {x.participant for x in report.reactions}
    lines = [t["story_exchange"].format(
        shared=count_text(sum(1 for r in report.reflections if r.shared), t, "reflection"),
        reactions=count_text(len(report.reactions), t, "reaction"),
        people=count_text(len(people), t, "person"))]
    best = sorted(report.dialogue, key=lambda i: (-i.reflection.agree, i.reflection.number))
    for item in best[:TOLD]:
        told = recognition(ctx, item)
        if item.reflection.agree and told:
            text = " ".join(item.reflection.text.split())
            lines.append(f"#{item.reflection.number} “{text}”: " + "; ".join(told))
    if report.exchange is not None:
        lines += [text for text in [dialogue.counts_text(report.exchange, t)] if text]
    return lines


def _conclusions(ctx: _Ctx, report: Report) -> list[str]:
    t = report.t
    if not report.conclusions:
        return [t["no_conclusions"]]
    taking = sum(r.participants for r in report.perspectives)
    lines = [t["story_conclusions"].format(n=count_text(len(report.conclusions), t,
                                                         "conclusion"))]
    for c in report.conclusions:
        lines.append(t["story_conclusion"].format(number=c.number, support=c.support,
                                                  of=taking, concern=c.concern))
    return lines
