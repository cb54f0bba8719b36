"""Every action a client can take, defined once for the JSON API and Socket.IO.

An ``ActionDef`` names the Socket.IO event, the HTTP route (if any), the input
fields, the rule of ``domain.rules`` it asks before it acts, a rate limit per
participant, the operation to run and the reply. ``perform`` is the one way
an action runs: check the rate limit, ask the rules table with the session's
current step kind, run the operation (which checks again, in the domain),
publish its events, answer. ``web.api`` and ``realtime`` only turn requests
and messages into ``perform`` calls and replies into JSON or acknowledgements.

A reply is one dict; Socket.IO answers ``{"ok": true, **reply}``, HTTP answers
``reply[http_part]`` (or the whole reply) with the reply's status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from .domain import findings, privacy, views
from .domain.errors import N_, Invalid, RateLimited
from .domain.model import Workshop
from .domain.operations import Actor, Operations
from .domain.rules import Action, require
from .live import Live


@dataclass
class Call:
    """One action being performed: who, with what input, on which app.

    ``workshop`` is the session as read once for this action, before the rules
    table is asked: the rule check, the operation's own checks (of the actions
    that take it), the reply's view and the publisher share it instead of each
    reading the session again. An operation's write still reads the stored
    document inside its own transaction; only the reads around it are shared."""

    actor: Actor
    data: dict[str, Any]
    ops: Operations
    live: Live
    workshop: Workshop

    def kind(self):
        """The session's current step kind (as this action runs under it)."""
        return self.workshop.current_kind()

    def view(self, reflection) -> dict[str, Any]:
        """A reflection as the actor receives it after acting on it."""
        return views.reflection_view(reflection, self.actor.role, True, self.kind())


@dataclass
class Reply:
    """What an action answers, the events it caused, and its HTTP status."""

    body: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    #: unnumbered notices (audience, payload), sent after the events
    notices: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: the session as the action left it, when the action did not change the session
    #: document (the call's read still holds): the publisher then reads it no more
    workshop: Workshop | None = None


@dataclass(frozen=True)
class ActionDef:
    """One action, for both transports."""

    name: str                        # the Socket.IO event
    rule: Action                     # asked before the action runs
    run: Callable[[Call], Reply]
    fields: tuple[str, ...] = ()     # accepted input fields (others are refused)
    http: tuple[str, str] | None = None  # (method, path below /api/sessions/<code>)
    http_part: str | None = None     # HTTP answers this part of the reply
    limit: str | None = None         # a rate limit per participant (ratelimit.LIMITS)

    def path_fields(self) -> list[str]:
        """The input fields an HTTP route takes from its path (``<reflection>``)."""
        if not self.http:
            return []
        return [part[1:-1] for part in self.http[1].split("/") if part.startswith("<")]


# -- the actions ------------------------------------------------------------------

def _sync(c: Call) -> Reply:
    return Reply({"snapshot": c.live.snapshot(c.actor)})


def _stored(c: Call, key: str, view: dict[str, Any], created: bool, events: list) -> Reply:
    """The reply to a participant's post stored once per client id: 201 when it is new,
    200 when it is a resend of what is already stored (the session document unchanged)."""
    return Reply({key: view, "created": created}, events, 201 if created else 200,
                 workshop=c.workshop)


def _reflections(c: Call) -> Reply:
    return Reply({"reflections": c.live.snapshot(c.actor)["reflections"]})


def _seq(c: Call) -> Reply:
    # the last number of each of the caller's streams: a page compares them with its own
    return Reply({"seq": c.ops.store.seq(c.actor.code), "streams": c.live.stream_heads(c.actor)})


def _post(c: Call) -> Reply:
    reflection, created, events = c.ops.post_reflection(
        c.actor, c.data.get("text"), c.data.get("finding"), c.data.get("client_id"),
        workshop=c.workshop)
    return _stored(c, "reflection", c.view(reflection), created, events)


def _share(c: Call) -> Reply:
    reflection, events = c.ops.share_reflection(c.actor, c.data.get("reflection"),
                                                c.data.get("shared", True))
    return Reply({"reflection": c.view(reflection)}, events)


def _hide(c: Call) -> Reply:
    reflection, events = c.ops.hide_reflection(c.actor, c.data.get("reflection"),
                                               c.data.get("hidden", True))
    return Reply({"reflection": c.view(reflection)}, events)


def _react(c: Call) -> Reply:
    reaction, events = c.ops.react(c.actor, c.data.get("reflection"), c.data.get("kind"),
                                   c.data.get("text"), c.data.get("client_id"),
                                   workshop=c.workshop)
    return Reply({"reaction": reaction.to_dict()}, events, 201, workshop=c.workshop)


