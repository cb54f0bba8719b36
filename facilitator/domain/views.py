"""What each role may see: snapshots on (re)connect and the fan-out of live events.

Both are derived from the rules table, so circle privacy holds the same way
for a snapshot, an event, an API answer and an export.  Every audience gets
every event number, either the event itself or a content-free ``tick``, so a
client can tell a gap (missed events) from events it was not meant to see.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from . import findings, privacy, tables
from .model import Conclusion, Reflection, StepKind, Workshop, WorkshopData
from .operations import Actor
from .rules import Action, Role, allowed

OTHER = privacy.OTHER
MIN_GROUP = privacy.MIN_GROUP


# -- visibility -------------------------------------------------------------
def can_see_reflection(role: Role, participant_circle: str | None, reflection: Reflection,
                       workshop: Workshop) -> bool:
    """Whether a viewer sees a reflection now (the one place circle privacy is decided)."""
    kind = workshop.current_kind()
    if allowed(role, Action.VIEW_ALL_REFLECTIONS, kind):
        return True
    if reflection.hidden:
        return False
    if role == Role.PARTICIPANT and participant_circle == reflection.circle:
        return allowed(role, Action.VIEW_OWN_CIRCLE, kind)
    return reflection.shared and allowed(role, Action.VIEW_SHARED, kind)


def can_see_conclusion(role: Role, conclusion: Conclusion, workshop: Workshop) -> bool:
    """Whether a viewer sees a conclusion now (drafts and hidden ones: facilitator only)."""
    kind = workshop.current_kind()
    if allowed(role, Action.VIEW_DRAFTS, kind):
        return True
    return (not conclusion.hidden and not conclusion.draft
            and allowed(role, Action.VIEW_CONCLUSIONS, kind))


def reflection_view(reflection: Reflection, role: Role, own_circle: bool,
                    kind: StepKind) -> dict[str, Any]:
    """A reflection as a role may receive it: authors stay pseudonymous outside the circle."""
    data = {"id": reflection.id, "text": reflection.text, "perspective": reflection.perspective,
            "circle": reflection.circle, "finding": reflection.finding,
            "shared": reflection.shared, "created_at": reflection.created_at}
    if allowed(role, Action.VIEW_IDENTITIES, kind):
        data.update(participant=reflection.participant, pseudonym=reflection.pseudonym,
                    hidden=reflection.hidden)
    elif own_circle:
        data.update(participant=reflection.participant, pseudonym=reflection.pseudonym)
    return data


# -- small-group rule (owned by ``privacy``) -------------------------------------
def reaction_summary(data: WorkshopData, reflection_id: str, merge: bool,
                     min_group: int = MIN_GROUP) -> dict[str, Any]:
    """Counts of agree/disagree/pass for one reflection, in total and per perspective."""
    return privacy.pooled_counts([r for r in data.reactions if r.reflection == reflection_id],
                                 min_group, pool=merge)


def endorsement_summary(data: WorkshopData, conclusion_id: str, merge: bool,
                        min_group: int = MIN_GROUP) -> dict[str, Any]:
    """Support and concerns for one conclusion, in total and per perspective."""
    return privacy.pooled_counts([e for e in data.endorsements if e.conclusion == conclusion_id],
                                 min_group, pool=merge)


# -- snapshots --------------------------------------------------------------
def workshop_view(workshop: Workshop, role: Role) -> dict[str, Any]:
    """The programme and live state every role may see (no secrets)."""
    data = workshop.public_dict()
    if not allowed(role, Action.VIEW_FINDINGS, workshop.current_kind()):
        data["findings"] = []
    if role == Role.PARTICIPANT:
        data["state"].pop("pinned_pattern", None)
    return data


def screen_state(data: WorkshopData) -> dict[str, Any]:
    """The live state as the projector gets it: no spotlight, spotlit reason or pinned
    pattern that points at a reflection outside the dialogue (un-shared or hidden). The
    operations take those off when the reflection leaves; this holds even if the stored
    state still points at one (an old archive, a write that went round them)."""
    state = data.workshop.state.to_dict()
    outside = {r.id for r in data.reflections if r.hidden or not r.shared}
    if not outside:
        return state
    if state.get("spotlight") in outside:
        state["spotlight"] = None
    reason = state.get("spotlight_reason")
    if reason and any(x.id == reason and x.reflection in outside for x in data.reactions):
        state["spotlight_reason"] = None
    pinned = state.get("pinned_pattern")
    if pinned and not outside.isdisjoint(_strings_in(pinned)):
        state["pinned_pattern"] = None
    return state


def _strings_in(value: Any) -> set[str]:
    """Every string anywhere in a JSON value (a pattern names its reflections by id)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            found.add(item)
    return found


