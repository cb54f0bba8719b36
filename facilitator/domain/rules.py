"""The one rules table: which role may do what in which kind of agenda step.

Every HTTP route and Socket.IO event asks ``require(role, action, kind)``
before it acts; visibility filters (snapshots, event fan-out, exports) ask
``allowed``.  A few rules need more than role x step kind (your own circle,
another circle, the posting lock); those are named next to the table in
``RELATIONAL_RULES`` and enforced in ``operations``.
"""

from __future__ import annotations

from enum import StrEnum

from .errors import N_, Forbidden, NotNow
from .model import StepKind


class Role(StrEnum):
    """Who is acting."""

    ORGANISER = "organiser"
    FACILITATOR = "facilitator"
    SCREEN = "screen"
    PARTICIPANT = "participant"
    #: whoever reads a report handed on after the afternoon (a board, the participants)
    READER = "reader"


class Action(StrEnum):
    """Everything a role may see or do."""

    CREATE_SESSION = "create_session"
    LIST_SESSIONS = "list_sessions"
    MANAGE_SERIES = "manage_series"
    IMPORT_REGISTRATIONS = "import_registrations"
    VIEW_SYNTHESIS = "view_synthesis"
    VIEW_SESSION = "view_session"
    VIEW_SCREEN = "view_screen"
    VIEW_PINNED_PATTERN = "view_pinned_pattern"
    JOIN = "join"
    POST_REFLECTION = "post_reflection"
    VIEW_OWN_CIRCLE = "view_own_circle"
    SHARE_REFLECTION = "share_reflection"
    VIEW_SHARED = "view_shared"
    VIEW_ALL_REFLECTIONS = "view_all_reflections"
    VIEW_ACTIVITY = "view_activity"
    VIEW_IDENTITIES = "view_identities"
    VIEW_SMALL_GROUPS = "view_small_groups"
    REACT = "react"
    VIEW_REACTIONS = "view_reactions"
    SPOTLIGHT = "spotlight"
    VIEW_REASONS = "view_reasons"
    SPOTLIGHT_REASON = "spotlight_reason"
    ASK_QUESTION = "ask_question"
    SUPPORT_QUESTION = "support_question"
    ANSWER_QUESTION = "answer_question"
    SUPPORT_ANSWER = "support_answer"
    VIEW_QUESTIONS = "view_questions"
    SPOTLIGHT_QUESTION = "spotlight_question"
    COMPOSE_TABLES = "compose_tables"
    POST_HARVEST = "post_harvest"
    SHARE_HARVEST = "share_harvest"
    HIDE = "hide"
    WRITE_CONCLUSION = "write_conclusion"
    VIEW_CONCLUSIONS = "view_conclusions"
    VIEW_DRAFTS = "view_drafts"
    ENDORSE = "endorse"
    CHANGE_STEP = "change_step"
    LOCK_POSTING = "lock_posting"
    CONTROL_SCREEN = "control_screen"
    VIEW_FINDINGS = "view_findings"
    RATE_BEFORE = "rate_before"
    RATE_AFTER = "rate_after"
    OPEN_RATING_ROUND = "open_rating_round"
    VIEW_RATING_RESULTS = "view_rating_results"
    PIN_FINDING = "pin_finding"
    VIEW_PATTERNS = "view_patterns"
    GROUP_REFLECTIONS = "group_reflections"
    PIN_PATTERN = "pin_pattern"
    EDIT_SESSION = "edit_session"
    EXPORT = "export"
    EXPORT_NAMES = "export_names"
    ROTATE_LINKS = "rotate_links"
    DELETE_SESSION = "delete_session"


W, P, C, X, K, Z = (StepKind.WELCOME, StepKind.PRESENTATION, StepKind.CIRCLE,
                    StepKind.EXCHANGE, StepKind.CONCLUSIONS, StepKind.CLOSING)
ANY = frozenset(StepKind)
AFTER_CIRCLE = frozenset({C, X, K, Z})
DIALOGUE_ON = frozenset({X, K, Z})
ORG, FAC, SCR, PAR, RDR = (Role.ORGANISER, Role.FACILITATOR, Role.SCREEN, Role.PARTICIPANT,
                           Role.READER)

