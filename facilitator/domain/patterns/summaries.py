"""The per-perspective summary (who came, wrote and reacted)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..model import Reflection, WorkshopData
from ..privacy import pool_assignment
from .context import OTHER, _Ctx


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