def activity(data: WorkshopData) -> dict[str, Any]:
    """Content-free counts: participants per perspective and circle, reflections per circle."""
    by_perspective = Counter(p.perspective for p in data.participants)
    circles = {c["id"]: {"name": c["name"], "members": c["members"], "reflections": 0,
                         "shared": 0} for c in data.circles()}
    for r in data.reflections:
        if r.hidden:
            continue
        entry = circles.setdefault(r.circle, {"name": r.circle, "members": 0, "reflections": 0,
                                              "shared": 0})
        entry["reflections"] += 1
        entry["shared"] += int(r.shared)
    return {"participants": len(data.participants), "by_perspective": dict(by_perspective),
            "circles": circles, "reactions": len(data.reactions),
            "endorsements": len(data.endorsements)}


def shared_snapshot(data: WorkshopData, role: Role, circle: str | None,
                    min_group: int = MIN_GROUP) -> dict[str, Any]:
    """The part of a snapshot that is the same for every viewer of one role and circle.

    Adapters may cache it by (session, seq, role, circle): after a step change
    a whole room asks for a snapshot at once, and most phones share one.
    """
    workshop = data.workshop
    kind = workshop.current_kind()
    merge = not allowed(role, Action.VIEW_SMALL_GROUPS, kind)
    reflections = [
        reflection_view(r, role, circle == r.circle, kind)
        for r in data.reflections if can_see_reflection(role, circle, r, workshop)]
    if allowed(role, Action.VIEW_REACTIONS, kind):
        by_reflection: dict[str, list[Any]] = defaultdict(list)
        for reaction in data.reactions:
            by_reflection[reaction.reflection].append(reaction)
        for view in reflections:
            view["reactions"] = privacy.pooled_counts(by_reflection.get(view["id"], []),
                                                      min_group, pool=merge)
    by_conclusion: dict[str, list[Any]] = defaultdict(list)
    for endorsement in data.endorsements:
        by_conclusion[endorsement.conclusion].append(endorsement)
    view = workshop_view(workshop, role)
    if role == Role.SCREEN:
        view["state"] = screen_state(data)
    out: dict[str, Any] = {
        "seq": data.seq, "role": role.value, "workshop": view,
        "can": [a.value for a in Action if allowed(role, a, kind)],
        "activity": activity(data), "reflections": reflections,
        "conclusions": [
            {**c.to_dict(), "endorsements": privacy.pooled_counts(
                by_conclusion.get(c.id, []), min_group, pool=merge)}
            for c in data.conclusions if can_see_conclusion(role, c, workshop)],
    }
    out["rating"] = {"open_round": findings.open_round(workshop)}
    if allowed(role, Action.VIEW_RATING_RESULTS, kind):
        # pages label perspectives by id in their own language
        out["rating"]["results"] = findings.results(data, privacy.Viewer(role, kind), min_group)
    if allowed(role, Action.VIEW_IDENTITIES, kind):
        out["participants"] = [
            {"id": p.id, "pseudonym": p.pseudonym, "name": p.name, "perspective": p.perspective,
             "circle": p.circle, "circle_name": p.circle_name} for p in data.participants]
    if allowed(role, Action.VIEW_REASONS, kind):
        if role == Role.PARTICIPANT:
            out["reasons"] = circle_reasons(data, circle, min_group) if circle else []
        else:
            out["reasons"] = reasons_by_perspective(data)
    if allowed(role, Action.VIEW_QUESTIONS, kind):
        if role == Role.PARTICIPANT:
            out["questions"] = [question_view(q, data) for q in data.questions
                                if q.circle == circle]
        else:
            out["questions"] = [question_view(q, data, full=True) for q in data.questions]
    if workshop.state.tables and role in (Role.FACILITATOR, Role.ORGANISER, Role.SCREEN):
        out["tables"] = table_list(data)
    if role in (Role.FACILITATOR, Role.ORGANISER):
        out["harvests"] = [harvest_view(h) for h in data.harvests]
    elif role == Role.SCREEN:
        out["harvests"] = [harvest_view(h) for h in data.harvests if h.shared]
    if role == Role.SCREEN and workshop.state.spotlight_question:
        out["spotlight_question"] = screen_question(data, workshop.state.spotlight_question,
                                                    min_group)
    if role == Role.SCREEN and workshop.state.spotlight_reason:
        out["spotlight_reason"] = screen_reason(data, workshop.state.spotlight_reason,
                                                min_group)
    return out


