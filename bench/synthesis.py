"""Benchmark of the synthesis of a series (facilitator/domain/series.py).

Builds a series in an in-memory SQLite store with a seeded RNG: ``--sessions``
sessions (default 20) of ``--participants`` people each (default 60, over 12
perspectives), ``--reflections`` reflections (default 40) per session, or per
participant with ``--per participant``, Dutch text with planted themes and
concerns, a few reactions per shared reflection, and every participant's
ratings of every finding before and after the dialogue. Every session stands in
the exchange step, where a report's reader sees the shared reflections.

Then it times the synthesis *cold*, as ``GET /api/series/<id>/synthesis`` does it
without any cache: every session loaded from the store, a new ``PatternEngine``
per session (the analysis a report's reader sees), the findings, ratings,
reactions, themes and concerns across the sessions. Run on one core::

    taskset -c 0 python bench/synthesis.py                       # 20 x 60, 40 per session
    taskset -c 0 python bench/synthesis.py --per participant     # 40 per participant

The budget (issue 15): under 2 s cold on one core.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from patterns import COMMON, FILLERS, PERSPECTIVES, PLANTED_OWN, PLANTED_SHARED  # noqa: E402

from facilitator.domain.model import Rating, Reaction, Reflection  # noqa: E402
from facilitator.domain.operations import Actor, Operations  # noqa: E402
from facilitator.domain.patterns import PatternEngine  # noqa: E402
from facilitator.domain.rules import Role  # noqa: E402
from facilitator.domain.series import SeriesService  # noqa: E402
from facilitator.store.sqlite import SQLiteStore  # noqa: E402

FINDINGS = [{"id": f"f{i}", "title": title} for i, title in enumerate((
    "Verandering verloopt zelden volgens plan", "Vertrouwen is een voorwaarde",
    "De raad staat op afstand", "Medewerkers worden laat betrokken",
    "Sturing is versnipperd", "Inwoners merken weinig van de verandering"), start=1)]
PLACES = ["Zwolle", "Deventer", "Ede", "Apeldoorn", "Enschede", "Hengelo", "Almelo", "Kampen",
          "Harderwijk", "Zutphen", "Doetinchem", "Arnhem", "Nijmegen", "Tiel", "Wageningen",
          "Barneveld", "Epe", "Raalte", "Ommen", "Hardenberg"]


def build(sessions: int, participants: int, reflections: int, per: str,
          seed: int = 2027) -> tuple[Operations, str, dict[str, int]]:
    """The series in a fresh in-memory store; answers (ops, series id, record counts)."""
    rng = random.Random(seed)
    store = SQLiteStore(":memory:")
    ops = Operations(store)
    service = SeriesService(ops)
    template = {"findings": FINDINGS,
                "perspectives": [{"id": p, "label": nl, "label_en": en}
                                 for p, nl, en in PERSPECTIVES]}
    series = service.create(Role.ORGANISER, "DVG Reflectiesessies 2027", template)
    counts = {"reflections": 0, "reactions": 0, "ratings": 0, "participants": 0}
    for s in range(sessions):
        place = PLACES[s % len(PLACES)]
        workshop = service.add_session(Role.ORGANISER, series.id,
                                       date=f"2027-{1 + s % 12:02d}-{1 + s % 28:02d}",
                                       place=f"Stadhuis {place}", municipality=place)
        code = workshop.code
        people = []
        for i in range(participants):
            pid = PERSPECTIVES[i % len(PERSPECTIVES)][0]
            participant, _ = ops.join(code, pid)
            people.append(participant)
        fac = Actor(Role.FACILITATOR, code)
        exchange = next(step for step in ops.workshop(code).steps if step.kind == "exchange")
        ops.change_step(fac, exchange.id)
        n = reflections * participants if per == "participant" else reflections
        shared = []
        for k in range(n):
            author = people[k % len(people)]
            words = rng.choices(COMMON, k=rng.randint(8, 25))
            for filler in rng.sample(FILLERS, 5):
                words.insert(rng.randrange(len(words) + 1), filler)
            if rng.random() < 0.7:  # a few themes every room talks about
                words.insert(rng.randrange(len(words) + 1), rng.choice(PLANTED_SHARED))
            if rng.random() < 0.5:
                words.insert(rng.randrange(len(words) + 1), PLANTED_OWN[author.perspective])
            text = " ".join(words)
            r = Reflection(id=f"r{k}", participant=author.id, perspective=author.perspective,
                           circle=author.circle, text=text[0].upper() + text[1:] + ".",
                           created_at="2027-03-01T14:10:00+00:00",
                           finding=rng.choice(FINDINGS)["id"] if rng.random() < 0.3 else None,
                           shared=rng.random() < 0.7)
            store.insert(code, "reflection", r.to_dict())
            if r.shared:
                shared.append(r)
        for r in shared:
            for person in rng.sample(people, 5):
                if person.perspective == r.perspective:
                    continue
                x = Reaction(id=f"x{counts['reactions']}", reflection=r.id,
                             participant=person.id, perspective=person.perspective,
                             circle=person.circle, kind=rng.choice(["agree", "agree", "disagree",
                                                                    "pass"]),
                             created_at="2027-03-01T15:00:00+00:00")
                store.insert(code, "reaction", x.to_dict())
                counts["reactions"] += 1
        for person in people:
            for finding in FINDINGS:
                for round_ in ("before", "after"):
                    g = Rating(id=f"{finding['id']}:{round_}:{person.id}", finding=finding["id"],
                               round=round_, participant=person.id,
                               perspective=person.perspective, circle=person.circle,
                               score=rng.choice([None, 1, 2, 3, 3, 4, 4, 5]),
                               created_at="2027-03-01T14:00:00+00:00")
                    store.insert(code, "rating", g.to_dict())
                    counts["ratings"] += 1
        counts["reflections"] += n
        counts["participants"] += participants
    return ops, series.id, counts


def cold_run(ops: Operations, series_id: str,
             cache: dict[str, dict] | None = None) -> dict[str, float]:
    """One synthesis with nothing cached, its parts timed. With ``cache`` the analyses
    come from it (filled on the first use): the app's pattern service answers a session
    it analysed before, unchanged since, from its cache the same way."""
    service = SeriesService(ops)
    parts = {"patterns": 0.0, "load": 0.0}
    load = Operations.load

    def timed_load(code):
        start = time.perf_counter()
        data = load(ops, code)
        parts["load"] += time.perf_counter() - start
        return data

    ops.load = timed_load  # this instance only: the store read of every session counted

    def patterns_of(data):
        start = time.perf_counter()
        if cache is not None and data.workshop.code in cache:
            result = cache[data.workshop.code]
        else:
            result = PatternEngine().analyse(data, "export", min_group=3)
            if cache is not None:
                cache[data.workshop.code] = result
        parts["patterns"] += time.perf_counter() - start
        return result

    start = time.perf_counter()
    try:
        out = service.synthesis(Role.ORGANISER, series_id, patterns_of=patterns_of)
    finally:
        del ops.load
    parts["total"] = time.perf_counter() - start
    parts["rest"] = parts["total"] - parts["patterns"] - parts["load"]
    parts["themes"] = len(out["themes"])
    parts["concerns"] = len(out["concerns"])
    parts["recurring"] = len(out["recurring"])
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--participants", type=int, default=60)
    parser.add_argument("--reflections", type=int, default=40)
    parser.add_argument("--per", choices=("session", "participant"), default="session",
                        help="reflections per session (default) or per participant")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds; exit 1 over it")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ops, series_id, counts = build(args.sessions, args.participants, args.reflections, args.per)
    print(f"built {args.sessions} sessions: {counts['participants']} participants, "
          f"{counts['reflections']} reflections, {counts['reactions']} reactions, "
          f"{counts['ratings']} ratings ({time.perf_counter() - started:.1f} s)")
    runs = [cold_run(ops, series_id) for _ in range(args.repeat)]
    for i, run in enumerate(runs, start=1):
        print(f"run {i}: total {run['total']:.3f} s (load {run['load']:.3f}, patterns "
              f"{run['patterns']:.3f}, the rest {run['rest']:.3f}); {run['themes']:.0f} "
              f"themes, {run['concerns']:.0f} concerns, {run['recurring']:.0f} recurring")
    totals = [r["total"] for r in runs]
    print(f"cold synthesis: median {statistics.median(totals):.3f} s, worst {max(totals):.3f} s "
          f"(budget {args.budget:.1f} s)")
    cache: dict[str, dict] = {}
    cold_run(ops, series_id, cache)
    warm_runs = [cold_run(ops, series_id, cache) for _ in range(args.repeat)]
    warm = [r["total"] for r in warm_runs]
    print(f"with every session's analysis cached (the app's pattern service, nothing new "
          f"since): median {statistics.median(warm):.3f} s, worst {max(warm):.3f} s (load "
          f"median {statistics.median(r['load'] for r in warm_runs):.3f} s)")
    return 0 if max(totals) <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
