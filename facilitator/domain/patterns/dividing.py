"""Dividing lines: differences between perspectives, splits within one, many passes."""

from __future__ import annotations

from typing import Any

import numpy as np

from .context import _Ctx, _item, _merge_note
from .stats import _bh, _binom_sf, _r
from .table import _Cells, _entries, _grouped, _row_title, _Targets


def _dividing(ctx: _Ctx, targets: _Targets, dv: np.ndarray, need: int, col_ids: list[str],
              merged: np.ndarray, cells: _Cells) -> list[dict[str, Any]]:
    """Between-perspective differences, even splits within one perspective, many passes."""
    s = ctx.settings
    n_rows = len(targets.ids)
    if n_rows == 0:
        return []
    agree, disagree, passes = dv[..., 0], dv[..., 1], dv[..., 2]
    seen = dv.sum(2)
    inc = seen >= need
    # The test and the spread count the positions taken (herkenbaar against niet
    # herkenbaar): "geen mening" is no position, and counting it as "not recognised"
    # made every split weaker by the passes of that row. A perspective still needs
    # ``need`` reactions of any kind to be included.
    k, spread, chi2, p, pa, ps = _between(agree, agree + disagree, inc)
    tested = k >= 2
    cand = tested & (spread >= s.dividing_min_spread)
    q, chance, never = _permutation_fdr(ctx, cells, p, cand, need)
    # The rate alone lets a session with few real lines carry a chance one along (a
    # 40-person session has well under one real line, so a chance 5 of 5 against 0 of 6
    # at rank two passes 5 %). So also bound the lines as strong that chance draws in
    # this session per reflection tested: the same false alarms per reflection read at
    # 40 and at 120 people. Counted as at least ``BOUND_MIN_ROWS`` reflections: with a
    # handful tested the rate already binds (one row: chance <= 5 %) and the bound would
    # ask for more than nine people can show; and a split the shuffles never drew stays
    # allowed (the bound must not fall below what the null resolves).
    allowed = max(s.dividing_chance_per_row * max(int(tested.sum()), BOUND_MIN_ROWS), never)
    keep = np.nonzero(cand & (q <= s.dividing_fdr) & (chance <= allowed))[0]
    keep = sorted(keep, key=lambda i: (-_r(spread[i], 6), _r(q[i], 12), targets.ids[i]))
    out: list[dict[str, Any]] = []
    for i in keep[: s.max_dividing]:
        entries = _entries(ctx, dv[i], col_ids, inc[i], int(merged[i]))
        included = [e for e in entries if e.get("included") and not e.get("hidden")]
        # named by the positions taken, as tested (not by a rate that counts passes)
        top = max(included, key=lambda e: (_position_rate(e), -ctx.key(e["id"])))
        bottom = min(included, key=lambda e: (_position_rate(e), ctx.key(e["id"])))
        expl = {"nl": f"Perspectieven verschillen: {top['label']['nl']} {top['agree']} van "
                      f"{top['seen']} herkenbaar; {bottom['label']['nl']} {bottom['agree']} van "
                      f"{bottom['seen']}.",
                "en": f"Perspectives differ: {top['label']['en']} {top['agree']} of "
                      f"{top['seen']} recognise it; {bottom['label']['en']} {bottom['agree']} of "
                      f"{bottom['seen']}."}
        is_merged = bool(merged[i]) and ctx.pools
        if is_merged:
            note = _merge_note(ctx.min_group)
            expl = {lg: expl[lg] + note[lg] for lg in expl}
        counts = {"spread": _r(spread[i]), "chi2": _r(chi2[i], 3), "df": int(k[i] - 1),
                  "chance": _r(chance[i], 4),
                  "q": _r(q[i], 6), "perspectives": int(k[i]), "seen": int(ps[i]),
                  "agree": int(pa[i])}
        title = {lg: ("Scheidslijn: " if lg == "nl" else "Dividing line: ")
                 + _row_title(targets.kinds[i], targets.texts[i], lg) for lg in ("nl", "en")}
        extra: dict[str, Any] = {"target": targets.ids[i], "target_kind": targets.kinds[i],
                                 "high": top["id"], "low": bottom["id"],
                                 "too_few": any(e.get("too_few") for e in entries)}
        if ctx.pools:
            extra["merged"] = is_merged
        out.append(_item(ctx, f"dividing:{targets.ids[i]}", "dividing", title, expl, counts,
                         entries, list(targets.support[i]), **extra))

    # -- one perspective split about evenly ---------------------------------------
    voiced = agree + disagree
    with np.errstate(divide="ignore", invalid="ignore"):
        balance = np.abs(agree / np.maximum(voiced, 1) - 0.5)
    split = (voiced >= max(s.split_min, ctx.min_group if ctx.pools else 1)) \
        & (balance <= s.split_band)
    split[:, -1] = False          # the pooled column is not one perspective
    rows_i, cols_j = np.nonzero(split)
    order = sorted(zip(rows_i.tolist(), cols_j.tolist(), strict=True),
                   key=lambda rc: (-int(voiced[rc]), targets.ids[rc[0]], ctx.key(col_ids[rc[1]])))
    for i, j in order[: s.max_splits]:
        pid = col_ids[j]
        a, d, ps_ = int(agree[i, j]), int(disagree[i, j]), int(passes[i, j])
        label = ctx.label(pid)
        expl = {"nl": f"Verdeeld binnen {label['nl']}: {a} herkenbaar, {d} niet herkenbaar"
                      + (f", {ps_} geen mening." if ps_ else "."),
                "en": f"Split within {label['en']}: {a} recognise it, {d} do not"
                      + (f", {ps_} no opinion." if ps_ else ".")}
        entry: dict[str, Any] = {"id": pid, "label": label, "agree": a, "disagree": d,
                                 "pass": ps_, "seen": a + d + ps_}
        if not ctx.pools:
            entry["small_group"] = a + d + ps_ < ctx.min_group
        title = {lg: ("Verdeeld binnen één perspectief: " if lg == "nl"
                      else "Split within one perspective: ")
                 + _row_title(targets.kinds[i], targets.texts[i], lg) for lg in ("nl", "en")}
        out.append(_item(ctx, f"split:{targets.ids[i]}:{pid}", "split", title, expl,
                         {"agree": a, "disagree": d, "pass": ps_, "seen": a + d + ps_},
                         [entry], list(targets.support[i]), target=targets.ids[i],
                         target_kind=targets.kinds[i], perspective=pid))

    # -- many passes: unclear, worth exploring ---------------------------------------
    row_pass = passes.sum(1)
    row_seen = seen.sum(1)
    total_seen = int(row_seen.sum())
    if total_seen:
        base = min(max(float(row_pass.sum()) / total_seen, 0.05), 0.95)
        tested_u = row_seen >= s.unclear_min_seen
        share = row_pass / np.maximum(row_seen, 1)
        cand = tested_u & (share >= max(s.unclear_min_share, base))
        pu = np.ones(n_rows)
        for i in np.nonzero(cand)[0]:
            pu[i] = _binom_sf(int(row_pass[i]), int(row_seen[i]), base)
        qu = np.ones(n_rows)
        if tested_u.any():
            qu[tested_u] = _bh(pu[tested_u])
        keep_u = np.nonzero(cand & (qu <= s.unclear_fdr))[0]
        keep_u = sorted(keep_u, key=lambda i: (-_r(share[i], 6), targets.ids[i]))
        for i in keep_u[: s.max_unclear]:
            entries = _entries(ctx, dv[i], col_ids, inc[i], int(merged[i]))
            pp, ss = int(row_pass[i]), int(row_seen[i])
            expl = {"nl": f"Veel ‘geen mening’: {pp} van {ss} reacties (gemiddeld in deze sessie "
                          f"{base:.0%}). Onduidelijk, of de moeite waard om verder te verkennen.",
                    "en": f"Many ‘no opinion’ reactions: {pp} of {ss} (session average "
                          f"{base:.0%}). Unclear, or worth exploring further."}
            title = {lg: ("Veel ‘geen mening’: " if lg == "nl" else "Many passes: ")
                     + _row_title(targets.kinds[i], targets.texts[i], lg)
                     for lg in ("nl", "en")}
            extra = {"target": targets.ids[i], "target_kind": targets.kinds[i]}
            if ctx.pools:
                extra["merged"] = bool(merged[i])
            out.append(_item(ctx, f"unclear:{targets.ids[i]}", "unclear", title, expl,
                             {"pass": pp, "seen": ss, "session_pass_share": _r(base),
                              "q": _r(qu[i], 6)},
                             entries, list(targets.support[i]), **extra))
    return out