# -- mixed dialogue tables (issue 17) -----------------------------------------------
def table_list(data: WorkshopData) -> list[dict[str, Any]]:
    """Tables by number with one perspective id per person seated (no names)."""
    seated: dict[int, list[str]] = defaultdict(list)
    for p in data.participants:
        if p.table:
            seated[p.table].append(p.perspective)
    return [{"number": n, "size": len(seated[n]), "perspectives": sorted(seated[n])}
            for n in sorted(seated)]


def harvest_view(harvest: Any) -> dict[str, Any]:
    """A table harvest without its author, with the tables' composition it was written in."""
    return {"id": harvest.id, "table": harvest.table, "text": harvest.text,
            "shared": harvest.shared, "created_at": harvest.created_at,
            "composition": getattr(harvest, "composition", 0)}


def table_reads(harvest: Any, table: int | None, workshop: Workshop) -> bool:
    """Whether the members of ``table`` read a harvest on their phones: one of that table
    in the tables as composed now (after recomposing, table N seats other people)."""
    return (table is not None and harvest.table == table
            and getattr(harvest, "composition", 0) == tables.composition(workshop.state.tables))


# -- questions to another perspective (issue 17) -----------------------------------
ALL_PERSPECTIVES = "all"


def answer_view(answer: Any) -> dict[str, Any]:
    """An answer without its author: the perspective it comes from, and its text."""
    return {"id": answer.id, "question": answer.question, "perspective": answer.perspective,
            "text": answer.text, "created_at": answer.created_at,
            "supports": len(getattr(answer, "supporters", None) or [])}


def question_view(question: Any, data: WorkshopData | None = None,
                  full: bool = False) -> dict[str, Any]:
    """A question as a phone (``full``: the facilitator) receives it: no author, the count of
    supports, its answers, and whether it is still unanswered."""
    answers = [answer_view(a) for a in (data.answers if data else [])
               if a.question == question.id]
    out = {"id": question.id, "to": question.to, "text": question.text,
           "circle": question.circle, "perspective": question.perspective,
           "supports": len(question.supporters), "created_at": question.created_at}
    if data is not None:
        out["answers"] = answers
        out["unanswered"] = not answers
    if full:
        out["participant"] = question.participant
    return out


def screen_question(data: WorkshopData, question_id: str,
                    min_group: int = MIN_GROUP) -> dict[str, Any] | None:
    """The question on the projector with its answers, no names. The asking and the addressed
    perspective are named (that is the question); for a question to all, each answer's
    perspective only under the small-group rule (``None`` when withheld)."""
    question = next((q for q in data.questions if q.id == question_id), None)
    if question is None:
        return None
    answers = [a for a in data.answers if a.question == question.id]
    if question.to == ALL_PERSPECTIVES:
        people: dict[str, set[str]] = defaultdict(set)
        for a in answers:
            people[a.perspective].add(a.participant)
        where = privacy.pool_assignment(people, min_group)
    else:
        where = {question.to: question.to}
    return {"id": question.id, "text": question.text, "perspective": question.perspective,
            "to": question.to, "supports": len(question.supporters),
            "answers": [{"id": a.id, "text": a.text, "perspective": where.get(a.perspective)}
                        for a in answers]}


