"""The context of one analysis run: who looks (a privacy.Viewer), labels, ordering,
and the shape every pattern item shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model import WorkshopData
from ..privacy import OTHER
from .settings import PatternSettings

AUDIENCES = ("facilitator", "screen", "export")
OTHER_LABEL = {"nl": "andere perspectieven", "en": "other perspectives"}


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
