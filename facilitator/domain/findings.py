"""Putting the findings to the test: ratings per perspective, before and after the dialogue.

Each participant rates each finding from 1 (*helemaal niet herkenbaar*) to 5
(*zeer herkenbaar*), or *geen mening*, once before the dialogue and once after
it. ``results`` gives, per finding and round, how each perspective rated it and,
over the people who rated in both rounds, how far each perspective moved.

A round is open in the step kinds the rules table gives it (``rate_before``:
presentation and circles; ``rate_after``: conclusions) unless the facilitator
opened or closed it by hand. Figures per perspective follow the small-group rule
of ``privacy`` for viewers that do not see small groups: a mean is a figure of
the people who gave a score, so it is pooled or withheld below the minimum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from statistics import fmean
from typing import Any

from . import privacy
from .model import Rating, RatingRound, Workshop, WorkshopData
from .rules import Action, Role, allowed

SCORES = (1, 2, 3, 4, 5)
ROUNDS = (RatingRound.BEFORE.value, RatingRound.AFTER.value)
#: the rules-table action that opens each round by step kind
ROUND_ACTION = {RatingRound.BEFORE.value: Action.RATE_BEFORE,
                RatingRound.AFTER.value: Action.RATE_AFTER}
#: perspective means this far apart (on the five-point scale) divide the room
DIVIDING_SPREAD = 1.5


def rating_id(finding: str, round_: str, participant: str) -> str:
    """One rating per finding, round and participant: a second one replaces the first."""
    return f"{finding}:{round_}:{participant}"


def round_open(workshop: Workshop, round_: str) -> bool:
    """Whether participants may rate in ``round_`` now (the facilitator's hand wins)."""
    by_hand = workshop.state.rating_rounds.get(round_)
    if by_hand is not None:
        return by_hand
    return allowed(Role.PARTICIPANT, ROUND_ACTION[round_], workshop.current_kind())


def open_round(workshop: Workshop) -> str | None:
    """The round that is open now (after wins when both are), or None."""
    for round_ in reversed(ROUNDS):
        if round_open(workshop, round_):
            return round_
    return None


def _round(ratings: list[Rating], label, viewer: privacy.Viewer, min_group: int,
           order: dict[str, int]) -> dict[str, Any]:
    # everyone who rated (a score or *geen mening*) stands behind a perspective's figures
    people: dict[str, set[str]] = defaultdict(set)
    for r in ratings:
        people[r.perspective].add(r.participant)
    group_of = ({pid: pid for pid in people} if viewer.sees_small_groups
                else privacy.pool_assignment(people, min_group))
    by_group: dict[str, list[Rating]] = defaultdict(list)
    no_opinion: dict[str, int] = defaultdict(int)
    withheld = False
    for r in ratings:
        group = group_of.get(r.perspective)
        if group is None:
            withheld = True
        elif r.score is None:
            no_opinion[group] += 1
        else:
            by_group[group].append(r)
    shown = [r for rs in by_group.values() for r in rs]
    perspectives = []
    for group in sorted(set(by_group) | set(no_opinion), key=lambda g: (order.get(g, 99), g)):
        rs = by_group.get(group, [])
        distribution = {str(s): sum(1 for r in rs if r.score == s) for s in SCORES}
        entry: dict[str, Any] = {
            "id": group, "label": label(group), "n": len(rs),
            "mean": round(fmean(r.score for r in rs), 2) if rs else None,
            "recognise": round(sum(1 for r in rs if r.score >= 4) / len(rs), 2) if rs else None,
            "distribution": distribution, "no_opinion": no_opinion.get(group, 0)}
        if viewer.sees_small_groups:
            entry["small_group"] = 0 < len(rs) < min_group
        perspectives.append(entry)
    # the spread of the perspectives' means, from unrounded means of groups large enough
    means = [fmean(r.score for r in rs) for rs in by_group.values() if len(rs) >= min_group]
    out: dict[str, Any] = {
        "n": len(shown), "no_opinion": sum(no_opinion.values()),
        "mean": round(fmean(r.score for r in shown), 2) if shown else None,
        "recognise": round(sum(1 for r in shown if r.score >= 4) / len(shown), 2)
        if shown else None,
        "spread": round(max(means) - min(means), 2) if len(means) >= 2 else None,
        "perspectives": perspectives}
    if withheld:
        out["withheld"] = True
    return out


def _shift(before: list[Rating], after: list[Rating], label, viewer: privacy.Viewer,
           min_group: int, order: dict[str, int]) -> dict[str, Any]:
    """The mean change per perspective over the people who gave a score in both rounds."""
    first = {r.participant: r for r in before if r.score is not None}
    pairs = [(first[r.participant], r) for r in after
             if r.score is not None and r.participant in first]
    people: dict[str, set[str]] = defaultdict(set)
    for b, _a in pairs:
        people[b.perspective].add(b.participant)
    group_of = ({pid: pid for pid in people} if viewer.sees_small_groups
                else privacy.pool_assignment(people, min_group))
    deltas: dict[str, list[int]] = defaultdict(list)
    for b, a in pairs:
        group = group_of.get(b.perspective)
        if group is not None:
            deltas[group].append(a.score - b.score)
    every = [d for ds in deltas.values() for d in ds]
    return {
        "n_paired": len(every),
        "mean_delta": round(fmean(every), 2) if every else None,
        "perspectives": [
            {"id": g, "label": label(g), "n_paired": len(ds), "mean_delta": round(fmean(ds), 2)}
            for g, ds in sorted(deltas.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))],
    }


