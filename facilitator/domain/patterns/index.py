"""The incremental text index: per-perspective counts of authors using each term."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..text import NormalisedText, all_generic, most_frequent_form
from .context import _Ctx, _excerpt

# -- the incremental text index -----------------------------------------------

class _Vocab:
    """Term keys <-> integer ids, shared by the engine's indexes."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.keys: list[str] = []
        self.function: list[bool] = []
        self._mask = np.zeros(0, dtype=bool)
        self._generic = np.zeros(0, dtype=bool)

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

    def generic_mask(self) -> np.ndarray:
        """Per term id: made of generic words of the field only (``text.all_generic``);
        extended for new terms only, as the vocabulary only grows."""
        have = self._generic.size
        if have != len(self.keys):
            more = np.fromiter((all_generic(k) for k in self.keys[have:]), dtype=bool,
                               count=len(self.keys) - have)
            self._generic = np.concatenate([self._generic, more])
        return self._generic


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
        #: author -> the term ids they used, as an array (dropped when the author changes)
        self.author_arrays: dict[str, np.ndarray] = {}
        self.postings: dict[int, list[str]] = {}            # term -> reflection ids
        self.forms: dict[int, dict[str, int]] = {}          # term -> original form -> count
        self._matrix = np.zeros((4, 256), dtype=np.int32)
        self._pending: tuple[list[int], list[int], list[int]] = ([], [], [])
        #: bumped on every change: caches built from the index (see distinctive) compare it
        self.generation = 0
        self.users_cache: tuple[Any, Any] | None = None
        self.circles_cache: tuple[Any, Any] | None = None

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
        self.generation += 1
        self.author_arrays.pop(author, None)
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
        self.generation += 1
        entry = self.entries.pop(rid)
        self.author_arrays.pop(entry.author, None)
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

    def terms_of(self, author: str) -> np.ndarray:
        """The term ids an author used (kept until the author writes or loses a reflection)."""
        arr = self.author_arrays.get(author)
        if arr is None:
            terms = self.author_terms[author]
            arr = self.author_arrays[author] = np.fromiter(terms, dtype=np.int64,
                                                           count=len(terms))
        return arr

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
            for word in _words(key):
                if word in users and n >= 0.8 * users[word]:
                    absorbed.add(word)
    keep = {key for key in users if key not in absorbed}
    if drop_covered_phrases:
        keep = {key for key in keep
                if " " not in key or not any(w in keep for w in _words(key))}
    return keep


def _quotes(index: _TextIndex, ctx: _Ctx, rids: list[str],
            members: dict[str, list[str]] | None = None, limit: int = 3
            ) -> list[dict[str, Any]]:
    """One to three representative reflections of an item: the most central ones (whose
    terms the item's other reflections share most), one per perspective before a second,
    each as a short excerpt. ``rids`` come from the viewer's own index, so the screen and
    a report quote only shared, visible reflections. For a viewer who may not see small
    groups a quote names the group it counts in (``members``: group -> perspectives):
    the pool, or none for a withheld perspective. Large items are judged on their
    first ``QUOTE_POOL`` reflections, which keeps a recomputation fast."""
    pairs = [(rid, index.entries[rid]) for rid in rids if rid in index.entries]
    if len(pairs) > QUOTE_POOL:
        pairs = heapq.nsmallest(QUOTE_POOL, pairs, key=lambda p: p[1].sort_key)
    if not pairs:
        return []
    df: dict[int, int] = {}
    for _rid, e in pairs:
        for tid in set(e.norm.tids):
            df[tid] = df.get(tid, 0) + 1

    def centrality(e: _Entry) -> float:
        tids = set(e.norm.tids)
        return sum(df[t] - 1 for t in tids) / (1.0 + len(tids)) ** 0.5

    ranked = sorted(pairs, key=lambda p: (-centrality(p[1]), p[1].sort_key))
    picked: list[tuple[str, _Entry]] = []
    seen: set[str] = set()
    texts: set[str] = set()
    for rid, e in ranked:                 # first the best of each perspective
        if e.perspective not in seen and len(picked) < limit and e.norm.text not in texts:
            picked.append((rid, e))
            seen.add(e.perspective)
            texts.add(e.norm.text)
    for rid, e in ranked:                 # then the next best, never the same words twice
        if len(picked) >= limit:
            break
        if e.norm.text not in texts:
            picked.append((rid, e))
            texts.add(e.norm.text)
    group_of = {pid: g for g, pids in members.items() for pid in pids} if ctx.pools \
        and members is not None else None
    out = []
    for rid, e in picked:
        group = e.perspective if group_of is None else group_of.get(e.perspective)
        out.append({"id": rid, "perspective": group,
                    "label": ctx.label(group) if group is not None else None,
                    "text": _excerpt(e.norm.text, 160)})
    return out


#: Reflections of one item among which its quotes are chosen.
QUOTE_POOL = 100


def _with_variants(index: _TextIndex, ctx: _Ctx, tid: int) -> list[str]:
    """The reflections using a term or one of its variants (werkdruk, werkdrukte)."""
    rids = list(index.postings.get(tid, []))
    variants = ctx.variants.get(tid, ())
    if variants:
        seen = set(rids)
        for v in variants:
            rids += [rid for rid in index.postings.get(v, []) if rid not in seen]
            seen.update(rids)
    return rids


def _words(phrase: str) -> list[str]:
    """The word keys of a phrase key, without the joining "en" ("raad en organisatie")."""
    return [w for w in phrase.split(" ") if w not in ("en", "and")]