def _endorse(c: Call) -> Reply:
    endorsement, events = c.ops.endorse(c.actor, c.data.get("conclusion"), c.data.get("kind"),
                                        c.data.get("text"), c.data.get("client_id"),
                                        workshop=c.workshop)
    return Reply({"endorsement": endorsement.to_dict()}, events, 201, workshop=c.workshop)


def _step(c: Call) -> Reply:
    workshop, events = c.ops.change_step(c.actor, c.data.get("step"))
    return Reply({"current_step": workshop.state.current_step,
                  "kind": workshop.current_kind().value}, events)


def _lock(c: Call) -> Reply:
    workshop, events = c.ops.set_posting_locked(c.actor, c.data.get("locked"))
    return Reply({"posting_locked": workshop.state.posting_locked}, events)


def _spotlight(c: Call) -> Reply:
    workshop, events = c.ops.spotlight(c.actor, c.data.get("reflection"))
    return Reply({"spotlight": workshop.state.spotlight}, events)


def _screen(c: Call) -> Reply:
    workshop, events = c.ops.control_screen(c.actor, c.data.get("blank"),
                                            c.data.get("finding_index"))
    return Reply({"state": workshop.state.to_dict()}, events)


def _conclude(c: Call) -> Reply:
    conclusion, events = c.ops.write_conclusion(
        c.actor, c.data.get("text"), c.data.get("reflections"), c.data.get("perspectives"),
        c.data.get("draft", False))
    return Reply({"conclusion": conclusion.to_dict()}, events, 201)


def _edit_conclusion(c: Call) -> Reply:
    conclusion, events = c.ops.edit_conclusion(
        c.actor, c.data.get("conclusion"), c.data.get("text"), c.data.get("hidden"),
        c.data.get("draft"), c.data.get("reflections"))
    return Reply({"conclusion": conclusion.to_dict()}, events)


def _rotate(c: Call) -> Reply:
    from .web.links import links_for  # builds URLs: needs a request, as HTTP calls have

    workshop, events = c.ops.rotate_links(c.actor, c.data.get("which", "both"))
    return Reply({"facilitator_token": workshop.facilitator_token,
                  "screen_token": workshop.screen_token, **links_for(workshop)}, events)


def _lang(c: Call) -> str:
    return "en" if c.data.get("lang") == "en" else "nl"


AUDIENCES = ("facilitator", "screen", "export")


def _patterns(c: Call) -> Reply:
    from .patterns_service import patterns_for

    audience = c.data.get("audience") or "facilitator"
    if audience not in AUDIENCES:
        raise Invalid(N_("Choose one of the offered options."), field="audience")
    return Reply({"patterns": patterns_for(c.actor.code, audience, _lang(c))})


def _group(c: Call) -> Reply:
    pattern, events = c.ops.save_pattern(c.actor, c.data.get("name"), c.data.get("reflections"),
                                         c.data.get("pattern"))
    return Reply({"pattern": pattern}, events)


def _pattern_conclusion(c: Call) -> Reply:
    from .patterns_service import conclusion_draft

    draft = conclusion_draft(c.actor.code, c.data.get("pattern"), _lang(c))
    conclusion, events = c.ops.write_conclusion(c.actor, draft["text"][:2000] or "—",
                                                draft["reflections"], draft["perspectives"],
                                                True)
    return Reply({"conclusion": conclusion.to_dict()}, events, 201)


def _pin_pattern(c: Call) -> Reply:
    pattern_id = c.data.get("pattern")
    pinned = None
    if pattern_id is not None:
        from .patterns_service import find_pattern

        pinned = find_pattern(c.actor.code, pattern_id)
    workshop, events = c.ops.pin_pattern(c.actor, pinned)
    return Reply({"pinned": workshop.state.pinned_pattern is not None}, events)


def _rate(c: Call) -> Reply:
    rating, created, changed = c.ops.rate_finding(
        c.actor, c.data.get("finding"), c.data.get("round"), c.data.get("score"),
        c.data.get("text"), c.data.get("client_id"))
    # a rating changes no session document: the call's read still holds
    notices = views.rating_notices(rating.to_dict(), c.workshop) if changed else []
    return Reply({"rating": rating.to_dict(), "created": created}, [],
                 201 if created else 200, notices, workshop=c.workshop)


def _ask(c: Call) -> Reply:
    question, created, events = c.ops.ask_question(
        c.actor, c.data.get("to"), c.data.get("text"), c.data.get("client_id"),
        workshop=c.workshop)
    return _stored(c, "question", views.question_view(question), created, events)


