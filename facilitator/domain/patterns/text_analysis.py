"""The text analysis: per-perspective author counts of each term, with small groups
pooled for audiences that may not see them, feeding themes and distinctive concerns."""

from __future__ import annotations

from typing import Any

import numpy as np

from .context import OTHER, _Ctx
from .distinctive import _distinctive
from .index import _TextIndex
from .themes import _themes


def _text_analysis(index: _TextIndex, ctx: _Ctx) -> dict[str, Any]:
    s = ctx.settings
    full = index.matrix()
    rows = [i for i in range(len(index.row_keys)) if index.row_authors[i] > 0]
    rows.sort(key=lambda i: (ctx.key(index.row_keys[i]), index.row_keys[i]))
    groups = [index.row_keys[i] for i in rows]
    members: dict[str, list[str]] = {g: [g] for g in groups}
    mat = full[rows].astype(np.int64) if rows else np.zeros((0, full.shape[1]), np.int64)
    sizes = np.array([index.row_authors[i] for i in rows], dtype=np.int64)
    merged: list[str] = []
    if ctx.screen and len(groups):
        small = sizes < ctx.min_group
        if small.any():
            merged = [g for g, sm in zip(groups, small, strict=True) if sm]
            keep = ~small
            other_row = mat[small].sum(0, keepdims=True)
            mat = np.vstack([mat[keep], other_row])
            sizes = np.concatenate([sizes[keep], [sizes[small].sum()]])
            groups = [g for g, sm in zip(groups, small, strict=True) if not sm] + [OTHER]
            members = {g: [g] for g in groups[:-1]}
            members[OTHER] = merged
    n_groups = len(groups)
    n_authors = int(sizes.sum())
    totals = mat.sum(0) if n_groups else np.zeros(full.shape[1], np.int64)
    min_auth = min(s.theme_min_authors, s.distinct_min_authors)
    cand = np.nonzero(totals >= max(min_auth, 1))[0]
    notes: list[dict[str, str]] = []
    too_few = n_authors < s.min_text_authors or n_groups < 2
    if too_few:
        notes.append({"id": "note:too-few-text",
                      "nl": f"Te weinig reflecties om thema's te duiden ({n_authors} deelnemers "
                            f"schreven, uit {n_groups} perspectieven).",
                      "en": f"Too few reflections to interpret themes ({n_authors} participants "
                            f"wrote, from {n_groups} perspectives)."})
    result: dict[str, Any] = {"themes": [], "distinctive": [], "notes": notes,
                              "too_few": too_few, "n_authors": n_authors, "n_groups": n_groups,
                              "n_terms": int(np.count_nonzero(totals)),
                              "authors": dict(zip(groups, sizes.tolist(), strict=True)),
                              "members": members}
    if n_groups < 2 or cand.size == 0:
        return result
    sub = mat[:, cand]
    sub_tot = totals[cand]
    fmask = index.vocab.function_mask()[cand]
    result["themes"] = _themes(index, ctx, groups, members, sizes, sub, sub_tot, cand, fmask,
                               bool(merged))
    result["distinctive"] = _distinctive(index, ctx, groups, members, sizes, mat, sub, sub_tot,
                                         cand, bool(merged))
    return result