def addressed_questions(data: WorkshopData, me: Any) -> list[dict[str, Any]]:
    """The questions put to this participant's perspective (or to all) by other circles,
    from the exchange on."""
    if data.workshop.current_kind() not in (StepKind.EXCHANGE, StepKind.CONCLUSIONS,
                                             StepKind.CLOSING):
        return []
    return [question_view(q, data) for q in data.questions
            if q.circle != me.circle and q.to in (ALL_PERSPECTIVES, me.perspective)]


# -- reasons ("Waarom?" after a reaction) ----------------------------------------
def _reasons(data: WorkshopData) -> list[tuple[Any, Reflection]]:
    """(reaction, reflection) of every reaction with a reason to a visible reflection."""
    by_id = {r.id: r for r in data.reflections}
    out = []
    for reaction in data.reactions:
        reflection = by_id.get(reaction.reflection)
        if reaction.text and reflection is not None and not reflection.hidden:
            out.append((reaction, reflection))
    return out


def _pooled_perspectives(pairs: list[tuple[Any, Reflection]],
                         min_group: int) -> dict[str, str | None]:
    people: dict[str, set[str]] = defaultdict(set)
    for reaction, _ in pairs:
        people[reaction.perspective].add(reaction.participant)
    return privacy.pool_assignment(people, min_group)


def circle_reasons(data: WorkshopData, circle: str,
                   min_group: int = MIN_GROUP) -> list[dict[str, Any]]:
    """The reasons one circle's reflections got: no names, and a perspective only under the
    small-group rule (counted over all reasons the circle got; ``None`` when withheld)."""
    pairs = [(r, f) for r, f in _reasons(data) if f.circle == circle]
    where = _pooled_perspectives(pairs, min_group)
    return [{"reflection": f.id, "kind": r.kind, "text": r.text,
             "perspective": where.get(r.perspective)} for r, f in pairs]


def reasons_by_perspective(data: WorkshopData) -> dict[str, list[dict[str, Any]]]:
    """Every reason grouped by the perspective that gave it (facilitator, organiser)."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for reaction, reflection in _reasons(data):
        out[reaction.perspective].append({
            "id": reaction.id, "reflection": reflection.id, "circle": reflection.circle,
            "kind": reaction.kind, "text": reaction.text})
    return dict(out)


def screen_reason(data: WorkshopData, reaction_id: str,
                  min_group: int = MIN_GROUP) -> dict[str, Any] | None:
    """The reason on the projector: its text, kind, the reflection it answers, and the
    perspective under the small-group rule (over all reasons to that circle)."""
    pairs = _reasons(data)
    found = next(((r, f) for r, f in pairs if r.id == reaction_id), None)
    if found is None or not found[1].shared:
        # the projector quotes the reflection: never one outside the dialogue, even if
        # the stored state still points at a reason to it
        return None
    reaction, reflection = found
    where = _pooled_perspectives([p for p in pairs if p[1].circle == reflection.circle],
                                 min_group)
    return {"text": reaction.text, "kind": reaction.kind, "reflection": reflection.text,
            "perspective": where.get(reaction.perspective)}


def personal_snapshot(data: WorkshopData, actor: Actor) -> dict[str, Any]:
    """What only this participant sees: themselves and their own choices."""
    if actor.participant is None:
        return {}
    me = actor.participant
    return {
        "me": me.public_dict(),
        "my_reactions": {r.reflection: {"kind": r.kind, "text": r.text}
                         for r in data.reactions if r.participant == me.id},
        "my_endorsements": {e.conclusion: {"kind": e.kind, "text": e.text}
                            for e in data.endorsements if e.participant == me.id},
        "my_ratings": _my_ratings(data, me.id),
        "questions_to_me": addressed_questions(data, me)
        if allowed(Role.PARTICIPANT, Action.VIEW_QUESTIONS, data.workshop.current_kind())
        else [],
        "my_supports": [q.id for q in data.questions if me.id in q.supporters],
        "my_answer_supports": [a.id for a in data.answers if me.id in a.supporters],
        "table": me.table,
        "harvests": [harvest_view(h) for h in data.harvests
                     if table_reads(h, me.table, data.workshop)],
    }


def _my_ratings(data: WorkshopData, participant_id: str) -> dict[str, dict[str, Any]]:
    """finding -> round -> {score, text} of one participant (the after round shows the before)."""
    mine: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in data.ratings:
        if r.participant == participant_id:
            mine[r.finding][r.round] = {"score": r.score, "text": r.text}
    return dict(mine)


def snapshot(data: WorkshopData, actor: Actor, min_group: int = MIN_GROUP,
             shared: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything ``actor`` may see now, with the event number it is current to."""
    circle = actor.participant.circle if actor.participant else None
    base = shared if shared is not None else shared_snapshot(data, actor.role, circle,
                                                             min_group)
    return {**base, **personal_snapshot(data, actor)}


