"""The report's section *De dialoog* (issue 17): questions with their answers, the
tables' harvests and the reasons behind *niet herkenbaar*.

Built once for the report's reader, so that no format decides:

* a question is listed with the perspective that asked it and the one it was
  put to, and its answers; a perspective of fewer than the minimum of people
  is not named (its words stand without a label, a question put to it reads
  "to another perspective"); a perspective nobody came for is named, since no
  one stands behind it, and a question to it is listed as unanswered;
* a harvest (*Wat ons opviel*) is listed for a reader only when the
  facilitator shared it with the room; the research preset lists every one;
* reasons (reactions *niet herkenbaar* with a text, on the listed
  reflections) are grouped by perspective under the small-group rule: a
  group with fewer than the minimum of distinct people is pooled with other
  small ones, or left out (with the report's small-group note) when the pool
  would be one perspective or too small;
* support counts on questions and answers (circle-mates' +1) are shown to a
  reader only when at least the minimum of people stand behind them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from .report import Person, ReactionItem, count_text, parse_time

if TYPE_CHECKING:
    from .report import Report, _Ctx

#: The address of a question put to every perspective.
ALL = "all"


@dataclass
class AnswerItem:
    """An answer to a question, by someone of the addressed perspective."""

    id: str
    text: str
    author: Person
    created_at: datetime | None
    #: how many of the asking circle support it; None when too few to show a reader
    supporters: int | None = None
    #: "3 uit de vragende kring steunen dit antwoord", empty when not shown
    support_text: str = ""


@dataclass
class QuestionItem:
    """A question from one circle to a perspective (or to all), with its answers.
    ``code`` is its reference in the report and the research tables (V1, V2 ...)."""

    id: str
    code: str
    text: str
    author: Person
    to_id: str
    to: str
    supporters: int | None
    answers: list[AnswerItem]
    created_at: datetime | None
    #: "4 uit de kring steunen deze vraag", empty when not shown
    support_text: str = ""

    def asked(self) -> str:
        """``V1 · Raadslid → Ondernemer``: who asked whom (a perspective, no person)."""
        return f"{self.code} · {self.author.display()} → {self.to}"


@dataclass
class HarvestItem:
    """What one mixed table noted (*Wat ons opviel*)."""

    id: str
    table: int
    text: str
    shared: bool
    author: Person
    created_at: datetime | None


@dataclass
class ReasonGroup:
    """The reasons one (shown) perspective gave for *niet herkenbaar*."""

    perspective: str
    reasons: list[ReactionItem]
    people: int = 0
    #: "Raadslid (4 mensen)"
    heading: str = ""


@dataclass
class Exchange:
    """The dialogue section's content."""

    questions: list[QuestionItem] = field(default_factory=list)
    harvests: list[HarvestItem] = field(default_factory=list)
    reasons: list[ReasonGroup] = field(default_factory=list)
    #: "Onbeantwoord: 2 van de 9 vragen.", empty when every question got an answer
    unanswered_text: str = ""

    @property
    def unanswered(self) -> int:
        """Questions that got no answer (a blind spot)."""
        return sum(1 for q in self.questions if not q.answers)

    def empty(self) -> bool:
        return not (self.questions or self.harvests or self.reasons)


def build(ctx: _Ctx, report: Report) -> Exchange:
    """The dialogue section of ``report`` (see the module docstring)."""
    t = ctx.t
    exchange = Exchange(questions=_questions(ctx), harvests=_harvests(ctx),
                        reasons=_reasons(ctx, report.reactions))
    if exchange.unanswered:
        exchange.unanswered_text = t["unanswered"].format(n=exchange.unanswered,
                                                          of=len(exchange.questions))
    for q in exchange.questions:
        if q.supporters:
            q.support_text = t["question_support"].format(n=q.supporters)
        for a in q.answers:
            if a.supporters:
                a.support_text = t["answer_support"].format(n=a.supporters)
    for group in exchange.reasons:
        group.heading = t["reasons_from"].format(
            perspective=group.perspective, people=count_text(group.people, t, "person"))
    return exchange


def _addressed(ctx: _Ctx, to: str) -> str:
    """The label of whom a question was put to, without naming a small perspective."""
    if to == ALL:
        return ctx.t["to_all"]
    if not ctx.pool or ctx.as_group.get(to) == to or not ctx.members.get(to):
        return ctx.label(to)
    return ctx.t["to_other"]


def _questions(ctx: _Ctx) -> list[QuestionItem]:
    answers: dict[str, list[AnswerItem]] = defaultdict(list)
    for a in sorted(ctx.data.answers, key=lambda a: a.created_at or ""):
        answers[a.question].append(AnswerItem(
            id=a.id, text=a.text, author=ctx.person(a.participant, a.perspective),
            created_at=parse_time(a.created_at),
            supporters=_shown_count(ctx, len(set(getattr(a, "supporters", []) or [])))))
    out = []
    ordered = sorted(ctx.data.questions, key=lambda q: q.created_at or "")
    for number, q in enumerate(ordered, start=1):
        out.append(QuestionItem(
            id=q.id, code=f"{ctx.t['question_code']}{number}", text=q.text,
            author=ctx.person(q.participant, q.perspective), to_id=q.to,
            to=_addressed(ctx, q.to),
            supporters=_shown_count(ctx, len(set(q.supporters))),
            answers=answers.get(q.id, []), created_at=parse_time(q.created_at)))
    return out


def _shown_count(ctx: _Ctx, n: int) -> int | None:
    """A count of supporters as a reader may see it: only with the minimum of people."""
    return n if not ctx.pool or n >= ctx.min_group else None


def _harvests(ctx: _Ctx) -> list[HarvestItem]:
    listed = [h for h in ctx.data.harvests if h.shared or ctx.viewer.sees_unshared]
    return [HarvestItem(id=h.id, table=h.table, text=h.text, shared=bool(h.shared),
                        author=ctx.person(h.participant, h.perspective),
                        created_at=parse_time(h.created_at))
            for h in sorted(listed, key=lambda h: (h.table, h.created_at or ""))]


def _reasons(ctx: _Ctx, reactions: list[ReactionItem]) -> list[ReasonGroup]:
    """Reasons behind *niet herkenbaar*, by perspective, pooled by distinct people."""
    mine = [x for x in reactions if x.kind == "disagree" and x.text.strip()]
    people: dict[str, set[str]] = defaultdict(set)
    for x in mine:
        people[x.perspective_id].add(x.participant)
    where = ctx.pooled(people)
    groups: dict[str, ReasonGroup] = {}
    for x in mine:
        group = where.get(x.perspective_id)
        if group is None:
            ctx.withheld = True
            continue
        entry = groups.setdefault(group, ReasonGroup(perspective=ctx.label(group), reasons=[]))
        entry.reasons.append(x)
    for entry in groups.values():
        entry.people = len({x.participant for x in entry.reasons})
    order = ctx.order
    return [groups[g] for g in sorted(groups, key=lambda g: (order.get(g, len(order)), g))]


def counts_text(exchange: Exchange, t: dict[str, str]) -> str:
    """One plain sentence on the dialogue's figures, for the story of the afternoon."""
    parts: list[str] = []
    if exchange.questions:
        parts.append(t["story_questions"].format(
            n=len(exchange.questions),
            answered=len(exchange.questions) - exchange.unanswered))
    if exchange.harvests:
        tables = len({h.table for h in exchange.harvests})
        parts.append(t["story_harvests"].format(n=tables))
    return " ".join(parts)


__all__ = ["ALL", "AnswerItem", "Exchange", "HarvestItem", "QuestionItem",
           "ReasonGroup", "build", "counts_text"]
