"""Helpers shared by the page blueprints: the translated strings a page's
JavaScript needs, and the page context for the Socket.IO connection."""

from __future__ import annotations

from typing import Any

from flask_babel import ngettext

from ..domain import joincode
from ..domain.operations import Actor
from ..domain.rules import Role
from .auth import page_token
from .i18n import gettext as _

#: ngettext fills in its arguments; this leaves ``%(n)s`` in place for the JavaScript.
KEEP_N = "%(n)s"


def client_strings() -> dict[str, str]:
    """UI strings for the JavaScript modules, in the request's language.

    ``%(name)s`` placeholders are filled in by ``format`` in static/js/dom.js;
    plurals come as ``<name>_one`` and ``<name>_other``.
    """
    return {
        # connection and sending
        "connected": _("Connected"),
        "connecting": _("Connecting…"),
        "offline": _("No connection: your input is kept and sent later"),
        "waiting": _("Waiting for connection"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "posted": _("Your reflection has been posted."),
        "failed": _("Not sent"),
        "dismiss": _("Remove"),
        "error": _("Something went wrong. Please try again."),
        # steps
        "step_of": _("Step %(n)s of %(total)s"),
        "not_started": _("The session has not started yet."),
        "now_showing": _("Now: %(title)s"),
        "kind_welcome": _("Welcome"),
        "kind_presentation": _("Presentation"),
        "kind_circle": _("Own circle"),
        "kind_exchange": _("Dialogue"),
        "kind_conclusions": _("Conclusions"),
        "kind_closing": _("Closing"),
        "finding_of": _("Result %(n)s of %(total)s"),
        # posting and sharing in the own circle
        "char_count": _("%(n)s of %(max)s characters"),
        "empty_reflection": _("Write your reflection before you post it."),
        "you": _("you"),
        "share": _("Take into the dialogue"),
        "shared": _("Taken into the dialogue"),
        "unshared": _("No longer taken into the dialogue"),
        "no_reflections": _("No reflections yet."),
        "no_shared": _("No reflections of other circles yet."),
        "locked": _("The facilitator has paused posting for a moment."),
        # reactions and endorsements
        "agree": _("Recognisable"),
        "disagree": _("Not recognisable"),
        "pass": _("No opinion"),
        "support": _("Support"),
        "concern": _("Concern"),
        "your_reaction": _("Your reaction"),
        "why": _("Why? (not recognisable)"),
        "why_optional": _("Why? (optional)"),
        "send_reason": _("Send reason"),
        "reason_sent": _("Reason sent"),
        "reasons_heading": _("Why others reacted like this"),
        "other_perspective": _("another perspective"),
        "reason_from": _("Reason for “%(kind)s”"),
        "reason_about": _("About: %(text)s"),
        "your_table": _("Your table: %(n)s"),
        "table_n": _("Table %(n)s"),
        # the dialogue: questions to another perspective, answers, table harvests (issue 17)
        "all_perspectives": _("All perspectives"),
        "question_to": _("To: %(to)s"),
        "question_from_to": _("Question from %(from)s to %(to)s"),
        "empty_question": _("Write your question before you send it."),
        "question_sent": _("Your question has been sent."),
        "no_questions": _("No questions yet."),
        "no_questions_to_you": _("No questions to your perspective yet."),
        "support_plus": _("Support (+1)"),
        "supports_n": _("Support: %(n)s"),
        "your_answer": _("Your answer"),
        "send_answer": _("Send answer"),
        "answer_sent": _("Your answer has been sent."),
        "empty_answer": _("Write your answer before you send it."),
        "answers": _("Answers"),
        "no_answers": _("No answers yet."),
        "unanswered": _("Unanswered"),
        "new_question": _("A new question to your perspective."),
        "new_answer": _("A question of your circle has a new answer."),
        "harvest_sent": _("Your table's harvest has been sent."),
        "empty_harvest": _("Write what struck your table before you send it."),
        "no_harvests": _("Your table has not posted anything yet."),
        "tables_composed": _("The tables have been composed."),
        "earlier_tables": _("Earlier tables"),
        "no_tables": _("No tables yet."),
        "circle_of": _("Circle %(name)s"),
        "your_endorsement": _("Your choice"),
        "no_conclusions": _("No conclusions yet."),
        # counts
        "participants_one": ngettext("%(n)s participant", "%(n)s participants", 1, n=KEEP_N),
        "participants_other": ngettext("%(n)s participant", "%(n)s participants", 2, n=KEEP_N),
        "phones_one": ngettext("%(n)s phone connected", "%(n)s phones connected", 1,
                               n=KEEP_N),
        "phones_other": ngettext("%(n)s phone connected", "%(n)s phones connected", 2,
                                 n=KEEP_N),
        "reflections_one": ngettext("%(n)s reflection", "%(n)s reflections", 1, n=KEEP_N),
        "reflections_other": ngettext("%(n)s reflection", "%(n)s reflections", 2, n=KEEP_N),
        "absent_one": ngettext("%(n)s perspective not yet present",
                               "%(n)s perspectives not yet present", 1, n=KEEP_N),
        "absent_other": ngettext("%(n)s perspective not yet present",
                                 "%(n)s perspectives not yet present", 2, n=KEEP_N),
        "taken_along_count": _("%(n)s taken into the dialogue"),
        "other_perspectives": _("Other perspectives"),
        "withheld": _("Reactions from groups of fewer than three people are not shown."),
        # console
        "select": _("Select"),
        "selected_count": _("%(n)s selected."),
        "select_first": _("Select a reflection first."),
        "hide": _("Hide"),
        "hidden": _("Hidden"),
        "spotlight": _("Spotlight"),
        "on_screen": _("On the screen"),
        "timer": _("%(elapsed)s of %(planned)s minutes"),
        "timer_unplanned": _("%(elapsed)s minutes"),
        "timer_over": _("%(over)s minutes over time"),
        "screen_blanked": _("The screen is blank."),
        "screen_live": _("The screen follows the agenda."),
        "draft": _("Draft"),
        "publish": _("Publish"),
        "empty_conclusion": _("Write the conclusion before you add it."),
        "conclusion_added": _("The conclusion has been added."),
        "none_yet": _("Nothing yet."),
        "pin": _("Show on screen"),
        "to_conclusion": _("Make draft conclusion"),
        "too_few": _("Too few reactions to interpret."),
        "small_group": _("Fewer than three people: the screen merges this figure."),
        "patterns_unavailable": _("The pattern analysis is not available at the moment."),
        "patterns_stale": _("The pattern analysis could not be updated; this is the last result."),
        "patterns_themes": _("Shared themes"),
        "patterns_common_ground": _("Common ground"),
        "patterns_dividing_lines": _("Dividing lines"),
        "patterns_distinctive": _("Distinctive concerns"),
        "patterns_blind_spots": _("Blind spots"),
        "patterns_circles": _("Circle"),
        "patterns_manual": _("Grouped by hand"),
        "patterns_asks": _("What each perspective asks"),
        "asks_count": _("Questions: %(questions)s · people asking: %(askers)s"),
        "asks_about": _("Mostly about: %(terms)s"),
        "asks_top": _("Most supported question (%(n)s): %(text)s"),
        "pin_map": _("Show the perspective map on the screen"),
        "group_needs_selection": _("Select at least one reflection and give the pattern a name."),
        "group_added": _("The pattern has been saved."),
        # rating the findings
        "score_1": _("Not recognisable at all"),
        "score_2": _("Not recognisable"),
        "score_3": _("Partly recognisable"),
        "score_4": _("Recognisable"),
        "score_5": _("Very recognisable"),
        "score_none": _("No opinion"),
        "rate_before": _("How recognisable is this finding for you?"),
        "rate_after": _("After the dialogue: how recognisable do you find this finding now?"),
        "rating_of": _("%(n)s of %(total)s"),
        "your_first_rating": _("Your rating before the dialogue: %(answer)s"),
        "your_rating": _("Your rating"),
        "rating_saved": _("Your rating has been saved."),
        "rating_done": _("You have rated every finding. You can still change a rating."),
        "previous": _("Previous"),
        "next": _("Next"),
        "why_save": _("Save the reason"),
        "before": _("Before"),
        "after": _("After"),
        "open_before": _("Open rating before the dialogue"),
        "close_before": _("Close rating before the dialogue"),
        "open_after": _("Open rating after the dialogue"),
        "close_after": _("Close rating after the dialogue"),
        "raters": _("%(n)s rated"),
        "findings_on_screen": _("Show the findings on the screen"),
        "finding_to_conclusion": _("Make draft conclusion"),
        "why_list": _("Reasons given"),
        "recognition_map": _("How recognisable are the findings?"),
        "recognition_explained": _("Average per perspective from 1 (not recognisable at all) "
                                   "to 5 (very recognisable); groups of fewer than three people "
                                   "are merged or left out."),
        # screen
        "general_conclusions": _("General conclusions"),
        "thanks": _("Thank you for your contribution"),
    }


#: Strings only the console and the screen use. The phone page leaves them out: its first
#: load has a budget (bench/page_weight.py, tests/web/test_pages.py).
NOT_ON_PHONE = frozenset({
    "now_showing", "kind_welcome", "kind_presentation", "kind_circle", "kind_exchange",
    "kind_conclusions", "kind_closing", "finding_of", "reason_from", "reason_about",
    "unanswered", "tables_composed", "earlier_tables", "no_tables", "circle_of", "participants_one",
    "participants_other", "reflections_one", "reflections_other", "absent_one", "absent_other",
    "taken_along_count", "withheld", "select", "selected_count", "select_first", "hide",
    "hidden", "spotlight", "timer", "timer_unplanned", "timer_over", "screen_blanked",
    "screen_live", "draft", "publish", "empty_conclusion", "conclusion_added", "none_yet", "pin",
    "to_conclusion", "too_few", "small_group", "patterns_unavailable", "patterns_stale",
    "patterns_themes", "patterns_common_ground", "patterns_dividing_lines",
    "patterns_distinctive", "patterns_blind_spots", "patterns_circles", "patterns_manual",
    "patterns_asks", "asks_count", "asks_about", "asks_top",
    "pin_map", "group_needs_selection", "group_added", "open_before", "close_before",
    "open_after", "close_after", "raters", "findings_on_screen", "finding_to_conclusion",
    "why_list", "recognition_map", "recognition_explained", "general_conclusions", "thanks",
    "sent", "locked", "rating_done", "previous", "next", "why_save", "before", "after",
    "phones_one", "phones_other"})


#: The phone's dialogue strings (issue 17): they come with the dialogue part the phone
#: fetches once the session gets there (``participant.dialogue_part``), not with the page.
PHONE_DIALOGUE = frozenset({
    "all_perspectives", "question_to", "question_from_to", "empty_question", "question_sent",
    "no_questions", "no_questions_to_you", "support_plus", "supports_n", "your_answer",
    "send_answer", "answer_sent", "empty_answer", "answers", "no_answers", "new_question",
    "new_answer", "harvest_sent", "empty_harvest", "no_harvests"})


def dialogue_strings() -> dict[str, str]:
    """The strings of the phone's dialogue part, in the request's language."""
    strings = client_strings()
    return {key: strings[key] for key in sorted(PHONE_DIALOGUE)}


def socket_context(actor: Actor, via: Role | None = None) -> dict[str, Any]:
    """What a live page needs to connect: code, signed page token, strings (``via``: see
    ``auth.page_token``)."""
    strings = client_strings()
    if actor.role == Role.PARTICIPANT:
        strings = {k: v for k, v in strings.items()
                   if k not in NOT_ON_PHONE and k not in PHONE_DIALOGUE}
    return {"code": actor.code, "code_display": joincode.display(actor.code),
            "socket_token": page_token(actor, via), "strings": strings}