# -- live fan-out -----------------------------------------------------------
FACILITATORS = "facilitator"
SCREEN = "screen"
PARTICIPANTS = "participants"


def circle_room(circle_id: str) -> str:
    """The audience of one circle's members."""
    return f"circle:{circle_id}"


def participant_room(participant_id: str) -> str:
    """The audience of one participant (all their devices)."""
    return f"participant:{participant_id}"


def _tick(event: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "tick", "seq": event["seq"], **extra}


def _dialogue_out(event: dict[str, Any], workshop: Workshop) -> list[tuple[str, dict[str, Any]]]:
    """A question or answer goes to the asking circle, and from the exchange on to the
    addressed perspective's members (everyone for a question to all); the rest, the
    screen included, get a content-free tick. When the question is on the projector, the
    screen re-reads it (its answers pooled) from a fresh snapshot instead."""
    kind = workshop.current_kind()
    etype, seq = event["type"], event["seq"]
    if etype == "question":
        q = event["question"]
        record = SimpleNamespace(**{**q, "supporters": q.get("supporters", [])})
        payload = {"type": "question", "seq": seq, "question": question_view(record)}
        asking, to, question_id = q["circle"], q["to"], q["id"]
    else:
        a = event["answer"]
        payload = {"type": "answer", "seq": seq,
                   "answer": answer_view(SimpleNamespace(**a))}
        asking, to, question_id = event.get("to_circle"), event.get("to"), a["question"]
    out = []
    if asking:
        out.append((circle_room(asking), payload))
    dialogue = kind in (StepKind.EXCHANGE, StepKind.CONCLUSIONS, StepKind.CLOSING)
    if dialogue and to != ALL_PERSPECTIVES:
        out.extend((participant_room(pid), payload) for pid in event.get("to_participants", []))
    on_screen = question_id == workshop.state.spotlight_question
    out.append((SCREEN, {"type": "resync", "seq": seq, "reason": "spotlight_question"}
                if on_screen else _tick(event)))
    out.append((PARTICIPANTS, payload if dialogue and to == ALL_PERSPECTIVES
                else _tick(event)))
    return out


