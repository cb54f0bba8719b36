"""The per-perspective summary (who came, wrote and reacted)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from ..model import Reflection, WorkshopData
from ..privacy import pool_assignment
from ..text import generic_keys
from .context import OTHER, _Ctx, _excerpt, _item
from .index import _prune, _TextIndex


def _perspective_summary(data: WorkshopData, scoped: list[Reflection], ctx: _Ctx,
                         authors: dict[str, int], given: dict[str, dict[str, int]]
                         ) -> list[dict[str, Any]]:
    participants = Counter(p.perspective for p in data.participants)
    wrote = Counter(r.perspective for r in scoped)
    out: list[dict[str, Any]] = []
    pooled = {"participants": 0, "reflections": 0, "reactions": 0, "merged": 0}
    where = pool_assignment({pid: range(n) for pid, n in participants.items()}, ctx.min_group)
    for pid in ctx.order:
        n = participants.get(pid, 0)
        row = {"id": pid, "label": ctx.label(pid), "invited": pid in ctx.invited,
               "participants": n, "reflections": wrote.get(pid, 0),
               "reactions": given.get(pid, {}).get("total", 0)}
        if not ctx.pools:
            row["authors"] = authors.get(pid, 0)
            row["reactions_to_others"] = given.get(pid, {}).get("to_others", 0)
            row["small_group"] = n > 0 and where.get(pid) != pid
            out.append(row)
        elif n == 0 or where.get(pid) == pid:
            out.append(row)
        else:
            pooled["participants"] += n
            pooled["reflections"] += row["reflections"]
            pooled["reactions"] += row["reactions"]
            pooled["merged"] += 1
    if ctx.pools and pooled["merged"]:
        row = {"id": OTHER, "label": ctx.label(OTHER), "invited": False, "merged": pooled["merged"]}
        if OTHER in where.values():
            row.update(participants=pooled["participants"], reflections=pooled["reflections"],
                       reactions=pooled["reactions"])
        else:
            row["hidden"] = True
        out.append(row)
    return out


#: Key phrases listed per circle, and the fewest writers of a circle the screen summarises.
CIRCLE_PHRASES = 5


def _circle_summaries(index: _TextIndex, data: WorkshopData, scoped: list[Reflection],
                      ctx: _Ctx) -> list[dict[str, Any]]:
    """Per circle: three to five key phrases and its most-recognised reflection,
    extractive and local (no model).

    A key phrase is a term many of the circle's writers use and few other circles do
    (authors in the circle x log(1 + circles / circles using it)); generic words of the
    field and negations/modals are left out, and a word gives way to a phrase that holds
    most of its use. The most-recognised reflection is the circle's reflection with the
    most "herkenbaar" reactions the viewer may see. For the screen and a report a circle
    with fewer than ``min_group`` writers is not summarised (it would point at people).
    """
    circle_of = {r.id: r.circle for r in scoped}
    cached = getattr(index, "circles_cache", None)
    # In a large session (2,000 reflections and more) the key phrases are rebuilt after
    # every 1 % of changed reflections rather than after each one: a phrase list does not
    # turn on one reflection, and the rebuild would take the recompute past its budget.
    slack = len(index.entries) // 100 if len(index.entries) >= 2000 else 0
    if cached is not None and 0 <= index.generation - cached[0] <= slack:
        writers, phrases_of, rids_of = cached[1]
    else:
        writers, phrases_of, rids_of = _circle_phrases(index, circle_of)
        index.circles_cache = (index.generation, (writers, phrases_of, rids_of))
    if not writers:
        return []
    agree: dict[str, int] = {}
    if ctx.sees_reactions:
        for x in data.reactions:
            if x.kind == "agree" and x.reflection in circle_of:
                agree[x.reflection] = agree.get(x.reflection, 0) + 1
    names = {c.id: {"nl": c.name or c.id, "en": c.name_en or c.name or c.id}
             for c in data.workshop.circles}
    out = []
    for circle in sorted(writers, key=lambda c: (list(names).index(c) if c in names
                                                 else len(names), c)):
        n = len(writers[circle])
        if ctx.pools and n < ctx.min_group:
            continue
        phrases = phrases_of.get(circle, [])
        mine = rids_of.get(circle, [])
        best = max(mine, key=lambda rid: (agree.get(rid, 0), -index.entries[rid].sort_key[0],
                                          rid), default=None)
        label = names.get(circle, {"nl": circle, "en": circle})
        terms = {lg: ", ".join(f"“{p['term']}”" for p in phrases) or "—" for lg in ("nl", "en")}
        expl = {"nl": f"Kernwoorden van {n} schrijvers: {terms['nl']}.",
                "en": f"Key phrases of {n} writers: {terms['en']}."}
        quotes = []
        if best is not None:
            votes = agree.get(best, 0)
            excerpt = _excerpt(index.entries[best].norm.text, 160)
            expl["nl"] += f" Meest herkend ({votes}×): “{excerpt}”"
            expl["en"] += f" Most recognised ({votes}×): “{excerpt}”"
            quotes = [{"id": best, "perspective": None, "label": None, "text": excerpt,
                       "agree": votes}]
        rids = [p["rids"] for p in phrases]
        rids = sorted({rid for group in rids for rid in group},
                      key=lambda rid: index.entries[rid].sort_key)[: ctx.settings.max_examples]
        phrases = [{k: v for k, v in p.items() if k != "rids"} for p in phrases]
        out.append(_item(ctx, f"circle:{circle}", "circle_summary",
                         {"nl": f"Kring {label['nl']}", "en": f"Circle {label['en']}"},
                         expl, {"writers": n, "phrases": len(phrases)}, [], rids,
                         circle=circle, phrases=phrases, quotes=quotes))
    return out


def _circle_phrases(index: _TextIndex, circle_of: dict[str, str]
                    ) -> tuple[dict[str, set[str]], dict[str, list[dict[str, Any]]],
                               dict[str, list[str]]]:
    """Writers, key phrases (with their reflections) and reflections per circle; kept on
    the index until a reflection changes (a reaction does not change them)."""
    writers: dict[str, set[str]] = {}
    users: dict[str, dict[int, set[str]]] = {}
    rids_of: dict[str, list[str]] = {}
    generic = generic_keys()
    keys = index.vocab.keys
    function = index.vocab.function_mask()
    for rid, entry in index.entries.items():
        circle = circle_of.get(rid)
        if not circle:
            continue
        writers.setdefault(circle, set()).add(entry.author)
        rids_of.setdefault(circle, []).append(rid)
        per = users.setdefault(circle, {})
        for tid in entry.norm.tids:
            who = per.get(tid)
            if who is None:
                per[tid] = {entry.author}
            else:
                who.add(entry.author)
    spread: dict[int, int] = {}
    for per in users.values():
        for tid in per:
            spread[tid] = spread.get(tid, 0) + 1
    n_circles = len(writers)
    phrases_of: dict[str, list[dict[str, Any]]] = {}
    for circle, per in users.items():
        n = len(writers[circle])
        score = {tid: len(who) * math.log(1.0 + n_circles / spread[tid])
                 for tid, who in per.items()
                 if len(who) >= min(2, n) and not function[tid] and keys[tid] not in generic}
        top = sorted(score, key=lambda t: (-round(score[t], 6), keys[t]))[: 6 * CIRCLE_PHRASES]
        listed = _prune({keys[t]: len(per[t]) for t in top}, False)
        ranked = [t for t in top if keys[t] in listed][:CIRCLE_PHRASES]
        phrases_of[circle] = [
            {"term": index.display(t), "key": keys[t], "authors": len(per[t]),
             "rids": [rid for rid in index.postings.get(t, []) if circle_of.get(rid) == circle]}
            for t in ranked]
    return writers, phrases_of, rids_of
