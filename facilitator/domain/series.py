"""A research programme of many sessions: a series holds the shared findings,
perspectives and programme template; its synthesis looks across the sessions.

The DVG programme runs several *reflectiesessies* in different places and asks
whether *grotere patronen* show across them. A ``Series`` keeps a template (a
session spec: programme, perspectives, circles, findings); each session made in
the series starts from it with its own date, place and municipality, and may
differ afterwards. ``synthesis`` reads the sessions' data and gives, per finding
and perspective, the ratings per session and over all, the themes that recur
across sessions and the ones seen in one session only, each with counts and the
sessions it comes from. The small-group rule holds over the series: a figure
per perspective needs the minimum of distinct people (in all the sessions it
counts) and is pooled or left out otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from . import privacy
from .errors import N_, Invalid, NotFound
from .model import Record, Workshop, WorkshopData
from .operations import new_id
from .rules import Action, Role, require_any_step
from .spec import apply_spec
from .validation import clean_id, clean_text

#: the store's document kind for series
KIND = "series"


@dataclass
class Series(Record):
    """A series of sessions with the template they start from."""

    id: str
    title: str
    created_at: str
    #: a session spec (see ``spec.apply_spec``): programme, perspectives, circles, findings
    template: dict[str, Any] = field(default_factory=dict)


def new_series(series_id: str, title: Any, template: Any, now: str) -> Series:
    """A checked new series (the template is checked when a session is made from it)."""
    name = clean_text(title, field="title", max_length=200)
    if template is None:
        template = {}
    if not isinstance(template, dict):
        raise Invalid(N_("The request must be a JSON object."), field="template")
    for key in ("title", "date", "place", "municipality", "series"):
        template.pop(key, None)  # per session, not per series
    return Series(id=series_id, title=name, created_at=now, template=template)


def session_spec(series: Series, date: Any = None, place: Any = None,
                 municipality: Any = None, title: Any = None) -> dict[str, Any]:
    """The spec of a new session of ``series``: its template with this session's details."""
    spec = dict(series.template)
    spec["title"] = title or series.title
    for key, value in (("date", date), ("place", place), ("municipality", municipality)):
        if value not in (None, ""):
            spec[key] = value
    return spec


class SeriesService:
    """Use cases of series over ``Operations`` (its store, clock and ids)."""

    def __init__(self, ops: Any) -> None:
        self.ops = ops

    def create(self, role: Role, title: Any, template: Any = None) -> Series:
        """A new series (organiser); its template is checked on a trial session spec."""
        require_any_step(role, Action.MANAGE_SERIES)
        series = new_series(new_id(), title, template, self.ops.clock())
        apply_spec(Workshop(code="", title=""), session_spec(series), partial=False)
        self.ops.store.put_doc(KIND, series.id, series.to_dict())
        return series

    def get(self, role: Role, series_id: Any) -> Series:
        """One series (organiser); NotFound when there is none."""
        require_any_step(role, Action.MANAGE_SERIES)
        sid = clean_id(series_id, field="series")
        doc = self.ops.store.get_doc(KIND, sid)
        if doc is None:
            raise NotFound(N_("There is no series with this id."))
        return Series.from_dict(doc)

    def all(self, role: Role) -> list[Series]:
        """Every series, oldest first (organiser)."""
        require_any_step(role, Action.MANAGE_SERIES)
        return [Series.from_dict(d) for d in self.ops.store.list_docs(KIND)]

    def sessions(self, series: Series) -> list[Workshop]:
        """The sessions of a series, newest first."""
        return [w for w in self.ops.list_workshops() if w.series == series.id]

    def add_session(self, role: Role, series_id: Any, date: Any = None, place: Any = None,
                    municipality: Any = None, title: Any = None) -> Workshop:
        """A new session of the series, from its template, with its own date and place."""
        series = self.get(role, series_id)
        require_any_step(role, Action.CREATE_SESSION)
        where = clean_text(municipality, field="municipality", max_length=120, required=False)
        workshop = self.ops.create_workshop(session_spec(series, date, place, None, title))

        def join(doc: dict[str, Any]):
            doc = {**doc, "series": series.id, "municipality": where}
            return doc, []

        self.ops.store.update_workshop(workshop.code, join)
        workshop.series, workshop.municipality = series.id, where
        return workshop

    def synthesis(self, role: Role, series_id: Any, *,
                  themes_of: Callable[[WorkshopData], list[str]] | None = None,
                  codes: Iterable[str] | None = None, since: str | None = None,
                  until: str | None = None, municipality: str | None = None,
                  min_group: int = privacy.MIN_GROUP, lang: str = "nl") -> dict[str, Any]:
        """The synthesis of a series, for the sessions that pass the filters."""
        require_any_step(role, Action.VIEW_SYNTHESIS)
        series = self.get(role, series_id)
        wanted = set(codes) if codes else None

        def keep(data: WorkshopData) -> bool:
            w = data.workshop
            return ((wanted is None or w.code in wanted)
                    and (not since or (w.date or "") >= since)
                    and (not until or (w.date or "9999") <= until)
                    and (not municipality or w.municipality == municipality))

        loaded = [self.ops.load(w.code) for w in reversed(self.sessions(series))]
        return synthesis(series, loaded, themes_of=themes_of, keep=keep, min_group=min_group,
                         lang=lang)


# -- synthesis --------------------------------------------------------------------