def fan_out(event: dict[str, Any], workshop: Workshop) -> list[tuple[str, dict[str, Any]]]:
    """Who receives what for one numbered event: a list of (audience, payload).

    Specific audiences come before the broad ``participants`` audience, so a
    phone that gets both keeps the fuller one (same ``seq``) and drops the tick.
    Step and programme changes reach everyone, who then ask for a new snapshot.
    """
    kind = workshop.current_kind()
    etype, seq = event["type"], event["seq"]
    out: list[tuple[str, dict[str, Any]]] = [(FACILITATORS, event)]
    if etype in ("reflection", "reflection_updated"):
        r = Reflection.from_dict(event["reflection"])
        activity_tick = _tick(event, activity={"circle": r.circle, "kind": etype,
                                               "shared": r.shared, "hidden": r.hidden})
        full = {"type": etype, "seq": seq}
        for role, audience in ((Role.SCREEN, SCREEN), (Role.PARTICIPANT, PARTICIPANTS)):
            if can_see_reflection(role, None, r, workshop):
                view = {**full, "reflection": reflection_view(r, role, False, kind)}
                view["activity"] = activity_tick["activity"]
            elif r.hidden or not r.shared:
                view = {**activity_tick, "removed": r.id}
            else:
                view = activity_tick
            if audience == PARTICIPANTS:
                own = {**full, "reflection": reflection_view(r, Role.PARTICIPANT, True, kind),
                       "activity": activity_tick["activity"]}
                if not r.hidden:
                    out.append((circle_room(r.circle), own))
                else:
                    out.append((circle_room(r.circle), {**activity_tick, "removed": r.id}))
            out.append((audience, view))
    elif etype == "reaction":
        reaction = event["reaction"]
        out.append((participant_room(reaction["participant"]), event))
        if reaction.get("text") and event.get("to_circle"):
            # the reflection's circle reads its reasons (pooled) from a fresh snapshot;
            # sent before the plain tick, which it then drops as a number it has
            out.append((circle_room(event["to_circle"]), {"type": "resync", "seq": seq,
                                                          "reason": "reasons"}))
        # The screen learns only that the counts changed and re-reads its (pooled)
        # snapshot: one reaction with its perspective would name a small group's person.
        out.append((SCREEN, {"type": "reaction", "seq": seq}
                    if allowed(Role.SCREEN, Action.VIEW_REACTIONS, kind) else _tick(event)))
        out.append((PARTICIPANTS, _tick(event)))
    elif etype == "tables":
        # each phone's table is personal: every page reads a fresh snapshot
        resync = {"type": "resync", "seq": seq, "reason": "tables"}
        out.extend([(SCREEN, resync), (PARTICIPANTS, resync)])
    elif etype == "harvest":
        h = event["harvest"]
        record = SimpleNamespace(**{"composition": 0, **h})
        payload = {"type": "harvest", "seq": seq, "harvest": harvest_view(record)}
        # its table's phones, while the tables are as composed when it was written (a
        # replay after recomposing, or a share of an older one, gives them a tick)
        if table_reads(record, record.table, workshop):
            out.extend((participant_room(pid), payload)
                       for pid in event.get("to_participants", []))
        out.append((SCREEN, payload if h.get("shared") else _tick(event)))
        out.append((PARTICIPANTS, _tick(event)))
    elif etype in ("question", "answer"):
        out.extend(_dialogue_out(event, workshop))
    elif etype == "endorsement":
        endorsement = event["endorsement"]
        out.append((participant_room(endorsement["participant"]), event))
        out.append((SCREEN, {"type": "endorsement", "seq": seq}
                    if allowed(Role.SCREEN, Action.VIEW_CONCLUSIONS, kind) else _tick(event)))
        out.append((PARTICIPANTS, _tick(event)))
    elif etype == "conclusion":
        c = Conclusion.from_dict(event["conclusion"])
        for role, audience in ((Role.SCREEN, SCREEN), (Role.PARTICIPANT, PARTICIPANTS)):
            visible = can_see_conclusion(role, c, workshop)
            out.append((audience, event if visible else _tick(event, removed_conclusion=c.id)))
    elif etype == "participant_joined":
        p = event["participant"]
        public = _tick(event, joined={"perspective": p["perspective"], "circle": p["circle"],
                                      "circle_name": p.get("circle_name", "")})
        out += [(SCREEN, public), (PARTICIPANTS, public)]
    elif etype == "state":
        state = dict(event["state"])
        # which rating round is open follows from the state and the step (rules table)
        rating_open = findings.open_round(workshop)
        out.append((SCREEN, {"type": "state", "seq": seq, "state": state,
                             "rating_open": rating_open}))
        phone_state = {k: v for k, v in state.items() if k != "pinned_pattern"}
        out.append((PARTICIPANTS, {"type": "state", "seq": seq, "state": phone_state,
                                   "rating_open": rating_open}))
    elif etype in RESYNC_EVENTS:
        # The visible world changes as a whole: everyone re-reads a snapshot
        # (adapters may first send it along: see ``resync_snapshots``).
        resync = {"type": "resync", "seq": seq, "reason": etype}
        out += [(SCREEN, resync), (PARTICIPANTS, resync)]
    else:  # links_rotated and anything internal: nothing to show
        out += [(SCREEN, _tick(event)), (PARTICIPANTS, _tick(event))]
    return out


