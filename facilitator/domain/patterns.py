"""Patterns in a session: shared themes, distinctive concerns, common ground,
dividing lines and blind spots.

Plain Python and numpy, deterministic and explainable: every item carries the
counts behind it, a one-sentence explanation in Dutch and English and the
reflections that support it.  ``docs/patterns.md`` explains each analysis in
plain words; the thresholds live in ``PatternSettings``.

Use a ``PatternEngine`` per workshop and call ``add_reflection`` when a
reflection arrives (it is normalised once) and ``analyse`` whenever the
patterns are needed; the engine keeps per-author term counts up to date
incrementally, so a recomputation only redoes the (vectorised) statistics.

Small groups stay anonymous: for the ``"screen"`` and ``"export"`` audiences a
per-perspective figure is shown only when at least ``min_group`` participants
of that perspective stand behind it (the authors behind a term share, the
reactors behind an agree rate); smaller ones are merged into "andere
perspectieven".  The ``"facilitator"`` audience sees everything, with
``small_group: true`` on the figures the screen would merge.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .model import Reflection, WorkshopData
from .text import NormalisedText, most_frequent_form, normalise

AUDIENCES = ("facilitator", "screen", "export")
OTHER = "other"
OTHER_LABEL = {"nl": "andere perspectieven", "en": "other perspectives"}
_KIND_INDEX = {"agree": 0, "disagree": 1, "pass": 2}
_ENDORSE_INDEX = {"support": 0, "concern": 1}


@dataclass(frozen=True)
class PatternSettings:
    """The thresholds of the analysis (see docs/patterns.md for what each one does)."""

    #: Fewest participants of a perspective behind a figure shown on screen/export.
    min_group: int = 3
    #: Fewest reactions of a perspective to a reflection before its rate counts.
    min_reactions: int = 3
    #: Shared themes: fewest authors, fewest perspectives, least share of all authors.
    theme_min_authors: int = 3
    theme_min_perspectives: int = 2
    theme_min_share: float = 0.15
    max_themes: int = 10
    #: Distinctive concerns: fewest authors in the perspective, false discovery rate,
    #: strength of the informative Dirichlet prior (as a fraction of all counts), and how
    #: many times more often than the others (smoothed shares) the perspective uses it.
    distinct_min_authors: int = 3
    distinct_fdr: float = 0.05
    distinct_prior: float = 0.1
    distinct_min_ratio: float = 1.5
    max_distinct_per_perspective: int = 5
    #: Common ground: least consensus score (geometric mean of smoothed rates), FDR.
    common_min_score: float = 0.6
    common_fdr: float = 0.05
    max_common: int = 10
    #: Dividing lines: least spread of smoothed agree rates, FDR.
    dividing_min_spread: float = 0.3
    dividing_fdr: float = 0.05
    max_dividing: int = 10
    #: Split within one perspective: fewest (dis)agree reactions, band around 50 %.
    split_min: int = 6
    split_band: float = 0.1
    max_splits: int = 5
    #: Many passes: fewest reactions, least pass share, FDR.
    unclear_min_seen: int = 6
    unclear_min_share: float = 0.4
    unclear_fdr: float = 0.05
    max_unclear: int = 5
    #: Supporting reflections listed per item.
    max_examples: int = 12
    #: Below these the text or reaction analyses are flagged as too thin to interpret.
    min_text_authors: int = 6
    min_reactions_total: int = 10


# -- small statistics helpers -------------------------------------------------

def _chi2_sf(x: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Upper tail of the chi-square distribution for integer degrees of freedom (closed form)."""
    x = np.asarray(x, dtype=float)
    df = np.asarray(df, dtype=int)
    out = np.ones_like(x)
    half = np.maximum(x, 0.0) / 2.0
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for nu in np.unique(df):
            if nu < 1:
                continue
            sel = df == nu
            h = half[sel]
            expo = np.exp(-h)
            if nu % 2 == 0:
                term = np.ones_like(h)
                total = term.copy()
                for i in range(1, nu // 2):
                    term = term * h / i
                    total += term
                val = expo * total
            else:
                root = np.sqrt(h)
                val = np.array([math.erfc(r) for r in root])
                if nu > 1:
                    term = root / (math.sqrt(math.pi) / 2.0)
                    total = term.copy()
                    for i in range(1, (nu - 1) // 2):
                        term = term * h / (i + 0.5)
                        total += term
                    val = val + expo * total
            out[sel] = np.nan_to_num(val, nan=0.0)
    return np.clip(out, 0.0, 1.0)


def _binom_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed exactly in log space."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    lp, lq = math.log(p), math.log1p(-p)
    lgn = math.lgamma(n + 1)
    logs = [lgn - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq
            for i in range(k, n + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * sum(math.exp(v - top) for v in logs))


def _hypergeom_sf(k: np.ndarray, successes: np.ndarray, draws: np.ndarray,
                  population: int) -> np.ndarray:
    """P(Y >= k) for Y ~ Hypergeometric(population, successes, draws), elementwise.

    Meant for over-represented cells (k above the mean), where the terms of the
    tail fall off monotonically, so the sum stops once they no longer matter.
    """
    k = np.asarray(k, dtype=np.int64)
    big_k = np.asarray(successes, dtype=np.int64)
    n = np.asarray(draws, dtype=np.int64)
    logfact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, population + 1)))])

    def log_choose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return logfact[a] - logfact[b] - logfact[a - b]

    upper = np.minimum(big_k, n)
    lower = np.maximum(0, n - (population - big_k))
    start = np.maximum(k, lower)
    total = np.zeros(k.shape)
    log_all = log_choose(np.full_like(n, population), n)
    active = start <= upper
    step = 0
    while active.any():
        j = np.nonzero(active)[0]
        kk = start[j] + step
        term = np.exp(log_choose(big_k[j], kk) + log_choose(population - big_k[j], n[j] - kk)
                      - log_all[j])
        total[j] += term
        done = (kk + 1 > upper[j]) | ((term < 1e-15 * total[j]) & (kk > big_k[j] * n[j]
                                                                    / population))
        active[j[done]] = False
        step += 1
    return np.clip(total, 0.0, 1.0)


