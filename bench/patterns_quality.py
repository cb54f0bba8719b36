"""Quality of the pattern analysis on realistic Dutch sessions with planted truth.

Runs the analysis on the three sessions of ``tests/fixtures/patterns_sessions.py``
(about 15, 40 and 120 participants) and prints precision and recall per kind of
pattern, for the console (everything) and the screen (shared only, small groups
pooled)::

    python bench/patterns_quality.py            # the table (Markdown)
    python bench/patterns_quality.py --verbose  # and what was found, item by item

Scoring: a shared theme is found when an item's term is one of the planted theme's
forms; a distinctive concern when the item's perspective and term match a planted
concern; common ground and dividing lines (between perspectives) by their target
reflection; blind spots by kind and perspective (absent, silent). Precision counts the
items reported, recall the planted truths found. Generic words ("werken", "gemeente",
"mensen", "goed") reported as a theme count against precision.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from patterns_sessions import SESSIONS, build  # noqa: E402

from facilitator.domain.model import (  # noqa: E402
    LiveState,
    Participant,
    Perspective,
    Reaction,
    Reflection,
    Step,
    Workshop,
    WorkshopData,
)
from facilitator.domain.patterns import PatternEngine, PatternSettings  # noqa: E402
from facilitator.domain.patterns.stats import _hypergeom_sf  # noqa: E402
from facilitator.domain.text import normalise  # noqa: E402

KINDS = ("themes", "distinctive", "common_ground", "dividing_lines", "blind_spots")
GENERIC = {"werken", "gemeente", "mensen", "goed", "werk", "goede"}


def workshop_data(session: dict) -> WorkshopData:
    """The fixture as the app's records, in the exchange step."""
    ws = Workshop(code="QUAL01", title="Kwaliteit",
                  perspectives=[Perspective(p["id"], p["label"], p["label"])
                                for p in session["perspectives"]],
                  steps=[Step("s1", "Kringen", "circle"), Step("s2", "Uitwisseling", "exchange")],
                  state=LiveState(current_step="s2"))
    data = WorkshopData(workshop=ws)
    for p in session["participants"]:
        data.participants.append(Participant(id=p["id"], token="t", pseudonym="x",
                                             perspective=p["perspective"],
                                             circle=p["perspective"]))
    for i, r in enumerate(session["reflections"]):
        data.reflections.append(Reflection(id=r["id"], participant=r["participant"],
                                           perspective=r["perspective"], circle=r["perspective"],
                                           text=r["text"], created_at=f"{i:06d}",
                                           shared=r["shared"]))
    for i, x in enumerate(session["reactions"]):
        data.reactions.append(Reaction(id=f"x{i}", reflection=x["reflection"],
                                       participant=x["participant"],
                                       perspective=x["perspective"], circle=x["perspective"],
                                       kind=x["kind"], created_at=""))
    return data


def callable_truth(session: dict, view: str, settings: PatternSettings | None = None
                   ) -> tuple[dict, list[str]]:
    """The planted truth that any method could call in this view, and why the rest cannot.

    * A distinctive concern needs at least ``distinct_min_authors`` people of the
      perspective writing about it (any accepted form) in the reflections the view rests
      on; the screen counts shared reflections only and never names fewer than
      ``min_group`` people.
    * A dividing line between two perspectives needs, even for an analyst who knew which
      two to compare, a significant difference: each side at least ``min_reactions``
      reactions (``min_group`` people on the screen) and Fisher's exact test of the two
      sides, times the number of reflections a session tests (Bonferroni), at most 0.05.
      Three of four people recognising a reflection against none of four is what chance
      gives a couple of times among seventy reflections.
    * A silent perspective is named on the screen only with at least ``min_group``
      participants (the small-group rule).

    Precision still counts a found non-callable truth as correct; recall is over the
    callable truth.
    """
    s = settings or PatternSettings()
    screen = view != "facilitator"
    truth = dict(session["truth"])
    reasons: list[str] = []
    visible = [r for r in session["reflections"] if r["shared"] or not screen]
    need_people = max(s.distinct_min_authors, s.min_group if screen else 1)
    concerns = {}
    for (pid, concern), accept in truth["distinctive"].items():
        keys = set().union(*(normalise(form).terms for form in accept))
        writers = {r["participant"] for r in visible if r["perspective"] == pid
                   and keys & set(normalise(r["text"]).terms)}
        if len(writers) >= need_people:
            concerns[(pid, concern)] = accept
        else:
            reasons.append(f"distinctive {pid}/{concern}: {len(writers)} writers in this view, "
                           f"{need_people} needed")
    truth["distinctive"] = concerns
    n_rows = sum(1 for r in session["reflections"] if r["shared"])
    need_reactions = max(s.min_reactions, s.min_group if screen else 1)
    lines = set()
    for rid in truth["dividing_lines"]:
        high, low = session["dividing_pairs"][rid]
        sides = []
        for pid in (high, low):
            kinds = [x["kind"] for x in session["reactions"]
                     if x["reflection"] == rid and x["perspective"] == pid]
            sides.append((kinds.count("agree"), len(kinds)))
        (a1, n1), (a2, n2) = sides
        p = float(_hypergeom_sf(np.array([a1]), np.array([a1 + a2]), np.array([n1]),
                                n1 + n2)[0]) if n1 and n2 else 1.0
        if min(n1, n2) >= need_reactions and p * n_rows <= 0.05:
            lines.add(rid)
        else:
            reasons.append(f"dividing {rid} ({high} {a1}/{n1} vs {low} {a2}/{n2}): "
                           f"Fisher p {p:.4f} x {n_rows} reflections")
    truth["dividing_lines"] = lines
    if screen:
        size = {}
        for person in session["participants"]:
            size[person["perspective"]] = size.get(person["perspective"], 0) + 1
        small = {pid for pid in truth["silent"] if size.get(pid, 0) < s.min_group}
        reasons += [f"silent {pid}: {size.get(pid, 0)} participants, fewer than "
                    f"{s.min_group} are not named on the screen" for pid in sorted(small)]
        truth["silent"] = set(truth["silent"]) - small
    return truth, reasons