#: action -> role -> the step kinds in which that role may do it.
#: A role that is not listed may never do it.
#: A reader's rows hold in every kind: a report shows what the room saw, whenever it is made.
RULES: dict[Action, dict[Role, frozenset[StepKind]]] = {
    Action.CREATE_SESSION:       {ORG: ANY},
    Action.LIST_SESSIONS:        {ORG: ANY},
    # a series of sessions and its synthesis across them (outside any one session)
    Action.MANAGE_SERIES:        {ORG: ANY},
    Action.VIEW_SYNTHESIS:       {ORG: ANY},
    # the event's registration list: names and personal join links
    Action.IMPORT_REGISTRATIONS: {ORG: ANY},
    Action.VIEW_SESSION:         {ORG: ANY, FAC: ANY, SCR: ANY, PAR: ANY},
    # the projector page (the facilitator and organiser open it as a preview)
    Action.VIEW_SCREEN:          {ORG: ANY, FAC: ANY, SCR: ANY},
    Action.VIEW_PINNED_PATTERN:  {ORG: ANY, FAC: ANY, SCR: DIALOGUE_ON},
    Action.JOIN:                 {PAR: ANY - {Z}},
    Action.POST_REFLECTION:      {PAR: frozenset({C})},
    Action.VIEW_OWN_CIRCLE:      {PAR: AFTER_CIRCLE},
    Action.SHARE_REFLECTION:     {PAR: frozenset({C}), FAC: frozenset({C, X})},
    Action.VIEW_SHARED:          {ORG: ANY, FAC: ANY, SCR: DIALOGUE_ON, PAR: DIALOGUE_ON,
                                  RDR: ANY},
    Action.VIEW_ALL_REFLECTIONS: {ORG: ANY, FAC: ANY},
    Action.VIEW_ACTIVITY:        {ORG: ANY, FAC: ANY, SCR: ANY, PAR: ANY, RDR: ANY},
    # who wrote what (outside one's own circle) and the list of participants
    Action.VIEW_IDENTITIES:      {ORG: ANY, FAC: ANY},
    # per-perspective figures of fewer than MIN_GROUP people, not pooled
    Action.VIEW_SMALL_GROUPS:    {ORG: ANY, FAC: ANY},
    Action.REACT:                {PAR: frozenset({X})},
    Action.VIEW_REACTIONS:       {ORG: ANY, FAC: ANY, SCR: DIALOGUE_ON, RDR: ANY},
    Action.SPOTLIGHT:            {FAC: DIALOGUE_ON},
    # the reasons behind reactions ("Waarom?"): a participant sees those its own circle's
    # reflections got (relational rule "own_reasons")
    Action.VIEW_REASONS:         {ORG: ANY, FAC: ANY, PAR: DIALOGUE_ON},
    Action.SPOTLIGHT_REASON:     {FAC: DIALOGUE_ON},
    # questions to another perspective: prepared in the circle, put and answered in the
    # exchange (relational rule "questions")
    Action.ASK_QUESTION:         {PAR: frozenset({C, X})},
    Action.SUPPORT_QUESTION:     {PAR: frozenset({C, X})},
    Action.ANSWER_QUESTION:      {PAR: frozenset({X})},
    # the asking circle supports (+1) the answers it got (relational rule "questions")
    Action.SUPPORT_ANSWER:       {PAR: frozenset({X})},
    Action.VIEW_QUESTIONS:       {ORG: ANY, FAC: ANY, PAR: AFTER_CIRCLE},
    # a question with its answers on the projector ("Vraag van de OR-leden aan de raadsleden")
    Action.SPOTLIGHT_QUESTION:   {FAC: DIALOGUE_ON},
    # mixed dialogue tables of a given size, for the exchange and the conclusions
    Action.COMPOSE_TABLES:       {FAC: frozenset({X, K})},
    # a table's harvest ("Wat ons opviel"): by any member of that table (relational rule
    # "own_table"); the facilitator puts one on the screen
    Action.POST_HARVEST:         {PAR: frozenset({X, K})},
    Action.SHARE_HARVEST:        {FAC: DIALOGUE_ON},
    Action.HIDE:                 {ORG: ANY, FAC: ANY},
    Action.WRITE_CONCLUSION:     {FAC: frozenset({X, K})},
    Action.VIEW_CONCLUSIONS:     {ORG: ANY, FAC: ANY, SCR: frozenset({K, Z}),
                                  PAR: frozenset({K, Z}), RDR: ANY},
    # conclusions still in draft or hidden
    Action.VIEW_DRAFTS:          {ORG: ANY, FAC: ANY},
    Action.ENDORSE:              {PAR: frozenset({K})},
    Action.CHANGE_STEP:          {FAC: ANY},
    Action.LOCK_POSTING:         {FAC: ANY},
    Action.CONTROL_SCREEN:       {FAC: ANY},
    Action.VIEW_FINDINGS:        {ORG: ANY, FAC: ANY, SCR: ANY - {W},
                                  PAR: ANY - {W}, RDR: ANY},
    # rating the findings: before the dialogue while they are presented and in the
    # circles, after it in the conclusions (the facilitator may open or close by hand)
    Action.RATE_BEFORE:          {PAR: frozenset({P, C})},
    Action.RATE_AFTER:           {PAR: frozenset({K})},
    Action.OPEN_RATING_ROUND:    {FAC: ANY},
    Action.VIEW_RATING_RESULTS:  {ORG: ANY, FAC: ANY, SCR: ANY - {W}, RDR: ANY},
    Action.PIN_FINDING:          {FAC: ANY - {W}},
    Action.VIEW_PATTERNS:        {ORG: ANY, FAC: ANY},
    Action.GROUP_REFLECTIONS:    {FAC: ANY},
    Action.PIN_PATTERN:          {FAC: DIALOGUE_ON},
    Action.EDIT_SESSION:         {ORG: ANY},
    Action.EXPORT:               {ORG: ANY, FAC: ANY},
    Action.EXPORT_NAMES:         {ORG: ANY},
    Action.ROTATE_LINKS:         {ORG: ANY, FAC: ANY},
    Action.DELETE_SESSION:       {ORG: ANY},
}