def _bh(pvalues: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) for one family of tests."""
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(ranked, 1.0)
    return out


def _r(x: float, digits: int = 4) -> float:
    """A float rounded for JSON (and stable across platforms)."""
    value = round(float(x), digits)
    return 0.0 if value == 0 else value


def _join(labels: Sequence[str], lang: str) -> str:
    """'A, B en C' / 'A, B and C'."""
    labels = list(labels)
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + (" and " if lang == "en" else " en ") + labels[-1]


def _excerpt(text: str, limit: int = 90) -> str:
    """The start of a text, cut at a word boundary."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut + "…"


def _merge_note(min_group: int) -> dict[str, str]:
    return {"nl": f" Kleine groepen (minder dan {min_group} deelnemers) zijn samengevoegd tot "
                  "‘andere perspectieven’.",
            "en": f" Small groups (fewer than {min_group} participants) are merged into "
                  "‘other perspectives’."}


# -- the incremental text index -----------------------------------------------

class _Vocab:
    """Term keys <-> integer ids, shared by the engine's indexes."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.keys: list[str] = []
        self.function: list[bool] = []
        self._mask = np.zeros(0, dtype=bool)

    def tid(self, key: str, function: bool) -> int:
        tid = self.ids.get(key)
        if tid is None:
            tid = len(self.keys)
            self.ids[key] = tid
            self.keys.append(key)
            self.function.append(function)
        elif function and not self.function[tid]:
            self.function[tid] = True
            self._mask = np.zeros(0, dtype=bool)
        return tid

    def function_mask(self) -> np.ndarray:
        if self._mask.size != len(self.function):
            self._mask = np.array(self.function, dtype=bool)
        return self._mask


@dataclass(slots=True)
class _Norm:
    """A reflection's normalised text, with keys mapped to vocabulary ids."""

    text: str
    norm: NormalisedText
    tids: tuple[int, ...]
    forms: tuple[tuple[int, str], ...]


@dataclass(slots=True)
class _Entry:
    norm: _Norm
    author: str
    row: int
    perspective: str
    sort_key: tuple[int, str, str]


class _TextIndex:
    """Per-perspective counts of authors using each term, kept up to date incrementally."""

    def __init__(self, vocab: _Vocab) -> None:
        self.vocab = vocab
        self.entries: dict[str, _Entry] = {}
        self.row_of: dict[str, int] = {}
        self.row_keys: list[str] = []
        self.row_authors: list[int] = []
        self.author_terms: dict[str, dict[int, int]] = {}   # author -> term -> reflections
        self.author_refls: dict[str, int] = {}
        self.postings: dict[int, list[str]] = {}            # term -> reflection ids
        self.forms: dict[int, dict[str, int]] = {}          # term -> original form -> count
        self._matrix = np.zeros((4, 256), dtype=np.int32)
        self._pending: tuple[list[int], list[int], list[int]] = ([], [], [])

    def _row(self, perspective: str) -> int:
        row = self.row_of.get(perspective)
        if row is None:
            row = len(self.row_keys)
            self.row_of[perspective] = row
            self.row_keys.append(perspective)
            self.row_authors.append(0)
        return row

    def add(self, rid: str, norm: _Norm, author: str, perspective: str,
            sort_key: tuple[int, str, str]) -> None:
        row = self._row(perspective)
        self.entries[rid] = _Entry(norm, author, row, perspective, sort_key)
        terms = self.author_terms.get(author)
        if terms is None:
            terms = self.author_terms[author] = {}
            self.author_refls[author] = 0
            self.row_authors[row] += 1
        self.author_refls[author] += 1
        rows, cols, vals = self._pending
        postings = self.postings
        for tid in norm.tids:
            count = terms.get(tid, 0)
            if count == 0:
                rows.append(row)
                cols.append(tid)
                vals.append(1)
            terms[tid] = count + 1
            posting = postings.get(tid)
            if posting is None:
                postings[tid] = [rid]
            else:
                posting.append(rid)
        all_forms = self.forms
        for tid, form in norm.forms:
            counter = all_forms.get(tid)
            if counter is None:
                all_forms[tid] = {form: 1}
            else:
                counter[form] = counter.get(form, 0) + 1

    def remove(self, rid: str) -> None:
        entry = self.entries.pop(rid)
        terms = self.author_terms[entry.author]
        rows, cols, vals = self._pending
        for tid in entry.norm.tids:
            terms[tid] -= 1
            if terms[tid] == 0:
                del terms[tid]
                rows.append(entry.row)
                cols.append(tid)
                vals.append(-1)
            self.postings[tid].remove(rid)
        for tid, form in entry.norm.forms:
            counter = self.forms[tid]
            counter[form] -= 1
            if counter[form] <= 0:
                del counter[form]
        self.author_refls[entry.author] -= 1
        if self.author_refls[entry.author] == 0:
            del self.author_refls[entry.author]
            del self.author_terms[entry.author]
            self.row_authors[entry.row] -= 1

    def matrix(self) -> np.ndarray:
        """Rows: perspectives (in ``row_keys`` order); columns: term ids; cells: authors."""
        n_rows, n_cols = len(self.row_keys), len(self.vocab.keys)
        cap_r, cap_c = self._matrix.shape
        if n_rows > cap_r or n_cols > cap_c:
            grown = np.zeros((max(cap_r, n_rows * 2), max(cap_c, n_cols * 2)), dtype=np.int32)
            grown[:cap_r, :cap_c] = self._matrix
            self._matrix = grown
        rows, cols, vals = self._pending
        if rows:
            np.add.at(self._matrix, (np.array(rows), np.array(cols)), np.array(vals))
            self._pending = ([], [], [])
        return self._matrix[:n_rows, :n_cols]

    def display(self, tid: int) -> str:
        """The most frequent original form of a term in this index."""
        return most_frequent_form(self.forms.get(tid, {})) or self.vocab.keys[tid]


