"""Distinctive concerns: what one perspective names far more often than the others."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..text import is_concept
from .context import OTHER, _Ctx, _item, _merge_note
from .index import _examples, _prune, _quotes, _TextIndex, _with_variants, _words
from .stats import _hypergeom_sf, _r


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
    # a term made of generic words only ("nieuwe collega") is style, never a concern
    meaningful = ~index.vocab.generic_mask()[cand]
    over = tested & (sub >= s.distinct_min_authors) & (z > 0) \
        & (ratio >= s.distinct_min_ratio) & meaningful[None, :] \
        & (sub >= s.distinct_min_share * sizes[:, None])
    p = np.ones(z.shape)
    rows, cols = np.nonzero(over)
    if rows.size:
        p[rows, cols] = _hypergeom_sf(sub[rows, cols], sub_tot[cols], sizes[rows], n_authors)
    users = _author_columns(index, groups, members, cand, sub_tot >= s.distinct_min_authors)
    threshold, q = _permutation_threshold(users, p, over, sizes, sub_tot, s, meaningful)
    keep = over & (p <= threshold)
    out = []
    for g_i, g in enumerate(groups):
        cols = np.nonzero(keep[g_i])[0]
        if cols.size == 0:
            continue
        keys = index.vocab.keys
        # A phrase is weaker evidence than a kept word of its own (a larger exact p:
        # "mantelzorgers verdienen", 4 of 5, beside "mantelzorgers", 5 of 5) only
        # repeats the word and does not take its place; "hybride werken" still replaces
        # "hybride" where the phrase is as strong.
        p_of = {keys[int(cand[j])]: float(p[g_i, j]) for j in cols}
        listed = _prune({k: int(sub[g_i, j]) for j in cols
                         if not _weaker_phrase(k := keys[int(cand[j])], p_of)}, True)
        # Ranked by the exact test, the evidence the permutation null calibrates: the
        # log-odds z shrinks a word nobody else uses towards the prior more than one a
        # single other person uses, so by z "lopen" (4 of 4, 1 other) led "cao" (4 of
        # 4, none) and a phrase (“mantelzorgers verdienen”, 4) led its word (5).
        ranked = sorted((j for j in cols if keys[int(cand[j])] in listed),
                        key=lambda j: (_r(p[g_i, j], 12), -_r(z[g_i, j], 6),
                                       keys[int(cand[j])]))
        leads = _concerns(ranked, users.who(g_i, ranked))
        for j in list(leads)[: s.max_distinct_per_perspective]:
            related = [index.display(int(cand[k])) for k in leads[j]]
            tid = int(cand[j])
            key = index.vocab.keys[tid]
            form = index.display(tid)
            if is_concept(key):
                # a concept of the field lexicon: name the other words people used for it
                related = _other_forms(index.forms.get(tid, {}), form) + related
            y, n = int(sub[g_i, j]), int(sizes[g_i])
            yr, nr = int(sub_tot[j]) - y, int(sizes.sum()) - n
            label = ctx.label(g)
            small = n < ctx.min_group
            expl = {"nl": f"Vanuit {label['nl']} wordt “{form}” veel vaker genoemd dan vanuit "
                          f"andere perspectieven: {y} van {n} deelnemers tegen {yr} van {nr}.",
                    "en": f"“{form}” is mentioned far more often from {label['en']} than from "
                          f"other perspectives: {y} of {n} participants versus {yr} of {nr}."}
            if related:
                also = ", ".join(f"“{r}”" for r in related)
                expl = {"nl": expl["nl"] + f" Zij schrijven er ook over als {also}.",
                        "en": expl["en"] + f" They also write about it as {also}."}
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
            rids = [rid for rid in _with_variants(index, ctx, tid)
                    if index.entries[rid].perspective in members[g]]
            counts = {"authors_using": y, "authors": n, "others_using": yr, "others": nr,
                      "reflections": len(rids), "z": _r(z[g_i, j], 3), "q": _r(q, 6),
                      "p": _r(p[g_i, j], 8), "tests": int(tested.sum())}
            extra: dict[str, Any] = {"term": form, "key": key, "phrase": " " in key,
                                     "perspective": g, "related": related}
            if ctx.pools:
                extra["merged"] = g == OTHER
            out.append(_item(ctx, f"distinct:{g}:{key}", "distinctive",
                             {"nl": f"Kenmerkend voor {label['nl']}: {form}",
                              "en": f"Distinctive for {label['en']}: {form}"},
                             expl, counts, [entry, rest],
                             _examples(index, ctx, rids, s.max_examples),
                             quotes=_quotes(index, ctx, rids, members), **extra))
    return out


def _other_forms(forms: dict[str, int], shown: str, limit: int = 3) -> list[str]:
    """The other words written for one concept ("AVG", "gegevensdeling" beside
    "privacy"), most used first, one spelling each."""
    seen = {shown.lower()}
    out: list[str] = []
    for written, _n in sorted(forms.items(), key=lambda kv: (-kv[1], kv[0].lower(), kv[0])):
        if written.lower() not in seen:
            seen.add(written.lower())
            out.append(written)
    return out[:limit]


def _weaker_phrase(key: str, p_of: dict[str, float]) -> bool:
    """True for a two-word phrase with a larger p-value than one of its words."""
    if " " not in key:
        return False
    return any(w in p_of and p_of[w] < p_of[key] for w in _words(key))


# -- calibration by the session's own permutation null -------------------------------

#: Label permutations of the session behind the false-discovery estimate (seeded: the
#: same session gives the same answer every time).
PERMUTATIONS = 40
_SEED = 20_26


class _Users:
    """Which author used which candidate term, with each author's group (a sparse
    author x term incidence), for permuting perspective labels over authors."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, labels: np.ndarray,
                 n_groups: int, n_cols: int) -> None:
        self.rows, self.cols, self.labels = rows, cols, labels
        self.n_groups, self.n_cols = n_groups, n_cols

    def counts(self, labels: np.ndarray) -> np.ndarray:
        """Authors using each term per group, for the given author labels."""
        cells = labels[self.rows] * self.n_cols + self.cols
        return np.bincount(cells, minlength=self.n_groups * self.n_cols) \
            .reshape(self.n_groups, self.n_cols)

    def who(self, group: int, cols: list[int]) -> dict[int, set[int]]:
        """Column -> the authors of ``group`` using it, for the columns ``cols``."""
        out: dict[int, set[int]] = {}
        wanted = np.array(cols, dtype=np.int64)
        mine = (self.labels[self.rows] == group) & np.isin(self.cols, wanted)
        for a, c in zip(self.rows[mine].tolist(), self.cols[mine].tolist(), strict=True):
            out.setdefault(c, set()).add(a)
        return out


