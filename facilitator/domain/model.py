"""The records of a reflection session, as plain dataclasses.

``Workshop`` is the domain's name for a *sessie* (to keep clear of Flask's
``session``).  Every record converts to and from a JSON-able dict, which is
what the stores keep.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Self


class StepKind(StrEnum):
    """What may happen in an agenda step (see ``rules.RULES``)."""

    WELCOME = "welcome"
    PRESENTATION = "presentation"
    CIRCLE = "circle"
    EXCHANGE = "exchange"
    CONCLUSIONS = "conclusions"
    CLOSING = "closing"


class ReactionKind(StrEnum):
    """A reaction to another circle's reflection (herkenbaar / niet herkenbaar / geen mening)."""

    AGREE = "agree"
    DISAGREE = "disagree"
    PASS = "pass"


class RatingRound(StrEnum):
    """When a finding is rated: before the dialogue, or after it."""

    BEFORE = "before"
    AFTER = "after"


class EndorsementKind(StrEnum):
    """Support for, or a concern about, a conclusion."""

    SUPPORT = "support"
    CONCERN = "concern"


class Record:
    """Mixin: dict conversion that ignores unknown keys (older or newer archives)."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict of this record."""
        return dataclasses.asdict(self)  # type: ignore[arg-type]

    @classmethod
    def field_names(cls) -> frozenset[str]:
        """The record's field names (computed once per class: loading is a hot path)."""
        names = cls.__dict__.get("_field_names")
        if names is None:
            names = frozenset(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
            cls._field_names = names  # type: ignore[attr-defined]
        return names

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build the record from a dict, ignoring keys this version does not know."""
        names = cls.field_names()
        if names.issuperset(data):
            return cls(**data)
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Step(Record):
    """One agenda step; ``planned_*`` are ``HH:MM`` on the session's date."""

    id: str
    title: str
    kind: str
    planned_start: str = ""
    planned_end: str = ""
    description: str = ""
    title_en: str = ""
    description_en: str = ""
    actual_start: str | None = None
    actual_end: str | None = None

    def planned_minutes(self) -> int | None:
        """Planned duration in minutes, or None when the times are missing."""
        try:
            sh, sm = (int(x) for x in self.planned_start.split(":"))
            eh, em = (int(x) for x in self.planned_end.split(":"))
        except ValueError:
            return None
        return (eh * 60 + em) - (sh * 60 + sm)


@dataclass
class Perspective(Record):
    """A position from which people react: raadslid, vakbond, burger, ..."""

    id: str
    label: str
    label_en: str = ""

    def label_for(self, lang: str) -> str:
        """The label in ``lang`` ('nl' or 'en'), falling back to Dutch."""
        return self.label_en if lang == "en" and self.label_en else self.label


@dataclass
class CircleDef(Record):
    """A base circle ('eigen kring') grouping one or more perspectives."""

    id: str
    name: str
    perspectives: list[str] = field(default_factory=list)
    max_size: int = 8
    name_en: str = ""


@dataclass
class Finding(Record):
    """An interim research result presented to the room."""

    id: str
    title: str
    text: str = ""


@dataclass
class LiveState(Record):
    """What changes while the session runs, kept with the workshop."""

    current_step: str | None = None
    step_started_at: str | None = None
    posting_locked: bool = False
    spotlight: str | None = None
    finding_index: int = 0
    screen_blank: bool = False
    pinned_pattern: dict[str, Any] | None = None
    #: rating round -> True/False when the facilitator opened or closed it by hand
    #: (absent: the round follows the step, see ``findings.round_open``)
    rating_rounds: dict[str, bool] = field(default_factory=dict)
    #: a finding's rating results pinned on the projector (its id), or None
    pinned_finding: str | None = None
    #: a reason (the id of a reaction with text) put on the projector, or None
    spotlight_reason: str | None = None
    #: a question with its answers put on the projector (its id), or None
    spotlight_question: str | None = None
    #: mixed dialogue tables as composed ({"size": n, "seed": n, "composition": n}), or None
    tables: dict[str, Any] | None = None


@dataclass
class Workshop(Record):
    """A reflection session: its programme, perspectives, circles and live state."""

    code: str
    title: str
    date: str = ""
    place: str = ""
    facilitator_name: str = ""
    #: the series this session belongs to (``series.Series``), and where it is held
    series: str | None = None
    municipality: str = ""
    created_at: str = ""
    started_at: str | None = None
    ended_at: str | None = None
    steps: list[Step] = field(default_factory=list)
    perspectives: list[Perspective] = field(default_factory=list)
    circles: list[CircleDef] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    state: LiveState = field(default_factory=LiveState)
    facilitator_token: str = ""
    screen_token: str = ""
    max_reflection_length: int = 1000
    #: the report's house colour (hex, dark enough for text) and logo (a PNG data URL);
    #: optional, checked by ``export.style`` (issue 16)
    report_colour: str = ""
    report_logo: str = ""
    version: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build a workshop with its nested records."""
        plain = {k: v for k, v in data.items() if k in cls.field_names()}
        plain["steps"] = [Step.from_dict(s) for s in data.get("steps", [])]
        plain["perspectives"] = [Perspective.from_dict(p) for p in data.get("perspectives", [])]
        plain["circles"] = [CircleDef.from_dict(c) for c in data.get("circles", [])]
        plain["findings"] = [Finding.from_dict(f) for f in data.get("findings", [])]
        plain["state"] = LiveState.from_dict(data.get("state") or {})
        return cls(**plain)

    # -- look-ups ---------------------------------------------------------
    def step(self, step_id: str | None) -> Step | None:
        """The step with this id, or None."""
        return next((s for s in self.steps if s.id == step_id), None)

    def current_step(self) -> Step | None:
        """The step the facilitator has opened, or None before the start."""
        return self.step(self.state.current_step)

    def current_kind(self) -> StepKind:
        """The kind of the current step; before the start the session is in welcome."""
        step = self.current_step()
        return StepKind(step.kind) if step else StepKind.WELCOME

    def step_index(self, step_id: str | None) -> int:
        """Position of a step in the programme, -1 when absent."""
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), -1)

    def perspective(self, perspective_id: str) -> Perspective | None:
        """The perspective with this id, or None."""
        return next((p for p in self.perspectives if p.id == perspective_id), None)

    def finding(self, finding_id: str) -> Finding | None:
        """The finding with this id, or None."""
        return next((f for f in self.findings if f.id == finding_id), None)

    def base_circle_for(self, perspective_id: str) -> CircleDef:
        """The base circle a perspective belongs to (its own one if none is configured)."""
        for circle in self.circles:
            if perspective_id in circle.perspectives:
                return circle
        perspective = self.perspective(perspective_id)
        label = perspective.label if perspective else perspective_id
        label_en = perspective.label_en if perspective else ""
        return CircleDef(id=perspective_id, name=label, perspectives=[perspective_id],
                         name_en=label_en)

    def public_dict(self) -> dict[str, Any]:
        """The workshop without its secret tokens (nor the report's logo: up to 130 KB
        that only the exports use, never a phone or the screen)."""
        data = self.to_dict()
        data.pop("facilitator_token", None)
        data.pop("screen_token", None)
        data.pop("report_logo", None)
        return data


@dataclass
class Participant(Record):
    """Someone on a phone: pseudonymous, with one perspective and one circle."""

    id: str
    token: str
    pseudonym: str
    perspective: str
    circle: str
    circle_name: str = ""
    name: str = ""
    joined_at: str = ""
    lang: str = "nl"
    #: the mixed dialogue table (issue 17), once the facilitator composed tables
    table: int | None = None

    def public_dict(self) -> dict[str, Any]:
        """The participant without the token (the name is a separate privacy choice)."""
        data = self.to_dict()
        data.pop("token", None)
        return data


@dataclass
class Reflection(Record):
    """A reflection posted in one's own circle; ``shared`` means taken into the dialogue."""

    id: str
    participant: str
    perspective: str
    circle: str
    text: str
    created_at: str
    finding: str | None = None
    client_id: str | None = None
    pseudonym: str = ""
    shared: bool = False
    shared_at: str | None = None
    hidden: bool = False


@dataclass
class Reaction(Record):
    """One participant's reaction to a reflection of another circle (one per pair)."""

    id: str
    reflection: str
    participant: str
    perspective: str
    circle: str
    kind: str
    created_at: str
    text: str = ""
    client_id: str | None = None


@dataclass
class Conclusion(Record):
    """A general conclusion written by the facilitator, linked to reflections."""

    id: str
    text: str
    created_at: str
    reflections: list[str] = field(default_factory=list)
    perspectives: list[str] = field(default_factory=list)
    hidden: bool = False
    draft: bool = False


@dataclass
class Endorsement(Record):
    """A participant's support for, or concern about, a conclusion (one per pair)."""

    id: str
    conclusion: str
    participant: str
    perspective: str
    kind: str
    created_at: str
    text: str = ""
    client_id: str | None = None


@dataclass
class Rating(Record):
    """How recognisable one participant finds one finding in one round (one per triple).

    ``score`` runs from 1 (*helemaal niet herkenbaar*) to 5 (*zeer herkenbaar*);
    None is *geen mening*. A new rating in the same round replaces the old one.
    """

    id: str
    finding: str
    round: str
    participant: str
    perspective: str
    circle: str
    score: int | None
    created_at: str
    text: str = ""
    updated_at: str = ""
    client_id: str | None = None


@dataclass
class Question(Record):
    """A circle's question to one perspective or to all (issue 17): circle-mates support it,
    the addressed perspective answers in the exchange."""

    id: str
    participant: str
    perspective: str
    circle: str
    to: str
    text: str
    created_at: str
    client_id: str | None = None
    #: participants of the asking circle who support it (+1)
    supporters: list[str] = field(default_factory=list)


@dataclass
class Answer(Record):
    """An answer to a question, by a member of the addressed perspective."""

    id: str
    question: str
    participant: str
    perspective: str
    circle: str
    text: str
    created_at: str
    client_id: str | None = None
    #: participants of the asking circle who support it (+1)
    supporters: list[str] = field(default_factory=list)


@dataclass
class Harvest(Record):
    """A table's harvest, *Wat ons opviel* (issue 17): seen by that table and the
    facilitator, on the screen once the facilitator shares it."""

    id: str
    table: int
    participant: str
    perspective: str
    text: str
    created_at: str
    client_id: str | None = None
    shared: bool = False
    #: the tables' composition it was written in (``tables.composition``): after
    #: recomposing, table N's members are other people, who do not read it
    composition: int = 0


@dataclass
class WorkshopData:
    """Everything stored about one workshop, loaded at once for snapshots and exports."""

    workshop: Workshop
    participants: list[Participant] = field(default_factory=list)
    reflections: list[Reflection] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    conclusions: list[Conclusion] = field(default_factory=list)
    endorsements: list[Endorsement] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    harvests: list[Harvest] = field(default_factory=list)
    seq: int = 0
    #: changes of ratings so far (they number no events); with ``seq`` the data's version
    ratings_version: int = 0

    @property
    def version(self) -> tuple[int, int]:
        """What this data is current to (see ``Operations.version``)."""
        return self.seq, self.ratings_version

    def participant(self, participant_id: str) -> Participant | None:
        """The participant with this id, or None."""
        return next((p for p in self.participants if p.id == participant_id), None)

    def circles(self) -> list[dict[str, Any]]:
        """The circles that exist now (base circles split by size), with member counts."""
        seen: dict[str, dict[str, Any]] = {}
        for p in self.participants:
            entry = seen.setdefault(p.circle, {"id": p.circle, "name": p.circle_name or p.circle,
                                                "members": 0, "perspectives": set()})
            entry["members"] += 1
            entry["perspectives"].add(p.perspective)
        out = []
        for entry in seen.values():
            entry["perspectives"] = sorted(entry["perspectives"])
            out.append(entry)
        return sorted(out, key=lambda e: e["id"])