# -- context -----------------------------------------------------------------

class _Ctx:
    """Labels, ordering and audience of one analysis run."""

    def __init__(self, data: WorkshopData, lang: str, audience: str, min_group: int,
                 settings: PatternSettings) -> None:
        self.lang = lang if lang in ("nl", "en") else "nl"
        self.audience = audience
        self.screen = audience != "facilitator"
        self.min_group = max(1, int(min_group))
        self.settings = settings
        ws = data.workshop
        self.labels: dict[str, dict[str, str]] = {}
        self.invited: list[str] = []
        for p in ws.perspectives:
            if p.id in self.labels:
                continue
            self.invited.append(p.id)
            self.labels[p.id] = {"nl": p.label or p.id, "en": p.label_en or p.label or p.id}
        seen: set[str] = set()
        seen.update(p.perspective for p in data.participants)
        seen.update(r.perspective for r in data.reflections)
        seen.update(r.perspective for r in data.reactions)
        seen.update(e.perspective for e in data.endorsements)
        extra = sorted(pid for pid in seen if pid not in self.labels)
        self.order: list[str] = self.invited + extra
        for pid in extra:
            self.labels[pid] = {"nl": pid or "(onbekend)", "en": pid or "(unknown)"}
        self.rank = {pid: i for i, pid in enumerate(self.order)}

    def label(self, pid: str) -> dict[str, str]:
        if pid == OTHER:
            return dict(OTHER_LABEL)
        return dict(self.labels.get(pid, {"nl": pid, "en": pid}))

    def key(self, pid: str) -> int:
        return self.rank.get(pid, len(self.rank))


def _item(ctx: _Ctx, item_id: str, kind: str, title: dict[str, str],
          explanation: dict[str, str], counts: dict[str, Any], perspectives: list[dict[str, Any]],
          reflections: list[str], **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": item_id, "kind": kind, "title": title, "explanation": explanation,
        "text": explanation[ctx.lang], "counts": counts, "perspectives": perspectives,
        "reflections": reflections,
    }
    item.update(extra)
    item.setdefault("too_few", False)
    if ctx.screen:
        item.setdefault("merged", False)
    else:
        item.setdefault("small_group", any(p.get("small_group") for p in perspectives))
    return item


# -- the engine ----------------------------------------------------------------

