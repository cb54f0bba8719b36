"""A research programme of many sessions: a series holds the shared findings,
perspectives and programme template; its synthesis looks across the sessions.

The DVG programme runs several *reflectiesessies* in different places and asks
whether *grotere patronen* show across them. A ``Series`` keeps a template (a
session spec: programme, perspectives, circles, findings); each session made in
the series starts from it with its own date, place and municipality, and may
differ afterwards. ``synthesis`` reads the sessions' data and gives, per finding
and perspective, the ratings per session and over all (a session without ratings of a
finding counts with the reactions to its shared reflections on that finding), the
themes and the concerns distinctive of a perspective that recur across sessions and
the ones seen in one session only, each with counts and the sessions it comes from.
The small-group rule holds over the series: a figure per perspective needs the
minimum of distinct people (in all the sessions it counts) and is pooled or left out
otherwise.
"""

from __future__ import annotations

from collections import Counter, defaultdict
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

    def update_template(self, role: Role, series_id: Any, template: Any) -> Series:
        """Replace the template of a series (organiser); checked on a trial session spec
        like ``create``, so a broken template is refused and the stored one stays.
        Sessions already made from it keep their own programme."""
        series = self.get(role, series_id)
        checked = new_series(series.id, series.title,
                             dict(template) if isinstance(template, dict) else template,
                             series.created_at)
        apply_spec(Workshop(code="", title=""), session_spec(checked), partial=False)
        series.template = checked.template
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

    def chosen(self, role: Role, series_id: Any, *, codes: Iterable[str] | None = None,
               since: str | None = None, until: str | None = None,
               municipality: str | None = None) -> tuple[Series, list[WorkshopData]]:
        """The series and the data of its sessions that pass the filters, by date
        (organiser, for the synthesis, its report and the research dataset)."""
        require_any_step(role, Action.VIEW_SYNTHESIS)
        series = self.get(role, series_id)
        wanted = set(codes) if codes else None

        def keep(w: Workshop) -> bool:
            return ((wanted is None or w.code in wanted)
                    and (not since or (w.date or "") >= since)
                    and (not until or (w.date or "9999") <= until)
                    and (not municipality or w.municipality == municipality))

        # by date, then by when they were made: the order of the programme
        ordered = sorted(self.sessions(series), key=lambda w: (w.date or "", w.created_at))
        return series, [self.ops.load(w.code) for w in ordered if keep(w)]

    def synthesis(self, role: Role, series_id: Any, *,
                  patterns_of: PatternsOf | None = None,
                  codes: Iterable[str] | None = None, since: str | None = None,
                  until: str | None = None, municipality: str | None = None,
                  min_group: int = privacy.MIN_GROUP, lang: str = "nl") -> dict[str, Any]:
        """The synthesis of a series, for the sessions that pass the filters."""
        series, loaded = self.chosen(role, series_id, codes=codes, since=since, until=until,
                                     municipality=municipality)
        return synthesis(series, loaded, patterns_of=patterns_of, min_group=min_group,
                         lang=lang)


# -- synthesis --------------------------------------------------------------------

Filter = Callable[[WorkshopData], bool]


def _session_row(data: WorkshopData, min_group: int) -> dict[str, Any]:
    w = data.workshop
    people: dict[str, set[str]] = defaultdict(set)
    for p in data.participants:
        people[p.perspective].add(p.id)
    # who came, per perspective, under the small-group rule: "one town clerk in
    # Zwolle" would name a person
    per: dict[str, int] = defaultdict(int)
    for pid, group in privacy.pool_assignment(people, min_group).items():
        if group is not None:
            per[group] += len(people[pid])
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
            where = privacy.pool_assignment({pid: {w for w, _ in s} for pid, s in groups.items()},
                                            min_group)
            pooled = _pooled(groups, min_group)
            rows = []
            for group, scores in pooled.items():
                figure = _figure(scores, min_group)
                if figure is None:
                    continue
                # per session, the same people as the row (the perspectives that make it
                # up over the series), shown where they are enough on their own
                members = [pid for pid, g in where.items() if g == group]
                candidates = {}
                for data in sessions:
                    code = data.workshop.code
                    mine = per_session.get((fid, round_, code), {})
                    if group == privacy.OTHER and sum(1 for pid in members if mine.get(pid)) < 2:
                        continue  # a pool needs two perspectives, per session too
                    one = _figure([x for pid in members for x in mine.get(pid, [])], min_group)
                    if one:
                        candidates[code] = one
                keep = _safe_sessions(figure["people"],
                                      {c: f["people"] for c, f in candidates.items()}, min_group)
                rows.append({"id": group, "label": labels.get(group, group), **figure,
                             "sessions": {c: f for c, f in candidates.items() if c in keep}})
            # the total adds up only the figures shown: "total minus the perspectives
            # listed" must not reveal a group left out
            shown = {row["id"] for row in rows}
            every = [s for pid, scores in pooled.items() if pid in shown for s in scores]
            entry["rounds"][round_] = {"n": len(every),
                                       "mean": round(fmean(s for _, s in every), 2)
                                       if every else None,
                                       "perspectives": rows}
        out.append(entry)
    return out


