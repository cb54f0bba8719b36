"""Benchmark of the pattern analysis (facilitator/domain/patterns/).

Builds a synthetic session with a seeded RNG: 10,000 reflections across 12
perspectives (Dutch text with planted themes and concerns) and 150,000
reactions, then measures

* a cold run: a new ``PatternEngine`` normalises everything and analyses;
* a recomputation after one more reaction;
* a recomputation after one more reflection (``add_reflection`` + ``analyse``);

for the facilitator view and the screen view.  Run on one core::

    taskset -c 0 python bench/patterns.py            # full size
    python bench/patterns.py --reflections 2000 --reactions 30000   # smaller

The budget (see the issue): incremental < 1 s, cold < 10 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
from facilitator.domain.patterns import PatternEngine  # noqa: E402

PERSPECTIVES = [
    ("raad", "Raadsleden", "Councillors"), ("college", "Collegeleden", "Executive"),
    ("griffie", "Griffie", "Clerk's office"), ("amb", "Ambtenaren", "Civil servants"),
    ("mt", "Management", "Management"), ("or", "OR-leden", "Works council"),
    ("vakbond", "Vakbond", "Union"), ("hr", "HR", "HR"), ("burger", "Inwoners", "Residents"),
    ("onderzoek", "Onderzoekers", "Researchers"), ("partner", "Ketenpartners", "Partners"),
    ("jong", "Jongerenraad", "Youth council"),
]

COMMON = """gemeente organisatie verandering samenwerking medewerkers inwoners beleid college raad
besluit proces tijd ruimte rol verantwoordelijkheid ervaring vraag antwoord gesprek afstand
informatie signaal richting koers ontwikkeling structuur cultuur leiderschap sturing ambitie
budget kosten middelen capaciteit planning uitvoering opdracht resultaat onderzoek bevinding
herkenbaar belangrijk moeilijk duidelijk onduidelijk snel langzaam zorgvuldig open eerlijk
luisteren praten meedenken meebeslissen uitleggen begrijpen vertrouwen betrekken investeren
veranderen verbeteren ervaren merken zien horen delen leren keuze prioriteit draagvlak
werkvloer team afdeling directie bestuur politiek democratie participatie wijk buurt
""".split()

PLANTED_SHARED = ["vertrouwen", "werkdruk", "communicatie", "draagvlak"]
PLANTED_OWN = {
    "raad": "kaderstelling", "college": "portefeuille", "griffie": "vergaderorde",
    "amb": "regeldruk", "mt": "verzuimcijfers", "or": "instemmingsrecht",
    "vakbond": "cao-onderhandelingen", "hr": "functiehuis", "burger": "loket",
    "onderzoek": "steekproef", "partner": "convenant", "jong": "stageplekken",
}
FILLERS = ("de het een en van in op met voor dat die niet geen wel ook maar we ik "
           "is zijn wordt moet kan zou meer").split()
SYLLABLES = "ka lo ver ni ta me do ru se pa gi bo le mi no ke ha vi su ro be de".split()


def build_session(n_reflections: int = 10_000, n_reactions: int = 150_000,
                  seed: int = 2026) -> WorkshopData:
    """The synthetic session (deterministic for a given seed)."""
    rng = random.Random(seed)
    rare = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
                   for _ in range(8000)})
    vocab = COMMON + rare
    weights = [1.0 / (i + 1) ** 0.9 for i in range(len(vocab))]
    # in the exchange step, where the screen sees the shared reflections (rules table)
    workshop = Workshop(code="BENCH1", title="Bench",
                        perspectives=[Perspective(p, nl, en) for p, nl, en in PERSPECTIVES],
                        steps=[Step("s1", "Kringen", "circle"),
                               Step("s2", "Uitwisseling", "exchange")],
                        state=LiveState(current_step="s2"))
    data = WorkshopData(workshop=workshop)
    per_perspective = max(1, n_reflections // (len(PERSPECTIVES) * 8))
    for pid, _nl, _en in PERSPECTIVES:
        for i in range(per_perspective):
            data.participants.append(Participant(id=f"{pid}-{i}", token="t", pseudonym=f"p{i}",
                                                 perspective=pid, circle=pid))
    people = data.participants
    for n in range(n_reflections):
        author = people[n % len(people)]
        words = rng.choices(vocab, weights=weights, k=rng.randint(10, 40))
        for filler in rng.sample(FILLERS, 6):
            words.insert(rng.randrange(len(words) + 1), filler)
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words) + 1), rng.choice(PLANTED_SHARED))
        if rng.random() < 0.25:
            words.insert(rng.randrange(len(words) + 1), PLANTED_OWN[author.perspective])
        text = " ".join(words)
        data.reflections.append(Reflection(
            id=f"r{n}", participant=author.id, perspective=author.perspective,
            circle=author.circle, text=text[0].upper() + text[1:] + ".",
            created_at=f"2026-03-14T14:{n % 60:02d}:00", shared=rng.random() < 0.7))
    shared = [r for r in data.reflections if r.shared]
    # each reflection has an agree tendency per perspective: most are mixed, 2 % are common
    # ground (everyone agrees), 2 % divide the perspectives in two camps
    tendency: dict[str, list[float]] = {}
    for r in shared:
        roll = rng.random()
        if roll < 0.02:
            tendency[r.id] = [0.95] * len(PERSPECTIVES)
        elif roll < 0.04:
            camp = rng.sample(range(len(PERSPECTIVES)), len(PERSPECTIVES) // 2)
            tendency[r.id] = [0.95 if j in camp else 0.1 for j in range(len(PERSPECTIVES))]
        else:
            tendency[r.id] = [rng.betavariate(2, 2) for _ in PERSPECTIVES]
    # some reflections draw far more reactions than others
    popularity = [10.0 if i % 20 == 0 else 1.0 for i in range(len(shared))]
    index = {pid: j for j, (pid, _a, _b) in enumerate(PERSPECTIVES)}
    seen_pairs: set[tuple[str, str]] = set()
    batch: list[Reflection] = []
    while len(data.reactions) < n_reactions:
        if not batch:
            batch = rng.choices(shared, weights=popularity, k=10_000)
        person = rng.choice(people)
        target = batch.pop()
        if target.perspective == person.perspective or (person.id, target.id) in seen_pairs:
            continue
        seen_pairs.add((person.id, target.id))
        agree = tendency[target.id][index[person.perspective]]
        roll = rng.random()
        kind = "agree" if roll < agree * 0.85 else ("pass" if roll > 0.85 else "disagree")
        data.reactions.append(Reaction(
            id=f"x{len(data.reactions)}", reflection=target.id, participant=person.id,
            perspective=person.perspective, circle=person.circle, kind=kind, created_at=""))
    return data


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(data: WorkshopData, audience: str, repeat: int,
            rng: random.Random) -> dict[str, float]:
    """Cold run, unchanged recompute, +1 reaction and +1 reflection for one audience."""
    engine = PatternEngine()
    result: dict = {}

    def run() -> None:
        result.clear()
        result.update(engine.analyse(data, audience=audience))

    figures = {f"{audience} cold": _time(run)}
    print(f"[{audience}] cold run: {figures[f'{audience} cold']:.2f} s — "
          f"{len(result['themes'])} themes, {len(result['distinctive'])} distinctive, "
          f"{len(result['common_ground'])} common ground, "
          f"{len(result['dividing_lines'])} dividing lines, "
          f"{len(result['blind_spots'])} blind spots, {result['counts']['terms']} terms")
    figures[f"{audience} unchanged"] = statistics.median(_time(run) for _ in range(repeat))
    reaction_times, reflection_times = [], []
    shared = [r for r in data.reflections if r.shared]
    for k in range(repeat):
        person = rng.choice(data.participants)
        target = rng.choice(shared)
        data.reactions.append(Reaction(
            id=f"bench-x-{audience}-{k}", reflection=target.id, participant=person.id,
            perspective=person.perspective, circle=person.circle,
            kind=rng.choice(["agree", "disagree", "pass"]), created_at=""))
        reaction_times.append(_time(run))
        reflection = Reflection(
            id=f"bench-r-{audience}-{k}", participant=person.id,
            perspective=person.perspective, circle=person.circle,
            text="Het vertrouwen tussen raad en werkvloer moet echt beter, vindt de "
                 f"OR-voorzitter ({k}).", created_at="2026-03-14T15:00:00", shared=True)
        data.reflections.append(reflection)
        start = time.perf_counter()
        engine.add_reflection(reflection)
        run()
        reflection_times.append(time.perf_counter() - start)
    figures[f"{audience} +1 reaction"] = statistics.median(reaction_times)
    figures[f"{audience} +1 reflection"] = statistics.median(reflection_times)
    print(f"[{audience}] recompute, nothing changed: "
          f"{figures[f'{audience} unchanged']:.3f} s (median of {repeat})")
    print(f"[{audience}] recompute after one more reaction: median "
          f"{statistics.median(reaction_times):.3f} s, max {max(reaction_times):.3f} s")
    print(f"[{audience}] recompute after one more reflection: median "
          f"{statistics.median(reflection_times):.3f} s, max {max(reflection_times):.3f} s")
    return figures


def main(argv: list[str] | None = None) -> int:
    """Build the session, run the measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reflections", type=int, default=10_000)
    parser.add_argument("--reactions", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=5, help="incremental repetitions")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    data = build_session(args.reflections, args.reactions, args.seed)
    print(f"session: {len(data.reflections)} reflections "
          f"({sum(r.shared for r in data.reflections)} shared), {len(PERSPECTIVES)} perspectives, "
          f"{len(data.participants)} participants, {len(data.reactions)} reactions "
          f"(built in {time.perf_counter() - t0:.1f} s)")

    rng = random.Random(args.seed + 1)
    figures: dict[str, float] = {}
    for audience in ("facilitator", "screen"):
        figures.update(measure(data, audience, args.repeat, rng))
    ok = all(v < 1.0 for k, v in figures.items() if "+1" in k) and \
        all(v < 10.0 for k, v in figures.items() if "cold" in k)
    print("within budget (incremental < 1 s, cold < 10 s):", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
