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
The small-group rule is applied at the source: a group under the minimum in a
session is pooled (or left out) in every figure that session feeds, as in that
session's own report, and a figure over the series adds up whole session groups.
So no two documents (two filters, the series and a session's report) differ by a
group smaller than the minimum. Sessions are named by date, place and municipality,
never by their code (a join code).
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


def session_key(index: int) -> str:
    """The reference of a session inside one synthesis (``S1``, ``S2``, ... in its order).

    A session's code is its join code: a synthesis and the report made from it are
    handed on, so they name a session by its place in the selection (and the report
    by its date, place and municipality), never by the code.
    """
    return f"S{index}"


def _session_row(key: str, data: WorkshopData, min_group: int) -> dict[str, Any]:
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
    return {"id": key, "title": w.title, "date": w.date, "place": w.place,
            "municipality": w.municipality, "participants": len(data.participants),
            "reflections": sum(1 for r in data.reflections if privacy.is_visible(r)),
            "shared": sum(1 for r in data.reflections if privacy.is_visible(r) and r.shared),
            "ratings": len(data.ratings), "perspectives": dict(per)}


def _figure(scores: list[tuple[str, float]]) -> dict[str, Any]:
    return {"n": len(scores), "people": len({who for who, _ in scores}),
            "mean": round(fmean(s for _, s in scores), 2)}


def _findings(sessions: list[tuple[str, WorkshopData]], min_group: int,
              labels: dict[str, str]) -> list[dict[str, Any]]:
    """Per finding and round, the figures per group over the sessions.

    Pooled at the source: in each session a round's scores are grouped by
    ``privacy.pooled_scores`` (as that session's own report groups them), and a
    row over the series adds up the sessions' groups of that id. So every figure
    of every document is a sum of whole session groups of at least ``min_group``
    people, and the difference between any two of them (the series minus one
    session, two filters, the series minus a session's report) is one too.
    """
    titles: dict[str, str] = {}
    for _key, data in sessions:
        for f in data.workshop.findings:
            titles.setdefault(f.id, f.title)
    # (finding, round) -> group -> session -> [(session:participant, score)]
    blocks: dict[tuple[str, str], dict[str, dict[str, list[tuple[str, float]]]]] = \
        defaultdict(lambda: defaultdict(dict))
    withheld: set[tuple[str, str]] = set()
    for key, data in sessions:
        code = data.workshop.code
        scores: dict[tuple[str, str], list[tuple[str, str, float]]] = defaultdict(list)
        for r in data.ratings:
            if r.score is not None:
                scores[(r.finding, r.round)].append((r.perspective, f"{code}:{r.participant}",
                                                     r.score))
        for figure, items in scores.items():
            groups, left_out = privacy.pooled_scores(items, min_group)
            if left_out:
                withheld.add(figure)
            for group, mine in groups.items():
                blocks[figure][group][key] = mine
    out = []
    for fid, title in titles.items():
        entry: dict[str, Any] = {"id": fid, "title": title, "rounds": {}}
        for round_ in ("before", "after"):
            groups = blocks.get((fid, round_), {})
            rows = []
            for group, per_session in groups.items():
                every = [x for mine in per_session.values() for x in mine]
                rows.append({"id": group, "label": labels.get(group, group), **_figure(every),
                             "sessions": {k: _figure(mine) for k, mine in per_session.items()}})
            rows.sort(key=lambda r: (r["id"] == privacy.OTHER, -r["people"], r["id"]))
            every = [s for group in groups.values() for mine in group.values() for _, s in mine]
            entry["rounds"][round_] = {"n": len(every),
                                       "mean": round(fmean(every), 2) if every else None,
                                       "perspectives": rows,
                                       "withheld": (fid, round_) in withheld}
        out.append(entry)
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
    counts from a session only where that session's perspective reached the
    minimum on its own (a series total would otherwise minus one session give a
    small group); a concern of the pooled group is left out: who is in the pool
    differs per session.
    """
    themes: dict[str, dict[str, Any]] = {}
    concerns: dict[tuple[str, str], dict[str, Any]] = {}
    for key_of_session, result in per_session.items():
        for item in result.get("themes") or []:
            key, term = _term_of(item)
            if not key:
                continue
            entry = themes.setdefault(key, {"kind": "theme", "term": term, "key": key,
                                            "sessions": [], "people": 0, "perspectives": {}})
            if key_of_session in entry["sessions"]:
                continue
            entry["sessions"].append(key_of_session)
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
            if int(counts.get("authors") or 0) < min_group:
                continue  # too few of that perspective in this session: pooled at the source
            entry = concerns.setdefault((pid, key), {
                "kind": "concern", "perspective": pid, "label": labels.get(pid, pid),
                "term": term, "key": key, "sessions": [], "people": 0, "of": 0})
            if key_of_session in entry["sessions"]:
                continue
            entry["sessions"].append(key_of_session)
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
    concern_list = [finish(e) for e in concerns.values()]

    def order(e: dict[str, Any]) -> tuple[int, int, str]:
        return -e["count"], -e["people"], e["term"].lower()

    theme_list.sort(key=order)
    concern_list.sort(key=order)
    both = sorted(theme_list + concern_list, key=order)
    return {"themes": theme_list, "concerns": concern_list,
            "recurring": [e for e in both if e["spread"] == "most"],
            "once": [e for e in both if e["spread"] == "one"]}


KINDS = ("agree", "disagree", "pass")


def _reaction_findings(sessions: list[tuple[str, WorkshopData]], min_group: int,
                       labels: dict[str, str],
                       rated: set[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Per finding, the reactions to shared reflections on it, from the sessions that
    have no ratings of that finding (``rated`` holds (finding, session) pairs that do).

    Pooled at the source as the ratings are: in each session the people who reacted
    on a finding are grouped by ``privacy.pool_assignment``, and a row adds up the
    sessions' groups of that id.
    """
    # finding -> group -> session -> (people, counts)
    blocks: dict[str, dict[str, dict[str, tuple[set[str], Counter]]]] = defaultdict(
        lambda: defaultdict(dict))
    reacted: dict[str, list[str]] = defaultdict(list)
    withheld: set[str] = set()
    for key, data in sessions:
        on: dict[str, str] = {r.id: r.finding for r in data.reflections
                              if r.finding and r.shared and privacy.is_visible(r)}
        by_finding: dict[str, list[Any]] = defaultdict(list)
        for x in data.reactions:
            fid = on.get(x.reflection)
            if fid is not None and (fid, key) not in rated:
                by_finding[fid].append(x)
        for fid, items in by_finding.items():
            reacted[fid].append(key)
            people: dict[str, set[str]] = defaultdict(set)
            for x in items:
                people[x.perspective].add(x.participant)
            where = privacy.pool_assignment(people, min_group)
            for x in items:
                group = where.get(x.perspective)
                if group is None:
                    withheld.add(fid)
                    continue
                who, counts = blocks[fid][group].setdefault(key, (set(), Counter()))
                who.add(x.participant)
                counts[x.kind] += 1
    out: dict[str, dict[str, Any]] = {}
    for fid, keys in reacted.items():
        rows = []
        total: Counter = Counter()
        for group, per_session in blocks.get(fid, {}).items():
            counts = sum((c for _who, c in per_session.values()), Counter())
            total += counts
            rows.append({"id": group, "label": labels.get(group, group),
                         "people": sum(len(who) for who, _c in per_session.values()),
                         **{k: counts.get(k, 0) for k in KINDS},
                         "sessions": {k: {kind: c.get(kind, 0) for kind in KINDS}
                                      for k, (_who, c) in per_session.items()}})
        rows.sort(key=lambda r: (r["id"] == privacy.OTHER, -r["people"], r["id"]))
        out[fid] = {"sessions": keys, "total": {k: total.get(k, 0) for k in KINDS},
                    "perspectives": rows, "withheld": fid in withheld}
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
    Sessions are referred to by ``session_key`` (``S1``, ...; each session row
    gives its date, place and municipality), never by their join code.
    """
    chosen = [d for d in sessions if keep is None or keep(d)]
    keyed = [(session_key(i), d) for i, d in enumerate(chosen, start=1)]
    labels: dict[str, str] = {privacy.OTHER: "Andere perspectieven" if lang != "en"
                              else "Other perspectives"}
    for data in chosen:
        for p in data.workshop.perspectives:
            labels.setdefault(p.id, p.label_for(lang))
    findings = _findings(keyed, min_group, labels)
    rated = {(r.finding, key) for key, d in keyed for r in d.ratings if r.score is not None}
    reacted = _reaction_findings(keyed, min_group, labels, rated)
    for entry in findings:
        entry["sources"] = {key: "ratings" if (entry["id"], key) in rated
                            else "reactions" if key in reacted.get(
                                entry["id"], {}).get("sessions", []) else None
                            for key, _d in keyed}
        entry["reactions"] = reacted.get(entry["id"], {"sessions": [], "total": {},
                                                       "perspectives": [],
                                                       "withheld": False})
    out: dict[str, Any] = {
        "series": {"id": series.id, "title": series.title},
        "min_group": min_group,
        "sessions": [_session_row(key, d, min_group) for key, d in keyed],
        "findings": findings,
        "themes": [], "concerns": [], "recurring": [], "once": [],
    }
    if patterns_of is not None:
        out.update(_patterns({key: patterns_of(d) for key, d in keyed}, len(chosen),
                             min_group, labels))
    return out
