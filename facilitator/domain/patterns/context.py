"""The context of one analysis run: who looks (a privacy.Viewer), labels, ordering,
and the shape every pattern item shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model import Reflection, StepKind, WorkshopData
from ..privacy import OTHER, Viewer
from ..rules import Action, Role, allowed
from .settings import PatternSettings

#: The adapters' names for the three viewers of an analysis (see ``viewer_for``).
AUDIENCES = ("facilitator", "screen", "export")
_ROLE_OF = {"facilitator": Role.FACILITATOR, "screen": Role.SCREEN, "export": Role.READER}
_NAME_OF = {role: name for name, role in _ROLE_OF.items()}
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


def viewer_for(audience: str | Viewer, kind: StepKind | str) -> Viewer:
    """The viewer behind an adapter's audience name, in step ``kind``: the console
    (``Role.FACILITATOR``), the projector (``Role.SCREEN``) or a report's reader
    (``Role.READER``, for "export")."""
    if isinstance(audience, Viewer):
        return audience
    if audience not in _ROLE_OF:
        raise ValueError(f"unknown audience {audience!r}")
    return Viewer(_ROLE_OF[audience], StepKind(kind))


# -- context -----------------------------------------------------------------

class _Ctx:
    """Labels, ordering and viewer of one analysis run.

    Everything an audience may see is asked of the rules table through the
    ``Viewer``: ``pools`` (small groups pooled, per ``privacy.pool_assignment``)
    when the viewer may not see small groups; which reflections count
    (``scope``); whether conclusions and reactions count at all in this step.
    """

    def __init__(self, data: WorkshopData, lang: str, audience: str | Viewer, min_group: int,
                 settings: PatternSettings) -> None:
        self.lang = lang if lang in ("nl", "en") else "nl"
        viewer = viewer_for(audience, data.workshop.current_kind())
        self.viewer = viewer
        self.audience = _NAME_OF.get(viewer.role, str(viewer.role))
        self.pools = not viewer.sees_small_groups
        self.sees_conclusions = allowed(viewer.role, Action.VIEW_CONCLUSIONS, viewer.kind)
        self.sees_reactions = allowed(viewer.role, Action.VIEW_REACTIONS, viewer.kind)
        self._sees_shared = allowed(viewer.role, Action.VIEW_SHARED, viewer.kind)
        #: term id -> variant term ids counted with it (set by the text analysis)
        self.variants: dict[int, list[int]] = {}
        #: single words recognised as generic in this session (set by the themes)
        self.session_generic: list[str] = []
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

    def scope(self, reflections: list[Reflection]) -> list[Reflection]:
        """The reflections this viewer's analysis rests on (never hidden ones; unshared
        ones only for the console; none for the screen before the dialogue)."""
        if not (self._sees_shared or self.viewer.sees_unshared):
            return []
        return self.viewer.reflections(reflections)

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
    if ctx.pools:
        item.setdefault("merged", False)
    else:
        item.setdefault("small_group", any(p.get("small_group") for p in perspectives))
    return item
