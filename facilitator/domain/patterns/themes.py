"""Shared themes: words and phrases used from most perspectives, by many authors."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..text import generic_keys
from .context import OTHER, _Ctx, _item, _join, _merge_note
from .index import _examples, _prune, _quotes, _TextIndex, _with_variants
from .stats import _binom_sf, _r


def _themes(index: _TextIndex, ctx: _Ctx, groups: list[str], members: dict[str, list[str]],
            sizes: np.ndarray, sub: np.ndarray, sub_tot: np.ndarray, cand: np.ndarray,
            fmask: np.ndarray, merged: bool) -> list[dict[str, Any]]:
    s = ctx.settings
    n_groups = len(groups)
    n_authors = int(sizes.sum())
    used = (sub > 0).sum(0)
    rates = (sub + 1.0) / (sizes[:, None] + 2.0)
    geo = np.exp(np.log(rates).mean(0))
    part = sizes / n_authors
    spread = sub / np.maximum(sub_tot, 1)
    dp = 0.5 * np.abs(spread - part[:, None]).sum(0)
    dp_max = 1.0 - part.min()
    dp_norm = np.clip(dp / dp_max, 0.0, 1.0) if dp_max > 0 else np.zeros_like(dp)
    score = geo * (1.0 - dp_norm)
    # a theme runs across most of the room: at least half the perspectives that wrote
    most = max(2, s.theme_min_perspectives, -(-n_groups // 2))
    keys = index.vocab.keys
    generic = generic_keys()
    lead_ok = np.array([keys[int(t)] not in generic for t in cand], dtype=bool)
    ok = ((used >= most) & (sub_tot >= s.theme_min_authors)
          & (sub_tot >= s.theme_min_share * n_authors) & ~fmask & lead_ok)
    eligible = np.nonzero(ok)[0]
    listed = _prune({keys[int(cand[j])]: int(sub_tot[j]) for j in eligible}, False)
    ranked = sorted(eligible, key=lambda j: (-_r(score[j], 6), keys[int(cand[j])]))
    ranked = [j for j in ranked if keys[int(cand[j])] in listed]
    picks, context_words = _distinct_themes(index, cand, ranked, s.max_themes)
    ctx.session_generic = sorted(index.display(int(cand[j])) for j in context_words)
    displays = {int(j): index.display(int(cand[j])) for j in picks}
    out = []
    for j in picks:
        tid = int(cand[j])
        key = index.vocab.keys[tid]
        form = displays[int(j)]
        entries = []
        for g_i, g in enumerate(groups):
            y, n = int(sub[g_i, j]), int(sizes[g_i])
            entry: dict[str, Any] = {"id": g, "label": ctx.label(g)}
            hidden = ctx.pools and g == OTHER and n < ctx.min_group
            if hidden:
                entry.update({"hidden": True, "merged": len(members[g])})
            else:
                entry.update({"authors_using": y, "authors": n, "share": _r(y / n if n else 0)})
                if g == OTHER:
                    entry["merged"] = len(members[g])
            if not ctx.pools:
                entry["small_group"] = n < ctx.min_group
            entries.append(entry)
        shown = [e for e in entries if not e.get("hidden")]
        y_tot = sum(e["authors_using"] for e in shown)
        n_tot = sum(e["authors"] for e in shown)
        users = [e for e in shown if e["authors_using"] > 0 and e["id"] != OTHER]
        k_used = int(used[j])
        names = {lg: [e["label"][lg] for e in users] for lg in ("nl", "en")}
        if k_used == n_groups and not merged:
            expl = {"nl": f"Alle {n_groups} perspectieven noemen “{form}”: {y_tot} van {n_tot} "
                          "deelnemers die schreven.",
                    "en": f"All {n_groups} perspectives mention “{form}”: {y_tot} of {n_tot} "
                          "participants who wrote."}
        elif len(users) <= 4 and len(users) == k_used:
            expl = {"nl": f"{_join(names['nl'], 'nl')} noemen allemaal “{form}” ({y_tot} van "
                          f"{n_tot} deelnemers; {k_used} van {n_groups} perspectieven).",
                    "en": f"{_join(names['en'], 'en')} all mention “{form}” ({y_tot} of {n_tot} "
                          f"participants; {k_used} of {n_groups} perspectives)."}
        else:
            expl = {"nl": f"“{form}” wordt genoemd vanuit {k_used} van de {n_groups} "
                          f"perspectieven ({y_tot} van {n_tot} deelnemers).",
                    "en": f"“{form}” is mentioned from {k_used} of the {n_groups} perspectives "
                          f"({y_tot} of {n_tot} participants)."}
        is_merged = merged
        if is_merged:
            note = _merge_note(ctx.min_group)
            expl = {lg: expl[lg] + note[lg] for lg in expl}
        rids = _with_variants(index, ctx, tid)
        counts = {"authors_using": y_tot, "authors": n_tot, "perspectives_using": k_used,
                  "perspectives": n_groups, "reflections": len(rids),
                  "score": _r(score[j]), "geometric_mean": _r(geo[j]), "dp": _r(dp_norm[j])}
        extra: dict[str, Any] = {"term": form, "key": key, "phrase": " " in key}
        if ctx.pools:
            extra["merged"] = is_merged
        out.append(_item(ctx, f"theme:{key}", "theme",
                         {"nl": f"Gedeeld thema: {form}", "en": f"Shared theme: {form}"},
                         expl, counts, entries,
                         _examples(index, ctx, rids, ctx.settings.max_examples),
                         quotes=_quotes(index, ctx, rids, members), **extra))
    return out


#: A candidate most of whose authors (this share) already wrote a higher-ranked theme
#: only echoes that theme (the words around it: "hoge" beside "werkdruk").
ECHO_SHARE = 0.8
#: A single word most of whose reflections (this share) already carry another theme,
#: spread over at least two of them, and far more often than reflections in general do
#: (a binomial test at ``CONTEXT_ALPHA`` against the share of all reflections the other
#: themes carry), is generic in this session: it is said along with other subjects
#: ("team" in "vertrouwen in ons team", "werkdruk in mijn team", "altijd teams" with
#: hybride werken), not as a subject of its own.
CONTEXT_SHARE = 0.8
CONTEXT_ALPHA = 0.01


def _distinct_themes(index: _TextIndex, cand: np.ndarray, ranked: list[int],
                     limit: int) -> tuple[list[int], list[int]]:
    """The ranked candidates minus those that echo a higher-ranked theme, and the single
    words left out as generic in this session (see ``CONTEXT_SHARE``)."""
    entries = index.entries
    keys = index.vocab.keys
    pool = ranked[: 4 * limit]
    users = {j: {entries[rid].author for rid in index.postings.get(int(cand[j]), ())}
             for j in pool}
    picks: list[int] = []
    context: list[int] = []
    rids_of = {j: set(index.postings.get(int(cand[j]), ())) for j in pool}
    n_all = max(len(entries), 1)
    for j in pool:
        mine = users[j]
        if any(len(mine & users[k]) >= ECHO_SHARE * len(mine) for k in picks):
            continue
        picks.append(j)
        # a single word carried by the other themes is context, whichever ranks higher
        for k in [k for k in picks if " " not in keys[int(cand[k])]]:
            if _carried(rids_of, k, [o for o in picks if o != k], n_all):
                picks.remove(k)
                context.append(k)
        if len(picks) >= limit:
            break
    return picks, context


def _carried(rids_of: dict[int, set[str]], j: int, others: list[int], n_all: int) -> bool:
    """Whether ``j``'s reflections carry one of ``others`` as a rule rather than by
    chance (see ``CONTEXT_SHARE``): most of them, spread over two or more, and far more
    often than the ``n_all`` reflections of the session do."""
    rids = rids_of[j]
    if not rids or len(others) < 2:
        return False
    by: set[int] = set()
    n = 0
    for rid in rids:
        home = next((o for o in others if rid in rids_of[o]), None)
        if home is not None:
            n += 1
            by.add(home)
    if n < CONTEXT_SHARE * len(rids) or len(by) < 2:
        return False
    base = len(set().union(*(rids_of[o] for o in others))) / n_all
    return _binom_sf(n, len(rids), min(base, 0.999)) <= CONTEXT_ALPHA
