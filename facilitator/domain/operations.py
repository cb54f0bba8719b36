"""Use cases: everything a role can do to a workshop.

Each operation checks the rules table, validates its input, writes through the
store in one atomic call, and returns what it stored together with the
numbered events it caused.  Operations never broadcast: the adapters hand the
events to ``views.fan_out`` and a publisher.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from . import circles, findings, joincode, programme, tables
from .errors import N_, Conflict, Forbidden, Invalid, NotFound, NotNow, Unauthorized
from .model import (
    Answer,
    CircleDef,
    Conclusion,
    Endorsement,
    EndorsementKind,
    Harvest,
    Participant,
    Question,
    Rating,
    Reaction,
    ReactionKind,
    Reflection,
    StepKind,
    Workshop,
    WorkshopData,
)
from .rules import LOCKABLE, Action, Role, allowed, require, require_role
from .spec import apply_spec
from .validation import clean_bool, clean_choice, clean_id, clean_text, digits

Event = dict[str, Any]
#: A reaction or an endorsement: one per participant and target.
OpinionT = TypeVar("OpinionT", Reaction, Endorsement)

#: Neutral Dutch words for pseudonyms (birds and trees): friendly on a projector,
#: and they say nothing about the person.
PSEUDONYM_WORDS = ["Merel", "Kievit", "Reiger", "Zwaluw", "Specht", "Lijster", "Grutto", "Ekster",
                   "Eik", "Linde", "Beuk", "Berk", "Wilg", "Els", "Hazelaar", "Esdoorn"]


#: the store counter a rating change increments (its cache version; see ``Operations.version``)
RATINGS_VERSION = "ratings_version"


def utcnow() -> str:
    """The current time as an ISO 8601 string in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def new_token() -> str:
    """A secret of 192 bits for links and bearer tokens."""
    return secrets.token_urlsafe(24)


def new_id() -> str:
    """A short random record id."""
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True)
class Actor:
    """Who acts: a role in one workshop, and the participant for the participant role."""

    role: Role
    code: str
    participant: Participant | None = None

    @property
    def participant_id(self) -> str | None:
        """The participant's id, or None for other roles."""
        return self.participant.id if self.participant else None