def _position_rate(entry: dict[str, Any]) -> float:
    """The smoothed share of herkenbaar among the positions a perspective took."""
    return (entry["agree"] + 1.0) / (entry["agree"] + entry["disagree"] + 2.0)


def _between(agree: np.ndarray, seen: np.ndarray, inc: np.ndarray
             ) -> tuple[np.ndarray, ...]:
    """Per row: the perspectives counted (k), the spread of smoothed agree rates, the
    chi-square over the counted perspectives (reported), the p-value of the highest
    against the lowest perspective (Bonferroni over the pairs), and the pooled agree and
    seen counts. A dividing line is "one perspective recognises it, another rejects it":
    the extremes say that directly, where an omnibus test over all perspectives dilutes
    it (and with three reactions in a cell its chi-square tail is too optimistic; the
    permutation null below calibrates whichever test is used, so the sharper one wins)."""
    k = inc.sum(1)
    rate = (agree + 1.0) / (seen + 2.0)
    hi = np.where(inc, rate, -np.inf).max(1) if agree.size else np.zeros(0)
    lo = np.where(inc, rate, np.inf).min(1) if agree.size else np.zeros(0)
    spread = np.where(k >= 2, hi - lo, 0.0)
    pa = np.where(inc, agree, 0).sum(1)
    ps = np.where(inc, seen, 0).sum(1)
    pi = pa / np.maximum(ps, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = seen * pi[:, None]
        var = expected * (1.0 - pi[:, None])
        cells = np.where(inc & (var > 0), (agree - expected) ** 2 / var, 0.0)
    chi2 = np.nan_to_num(cells.sum(1))
    tested = k >= 2
    p = np.ones(agree.shape[0])
    if tested.any():
        p[tested] = _extremes_p(agree[tested], seen[tested], inc[tested], rate[tested])
    return k, spread, chi2, p, pa, ps


#: Fewest reflections the per-reflection chance bound counts (0.02 lines per session).
BOUND_MIN_ROWS = 40

#: Label permutations behind the dividing lines' false-discovery estimate: enough that
#: the shuffled rows number at least ``NULL_ROWS`` (a large session needs few), between
#: ``MIN_ROUNDS`` and ``MAX_ROUNDS``; seeded, so the same session gives the same answer.
#: A 40-person session has some 60 reflections, so about 160 rounds: with fewer, a
#: chance split that the shuffles happen to miss is called with an estimate of zero.
NULL_ROWS = 20_000
MIN_ROUNDS, MAX_ROUNDS = 4, 200
_SEED = 20_26


def _permutation_fdr(ctx: _Ctx, cells: _Cells, p: np.ndarray, cand: np.ndarray,
                     need: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Per row, the estimated false-discovery rate of calling it (and every row with a
    smaller p-value) a dividing line, with the null taken from the session itself.

    The perspective labels of the people who reacted are shuffled over them (each keeps
    all their reactions, so a person who agrees with everything stays so), the table is
    rebuilt and the same selection (two perspectives with enough reactions, the spread)
    and the same test are applied. The estimate at p-value t is (mean number of
    shuffled rows with p <= t, with one pseudo-count) / (number of observed rows with
    p <= t), made monotone.
    A Benjamini-Hochberg step over every reflection assumes nothing about the rows and
    so asks a 6-of-6 against 0-of-7 split in a 40-person session to beat 60 tests at
    once; the session's own null shows such a split hardly ever arises by chance.
    For a viewer who may not see small groups the shuffled table is pooled the same way
    as the observed one. Rows not selected get 1.

    Also returned, per row: the number of lines at least as strong that chance alone
    draws in this session (the mean count per shuffle, with the pseudo-count), the
    expected number of false lines when it is called; and that figure for a split the
    shuffles never drew (the pseudo-count alone).
    """
    s = ctx.settings
    q = np.ones(p.shape)
    chance = np.full(p.shape, np.inf)
    observed = np.sort(p[cand])
    if observed.size == 0 or cells.codes.size == 0:
        return q, chance, 0.0
    width = cells.width
    cols = (cells.codes % width) // 3
    people = int(cells.who.max()) + 1
    label = np.zeros(people, dtype=np.int64)
    label[cells.who] = cols                      # a person reacts from one perspective
    base = cells.codes - cols * 3               # row * width + kind
    n_cols = width // 3
    # distinct (row, person) pairs: the people behind a cell, whatever label they get
    pairs = np.unique(cells.codes // width * people + cells.who)
    pair_row, pair_person = pairs // people, pairs % people
    rounds = int(min(MAX_ROUNDS, max(MIN_ROUNDS, -(-NULL_ROWS // max(cells.n_rows, 1)))))
    rng = np.random.default_rng(_SEED)
    null: list[np.ndarray] = []
    for _ in range(rounds):
        shuffled = rng.permutation(label)
        codes = base + shuffled[cells.who] * 3
        table = np.bincount(codes, minlength=cells.n_rows * width)[: cells.n_rows * width] \
            .reshape(cells.n_rows, n_cols, 3)
        if ctx.pools:
            who = np.bincount(pair_row * n_cols + shuffled[pair_person],
                              minlength=cells.n_rows * n_cols).reshape(cells.n_rows, n_cols)
            table, _merged = _grouped(table, who, ctx)
        seen = table.sum(2)
        inc = seen >= need
        # only rows that could be selected are tested (the spread needs two perspectives)
        rows = np.nonzero(inc.sum(1) >= 2)[0]
        if rows.size == 0:
            continue
        k, spread, _chi2, p_null, _pa, _ps = _between(table[rows, :, 0],
                                                      table[rows, :, 0] + table[rows, :, 1],
                                                      inc[rows])
        null.append(p_null[spread >= s.dividing_min_spread])
    pooled = np.sort(np.concatenate(null)) if null else np.zeros(0)
    # one pseudo-count, as for any permutation p-value ((b + 1) / (m + 1)): a split the
    # shuffles never produced is rare, not impossible
    false = (np.searchsorted(pooled, observed, side="right") + 1) / (rounds + 1)
    fdr = false / np.arange(1, observed.size + 1)
    fdr = np.minimum.accumulate(fdr[::-1])[::-1]  # monotone in p, like Benjamini-Hochberg
    idx = np.nonzero(cand)[0]
    rank = np.searchsorted(observed, p[idx], side="right") - 1
    q[idx] = np.minimum(fdr[rank], 1.0)
    chance[idx] = false[rank]
    return q, chance, 1.0 / (rounds + 1)


def _extremes_p(agree: np.ndarray, seen: np.ndarray, inc: np.ndarray,
                rate: np.ndarray) -> np.ndarray:
    """Per row: Fisher's exact p-value that the perspective with the highest smoothed
    agree rate recognises the reflection more often than the one with the lowest, times
    the number of pairs among the included perspectives (at most 1). Exact, because a
    cell holds three to ten reactions in a session of 40: a normal approximation calls
    3 of 3 against 0 of 7 five times stronger than it is."""
    rows = np.arange(agree.shape[0])
    top = np.where(inc, rate, -np.inf).argmax(1)
    bottom = np.where(inc, rate, np.inf).argmin(1)
    a1, n1 = agree[rows, top].astype(np.int64), seen[rows, top].astype(np.int64)
    a2, n2 = agree[rows, bottom].astype(np.int64), seen[rows, bottom].astype(np.int64)
    k = inc.sum(1)
    tail = _fisher_upper(a1, n1, a2, n2)
    pairs = np.maximum(k * (k - 1) / 2.0, 1.0)
    return np.where(k >= 2, np.minimum(1.0, tail * pairs), 1.0)


def _fisher_upper(a1: np.ndarray, n1: np.ndarray, a2: np.ndarray, n2: np.ndarray
                  ) -> np.ndarray:
    """P(X >= a1) for X ~ Hypergeometric(n1 + n2, a1 + a2, n1), elementwise: the
    one-sided Fisher exact test of a1 of n1 against a2 of n2."""
    total = n1 + n2
    agreed = a1 + a2
    if total.size == 0:
        return np.ones(0)
    logfact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, int(total.max()) + 1)))])

    def log_choose(n: np.ndarray, r: np.ndarray) -> np.ndarray:
        return logfact[n] - logfact[r] - logfact[n - r]

    upper = np.minimum(agreed, n1)
    out = np.zeros(a1.shape)
    log_all = log_choose(total, n1)
    x = a1.copy()
    while True:
        live = x <= upper
        if not live.any():
            break
        j = np.nonzero(live)[0]
        out[j] += np.exp(log_choose(agreed[j], x[j]) + log_choose(total[j] - agreed[j],
                                                                  n1[j] - x[j]) - log_all[j])
        x += 1
    return np.where(total > 0, np.clip(out, 0.0, 1.0), 1.0)
