"""Patterns from the ratings of the findings: blind spots (a finding nobody rated, a
present perspective that rated none of a finding while others did) and dividing
lines (perspective means on a finding 1.5 points or more apart, with enough raters).

Figures come from ``domain.findings.results`` for the analysis' viewer, so the
small-group rule holds as everywhere: a perspective under the minimum is never
named on the screen or in a report.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .. import findings
from ..model import WorkshopData
from .context import _Ctx, _item


def _latest(entry: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    after = entry["rounds"]["after"]
    return ("after", after) if after["n"] else ("before", entry["rounds"]["before"])


def _finding_patterns(data: WorkshopData, ctx: _Ctx) -> tuple[list[dict[str, Any]],
                                                               list[dict[str, Any]]]:
    """(blind spots, dividing lines) from the ratings; nothing when nobody rated at all."""
    if not data.ratings or not data.workshop.findings:
        return [], []
    results = findings.results(data, ctx.viewer, ctx.min_group, ctx.lang)
    present = Counter(p.perspective for p in data.participants)
    raters: dict[str, set[str]] = {}
    for r in data.ratings:
        raters.setdefault(r.finding, set()).add(r.perspective)
    blind, dividing = [], []
    for entry in results["findings"]:
        fid, title = entry["id"], entry["title"]
        quoted = {"nl": f"“{title}”", "en": f"“{title}”"}
        if fid not in raters:
            blind.append(_item(
                ctx, f"blind:unrated:{fid}", "unrated",
                {"nl": f"Niet beoordeeld: {quoted['nl']}", "en": f"Not rated: {quoted['en']}"},
                {"nl": f"Niemand heeft de bevinding {quoted['nl']} beoordeeld.",
                 "en": f"Nobody rated the finding {quoted['en']}."},
                {"raters": 0}, [], [], finding=fid))
        else:
            for pid in ctx.order:
                n = present.get(pid, 0)
                # name only perspectives the viewer may see named (enough people present)
                if not n or pid in raters[fid] or (ctx.pools and n < ctx.min_group):
                    continue
                label = ctx.label(pid)
                blind.append(_item(
                    ctx, f"blind:unrated:{fid}:{pid}", "unrated_by",
                    {"nl": f"{label['nl']} beoordeelde {quoted['nl']} niet",
                     "en": f"{label['en']} did not rate {quoted['en']}"},
                    {"nl": f"{label['nl']} ({n} aanwezig) gaf geen oordeel over "
                           f"{quoted['nl']}, andere perspectieven wel.",
                     "en": f"{label['en']} ({n} present) gave no rating of {quoted['en']}, "
                           "other perspectives did."},
                    {"participants": n, "raters": 0},
                    [{"id": pid, "label": label, "participants": n}], [], finding=fid,
                    perspective=pid))
        round_, figures = _latest(entry)
        shown = [p for p in figures["perspectives"]
                 if p["mean"] is not None and p["n"] >= ctx.min_group]
        if figures["spread"] is None or figures["spread"] < findings.DIVIDING_SPREAD \
                or len(shown) < 2:
            continue
        low = min(shown, key=lambda p: p["mean"])
        high = max(shown, key=lambda p: p["mean"])
        when = {"before": ("vóór de dialoog", "before the dialogue"),
                "after": ("na de dialoog", "after the dialogue")}[round_]

        def mean(p: dict[str, Any], lang: str) -> str:
            text = f"{p['mean']:.1f}"
            return text.replace(".", ",") if lang == "nl" else text

        names = {lang: (ctx.label(high["id"])[lang], ctx.label(low["id"])[lang])
                 for lang in ("nl", "en")}
        dividing.append(_item(
            ctx, f"dividing:finding:{fid}", "finding",
            {"nl": f"Verdeeld over {quoted['nl']}", "en": f"Divided on {quoted['en']}"},
            {"nl": f"{names['nl'][0]} herkent {quoted['nl']} gemiddeld met {mean(high, 'nl')}, "
                   f"{names['nl'][1]} met {mean(low, 'nl')} (op 5, {when[0]}).",
             "en": f"{names['en'][0]} rate {quoted['en']} {mean(high, 'en')} on average, "
                   f"{names['en'][1]} {mean(low, 'en')} (out of 5, {when[1]})."},
            {"spread": figures["spread"], "round": round_},
            [{"id": p["id"], "label": ctx.label(p["id"]), "raters": p["n"], "mean": p["mean"]}
             for p in shown], [], finding=fid))
    return blind, dividing
