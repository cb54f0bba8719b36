"""Common ground: reflections and conclusions recognised across perspectives
(Pol.is-style group-informed consensus)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .context import _Ctx, _item, _merge_note
from .stats import _bh, _binom_sf, _r
from .table import _entries, _parts, _row_title, _Targets


def _common_ground(ctx: _Ctx, targets: _Targets, cg: np.ndarray, seen: np.ndarray, need: int,
                   col_ids: list[str], merged: np.ndarray) -> list[dict[str, Any]]:
    """Pol.is-style group-informed consensus over declared perspectives."""
    s = ctx.settings
    n_rows = len(targets.ids)
    if n_rows == 0:
        return []
    agree = cg[..., 0]
    inc = seen >= need
    k = inc.sum(1)
    rate = (agree + 1.0) / (seen + 2.0)
    score = np.exp(np.where(inc, np.log(rate), 0.0).sum(1) / np.maximum(k, 1))
    share = agree / np.maximum(seen, 1)
    min_share = np.where(inc, share, np.inf).min(1)
    tested = k >= 2
    cand = tested & (score >= s.common_min_score) & (min_share >= 0.5)
    # The test counts every reaction from another perspective, also from perspectives
    # with too few reactions to get a rate of their own: the console then rests on the
    # same evidence as the screen, where those reactions count in the pooled column.
    pooled_a = agree.sum(1)
    pooled_s = seen.sum(1)
    p = np.ones(n_rows)
    for i in np.nonzero(cand)[0]:
        p[i] = _binom_sf(int(pooled_a[i]), int(pooled_s[i]), 0.5)
    q = np.ones(n_rows)
    q[tested] = _bh(p[tested])
    keep = np.nonzero(cand & (q <= s.common_fdr))[0]
    keep = sorted(keep, key=lambda i: (-_r(score[i], 6), targets.ids[i]))[: s.max_common]
    out = []
    for i in keep:
        entries = _entries(ctx, cg[i], col_ids, inc[i], int(merged[i]))
        kind = targets.kinds[i]
        k_i = int(k[i])
        other_word = {"nl": "andere " if kind == "reflection" else "",
                      "en": "other " if kind == "reflection" else ""}
        score_nl = f"{score[i]:.2f}".replace(".", ",")
        expl = {"nl": f"Herkend vanuit {k_i} {other_word['nl']}perspectieven "
                      f"({_parts(entries, 'nl')}); consensusscore {score_nl}.",
                "en": f"Recognised from {k_i} {other_word['en']}perspectives "
                      f"({_parts(entries, 'en')}); consensus score {score[i]:.2f}."}
        too_few = any(e.get("too_few") for e in entries)
        if too_few:
            expl["nl"] += " Perspectieven met te weinig reacties tellen niet mee."
            expl["en"] += " Perspectives with too few reactions are left out."
        is_merged = bool(merged[i]) and ctx.pools
        if is_merged:
            note = _merge_note(ctx.min_group)
            expl = {lg: expl[lg] + note[lg] for lg in expl}
        counts = {"agree": int(agree[i][inc[i]].sum()), "seen": int(seen[i][inc[i]].sum()),
                  "perspectives": k_i, "score": _r(score[i]), "q": _r(q[i], 6)}
        title = {lg: ("Gemeenschappelijke grond: " if lg == "nl" else "Common ground: ")
                 + _row_title(kind, targets.texts[i], lg) for lg in ("nl", "en")}
        extra: dict[str, Any] = {"target": targets.ids[i], "target_kind": kind,
                                 "too_few": too_few}
        if ctx.pools:
            extra["merged"] = is_merged
        out.append(_item(ctx, f"common:{targets.ids[i]}", "common_ground", title, expl, counts,
                         entries, list(targets.support[i]), **extra))
    return out