def rating_notices(rating: dict[str, Any], workshop: Workshop) -> list[tuple[str, dict[str, Any]]]:
    """Who hears of a rating, as an unnumbered ``notice`` (see ``Operations.rate_finding``):
    the rater's own devices and the console get it whole; the screen learns only that
    results changed (it re-reads its pooled snapshot); other phones hear nothing."""
    out = [(FACILITATORS, {"type": "rating", "rating": rating}),
           (participant_room(rating["participant"]), {"type": "rating", "rating": rating})]
    if allowed(Role.SCREEN, Action.VIEW_RATING_RESULTS, workshop.current_kind()):
        out.append((SCREEN, {"type": "rating"}))
    return out


#: Events after which every screen and phone needs a whole new snapshot.
RESYNC_EVENTS = frozenset({"step", "programme"})

SharedPart = Callable[[Role, "str | None"], dict[str, Any]]


def resync_snapshots(event: dict[str, Any], data: WorkshopData,
                     shared_part: SharedPart) -> list[tuple[str, dict[str, Any]]]:
    """The ``resync`` of a step or programme change with the new snapshot included.

    Without it every page asks for a snapshot at once after a step change (500
    round trips for 500 phones). A step change leaves the personal part of a
    phone's snapshot as it was, so the shared part per circle is all a phone
    needs: one message per circle and one for the screen. ``data`` must be the
    session as of this event (the caller checks ``data.seq``), and
    ``shared_part(role, circle)`` builds (or looks up) ``shared_snapshot``.
    These go before ``fan_out``'s plain resync, which pages that got the
    snapshot drop as a duplicate number.
    """
    if event["type"] not in RESYNC_EVENTS or data.seq != event["seq"]:
        return []
    resync = {"type": "resync", "seq": event["seq"], "reason": event["type"]}
    out = [(SCREEN, {**resync, "snapshot": shared_part(Role.SCREEN, None)})]
    for circle in sorted({p.circle for p in data.participants}):
        out.append((circle_room(circle),
                    {**resync, "snapshot": shared_part(Role.PARTICIPANT, circle)}))
    return out


def audiences_of(actor: Actor) -> list[str]:
    """The audiences an actor belongs to, most specific first."""
    if actor.role in (Role.FACILITATOR, Role.ORGANISER):
        return [FACILITATORS]
    if actor.role == Role.SCREEN:
        return [SCREEN]
    assert actor.participant is not None
    return [participant_room(actor.participant.id), circle_room(actor.participant.circle),
            PARTICIPANTS]


def event_for(event: dict[str, Any], workshop: Workshop, actor: Actor) -> dict[str, Any]:
    """The payload of one event as this actor receives it live (as it happens)."""
    wanted = audiences_of(actor)
    payloads = dict(reversed(fan_out(event, workshop)))  # first entry per audience wins
    for audience in wanted:
        if audience in payloads:
            return payloads[audience]
    return _tick(event)


#: record kind in an event -> the list of current records in ``WorkshopData``
_RECORD_LISTS = {"reflection": "reflections", "conclusion": "conclusions",
                 "reaction": "reactions", "endorsement": "endorsements",
                 "question": "questions", "answer": "answers", "harvest": "harvests"}


def current_event(event: dict[str, Any], data: WorkshopData,
                  role: Role | None = None) -> dict[str, Any]:
    """A stored event with its record (and state) as they are *now*.

    A stored event keeps the record as it was when it happened: a reflection
    since un-shared or hidden, a conclusion since hidden or reworded. Replaying
    it as stored would hand out what a fresh snapshot no longer shows, so a
    replay puts today's record in its place; a record that is gone becomes
    content-free.
    """
    out = dict(event)
    for key, attr in _RECORD_LISTS.items():
        if key in event:
            record_id = event[key].get("id")
            current = next((r for r in getattr(data, attr) if r.id == record_id), None)
            if current is None:
                return _tick(event)
            out[key] = current.to_dict()
    if "state" in event:
        out["state"] = screen_state(data) if role == Role.SCREEN \
            else data.workshop.state.to_dict()
    return out


def replay(events: list[dict[str, Any]], data: WorkshopData,
           actor: Actor) -> list[dict[str, Any]]:
    """Stored events as ``actor`` may see them now (catch-up without a socket).

    Each event is judged with today's records, today's step and today's
    secret links, so a replay never shows more than a fresh ``snapshot``.
    """
    return [event_for(current_event(event, data, actor.role), data.workshop, actor)
            for event in events]
