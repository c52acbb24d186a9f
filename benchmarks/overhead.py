"""Measure what each monitor adds to one request through Flask's test client.

Run it from the repository root, in the environment that has the comparison
packages (see benchmarks/README.md)::

    python -m benchmarks.overhead [--quick]

Each variant from :mod:`benchmarks.apps` runs in a process of its own, so one
monitor's threads and globals never slow another's measurement. The rounds
alternate between the variants. A round times ``--requests`` calls of
``GET /`` and then waits until the monitor has stored them (``settle``), so a
monitor's writer counts. The figure per variant is the median over the
rounds. "added" is the median over the rounds of the difference to bare
Flask's round with the same number, which ran a few seconds apart, and the
ratio is one plus "added" divided by bare Flask's median.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from flask.testing import FlaskClient

from benchmarks.apps import BASELINE, VARIANTS, build_app, missing_reason

TARGET_ADDED_US = 10.0
"""The maximum that capture may add to one request, in microseconds."""


@dataclass
class OverheadResult:
    """One variant's rounds, in microseconds per request."""

    variant: str
    wall_us: list[float] = field(default_factory=list)
    """Elapsed time per request, from ``time.perf_counter``."""
    cpu_us: list[float] = field(default_factory=list)
    """CPU time of the whole process per request, writer thread included,
    from ``time.process_time``. Other processes on the machine disturb it
    less than the elapsed time."""
    stored: int | None = None
    """Rows the monitor stored, when it has a database this benchmark reads."""

    def rounds(self, clock: str) -> list[float]:
        """Return the rounds measured by ``clock``, "wall" or "cpu"."""
        return self.wall_us if clock == "wall" else self.cpu_us

    def median(self, clock: str) -> float:
        """Return the median over the rounds measured by ``clock``."""
        return statistics.median(self.rounds(clock))

    def minimum(self, clock: str) -> float:
        """Return the fastest round measured by ``clock``, the least disturbed."""
        return min(self.rounds(clock))

    def added(self, baseline: OverheadResult, clock: str) -> float:
        """Return the median of the differences to the baseline, round by round.

        Round ``i`` of both variants ran within a few seconds of each other, so
        pairing them cancels most of the drift that other processes cause.
        """
        pairs = zip(self.rounds(clock), baseline.rounds(clock), strict=True)
        return statistics.median(mine - theirs for mine, theirs in pairs)


def time_round(
    client: FlaskClient, settle: Callable[[], None], requests: int
) -> tuple[float, float]:
    """Time ``requests`` calls of ``GET /`` and the settle after them.

    Returns:
        Elapsed seconds and process CPU seconds, each per request.
    """
    start_wall = time.perf_counter()
    start_cpu = time.process_time()
    for _ in range(requests):
        response = client.get("/")
        if response.status_code != 200:
            raise RuntimeError(f"GET / returned {response.status_code}, expected 200")
    settle()
    cpu = time.process_time() - start_cpu
    wall = time.perf_counter() - start_wall
    return wall / requests, cpu / requests


def _serve_rounds(variant: str, directory: str, connection: Connection) -> None:
    # Runs in the child process: build once, then time one round per message.
    # Flask-MonitoringDashboard prints every retried commit, so the child's
    # standard output goes to a file beside its database.
    sys.stdout = open(Path(directory) / "stdout.log", "w")  # noqa: SIM115
    built = build_app(variant, Path(directory))
    client = built.app.test_client()
    connection.send("ready")
    while True:
        requests = connection.recv()
        if requests is None:
            break
        connection.send(time_round(client, built.settle, requests))
    built.close()
    connection.send("closed")


def count_capture_rows(directory: Path) -> int:
    """Count the request rows that capture stored in ``directory``."""
    from capture.database import open_database
    from capture.schema import Request

    database = open_database(directory / "capture.db", create=False)
    try:
        return Request.select().bind(database).count()
    finally:
        database.close()