def _author_columns(index: _TextIndex, groups: list[str], members: dict[str, list[str]],
                    cand: np.ndarray, testable: np.ndarray) -> _Users:
    """The incidence behind the permutations; kept on the index until it changes (a
    recomputation after a reaction does not rebuild it)."""
    key = (index.generation, tuple(groups), tuple(tuple(members[g]) for g in groups),
           cand.tobytes(), testable.tobytes())
    cached = getattr(index, "users_cache", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    users = _build_author_columns(index, groups, members, cand, testable)
    index.users_cache = (key, users)
    return users


def _build_author_columns(index: _TextIndex, groups: list[str], members: dict[str, list[str]],
                          cand: np.ndarray, testable: np.ndarray) -> _Users:
    group_of = {pid: gi for gi, g in enumerate(groups) for pid in members[g]}
    # term id -> candidate column (or -1), so every author's terms map in one step
    col_of = np.full(len(index.vocab.keys), -1, dtype=np.int64)
    col_of[cand[testable]] = np.nonzero(testable)[0]
    labels: list[int] = []
    parts: list[np.ndarray] = []
    owners: list[int] = []
    for author in index.author_terms:
        gi = group_of.get(author.rsplit("\x1f", 1)[-1])
        if gi is None:
            continue
        cols = col_of[index.terms_of(author)]
        cols = cols[cols >= 0]
        parts.append(cols)
        owners.append(len(labels))
        labels.append(gi)
    if parts:
        cols = np.concatenate(parts)
        rows = np.repeat(np.array(owners, dtype=np.int64),
                         np.array([p.size for p in parts], dtype=np.int64))
    else:
        cols = rows = np.zeros(0, dtype=np.int64)
    return _Users(rows, cols, np.array(labels, dtype=np.int64), len(groups), len(cand))


def _candidates(y: np.ndarray, sizes: np.ndarray, tot: np.ndarray, s: Any) -> np.ndarray:
    """The cells that could be a distinctive concern: enough authors, far more often."""
    rest = sizes.sum() - sizes
    share_i = (y + 1.0) / (sizes[:, None] + 2.0)
    share_j = (tot[None, :] - y + 1.0) / (rest[:, None] + 2.0)
    return (y >= s.distinct_min_authors) & (share_i / share_j >= s.distinct_min_ratio) \
        & (rest[:, None] > 0) & (y >= s.distinct_min_share * sizes[:, None])


def _permutation_threshold(users: _Users, p: np.ndarray, over: np.ndarray, sizes: np.ndarray,
                           tot: np.ndarray, s: Any, meaningful: np.ndarray | None = None
                           ) -> tuple[float, float]:
    """The largest p-value threshold whose estimated false-discovery rate stays at most
    ``distinct_fdr``, with the null taken from the session itself: the perspective labels
    are shuffled over the authors ``PERMUTATIONS`` times, and each time the same
    selection (enough authors, far more often) and the same exact test are applied. The
    estimate at a threshold t is (mean number of shuffled cells with p <= t) / (number
    of observed cells with p <= t). Unlike a Bonferroni or Benjamini-Hochberg step over
    every word tested, this counts only what chance really produces in a room of this
    size, so a word used by 3 of 4 union members and nobody else can surface.

    Returns (threshold, estimated FDR at it); threshold -1 keeps nothing.
    """
    observed = np.sort(p[over])
    if observed.size == 0 or users.rows.size == 0:
        return -1.0, 1.0
    rng = np.random.default_rng(_SEED)
    n_authors = int(sizes.sum())
    # a large room needs fewer shuffles for the same calibration (many cells per shuffle)
    rounds = PERMUTATIONS if n_authors <= 500 else PERMUTATIONS // 2
    null: list[np.ndarray] = []
    for _ in range(rounds):
        y = users.counts(rng.permutation(users.labels))
        cells = _candidates(y, sizes, tot, s)
        if meaningful is not None:
            # the same selection as the observed cells: never a term of generic words only
            cells &= meaningful[None, :]
        r, c = np.nonzero(cells)
        if r.size:
            null.append(_hypergeom_sf(y[r, c], tot[c], sizes[r], n_authors))
    pooled = np.sort(np.concatenate(null)) if null else np.zeros(0)
    best, best_q = -1.0, 1.0
    for k, t in enumerate(observed, start=1):
        false = np.searchsorted(pooled, t, side="right") / rounds
        fdr = false / k
        if fdr <= s.distinct_fdr:
            best, best_q = float(t), float(fdr)
    return best, best_q


def _concerns(ranked: list[int], who: dict[int, set[int]]) -> dict[int, list[int]]:
    """Group a perspective's distinctive terms into concerns: a term most of whose users
    (at least 60 %, counted on the smaller side) also use a higher-ranked term is the
    same concern in other words ("loonruimte" with "cao"), listed under it."""
    leads: dict[int, list[int]] = {}
    for j in ranked:
        mine = who.get(j, set())
        home = next((lead for lead in leads
                     if mine and len(mine & who.get(lead, set()))
                     >= 0.6 * min(len(mine), len(who.get(lead, set())) or 1)), None)
        if home is None:
            leads[j] = []
        else:
            leads[home].append(j)
    return leads