def results(data: WorkshopData, viewer: privacy.Viewer, min_group: int = privacy.MIN_GROUP,
            lang: str = "nl") -> dict[str, Any]:
    """Rating results per finding for ``viewer`` (pooled unless it sees small groups)."""
    workshop = data.workshop
    order = {p.id: i for i, p in enumerate(workshop.perspectives)}
    others = {"nl": "Andere perspectieven", "en": "Other perspectives"}[
        "en" if lang == "en" else "nl"]

    def label(pid: str) -> str:
        if pid == privacy.OTHER:
            return others
        perspective = workshop.perspective(pid)
        return perspective.label_for(lang) if perspective else pid

    by_finding: dict[tuple[str, str], list[Rating]] = defaultdict(list)
    for r in data.ratings:
        by_finding[(r.finding, r.round)].append(r)
    findings = []
    for finding in workshop.findings:
        before = by_finding.get((finding.id, RatingRound.BEFORE.value), [])
        after = by_finding.get((finding.id, RatingRound.AFTER.value), [])
        entry = {"id": finding.id, "title": finding.title,
                 "rounds": {RatingRound.BEFORE.value: _round(before, label, viewer, min_group,
                                                             order),
                            RatingRound.AFTER.value: _round(after, label, viewer, min_group,
                                                            order)},
                 "shift": _shift(before, after, label, viewer, min_group, order)}
        if viewer.sees_identities:
            entry["reasons"] = reasons(before + after, label)
        findings.append(entry)
    return {"open_round": open_round(workshop), "min_group": min_group,
            "findings": findings, **ranking(findings)}


def reasons(ratings: Iterable[Rating], label) -> list[dict[str, Any]]:
    """The *waarom* texts, grouped by perspective (for the facilitator and organiser)."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in ratings:
        if r.text:
            grouped[r.perspective].append({"round": r.round, "score": r.score, "text": r.text})
    return [{"id": pid, "label": label(pid), "texts": texts} for pid, texts in grouped.items()]


def ranking(findings: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Which findings divide the perspectives most, and which unite them (latest round)."""
    def latest(entry):
        after = entry["rounds"][RatingRound.AFTER.value]
        return after if after["n"] else entry["rounds"][RatingRound.BEFORE.value]

    spread = [(latest(f)["spread"], latest(f)["mean"], f["id"]) for f in findings
              if latest(f)["spread"] is not None]
    return {
        "dividing": [fid for s, _m, fid in sorted(spread, key=lambda x: -x[0])
                     if s >= DIVIDING_SPREAD],
        "uniting": [fid for s, m, fid in sorted(spread, key=lambda x: (x[0], -(x[1] or 0)))
                    if s < 1 and (m or 0) >= 3.5],
    }