def _term(item: dict) -> str:
    return (item.get("term") or "").lower()


def score(result: dict, truth: dict, planted: dict | None = None
          ) -> dict[str, tuple[int, int, int, int]]:
    """kind -> (items correct, items reported, truths found, truths planted).

    ``truth`` is what recall is counted over (the callable truth); ``planted`` (all that
    was planted, default ``truth``) decides whether a reported item is correct."""
    planted = planted or truth
    out: dict[str, tuple[int, int, int, int]] = {}
    themes = result["themes"]
    hit = [t for t in themes if any(_term(t) in accept for accept in truth["themes"].values())]
    found = {name for name, accept in truth["themes"].items()
             if any(_term(t) in accept for t in themes)}
    out["themes"] = (len(hit), len(themes), len(found), len(truth["themes"]))
    dist = result["distinctive"]
    ok = [d for d in dist if any(d.get("perspective") == pid and _term(d) in accept
                                 for (pid, _c), accept in planted["distinctive"].items())]
    found = {key for key, accept in truth["distinctive"].items()
             if any(d.get("perspective") == key[0] and _term(d) in accept for d in dist)}
    out["distinctive"] = (len(ok), len(dist), len(found), len(truth["distinctive"]))
    for kind, wanted in (("common_ground", "common_ground"), ("dividing_lines", "dividing")):
        items = [i for i in result[kind] if i["kind"] == wanted]
        targets = {i["target"][2:] for i in items if i["target"].startswith("r:")}
        ok_items = [i for i in items if i["target"][2:] in planted[kind]]
        out[kind] = (len(ok_items), len(items), len(targets & truth[kind]), len(truth[kind]))
    planted_bs = {("absent", p) for p in truth["absent"]} | {("silent", p)
                                                              for p in truth["silent"]}
    all_bs = {("absent", p) for p in planted["absent"]} | {("silent", p)
                                                            for p in planted["silent"]}
    # the screen's pooled "small groups" silent item reports the small silent ones unnamed
    all_bs.add(("silent", "_other"))
    items = result["blind_spots"]
    got = {(i["kind"], i.get("perspective")) for i in items}
    ok_bs = [i for i in items if (i["kind"], i.get("perspective")) in all_bs]
    out["blind_spots"] = (len(ok_bs), len(items), len(got & planted_bs), len(planted_bs))
    return out


def _pct(a: int, b: int) -> str:
    return "—" if b == 0 else f"{100 * a / b:.0f} %"


def pooled_table(seeds: int) -> None:
    """Precision / recall per kind pooled over ``seeds`` rebuilds of each session (the
    same room and truth, other random choices): whether the figures hold beyond the one
    seed of the fixture."""
    print(f"Pooled over {seeds} seeds per session (items correct / reported, truths found "
          "/ callable):\n")
    print("| session | view | " + " | ".join(f"{k} P / R" for k in KINDS) + " |")
    print("|---|---|" + "---|" * len(KINDS))
    for name in SESSIONS:
        for view in ("facilitator", "screen"):
            total = {k: [0, 0, 0, 0] for k in KINDS}
            for k in range(seeds):
                session = build(name, seed=1000 + k)
                result = PatternEngine().analyse(workshop_data(session), view)
                truth, _why = callable_truth(session, view)
                for kind, counts in score(result, truth, session["truth"]).items():
                    total[kind] = [a + b for a, b in zip(total[kind], counts, strict=True)]
            cells = [f"{_pct(t[0], t[1])} / {_pct(t[2], t[3])}" for t in
                     (total[k] for k in KINDS)]
            print(f"| {name} | {view} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--seeds", type=int, default=0,
                        help="also pool the scores over this many other seeds per session")
    args = parser.parse_args()
    if args.seeds:
        pooled_table(args.seeds)
        return
    print("| session | participants | view | " + " | ".join(
        f"{k} P / R" for k in KINDS) + " | not callable | generic themes | ms |")
    print("|---|---|---|" + "---|" * len(KINDS) + "---|---|---|")
    for name in SESSIONS:
        session = build(name)
        data = workshop_data(session)
        for view in ("facilitator", "screen"):
            start = time.perf_counter()
            result = PatternEngine().analyse(data, view)
            ms = (time.perf_counter() - start) * 1000
            truth, uncallable = callable_truth(session, view)
            scores = score(result, truth, session["truth"])
            generic = [t["term"] for t in result["themes"] if _term(t) in GENERIC]
            cells = [f"{_pct(s[0], s[1])} / {_pct(s[2], s[3])}" for s in
                     (scores[k] for k in KINDS)]
            print(f"| {name} | {len(session['participants'])} | {view} | " + " | ".join(cells)
                  + f" | {len(uncallable)} | {', '.join(generic) or 'none'} | {ms:.0f} |")
            if args.verbose:
                for kind in KINDS:
                    for item in result[kind]:
                        print(f"    {kind:15} {item['id']:40} {item['text'][:90]}")
                print(f"    truth: {session['truth']}")
                for reason in uncallable:
                    print(f"    not callable: {reason}")


if __name__ == "__main__":
    main()
