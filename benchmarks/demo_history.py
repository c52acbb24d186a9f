"""Time the demo's history replay: ``days`` of requests through capture.

From the repository root::

    python -m benchmarks.demo_history [--days 28] [--rounds 3]

Each round builds the demo repository and database in a new temporary folder
and prints the wall-clock and CPU seconds of ``build_history``, which include
the writer thread's work until every request is stored.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from flaskdash_tui.demo.history import build_history


def run_round(days: int) -> tuple[float, float, int]:
    """Build one history; return wall seconds, CPU seconds and requests."""
    with tempfile.TemporaryDirectory(prefix="flaskdash-bench-history-") as folder:
        root = Path(folder)
        wall = time.perf_counter()
        cpu = time.process_time()
        summary = build_history(
            root / "service", root / "flaskdash.db", days=days, seed=7, now=time.time()
        )
        return (
            time.perf_counter() - wall,
            time.process_time() - cpu,
            sum(summary.requests),
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the rounds and print one line each, then the median."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=28, help="days of history")
    parser.add_argument("--rounds", type=int, default=3, help="rounds to run")
    arguments = parser.parse_args(argv)
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start",
        flush=True,
    )
    walls = []
    for round_number in range(1, arguments.rounds + 1):
        wall, cpu, requests = run_round(arguments.days)
        walls.append(wall)
        print(
            f"round {round_number}: {requests} requests in {wall:.1f} s wall, "
            f"{cpu:.1f} s CPU, {requests / wall:.0f} requests/s",
            flush=True,
        )
    print(f"median: {statistics.median(walls):.1f} s wall for {arguments.days} days")
    return 0


if __name__ == "__main__":
    sys.exit(main())