def run(
    variants: Sequence[str], *, rounds: int, requests: int, warmup: int
) -> list[OverheadResult]:
    """Time each variant in its own process and return the results.

    Raises:
        RuntimeError: A variant failed, or capture stored another number of
            rows than requests were made.
    """
    context = multiprocessing.get_context("spawn")
    results = {variant: OverheadResult(variant) for variant in variants}
    with tempfile.TemporaryDirectory(prefix="flaskdash-bench-") as folder:
        workers = {}
        for variant in variants:
            directory = Path(folder) / variant
            directory.mkdir()
            parent_end, child_end = context.Pipe()
            process = context.Process(
                target=_serve_rounds,
                args=(variant, str(directory), child_end),
                name=f"overhead-{variant}",
            )
            process.start()
            if parent_end.recv() != "ready":
                raise RuntimeError(f"the {variant} worker failed to start")
            workers[variant] = (process, parent_end)

        for variant in variants:
            workers[variant][1].send(warmup)
            workers[variant][1].recv()
        for index in range(rounds):
            # Rotate the order so that no variant always runs first.
            order = list(variants[index % len(variants) :]) + list(
                variants[: index % len(variants)]
            )
            for variant in order:
                connection = workers[variant][1]
                connection.send(requests)
                wall, cpu = connection.recv()
                results[variant].wall_us.append(wall * 1e6)
                results[variant].cpu_us.append(cpu * 1e6)

        for process, connection in workers.values():
            connection.send(None)
            connection.recv()
            process.join(timeout=60)
        if "capture" in results:
            stored = count_capture_rows(Path(folder) / "capture")
            results["capture"].stored = stored
            expected = warmup + rounds * requests
            if stored != expected:
                raise RuntimeError(
                    f"capture stored {stored} rows for {expected} requests"
                )
    return list(results.values())


DISTURBED_SPREAD = 0.05
"""Bare Flask's median round more than this fraction above its fastest round
means that other work disturbed the run. On an idle 2-core VM the spread
was 3 to 5 %; runs beside other jobs showed 15 to 48 %."""


def format_results(results: Sequence[OverheadResult], *, requests: int) -> str:
    """Format a table of microseconds per request and ratios to bare Flask."""
    baseline = next((r for r in results if r.variant == BASELINE), None)
    rounds = len(results[0].wall_us) if results else 0
    lines = [
        f"Per-request cost through Flask's test client, GET / returning 'ok': "
        f"{rounds} rounds of {requests} requests",
        f"{'variant':<12}{'clock':<9}{'median us':>10}{'min us':>10}"
        f"{'added us':>10}{'added min':>11}{'ratio':>8}",
    ]
    for result in results:
        for clock, label in (("wall", "elapsed"), ("cpu", "CPU")):
            added, added_min, ratio = "-", "-", "1.00"
            if baseline is not None and result is not baseline:
                added_us = result.added(baseline, clock)
                added = f"{added_us:.1f}"
                added_min = f"{result.minimum(clock) - baseline.minimum(clock):.1f}"
                ratio = f"{1 + added_us / baseline.median(clock):.2f}"
            lines.append(
                f"{result.variant:<12}{label:<9}{result.median(clock):>10.1f}"
                f"{result.minimum(clock):>10.1f}{added:>10}{added_min:>11}{ratio:>8}"
            )
    lines.append(
        "added us: median of the round-by-round differences to bare Flask; "
        "added min: difference of the fastest rounds"
    )
    capture_result = next((r for r in results if r.variant == "capture"), None)
    if capture_result is not None and baseline is not None:
        for clock, label in (("wall", "elapsed"), ("cpu", "CPU")):
            added_us = capture_result.added(baseline, clock)
            verdict = "met" if added_us <= TARGET_ADDED_US else "MISSED"
            lines.append(
                f"target: capture adds at most {TARGET_ADDED_US:.0f} us per request "
                f"({label}): {verdict} ({added_us:.1f} us)"
            )
        lines.append(f"capture stored {capture_result.stored} rows, one per request")
    if baseline is not None:
        spread = baseline.median("wall") / baseline.minimum("wall") - 1
        if spread > DISTURBED_SPREAD:
            lines.append(
                f"warning: bare Flask's median round is {spread:.0%} above its "
                "fastest one, so other work slowed this run; its added times "
                "are higher than on an idle machine"
            )
    return "\n".join(lines)


def available_variants(requested: Sequence[str]) -> list[str]:
    """Return the requested variants that can run, noting the others on stderr."""
    variants = []
    for variant in requested:
        reason = missing_reason(variant)
        if reason is None:
            variants.append(variant)
        else:
            print(f"skipping {variant}: {reason}", file=sys.stderr)
    return variants


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options to ``parser``."""
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=VARIANTS,
        default=list(VARIANTS),
        help="variants to time (default: all that are installed)",
    )
    parser.add_argument("--rounds", type=int, help="rounds per variant (default 20)")
    parser.add_argument(
        "--requests", type=int, help="requests per round (default 1000)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds of 500 requests")
    add_arguments(parser)
    arguments = parser.parse_args(argv)
    return run_from_arguments(arguments)


def run_from_arguments(arguments: argparse.Namespace) -> int:
    """Run with parsed options and print the table; return the exit status."""
    rounds = arguments.rounds or (5 if arguments.quick else 20)
    requests = arguments.requests or (500 if arguments.quick else 1000)
    variants = available_variants(arguments.variants)
    if BASELINE not in variants:
        variants.insert(0, BASELINE)
    results = run(variants, rounds=rounds, requests=requests, warmup=requests // 5)
    print(format_results(results, requests=requests), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
