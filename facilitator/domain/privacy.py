"""The one home of the privacy rules that every audience shares.

* **Small groups.** A figure per perspective (reactions to a reflection,
  support for a conclusion, a pattern's share) is shown under that
  perspective's name only when at least ``min_group`` distinct people stand
  behind it. Smaller groups are pooled as *andere perspectieven* (one id,
  ``OTHER``), and the pool itself is shown only when it holds at least
  ``min_group`` people from at least two perspectives; otherwise it is
  withheld. Totals shown beside a pooled breakdown add up only what is shown,
  so that "total minus the named perspectives" never reveals a withheld group.
* **Hidden.** A reflection or conclusion hidden by the facilitator leaves
  every audience but the facilitator and organiser.

Views (snapshots and live events), the pattern analysis and the exports ask
this module; none of them writes its own pooling.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .model import Reflection, StepKind
from .rules import Action, Role, allowed

#: The pooled group of perspectives too small to show on their own.
OTHER = "_other"
#: The smallest number of people a per-perspective figure may show (FACILITATOR_MIN_GROUP).
MIN_GROUP = 3


class Opinion(Protocol):
    """A reaction or endorsement: who gave it, from which perspective, of what kind."""

    participant: str
    perspective: str
    kind: str


def pool_assignment(people: Mapping[str, Iterable[Hashable]],
                    min_group: int = MIN_GROUP) -> dict[str, str | None]:
    """Where each perspective's figure goes: itself, ``OTHER``, or None (withheld).

    ``people`` maps a perspective to the distinct people behind its figure.
    A perspective with at least ``min_group`` people keeps its own name; the
    rest are pooled, and the pool survives only with at least ``min_group``
    people from at least two perspectives. Perspectives with nobody behind
    them are left out.
    """
    min_group = max(1, int(min_group))
    sizes = {pid: len(set(who)) for pid, who in people.items()}
    small = [pid for pid, n in sizes.items() if 0 < n < min_group]
    pool_ok = len(small) >= 2 and sum(sizes[pid] for pid in small) >= min_group
    out: dict[str, str | None] = {}
    for pid, n in sizes.items():
        if n == 0:
            continue
        if n >= min_group:
            out[pid] = pid
        else:
            out[pid] = OTHER if pool_ok else None
    return out


def pooled_counts(items: Iterable[Opinion], min_group: int = MIN_GROUP,
                  pool: bool = True) -> dict[str, Any]:
    """Counts by kind, in total and per perspective, for one target (a reflection, ...).

    With ``pool`` the small-group rule applies (see the module docstring) and
    ``withheld`` says whether some opinions were left out; without it every
    perspective is shown as it is (facilitator and organiser).
    """
    items = list(items)
    people: dict[str, set[str]] = defaultdict(set)
    for item in items:
        people[item.perspective].add(item.participant)
    where = pool_assignment(people, min_group) if pool else {pid: pid for pid in people}
    by: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    withheld = False
    for item in items:
        group = where.get(item.perspective)
        if group is None:
            withheld = True
            continue
        by[group][item.kind] += 1
        total[item.kind] += 1
    out: dict[str, Any] = {"total": dict(total), "by_perspective": {k: dict(v)
                                                                    for k, v in by.items()}}
    if withheld:
        out["withheld"] = True
    return out


def is_visible(record: Any) -> bool:
    """Whether a reflection or conclusion may reach anyone but the facilitator and organiser."""
    return not getattr(record, "hidden", False)


@dataclass(frozen=True)
class Viewer:
    """Who looks at an analysis or a report, in which step: what they may see follows
    from the rules table alone (the pattern analysis and the exports ask this).

    ``Viewer(Role.FACILITATOR, kind)`` is the console, ``Viewer(Role.SCREEN, kind)``
    the projector, ``Viewer(Role.READER, kind)`` whoever reads a report handed on.
    """

    role: Role
    kind: StepKind

    @property
    def sees_unshared(self) -> bool:
        """Circle reflections that were not taken into the dialogue."""
        return allowed(self.role, Action.VIEW_ALL_REFLECTIONS, self.kind)

    @property
    def sees_small_groups(self) -> bool:
        """Per-perspective figures of fewer than the minimum of people, unpooled."""
        return allowed(self.role, Action.VIEW_SMALL_GROUPS, self.kind)

    @property
    def sees_identities(self) -> bool:
        """Who wrote what, outside one's own circle."""
        return allowed(self.role, Action.VIEW_IDENTITIES, self.kind)

    def reflections(self, reflections: Iterable[Reflection]) -> list[Reflection]:
        """The reflections an analysis for this viewer may rest on: never hidden
        ones, and only shared ones unless the viewer sees the circles' own."""
        return [r for r in reflections
                if is_visible(r) and (r.shared or self.sees_unshared)]


def pooled_scores(scores: Iterable[tuple[str, str, float]], min_group: int = MIN_GROUP
                  ) -> tuple[dict[str, list[tuple[str, float]]], bool]:
    """The scores of one figure (a finding's round, in one session) by the group they are
    shown in, and whether some were withheld.

    ``scores`` holds (perspective, person, score) with a score given (*geen mening*
    is no score): a mean stands on the people who gave a score, so they are the
    people the rule counts. Every document that shows these scores (the session's
    report, the series synthesis under any filter) takes these groups as they are,
    so that no two documents differ by fewer than ``min_group`` people.
    """
    people: dict[str, set[str]] = defaultdict(set)
    items = list(scores)
    for perspective, who, _score in items:
        people[perspective].add(who)
    where = pool_assignment(people, min_group)
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    withheld = False
    for perspective, who, score in items:
        group = where.get(perspective)
        if group is None:
            withheld = True
        else:
            out[group].append((who, score))
    return dict(out), withheld
