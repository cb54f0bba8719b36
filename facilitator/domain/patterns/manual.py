"""Patterns grouped by hand, and a draft conclusion from any pattern."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..model import Reflection, WorkshopData
from ..privacy import Viewer, pool_assignment
from ..text import most_frequent_form, normalise
from .context import OTHER, _Ctx, _item, _join, _merge_note
from .settings import PatternSettings

# -- manual grouping --------------------------------------------------------------

def make_manual_pattern(name: str, reflection_ids: Sequence[str], data: WorkshopData,
                        audience: str | Viewer = "facilitator", lang: str = "nl",
                        min_group: int = 3) -> dict[str, Any]:
    """A pattern the facilitator grouped by hand, in the same shape as the analysed items.

    Unknown and hidden reflection ids are left out (and counted as ``missing``).
    The terms the grouped reflections share are listed, counted once per author.
    On ``"screen"``/``"export"``, perspectives with fewer than ``min_group``
    authors in the group are merged into "andere perspectieven".
    """
    ctx = _Ctx(data, lang, audience, min_group, PatternSettings(min_group=min_group))
    by_id = {r.id: r for r in data.reflections}
    allowed_ids = {r.id for r in ctx.scope(data.reflections)}
    chosen: list[Reflection] = []
    seen_ids: set[str] = set()
    missing = 0
    for rid in reflection_ids:
        if rid in seen_ids:
            continue
        seen_ids.add(rid)
        r = by_id.get(rid)
        if r is None or r.id not in allowed_ids:
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
    where = pool_assignment({pid: v["authors"] for pid, v in per_persp.items()}, ctx.min_group)
    for pid in sorted(per_persp, key=lambda p: (ctx.key(p), p)):
        n_auth = len(per_persp[pid]["authors"])
        entry = {"id": pid, "label": ctx.label(pid), "reflections": per_persp[pid]["reflections"],
                 "authors": n_auth}
        if ctx.pools and where.get(pid) != pid:
            pooled["reflections"] += entry["reflections"]
            pooled["authors"] += n_auth
            pooled["merged"] += 1
            continue
        if not ctx.pools:
            entry["small_group"] = where.get(pid) != pid
        entries.append(entry)
    named = [e["label"] for e in entries]
    if pooled["merged"]:
        other: dict[str, Any] = {"id": OTHER, "label": ctx.label(OTHER),
                                 "merged": pooled["merged"]}
        if OTHER in where.values():
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
    if ctx.pools and pooled["merged"]:
        note = _merge_note(ctx.min_group)
        expl = {lg: expl[lg] + note[lg] for lg in expl}
    digest = hashlib.sha1(
        ("\x1f".join([name, *sorted(ids)])).encode("utf-8")).hexdigest()[:12]
    counts = {"reflections": len(chosen), "authors": len(authors), "perspectives": k,
              "missing": missing, "agree": tally.get("agree", 0),
              "disagree": tally.get("disagree", 0), "pass": tally.get("pass", 0)}
    extra: dict[str, Any] = {"name": name, "terms": terms,
                             "too_few": len(chosen) == 0}
    if ctx.pools:
        extra["merged"] = bool(pooled["merged"])
    return _item(ctx, f"manual:{digest}", "manual", {"nl": name, "en": name}, expl, counts,
                 entries, [r.id for r in chosen], **extra)


#: what a conclusion drafted from a pattern calls a perspective too small to name
_POOL_WORDS = {"nl": "andere perspectieven", "en": "other perspectives"}


def pattern_to_conclusion_draft(pattern: dict[str, Any], lang: str = "nl") -> dict[str, Any]:
    """A draft conclusion from a pattern: its title and explanation, reflections, perspectives.

    The facilitator edits the text before publishing; the pooled 'other
    perspectives' entry is not a perspective and is left out. A conclusion is
    published to the room and the report, so a perspective with fewer people behind
    the pattern than the minimum (``small_group`` in the facilitator's analysis) is
    not named: it is left out of the perspectives, and its label in the text
    becomes the pool's ('andere perspectieven').
    """
    lang = lang if lang in ("nl", "en") else "nl"
    title = pattern.get("title") or {}
    explanation = pattern.get("explanation") or {}
    head = title.get(lang) or title.get("nl") or ""
    body = explanation.get(lang) or explanation.get("nl") or ""
    text = f"{head}. {body}".strip() if head and body else (head or body)
    perspectives: list[str] = []
    small: set[str] = set()
    for entry in pattern.get("perspectives") or []:
        pid = entry.get("id")
        if entry.get("small_group"):
            label = entry.get("label")
            names = label.values() if isinstance(label, dict) else [label]
            small.update(str(n) for n in names if n)
            continue
        if pid and pid not in (OTHER, "rest") and pid not in perspectives:
            perspectives.append(pid)
    pool = _POOL_WORDS[lang]
    for name in sorted(small, key=len, reverse=True):  # "Raad van bestuur" before "Raad"
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", pool, text)
    reflections = list(dict.fromkeys(pattern.get("reflections") or []))
    return {"text": text, "reflections": reflections, "perspectives": perspectives}
