"""The text analysis: per-perspective author counts of each term, with small groups
pooled for audiences that may not see them, feeding themes and distinctive concerns."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..privacy import pool_assignment
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
    index_groups = list(groups)
    if ctx.pools and len(groups):
        # The row counts distinct authors of a perspective (an author is one participant),
        # so the pool decision is about people, as privacy.pool_assignment requires.
        where = pool_assignment({g: range(int(n)) for g, n in zip(groups, sizes, strict=True)},
                                ctx.min_group)
        own = np.array([where.get(g) == g for g in groups], dtype=bool)
        pooled = np.array([where.get(g) == OTHER for g in groups], dtype=bool)
        if not own.all():
            merged = [g for g, keep in zip(groups, own, strict=True) if not keep]
            groups = [g for g, keep in zip(groups, own, strict=True) if keep]
            members = {g: [g] for g in groups}
            rows_kept = [mat[own]]
            size_kept = [sizes[own]]
            if pooled.any():
                # withheld groups (no pool of two perspectives and min_group people) drop out
                rows_kept.append(mat[pooled].sum(0, keepdims=True))
                size_kept.append([sizes[pooled].sum()])
                groups.append(OTHER)
                members[OTHER] = [g for g, pl in zip(index_groups, pooled, strict=True) if pl]
            mat = np.vstack(rows_kept)
            sizes = np.concatenate(size_kept).astype(np.int64)
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
    ctx.variants = _merge_variants(index, groups, members, sub, sub_tot, cand,
                                   s.theme_min_authors)
    fmask = index.vocab.function_mask()[cand]
    result["themes"] = _themes(index, ctx, groups, members, sizes, sub, sub_tot, cand, fmask,
                               bool(merged))
    result["distinctive"] = _distinctive(index, ctx, groups, members, sizes, mat, sub, sub_tot,
                                         cand, bool(merged))
    return result


def variant_keys(key: str) -> list[str]:
    """The keys that are the same word written otherwise: a noun in ``-te``
    (*werkdrukte* for *werkdruk*; keys are stems, so ``key + "t"``), the one who does it
    in ``-er`` (*mantelzorger* for *mantelzorg*) and the compound written as two words
    (*thuis werken* for *thuiswerken*: the phrase key whose two words joined give
    ``key``)."""
    out = [key + "t", key + "er"] if len(key) >= 5 and " " not in key else []
    # and the other way round: *mantelzorg* for *mantelzorger*, *werkdruk* for *werkdrukte*
    if " " not in key and len(key) >= 7 and key.endswith("er"):
        out.append(key[:-2])
    if " " not in key and len(key) >= 6 and key.endswith("t"):
        out.append(key[:-1])
    if " " not in key:
        out += [f"{key[:i]} {key[i:]}" for i in range(3, len(key) - 2)]
    return out


def _merge_variants(index: _TextIndex, groups: list[str], members: dict[str, list[str]],
                    sub: np.ndarray, sub_tot: np.ndarray, cand: np.ndarray,
                    min_authors: int) -> dict[int, list[int]]:
    """Count a term's variants with it (each author once), in place: the column of the
    candidate gets the authors of the term or any variant, a variant that is itself a
    candidate is emptied. Returns candidate term id -> the variant term ids merged."""
    ids = index.vocab.ids
    keys = index.vocab.keys
    col_of = {int(t): j for j, t in enumerate(cand)}
    group_of = {pid: gi for gi, g in enumerate(groups) for pid in members[g]}
    merged: dict[int, list[int]] = {}
    for j in np.nonzero(sub_tot >= min_authors)[0]:
        tid = int(cand[j])
        found = [v for k in variant_keys(keys[tid])
                 if (v := ids.get(k)) is not None and index.postings.get(v)]
        if not found or sub_tot[j] == 0:
            continue
        authors: list[set[str]] = [set() for _ in groups]
        for t in (tid, *found):
            for rid in index.postings.get(t, ()):
                entry = index.entries[rid]
                gi = group_of.get(entry.perspective)
                if gi is not None:
                    authors[gi].add(entry.author)
        sub[:, j] = [len(a) for a in authors]
        sub_tot[j] = int(sub[:, j].sum())
        for v in found:
            k = col_of.get(v)
            if k is not None:
                sub[:, k] = 0
                sub_tot[k] = 0
        merged[tid] = found
    return merged