#: Rules that need more than role x step kind; each is enforced in ``operations``.
RELATIONAL_RULES: dict[str, str] = {
    "own_circle": "A participant sees and shares only the reflections of their own circle "
                  "(until shared and the dialogue has begun).",
    "other_circle": "A participant reacts only to shared reflections of other circles.",
    "posting_lock": "While the facilitator has locked posting, participants cannot post, "
                    "react or endorse.",
    "shared_only_on_screen": "Only shared, visible reflections, and reasons given to them, "
                             "can be spotlighted; un-sharing or hiding a reflection takes it "
                             "and a spotlit reason to it off the projector.",
    "own_reasons": "A participant sees the reasons given to their own circle's reflections, "
                   "without names, each perspective named by the small-group rule; the screen "
                   "shows a reason only when the facilitator puts it there.",
    "questions": "A question is seen by the asking circle, the facilitator and organiser, and "
                 "from the exchange on by the members of the addressed perspective (all "
                 "participants for a question to all); only its circle-mates support it and "
                 "its answers; only members of the addressed perspective (anyone outside the "
                 "asking circle for a question to all) answer it. A question to a perspective "
                 "that is not present is allowed and stays unanswered.",
    "own_table": "A participant posts and sees only the harvests of their own table; the "
                 "screen shows a harvest once the facilitator shares it.",
    "hidden": "Hidden reflections are seen only by the facilitator and organiser.",
    "rating_rounds": "A rating round is open in the step kinds of rate_before/rate_after, "
                     "unless the facilitator closed it by hand; the facilitator can also open "
                     "it by hand in any step (open_rating_round).",
    "own_ratings": "A participant sees only their own ratings; results per perspective are "
                   "pooled by the small-group rule for the screen and readers.",
}

#: Actions the posting lock stops.
LOCKABLE: frozenset[Action] = frozenset({Action.POST_REFLECTION, Action.REACT, Action.ENDORSE,
                                         Action.RATE_BEFORE, Action.RATE_AFTER,
                                         Action.ASK_QUESTION, Action.SUPPORT_QUESTION,
                                         Action.ANSWER_QUESTION, Action.SUPPORT_ANSWER,
                                         Action.POST_HARVEST})


def step_kind(kind: StepKind | str) -> StepKind:
    """The kind a rule is judged in. There is no default: a check that names no step
    (``None``) is a mistake, and ``Workshop.current_kind`` is welcome before the start."""
    if kind is None:
        raise TypeError("a rules check must name the step kind it is judged in")
    return StepKind(kind)


def allowed(role: Role | str, action: Action, kind: StepKind | str) -> bool:
    """True when ``role`` may do ``action`` during a step of ``kind``."""
    kinds = RULES[action].get(Role(role))
    return bool(kinds) and step_kind(kind) in kinds


def require(role: Role | str, action: Action, kind: StepKind | str) -> None:
    """Raise Forbidden (never allowed for this role) or NotNow (not in this step)."""
    kinds = RULES[action].get(Role(role))
    if not kinds:
        raise Forbidden(N_("You are not allowed to do this."), action=str(action))
    if step_kind(kind) not in kinds:
        raise NotNow(N_("This is not possible in the current agenda step."), action=str(action))


def require_role(role: Role | str, action: Action) -> None:
    """For a relational rule that lifts the step condition (a round opened by hand):
    the role must still be one the table lets do ``action`` in some step."""
    if not RULES[action].get(Role(role)):
        raise Forbidden(N_("You are not allowed to do this."), action=str(action))


def require_any_step(role: Role | str, action: Action) -> None:
    """For what happens outside any session (creating, listing): the table must grant it
    in every step kind, so that no step could ever forbid it."""
    if RULES[action].get(Role(role)) != ANY:
        raise Forbidden(N_("You are not allowed to do this."), action=str(action))


def as_markdown() -> str:
    """The table as Markdown, for docs/api.md and the organiser's help page."""
    kinds = list(StepKind)
    lines = ["| action | role | " + " | ".join(k.value for k in kinds) + " |",
             "|---|---|" + "---|" * len(kinds)]
    for action, per_role in RULES.items():
        for role, allowed_kinds in per_role.items():
            marks = " | ".join("✓" if k in allowed_kinds else "·" for k in kinds)
            lines.append(f"| {action.value} | {role.value} | {marks} |")
    return "\n".join(lines)
