"""Distinctive concerns: what one perspective names far more often than the others."""

from __future__ import annotations

from typing import Any

import numpy as np

from .context import OTHER, _Ctx, _item, _merge_note
from .index import _examples, _prune, _TextIndex
from .stats import _bh, _hypergeom_sf, _r


def _distinctive(index: _TextIndex, ctx: _Ctx, groups: list[str], members: dict[str, list[str]],
                 sizes: np.ndarray, mat: np.ndarray, sub: np.ndarray, sub_tot: np.ndarray,
                 cand: np.ndarray, merged: bool) -> list[dict[str, Any]]:
    """Monroe, Colaresi & Quinn's weighted log-odds with an informative Dirichlet prior."""
    s = ctx.settings
    n_i = mat.sum(1).astype(float)                    # author-term incidences per group
    n_all = float(n_i.sum())
    if n_all <= 0:
        return []
    a0 = max(s.distinct_prior * n_all, 1.0)
    alpha = a0 * sub_tot / n_all                      # informative prior per term
    y_i = sub.astype(float)
    y_j = sub_tot[None, :] - y_i
    n_j = n_all - n_i
    with np.errstate(divide="ignore", invalid="ignore"):
        odds_i = (y_i + alpha) / (n_i[:, None] + a0 - y_i - alpha)
        odds_j = (y_j + alpha) / (n_j[:, None] + a0 - y_j - alpha)
        delta = np.log(odds_i) - np.log(odds_j)
        var = 1.0 / (y_i + alpha) + 1.0 / (y_j + alpha)
        z = delta / np.sqrt(var)
    z = np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)
    n_authors = int(sizes.sum())
    rest = n_authors - sizes
    tested = np.broadcast_to((sizes > 0)[:, None] & (rest > 0)[:, None]
                             & (sub_tot >= s.distinct_min_authors)[None, :], z.shape)
    if not tested.any():
        return []
    # "far more": the smoothed share in the perspective is at least distinct_min_ratio times
    # the smoothed share among the others.
    share_i = (y_i + 1.0) / (sizes[:, None] + 2.0)
    share_j = (y_j + 1.0) / (rest[:, None] + 2.0)
    ratio = share_i / share_j
    # Exact label-permutation p-value of each cell: under random perspective labels the
    # number of the perspective's authors among the term's users is hypergeometric.
    # Only over-represented cells that could be kept get one; the others keep p = 1,
    # which never makes the Benjamini-Hochberg step less strict.
    over = tested & (sub >= s.distinct_min_authors) & (z > 0) & (ratio >= s.distinct_min_ratio)
    p = np.ones(z.shape)
    rows, cols = np.nonzero(over)
    if rows.size:
        p[rows, cols] = _hypergeom_sf(sub[rows, cols], sub_tot[cols], sizes[rows], n_authors)
    q = np.ones(z.shape)
    q[tested] = _bh(p[tested])
    keep = over & (q <= s.distinct_fdr)
    out = []
    for g_i, g in enumerate(groups):
        cols = np.nonzero(keep[g_i])[0]
        if cols.size == 0:
            continue
        keys = index.vocab.keys
        listed = _prune({keys[int(cand[j])]: int(sub[g_i, j]) for j in cols}, True)
        ranked = sorted((j for j in cols if keys[int(cand[j])] in listed),
                        key=lambda j: (-_r(z[g_i, j], 6), keys[int(cand[j])]))
        for j in ranked[: s.max_distinct_per_perspective]:
            tid = int(cand[j])
            key = index.vocab.keys[tid]
            form = index.display(tid)
            y, n = int(sub[g_i, j]), int(sizes[g_i])
            yr, nr = int(sub_tot[j]) - y, int(sizes.sum()) - n
            label = ctx.label(g)
            small = n < ctx.min_group
            expl = {"nl": f"Vanuit {label['nl']} wordt “{form}” veel vaker genoemd dan vanuit "
                          f"andere perspectieven: {y} van {n} deelnemers tegen {yr} van {nr}.",
                    "en": f"“{form}” is mentioned far more often from {label['en']} than from "
                          f"other perspectives: {y} of {n} participants versus {yr} of {nr}."}
            if g == OTHER:
                note = _merge_note(ctx.min_group)
                expl = {lg: expl[lg] + note[lg] for lg in expl}
            entry: dict[str, Any] = {"id": g, "label": label, "authors_using": y, "authors": n,
                                     "share": _r(y / n)}
            rest: dict[str, Any] = {"id": "rest", "label": {"nl": "de anderen",
                                                            "en": "the others"},
                                    "authors_using": yr, "authors": nr,
                                    "share": _r(yr / nr if nr else 0)}
            if not ctx.pools:
                entry["small_group"] = small
                rest["small_group"] = False
            elif g == OTHER:
                entry["merged"] = len(members[g])
            rids = [rid for rid in index.postings.get(tid, [])
                    if index.entries[rid].perspective in members[g]]
            counts = {"authors_using": y, "authors": n, "others_using": yr, "others": nr,
                      "reflections": len(rids), "z": _r(z[g_i, j], 3), "q": _r(q[g_i, j], 6),
                      "tests": int(tested.sum())}
            extra: dict[str, Any] = {"term": form, "key": key, "phrase": " " in key,
                                     "perspective": g}
            if ctx.pools:
                extra["merged"] = g == OTHER
            out.append(_item(ctx, f"distinct:{g}:{key}", "distinctive",
                             {"nl": f"Kenmerkend voor {label['nl']}: {form}",
                              "en": f"Distinctive for {label['en']}: {form}"},
                             expl, counts, [entry, rest],
                             _examples(index, ctx, rids, s.max_examples), **extra))
    return out