class PatternEngine:
    """Keeps the normalised reflections of one workshop and computes its patterns.

    ``add_reflection`` normalises a reflection once (idempotent by id; a changed
    text is normalised again).  ``analyse`` brings its indexes in line with the
    given ``WorkshopData`` (adding new reflections, dropping hidden or deleted
    ones) and runs the analyses.
    """

    def __init__(self, settings: PatternSettings | None = None) -> None:
        self.settings = settings or PatternSettings()
        self._vocab = _Vocab()
        self._norms: dict[str, _Norm] = {}
        self._indexes: dict[str, _TextIndex] = {}

    # -- reflections -----------------------------------------------------
    def add_reflection(self, reflection: Reflection) -> NormalisedText | None:
        """Normalise a reflection once (hidden ones are left out); returns its normal form."""
        if reflection.hidden:
            return None
        return self._norm(reflection).norm

    def _norm(self, reflection: Reflection) -> _Norm:
        cached = self._norms.get(reflection.id)
        text = reflection.text or ""
        if cached is not None and cached.text == text:
            return cached
        norm = normalise(text)
        vocab = self._vocab
        ids = vocab.ids
        function = norm.function_terms
        tids = tuple(vocab.tid(key, key in function) if key in function or key not in ids
                     else ids[key] for key in norm.terms)
        forms = tuple((ids[key], form) for key, form in norm.forms)
        cached = _Norm(text, norm, tids, forms)
        self._norms[reflection.id] = cached
        return cached

    def _sync(self, scope: str, reflections: list[Reflection]) -> _TextIndex:
        index = self._indexes.get(scope)
        if index is None:
            index = self._indexes[scope] = _TextIndex(self._vocab)
        wanted = {r.id: r for r in reflections}
        for rid in [rid for rid in index.entries if rid not in wanted]:
            index.remove(rid)
        for rid, r in wanted.items():
            norm = self._norm(r)
            author = f"{r.participant}\x1f{r.perspective}"
            entry = index.entries.get(rid)
            if entry is not None:
                if entry.norm is norm and entry.author == author:
                    continue
                index.remove(rid)
            order = int(getattr(r, "seq", 0) or 0)
            index.add(rid, norm, author, r.perspective, (order, r.created_at or "", rid))
        # forget normal forms of reflections that no longer exist anywhere
        if len(self._norms) > 2 * max(len(wanted), 1) + 1000:
            alive = set().union(*(set(ix.entries) for ix in self._indexes.values()))
            self._norms = {k: v for k, v in self._norms.items() if k in alive}
        return index

    # -- analysis --------------------------------------------------------
    def analyse(self, data: WorkshopData, audience: str = "facilitator", lang: str = "nl",
                min_group: int | None = None) -> dict[str, Any]:
        """All patterns of the session as a JSON-able dict (see docs/patterns.md).

        ``audience`` is ``"facilitator"`` (everything, small groups marked) or
        ``"screen"``/``"export"`` (shared reflections only; small groups merged).
        ``lang`` picks the ``text`` of each item; both languages are always included.
        """
        if audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience!r}")
        settings = self.settings
        ctx = _Ctx(data, lang, audience, settings.min_group if min_group is None else min_group,
                   settings)
        visible = [r for r in data.reflections if not r.hidden]
        scoped = [r for r in visible if r.shared] if ctx.screen else visible
        index = self._sync("shared" if ctx.screen else "all", scoped)

        text = _text_analysis(index, ctx)
        reactions = _reaction_analysis(data, scoped, ctx)
        blind = _blind_spots(data, scoped, ctx, reactions["given"])
        people = _perspective_summary(data, scoped, ctx, text["authors"], reactions["given"])

        counts = {
            "reflections": len(scoped),
            "reflections_hidden": len(data.reflections) - len(visible),
            "reflections_unshared": 0 if ctx.screen else sum(1 for r in visible if not r.shared),
            "participants": len(data.participants),
            "authors": text["n_authors"],
            "perspectives_invited": len(ctx.invited),
            "perspectives_active": text["n_groups"],
            "reactions": reactions["n_reactions"],
            "endorsements": reactions["n_endorsements"],
            "terms": text["n_terms"],
        }
        too_few = {"text": text["too_few"], "reactions": reactions["too_few"],
                   "endorsements": reactions["too_few_endorsements"]}
        notes = text["notes"] + reactions["notes"]
        if ctx.screen:
            notes.append({"id": "note:small-groups",
                          "nl": "Figuren per perspectief staan hier alleen als er minstens "
                                f"{ctx.min_group} deelnemers van dat perspectief achter staan; "
                                "kleinere groepen zijn samengevoegd tot ‘andere perspectieven’. "
                                "Alleen gedeelde reflecties tellen mee.",
                          "en": "Per-perspective figures appear only when at least "
                                f"{ctx.min_group} participants of that perspective stand behind "
                                "them; smaller groups are merged into ‘other perspectives’. Only "
                                "shared reflections count."})
        else:
            notes.append({"id": "note:facilitator",
                          "nl": "Facilitatorweergave: bevat ook niet-gedeelde reflecties en "
                                "kleine groepen (gemarkeerd met small_group); niet voor het "
                                "scherm.",
                          "en": "Facilitator view: includes unshared reflections and small groups "
                                "(marked small_group); not for the screen."})
        t, d, c, v, b = (len(text["themes"]), len(text["distinctive"]),
                         len(reactions["common_ground"]), len(reactions["dividing_lines"]),
                         len(blind))
        summary = {
            "nl": f"{counts['reflections']} reflecties van {counts['authors']} deelnemers uit "
                  f"{counts['perspectives_active']} perspectieven; {counts['reactions']} reacties. "
                  f"Gedeelde thema's: {t}; kenmerkende zorgen: {d}; gemeenschappelijke grond: "
                  f"{c}; scheidslijnen: {v}; blinde vlekken: {b}.",
            "en": f"{counts['reflections']} reflections by {counts['authors']} participants from "
                  f"{counts['perspectives_active']} perspectives; {counts['reactions']} reactions. "
                  f"Shared themes: {t}; distinctive concerns: {d}; common ground: {c}; "
                  f"dividing lines: {v}; blind spots: {b}.",
        }
        return {
            "version": 1,
            "audience": audience,
            "facilitator_only": not ctx.screen,
            "lang": ctx.lang,
            "min_group": ctx.min_group,
            "scope": "shared" if ctx.screen else "all",
            "themes": text["themes"],
            "distinctive": text["distinctive"],
            "common_ground": reactions["common_ground"],
            "dividing_lines": reactions["dividing_lines"],
            "blind_spots": blind,
            "perspectives": people,
            "counts": counts,
            "too_few": too_few,
            "explanation": summary,
            "notes": notes,
            "reflections": sorted(index.entries, key=lambda rid: index.entries[rid].sort_key),
            "settings": asdict(settings),
        }


def analyse_workshop(data: WorkshopData, audience: str = "facilitator", lang: str = "nl",
                     min_group: int = 3, engine: PatternEngine | None = None) -> dict[str, Any]:
    """Analyse a workshop; pass the same ``engine`` every time to keep its cache across calls."""
    engine = engine if engine is not None else PatternEngine()
    return engine.analyse(data, audience=audience, lang=lang, min_group=min_group)


# -- text: themes and distinctive concerns ----------------------------------------

def _examples(index: _TextIndex, ctx: _Ctx, rids: Iterable[str], limit: int) -> list[str]:
    """Up to ``limit`` reflection ids, taking turns across perspectives, oldest first."""
    by_persp: dict[str, list[tuple[int, str, str]]] = {}
    entries = index.entries
    for rid in rids:
        entry = entries.get(rid)
        if entry is not None:
            bucket = by_persp.get(entry.perspective)
            if bucket is None:
                by_persp[entry.perspective] = [entry.sort_key]
            else:
                bucket.append(entry.sort_key)
    queues = [heapq.nsmallest(limit, by_persp[p])
              for p in sorted(by_persp, key=lambda p: (ctx.key(p), p))]
    out: list[str] = []
    depth = 0
    while len(out) < limit and any(depth < len(q) for q in queues):
        for queue in queues:
            if depth < len(queue) and len(out) < limit:
                out.append(queue[depth][2])
        depth += 1
    return out


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


