"""Count the CPU instructions that each variant spends per request.

Run it from the repository root (needs Debian's ``valgrind``)::

    python -m benchmarks.instructions [--variants flask capture]

Elapsed and CPU times move by tens of microseconds when other processes
share the machine. Instruction counts from valgrind's callgrind tool do not,
so they show what a monitor adds even on a busy machine. Every count is the
difference of two runs, one with 1000 more requests (or measurements) than
the other, divided by 1000, so start-up cancels out. callgrind counts each
thread apart.

- Request thread: each variant serves ``GET /`` through Flask's test
  client. This is the monitor's cost on the request path.
- Writer: capture's writer thread stores measurements queued in bulk (see
  :func:`benchmarks.writer.store_with_capture`). This is its cost per
  measurement.

Under callgrind a program runs many times slower, so a thread that wakes on
a timer, such as capture's writer and watchdog, wakes that many times more
often per request than natively. That is why the writer is counted on bulk
work and not during the request runs.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.apps import BASELINE, VARIANTS, build_app
from benchmarks.overhead import available_variants

EXTRA = 1000
"""Requests or measurements that the second run makes beyond the first."""

WRITER_WARMUP = 2000
"""Measurements in the shorter writer run."""


@dataclass
class InstructionCount:
    """Instructions per request of one variant."""

    variant: str
    request_thread: float
    writer: float | None = None
    """capture only: instructions of its writer thread per stored measurement."""

    @property
    def total(self) -> float:
        """The request thread plus the writer, when the variant has one."""
        return self.request_thread + (self.writer or 0.0)


def _serve(variant: str, requests: int) -> None:
    # Runs under callgrind: build the app, serve the requests, store them.
    with tempfile.TemporaryDirectory(prefix="flaskdash-callgrind-") as folder:
        built = build_app(variant, Path(folder))
        client = built.app.test_client()
        for _ in range(requests):
            client.get("/")
        built.settle()
        built.close()


def _store(measurements: int) -> None:
    # Runs under callgrind: queue measurements and let capture's writer store them.
    from benchmarks.writer import store_with_capture

    with tempfile.TemporaryDirectory(prefix="flaskdash-callgrind-") as folder:
        store_with_capture(Path(folder) / "capture.db", measurements, 0)


def count_by_thread(mode: str, argument: str, count: int, folder: Path) -> list[int]:
    """Run this module's ``mode`` under callgrind; return instructions per thread.

    The list is in thread creation order, so the main thread comes first.

    Raises:
        RuntimeError: valgrind failed or wrote no counts.
    """
    output = folder / f"{mode}-{argument}-{count}.callgrind"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--separate-threads=yes",
        f"--callgrind-out-file={output}",
        sys.executable,
        "-m",
        "benchmarks.instructions",
        mode,
        argument,
        str(count),
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=1800, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"valgrind failed for {mode} {argument} with exit status "
            f"{completed.returncode}:\n{completed.stderr[-2000:]}"
        )
    counts: dict[int, int] = {}
    for path in folder.glob(f"{output.name}-*"):
        text = path.read_text(errors="replace")
        thread = re.search(r"^thread: (\d+)$", text, re.MULTILINE)
        summary = re.search(r"^summary: (\d+)$", text, re.MULTILINE)
        if thread is not None and summary is not None:
            counts[int(thread.group(1))] = int(summary.group(1))
    if 1 not in counts:
        raise RuntimeError(f"callgrind wrote no count for the main thread: {output}")
    return [counts[thread] for thread in sorted(counts)]


def run(variants: Sequence[str], *, requests: int) -> list[InstructionCount]:
    """Count every variant twice under callgrind, two runs at a time."""
    jobs = [
        ("--serve", variant, count)
        for variant in variants
        for count in (requests, requests + EXTRA)
    ]
    if "capture" in variants:
        jobs += [
            ("--store", "capture", count)
            for count in (WRITER_WARMUP, WRITER_WARMUP + EXTRA)
        ]
    with (
        tempfile.TemporaryDirectory(prefix="flaskdash-instructions-") as name,
        concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool,
    ):
        futures = {job: pool.submit(count_by_thread, *job, Path(name)) for job in jobs}
        counts = {job: future.result() for job, future in futures.items()}
    results = []
    for variant in variants:
        short = counts[("--serve", variant, requests)]
        long = counts[("--serve", variant, requests + EXTRA)]
        results.append(InstructionCount(variant, (long[0] - short[0]) / EXTRA))
    if "capture" in variants:
        short = counts[("--store", "capture", WRITER_WARMUP)]
        long = counts[("--store", "capture", WRITER_WARMUP + EXTRA)]
        # Every thread but the main one: the writer, and the watchdog, which
        # does almost nothing while no request runs.
        writer = (sum(long[1:]) - sum(short[1:])) / EXTRA
        next(r for r in results if r.variant == "capture").writer = writer
    return results


def format_results(results: Sequence[InstructionCount]) -> str:
    """Format thousands of instructions per request and ratios to bare Flask."""
    baseline = next((r for r in results if r.variant == BASELINE), None)
    lines = [
        f"Instructions per request from callgrind (thousands; difference of two "
        f"runs {EXTRA} requests apart)",
        f"{'variant':<12}{'request thread':>16}{'writer':>10}{'total':>10}"
        f"{'added':>10}{'ratio':>8}",
    ]
    for result in results:
        writer = "-" if result.writer is None else f"{result.writer / 1e3:.1f}"
        added, ratio = "-", "1.000"
        if baseline is not None and result is not baseline:
            added = f"{(result.total - baseline.total) / 1e3:.1f}"
            ratio = f"{result.total / baseline.total:.3f}"
        lines.append(
            f"{result.variant:<12}{result.request_thread / 1e3:>16.1f}{writer:>10}"
            f"{result.total / 1e3:>10.1f}{added:>10}{ratio:>8}"
        )
    lines.append(
        "Threads that a monitor starts per request are not counted; "
        "Flask-MonitoringDashboard's are its main cost."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the count from the command line and print its table."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--serve"]:
        _serve(arguments[1], int(arguments[2]))
        return 0
    if arguments[:1] == ["--store"]:
        _store(int(arguments[2]))
        return 0

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=VARIANTS,
        default=[BASELINE, "capture"],
        help="variants to count (default: flask capture)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=300,
        help="requests in the shorter run, to warm up (default 300)",
    )
    parsed = parser.parse_args(arguments)

    if shutil.which("valgrind") is None:
        print("valgrind is not installed: apt-get install valgrind", file=sys.stderr)
        return 1
    variants = available_variants(parsed.variants)
    if BASELINE not in variants:
        variants.insert(0, BASELINE)
    print(format_results(run(variants, requests=parsed.requests)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