def _support(c: Call) -> Reply:
    question, events = c.ops.support_question(c.actor, c.data.get("question"),
                                              c.data.get("supported", True),
                                              workshop=c.workshop)
    return Reply({"question": views.question_view(question)}, events, workshop=c.workshop)


def _answer(c: Call) -> Reply:
    answer, created, events = c.ops.answer_question(
        c.actor, c.data.get("question"), c.data.get("text"), c.data.get("client_id"),
        workshop=c.workshop)
    return _stored(c, "answer", views.answer_view(answer), created, events)


def _support_answer(c: Call) -> Reply:
    answer, events = c.ops.support_answer(c.actor, c.data.get("answer"),
                                          c.data.get("supported", True), workshop=c.workshop)
    return Reply({"answer": views.answer_view(answer)}, events, workshop=c.workshop)


def _questions(c: Call) -> Reply:
    snap = c.live.snapshot(c.actor)
    seen, out = set(), []
    for q in snap.get("questions", []) + snap.get("questions_to_me", []):
        if q["id"] not in seen:
            seen.add(q["id"])
            out.append(q)
    return Reply({"questions": out})


def _tables(c: Call) -> Reply:
    _, events = c.ops.compose_tables(c.actor, c.data.get("size"), c.data.get("seed"))
    return Reply({"tables": views.table_list(c.ops.load(c.actor.code))}, events)


def _harvest(c: Call) -> Reply:
    harvest, created, events = c.ops.post_harvest(
        c.actor, c.data.get("table"), c.data.get("text"), c.data.get("client_id"),
        workshop=c.workshop)
    return _stored(c, "harvest", views.harvest_view(harvest), created, events)


def _share_harvest(c: Call) -> Reply:
    harvest, events = c.ops.share_harvest(c.actor, c.data.get("harvest"),
                                          c.data.get("shared", True))
    return Reply({"harvest": views.harvest_view(harvest)}, events)


def _spotlight_reason(c: Call) -> Reply:
    workshop, events = c.ops.spotlight_reason(c.actor, c.data.get("reaction"))
    return Reply({"spotlight_reason": workshop.state.spotlight_reason}, events)


def _spotlight_question(c: Call) -> Reply:
    workshop, events = c.ops.spotlight_question(c.actor, c.data.get("question"))
    return Reply({"spotlight_question": workshop.state.spotlight_question}, events)


def _results(c: Call) -> Reply:
    data = c.live.session_data(c.actor.code)
    viewer = privacy.Viewer(c.actor.role, data.workshop.current_kind())
    return Reply({"results": findings.results(data, viewer, c.live.min_group, _lang(c))})


def _rating_round(c: Call) -> Reply:
    workshop, events = c.ops.set_rating_round(c.actor, c.data.get("round"), c.data.get("open"))
    return Reply({"rating_rounds": workshop.state.rating_rounds,
                  "open_round": findings.open_round(workshop)}, events)


def _pin_finding(c: Call) -> Reply:
    workshop, events = c.ops.pin_finding(c.actor, c.data.get("finding"))
    return Reply({"pinned_finding": workshop.state.pinned_finding}, events)


R = "/reflections/<reflection>"
C = "/conclusions/<conclusion>"

