"""The reaction table that common ground and dividing lines share: one row per shared
reflection or conclusion, one column per perspective (agree, disagree, pass)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model import Reflection, WorkshopData
from ..privacy import pool_assignment
from .context import OTHER, _Ctx, _excerpt
from .settings import _ENDORSE_INDEX, _KIND_INDEX
from .stats import _r


@dataclass
class _Targets:
    """Rows of the reaction table: shared reflections, then conclusions."""

    ids: list[str] = field(default_factory=list)        # "r:<id>" / "c:<id>"
    kinds: list[str] = field(default_factory=list)      # "reflection" / "conclusion"
    texts: list[str] = field(default_factory=list)
    author_col: list[int] = field(default_factory=list)  # -1 for conclusions
    support: list[list[str]] = field(default_factory=list)


@dataclass
class _Cells:
    """Every reaction and endorsement as its cell code (row * width + column * 3 + kind)
    and the person who gave it: what a permutation of perspective labels reshuffles."""

    codes: np.ndarray
    who: np.ndarray
    width: int
    n_rows: int


def _reaction_counts(data: WorkshopData, scoped: list[Reflection], ctx: _Ctx
                     ) -> tuple[_Targets, np.ndarray, np.ndarray, dict[str, dict[str, int]],
                                int, int, _Cells]:
    """The reaction table (rows x perspectives x agree/disagree/pass, or support/concern)
    and beside it the number of distinct people behind each cell, which the small-group
    rule counts (a person may react to a row more than once in a store's history); and
    the cells themselves, for the permutation null of the dividing lines."""
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
    reactions = data.reactions if ctx.sees_reactions else []
    person: dict[str, int] = {}
    # one pass: the cell code of each reaction and who gave it
    pairs = [(i * width + c, person.setdefault(x.participant, len(person)))
             for x in reactions
             if (i := row_of.get(x.reflection)) is not None
             and (c := code_of.get((x.perspective, x.kind))) is not None]
    flat = [cell for cell, _ in pairs]
    who = [p for _, p in pairs]
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
    for c in data.conclusions if ctx.sees_conclusions else []:
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
        who.append(person.setdefault(e.participant, len(person)))
        n_endorse += 1
    n_rows = len(targets.ids)
    counts = np.bincount(np.array(flat, dtype=np.int64), minlength=n_rows * width)
    table = counts[: n_rows * width].reshape(n_rows, n_cols, 3).astype(np.int64)
    # distinct (cell, person) pairs: a cell is flat // 3 (the kind dropped)
    n_people = max(len(person), 1)
    pairs = np.unique(np.array(flat, dtype=np.int64) // 3 * n_people
                      + np.array(who, dtype=np.int64))
    people = np.bincount(pairs // n_people, minlength=n_rows * n_cols)[: n_rows * n_cols] \
        .reshape(n_rows, n_cols).astype(np.int64)
    cells = _Cells(np.array(flat, dtype=np.int64), np.array(who, dtype=np.int64), width, n_rows)
    return targets, table, people, given, n_reactions, n_endorse, cells


def _grouped(table: np.ndarray, people: np.ndarray, ctx: _Ctx
             ) -> tuple[np.ndarray, np.ndarray]:
    """Add the pooled column; for a viewer who may not see small groups, each row's
    perspectives go where ``privacy.pool_assignment`` puts them (itself, the pool, or
    withheld), counted in the distinct people behind each cell.

    Returns the grouped table and, per row, how many perspectives were pooled or withheld.
    """
    n_rows, n_cols, _ = table.shape
    out = np.zeros((n_rows, n_cols + 1, 3), dtype=np.int64)
    out[:, :n_cols] = table
    merged = np.zeros(n_rows, dtype=np.int64)
    if not ctx.pools:
        return out, merged
    small = (people > 0) & (people < ctx.min_group)
    # The perspectives big enough keep their names whatever the rest is, so only the
    # small ones are put to pool_assignment. What it answers depends on the small sizes
    # alone, each below min_group: rows with as many small groups of each size share the
    # answer (thousands of rows in a large session, a handful of distinct answers), so
    # it is asked once per such signature and the rows are pooled at once.
    rows = np.nonzero(small.any(1))[0]
    if rows.size == 0:
        return out, merged
    sizes = np.where(small[rows], people[rows], 0)
    signature = np.stack([(sizes == v).sum(1) for v in range(1, ctx.min_group)], axis=1)
    keys, inverse = np.unique(signature, axis=0, return_inverse=True)
    answers = np.zeros(len(keys), dtype=bool)
    for k, counts in enumerate(keys.tolist()):
        groups = {f"{v}:{i}": range(v) for v, n in enumerate(counts, start=1)
                  for i in range(n)}
        answers[k] = OTHER in pool_assignment(groups, ctx.min_group).values()
    pooled = answers[np.asarray(inverse).reshape(-1)]
    merged[rows] = small[rows].sum(1)
    mask = small[rows][:, :, None]
    moved = np.where(mask, table[rows], 0).sum(1)
    out[rows[pooled], n_cols] = moved[pooled]
    kept = out[rows, :n_cols]
    kept[small[rows]] = 0
    out[rows, :n_cols] = kept
    return out, merged


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
        if ctx.pools and pid == OTHER:
            entry["merged"] = merged_count
            if seen < ctx.min_group:
                entry["hidden"] = True
                out.append(entry)
                continue
        entry.update({"agree": a, "disagree": d, "pass": p, "seen": seen,
                      "rate": _r((a + 1) / (seen + 2)), "share": _r(a / seen),
                      "included": bool(include[j]), "too_few": seen < s.min_reactions})
        if not ctx.pools:
            entry["small_group"] = seen < ctx.min_group
        out.append(entry)
    return out


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
