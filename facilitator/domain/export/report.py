"""The report model: what every export shows, built once from a ``WorkshopData``.

``build(data, lang=..., names=..., patterns=...)`` applies the privacy rules in
one place, so that no format can forget them:

* hidden (moderated) reflections are left out, with the reactions to them, and
  so are hidden conclusions with their endorsements;
* participants appear as perspective + pseudonym; the display name only when
  ``names=True`` (and then only when the participant gave one).

The model holds data, not layout: the formats (Markdown, HTML, Word, CSV,
Excel) take their headings from ``labels`` and render the same items.  The
report is a list of sections (``Report.sections``): each is built by its own
function here (or in ``story`` and ``dialogue``) over one ``_Ctx`` that applies
the small-group rule once, and each format lays out each section with one
function of its ``LAYOUT``.  Texts
that exist in two languages in the session (step titles, perspective and
circle labels) are resolved for ``lang`` here.  Times are shown in Dutch local
time (Europe/Amsterdam).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import findings, privacy
from ..model import CircleDef, Conclusion, Participant, Reflection, WorkshopData
from ..rules import Role
from . import charts, style
from .labels import labels, normalise_lang

try:
    LOCAL_TZ: Any = ZoneInfo("Europe/Amsterdam")
except ZoneInfoNotFoundError:  # pragma: no cover - a system without tz data
    from datetime import UTC as LOCAL_TZ

KINDS = ("agree", "disagree", "pass")


# -- the model ----------------------------------------------------------------

@dataclass
class Person:
    """How a participant appears: perspective and pseudonym, the name only on request."""

    perspective: str
    pseudonym: str
    name: str = ""
    #: the words that stand for the author where the perspective may not be named
    #: (a pooled or withheld perspective, for a reader)
    unnamed: str = ""

    def display(self, perspective: bool = True) -> str:
        """``Raadslid · Merel 3`` or, with a name, ``Raadslid · Merel 3 (Anna)``; for a
        reader without identities only the perspective, and for a small perspective
        nothing that points at a person (an en dash). ``perspective=False``: without
        the perspective (where a heading names it), and nothing when nothing is left."""
        shown = self.perspective if perspective else ""
        text = " · ".join(part for part in (shown, self.pseudonym) if part)
        if self.name:
            text = f"{text} ({self.name})" if text else self.name
        return text or ((self.unnamed or "–") if perspective else "")


@dataclass
class AgendaRow:
    """One agenda step with its planned and actual times (``HH:MM``, local)."""

    id: str
    title: str
    planned_start: str
    planned_end: str
    planned_minutes: int | None
    actual_start: str
    actual_end: str
    actual_minutes: int | None

    def planned_text(self, unit: str) -> str:
        """``13:30–13:45 (15 min.)``, or empty when no times were planned."""
        return _span(self.planned_start, self.planned_end, self.planned_minutes, unit)

    def actual_text(self, unit: str) -> str:
        """``13:32–13:50 (18 min.)``, or empty when the step was never opened."""
        return _span(self.actual_start, self.actual_end, self.actual_minutes, unit)


def _span(start: str, end: str, minutes: int | None, unit: str) -> str:
    if not start:
        return ""
    text = f"{start}–{end}"
    return f"{text} ({minutes} {unit})" if minutes is not None else text


@dataclass
class PerspectiveRow:
    """Participation of one perspective."""

    id: str
    label: str
    participants: int = 0
    reflections: int = 0
    shared: int = 0
    reactions: int = 0
    endorsements: int = 0


@dataclass
class CircleRow:
    """Participation of one circle."""

    id: str
    name: str
    perspectives: list[str]
    participants: int = 0
    reflections: int = 0
    shared: int = 0


@dataclass
class FindingItem:
    """An interim finding presented in the session, with how each perspective rated it
    (rows: perspective, before, after, shift; pooled as the report's reader may see)
    and, in the research preset only, the reasons given."""

    id: str
    title: str
    text: str
    ratings: list[list[str]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    chart: charts.BarChart | None = None


@dataclass
class ReflectionItem:
    """A visible reflection; ``number`` is its reference in the report (#1, #2, ...)."""

    id: str
    number: int
    text: str
    perspective_id: str
    perspective: str
    circle_id: str
    circle: str
    author: Person
    finding: str
    shared: bool
    shared_at: datetime | None
    created_at: datetime | None
    agree: int = 0
    disagree: int = 0
    pass_: int = 0
    #: The reactions to it that carry a text (the appendix lists them with it).
    comments: list[ReactionItem] = field(default_factory=list)

    def counts(self, t: dict[str, str]) -> str:
        """``Herkenbaar 3 · Niet herkenbaar 1 · Geen mening 0`` (as shown to the reader)."""
        return " · ".join(f"{t[k]} {n}" for k, n in (("agree", self.agree),
                                                     ("disagree", self.disagree),
                                                     ("pass", self.pass_)))


@dataclass
class CircleSection:
    """A circle with the reflections listed for the audience, and how many it wrote in
    all (a reader's report lists only the shared ones and counts the others)."""

    id: str
    name: str
    reflections: list[ReflectionItem]
    written: int = 0
    shared: int = 0
    line: str = ""
    #: The perspective of every reflection listed, when the circle's name says it
    #: ("Kring Raadslid 2"): then each reflection's author is listed without it.
    perspective: str = ""

    def author(self, item: ReflectionItem) -> str:
        """Who wrote ``item`` as this section lists it ("" for a reader who sees only
        the perspective, when the circle's name says it already)."""
        return item.author.display(perspective=item.author.perspective != self.perspective)


@dataclass
class ReactionItem:
    """A reaction to a visible, shared reflection."""

    id: str
    reflection: ReflectionItem
    perspective_id: str
    perspective: str
    circle: str
    author: Person
    kind: str
    text: str
    created_at: datetime | None
    #: The participant's id: for counting distinct people, never shown.
    participant: str = ""


@dataclass
class DialogueItem:
    """A reflection taken into the dialogue, with the reactions of the other circles."""

    reflection: ReflectionItem
    reactions: list[ReactionItem]

    def count(self, kind: str) -> int:
        """How many reactions of ``kind`` (agree, disagree, pass)."""
        return sum(1 for r in self.reactions if r.kind == kind)

    def comments(self) -> list[ReactionItem]:
        """The reactions that carry a text."""
        return [r for r in self.reactions if r.text.strip()]


@dataclass
class CrossRow:
    """Reactions of one perspective to the reflections of another."""

    from_perspective: str
    by_perspective: str
    agree: int = 0
    disagree: int = 0
    pass_: int = 0


@dataclass
class PatternItem:
    """A cross-perspective pattern: title, explanation, counts as (label, value) pairs,
    and the numbers (#n) of the visible reflections it refers to."""

    title: str
    explanation: str
    counts: list[tuple[str, str]]
    reflections: list[int]


@dataclass
class PatternGroup:
    """A kind of pattern (shared themes, dividing lines, ...) with its items."""

    title: str
    items: list[PatternItem]


@dataclass
class Patterns:
    """The patterns section: a summary, notes on method, and the groups of items."""

    summary: str
    notes: list[str]
    groups: list[PatternGroup]


@dataclass
class PerspectiveSupport:
    """Support and concerns for a conclusion from one perspective."""

    perspective_id: str
    perspective: str
    support: int = 0
    concern: int = 0


@dataclass
class EndorsementItem:
    """Support for, or a concern about, a visible conclusion."""

    id: str
    conclusion_id: str
    conclusion_number: int
    conclusion_text: str
    perspective_id: str
    perspective: str
    author: Person
    kind: str
    text: str
    created_at: datetime | None
    #: The participant's id: for counting distinct people, never shown.
    participant: str = ""


@dataclass
class ConclusionItem:
    """A visible conclusion with its support per perspective and the reflections it rests on."""

    id: str
    number: int
    text: str
    draft: bool
    perspectives: list[str]
    per_perspective: list[PerspectiveSupport]
    endorsements: list[EndorsementItem]
    reflections: list[ReflectionItem]
    chart: charts.BarChart
    #: Totals: for a reader the sum of what the per-perspective rows show (so that a
    #: total minus the named perspectives never reveals a withheld group), else all.
    support: int = 0
    concern: int = 0

    def comments(self) -> list[EndorsementItem]:
        """The endorsements that carry a text."""
        return [e for e in self.endorsements if e.text.strip()]


@dataclass
class SummaryConclusion:
    """A conclusion on page one: its text, one plain sentence per perspective, and the
    numbers of the reflections it rests on."""

    number: int
    text: str
    per_perspective: list[str]
    rests_on: list[int]


@dataclass
class Summary:
    """Page one: who took part, the conclusions with their support, the strongest patterns."""

    took_part: str
    conclusions: list[SummaryConclusion]
    patterns: list[str]
    #: one sentence per rated finding: recognised by how many, moved how
    findings: list[str] = field(default_factory=list)


@dataclass
class Report:
    """Everything an export shows, in one language, with the privacy rules applied."""

    lang: str
    names: bool
    t: dict[str, str]
    title: str
    date: str
    date_text: str
    place: str
    facilitator: str
    code: str
    started: str
    ended: str
    generated: datetime
    agenda: list[AgendaRow]
    perspectives: list[PerspectiveRow]
    circle_rows: list[CircleRow]
    participation_chart: charts.BarChart
    circle_chart: charts.BarChart
    findings: list[FindingItem]
    circles: list[CircleSection]
    reflections: list[ReflectionItem]
    dialogue: list[DialogueItem]
    cross: list[CrossRow]
    reactions: list[ReactionItem]
    patterns: Patterns | None
    conclusions: list[ConclusionItem]
    endorsements: list[EndorsementItem]
    participants: int = 0
    #: The audience's preset ("bestuur", "deelnemers", "onderzoek").
    preset: str = "onderzoek"
    #: Notes of the privacy rules as applied (unshared reflections left out, small groups).
    notes: list[str] | None = None
    #: Page one (built by ``summary`` from the rest of the model).
    summary: Summary | None = None
    #: The method: how many took part, the small-group rule, what moderation hid.
    method: list[str] | None = None
    #: The research package's tables (``research.tables``), for the research preset only.
    research: list[Table] | None = None
    #: The dialogue of issue 17: questions with answers, table harvests, reasons.
    exchange: Any = None
    #: The story of the afternoon, one entry per programme step (``story.build``).
    story: list[Any] = field(default_factory=list)
    #: The sections in order (see ``_sections``); each format lays out each key.
    sections: list[str] = field(default_factory=list)
    #: Perspectives and circles as they came (not as pooled rows show them), and how many
    #: people and circles a reader's report merged into small groups.
    perspectives_present: int = 0
    pooled_people: int = 0
    circles_present: int = 0
    pooled_circles: int = 0
    #: The house style (``style``): the accent colour and the logo's PNG bytes, if any.
    colour: str = "#0B3D60"
    logo: bytes | None = None

    def participation_total(self) -> list[int]:
        """The total row of the participation table: the sum of the rows shown, so that it
        never holds a withheld group (nor reflections a reader does not see listed)."""
        rows = self.perspectives
        return [sum(r.participants for r in rows), sum(r.reflections for r in rows),
                sum(r.shared for r in rows), sum(r.reactions for r in rows),
                sum(r.endorsements for r in rows)]

    def kind_label(self, kind: str) -> str:
        """The label of a reaction or endorsement kind in the report's language."""
        return self.t.get(kind, kind)

    def privacy_note(self) -> str:
        """The sentences that say how participants are shown and what was left out."""
        if self.preset == "onderzoek":
            first = self.t["privacy_names"] if self.names else self.t["privacy"]
        else:
            first = self.t["privacy_reader"]
        parts = [first, *(self.notes or [])]
        if self.preset == "deelnemers":
            parts.append(self.t["thanks"])
        return " ".join(parts)


@dataclass
class Table:
    """A flat table for CSV and Excel: a key, a sheet title, a file stem, columns and rows."""

    key: str
    title: str
    filename: str
    columns: list[str]
    rows: list[list[Any]]
    #: Said above the header (Excel: the first row) of a table that holds text the room
    #: never saw (unshared reflections, table notes, reasons): not to be handed on.
    warning: str = ""


# -- helpers --------------------------------------------------------------------

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """``text`` without the control characters XML cannot hold (Word and Excel files)."""
    return _XML_INVALID.sub("", text)


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp as an aware local datetime (naive ones are taken as local)."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(LOCAL_TZ)


def clock(value: str | None) -> str:
    """``HH:MM`` local for an ISO timestamp; a value that is already a time is kept."""
    if value and re.fullmatch(r"\d{1,2}:\d{2}", value):
        return value
    moment = parse_time(value)
    return moment.strftime("%H:%M") if moment else ""


def stamp(moment: datetime | None) -> str:
    """``YYYY-MM-DD HH:MM:SS`` local, or an empty string."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def date_text(value: str, lang: str) -> str:
    """``12 maart 2026`` / ``12 March 2026`` for ``2026-03-12``; other values unchanged."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not match:
        return value or ""
    year, month, day = (int(x) for x in match.groups())
    if not 1 <= month <= 12:
        return value
    return f"{day} {labels(lang)['months'].split()[month - 1]} {year}"


def _minutes(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int(round((end - start).total_seconds() / 60))


def _circle_names(data: WorkshopData, lang: str) -> dict[str, str]:
    """Circle id -> name: the name stored at joining (Dutch) or the configured English one."""
    workshop = data.workshop
    defs: dict[str, CircleDef] = {c.id: c for c in workshop.circles}
    stored: dict[str, str] = {}
    for p in data.participants:
        stored.setdefault(p.circle, p.circle_name)
    ids = list(stored) + [r.circle for r in data.reflections if r.circle not in stored]

    def base_name(base_id: str) -> str | None:
        if base_id in defs:
            d = defs[base_id]
            return d.name_en if lang == "en" and d.name_en else d.name
        perspective = workshop.perspective(base_id)  # no circles configured: one per perspective
        return perspective.label_for(lang) if perspective else None

    names: dict[str, str] = {}
    for cid in ids:
        if lang != "en" and stored.get(cid):
            names[cid] = stored[cid]
            continue
        name = base_name(cid)
        match = re.fullmatch(r"(.+)-(\d+)", cid)
        if name is None and match and base_name(match.group(1)):
            name = f"{base_name(match.group(1))} {match.group(2)}"
        names[cid] = name or stored.get(cid) or cid
    return names


def _circle_key(workshop: Any, cid: str) -> tuple[int, int, str]:
    """Sort key: configured circles first in their order, then per perspective; splits after."""
    match = re.fullmatch(r"(.+)-(\d+)", cid)
    base, number = (match.group(1), int(match.group(2))) if match else (cid, 1)
    if not any(c.id == base for c in workshop.circles) and not workshop.perspective(base):
        base, number = cid, 1
    ids = [c.id for c in workshop.circles]
    ids += [p.id for p in workshop.perspectives if p.id not in ids]
    position = ids.index(base) if base in ids else len(ids)
    return position, number, cid


def _in_lang(value: Any, lang: str) -> str:
    """A text that may be given per language (``{"nl": ..., "en": ...}``) or as a string."""
    if isinstance(value, dict):
        for key in (lang, "nl", "en"):
            if isinstance(value.get(key), str):
                return value[key]
        return ""
    return "" if value is None else str(value)


def number_text(value: Any, lang: str = "nl") -> str:
    """``0,83`` in Dutch, ``0.83`` in English (two decimals at most)."""
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if lang == "nl" else text
    return str(value)


def _flatten(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        if set(value) & {"nl", "en"} and all(isinstance(v, str) for v in value.values()):
            return _in_lang(value, lang)
        return ", ".join(f"{str(k).replace('_', ' ')}: {_flatten(v, lang)}"
                         for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_flatten(v, lang) for v in value)
    return "" if value is None else number_text(value, lang)


#: Group keys of the patterns module, with their label keys.
_PATTERN_GROUPS = {"themes": "pattern_themes", "distinctive": "pattern_distinctive",
                   "common_ground": "pattern_common_ground",
                   "dividing_lines": "pattern_dividing_lines", "blind_spots": "pattern_blind_spots"}


def _pattern_item(item: Any, lang: str, label: Any, numbers: dict[str, int],
                  with_counts: bool = True) -> PatternItem:
    if not isinstance(item, dict):
        return PatternItem(title=_flatten(item, lang), explanation="", counts=[], reflections=[])

    def pick(*keys: str) -> str:
        for key in keys:
            if lang == "en" and item.get(f"{key}_en"):
                return _in_lang(item[f"{key}_en"], lang)
            if item.get(key):
                return _in_lang(item[key], lang)
        return ""

    # a reader gets no internal figures: the analysis' own field names are no words
    counts = item.get("counts") if with_counts else None
    pairs: list[tuple[str, str]] = []
    def key_label(key: Any) -> str:
        text = _in_lang(key, lang)
        shown = label(text)  # a perspective id becomes its label
        return shown if shown != text else text.replace("_", " ")

    if isinstance(counts, dict):
        pairs = [(key_label(k), _flatten(v, lang)) for k, v in counts.items()]
    elif isinstance(counts, list):
        for entry in counts:
            if isinstance(entry, dict):
                key = entry.get("perspective", entry.get("label", entry.get("key", "")))
                rest = {k: v for k, v in entry.items() if k not in ("perspective", "label", "key")}
                pairs.append((key_label(key), _flatten(rest, lang)))
            else:
                pairs.append(("", _flatten(entry, lang)))
    elif counts is not None:
        pairs = [("", _flatten(counts, lang))]
    refs = item.get("reflections")
    reflections = sorted(numbers[r] for r in refs if isinstance(r, str) and r in numbers) \
        if isinstance(refs, list) else []
    return PatternItem(title=pick("title", "label", "name"),
                       explanation=pick("explanation", "description", "text"), counts=pairs,
                       reflections=reflections)


def _patterns(patterns: Any, lang: str, label: Any, numbers: dict[str, int],
              counts: bool = True) -> Patterns | None:
    """Normalise the patterns module's output generically.

    Accepted: a list of items; a dict with the list under ``items`` or
    ``patterns``; or a dict of groups (every list of items with a ``title``,
    such as ``themes`` or ``dividing_lines``), with an optional ``explanation``
    (summary) and ``notes``.  Texts may be strings or ``{"nl": ..., "en": ...}``.
    Of each item the report shows the title, the explanation, the counts (keys
    that are perspective ids become labels) and the visible reflections it
    names (hidden ones have no number, so they are never shown).
    """
    if patterns is None:
        return None
    t = labels(lang)

    def items_of(values: list) -> list[PatternItem]:
        return [_pattern_item(item, lang, label, numbers, counts) for item in values]

    if not isinstance(patterns, dict):
        values = patterns if isinstance(patterns, list) else []
        return Patterns(summary="", notes=[], groups=[PatternGroup("", items_of(values))])
    groups: list[PatternGroup] = []
    listed = patterns.get("items", patterns.get("patterns"))
    if isinstance(listed, list):
        groups.append(PatternGroup("", items_of(listed)))
    else:
        for key, value in patterns.items():
            if (isinstance(value, list) and value
                    and all(isinstance(v, dict) and "title" in v for v in value)):
                title = t[_PATTERN_GROUPS[key]] if key in _PATTERN_GROUPS else \
                    str(key).replace("_", " ").capitalize()
                groups.append(PatternGroup(title, items_of(value)))
    notes = patterns.get("notes")
    return Patterns(
        summary=_in_lang(patterns.get("explanation", patterns.get("summary")), lang),
        notes=[_in_lang(n, lang) for n in notes if _in_lang(n, lang)]
        if isinstance(notes, list) else [],
        groups=groups)


def count_text(n: int, t: dict[str, str], key: str) -> str:
    """``1 reflectie`` / ``2 reflecties``: ``key`` and ``key_one`` in the labels."""
    return f"{n} {t[key + '_one'] if n == 1 else t[key + '_many']}"


def summary(report: Report) -> Summary:
    """Page one from the model: plain sentences, no field names, no statistics words.

    Support is told against the people of a perspective who took part ("8 van de 12
    steunen dit"), per shown (pooled) group only, so it follows the small-group rule
    of the rows it is made from.
    """
    t = report.t
    size = {row.label: row.participants for row in report.perspectives}
    conclusions = []
    for c in report.conclusions:
        lines = []
        for row in c.per_perspective:
            if not (row.support or row.concern):
                continue
            parts = []
            total = size.get(row.perspective)
            if row.support:
                parts.append(t["summary_support"].format(n=row.support, of=total)
                             if total else count_text(row.support, t, "supporter"))
            if row.concern:
                parts.append(count_text(row.concern, t, "concern"))
            lines.append(f"{row.perspective}: {', '.join(parts)}")
        conclusions.append(SummaryConclusion(number=c.number, text=c.text,
                                             per_perspective=lines,
                                             rests_on=[r.number for r in c.reflections]))
    patterns: list[str] = []
    for group in (report.patterns.groups if report.patterns else []):
        for item in group.items:
            sentence = item.title or item.explanation
            if sentence and len(patterns) < 5:
                patterns.append(sentence)
    shared = sum(1 for r in report.reflections if r.shared)
    took_part = t["summary_took_part"].format(
        people=count_text(report.participants, t, "person"),
        perspectives=count_text(report.perspectives_present, t, "perspective"),
        pooled=t["pooled_people"].format(n=report.pooled_people)
        if report.pooled_people else "",
        shared=count_text(shared, t, "reflection"))
    return Summary(took_part=took_part, conclusions=conclusions, patterns=patterns)


def _decimal(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "nl" else text


def _reader_round(ratings: list[Any], label: Any, min_group: int
                  ) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    """One round's figures for a reader, grouped by ``privacy.pooled_scores`` (the groups
    the series synthesis adds up, so the two never differ by a small group), and per
    shown group the scores by person (for the shift)."""
    groups, _withheld = privacy.pooled_scores(
        ((r.perspective, r.participant, r.score) for r in ratings if r.score is not None),
        min_group)
    shown = [score for scores in groups.values() for _who, score in scores]
    rows = []
    for group, scores in groups.items():
        values = [score for _who, score in scores]
        rows.append({"id": group, "label": label(group), "n": len(values),
                     "mean": round(fmean(values), 2),
                     "recognise": round(sum(1 for v in values if v >= 4) / len(values), 2)})
    return ({"n": len(shown), "mean": round(fmean(shown), 2) if shown else None,
             "recognise": round(sum(1 for v in shown if v >= 4) / len(shown), 2)
             if shown else None, "perspectives": rows},
            {group: dict(scores) for group, scores in groups.items()})


def _reader_shift(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]],
                  label: Any, min_group: int) -> list[dict[str, Any]]:
    """Per group shown in both rounds, the mean change of the people in it both times: the
    same people as the means beside it, or (where some rated once) labelled by their
    number. Left out when fewer than ``min_group`` people rated twice, or when the people
    who rated once in that group are 1 to ``min_group - 1``: the means minus the shift
    would give their scores."""
    out = []
    for group in before:
        if group not in after:
            continue
        paired = set(before[group]) & set(after[group])
        once = (len(set(before[group]) - paired), len(set(after[group]) - paired))
        if len(paired) < min_group or any(0 < n < min_group for n in once):
            continue
        out.append({"id": group, "label": label(group), "n_paired": len(paired),
                    "same_people": once == (0, 0),
                    "mean_delta": round(fmean(after[group][p] - before[group][p]
                                              for p in paired), 2)})
    return out


def _rating_results(data: WorkshopData, viewer: privacy.Viewer, min_group: int,
                    lang: str) -> list[dict[str, Any]]:
    """The rating figures per finding as the report shows them: ``findings.results`` for a
    viewer who sees small groups, and for a reader the groups of ``privacy.pooled_scores``
    (a mean stands on the people who gave a score, at least ``min_group`` of them) with
    a shift over the same people as the means."""
    if viewer.sees_small_groups:
        return findings.results(data, viewer, min_group, lang)["findings"]
    t = labels(lang)

    def label(pid: str) -> str:
        if pid == OTHER:
            return t["other_perspectives"]
        perspective = data.workshop.perspective(pid)
        return perspective.label_for(lang) if perspective else pid

    out = []
    for finding in data.workshop.findings:
        mine = [r for r in data.ratings if r.finding == finding.id]
        before, before_people = _reader_round([r for r in mine if r.round == "before"],
                                              label, min_group)
        after, after_people = _reader_round([r for r in mine if r.round == "after"],
                                            label, min_group)
        out.append({"id": finding.id, "title": finding.title,
                    "rounds": {"before": before, "after": after},
                    "shift": {"perspectives": _reader_shift(before_people, after_people,
                                                            label, min_group)}})
    return out


def _finding_lines(data: WorkshopData, viewer: privacy.Viewer, min_group: int, lang: str,
                   t: dict[str, str]) -> list[str]:
    """Page one's line per rated finding, from ``findings.results`` for this reader (so
    pooled as the report is): how many recognise it, before and after the dialogue,
    and the perspectives that moved most."""
    if not data.ratings:
        return []
    out = []
    for f in _rating_results(data, viewer, min_group, lang):
        before, after = f["rounds"]["before"], f["rounds"]["after"]
        if not before["n"] and not after["n"]:
            continue
        parts = []
        for key, figures in (("rating_before", before), ("rating_after", after)):
            if figures["n"]:
                parts.append(t[key].format(
                    recognise=round((figures["recognise"] or 0) * figures["n"]),
                    n=figures["n"], mean=_decimal(figures["mean"], lang)))
        moved = sorted((p for p in f["shift"]["perspectives"] if p["mean_delta"]),
                       key=lambda p: -abs(p["mean_delta"]))[:2]
        if moved:
            parts.append(t["rating_moved"].format(moves=", ".join(
                f"{p['label']} {'+' if p['mean_delta'] > 0 else '−'}"
                f"{_decimal(abs(p['mean_delta']), lang)}" for p in moved)))
        out.append(f"“{f['title']}”: " + "; ".join(parts))
    return out


def _finding_tables(report: Report, data: WorkshopData, viewer: privacy.Viewer,
                    min_group: int, lang: str) -> None:
    """Per finding a row per (shown) perspective: mean and raters before, after, and the
    mean change of those who rated twice; the reasons where the viewer sees them."""
    if not data.ratings:
        return
    t = report.t
    by_id = {f.id: f for f in report.findings}
    for entry in _rating_results(data, viewer, min_group, lang):
        item = by_id.get(entry["id"])
        if item is None:
            continue
        rounds = {k: {p["id"]: p for p in entry["rounds"][k]["perspectives"]}
                  for k in ("before", "after")}
        shift = {p["id"]: p for p in entry["shift"]["perspectives"]}
        ids = list(dict.fromkeys([*rounds["before"], *rounds["after"]]))

        rated = {k: any(r.finding == entry["id"] and r.round == k for r in data.ratings)
                 for k in ("before", "after")}

        def cell(p: dict[str, Any] | None, round_: str, rated=rated) -> str:
            if not p or p["mean"] is None:
                return t["rating_too_few"] if rated[round_] else t["rating_not_rated"]
            return t["rating_cell"].format(mean=_decimal(p["mean"], lang), n=p["n"])

        for pid in ids:
            change = shift.get(pid)
            moved = t["rating_too_few"] if all(rated.values()) else t["rating_not_rated"]
            if change:
                sign = "+" if change["mean_delta"] >= 0 else "−"
                moved = f"{sign}{_decimal(abs(change['mean_delta']), lang)}"
                if not change.get("same_people", True):
                    # some in this row rated once: say over whom the shift is
                    moved = t["rating_shift_paired"].format(shift=moved, n=change["n_paired"])
            label = (rounds["before"].get(pid) or rounds["after"].get(pid))["label"]
            item.ratings.append([label, cell(rounds["before"].get(pid), "before"),
                                 cell(rounds["after"].get(pid), "after"), moved])
        if ids:
            def means(which: str, ids=ids, rounds=rounds) -> list[float]:
                return [float(rounds[which][pid]["mean"] or 0) if pid in rounds[which] else 0.0
                        for pid in ids]

            labels = [(rounds["before"].get(pid) or rounds["after"].get(pid))["label"]
                      for pid in ids]
            item.chart = charts.BarChart(
                title=f"{item.title}: {t['rating_chart']}", categories=labels,
                series=[charts.Series(t["round_before"], means("before"), charts.BLUE),
                        charts.Series(t["round_after"], means("after"), charts.ORANGE)],
                decimal=t["decimal"])
        for group in entry.get("reasons", []):
            for reason in group["texts"]:
                score = t["score_none"] if reason["score"] is None else str(reason["score"])
                item.reasons.append(f"{group['label']} ({t['round_' + reason['round']]}, "
                                    f"{score}): {reason['text']}")


def _method(data: WorkshopData, report: Report, min_group: int) -> list[str]:
    """The appendix's method, in words: participation, what went into the dialogue, the
    small-group rule (explained once), what moderation hid, how patterns are found."""
    t = report.t
    visible = [r for r in data.reflections if privacy.is_visible(r)]
    out = [t["method_took_part"].format(
               people=count_text(len(data.participants), t, "person"),
               circles=len({p.circle for p in data.participants})),
           t["method_written"].format(written=count_text(len(visible), t, "reflection"),
                                      shared=sum(1 for r in visible if r.shared)),
           t["method_small_groups"].format(n=min_group),
           t["method_hidden"].format(
               reflections=count_text(sum(1 for r in data.reflections if r.hidden), t,
                                      "reflection"),
               conclusions=count_text(sum(1 for c in data.conclusions if c.hidden), t,
                                      "conclusion"))]
    if report.patterns is not None:
        out.append(t["method_patterns"])
        out += [text for text in [report.patterns.summary, *report.patterns.notes] if text]
    return out


# -- building ---------------------------------------------------------------------

OTHER = privacy.OTHER


#: The audiences a report is made for (``preset=``): the board and the participants read
#: a report handed on (what the room saw, pooled); research is the organiser's own data.
PRESETS = ("bestuur", "deelnemers", "onderzoek")


def viewer_for(preset: str, kind: Any = "closing") -> privacy.Viewer:
    """The viewer of a preset: a reader for the board and participants, the organiser
    for research. What each may see comes from the rules table (``privacy.Viewer``)."""
    role = Role.ORGANISER if preset == "onderzoek" else Role.READER
    return privacy.Viewer(role, kind)


class _Ctx:
    """What the section builders share: the session, the reader, and the small-group rule
    applied once (who may be named, how each perspective and circle is shown)."""

    def __init__(self, data: WorkshopData, lang: str, names: bool, min_group: int,
                 preset: str) -> None:
        self.data, self.lang, self.t, self.preset = data, lang, labels(lang), preset
        self.workshop = data.workshop
        self.viewer = viewer_for(preset, data.workshop.current_kind())
        self.pool = not self.viewer.sees_small_groups
        self.names = names and self.viewer.sees_identities
        self.min_group = min_group
        self.order = {p.id: i for i, p in enumerate(self.workshop.perspectives)}
        self.order[OTHER] = len(self.order) + 1
        self.notes: list[str] = []
        #: set when a figure was left out under the small-group rule (adds the note)
        self.withheld = False
        self.members: dict[str, set[str]] = defaultdict(set)
        self.circle_members: dict[str, set[str]] = defaultdict(set)
        for p in data.participants:
            self.members[p.perspective].add(p.id)
            self.circle_members[p.circle].add(p.id)
        for r in data.reflections:  # authors without a participant record (restored data)
            self.members[r.perspective].add(r.participant)
            self.circle_members[r.circle].add(r.participant)
        self.as_group = self.pooled(self.members)
        self.participants: dict[str, Participant] = {p.id: p for p in data.participants}
        self.circle_names = _circle_names(data, lang)
        self.visible: list[Reflection] = [r for r in data.reflections if privacy.is_visible(r)]

    def pooled(self, people: dict[str, set[str]]) -> dict[str, str | None]:
        """perspective -> itself, OTHER, or None (withheld): the rule of ``privacy``."""
        if not self.pool:
            return {pid: pid for pid, who in people.items() if who}
        return privacy.pool_assignment(people, self.min_group)

    def label(self, pid: str) -> str:
        if pid == OTHER:
            return self.t["other_perspectives"]
        perspective = self.workshop.perspective(pid)
        return perspective.label_for(self.lang) if perspective else pid

    def shown_label(self, pid: str) -> str:
        """The label a perspective's own words carry: empty when it is too small to name."""
        if not self.pool or self.as_group.get(pid) == pid:
            return self.label(pid)
        return ""

    def sort_perspectives(self, ids: Any) -> list[str]:
        return sorted(set(ids), key=lambda pid: (self.order.get(pid, len(self.order)), pid))

    def person(self, pid: str, perspective: str, fallback: str = "") -> Person:
        if not self.viewer.sees_identities:
            unnamed = (self.t["author_pooled"] if self.as_group.get(perspective) == OTHER
                       else self.t["author_withheld"])
            return Person(perspective=self.shown_label(perspective), pseudonym="",
                          unnamed=unnamed)
        p = self.participants.get(pid)
        return Person(perspective=self.label(perspective),
                      pseudonym=(p.pseudonym if p else "") or fallback or "?",
                      name=(p.name if p and self.names else "") or "")

    def circle_name(self, cid: str) -> str:
        if self.pool and len(self.circle_members.get(cid, ())) < self.min_group:
            return self.t["other_circles"]
        return self.circle_names.get(cid, cid)

    def section_key(self, cid: str) -> str:
        """The circle section a circle's reflections are listed in (small ones pooled)."""
        return OTHER if self.pool and self.circle_name(cid) == self.t["other_circles"] else cid


def build(data: WorkshopData, *, lang: str = "nl", names: bool = False,
          patterns: dict | list | None = None, now: datetime | None = None,
          min_group: int = 3, preset: str = "onderzoek") -> Report:
    """Build the report of a session in ``lang`` for the audience ``preset``.

    ``onderzoek`` (the organiser's research data) holds every visible record,
    unpooled, with pseudonyms (names only with ``names=True``). ``bestuur`` and
    ``deelnemers`` are built for a reader (``privacy.Viewer(Role.READER)``):
    only reflections taken into the dialogue (the others as counts per
    circle), no drafts, no pseudonyms, every per-perspective figure pooled by
    the number of distinct people behind it, and a perspective or circle of
    fewer than ``min_group`` people never named.

    Each part is built by its own function below; ``sections`` then lists, in
    order, what every format lays out (one layout function per section and format).
    """
    lang = normalise_lang(lang)
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}: use one of {', '.join(PRESETS)}")
    ctx = _Ctx(data, lang, names, min_group, preset)
    t, workshop = ctx.t, ctx.workshop
    reflection_items = _reflection_items(ctx)
    reactions = _reaction_items(ctx, reflection_items)
    circles = _circle_sections(ctx, reflection_items)
    rows = _perspective_rows(ctx, reactions)
    conclusions, endorsements = _conclusion_items(ctx, rows, reflection_items)
    circle_rows = _circle_rows(ctx)
    report = Report(
        lang=lang, names=ctx.names, t=t, title=workshop.title, date=workshop.date,
        date_text=date_text(workshop.date, lang), place=workshop.place,
        facilitator=workshop.facilitator_name, code=workshop.code,
        started=stamp(parse_time(workshop.started_at)), ended=stamp(parse_time(workshop.ended_at)),
        generated=(now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ), agenda=_agenda(ctx),
        perspectives=rows, circle_rows=circle_rows,
        participation_chart=_participation_chart(
            t, t["participation_perspective"], [r.label for r in rows], rows),
        circle_chart=_participation_chart(
            t, t["participation_circle"], [c.name for c in circle_rows], circle_rows),
        findings=[FindingItem(id=f.id, title=f.title, text=f.text) for f in workshop.findings],
        circles=circles, reflections=reflection_items,
        dialogue=_dialogue_items(reflection_items, reactions),
        cross=_cross_rows(ctx, reactions), reactions=reactions,
        patterns=_patterns(patterns, lang, ctx.label, {r.id: r.number for r in reflection_items},
                           counts=not ctx.pool),
        conclusions=conclusions, endorsements=endorsements,
        participants=len(data.participants), preset=preset, notes=ctx.notes,
        **_as_they_came(ctx),
        colour=workshop.report_colour or style.DEFAULT_COLOUR,
        logo=style.logo_bytes(workshop.report_logo))
    from . import dialogue, story

    report.exchange = dialogue.build(ctx, report)
    if ctx.withheld:
        ctx.notes.append(t["small_group_note"].format(n=min_group))
    report.summary = summary(report)
    report.summary.findings = _finding_lines(data, ctx.viewer, min_group, lang, t)
    _finding_tables(report, data, ctx.viewer, min_group, lang)
    report.method = _method(data, report, min_group)
    report.story = story.build(ctx, report)
    report.sections = _sections(report)
    if preset == "onderzoek":
        from . import research

        report.research = research.tables(data, report)
    return report


def _as_they_came(ctx: _Ctx) -> dict[str, int]:
    """People, perspectives and circles counted as they came: a pooled group is several
    perspectives (or circles), not one; and how many a reader's report merged."""
    people = ctx.data.participants
    circles: dict[str, int] = Counter(p.circle for p in people)
    return {"perspectives_present": len({p.perspective for p in people}),
            "pooled_people": sum(1 for p in people if ctx.pool
                                 and ctx.as_group.get(p.perspective) != p.perspective),
            "circles_present": len(circles),
            "pooled_circles": sum(1 for cid in circles
                                  if ctx.pool and ctx.section_key(cid) == OTHER)}


def _dialogue_items(listed: list[ReflectionItem],
                    reactions: list[ReactionItem]) -> list[DialogueItem]:
    """Each reflection taken into the dialogue (or reacted to) with its reactions."""
    by_reflection: dict[str, list[ReactionItem]] = defaultdict(list)
    for reaction in reactions:
        by_reflection[reaction.reflection.id].append(reaction)
    return [DialogueItem(reflection=item, reactions=by_reflection.get(item.id, []))
            for item in listed if item.shared or by_reflection.get(item.id)]


def _sections(report: Report) -> list[str]:
    """The order of the report, the same in every format: page one, the afternoon, the
    appendix. A format lays out each key with its own function (``LAYOUT``)."""
    keys = ["summary", "story"]
    keys += ["findings"] if report.findings else []
    keys += ["dialogue", "conclusions", "participation", "circles"]
    keys += ["patterns"] if report.patterns is not None else []
    return [*keys, "method"]


def _reflection_items(ctx: _Ctx) -> list[ReflectionItem]:
    """The listed reflections (visible; for a reader only the shared ones), numbered."""
    listed = ctx.viewer.reflections(ctx.visible)
    if len(listed) < len(ctx.visible):
        ctx.notes.append(ctx.t["unshared_note"])
    findings = {f.id: f.title for f in ctx.workshop.findings}
    return [ReflectionItem(
        id=r.id, number=number, text=r.text, perspective_id=r.perspective,
        perspective=ctx.shown_label(r.perspective), circle_id=r.circle,
        circle=ctx.circle_name(r.circle),
        author=ctx.person(r.participant, r.perspective, getattr(r, "pseudonym", "")),
        finding=findings.get(r.finding or "", r.finding or ""), shared=bool(r.shared),
        shared_at=parse_time(r.shared_at), created_at=parse_time(r.created_at))
        for number, r in enumerate(listed, start=1)]


def _reaction_items(ctx: _Ctx, listed: list[ReflectionItem]) -> list[ReactionItem]:
    """Reactions to listed reflections; each reflection's totals count what the pooled
    groups of its reactions show."""
    items = {r.id: r for r in listed}
    reactions: list[ReactionItem] = []
    for x in ctx.data.reactions:
        target = items.get(x.reflection)
        if target is None:
            continue
        reactions.append(ReactionItem(
            id=x.id, reflection=target, perspective_id=x.perspective,
            perspective=ctx.shown_label(x.perspective), circle=ctx.circle_name(x.circle),
            author=ctx.person(x.participant, x.perspective),
            kind=x.kind if x.kind in KINDS else "pass", text=x.text or "",
            created_at=parse_time(x.created_at), participant=x.participant))
    by_reflection: dict[str, list[ReactionItem]] = defaultdict(list)
    for reaction in reactions:
        by_reflection[reaction.reflection.id].append(reaction)
    for item in listed:
        mine = by_reflection.get(item.id, [])
        item.comments = [x for x in mine if x.text.strip()]
        where = ctx.pooled(_people(mine))
        for x in mine:
            if where.get(x.perspective_id) is None:
                continue
            item.agree += x.kind == "agree"
            item.disagree += x.kind == "disagree"
            item.pass_ += x.kind == "pass"
    return reactions


def _cross_rows(ctx: _Ctx, reactions: list[ReactionItem]) -> list[CrossRow]:
    """Reactions across perspectives: each cell counted in distinct people, pooled."""
    by_from: dict[str, list[ReactionItem]] = defaultdict(list)
    for reaction in reactions:
        source = ctx.as_group.get(reaction.reflection.perspective_id)
        if source is not None:
            by_from[source].append(reaction)
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for source, mine in by_from.items():
        where = ctx.pooled(_people(mine))
        for reaction in mine:
            group = where.get(reaction.perspective_id)
            if group is None:
                ctx.withheld = True
                continue
            counts[(source, group)][reaction.kind] += 1
    order = ctx.order

    def key(pair: tuple[str, str]) -> tuple:
        a, b = pair
        return order.get(a, len(order)), a, order.get(b, len(order)), b

    return [CrossRow(from_perspective=ctx.label(a), by_perspective=ctx.label(b),
                     agree=c["agree"], disagree=c["disagree"], pass_=c["pass"])
            for (a, b), c in sorted(counts.items(), key=lambda kv: key(kv[0]))]


def _all_circles(ctx: _Ctx) -> list[str]:
    return sorted({c["id"] for c in ctx.data.circles()} | {r.circle for r in ctx.visible},
                  key=lambda cid: _circle_key(ctx.workshop, cid))


def _circle_sections(ctx: _Ctx, listed: list[ReflectionItem]) -> list[CircleSection]:
    """Circles with their listed reflections, in the order of the configured circles;
    small circles pooled for a reader; each with how many it wrote and shared."""
    t = ctx.t
    section_ids = list(dict.fromkeys(ctx.section_key(cid) for cid in _all_circles(ctx)))
    by_circle: dict[str, list[ReflectionItem]] = defaultdict(list)
    for item in listed:
        by_circle[ctx.section_key(item.circle_id)].append(item)
    sections = [CircleSection(id=cid, name=t["other_circles"] if cid == OTHER
                              else ctx.circle_names.get(cid, cid),
                              reflections=by_circle.get(cid, [])) for cid in section_ids]
    by_section = {s.id: s for s in sections}
    for r in ctx.visible:
        section = by_section[ctx.section_key(r.circle)]
        section.written += 1
        section.shared += int(bool(r.shared))
    for section in sections:
        section.line = t["circle_line"].format(
            written=count_text(section.written, t, "reflection"), shared=section.shared)
        labels = {r.author.perspective for r in section.reflections}
        if len(labels) == 1 and (label := labels.pop()) and \
                label.casefold() in section.name.casefold():
            section.perspective = label
    return sections


def _perspective_rows(ctx: _Ctx, reactions: list[ReactionItem]) -> list[PerspectiveRow]:
    """Participation per perspective, pooled by people (endorsements are added later)."""
    data, as_group = ctx.data, ctx.as_group
    present = ctx.sort_perspectives(
        as_group[pid] for pid in [p.perspective for p in data.participants]
        + [r.perspective for r in ctx.visible] if as_group.get(pid) is not None)
    if ctx.pool and any(g is None for g in as_group.values()):
        ctx.withheld = True
    rows = {pid: PerspectiveRow(id=pid, label=ctx.label(pid)) for pid in present}

    def row(pid: str) -> PerspectiveRow | None:
        group = as_group.get(pid)
        return rows.get(group) if group is not None else None

    for p in data.participants:
        if (entry := row(p.perspective)) is not None:
            entry.participants += 1
    for r in ctx.visible:
        if (entry := row(r.perspective)) is not None:
            entry.reflections += 1
            entry.shared += int(bool(r.shared))
    for reaction in reactions:
        if (entry := row(reaction.perspective_id)) is not None:
            entry.reactions += 1
    return list(rows.values())


def _endorsement_items(ctx: _Ctx, visible: list[Conclusion],
                       rows: list[PerspectiveRow]) -> list[EndorsementItem]:
    """Support and concerns on the listed conclusions; counted into the participation rows."""
    numbers = {c.id: i for i, c in enumerate(visible, start=1)}
    by_row = {r.id: r for r in rows}
    out: list[EndorsementItem] = []
    for e in ctx.data.endorsements:
        if e.conclusion not in numbers:
            continue
        conclusion = visible[numbers[e.conclusion] - 1]
        out.append(EndorsementItem(
            id=e.id, conclusion_id=e.conclusion, conclusion_number=numbers[e.conclusion],
            conclusion_text=conclusion.text, perspective_id=e.perspective,
            perspective=ctx.shown_label(e.perspective),
            author=ctx.person(e.participant, e.perspective),
            kind=e.kind if e.kind in ("support", "concern") else "support", text=e.text or "",
            created_at=parse_time(e.created_at), participant=e.participant))
        group = ctx.as_group.get(e.perspective)
        if group is not None and group in by_row:
            by_row[group].endorsements += 1
    return out


def _conclusion_items(ctx: _Ctx, rows: list[PerspectiveRow], listed: list[ReflectionItem]
                      ) -> tuple[list[ConclusionItem], list[EndorsementItem]]:
    """The listed conclusions (no drafts for a reader) with support per perspective,
    counted in distinct people and pooled; and their endorsements."""
    visible = [c for c in ctx.data.conclusions
               if privacy.is_visible(c) and (not c.draft or ctx.viewer.sees_unshared)]
    endorsements = _endorsement_items(ctx, visible, rows)
    by_conclusion: dict[str, list[EndorsementItem]] = defaultdict(list)
    endorsers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for item in endorsements:
        by_conclusion[item.conclusion_id].append(item)
        endorsers[item.conclusion_id][item.perspective_id].add(item.participant)
    items = {r.id: r for r in listed}
    present = [r.id for r in rows if r.id != OTHER]
    return [_conclusion_item(ctx, c, number, by_conclusion.get(c.id, []),
                             ctx.pooled(endorsers.get(c.id, {})), present, items)
            for number, c in enumerate(visible, start=1)], endorsements


def _conclusion_item(ctx: _Ctx, c: Conclusion, number: int, mine: list[EndorsementItem],
                     shown: dict[str, str | None], present: list[str],
                     items: dict[str, ReflectionItem]) -> ConclusionItem:
    t, label, pool = ctx.t, ctx.label, ctx.pool
    if pool and any(g is None for g in shown.values()):
        ctx.withheld = True
    ids = ctx.sort_perspectives(present + [g for g in shown.values() if g is not None])
    support = {pid: PerspectiveSupport(perspective_id=pid, perspective=label(pid))
               for pid in ids}
    for e in mine:
        if shown.get(e.perspective_id) is None:
            continue  # too few people behind it, even pooled: left out
        entry = support[shown[e.perspective_id]]
        if e.kind == "concern":
            entry.concern += 1
        else:
            entry.support += 1
    per = list(support.values())
    return ConclusionItem(
        id=c.id, number=number, text=c.text, draft=bool(c.draft),
        perspectives=[label(p) for p in c.perspectives if not pool or ctx.as_group.get(p) == p],
        per_perspective=per, endorsements=mine,
        reflections=[items[r] for r in c.reflections if r in items],
        chart=charts.BarChart(
            title=f"{t['conclusion']} {number}: {t['support_concern'].lower()}",
            categories=[p.perspective for p in per],
            series=[charts.Series(t["support"], [p.support for p in per], charts.GREEN),
                    charts.Series(t["concern"], [p.concern for p in per], charts.VERMILION)],
            decimal=t["decimal"]),
        support=sum(p.support for p in per) if pool
        else sum(e.kind == "support" for e in mine),
        concern=sum(p.concern for p in per) if pool
        else sum(e.kind == "concern" for e in mine))


def _circle_rows(ctx: _Ctx) -> list[CircleRow]:
    """Participation per circle; for a reader a circle of fewer than the minimum is left
    out (its counts point at people)."""
    member_rows = {c["id"]: c for c in ctx.data.circles()}
    visible_by_circle: dict[str, list[Reflection]] = defaultdict(list)
    for r in ctx.visible:
        visible_by_circle[r.circle].append(r)
    out = []
    for cid in _all_circles(ctx):
        if ctx.pool and len(ctx.circle_members.get(cid, ())) < ctx.min_group:
            ctx.withheld = True
            continue
        entry = member_rows.get(cid)
        mine = visible_by_circle.get(cid, [])
        out.append(CircleRow(
            id=cid, name=ctx.circle_names.get(cid, cid),
            perspectives=[ctx.label(p) for p in ctx.sort_perspectives(
                (entry["perspectives"] if entry else []) + [r.perspective for r in mine])
                if not ctx.pool or ctx.as_group.get(p) == p],
            participants=entry["members"] if entry else 0,
            reflections=len(mine), shared=sum(1 for r in mine if r.shared)))
    return out


def _participation_chart(t: dict[str, str], title: str, categories: list[str],
                         rows: list[PerspectiveRow] | list[CircleRow]) -> charts.BarChart:
    """Participants and reflections per group (a perspective or a circle) as bars."""
    return charts.BarChart(
        title=title, categories=categories,
        series=[charts.Series(t["participants"], [r.participants for r in rows], charts.BLUE),
                charts.Series(t["reflections"], [r.reflections for r in rows], charts.ORANGE)],
        decimal=t["decimal"])


def _agenda(ctx: _Ctx) -> list[AgendaRow]:
    out = []
    for step in ctx.workshop.steps:
        start, end = parse_time(step.actual_start), parse_time(step.actual_end)
        out.append(AgendaRow(
            id=step.id, title=step.title_en if ctx.lang == "en" and step.title_en else step.title,
            planned_start=step.planned_start, planned_end=step.planned_end,
            planned_minutes=step.planned_minutes(), actual_start=clock(step.actual_start),
            actual_end=clock(step.actual_end), actual_minutes=_minutes(start, end)))
    return out


def _people(reactions: list[ReactionItem]) -> dict[str, set[str]]:
    """Perspective -> the distinct people behind these reactions (the id's participant)."""
    people: dict[str, set[str]] = defaultdict(set)
    for x in reactions:
        people[x.perspective_id].add(x.participant)
    return people


# -- flat tables (CSV, Excel) --------------------------------------------------------

def tables(report: Report) -> list[Table]:
    """The flat tables of a report: reflections, reactions, endorsements and conclusions.

    Values keep their type (int, bool as yes/no text, datetime) so that Excel can
    sort and filter; CSV writes them as text.  The name column exists only when
    the report was built with ``names=True``.
    """
    t = report.t
    yes_no = {True: t["yes"], False: t["no"]}

    def who(person: Person) -> list[Any]:
        return [person.pseudonym, person.name] if report.names else [person.pseudonym]

    who_cols = [t["pseudonym"], t["name"]] if report.names else [t["pseudonym"]]

    reflections = Table(
        key="reflections", title=t["sheet_reflections"], filename=t["file_reflections"],
        columns=["#", t["id"], t["time"], t["perspective"], t["circle"], *who_cols,
                 t["finding"], t["reflection"], t["shared"], t["shared_at"], t["agree"],
                 t["disagree"], t["pass"]],
        rows=[[r.number, r.id, r.created_at, r.perspective, r.circle, *who(r.author),
               r.finding, r.text, yes_no[r.shared], r.shared_at, r.agree, r.disagree, r.pass_]
              for r in report.reflections],
        warning=t["not_pooled"] if any(not r.shared for r in report.reflections) else "")
    reactions = Table(
        key="reactions", title=t["sheet_reactions"], filename=t["file_reactions"],
        columns=[t["id"], "# " + t["reflection"].lower(), t["reflection"],
                 t["from_perspective"], t["circle"], t["by_perspective"],
                 f"{t['circle']} ({t['reaction'].lower()})", *who_cols, t["reaction"],
                 t["text"], t["time"]],
        rows=[[x.id, x.reflection.number, x.reflection.text, x.reflection.perspective,
               x.reflection.circle, x.perspective, x.circle, *who(x.author),
               report.kind_label(x.kind), x.text, x.created_at] for x in report.reactions])
    endorsements = Table(
        key="endorsements", title=t["sheet_endorsements"], filename=t["file_endorsements"],
        columns=[t["id"], "# " + t["conclusion"].lower(), t["conclusion"], t["perspective"],
                 *who_cols, t["kind"], t["text"], t["time"]],
        rows=[[e.id, e.conclusion_number, e.conclusion_text, e.perspective, *who(e.author),
               report.kind_label(e.kind), e.text, e.created_at] for e in report.endorsements])
    conclusions = Table(
        key="conclusions", title=t["sheet_conclusions"], filename=t["file_conclusions"],
        columns=["#", t["id"], t["conclusion"], t["draft"], t["support"], t["concern"],
                 t["concerns_perspectives"], t["rests_on"]],
        rows=[[c.number, c.id, c.text, yes_no[c.draft], c.support, c.concern,
               ", ".join(c.perspectives), ", ".join(f"#{r.number}" for r in c.reflections)]
              for c in report.conclusions])
    return [reflections, reactions, endorsements, conclusions, *(report.research or [])]