ACTIONS: tuple[ActionDef, ...] = (
    ActionDef("sync", Action.VIEW_SESSION, _sync, ("since",), ("GET", "/snapshot"),
              http_part="snapshot"),
    ActionDef("reflections", Action.VIEW_SESSION, _reflections, (), ("GET", "/reflections"),
              http_part="reflections"),
    ActionDef("seq", Action.VIEW_SESSION, _seq),
    ActionDef("post", Action.POST_REFLECTION, _post, ("text", "finding", "client_id"),
              ("POST", "/reflections"), http_part="reflection", limit="post"),
    ActionDef("share", Action.SHARE_REFLECTION, _share, ("reflection", "shared"),
              ("POST", f"{R}/share"), http_part="reflection"),
    ActionDef("hide", Action.HIDE, _hide, ("reflection", "hidden"), ("POST", f"{R}/hide"),
              http_part="reflection"),
    ActionDef("react", Action.REACT, _react, ("reflection", "kind", "text", "client_id"),
              ("POST", f"{R}/reactions"), http_part="reaction", limit="react"),
    ActionDef("endorse", Action.ENDORSE, _endorse, ("conclusion", "kind", "text", "client_id"),
              ("POST", f"{C}/endorsements"), http_part="endorsement", limit="react"),
    ActionDef("step", Action.CHANGE_STEP, _step, ("step",), ("POST", "/steps/current")),
    ActionDef("lock", Action.LOCK_POSTING, _lock, ("locked",), ("POST", "/lock")),
    ActionDef("spotlight", Action.SPOTLIGHT, _spotlight, ("reflection",),
              ("POST", "/spotlight")),
    ActionDef("ask", Action.ASK_QUESTION, _ask, ("to", "text", "client_id"),
              ("POST", "/questions"), http_part="question", limit="post"),
    ActionDef("support", Action.SUPPORT_QUESTION, _support, ("question", "supported"),
              ("POST", "/questions/<question>/support"), http_part="question", limit="react"),
    ActionDef("answer", Action.ANSWER_QUESTION, _answer, ("question", "text", "client_id"),
              ("POST", "/questions/<question>/answers"), http_part="answer", limit="post"),
    ActionDef("support_answer", Action.SUPPORT_ANSWER, _support_answer, ("answer", "supported"),
              ("POST", "/answers/<answer>/support"), http_part="answer", limit="react"),
    ActionDef("questions", Action.VIEW_QUESTIONS, _questions, (), ("GET", "/questions"),
              http_part="questions"),
    ActionDef("harvest", Action.POST_HARVEST, _harvest, ("table", "text", "client_id"),
              ("POST", "/tables/<table>/harvest"), http_part="harvest", limit="post"),
    ActionDef("share_harvest", Action.SHARE_HARVEST, _share_harvest, ("harvest", "shared"),
              ("POST", "/harvests/<harvest>/share"), http_part="harvest"),
    ActionDef("tables", Action.COMPOSE_TABLES, _tables, ("size", "seed"), ("POST", "/tables")),
    ActionDef("spotlight_reason", Action.SPOTLIGHT_REASON, _spotlight_reason, ("reaction",),
              ("POST", "/spotlight/reason")),
    ActionDef("spotlight_question", Action.SPOTLIGHT_QUESTION, _spotlight_question,
              ("question",), ("POST", "/spotlight/question")),
    ActionDef("screen", Action.CONTROL_SCREEN, _screen, ("blank", "finding_index")),
    ActionDef("conclude", Action.WRITE_CONCLUSION, _conclude,
              ("text", "reflections", "perspectives", "draft"), ("POST", "/conclusions"),
              http_part="conclusion"),
    ActionDef("edit_conclusion", Action.WRITE_CONCLUSION, _edit_conclusion,
              ("conclusion", "text", "hidden", "draft", "reflections"), ("PATCH", C),
              http_part="conclusion"),
    ActionDef("rotate_links", Action.ROTATE_LINKS, _rotate, ("which",),
              ("POST", "/links/rotate")),
    # which rule applies (rate_before or rate_after, or a round opened by hand) depends on
    # the round in the input: the operation asks it; here only that the session is there
    ActionDef("rate", Action.VIEW_SESSION, _rate,
              ("finding", "round", "score", "text", "client_id"),
              ("POST", "/findings/<finding>/ratings"), http_part="rating", limit="react"),
    ActionDef("findings_results", Action.VIEW_RATING_RESULTS, _results, ("lang",),
              ("GET", "/findings/results"), http_part="results"),
    ActionDef("rating_round", Action.OPEN_RATING_ROUND, _rating_round, ("round", "open"),
              ("POST", "/findings/rounds")),
    ActionDef("pin_finding", Action.PIN_FINDING, _pin_finding, ("finding",)),
    ActionDef("patterns", Action.VIEW_PATTERNS, _patterns, ("audience", "lang"),
              ("GET", "/patterns"), http_part="patterns"),
    ActionDef("group", Action.GROUP_REFLECTIONS, _group, ("name", "reflections", "pattern")),
    ActionDef("pattern_conclusion", Action.WRITE_CONCLUSION, _pattern_conclusion,
              ("pattern", "lang")),
    ActionDef("pin_pattern", Action.PIN_PATTERN, _pin_pattern, ("pattern",)),
)

BY_NAME: dict[str, ActionDef] = {a.name: a for a in ACTIONS}


def perform(action: ActionDef, actor: Actor, data: dict[str, Any]) -> Reply:
    """Run one action for ``actor``: rate limit, the rules table, the operation, publish."""
    app = current_app
    ops: Operations = app.extensions["facilitator.ops"]
    if action.limit:
        key = actor.participant_id or f"{actor.role.value}:{actor.code}"
        if not app.extensions["facilitator.limiter"].hit(action.limit, key):
            raise RateLimited(N_("Too many requests. Please wait a moment and try again."))
    workshop = ops.workshop(actor.code)  # the one read of the session this action shares
    require(actor.role, action.rule, workshop.current_kind())
    live: Live = app.extensions["facilitator.live"]
    reply = action.run(Call(actor, data, ops, live, workshop))
    live.publish(actor.code, reply.events, reply.workshop)
    live.notify(actor.code, reply.notices, reply.workshop)
    return reply
