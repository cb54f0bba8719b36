"""The dialogue in the patterns (issue 17): what each perspective asks most, questions
nobody answered (a blind spot), the reasons behind *niet herkenbaar* on a dividing
line, and table harvests that name a theme.

What an audience sees follows the rules table: question and reason texts only for a
viewer who may read them (``Action.VIEW_QUESTIONS``, ``Action.VIEW_REASONS``: the
console); the screen and a report's reader get counts, each per-perspective figure
only when at least ``min_group`` people stand behind it (``privacy.pool_assignment``),
and harvests only once shared.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..model import WorkshopData
from ..privacy import pool_assignment
from ..rules import Action, allowed
from ..text import generic_keys, most_frequent_form, normalise
from .context import OTHER, _Ctx, _excerpt, _item
from .text_analysis import variant_keys

#: Terms listed per group (asking perspective, or perspective giving reasons), and the
#: fewest of its texts (questions, reasons) that must use a term.
ASK_TERMS = 3
ASK_MIN_QUESTIONS = 2


def _terms(text: str) -> tuple[set[str], dict[str, str]]:
    """The meaningful term keys of a text (no negations, modals or generic words alone)
    and the form written for each."""
    norm = normalise(text)
    generic = generic_keys()
    keys = {k for k in norm.terms if k not in norm.function_terms and k not in generic
            and not all(w in generic or w in norm.function_terms for w in k.split(" "))}
    forms: dict[str, str] = {}
    for key, form in norm.forms:
        if key in keys:
            forms.setdefault(key, form)
    return keys, forms


def _by_group(records: list[Any], ctx: _Ctx) -> dict[str, list[Any]]:
    """``records`` (questions, reasons) by the group their writer's perspective shows
    as: its own, or pooled (``privacy.pool_assignment``) when the viewer pools; a
    group that may not be shown at all is left out."""
    people: dict[str, set[str]] = {}
    for r in records:
        people.setdefault(r.perspective, set()).add(r.participant)
    where = pool_assignment(people, ctx.min_group) if ctx.pools \
        else {pid: pid for pid in people}
    groups: dict[str, list[Any]] = {}
    for r in records:
        group = where.get(r.perspective)
        if group is not None:
            groups.setdefault(group, []).append(r)
    return groups


def _top_terms(texts: list[str]) -> list[str]:
    """The ``ASK_TERMS`` terms most of ``texts`` use (at least ``ASK_MIN_QUESTIONS``
    of them), each in the form written most."""
    counter: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        keys, written = _terms(text)
        counter.update(keys)
        for k, f in written.items():
            forms.setdefault(k, Counter())[f] += 1
    top = [k for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
           if n >= ASK_MIN_QUESTIONS][:ASK_TERMS]
    return [most_frequent_form(forms[k]) for k in top]


def _dialogue(data: WorkshopData, ctx: _Ctx) -> dict[str, Any]:
    """``{"asks": [...], "unanswered": [...]}``: per asking perspective the number of
    questions and askers, the terms it asks about most and (console only) its most
    supported question; the questions without an answer, per addressed perspective."""
    sees_texts = allowed(ctx.viewer.role, Action.VIEW_QUESTIONS, ctx.viewer.kind)
    questions = list(data.questions)
    grouped = _by_group(questions, ctx)
    asks = []
    for group in sorted(grouped, key=lambda g: (ctx.key(g), g)):
        qs = grouped[group]
        people = {q.participant for q in qs}
        entry: dict[str, Any] = {
            "id": group, "label": ctx.label(group), "questions": len(qs),
            "askers": len(people), "terms": _top_terms([q.text for q in qs])}
        if group == OTHER:
            entry["merged"] = len({q.perspective for q in qs})
        if not ctx.pools:
            entry["small_group"] = len(people) < ctx.min_group
        if sees_texts:
            best = sorted(qs, key=lambda q: (-len(q.supporters), q.created_at, q.id))[0]
            entry["top_question"] = {"id": best.id, "text": _excerpt(best.text, 160),
                                     "supporters": len(best.supporters)}
        asks.append(entry)
    answered = {a.question for a in data.answers}
    open_by: dict[str, list[Any]] = {}
    for q in questions:
        if q.id not in answered:
            open_by.setdefault(q.to, []).append(q)
    return {"asks": asks, "open": open_by, "sees_texts": sees_texts}


def _unanswered_blind_spots(dialogue: dict[str, Any], ctx: _Ctx) -> list[dict[str, Any]]:
    """One blind spot per addressed perspective (or "all") whose questions nobody
    answered: a question to an absent perspective is a finding in itself."""
    out = []
    for to in sorted(dialogue["open"], key=lambda t: (t != "all", ctx.key(t), t)):
        qs = dialogue["open"][to]
        label = {"nl": "alle perspectieven", "en": "all perspectives"} if to == "all" \
            else ctx.label(to)
        n = len(qs)
        expl = {"nl": f"{n} {'vraag' if n == 1 else 'vragen'} aan {label['nl']} "
                      f"{'bleef' if n == 1 else 'bleven'} onbeantwoord.",
                "en": f"{n} {'question' if n == 1 else 'questions'} to {label['en']} "
                      f"{'was' if n == 1 else 'were'} not answered."}
        extra: dict[str, Any] = {"perspective": to}
        if dialogue["sees_texts"]:
            extra["questions"] = [{"id": q.id, "text": _excerpt(q.text, 160),
                                   "from": q.perspective, "supporters": len(q.supporters)}
                                  for q in sorted(qs, key=lambda q: (-len(q.supporters), q.id))]
        out.append(_item(ctx, f"blind:unanswered:{to}", "unanswered_questions",
                         {"nl": f"Onbeantwoorde vragen aan {label['nl']}",
                          "en": f"Unanswered questions to {label['en']}"},
                         expl, {"questions": n}, [{"id": to, "label": label}], [], **extra))
    return out


def _add_reasons(items: list[dict[str, Any]], data: WorkshopData, ctx: _Ctx) -> None:
    """Beside each dividing line, the reasons people gave with *niet herkenbaar* on its
    reflection, per perspective: the words they use most, and (console only) up to three
    excerpts. A viewer who may not read reasons gets per-perspective counts where at
    least ``min_group`` people gave one (smaller ones pooled as the rule says)."""
    sees_texts = allowed(ctx.viewer.role, Action.VIEW_REASONS, ctx.viewer.kind)
    by_target: dict[str, list[Any]] = {}
    for x in data.reactions:
        if x.kind == "disagree" and (x.text or "").strip():
            by_target.setdefault(f"r:{x.reflection}", []).append(x)
    for item in items:
        if item["kind"] != "dividing":
            continue
        groups = _by_group(by_target.get(item.get("target", ""), []), ctx)
        out = []
        for g in sorted(groups, key=lambda g: (ctx.key(g), g)):
            xs = groups[g]
            entry: dict[str, Any] = {
                "id": g, "label": ctx.label(g), "reasons": len(xs),
                "terms": _top_terms([x.text for x in xs])}
            if sees_texts:
                entry["texts"] = [{"id": x.id, "text": _excerpt(x.text, 160)}
                                  for x in sorted(xs, key=lambda x: (x.created_at, x.id))[:3]]
            out.append(entry)
        item["reasons"] = out
        item["counts"]["reasons"] = sum(e["reasons"] for e in out)
        if out:
            n = item["counts"]["reasons"]
            names = {lg: ", ".join(e["label"][lg] for e in out) for lg in ("nl", "en")}
            item["explanation"] = {
                "nl": item["explanation"]["nl"] + f" {n} gaven een reden bij ‘niet herkenbaar’ "
                                                  f"({names['nl']}).",
                "en": item["explanation"]["en"] + f" {n} gave a reason with ‘not recognised’ "
                                                  f"({names['en']})."}
            item["text"] = item["explanation"][ctx.lang]


def _add_harvests(themes: list[dict[str, Any]], data: WorkshopData, ctx: _Ctx) -> None:
    """Per theme, the table harvests (*Wat ons opviel*) that name it or a variant of it:
    their number and ids (the screen and a report count shared harvests only)."""
    harvests = [h for h in data.harvests if h.shared or not ctx.pools]
    if not themes:
        return
    terms = {h.id: set(normalise(h.text or "").terms) for h in harvests}
    for theme in themes:
        keys = {theme["key"], *variant_keys(theme["key"])}
        ids = [h.id for h in harvests if terms[h.id] & keys]
        theme["harvests"] = ids
        theme["counts"]["harvests"] = len(ids)
