"""How fast the domain writes and reads on each store: join, post (with its
idempotency check and event numbering), and a participant snapshot.

    python bench/operations.py [--redis redis://127.0.0.1:6379/15] [--n 2000]

Single-threaded, one process: the cost of one operation, not the server's
throughput (see bench/load.py for that).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from facilitator.domain import views
from facilitator.domain.operations import Actor, Operations
from facilitator.domain.rules import Role
from facilitator.store import open_store


def timed(fn, n):
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[int(0.95 * len(samples)) - 1],
            "per_s": n / (sum(samples) / 1000)}


def run(url: str, n: int) -> dict[str, dict[str, float]]:
    store = open_store(url)
    ops = Operations(store)
    workshop = ops.create_workshop({"title": "Bench", "circle_size": 8})
    fac = Actor(Role.FACILITATOR, workshop.code)
    perspectives = [p.id for p in workshop.perspectives]
    actors = []

    def join(i):
        participant, _ = ops.join(workshop.code, perspectives[i % len(perspectives)])
        actors.append(Actor(Role.PARTICIPANT, workshop.code, participant))

    results = {"join": timed(join, min(n, 300))}
    ops.change_step(fac, "eigen-kring")

    def post(i):
        ops.post_reflection(actors[i % len(actors)], f"Reflectie nummer {i} over vertrouwen",
                            client_id=f"c{i}")

    results["post"] = timed(post, n)
    results["post_again_same_client_id"] = timed(post, min(n, 500))
    results["snapshot_participant"] = timed(
        lambda i: views.snapshot(ops.load(workshop.code), actors[i % len(actors)]), 50)
    store.delete_workshop(workshop.code)
    store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="")
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backends = {"sqlite (FULL sync)": f"sqlite:///{tmp}/bench.db"}
        if args.redis:
            backends["redis"] = args.redis
        print(f"{'store':20} {'operation':28} {'p50 ms':>8} {'p95 ms':>8} {'ops/s':>8}")
        for name, url in backends.items():
            for op, r in run(url, args.n).items():
                print(f"{name:20} {op:28} {r['p50']:8.2f} {r['p95']:8.2f} {r['per_s']:8.0f}")


if __name__ == "__main__":
    main()
