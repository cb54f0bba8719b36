"""Blind spots: absent and silent perspectives, no reactions to others, findings
nobody reflected on."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..model import Reflection, WorkshopData
from ..privacy import pool_assignment
from .context import OTHER, _Ctx, _item

# -- blind spots and the per-perspective summary --------------------------------------

def _blind_spots(data: WorkshopData, scoped: list[Reflection], ctx: _Ctx,
                 given: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    participants = Counter(p.perspective for p in data.participants)
    # who is named follows the small-group rule over the people of each perspective
    where = pool_assignment({pid: range(n) for pid, n in participants.items()}, ctx.min_group)
    wrote = Counter(r.perspective for r in scoped)
    any_reactions = sum(g["total"] for g in given.values()) > 0
    out: list[dict[str, Any]] = []
    small_silent: list[str] = []
    small_mute: list[str] = []
    for pid in ctx.order:
        label = ctx.label(pid)
        n = participants.get(pid, 0)
        if n == 0:
            if pid in ctx.invited:
                out.append(_item(ctx, f"blind:absent:{pid}", "absent",
                                 {"nl": f"Afwezig: {label['nl']}", "en": f"Absent: {label['en']}"},
                                 {"nl": f"Uitgenodigd maar niet aanwezig: {label['nl']}.",
                                  "en": f"Invited but absent: {label['en']}."},
                                 {"participants": 0},
                                 [{"id": pid, "label": label, "participants": 0}], [],
                                 perspective=pid))
            continue
        small = where.get(pid) != pid
        if wrote.get(pid, 0) == 0:
            if ctx.pools and small:
                small_silent.append(pid)
            else:
                what = ("gedeelde reflecties", "shared reflections") if ctx.pools \
                    else ("reflecties", "reflections")
                entry = {"id": pid, "label": label, "participants": n, "reflections": 0}
                if not ctx.pools:
                    entry["small_group"] = small
                out.append(_item(ctx, f"blind:silent:{pid}", "silent",
                                 {"nl": f"Stil: {label['nl']}", "en": f"Silent: {label['en']}"},
                                 {"nl": f"{label['nl']}: {n} deelnemers, maar nog geen "
                                        f"{what[0]}.",
                                  "en": f"{label['en']}: {n} participants, but no {what[1]} "
                                        "yet."},
                                 {"participants": n, "reflections": 0}, [entry], [],
                                 perspective=pid))
        if any_reactions and given.get(pid, {}).get("to_others", 0) == 0:
            if ctx.pools and small:
                small_mute.append(pid)
            else:
                entry = {"id": pid, "label": label, "participants": n,
                         "reactions_to_others": 0}
                if not ctx.pools:
                    entry["small_group"] = small
                out.append(_item(ctx, f"blind:no-reactions:{pid}", "no_reactions",
                                 {"nl": f"Reageerde niet op anderen: {label['nl']}",
                                  "en": f"No reactions to others: {label['en']}"},
                                 {"nl": f"{label['nl']} ({n} deelnemers) reageerde nog op geen "
                                        "enkele reflectie van een ander perspectief.",
                                  "en": f"{label['en']} ({n} participants) has not reacted to "
                                        "any reflection of another perspective yet."},
                                 {"participants": n, "reactions_to_others": 0}, [entry], [],
                                 perspective=pid))
    for kind, pids, nl, en in (
            ("silent", small_silent, "deelden nog geen reflecties", "have shared no reflections"),
            ("no_reactions", small_mute, "reageerden nog niet op andere perspectieven",
             "have not reacted to other perspectives")):
        # like any pool, only from two perspectives on: one alone would point at itself
        if len(pids) >= 2:
            k = len(pids)
            out.append(_item(ctx, f"blind:{kind}:{OTHER}", kind,
                             {"nl": "Kleine groepen", "en": "Small groups"},
                             {"nl": f"{k} kleine perspectieven (minder dan {ctx.min_group} "
                                    f"deelnemers) {nl}; ze worden niet bij naam genoemd.",
                              "en": f"{k} small perspectives (fewer than {ctx.min_group} "
                                    f"participants) {en}; they are not named."},
                             {"perspectives": k},
                             [{"id": OTHER, "label": ctx.label(OTHER), "merged": k}], [],
                             merged=True, perspective=OTHER))
    reflected = {r.finding for r in scoped if r.finding}
    for finding in data.workshop.findings:
        if finding.id in reflected:
            continue
        title = finding.title or finding.id
        if ctx.pools:
            expl = {"nl": f"Over bevinding “{title}” is nog geen reflectie gedeeld.",
                    "en": f"No reflection on the finding “{title}” has been shared yet."}
        else:
            expl = {"nl": f"Op bevinding “{title}” heeft nog geen kring gereflecteerd.",
                    "en": f"No circle has reflected on the finding “{title}” yet."}
        out.append(_item(ctx, f"blind:finding:{finding.id}", "unreflected_finding",
                         {"nl": f"Niet besproken: {title}", "en": f"Not discussed: {title}"},
                         expl, {"reflections": 0}, [], [], finding=finding.id))
    return out