def _prune(users: dict[str, int], drop_covered_phrases: bool) -> set[str]:
    """The keys worth listing among ``users`` (key -> number of authors).

    A word used mostly (>= 80 %) inside one listed two-word phrase is dropped in
    favour of the phrase ("sociaal domein" rather than "sociaal").  With
    ``drop_covered_phrases`` a phrase is also dropped when one of its words is
    itself listed (it only repeats that word).
    """
    absorbed: set[str] = set()
    for key, n in users.items():
        if " " in key:
            for word in key.split(" ", 1):
                if word in users and n >= 0.8 * users[word]:
                    absorbed.add(word)
    keep = {key for key in users if key not in absorbed}
    if drop_covered_phrases:
        keep = {key for key in keep
                if " " not in key or not any(w in keep for w in key.split(" ", 1))}
    return keep


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
    ok = ((used >= max(2, s.theme_min_perspectives)) & (sub_tot >= s.theme_min_authors)
          & (sub_tot >= s.theme_min_share * n_authors) & ~fmask)
    keys = index.vocab.keys
    eligible = np.nonzero(ok)[0]
    listed = _prune({keys[int(cand[j])]: int(sub_tot[j]) for j in eligible}, False)
    ranked = sorted(eligible, key=lambda j: (-_r(score[j], 6), keys[int(cand[j])]))
    picks = [j for j in ranked if keys[int(cand[j])] in listed][: s.max_themes]
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
            hidden = ctx.screen and g == OTHER and n < ctx.min_group
            if hidden:
                entry.update({"hidden": True, "merged": len(members[g])})
            else:
                entry.update({"authors_using": y, "authors": n, "share": _r(y / n if n else 0)})
                if g == OTHER:
                    entry["merged"] = len(members[g])
            if not ctx.screen:
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
        rids = index.postings.get(tid, [])
        counts = {"authors_using": y_tot, "authors": n_tot, "perspectives_using": k_used,
                  "perspectives": n_groups, "reflections": len(rids),
                  "score": _r(score[j]), "geometric_mean": _r(geo[j]), "dp": _r(dp_norm[j])}
        extra: dict[str, Any] = {"term": form, "key": key, "phrase": " " in key}
        if ctx.screen:
            extra["merged"] = is_merged
        out.append(_item(ctx, f"theme:{key}", "theme",
                         {"nl": f"Gedeeld thema: {form}", "en": f"Shared theme: {form}"},
                         expl, counts, entries,
                         _examples(index, ctx, rids, ctx.settings.max_examples), **extra))
    return out


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
            if not ctx.screen:
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
            if ctx.screen:
                extra["merged"] = g == OTHER
            out.append(_item(ctx, f"distinct:{g}:{key}", "distinctive",
                             {"nl": f"Kenmerkend voor {label['nl']}: {form}",
                              "en": f"Distinctive for {label['en']}: {form}"},
                             expl, counts, [entry, rest],
                             _examples(index, ctx, rids, s.max_examples), **extra))
    return out


# -- reactions: common ground and dividing lines -----------------------------------

@dataclass
class _Targets:
    """Rows of the reaction table: shared reflections, then conclusions."""

    ids: list[str] = field(default_factory=list)        # "r:<id>" / "c:<id>"
    kinds: list[str] = field(default_factory=list)      # "reflection" / "conclusion"
    texts: list[str] = field(default_factory=list)
    author_col: list[int] = field(default_factory=list)  # -1 for conclusions
    support: list[list[str]] = field(default_factory=list)