def _safe_sessions(people: int, candidates: dict[str, int], min_group: int) -> set[str]:
    """The sessions whose own figure may stand beside a row's figure over the series.

    Each has at least ``min_group`` people, and the people of the sessions left
    out add up to none or to at least ``min_group``: otherwise the series figure
    minus the session figures shown would give the figure of a small group.
    """
    shown = {code: n for code, n in candidates.items() if n >= min_group}
    while shown:
        rest = people - sum(shown.values())
        if rest == 0 or rest >= min_group:
            break
        del shown[min(shown, key=lambda code: (shown[code], code))]
    return set(shown)


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


def _spread(count: int, total: int) -> str:
    """``most`` (in more than half of the sessions, at least two), ``some`` or ``one``."""
    if count == 1:
        return "one"
    return "most" if count * 2 > total else "some"


def _term_of(item: dict[str, Any]) -> tuple[str, str]:
    """(key, shown term) of a pattern item; the key joins variants across sessions."""
    term = str(item.get("term") or item.get("title") or "")
    key = str(item.get("key") or term).lower()
    return key, term


def _patterns(per_session: dict[str, dict[str, Any]], total: int, min_group: int,
              labels: dict[str, str]) -> dict[str, Any]:
    """Themes and distinctive concerns by the sessions they occur in.

    Each session's analysis is the one a report's reader sees (shared reflections,
    small groups already pooled per session), so every figure that goes in stands
    on at least ``min_group`` people; summing over sessions keeps that. A concern
    of the pooled group is left out: who is in the pool differs per session.
    """
    themes: dict[str, dict[str, Any]] = {}
    concerns: dict[tuple[str, str], dict[str, Any]] = {}
    for code, result in per_session.items():
        for item in result.get("themes") or []:
            key, term = _term_of(item)
            if not key:
                continue
            entry = themes.setdefault(key, {"kind": "theme", "term": term, "key": key,
                                            "sessions": [], "people": 0, "perspectives": {}})
            if code in entry["sessions"]:
                continue
            entry["sessions"].append(code)
            counts = item.get("counts") or {}
            entry["people"] += int(counts.get("authors_using") or 0)
            for p in item.get("perspectives") or []:
                pid = p.get("id")
                if pid and p.get("authors_using"):
                    entry["perspectives"][pid] = (entry["perspectives"].get(pid, 0)
                                                  + int(p["authors_using"]))
        for item in result.get("distinctive") or []:
            pid = item.get("perspective")
            key, term = _term_of(item)
            if not pid or pid == privacy.OTHER or not key:
                continue
            counts = item.get("counts") or {}
            entry = concerns.setdefault((pid, key), {
                "kind": "concern", "perspective": pid, "label": labels.get(pid, pid),
                "term": term, "key": key, "sessions": [], "people": 0, "of": 0})
            if code in entry["sessions"]:
                continue
            entry["sessions"].append(code)
            entry["people"] += int(counts.get("authors_using") or 0)
            entry["of"] += int(counts.get("authors") or 0)

    def finish(entry: dict[str, Any]) -> dict[str, Any]:
        entry["count"] = len(entry["sessions"])
        entry["spread"] = _spread(entry["count"], total)
        return entry

    theme_list = [finish(e) for e in themes.values()]
    for e in theme_list:
        e["perspectives"] = [{"id": pid, "label": labels.get(pid, pid), "people": n}
                             for pid, n in sorted(e["perspectives"].items(),
                                                  key=lambda kv: (-kv[1], kv[0]))]
    # the small-group rule over the series: a perspective's figure needs min_group
    # people of that perspective behind it in the sessions it counts
    concern_list = [finish(e) for e in concerns.values() if e["of"] >= min_group]

    def order(e: dict[str, Any]) -> tuple[int, int, str]:
        return -e["count"], -e["people"], e["term"].lower()

    theme_list.sort(key=order)
    concern_list.sort(key=order)
    both = sorted(theme_list + concern_list, key=order)
    return {"themes": theme_list, "concerns": concern_list,
            "recurring": [e for e in both if e["spread"] == "most"],
            "once": [e for e in both if e["spread"] == "one"]}


