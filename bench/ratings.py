"""Rating bench: a whole room rates the findings within one minute (issue 11).

One app worker (eventlet, SQLite by default). ``--phones`` phones join over the API
and connect over Socket.IO from client processes (``bench/load.py``'s clients), the
facilitator opens the presentation step, and every phone rates every finding
(``--findings``) at a random moment in ``--window`` seconds, a tenth of them sent
twice with the same client id as a phone that lost its acknowledgement does. Then:

* every rating must be stored exactly once (counted from the facilitator's results);
* the acknowledgement latency of the ratings (p50/p95);
* the time of the results call (``GET …/findings/results``) at that many ratings.

    python bench/ratings.py                       # 500 phones x 6 findings in 60 s
    python bench/ratings.py --phones 100 --window 20

Everything runs on 127.0.0.1 and stops by itself; results go to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (  # noqa: E402
    ORGANISER,
    RESULTS,
    Server,
    percentile,
    phone_process,
    raise_nofile_limit,
)


def run(phones: int, findings: int, window: float, procs: int, mode: str) -> dict:
    raise_nofile_limit()
    workdir = Path(tempfile.mkdtemp(prefix="bench-ratings-"))
    server = Server("app", mode, f"sqlite:///{workdir / 'bench.db'}", None, workdir,
                    f"app-{mode}").start()
    pipes, children = [], []
    result: dict = {"phones": phones, "findings": findings, "window_s": window, "mode": mode}
    try:
        created = requests.post(
            f"{server.url}/api/sessions", timeout=30,
            headers={"Authorization": f"Bearer {ORGANISER}"},
            json={"title": "Bench", "findings": [
                {"id": f"f{i + 1}", "title": f"Bevinding {i + 1}"} for i in range(findings)]},
        ).json()
        code, fac = created["code"], created["facilitator_token"]
        ctx = mp.get_context("spawn")
        size = -(-phones // procs)
        for p in range(procs):
            first, count = p * size, min(size, phones - p * size)
            if count <= 0:
                break
            parent, child = ctx.Pipe()
            spec = {"first": first, "count": count, "urls": [server.url], "code": code,
                    "source_ip": f"127.0.1.{2 + p}"}
            proc = ctx.Process(target=phone_process, args=(child, spec), daemon=True)
            proc.start()
            pipes.append(parent)
            children.append(proc)

        def broadcast(command, arg=None):
            for pipe in pipes:
                pipe.send((command, arg))
            return [pipe.recv() for pipe in pipes]

        broadcast("join")
        connected = broadcast("connect", 8)
        result["connect_failed"] = sum(c["failed"] for c in connected)
        requests.post(f"{server.url}/api/sessions/{code}/steps/current", timeout=30,
                      headers={"Authorization": f"Bearer {fac}"},
                      json={"step": "presentatie"}).raise_for_status()
        time.sleep(2)  # every page takes the new step

        rng = random.Random(11)
        start = time.monotonic() + 1.0
        per_proc: list[list] = [[] for _ in pipes]
        sent = 0
        for idx in range(phones):
            for f in range(findings):
                at = start + rng.uniform(0, window)
                data = {"finding": f"f{f + 1}", "round": "before",
                        "score": rng.choice([1, 2, 3, 4, 5, None]), "text": "",
                        "client_id": f"bench-{idx}-{f}"}
                per_proc[idx // size].append((at, idx, data))
                sent += 1
                if rng.random() < 0.1:  # the same rating again: a lost acknowledgement
                    per_proc[idx // size].append((at + rng.uniform(0.2, 2), idx, data))
                    sent += 1
        for pipe, chunk in zip(pipes, per_proc, strict=False):
            pipe.send(("schedule", ("rate", sorted(chunk, key=lambda i: i[0]))))
        for pipe in pipes:
            pipe.recv()
        deadline = start + window + 60
        acks: list = []
        while time.monotonic() < deadline:
            time.sleep(1)
            collected = broadcast("collect", {})
            acks = [a for c in collected for a in c["acks"]]
            if len(acks) >= sent:
                break
        result["sent"] = sent
        result["acked_ok"] = sum(1 for a in acks if a[2])
        result["ack_errors"] = sorted({a[3] for a in acks if not a[2]})
        latencies = sorted(a[1] for a in acks)
        result["ack_p50_ms"] = round(1000 * statistics.median(latencies), 1) if latencies else None
        result["ack_p95_ms"] = round(1000 * percentile(latencies, 95), 1) if latencies else None
        result["last_ack_after_start_s"] = round(time.monotonic() - start, 1)

        # every rating stored once: n + geen mening over all findings
        url = f"{server.url}/api/sessions/{code}/findings/results"
        times = []
        for _ in range(30):
            t = time.perf_counter()
            body = requests.get(url, headers={"Authorization": f"Bearer {fac}"}, timeout=30)
            times.append(time.perf_counter() - t)
        stored = sum(f["rounds"]["before"]["n"] + f["rounds"]["before"]["no_opinion"]
                     for f in body.json()["findings"])
        result["ratings_stored"] = stored
        result["ratings_expected"] = phones * findings
        times.sort()
        result["results_call_p50_ms"] = round(1000 * statistics.median(times), 1)
        result["results_call_p95_ms"] = round(1000 * percentile(times, 95), 1)
        result["server_rss_mb"] = round(server.rss_mb(), 1)
        broadcast("close")
    finally:
        for proc in children:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
        server.stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--findings", type=int, default=6)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--mode", default="eventlet")
    parser.add_argument("--clients", choices=["threads", "gevent"], default="gevent",
                        help="client processes with OS threads or green threads (as load.py)")
    args = parser.parse_args(argv)
    os.environ["BENCH_CLIENTS"] = args.clients  # read by the client processes at import
    result = run(args.phones, args.findings, args.window, args.procs, args.mode)
    for key, value in result.items():
        print(f"{key:28} {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"ratings-{int(time.time())}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"written to {out}")
    ok = result["ratings_stored"] == result["ratings_expected"] and not result["connect_failed"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