def _reaction_counts(data: WorkshopData, scoped: list[Reflection], ctx: _Ctx
                     ) -> tuple[_Targets, np.ndarray, dict[str, dict[str, int]], int, int]:
    cols = {pid: j for j, pid in enumerate(ctx.order)}
    n_cols = len(ctx.order)
    targets = _Targets()
    row_of: dict[str, int] = {}
    for r in scoped:
        row_of[r.id] = len(targets.ids)
        targets.ids.append(f"r:{r.id}")
        targets.kinds.append("reflection")
        targets.texts.append(r.text or "")
        targets.author_col.append(cols.get(r.perspective, -1))
        targets.support.append([r.id])
    width = n_cols * 3
    code_of = {(pid, kind): j * 3 + k for pid, j in cols.items()
               for kind, k in _KIND_INDEX.items()}
    flat = [i * width + c for x in data.reactions
            if (i := row_of.get(x.reflection)) is not None
            and (c := code_of.get((x.perspective, x.kind))) is not None]
    codes = np.array(flat, dtype=np.int64)
    reactor = (codes % width) // 3
    author = np.array(targets.author_col, dtype=np.int64)[codes // width] if flat \
        else np.zeros(0, dtype=np.int64)
    total = np.bincount(reactor, minlength=n_cols)
    to_others = np.bincount(reactor[author != reactor], minlength=n_cols)
    given = {pid: {"total": int(total[j]), "to_others": int(to_others[j])}
             for pid, j in cols.items() if total[j]}
    n_reactions = len(flat)
    scoped_ids = set(row_of)
    conc_row: dict[str, int] = {}
    for c in data.conclusions:
        if c.hidden or c.draft:
            continue
        conc_row[c.id] = len(targets.ids)
        targets.ids.append(f"c:{c.id}")
        targets.kinds.append("conclusion")
        targets.texts.append(c.text or "")
        targets.author_col.append(-1)
        targets.support.append([rid for rid in c.reflections if rid in scoped_ids])
    n_endorse = 0
    for e in data.endorsements:
        i = conc_row.get(e.conclusion)
        k = _ENDORSE_INDEX.get(e.kind)
        if i is None or k is None or e.perspective not in cols:
            continue
        flat.append(i * width + cols[e.perspective] * 3 + k)
        n_endorse += 1
    n_rows = len(targets.ids)
    counts = np.bincount(np.array(flat, dtype=np.int64), minlength=n_rows * width)
    table = counts[: n_rows * width].reshape(n_rows, n_cols, 3).astype(np.int64)
    return targets, table, given, n_reactions, n_endorse


def _grouped(table: np.ndarray, ctx: _Ctx) -> np.ndarray:
    """Add the 'other' column; on screen, move every cell with < min_group reactions there."""
    n_rows, n_cols, _ = table.shape
    out = np.zeros((n_rows, n_cols + 1, 3), dtype=np.int64)
    if not ctx.screen:
        out[:, :n_cols] = table
        return out
    seen = table.sum(2)
    small = (seen > 0) & (seen < ctx.min_group)
    out[:, :n_cols] = np.where(small[..., None], 0, table)
    out[:, n_cols] = (table * small[..., None]).sum(1)
    return out


def _entries(ctx: _Ctx, cells: np.ndarray, col_ids: list[str], include: np.ndarray,
             merged_count: int) -> list[dict[str, Any]]:
    """Per-perspective figures of one row (cells: n_cols x 3)."""
    s = ctx.settings
    out = []
    for j, pid in enumerate(col_ids):
        a, d, p = (int(v) for v in cells[j])
        seen = a + d + p
        if seen == 0:
            continue
        entry: dict[str, Any] = {"id": pid, "label": ctx.label(pid)}
        if ctx.screen and pid == OTHER:
            entry["merged"] = merged_count
            if seen < ctx.min_group:
                entry["hidden"] = True
                out.append(entry)
                continue
        entry.update({"agree": a, "disagree": d, "pass": p, "seen": seen,
                      "rate": _r((a + 1) / (seen + 2)), "share": _r(a / seen),
                      "included": bool(include[j]), "too_few": seen < s.min_reactions})
        if not ctx.screen:
            entry["small_group"] = seen < ctx.min_group
        out.append(entry)
    return out


def _reaction_analysis(data: WorkshopData, scoped: list[Reflection], ctx: _Ctx
                       ) -> dict[str, Any]:
    s = ctx.settings
    targets, table, given, n_reactions, n_endorse = _reaction_counts(data, scoped, ctx)
    col_ids = ctx.order + [OTHER]
    need = max(s.min_reactions, ctx.min_group) if ctx.screen else s.min_reactions
    n_rows = len(targets.ids)
    notes: list[dict[str, str]] = []
    result: dict[str, Any] = {"common_ground": [], "dividing_lines": [], "notes": notes,
                              "given": given, "n_reactions": n_reactions,
                              "n_endorsements": n_endorse}
    small_seen = table.sum(2)
    merged_per_row = ((small_seen > 0) & (small_seen < ctx.min_group)).sum(1) if ctx.screen \
        else np.zeros(n_rows, dtype=np.int64)

    # -- common ground: leave out the author's own perspective ------------------
    own = table.copy()
    for i, col in enumerate(targets.author_col):
        if col >= 0:
            own[i, col] = 0
    cg = _grouped(own, ctx)
    cg_seen = cg.sum(2)
    cg_merged = ((own.sum(2) > 0) & (own.sum(2) < ctx.min_group)).sum(1) if ctx.screen \
        else np.zeros(n_rows, dtype=np.int64)
    common = _common_ground(ctx, targets, cg, cg_seen, need, col_ids, cg_merged)

    # -- dividing lines, splits and passes ----------------------------------------
    dv = _grouped(table, ctx)
    dividing = _dividing(ctx, targets, dv, need, col_ids, merged_per_row)

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
    result["common_ground"] = common
    result["dividing_lines"] = dividing
    return result


def _row_title(kind: str, text: str, lang: str) -> str:
    quote = f"“{_excerpt(text)}”"
    if kind == "conclusion":
        return ("Conclusie: " if lang == "nl" else "Conclusion: ") + quote
    return quote


def _parts(entries: list[dict[str, Any]], lang: str, limit: int = 4) -> str:
    shown = [e for e in entries if e.get("included") and not e.get("hidden")]
    word = "van" if lang == "nl" else "of"
    parts = [f"{e['label'][lang]} {e['agree']} {word} {e['seen']}" for e in shown[:limit]]
    if len(shown) > limit:
        more = len(shown) - limit
        parts.append(f"en {more} meer" if lang == "nl" else f"and {more} more")
    return "; ".join(parts)


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
    pooled_a = np.where(inc, agree, 0).sum(1)
    pooled_s = np.where(inc, seen, 0).sum(1)
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
        is_merged = bool(merged[i]) and ctx.screen
        if is_merged:
            note = _merge_note(ctx.min_group)
            expl = {lg: expl[lg] + note[lg] for lg in expl}
        counts = {"agree": int(agree[i][inc[i]].sum()), "seen": int(seen[i][inc[i]].sum()),
                  "perspectives": k_i, "score": _r(score[i]), "q": _r(q[i], 6)}
        title = {lg: ("Gemeenschappelijke grond: " if lg == "nl" else "Common ground: ")
                 + _row_title(kind, targets.texts[i], lg) for lg in ("nl", "en")}
        extra: dict[str, Any] = {"target": targets.ids[i], "target_kind": kind,
                                 "too_few": too_few}
        if ctx.screen:
            extra["merged"] = is_merged
        out.append(_item(ctx, f"common:{targets.ids[i]}", "common_ground", title, expl, counts,
                         entries, list(targets.support[i]), **extra))
    return out


def _dividing(ctx: _Ctx, targets: _Targets, dv: np.ndarray, need: int, col_ids: list[str],
              merged: np.ndarray) -> list[dict[str, Any]]:
    """Between-perspective differences, even splits within one perspective, many passes."""
    s = ctx.settings
    n_rows = len(targets.ids)
    if n_rows == 0:
        return []
    agree, disagree, passes = dv[..., 0], dv[..., 1], dv[..., 2]
    seen = dv.sum(2)
    inc = seen >= need
    k = inc.sum(1)
    rate = (agree + 1.0) / (seen + 2.0)
    hi = np.where(inc, rate, -np.inf).max(1)
    lo = np.where(inc, rate, np.inf).min(1)
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
    p = np.ones(n_rows)
    if tested.any():
        p[tested] = _chi2_sf(chi2[tested], k[tested] - 1)
    q = np.ones(n_rows)
    q[tested] = _bh(p[tested])
    keep = np.nonzero(tested & (spread >= s.dividing_min_spread) & (q <= s.dividing_fdr))[0]
    keep = sorted(keep, key=lambda i: (-_r(spread[i], 6), _r(q[i], 12), targets.ids[i]))
    out: list[dict[str, Any]] = []
    for i in keep[: s.max_dividing]:
        entries = _entries(ctx, dv[i], col_ids, inc[i], int(merged[i]))
        included = [e for e in entries if e.get("included") and not e.get("hidden")]
        top = max(included, key=lambda e: (e["rate"], -ctx.key(e["id"])))
        bottom = min(included, key=lambda e: (e["rate"], ctx.key(e["id"])))
        expl = {"nl": f"Perspectieven verschillen: {top['label']['nl']} {top['agree']} van "
                      f"{top['seen']} herkenbaar; {bottom['label']['nl']} {bottom['agree']} van "
                      f"{bottom['seen']}.",
                "en": f"Perspectives differ: {top['label']['en']} {top['agree']} of "
                      f"{top['seen']} recognise it; {bottom['label']['en']} {bottom['agree']} of "
                      f"{bottom['seen']}."}
        is_merged = bool(merged[i]) and ctx.screen
        if is_merged:
            note = _merge_note(ctx.min_group)
            expl = {lg: expl[lg] + note[lg] for lg in expl}
        counts = {"spread": _r(spread[i]), "chi2": _r(chi2[i], 3), "df": int(k[i] - 1),
                  "q": _r(q[i], 6), "perspectives": int(k[i]), "seen": int(ps[i]),
                  "agree": int(pa[i])}
        title = {lg: ("Scheidslijn: " if lg == "nl" else "Dividing line: ")
                 + _row_title(targets.kinds[i], targets.texts[i], lg) for lg in ("nl", "en")}
        extra: dict[str, Any] = {"target": targets.ids[i], "target_kind": targets.kinds[i],
                                 "high": top["id"], "low": bottom["id"],
                                 "too_few": any(e.get("too_few") for e in entries)}
        if ctx.screen:
            extra["merged"] = is_merged
        out.append(_item(ctx, f"dividing:{targets.ids[i]}", "dividing", title, expl, counts,
                         entries, list(targets.support[i]), **extra))

    # -- one perspective split about evenly ---------------------------------------
    voiced = agree + disagree
    with np.errstate(divide="ignore", invalid="ignore"):
        balance = np.abs(agree / np.maximum(voiced, 1) - 0.5)
    split = (voiced >= max(s.split_min, ctx.min_group if ctx.screen else 1)) \
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
        if not ctx.screen:
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
            if ctx.screen:
                extra["merged"] = bool(merged[i])
            out.append(_item(ctx, f"unclear:{targets.ids[i]}", "unclear", title, expl,
                             {"pass": pp, "seen": ss, "session_pass_share": _r(base),
                              "q": _r(qu[i], 6)},
                             entries, list(targets.support[i]), **extra))
    return out


# -- blind spots and the per-perspective summary --------------------------------------

def _blind_spots(data: WorkshopData, scoped: list[Reflection], ctx: _Ctx,
                 given: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    participants = Counter(p.perspective for p in data.participants)
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
        small = n < ctx.min_group
        if wrote.get(pid, 0) == 0:
            if ctx.screen and small:
                small_silent.append(pid)
            else:
                what = ("gedeelde reflecties", "shared reflections") if ctx.screen \
                    else ("reflecties", "reflections")
                entry = {"id": pid, "label": label, "participants": n, "reflections": 0}
                if not ctx.screen:
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
            if ctx.screen and small:
                small_mute.append(pid)
            else:
                entry = {"id": pid, "label": label, "participants": n,
                         "reactions_to_others": 0}
                if not ctx.screen:
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
        if pids:
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
        if ctx.screen:
            expl = {"nl": f"Over bevinding “{title}” is nog geen reflectie gedeeld.",
                    "en": f"No reflection on the finding “{title}” has been shared yet."}
        else:
            expl = {"nl": f"Op bevinding “{title}” heeft nog geen kring gereflecteerd.",
                    "en": f"No circle has reflected on the finding “{title}” yet."}
        out.append(_item(ctx, f"blind:finding:{finding.id}", "unreflected_finding",
                         {"nl": f"Niet besproken: {title}", "en": f"Not discussed: {title}"},
                         expl, {"reflections": 0}, [], [], finding=finding.id))
    return out


def _perspective_summary(data: WorkshopData, scoped: list[Reflection], ctx: _Ctx,
                         authors: dict[str, int], given: dict[str, dict[str, int]]
                         ) -> list[dict[str, Any]]:
    participants = Counter(p.perspective for p in data.participants)
    wrote = Counter(r.perspective for r in scoped)
    out: list[dict[str, Any]] = []
    pooled = {"participants": 0, "reflections": 0, "reactions": 0, "merged": 0}
    for pid in ctx.order:
        n = participants.get(pid, 0)
        row = {"id": pid, "label": ctx.label(pid), "invited": pid in ctx.invited,
               "participants": n, "reflections": wrote.get(pid, 0),
               "reactions": given.get(pid, {}).get("total", 0)}
        if not ctx.screen:
            row["authors"] = authors.get(pid, 0)
            row["reactions_to_others"] = given.get(pid, {}).get("to_others", 0)
            row["small_group"] = 0 < n < ctx.min_group
            out.append(row)
        elif n == 0 or n >= ctx.min_group:
            out.append(row)
        else:
            pooled["participants"] += n
            pooled["reflections"] += row["reflections"]
            pooled["reactions"] += row["reactions"]
            pooled["merged"] += 1
    if ctx.screen and pooled["merged"]:
        row = {"id": OTHER, "label": ctx.label(OTHER), "invited": False, "merged": pooled["merged"]}
        if pooled["participants"] >= ctx.min_group:
            row.update(participants=pooled["participants"], reflections=pooled["reflections"],
                       reactions=pooled["reactions"])
        else:
            row["hidden"] = True
        out.append(row)
    return out


# -- manual grouping --------------------------------------------------------------

def make_manual_pattern(name: str, reflection_ids: Sequence[str], data: WorkshopData,
                        audience: str = "facilitator", lang: str = "nl",
                        min_group: int = 3) -> dict[str, Any]:
    """A pattern the facilitator grouped by hand, in the same shape as the analysed items.

    Unknown and hidden reflection ids are left out (and counted as ``missing``).
    The terms the grouped reflections share are listed, counted once per author.
    On ``"screen"``/``"export"``, perspectives with fewer than ``min_group``
    authors in the group are merged into "andere perspectieven".
    """
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    ctx = _Ctx(data, lang, audience, min_group, PatternSettings(min_group=min_group))
    by_id = {r.id: r for r in data.reflections}
    chosen: list[Reflection] = []
    seen_ids: set[str] = set()
    missing = 0
    for rid in reflection_ids:
        if rid in seen_ids:
            continue
        seen_ids.add(rid)
        r = by_id.get(rid)
        if r is None or r.hidden or (ctx.screen and not r.shared):
            missing += 1
            continue
        chosen.append(r)
    per_persp: dict[str, dict[str, Any]] = {}
    for r in chosen:
        entry = per_persp.setdefault(r.perspective, {"reflections": 0, "authors": set()})
        entry["reflections"] += 1
        entry["authors"].add(r.participant)
    authors = {r.participant for r in chosen}
    ids = {r.id for r in chosen}
    tally = Counter(x.kind for x in data.reactions if x.reflection in ids)
    # terms shared by the group, counted once per author
    author_terms: dict[str, set[str]] = {}
    forms: dict[str, Counter[str]] = {}
    for r in chosen:
        norm = normalise(r.text or "")
        author_terms.setdefault(r.participant, set()).update(
            t for t in norm.terms if t not in norm.function_terms)
        for key, form in norm.forms:
            forms.setdefault(key, Counter())[form] += 1
    term_authors = Counter(t for terms in author_terms.values() for t in terms)
    top = sorted((t for t, c in term_authors.items() if c >= 2),
                 key=lambda t: (-term_authors[t], most_frequent_form(forms[t]), t))[:5]
    terms = [{"term": most_frequent_form(forms[t]), "key": t, "authors": term_authors[t]}
             for t in top]
    entries: list[dict[str, Any]] = []
    pooled = {"reflections": 0, "authors": 0, "merged": 0}
    for pid in sorted(per_persp, key=lambda p: (ctx.key(p), p)):
        n_auth = len(per_persp[pid]["authors"])
        entry = {"id": pid, "label": ctx.label(pid), "reflections": per_persp[pid]["reflections"],
                 "authors": n_auth}
        if ctx.screen and n_auth < ctx.min_group:
            pooled["reflections"] += entry["reflections"]
            pooled["authors"] += n_auth
            pooled["merged"] += 1
            continue
        if not ctx.screen:
            entry["small_group"] = n_auth < ctx.min_group
        entries.append(entry)
    named = [e["label"] for e in entries]
    if pooled["merged"]:
        other: dict[str, Any] = {"id": OTHER, "label": ctx.label(OTHER),
                                 "merged": pooled["merged"]}
        if pooled["authors"] >= ctx.min_group:
            other.update(reflections=pooled["reflections"], authors=pooled["authors"])
        else:
            other["hidden"] = True
        entries.append(other)
        named.append(ctx.label(OTHER))
    k = len(per_persp)
    term_text = {lg: ", ".join(f"“{t['term']}”" for t in terms) for lg in ("nl", "en")}
    expl = {"nl": f"Handmatig gegroepeerd: {len(chosen)} reflecties van {len(authors)} "
                  f"deelnemers uit {k} perspectieven ({_join([n['nl'] for n in named], 'nl')}).",
            "en": f"Grouped by hand: {len(chosen)} reflections by {len(authors)} participants "
                  f"from {k} perspectives ({_join([n['en'] for n in named], 'en')})."}
    if terms:
        expl["nl"] += f" Vaak genoemd: {term_text['nl']}."
        expl["en"] += f" Often mentioned: {term_text['en']}."
    if ctx.screen and pooled["merged"]:
        note = _merge_note(ctx.min_group)
        expl = {lg: expl[lg] + note[lg] for lg in expl}
    digest = hashlib.sha1(
        ("\x1f".join([name, *sorted(ids)])).encode("utf-8")).hexdigest()[:12]
    counts = {"reflections": len(chosen), "authors": len(authors), "perspectives": k,
              "missing": missing, "agree": tally.get("agree", 0),
              "disagree": tally.get("disagree", 0), "pass": tally.get("pass", 0)}
    extra: dict[str, Any] = {"name": name, "terms": terms,
                             "too_few": len(chosen) == 0}
    if ctx.screen:
        extra["merged"] = bool(pooled["merged"])
    return _item(ctx, f"manual:{digest}", "manual", {"nl": name, "en": name}, expl, counts,
                 entries, [r.id for r in chosen], **extra)


def pattern_to_conclusion_draft(pattern: dict[str, Any], lang: str = "nl") -> dict[str, Any]:
    """A draft conclusion from a pattern: its title and explanation, reflections, perspectives.

    The facilitator edits the text before publishing; the pooled 'other
    perspectives' entry is not a perspective and is left out.
    """
    lang = lang if lang in ("nl", "en") else "nl"
    title = pattern.get("title") or {}
    explanation = pattern.get("explanation") or {}
    head = title.get(lang) or title.get("nl") or ""
    body = explanation.get(lang) or explanation.get("nl") or ""
    text = f"{head}. {body}".strip() if head and body else (head or body)
    perspectives: list[str] = []
    for entry in pattern.get("perspectives") or []:
        pid = entry.get("id")
        if pid and pid not in (OTHER, "rest") and pid not in perspectives:
            perspectives.append(pid)
    reflections = list(dict.fromkeys(pattern.get("reflections") or []))
    return {"text": text, "reflections": reflections, "perspectives": perspectives}
