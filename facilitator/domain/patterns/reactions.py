"""The reaction analyses: common ground and dividing lines over one reaction table."""

from __future__ import annotations

from typing import Any

from ..model import Reflection, WorkshopData
from .common_ground import _common_ground
from .context import OTHER, _Ctx
from .dividing import _dividing
from .table import _grouped, _reaction_counts


def _reaction_analysis(data: WorkshopData, scoped: list[Reflection], ctx: _Ctx
                       ) -> dict[str, Any]:
    s = ctx.settings
    targets, table, people, given, n_reactions, n_endorse, cells = \
        _reaction_counts(data, scoped, ctx)
    col_ids = ctx.order + [OTHER]
    need = max(s.min_reactions, ctx.min_group) if ctx.pools else s.min_reactions
    n_rows = len(targets.ids)
    notes: list[dict[str, str]] = []
    result: dict[str, Any] = {"common_ground": [], "dividing_lines": [], "notes": notes,
                              "given": given, "n_reactions": n_reactions,
                              "n_endorsements": n_endorse}

    # -- common ground: leave out the author's own perspective ------------------
    own = table.copy()
    own_people = people.copy()
    for i, col in enumerate(targets.author_col):
        if col >= 0:
            own[i, col] = 0
            own_people[i, col] = 0
    cg, cg_merged = _grouped(own, own_people, ctx)
    cg_seen = cg.sum(2)
    common = _common_ground(ctx, targets, cg, cg_seen, need, col_ids, cg_merged)

    # -- dividing lines, splits and passes ----------------------------------------
    dv, merged_per_row = _grouped(table, people, ctx)
    dividing = _dividing(ctx, targets, dv, need, col_ids, merged_per_row, cells)

    tested_cg = int(((cg_seen >= need).sum(1) >= 2).sum()) if n_rows else 0
    result["too_few"] = n_reactions < s.min_reactions_total or tested_cg == 0
    result["too_few_endorsements"] = bool(
        any(k == "conclusion" for k in targets.kinds) and n_endorse < s.min_reactions_total)
    if result["too_few"]:
        notes.append({"id": "note:too-few-reactions",
                      "nl": f"Te weinig reacties om te interpreteren ({n_reactions} reacties; een "
                            f"perspectief telt mee vanaf {need} reacties op een reflectie en er "
                            "zijn minstens twee perspectieven nodig).",
                      "en": f"Too few reactions to interpret ({n_reactions} reactions; a "
                            f"perspective counts from {need} reactions to a reflection and at "
                            "least two perspectives are needed)."})
    result["common_ground"] = _distinct_titles(common)
    result["dividing_lines"] = _distinct_titles(dividing)
    return result


def _distinct_titles(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """No two items read the same: items about different reflections that begin with
    the same words are numbered after their excerpt ("… (2)"), so the facilitator can
    tell which reflection each is about."""
    seen: dict[tuple[str, str], list[str]] = {}
    for item in items:
        key = (item["kind"], item["title"]["nl"])
        targets = seen.setdefault(key, [])
        if item.get("target") not in targets:
            targets.append(item.get("target"))
    for item in items:
        targets = seen[(item["kind"], item["title"]["nl"])]
        if len(targets) > 1:
            n = targets.index(item.get("target")) + 1
            item["title"] = {lg: f"{t} ({n})" for lg, t in item["title"].items()}
    return items
