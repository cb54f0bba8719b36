"""Benchmark: every export format of a session with 2,000 reflections.

    python bench/export.py                  # 2,000 reflections, best of 3
    python bench/export.py --reflections 5000 --repeat 5 --check
    python bench/export.py --preset bestuur --repeat 1   # the board's report (pooled)
    python bench/export.py --formats pdf --pdf-processes 1   # the PDF in one piece
    python bench/export.py --formats pdf --repeat 5           # the PDF, ready and cold
    python bench/export.py --web --formats pdf,xlsx           # as downloaded over the API

The session comes from the tests' ``make_session`` (7 perspectives, 210
participants, shared and hidden reflections, reactions across circles,
conclusions with support and concerns).  Prints, per format, the best and
median wall-clock time, the CPU time of the best run (on a shared machine the
wall clock also counts other processes) and the size; the PDF twice: ``pdf`` as
after an earlier long PDF, its children waiting ready with WeasyPrint imported
(a pause between runs, as between an organiser's clicks), and ``pdf cold`` as a
worker's first, every child started anew. Then the JSON archive's round trip and
its restore into an in-memory SQLite store.  ``--web`` times the download instead
(the API's export in an app on a SQLite file, through Flask's test client): it adds
loading the session from the store and its patterns (computed once, on the first
download, and kept).  ``--check`` exits with 1 when a format takes 5 seconds or more.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitator.domain.export import FORMATS, pdf, render  # noqa: E402
from facilitator.domain.export.archive import from_archive, restore, to_archive  # noqa: E402
from facilitator.domain.export.pdf import available_processes  # noqa: E402
from facilitator.store.sqlite import SQLiteStore  # noqa: E402
from tests.domain.export import make_session  # noqa: E402

LIMIT = 5.0
#: Seconds between two PDF runs: the ready children import WeasyPrint meanwhile.
PAUSE = 3.0


def machine_speed() -> float:
    """Seconds for a plain 10,000,000-step loop: the machine's speed for pure Python."""
    start, total = time.perf_counter(), 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


def timed(func, repeat: int, before=None) -> tuple[float, float, object, float]:
    """Best and median wall seconds of ``repeat`` calls (``before()`` untimed ahead of
    each), the last result, and the CPU seconds of the best call."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        if before is not None:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(times), statistics.median(times), result, cpu[times.index(min(times))]


def downloads(data, preset: str, processes: int | None):
    """A function that downloads a format of ``data`` over the API, as an organiser's
    script would: the session restored into an app on a temporary SQLite file."""
    import atexit
    import shutil
    import tempfile

    from facilitator import create_app
    from facilitator.ratelimit import LIMITS
    from facilitator.web.auth import ops

    folder = tempfile.mkdtemp(prefix="facilitator-bench-")
    atexit.register(shutil.rmtree, folder, True)
    app = create_app({
        "STORE": f"sqlite:///{folder}/bench.db", "ASYNC_MODE": "threading",
        "SECRET_KEY": "bench-" + "x" * 32, "ORGANISER_TOKEN": "bench-organiser",
        "PDF_PROCESSES": processes or 0,
        "RATE_LIMITS": {name: (10**9, window) for name, (_n, window) in LIMITS.items()}})
    counter = itertools.count()
    with app.app_context():
        workshop = restore(ops().store, data, "BENCH1", lambda: f"bench-{next(counter):012d}")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {workshop.facilitator_token}"}

    def download(fmt: str) -> bytes:
        response = client.get(f"/api/sessions/BENCH1/export?format={fmt}&preset={preset}",
                              headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response.data
    return download


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reflections", type=int, default=2000)
    parser.add_argument("--per-perspective", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--preset", default="onderzoek",
                        choices=["bestuur", "deelnemers", "onderzoek"],
                        help="the audience (default: research, the largest export)")
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help="comma-separated formats (default: all)")
    parser.add_argument("--pdf-processes", type=int, default=None,
                        help="processes laying out the PDF (default: the CPUs, at most 4)")
    parser.add_argument("--web", action="store_true",
                        help="time the download over the API (store, patterns, render)")
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 if a format takes >= {LIMIT}s")
    args = parser.parse_args(argv)

    data = make_session(reflections=args.reflections, per_perspective=args.per_perspective,
                        reactions=(3, 12))
    print(f"machine: {machine_speed():.2f} s for a 10,000,000-step Python loop; "
          f"{available_processes()} CPUs for the PDF")
    print(f"preset: {args.preset}; load average at start: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"session: {len(data.reflections)} reflections "
          f"({sum(r.hidden for r in data.reflections)} hidden, "
          f"{sum(r.shared for r in data.reflections)} shared), "
          f"{len(data.participants)} participants, {len(data.reactions)} reactions, "
          f"{len(data.conclusions)} conclusions, {len(data.endorsements)} endorsements, "
          f"{len(data.questions)} questions, {len(data.answers)} answers, "
          f"{len(data.harvests)} table notes")
    make = downloads(data, args.preset, args.pdf_processes) if args.web else (
        lambda fmt: render(data, fmt, preset=args.preset, processes=args.pdf_processes).content)
    if args.web:
        start = time.perf_counter()
        make("json")
        print(f"first download (the archive; computes the patterns, kept for the rest): "
              f"{time.perf_counter() - start:.3f} s")
    print(f"{'format':<9} {'best s':>8} {'median s':>9} {'cpu s':>7} {'size':>12}")
    total, slow = 0.0, []
    runs = [(fmt, None) for fmt in args.formats.split(",")]
    if "pdf" in args.formats.split(","):
        runs.insert(runs.index(("pdf", None)) + 1, ("pdf", "cold"))
    for fmt, kind in runs:
        before = None
        if fmt == "pdf":
            # ready: the children left by the run before (the first run's warm-up makes
            # them) have had the pause to import WeasyPrint; cold: none are waiting
            before = pdf.discard_ready if kind == "cold" else (lambda: time.sleep(PAUSE))
            if kind is None:
                make(fmt)
        best, median, content, cpu = timed(lambda fmt=fmt: make(fmt), args.repeat, before)
        name = f"{fmt} {kind}" if kind else fmt
        total += best if kind is None else 0
        if best >= LIMIT:
            slow.append(name)
        print(f"{name:<9} {best:>8.3f} {median:>9.3f} {cpu:>7.3f} {len(content):>12,}")
    pdf.discard_ready()
    print(f"{'all':<9} {total:>8.3f}")

    counter = itertools.count()
    best, _, _, _ = timed(lambda: from_archive(to_archive(data)), args.repeat)
    print(f"archive round trip (to_archive + from_archive): {best:.3f} s")

    def restore_once():
        store = SQLiteStore(":memory:")
        restore(store, data, f"B{next(counter):05d}", lambda: f"token-{next(counter):012d}")
        store.close()

    best, _, _, _ = timed(restore_once, args.repeat)
    print(f"restore into SQLite (memory): {best:.3f} s")
    if args.check and slow:
        print(f"too slow (>= {LIMIT} s): {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