class Operations:
    """The use cases, over any ``Store``."""

    def __init__(self, store: Any, clock: Callable[[], str] = utcnow,
                 code_length: int = joincode.LENGTH) -> None:
        self.store = store
        self.clock = clock
        self.code_length = code_length

    # -- reading ------------------------------------------------------------
    def workshop(self, code: str) -> Workshop:
        """The workshop for a (typed) join code; NotFound when there is none."""
        canonical = joincode.normalise(code) if isinstance(code, str) else None
        doc = self.store.get_workshop(canonical) if canonical else None
        if doc is None:
            raise NotFound(N_("There is no session with this code."))
        return Workshop.from_dict(doc)

    def version(self, code: str) -> tuple[int, int]:
        """What a cache of a workshop's data is current to: the event sequence, and the
        count of rating changes (ratings number no events: see ``rate_finding``)."""
        return self.store.seq(code), self.store.counter(code, RATINGS_VERSION)

    def load(self, code: str) -> WorkshopData:
        """Everything stored about a workshop (read the version first: see views)."""
        workshop = self.workshop(code)
        code = workshop.code
        seq, ratings_version = self.version(code)
        return WorkshopData(
            workshop=workshop,
            participants=[Participant.from_dict(d)
                          for d in self.store.records(code, "participant")],
            reflections=[Reflection.from_dict(d) for d in self.store.records(code, "reflection")],
            reactions=[Reaction.from_dict(d) for d in self.store.records(code, "reaction")],
            conclusions=[Conclusion.from_dict(d) for d in self.store.records(code, "conclusion")],
            endorsements=[Endorsement.from_dict(d)
                          for d in self.store.records(code, "endorsement")],
            ratings=[Rating.from_dict(d) for d in self.store.records(code, "rating")],
            questions=[Question.from_dict(d) for d in self.store.records(code, "question")],
            answers=[Answer.from_dict(d) for d in self.store.records(code, "answer")],
            harvests=[Harvest.from_dict(d) for d in self.store.records(code, "harvest")],
            seq=seq, ratings_version=ratings_version,
        )

    def list_workshops(self) -> list[Workshop]:
        """All workshops, newest first."""
        return [Workshop.from_dict(d) for d in self.store.list_workshops()]

    def authenticate(self, code: str, token: Any) -> Actor:
        """Resolve a bearer token to an actor in this workshop, or raise Unauthorized."""
        workshop = self.workshop(code)
        if not isinstance(token, str) or not 16 <= len(token) <= 200:
            raise Unauthorized(N_("This link or token is not valid (any more)."))
        if hmac.compare_digest(token, workshop.facilitator_token):
            return Actor(Role.FACILITATOR, workshop.code)
        if hmac.compare_digest(token, workshop.screen_token):
            return Actor(Role.SCREEN, workshop.code)
        doc = self.store.find(workshop.code, "participant", f"token:{token}")
        if doc is None:
            raise Unauthorized(N_("This link or token is not valid (any more)."))
        return Actor(Role.PARTICIPANT, workshop.code, Participant.from_dict(doc))

    # -- organiser ----------------------------------------------------------
    def create_workshop(self, spec: Any) -> Workshop:
        """Create a workshop from a spec (defaults: the DVG programme and perspectives)."""
        workshop = Workshop(code="", title="", created_at=self.clock(),
                            facilitator_token=new_token(), screen_token=new_token())
        apply_spec(workshop, spec, partial=False)
        for _ in range(20):
            workshop.code = joincode.new_code(self.code_length)
            if self.store.create_workshop(workshop.code, workshop.to_dict()):
                return workshop
        raise Conflict(N_("Could not find a free session code; try again."))

    def create_demo(self) -> Workshop:
        """A workshop on the default programme with example findings, for trying out."""
        return self.create_workshop({
            "title": programme.DEFAULT_TITLE, "place": "Demo", "facilitator": "Demo",
            "findings": [f.to_dict() for f in programme.example_findings()]})

    def edit_workshop(self, actor: Actor, spec: Any) -> tuple[Workshop, list[Event]]:
        """Change title, programme, perspectives, circles or findings (organiser)."""
        require(actor.role, Action.EDIT_SESSION, self.workshop(actor.code).current_kind())

        def change(workshop: Workshop) -> list[Event]:
            apply_spec(workshop, spec, partial=True)
            return [{"type": "programme"}]

        return self._update(actor.code, change)

    def rotate_links(self, actor: Actor, which: str = "both") -> tuple[Workshop, list[Event]]:
        """Replace the facilitator and/or screen secret; old links stop working."""
        require(actor.role, Action.ROTATE_LINKS, self.workshop(actor.code).current_kind())
        which = clean_choice(which, {"facilitator", "screen", "both"}, field="which")

        def change(workshop: Workshop) -> list[Event]:
            if which in ("facilitator", "both"):
                workshop.facilitator_token = new_token()
            if which in ("screen", "both"):
                workshop.screen_token = new_token()
            return [{"type": "links_rotated", "which": which}]

        return self._update(actor.code, change)

    def delete_workshop(self, actor: Actor) -> bool:
        """Delete a workshop with all its data (organiser)."""
        require(actor.role, Action.DELETE_SESSION, self.workshop(actor.code).current_kind())
        return self.store.delete_workshop(actor.code)

    def purge_ended(self, older_than_days: int, now: datetime | None = None) -> list[str]:
        """Delete sessions that ended more than ``older_than_days`` ago (retention).

        A session ends at its last sign of life, closed or not: reaching the
        closing step (``ended_at``), a later step change, its start or
        creation, or anything stored in it (a join, a post, a rating ...). A
        session with a planned date lives at least until the day after it,
        however early it was prepared or tried out. So a session never taken to
        the closing step is deleted too once nothing has happened in it for the
        period, and a reopened one is not deleted while it is still in use. The
        workshop document gives the first answer for free; only a session it
        puts past the cutoff has its records read (on both stores a scan of
        that one session), so an hourly run stays cheap.
        """
        if older_than_days <= 0:
            return []
        now = now or datetime.now(UTC)
        cutoff = now - timedelta(days=older_than_days)

        def moment(value: Any) -> datetime | None:
            if not isinstance(value, str) or not value:
                return None
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                return None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

        def latest(*values: Any) -> datetime | None:
            moments = [m for m in map(moment, values) if m is not None]
            return max(moments) if moments else None

        def stored_at(code: str) -> list[str]:
            return [value for kind in ("participant", "reflection", "reaction", "endorsement",
                                       "rating", "conclusion", "pattern")
                    for record in self.store.records(code, kind)
                    for key, value in record.items() if key.endswith("_at")]

        deleted = []
        for workshop in self.list_workshops():
            # kept at least until its planned day (YYYY-MM-DD) is over, so that a
            # session prepared (or tried out) weeks ahead is still there on the day
            planned = moment(f"{workshop.date}T00:00:00+00:00")
            last = latest(workshop.created_at, workshop.started_at, workshop.ended_at,
                          workshop.state.step_started_at,
                          planned and (planned + timedelta(days=1)).isoformat())
            if last is None or last >= cutoff:
                continue  # still in use, or no date to judge by (never guessed)
            # Past the cutoff by the document: what was stored in it may be newer.
            last = latest(last.isoformat(), *stored_at(workshop.code))
            if last is None or last >= cutoff:
                continue
            if self.store.delete_workshop(workshop.code):
                deleted.append(workshop.code)
        return deleted

    # -- participants -------------------------------------------------------
    def join(self, code: str, perspective: Any, name: Any = None, lang: str = "nl",
             participant_id: str | None = None) -> tuple[Participant, list[Event]]:
        """Join a workshop with a perspective; the circle is assigned by size.
        ``participant_id``: an id reserved beforehand (a name card's claim)."""
        workshop = self.workshop(code)
        require(Role.PARTICIPANT, Action.JOIN, workshop.current_kind())
        perspective_id = clean_id(perspective, field="perspective")
        if workshop.perspective(perspective_id) is None:
            raise Invalid(N_("Unknown perspective: %(perspective)s."), field="perspective",
                          perspective=perspective_id)
        display_name = clean_text(name, field="name", max_length=60, required=False)
        base = workshop.base_circle_for(perspective_id)
        # Before the first circle step an atomic counter per base circle seats the n-th
        # member in circle ceil(n / max_size) (simultaneous joins never overfill one);
        # opening that step splits every base circle evenly (``rebalance_circles``).
        # After it a late joiner takes the smallest sub-circle of their base circle.
        position = self.store.next_number(workshop.code, f"circle:{base.id}")
        if circles_opened(workshop):
            number = circles.seat_late(self._circle_counts(workshop, base), base.max_size)
        else:
            number = (position - 1) // max(base.max_size, 1) + 1
        circle_id = circles.circle_id(base.id, number)
        circle_name = circles.circle_name(base.name, number)
        serial = self.store.next_number(workshop.code, "participants")
        word = PSEUDONYM_WORDS[(serial - 1) % len(PSEUDONYM_WORDS)]
        table = None
        if workshop.state.tables:  # tables composed: seated where it adds most
            seated: dict[int, list[str]] = {}
            for d in self.store.records(workshop.code, "participant"):
                if d.get("table"):
                    seated.setdefault(d["table"], []).append(d["perspective"])
            table = tables.seat_late(seated, perspective_id)
        participant = Participant(
            id=participant_id or new_id(), token=new_token(), pseudonym=f"{word} {serial}",
            perspective=perspective_id, circle=circle_id, circle_name=circle_name,
            name=display_name, joined_at=self.clock(), lang=lang if lang in ("nl", "en") else "nl",
            table=table)
        event = {"type": "participant_joined", "participant": participant.public_dict()}
        _, _, events = self.store.insert(workshop.code, "participant", participant.to_dict(),
                                         unique=f"token:{participant.token}", events=[event])
        return participant, events

    def _base_members(self, workshop: Workshop, base: CircleDef) -> list[Participant]:
        """The participants of one base circle, in join order."""
        return [p for p in (Participant.from_dict(d)
                            for d in self.store.records(workshop.code, "participant"))
                if workshop.base_circle_for(p.perspective).id == base.id]

    def _circle_counts(self, workshop: Workshop, base: CircleDef) -> dict[int, int]:
        """Members per sub-circle number of one base circle."""
        counts: dict[int, int] = {}
        for p in self._base_members(workshop, base):
            number = circles.number_of(base.id, p.circle)
            if number is not None:
                counts[number] = counts.get(number, 0) + 1
        return counts

    def rebalance_circles(self, code: str) -> dict[str, str]:
        """Split every base circle's members, by join order, over ceil(n / max) sub-circles
        whose sizes differ by at most one. Returns {participant id: new circle} of those
        who moved (their pages resync on the step event that opened the circles)."""
        workshop = self.workshop(code)
        bases: dict[str, CircleDef] = {}
        for d in self.store.records(code, "participant"):
            base = workshop.base_circle_for(d["perspective"])
            bases.setdefault(base.id, base)
        moved: dict[str, str] = {}
        for base in bases.values():
            members = self._base_members(workshop, base)
            numbers = circles.balanced_numbers(len(members), base.max_size)
            for participant, number in zip(members, numbers, strict=True):
                new_id_ = circles.circle_id(base.id, number)
                if participant.circle == new_id_:
                    continue
                new_name = circles.circle_name(base.name, number)

                def seat(doc: dict[str, Any], cid: str = new_id_,
                         name: str = new_name) -> tuple[dict[str, Any], list[Event]]:
                    doc["circle"], doc["circle_name"] = cid, name
                    return doc, []

                self.store.update(code, "participant", participant.id, seat)
                moved[participant.id] = new_id_
        if moved:
            # Moves number no event: like a rating change, they bump the counter that
            # caches of the session's data are current to (see ``version``).
            self.store.next_number(code, RATINGS_VERSION)
        return moved

    def _participant_action(self, actor: Actor, action: Action,
                            workshop: Workshop | None = None) -> Workshop:
        # ``workshop``: the session as the caller loaded it for this action (one read
        # per action); the checks below hold for it as for a fresh read
        if workshop is None or workshop.code != actor.code:
            workshop = self.workshop(actor.code)
        require(actor.role, action, workshop.current_kind())
        if action in LOCKABLE and workshop.state.posting_locked:
            raise NotNow(N_("The facilitator has paused posting for a moment."))
        return workshop

    def post_reflection(self, actor: Actor, text: Any, finding: Any = None,
                        client_id: Any = None, workshop: Workshop | None = None
                        ) -> tuple[Reflection, bool, list[Event]]:
        """Post a reflection in one's own circle; the same client id twice stores it once."""
        workshop = self._participant_action(actor, Action.POST_REFLECTION, workshop)
        participant = actor.participant
        assert participant is not None  # the rules table admits participants only
        body = clean_text(text, field="text", max_length=workshop.max_reflection_length)
        finding_id = clean_id(finding, field="finding", required=False)
        if finding_id and workshop.finding(finding_id) is None:
            raise Invalid(N_("Unknown finding."), field="finding")
        client = clean_id(client_id, field="client_id", required=False)
        reflection = Reflection(
            id=new_id(), participant=participant.id, perspective=participant.perspective,
            circle=participant.circle, text=body, created_at=self.clock(), finding=finding_id,
            client_id=client, pseudonym=participant.pseudonym)
        doc, created, events = self._insert_once(
            workshop.code, "reflection", reflection, client,
            {"type": "reflection", "reflection": reflection.to_dict()})
        return Reflection.from_dict(doc), created, events

    def _insert_once(self, code: str, kind: str, record: Any, client: str | None,
                     event: Event) -> tuple[dict[str, Any], bool, list[Event]]:
        """Store a participant's record at most once per client id: a resend after a lost
        acknowledgement returns the first record and numbers no event."""
        unique = f"client:{record.participant}:{client}" if client else None
        return self.store.insert(code, kind, record.to_dict(), unique=unique, events=[event])

    def _reflection(self, code: str, reflection_id: Any) -> Reflection:
        rid = clean_id(reflection_id, field="reflection")
        doc = self.store.get(code, "reflection", rid)
        if doc is None:
            raise NotFound(N_("This reflection does not exist."))
        return Reflection.from_dict(doc)

    def _update_reflection(self, code: str, reflection_id: str,
                           change: Callable[[Reflection], bool]) -> tuple[Reflection, list[Event]]:
        def mutate(doc: dict[str, Any]):
            reflection = Reflection.from_dict(doc)
            if not change(reflection):
                return None
            return reflection.to_dict(), [{"type": "reflection_updated",
                                           "reflection": reflection.to_dict()}]

        doc, events = self.store.update(code, "reflection", reflection_id, mutate)
        if doc is None:
            raise NotFound(N_("This reflection does not exist."))
        return Reflection.from_dict(doc), events

    def share_reflection(self, actor: Actor, reflection_id: Any,
                         shared: Any = True) -> tuple[Reflection, list[Event]]:
        """Mark (or unmark) a reflection to take into the dialogue ('meenemen')."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.SHARE_REFLECTION, workshop.current_kind())
        shared = clean_bool(shared, field="shared")
        reflection = self._reflection(workshop.code, reflection_id)
        if actor.role == Role.PARTICIPANT:
            if actor.participant is None or reflection.circle != actor.participant.circle:
                raise Forbidden(N_("Only members of this circle can do this."))
        if reflection.hidden and shared:
            raise NotNow(N_("This reflection has been hidden by the facilitator."))
        now = self.clock()

        def change(r: Reflection) -> bool:
            if r.shared == shared:
                return False
            r.shared, r.shared_at = shared, now if shared else None
            return True

        result = self._update_reflection(workshop.code, reflection.id, change)
        if not shared:
            result = (result[0], result[1] + self._off_screen(workshop.code, reflection.id))
        return result

    def hide_reflection(self, actor: Actor, reflection_id: Any,
                        hidden: Any = True) -> tuple[Reflection, list[Event]]:
        """Hide (moderate) or restore a reflection; hidden ones leave every screen."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.HIDE, workshop.current_kind())
        hidden = clean_bool(hidden, field="hidden")
        reflection = self._reflection(workshop.code, reflection_id)

        def change(r: Reflection) -> bool:
            if r.hidden == hidden:
                return False
            r.hidden = hidden
            return True

        result = self._update_reflection(workshop.code, reflection.id, change)
        if hidden:  # whatever of it the projector still points at goes (rare: moderation)
            result = (result[0], result[1] + self._off_screen(workshop.code, reflection.id))
        return result

    def _off_screen(self, code: str, reflection_id: str) -> list[Event]:
        """Take a reflection that left the dialogue off the projector: out of the
        spotlight, a spotlit reason to it off too (the projector quotes the reflection
        with it), and unpin a pattern that rests on it (the facilitator can pin the
        pattern again, computed without it)."""
        # the reasons to this reflection, read before the atomic change (a reason
        # spotlit meanwhile was checked against the reflection as it is now)
        reasons = {d["id"] for d in self.store.records(code, "reaction")
                   if d.get("reflection") == reflection_id}

        def change(workshop: Workshop) -> list[Event] | None:
            state = workshop.state
            spotlit = state.spotlight == reflection_id
            reason = state.spotlight_reason in reasons
            pinned = state.pinned_pattern is not None and rests_on(state.pinned_pattern,
                                                                   reflection_id)
            if not spotlit and not reason and not pinned:
                return None
            state.spotlight = None if spotlit else state.spotlight
            state.spotlight_reason = None if reason else state.spotlight_reason
            state.pinned_pattern = None if pinned else state.pinned_pattern
            return [{"type": "state", "state": state.to_dict()}]

        return self._update(code, change)[1]

    def react(self, actor: Actor, reflection_id: Any, kind: Any, text: Any = None,
              client_id: Any = None, workshop: Workshop | None = None
              ) -> tuple[Reaction, list[Event]]:
        """React to a shared reflection of another circle; reacting again replaces it."""
        workshop, participant, choice, body, client = self._opinion(
            actor, Action.REACT, ReactionKind, kind, text, client_id, workshop)
        reflection = self._reflection(workshop.code, reflection_id)
        if reflection.hidden or not reflection.shared:
            raise NotFound(N_("This reflection does not exist."))
        if reflection.circle == participant.circle:
            raise Forbidden(N_("You react to the reflections of other circles."))
        reaction = Reaction(
            id=f"{reflection.id}:{participant.id}", reflection=reflection.id,
            participant=participant.id, perspective=participant.perspective,
            circle=participant.circle, kind=choice, created_at=self.clock(), text=body,
            client_id=client)
        # the event names the reflection's circle, which sees the reasons it got
        doc, events = self.store.put(workshop.code, "reaction", reaction.to_dict(), events=[{
            "type": "reaction", "reaction": reaction.to_dict(), "to_circle": reflection.circle}])
        return Reaction.from_dict(doc), events

    # -- questions to another perspective (issue 17) --------------------------------
    def _addressed(self, code: str, to: str) -> list[str]:
        """The participants a question to ``to`` reaches (ids), at the time of the event."""
        return [d["id"] for d in self.store.records(code, "participant")
                if to == ALL or d["perspective"] == to]

    def _question(self, code: str, question_id: Any) -> Question:
        qid = clean_id(question_id, field="question")
        doc = self.store.get(code, "question", qid)
        if doc is None:
            raise NotFound(N_("This question does not exist."))
        return Question.from_dict(doc)

    def ask_question(self, actor: Actor, to: Any, text: Any, client_id: Any = None,
                     workshop: Workshop | None = None) -> tuple[Question, bool, list[Event]]:
        """Put a question from one's circle to a perspective (or to all); a perspective that
        is not present may be asked (it is a finding in itself) and stays unanswered."""
        workshop = self._participant_action(actor, Action.ASK_QUESTION, workshop)
        participant = actor.participant
        assert participant is not None
        target = clean_id(to, field="to")
        if target != ALL and workshop.perspective(target) is None:
            raise Invalid(N_("Unknown perspective: %(perspective)s."), field="to",
                          perspective=target)
        body = clean_text(text, field="text", max_length=280)
        client = clean_id(client_id, field="client_id", required=False)
        question = Question(
            id=new_id(), participant=participant.id, perspective=participant.perspective,
            circle=participant.circle, to=target, text=body, created_at=self.clock(),
            client_id=client)
        doc, created, events = self._insert_once(
            workshop.code, "question", question, client,
            {"type": "question", "question": question.to_dict(),
             "to_participants": self._addressed(workshop.code, target)})
        return Question.from_dict(doc), created, events

    def support_question(self, actor: Actor, question_id: Any, supported: Any = True,
                         workshop: Workshop | None = None) -> tuple[Question, list[Event]]:
        """Support (+1) a question of one's own circle, or take the support back."""
        workshop = self._participant_action(actor, Action.SUPPORT_QUESTION, workshop)
        participant = actor.participant
        assert participant is not None
        question = self._question(workshop.code, question_id)
        if question.circle != participant.circle:
            raise Forbidden(N_("Only members of the asking circle support a question."))
        addressed = self._addressed(workshop.code, question.to)
        doc, events = self._support(
            workshop.code, "question", question.id, participant.id, supported,
            lambda doc: {"type": "question", "question": doc, "to_participants": addressed})
        return Question.from_dict(doc or question.to_dict()), events

    def _support(self, code: str, kind: str, record_id: str, supporter: str, supported: Any,
                 event: Callable[[dict[str, Any]], Event]) -> tuple[Any, list[Event]]:
        """Add (or take back) ``supporter``'s +1 on a question or answer; no event when
        nothing changes (a second tap, or taking back what was not given)."""
        on = clean_bool(supported, field="supported")

        def mutate(doc: dict[str, Any]):
            who = [p for p in doc.get("supporters", []) if p != supporter]
            if on:
                who.append(supporter)
            if who == doc.get("supporters", []):
                return None
            doc["supporters"] = who
            return doc, [event(dict(doc))]

        return self.store.update(code, kind, record_id, mutate)

    def answer_question(self, actor: Actor, question_id: Any, text: Any,
                        client_id: Any = None, workshop: Workshop | None = None
                        ) -> tuple[Answer, bool, list[Event]]:
        """Answer a question put to one's perspective (or to all, from another circle)."""
        workshop = self._participant_action(actor, Action.ANSWER_QUESTION, workshop)
        participant = actor.participant
        assert participant is not None
        question = self._question(workshop.code, question_id)
        if question.to == ALL:
            if question.circle == participant.circle:
                raise Forbidden(N_("Your circle asked this question; others answer it."))
        elif question.to != participant.perspective:
            raise Forbidden(N_("Only the perspective a question is put to answers it."))
        body = clean_text(text, field="text", max_length=280)
        client = clean_id(client_id, field="client_id", required=False)
        answer = Answer(
            id=new_id(), question=question.id, participant=participant.id,
            perspective=participant.perspective, circle=participant.circle, text=body,
            created_at=self.clock(), client_id=client)
        doc, created, events = self._insert_once(
            workshop.code, "answer", answer, client,
            {"type": "answer", "answer": answer.to_dict(), "to_circle": question.circle,
             "to": question.to, "to_participants": self._addressed(workshop.code, question.to)})
        return Answer.from_dict(doc), created, events

    def support_answer(self, actor: Actor, answer_id: Any, supported: Any = True,
                       workshop: Workshop | None = None) -> tuple[Answer, list[Event]]:
        """Support (+1) an answer to one's own circle's question, or take the support back."""
        workshop = self._participant_action(actor, Action.SUPPORT_ANSWER, workshop)
        participant = actor.participant
        assert participant is not None
        aid = clean_id(answer_id, field="answer")
        found = self.store.get(workshop.code, "answer", aid)
        if found is None:
            raise NotFound(N_("This answer does not exist."))
        question = self._question(workshop.code, found["question"])
        if question.circle != participant.circle:
            raise Forbidden(N_("Only members of the asking circle support an answer."))
        addressed = self._addressed(workshop.code, question.to)
        doc, events = self._support(
            workshop.code, "answer", aid, participant.id, supported,
            lambda doc: {"type": "answer", "answer": doc, "to_circle": question.circle,
                         "to": question.to, "to_participants": addressed})
        return Answer.from_dict(doc or found), events

    def compose_tables(self, actor: Actor, size: Any,
                       seed: Any = None) -> tuple[Workshop, list[Event]]:
        """Seat everyone at mixed tables of about ``size`` (see ``tables``); again with
        another seed recomposes."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.COMPOSE_TABLES, workshop.current_kind())
        if isinstance(size, bool) or not isinstance(size, int) or not 2 <= size <= 20:
            raise Invalid(N_("Use a whole number from %(min)s to %(max)s."), field="size",
                          min=2, max=20)
        if seed is None:
            seed = secrets.randbelow(10**6)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 10**9:
            raise Invalid(N_("Use a whole number from %(min)s to %(max)s."), field="seed",
                          min=0, max=10**9 - 1)
        people = [(d["id"], d["perspective"])
                  for d in self.store.records(workshop.code, "participant")]
        seats = tables.compose(people, size, seed)
        moved = False
        for pid, number in seats.items():
            def seat(doc: dict[str, Any], n: int = number):
                nonlocal moved
                if doc.get("table") == n:
                    return None
                doc["table"], moved = n, True
                return doc, []
            self.store.update(workshop.code, "participant", pid, seat)

        def change(w: Workshop) -> list[Event]:
            # a new composition when anyone sits elsewhere: table N's harvests so far
            # were written for the people who sat there (see ``post_harvest``)
            number = tables.composition(w.state.tables)
            if moved or not w.state.tables:
                number += 1
            w.state.tables = {"size": size, "seed": seed, "composition": number}
            return [{"type": "tables", "tables": w.state.tables}]

        return self._update(workshop.code, change)

    def _table_members(self, code: str, table: int) -> list[str]:
        return [d["id"] for d in self.store.records(code, "participant")
                if d.get("table") == table]

    def _harvest_readers(self, code: str, harvest: dict[str, Any]) -> list[str]:
        """Who reads a harvest on their phone: its table's members, while the tables are
        still composed as when it was written (afterwards the facilitator only)."""
        composed = tables.composition(self.workshop(code).state.tables)
        if harvest.get("composition", 0) != composed:
            return []
        return self._table_members(code, harvest["table"])

    def post_harvest(self, actor: Actor, table: Any, text: Any, client_id: Any = None,
                     workshop: Workshop | None = None) -> tuple[Harvest, bool, list[Event]]:
        """Post what struck one's own table (*Wat ons opviel*)."""
        workshop = self._participant_action(actor, Action.POST_HARVEST, workshop)
        participant = actor.participant
        assert participant is not None
        number = table
        if isinstance(number, str) and digits(number):
            number = int(number)
        if isinstance(number, bool) or not isinstance(number, int):
            raise Invalid(N_("Unknown table."), field="table")
        # The composition is read before the table: recomposing seats people first and
        # numbers the composition after, so a harvest racing it is stamped with the
        # composition before the seat, never with a newer one (it then reaches nobody's
        # phone instead of a table it was not written for).
        composed = tables.composition(workshop.state.tables)
        # the table as stored now (a live connection keeps the participant it came in with)
        stored = self.store.get(workshop.code, "participant", participant.id) or {}
        if stored.get("table") != number:
            raise Forbidden(N_("You post the harvest of your own table."))
        body = clean_text(text, field="text", max_length=600)
        client = clean_id(client_id, field="client_id", required=False)
        harvest = Harvest(id=new_id(), table=number, participant=participant.id,
                          perspective=participant.perspective, text=body,
                          created_at=self.clock(), client_id=client, composition=composed)
        doc, created, events = self._insert_once(
            workshop.code, "harvest", harvest, client,
            {"type": "harvest", "harvest": harvest.to_dict(),
             "to_participants": self._harvest_readers(workshop.code, harvest.to_dict())})
        return Harvest.from_dict(doc), created, events

    def share_harvest(self, actor: Actor, harvest_id: Any,
                      shared: Any = True) -> tuple[Harvest, list[Event]]:
        """Put a table's harvest on the screen (or take it off)."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.SHARE_HARVEST, workshop.current_kind())
        hid = clean_id(harvest_id, field="harvest")
        on = clean_bool(shared, field="shared")
        doc = self.store.get(workshop.code, "harvest", hid)
        if doc is None:
            raise NotFound(N_("This harvest does not exist."))
        members = self._harvest_readers(workshop.code, doc)

        def mutate(d: dict[str, Any]):
            if d.get("shared") == on:
                return None
            d["shared"] = on
            return d, [{"type": "harvest", "harvest": dict(d), "to_participants": members}]

        new, events = self.store.update(workshop.code, "harvest", hid, mutate)
        return Harvest.from_dict(new or doc), events

    def spotlight_reason(self, actor: Actor, reaction_id: Any) -> tuple[Workshop, list[Event]]:
        """Put one reason (the text of a reaction) on the projector; None clears it."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.SPOTLIGHT_REASON, workshop.current_kind())
        if reaction_id is None:
            return self._update(workshop.code, _set_state(spotlight_reason=None))
        rid = clean_text(reaction_id, field="reaction", max_length=200)
        doc = self.store.get(workshop.code, "reaction", rid)
        if doc is None or not doc.get("text"):
            raise NotFound(N_("This reason does not exist."))
        reflection = self._reflection(workshop.code, doc["reflection"])
        if reflection.hidden:
            raise NotFound(N_("This reason does not exist."))
        if not reflection.shared:
            # the projector shows the reflection a reason answers: only one in the dialogue
            raise NotNow(N_("Only reasons to reflections taken into the dialogue can be "
                            "shown."))
        return self._update(workshop.code, _set_state(spotlight_reason=rid))

    def spotlight_question(self, actor: Actor, question_id: Any) -> tuple[Workshop, list[Event]]:
        """Put one question with its answers on the projector; None clears it."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.SPOTLIGHT_QUESTION, workshop.current_kind())
        if question_id is None:
            return self._update(workshop.code, _set_state(spotlight_question=None))
        question = self._question(workshop.code, question_id)
        return self._update(workshop.code, _set_state(spotlight_question=question.id))

    def endorse(self, actor: Actor, conclusion_id: Any, kind: Any, text: Any = None,
                client_id: Any = None, workshop: Workshop | None = None
                ) -> tuple[Endorsement, list[Event]]:
        """Support a conclusion or voice a concern; endorsing again replaces it."""
        workshop, participant, choice, body, client = self._opinion(
            actor, Action.ENDORSE, EndorsementKind, kind, text, client_id, workshop)
        cid = clean_id(conclusion_id, field="conclusion")
        doc = self.store.get(workshop.code, "conclusion", cid)
        if doc is None or doc.get("hidden") or doc.get("draft"):
            raise NotFound(N_("This conclusion does not exist."))
        return self._put_opinion(workshop.code, "endorsement", Endorsement(
            id=f"{cid}:{participant.id}", conclusion=cid, participant=participant.id,
            perspective=participant.perspective, kind=choice, created_at=self.clock(),
            text=body, client_id=client))

    def _opinion(self, actor: Actor, action: Action, kinds: type[StrEnum], kind: Any,
                 text: Any, client_id: Any, workshop: Workshop | None = None
                 ) -> tuple[Workshop, Participant, str, str, str]:
        """The checked input of a reaction or an endorsement (same shape, same limits)."""
        workshop = self._participant_action(actor, action, workshop)
        assert actor.participant is not None
        return (workshop, actor.participant,
                clean_choice(kind, {k.value for k in kinds}, field="kind"),
                clean_text(text, field="text", max_length=280, required=False),
                clean_id(client_id, field="client_id", required=False))

    def _put_opinion(self, code: str, record_type: str, record: OpinionT
                     ) -> tuple[OpinionT, list[Event]]:
        """Store one opinion per participant and target: its id is both, so a second
        one replaces the first instead of counting twice."""
        doc, events = self.store.put(code, record_type, record.to_dict(),
                                     events=[{"type": record_type, record_type: record.to_dict()}])
        return type(record).from_dict(doc), events

    def rate_finding(self, actor: Actor, finding_id: Any, round_: Any, score: Any,
                     text: Any = None, client_id: Any = None
                     ) -> tuple[Rating, bool, bool]:
        """Rate how recognisable a finding is (1-5, or None for *geen mening*) in an open
        round; rating again in the round replaces the rating, the same client id twice
        changes nothing. Returns (rating, created?, changed?).

        A rating numbers no event: nobody but the rater and the console may see it, and
        a whole room rates within a minute, so a numbered event (a content-free tick to
        every phone) per rating would cost phones x ratings messages. Adapters send
        ``views.rating_notices`` instead, which number nothing."""
        workshop = self.workshop(actor.code)
        round_ = clean_choice(round_, set(findings.ROUNDS), field="round")
        action = findings.ROUND_ACTION[round_]
        if workshop.state.rating_rounds.get(round_) is True:
            # opened by hand, in any step (RELATIONAL_RULES["rating_rounds"])
            require_role(actor.role, action)
        else:
            require(actor.role, action, workshop.current_kind())
            if workshop.state.rating_rounds.get(round_) is False:
                raise NotNow(N_("This round of rating is closed."))
        if workshop.state.posting_locked:
            raise NotNow(N_("The facilitator has paused posting for a moment."))
        participant = actor.participant
        assert participant is not None  # the rules table admits participants only
        fid = clean_id(finding_id, field="finding")
        if workshop.finding(fid) is None:
            raise NotFound(N_("Unknown finding."))
        if score is not None and (isinstance(score, bool) or not isinstance(score, int)
                                  or score not in findings.SCORES):
            raise Invalid(N_("Choose a score from 1 to 5, or no opinion."), field="score")
        body = clean_text(text, field="text", max_length=280, required=False)
        client = clean_id(client_id, field="client_id", required=False)
        now = self.clock()
        rating = Rating(id=findings.rating_id(fid, round_, participant.id), finding=fid,
                        round=round_, participant=participant.id,
                        perspective=participant.perspective, circle=participant.circle,
                        score=score, created_at=now, updated_at=now, text=body,
                        client_id=client)
        doc, created, _ = self.store.insert(workshop.code, "rating", rating.to_dict(),
                                            unique=f"rating:{rating.id}")
        if created:
            self.store.next_number(workshop.code, RATINGS_VERSION)  # after the write: see load
            return Rating.from_dict(doc), True, True
        changed = False

        def change(current: dict[str, Any]):
            nonlocal changed
            old = Rating.from_dict(current)
            if client and old.client_id == client:
                return None  # the same submission again (a resend): nothing changes
            if (old.score, old.text) == (score, body):
                return None
            old.score, old.text, old.updated_at, old.client_id = score, body, now, client
            changed = True
            return old.to_dict(), []

        doc, _ = self.store.update(workshop.code, "rating", rating.id, change)
        if changed:
            self.store.next_number(workshop.code, RATINGS_VERSION)
        return Rating.from_dict(doc), False, changed

    def set_rating_round(self, actor: Actor, round_: Any,
                         is_open: Any) -> tuple[Workshop, list[Event]]:
        """Open or close a rating round by hand (facilitator); None returns it to the steps."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.OPEN_RATING_ROUND, workshop.current_kind())
        round_ = clean_choice(round_, set(findings.ROUNDS), field="round")
        wanted = None if is_open is None else clean_bool(is_open, field="open")

        def change(w: Workshop) -> list[Event] | None:
            rounds = dict(w.state.rating_rounds)
            if wanted is None:
                rounds.pop(round_, None)
            else:
                rounds[round_] = wanted
            if rounds == w.state.rating_rounds:
                return None
            w.state.rating_rounds = rounds
            return [{"type": "state", "state": w.state.to_dict()}]

        return self._update(workshop.code, change)

    def pin_finding(self, actor: Actor, finding_id: Any) -> tuple[Workshop, list[Event]]:
        """Show the rating results of one finding, or of "all", on the projector (None clears)."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.PIN_FINDING, workshop.current_kind())
        fid = clean_id(finding_id, field="finding", required=False)
        if fid not in (None, "all") and workshop.finding(fid) is None:
            raise NotFound(N_("Unknown finding."))
        return self._update(workshop.code, _set_state(pinned_finding=fid))

    # -- facilitator --------------------------------------------------------
    def _update(self, code: str,
                change: Callable[[Workshop], list[Event] | None]) -> tuple[Workshop, list[Event]]:
        def mutate(doc: dict[str, Any]):
            workshop = Workshop.from_dict(doc)
            events = change(workshop)
            if events is None:
                return None
            workshop.version += 1
            return workshop.to_dict(), events

        try:
            doc, events = self.store.update_workshop(code, mutate)
        except KeyError:
            raise NotFound(N_("There is no session with this code.")) from None
        return Workshop.from_dict(doc), events

    def change_step(self, actor: Actor, target: Any) -> tuple[Workshop, list[Event]]:
        """Open a step: its id, 'next' or 'previous'; the times of both steps are kept."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.CHANGE_STEP, workshop.current_kind())
        if not isinstance(target, str):
            raise Invalid(N_("Choose a step, 'next' or 'previous'."), field="step")
        now = self.clock()

        def change(w: Workshop) -> list[Event] | None:
            index = w.step_index(w.state.current_step)
            if target == "next":
                new_index = index + 1
            elif target == "previous":
                new_index = index - 1
            else:
                new_index = w.step_index(target)
                if new_index < 0:
                    raise Invalid(N_("Unknown step."), field="step")
            if not 0 <= new_index < len(w.steps):
                raise NotNow(N_("There is no step in that direction."))
            if new_index == index:
                return None
            old = w.current_step()
            if old is not None:
                old.actual_end = now
            new = w.steps[new_index]
            new.actual_start = new.actual_start or now
            new.actual_end = None
            w.state.current_step = new.id
            w.state.step_started_at = now
            w.started_at = w.started_at or now
            if new.kind == StepKind.CLOSING:
                w.ended_at = w.ended_at or now
            if w.state.spotlight and not allowed(Role.FACILITATOR, Action.SPOTLIGHT, new.kind):
                w.state.spotlight = None
            if not allowed(Role.FACILITATOR, Action.SPOTLIGHT_REASON, new.kind):
                w.state.spotlight_reason = None
            if not allowed(Role.FACILITATOR, Action.SPOTLIGHT_QUESTION, new.kind):
                w.state.spotlight_question = None
            if not allowed(Role.FACILITATOR, Action.PIN_PATTERN, new.kind):
                w.state.pinned_pattern = None
            return [{"type": "step", "step": new.id, "kind": new.kind,
                     "state": w.state.to_dict()}]

        first_circles = not circles_opened(workshop)
        # Split the circles before the step event is published, so that every page's
        # resync already shows the new circles.
        result = self._update(workshop.code, change)
        if first_circles and circles_opened(result[0]):
            self.rebalance_circles(workshop.code)
        return result

    def set_posting_locked(self, actor: Actor, locked: Any) -> tuple[Workshop, list[Event]]:
        """Lock or unlock posting, reacting and endorsing for everyone."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.LOCK_POSTING, workshop.current_kind())
        return self._update(workshop.code, _set_state(
            posting_locked=clean_bool(locked, field="locked")))

    def spotlight(self, actor: Actor, reflection_id: Any) -> tuple[Workshop, list[Event]]:
        """Put a shared reflection on the projector (None clears the spotlight)."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.SPOTLIGHT, workshop.current_kind())
        if reflection_id is None:
            return self._update(workshop.code, _set_state(spotlight=None))
        reflection = self._reflection(workshop.code, reflection_id)
        if reflection.hidden or not reflection.shared:
            raise NotNow(N_("Only reflections taken into the dialogue can be shown."))
        return self._update(workshop.code, _set_state(spotlight=reflection.id))

    def control_screen(self, actor: Actor, blank: Any = None,
                       finding_index: Any = None) -> tuple[Workshop, list[Event]]:
        """Blank the projector or page through the findings."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.CONTROL_SCREEN, workshop.current_kind())
        changes: dict[str, Any] = {}
        if blank is not None:
            changes["screen_blank"] = clean_bool(blank, field="blank")
        if finding_index is not None:
            if isinstance(finding_index, bool) or not isinstance(finding_index, int) \
                    or not 0 <= finding_index < max(len(workshop.findings), 1):
                raise Invalid(N_("Unknown finding."), field="finding_index")
            changes["finding_index"] = finding_index
        if not changes:
            raise Invalid(N_("Nothing to change."))
        return self._update(workshop.code, _set_state(**changes))

    def pin_pattern(self, actor: Actor, pattern: Any) -> tuple[Workshop, list[Event]]:
        """Show a pattern (as computed for the screen) on the projector, or None to clear."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.PIN_PATTERN, workshop.current_kind())
        if pattern is not None and not isinstance(pattern, dict):
            raise Invalid(N_("Unknown pattern."), field="pattern")
        return self._update(workshop.code, _set_state(pinned_pattern=pattern))

    def refresh_pinned_pattern(self, code: str,
                               pattern: dict[str, Any] | None) -> tuple[Workshop, list[Event]]:
        """Rewrite the pinned pattern with its figures recomputed for the screen, or clear
        it when it no longer holds for the screen (None).

        No actor: this is a consequence of an allowed action (a join, a share, a
        reaction, a step change ...) that changed the data under a pattern the
        facilitator pinned; the pin shows the pattern live, not a snapshot. A pin
        cleared or replaced meanwhile is left as it is.
        """
        if pattern is not None and not isinstance(pattern, dict):
            raise Invalid(N_("Unknown pattern."), field="pattern")

        def change(workshop: Workshop) -> list[Event] | None:
            pinned = workshop.state.pinned_pattern
            if pinned is None or (pattern is not None and pinned.get("id") != pattern.get("id")):
                return None
            return _set_state(pinned_pattern=pattern)(workshop)

        return self._update(code, change)

    def write_conclusion(self, actor: Actor, text: Any, reflections: Any = None,
                         perspectives: Any = None,
                         draft: Any = False) -> tuple[Conclusion, list[Event]]:
        """Write a general conclusion, optionally resting on reflections."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.WRITE_CONCLUSION, workshop.current_kind())
        body = clean_text(text, field="text", max_length=2000)
        linked = self._linked_reflections(workshop.code, reflections)
        linked_perspectives = [p for p in (perspectives or []) if isinstance(p, str)
                               and workshop.perspective(p)] if isinstance(perspectives, list) \
            else []
        conclusion = Conclusion(id=new_id(), text=body, created_at=self.clock(),
                                reflections=linked, perspectives=linked_perspectives,
                                draft=clean_bool(draft, field="draft"))
        _, _, events = self.store.insert(workshop.code, "conclusion", conclusion.to_dict(),
                                         events=[{"type": "conclusion",
                                                  "conclusion": conclusion.to_dict()}])
        return conclusion, events

    def edit_conclusion(self, actor: Actor, conclusion_id: Any, text: Any = None,
                        hidden: Any = None, draft: Any = None,
                        reflections: Any = None) -> tuple[Conclusion, list[Event]]:
        """Reword, publish (draft=False), hide or relink a conclusion."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.WRITE_CONCLUSION, workshop.current_kind())
        cid = clean_id(conclusion_id, field="conclusion")
        body = clean_text(text, field="text", max_length=2000) if text is not None else None
        hide = clean_bool(hidden, field="hidden") if hidden is not None else None
        is_draft = clean_bool(draft, field="draft") if draft is not None else None
        linked = self._linked_reflections(workshop.code, reflections) \
            if reflections is not None else None

        def mutate(doc: dict[str, Any]):
            conclusion = Conclusion.from_dict(doc)
            if body is not None:
                conclusion.text = body
            if hide is not None:
                conclusion.hidden = hide
            if is_draft is not None:
                conclusion.draft = is_draft
            if linked is not None:
                conclusion.reflections = linked
            return conclusion.to_dict(), [{"type": "conclusion",
                                           "conclusion": conclusion.to_dict()}]

        doc, events = self.store.update(workshop.code, "conclusion", cid, mutate)
        if doc is None:
            raise NotFound(N_("This conclusion does not exist."))
        return Conclusion.from_dict(doc), events

    def save_pattern(self, actor: Actor, name: Any, reflections: Any,
                     pattern_id: Any = None) -> tuple[dict[str, Any], list[Event]]:
        """Group reflections by hand into a named pattern (facilitator), or rename/regroup one."""
        workshop = self.workshop(actor.code)
        require(actor.role, Action.GROUP_REFLECTIONS, workshop.current_kind())
        title = clean_text(name, field="name", max_length=120)
        linked = self._linked_reflections(workshop.code, reflections)
        if not linked:
            raise Invalid(N_("Choose at least one reflection."), field="reflections")
        pid = clean_id(pattern_id, field="pattern", required=False) or f"manual:{new_id()}"
        record = {"id": pid, "name": title, "reflections": linked, "created_at": self.clock()}
        doc, events = self.store.put(workshop.code, "pattern", record,
                                     events=[{"type": "pattern", "pattern": record}])
        return doc, events

    def _linked_reflections(self, code: str, reflections: Any) -> list[str]:
        if reflections is None:
            return []
        if not isinstance(reflections, list) or len(reflections) > 200:
            raise Invalid(N_("This field must be a list."), field="reflections")
        linked = []
        for rid in reflections:
            reflection = self._reflection(code, rid)
            if reflection.id not in linked:
                linked.append(reflection.id)
        return linked


def rests_on(pattern: dict[str, Any], reflection_id: str) -> bool:
    """Whether a pinned pattern rests on a reflection: a perspective map is drawn
    from every shared reflection, any other pattern names its reflections by id."""
    return pattern.get("kind") == "map" or _contains(pattern, reflection_id)


def _contains(value: Any, record_id: str) -> bool:
    if isinstance(value, dict):
        return any(_contains(v, record_id) for v in value.values())
    if isinstance(value, list):
        return any(_contains(v, record_id) for v in value)
    return value == record_id


#: a question to every perspective
ALL = "all"


def circles_opened(workshop: Workshop) -> bool:
    """Whether a circle step has been opened (after which circles are split evenly)."""
    return any(s.kind == StepKind.CIRCLE and s.actual_start for s in workshop.steps)


def _set_state(**changes: Any) -> Callable[[Workshop], list[Event] | None]:
    """A workshop change that sets live-state fields and reports the new state."""

    def change(workshop: Workshop) -> list[Event] | None:
        if all(getattr(workshop.state, k) == v for k, v in changes.items()):
            return None
        for key, value in changes.items():
            setattr(workshop.state, key, value)
        return [{"type": "state", "state": workshop.state.to_dict()}]

    return change