def _reaction_findings(sessions: list[WorkshopData], min_group: int, labels: dict[str, str],
                       rated: set[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Per finding, the reactions to shared reflections on it, from the sessions that
    have no ratings of that finding (``rated`` holds (finding, session) pairs that do)."""
    by_finding: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for data in sessions:
        code = data.workshop.code
        on: dict[str, str] = {r.id: r.finding for r in data.reflections
                              if r.finding and r.shared and privacy.is_visible(r)}
        for x in data.reactions:
            fid = on.get(x.reflection)
            if fid is None or (fid, code) in rated:
                continue
            by_finding[fid].append((code, x))
    out: dict[str, dict[str, Any]] = {}
    kinds = ("agree", "disagree", "pass")
    for fid, items in by_finding.items():
        opinions = [_Opinion(f"{code}:{x.participant}", x.perspective, x.kind)
                    for code, x in items]
        overall = privacy.pooled_counts(opinions, min_group)
        codes = list(dict.fromkeys(code for code, _ in items))
        where = privacy.pool_assignment(_people_by_perspective(opinions), min_group)
        people: dict[str, set[str]] = defaultdict(set)
        # row -> session -> (people, perspectives, counts): the row's own people per
        # session, as for the ratings
        parts: dict[str, dict[str, tuple[set[str], set[str], Counter]]] = defaultdict(
            lambda: defaultdict(lambda: (set(), set(), Counter())))
        for (code, _x), o in zip(items, opinions, strict=True):
            group = where.get(o.perspective)
            if group is None:
                continue
            people[group].add(o.participant)
            who, perspectives, counts = parts[group][code]
            who.add(o.participant)
            perspectives.add(o.perspective)
            counts[o.kind] += 1
        rows = []
        for pid, counts in overall["by_perspective"].items():
            candidates = {c: len(who) for c, (who, perspectives, _n) in parts[pid].items()
                          if pid != privacy.OTHER or len(perspectives) >= 2}
            keep = _safe_sessions(len(people[pid]), candidates, min_group)
            rows.append({"id": pid, "label": labels.get(pid, pid), "people": len(people[pid]),
                         **{k: counts.get(k, 0) for k in kinds},
                         "sessions": {c: {k: parts[pid][c][2].get(k, 0) for k in kinds}
                                      for c in codes if c in keep}})
        rows.sort(key=lambda r: (r["id"] == privacy.OTHER, -r["people"], r["id"]))
        out[fid] = {"sessions": codes, "total": {k: overall["total"].get(k, 0) for k in kinds},
                    "perspectives": rows, "withheld": bool(overall.get("withheld"))}
    return out


@dataclass(frozen=True)
class _Opinion:
    participant: str
    perspective: str
    kind: str


def _people_by_perspective(opinions: Iterable[_Opinion]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for o in opinions:
        out[o.perspective].add(o.participant)
    return out


PatternsOf = Callable[[WorkshopData], dict[str, Any]]


def synthesis(series: Series, sessions: list[WorkshopData], *,
              patterns_of: PatternsOf | None = None,
              keep: Filter | None = None, min_group: int = privacy.MIN_GROUP,
              lang: str = "nl") -> dict[str, Any]:
    """Across the sessions of a series (those ``keep`` lets through).

    ``patterns_of(data)`` gives a session's pattern analysis as a report's reader
    sees it (``themes`` and ``distinctive`` items, see ``patterns``); it is passed
    in so that the caller picks the engine and its cache. Without it the synthesis
    has findings only. Per finding and perspective the recognition ratings count
    where a session has them; a session without ratings of a finding counts with
    the reactions to its shared reflections on that finding (``reactions``).
    """
    chosen = [d for d in sessions if keep is None or keep(d)]
    labels: dict[str, str] = {privacy.OTHER: "Andere perspectieven" if lang != "en"
                              else "Other perspectives"}
    for data in chosen:
        for p in data.workshop.perspectives:
            labels.setdefault(p.id, p.label_for(lang))
    findings = _findings(chosen, min_group, labels)
    rated = {(r.finding, d.workshop.code) for d in chosen for r in d.ratings
             if r.score is not None}
    reacted = _reaction_findings(chosen, min_group, labels, rated)
    for entry in findings:
        entry["sources"] = {d.workshop.code: "ratings" if (entry["id"], d.workshop.code) in rated
                            else "reactions" if d.workshop.code in reacted.get(
                                entry["id"], {}).get("sessions", []) else None
                            for d in chosen}
        entry["reactions"] = reacted.get(entry["id"], {"sessions": [], "total": {},
                                                       "perspectives": [],
                                                       "withheld": False})
    out: dict[str, Any] = {
        "series": {"id": series.id, "title": series.title},
        "min_group": min_group,
        "sessions": [_session_row(d, min_group) for d in chosen],
        "findings": findings,
        "themes": [], "concerns": [], "recurring": [], "once": [],
    }
    if patterns_of is not None:
        out.update(_patterns({d.workshop.code: patterns_of(d) for d in chosen}, len(chosen),
                             min_group, labels))
    return out
