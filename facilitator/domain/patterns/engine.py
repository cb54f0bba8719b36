"""The engine: keeps the normalised reflections of one session and runs the analyses."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..model import Reflection, WorkshopData
from ..privacy import Viewer, is_visible
from ..text import NormalisedText, generic_keys, normalise
from .blind_spots import _blind_spots
from .context import _Ctx
from .dialogue import _add_harvests, _add_reasons, _dialogue, _unanswered_blind_spots
from .findings import _finding_patterns
from .index import _Norm, _TextIndex, _Vocab
from .reactions import _reaction_analysis
from .settings import PatternSettings
from .summaries import _circle_summaries, _perspective_summary
from .text_analysis import _text_analysis

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
    def analyse(self, data: WorkshopData, audience: str | Viewer = "facilitator",
                lang: str = "nl", min_group: int | None = None) -> dict[str, Any]:
        """All patterns of the session as a JSON-able dict (see docs/patterns.md).

        ``audience`` is a ``privacy.Viewer`` or an adapter's name for one in the
        session's current step (``"facilitator"``: the console, everything with
        small groups marked; ``"screen"``: the projector; ``"export"``: a report's
        reader), see ``context.viewer_for``. What the viewer may see comes from the
        rules table. ``lang`` picks the ``text`` of each item; both languages are
        always included.
        """
        settings = self.settings
        ctx = _Ctx(data, lang, audience, settings.min_group if min_group is None else min_group,
                   settings)
        visible = [r for r in data.reflections if is_visible(r)]
        scoped = ctx.scope(data.reflections)
        index = self._sync("all" if ctx.viewer.sees_unshared else "shared", scoped)

        text = _text_analysis(index, ctx)
        reactions = _reaction_analysis(data, scoped, ctx)
        blind = _blind_spots(data, scoped, ctx, reactions["given"])
        rated_blind, rated_dividing = _finding_patterns(data, ctx)
        blind += rated_blind
        reactions["dividing_lines"] = reactions["dividing_lines"] + rated_dividing
        dialogue = _dialogue(data, ctx)
        blind += _unanswered_blind_spots(dialogue, ctx)
        _add_reasons(reactions["dividing_lines"], data, ctx)
        _add_harvests(text["themes"], data, ctx)
        people = _perspective_summary(data, scoped, ctx, text["authors"], reactions["given"])
        circles = _circle_summaries(index, data, scoped, ctx)

        counts = {
            "reflections": len(scoped),
            "reflections_hidden": len(data.reflections) - len(visible),
            "reflections_unshared": sum(1 for r in visible if not r.shared)
            if ctx.viewer.sees_unshared else 0,
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
        if ctx.pools:
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
            "audience": ctx.audience,
            "viewer": {"role": str(ctx.viewer.role), "kind": str(ctx.viewer.kind)},
            "facilitator_only": not ctx.pools,
            "lang": ctx.lang,
            "min_group": ctx.min_group,
            "scope": "all" if ctx.viewer.sees_unshared else "shared",
            "themes": text["themes"],
            "distinctive": text["distinctive"],
            "common_ground": reactions["common_ground"],
            "dividing_lines": reactions["dividing_lines"],
            "blind_spots": blind,
            "dialogue": {"asks": dialogue["asks"]},
            "generic": {"field": len(generic_keys()), "session": list(ctx.session_generic)},
            "circles": circles,
            "perspectives": people,
            "counts": counts,
            "too_few": too_few,
            "explanation": summary,
            "notes": notes,
            "reflections": sorted(index.entries, key=lambda rid: index.entries[rid].sort_key),
            "settings": asdict(settings),
        }


def analyse_workshop(data: WorkshopData, audience: str | Viewer = "facilitator", lang: str = "nl",
                     min_group: int = 3, engine: PatternEngine | None = None) -> dict[str, Any]:
    """Analyse a workshop; pass the same ``engine`` every time to keep its cache across calls."""
    engine = engine if engine is not None else PatternEngine()
    return engine.analyse(data, audience=audience, lang=lang, min_group=min_group)