Filter = Callable[[WorkshopData], bool]


def _session_row(data: WorkshopData) -> dict[str, Any]:
    w = data.workshop
    per: dict[str, int] = defaultdict(int)
    for p in data.participants:
        per[p.perspective] += 1
    return {"code": w.code, "title": w.title, "date": w.date, "place": w.place,
            "municipality": w.municipality, "participants": len(data.participants),
            "reflections": sum(1 for r in data.reflections if privacy.is_visible(r)),
            "shared": sum(1 for r in data.reflections if privacy.is_visible(r) and r.shared),
            "ratings": len(data.ratings), "perspectives": dict(per)}


def _figure(scores: list[tuple[str, int]], min_group: int) -> dict[str, Any] | None:
    """n and mean of (person, score) pairs, or None when fewer than ``min_group`` people."""
    people = {who for who, _ in scores}
    if not scores or len(people) < min_group:
        return None
    return {"n": len(scores), "people": len(people),
            "mean": round(fmean(s for _, s in scores), 2)}


def _findings(sessions: list[WorkshopData], min_group: int,
              labels: dict[str, str]) -> list[dict[str, Any]]:
    titles: dict[str, str] = {}
    for data in sessions:
        for f in data.workshop.findings:
            titles.setdefault(f.id, f.title)
    # (finding, round) -> perspective -> [(session:participant, score)], and per session
    overall: dict[tuple[str, str], dict[str, list[tuple[str, int]]]] = defaultdict(
        lambda: defaultdict(list))
    per_session: dict[tuple[str, str, str], dict[str, list[tuple[str, int]]]] = defaultdict(
        lambda: defaultdict(list))
    for data in sessions:
        code = data.workshop.code
        for r in data.ratings:
            if r.score is None:
                continue
            who = f"{code}:{r.participant}"
            overall[(r.finding, r.round)][r.perspective].append((who, r.score))
            per_session[(r.finding, r.round, code)][r.perspective].append((who, r.score))
    out = []
    for fid, title in titles.items():
        entry: dict[str, Any] = {"id": fid, "title": title, "rounds": {}}
        for round_ in ("before", "after"):
            groups = overall.get((fid, round_), {})
            pooled = _pooled(groups, min_group)
            rows = []
            for pid, scores in pooled.items():
                figure = _figure(scores, min_group)
                if figure is None:
                    continue
                sessions_of = {}
                for data in sessions:
                    code = data.workshop.code
                    mine = _pooled(per_session.get((fid, round_, code), {}), min_group)
                    one = _figure(mine.get(pid, []), min_group)
                    if one:
                        sessions_of[code] = one
                rows.append({"id": pid, "label": labels.get(pid, pid), **figure,
                             "sessions": sessions_of})
            every = [s for scores in groups.values() for s in scores]
            entry["rounds"][round_] = {"n": len(every),
                                       "mean": round(fmean(s for _, s in every), 2)
                                       if every else None,
                                       "perspectives": rows}
        out.append(entry)
    return out


def _pooled(groups: dict[str, list[tuple[str, int]]],
            min_group: int) -> dict[str, list[tuple[str, int]]]:
    """Figures per perspective with the small-group rule of ``privacy`` applied."""
    where = privacy.pool_assignment({pid: {w for w, _ in s} for pid, s in groups.items()},
                                    min_group)
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for pid, scores in groups.items():
        group = where.get(pid)
        if group is not None:
            out[group].extend(scores)
    return out


def _recurring(per_session: dict[str, Iterable[str]], total: int) -> dict[str, Any]:
    """Terms (themes, concerns) by the sessions they occur in: recurring and one-off."""
    sessions_of: dict[str, list[str]] = defaultdict(list)
    for code, terms in per_session.items():
        for term in dict.fromkeys(terms):
            sessions_of[term].append(code)
    items = sorted(({"term": t, "sessions": codes, "count": len(codes)}
                    for t, codes in sessions_of.items()),
                    key=lambda e: (-e["count"], e["term"]))
    return {"recurring": [e for e in items if e["count"] >= max(2, (total + 1) // 2)],
            "some": [e for e in items if 2 <= e["count"] < max(2, (total + 1) // 2)],
            "once": [e for e in items if e["count"] == 1]}


def synthesis(series: Series, sessions: list[WorkshopData], *,
              themes_of: Callable[[WorkshopData], list[str]] | None = None,
              keep: Filter | None = None, min_group: int = privacy.MIN_GROUP,
              lang: str = "nl") -> dict[str, Any]:
    """Across the sessions of a series (those ``keep`` lets through).

    ``themes_of(data)`` gives a session's shared themes (the pattern analysis as a
    report reader may see it); it is passed in so that this module needs no engine.
    """
    chosen = [d for d in sessions if keep is None or keep(d)]
    labels: dict[str, str] = {privacy.OTHER: "Andere perspectieven" if lang != "en"
                              else "Other perspectives"}
    for data in chosen:
        for p in data.workshop.perspectives:
            labels.setdefault(p.id, p.label_for(lang))
    out: dict[str, Any] = {
        "series": {"id": series.id, "title": series.title},
        "min_group": min_group,
        "sessions": [_session_row(d) for d in chosen],
        "findings": _findings(chosen, min_group, labels),
    }
    if themes_of is not None:
        out["themes"] = _recurring({d.workshop.code: themes_of(d) for d in chosen}, len(chosen))
    return out
