"""Measure what each monitor adds to one request through Flask's test client.

Run it from the repository root, in the environment that has the comparison
packages (see benchmarks/README.md)::

    python -m benchmarks.overhead [--quick]

Each variant from :mod:`benchmarks.apps` runs in a process of its own, so one
monitor's threads and globals never slow another's measurement. The rounds
alternate between the variants. A round times ``--requests`` calls of
``GET /`` and then waits until the monitor has stored them (``settle``), so a
monitor's writer counts. The figure per variant is the median over the
rounds, and the ratio divides it by bare Flask's median from the same run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from flask.testing import FlaskClient

from benchmarks.apps import BASELINE, VARIANTS, build_app, missing_reason

TARGET_ADDED_US = 10.0
"""The most that capture may add to one request, in microseconds."""


@dataclass
class OverheadResult:
    """One variant's timings, in microseconds per request."""

    variant: str
    rounds_us: list[float]
    stored: int | None = None
    """Rows the monitor stored, when it has a database this benchmark reads."""

    @property
    def median_us(self) -> float:
        """The median over the rounds."""
        return statistics.median(self.rounds_us)


def time_round(client: FlaskClient, settle: Callable[[], None], requests: int) -> float:
    """Return the seconds per request of ``requests`` calls, settle included."""
    start = time.perf_counter()
    for _ in range(requests):
        response = client.get("/")
        if response.status_code != 200:
            raise RuntimeError(f"GET / returned {response.status_code}, expected 200")
    settle()
    return (time.perf_counter() - start) / requests


def _serve_rounds(variant: str, directory: str, connection: Connection) -> None:
    # Runs in the child process: build once, then time one round per message.
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
    results = {variant: OverheadResult(variant, []) for variant in variants}
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
                results[variant].rounds_us.append(connection.recv() * 1e6)

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


def format_results(results: Sequence[OverheadResult], *, requests: int) -> str:
    """Format a table of microseconds per request and ratios to bare Flask."""
    baseline = next((r for r in results if r.variant == BASELINE), None)
    rounds = len(results[0].rounds_us) if results else 0
    lines = [
        f"Per-request cost through Flask's test client, GET / returning 'ok': "
        f"median of {rounds} rounds of {requests} requests",
        f"{'variant':<12}{'us/request':>12}{'added us':>10}{'ratio':>8}"
        f"{'min-max us':>18}",
    ]
    for result in results:
        added = "-"
        ratio = "-"
        if baseline is not None and result is not baseline:
            added = f"{result.median_us - baseline.median_us:.1f}"
            ratio = f"{result.median_us / baseline.median_us:.2f}"
        elif result is baseline:
            ratio = "1.00"
        spread = f"{min(result.rounds_us):.1f}-{max(result.rounds_us):.1f}"
        lines.append(
            f"{result.variant:<12}{result.median_us:>12.1f}{added:>10}{ratio:>8}"
            f"{spread:>18}"
        )
    capture_result = next((r for r in results if r.variant == "capture"), None)
    if capture_result is not None and baseline is not None:
        added_us = capture_result.median_us - baseline.median_us
        verdict = "met" if added_us <= TARGET_ADDED_US else "MISSED"
        lines.append(
            f"target: capture adds at most {TARGET_ADDED_US:.0f} us per request: "
            f"{verdict} ({added_us:.1f} us); "
            f"rows stored: {capture_result.stored}"
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
    parser.add_argument("--rounds", type=int, help="rounds per variant (default 7)")
    parser.add_argument(
        "--requests", type=int, help="requests per round (default 5000)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="3 rounds of 1000 requests"
    )
    add_arguments(parser)
    arguments = parser.parse_args(argv)
    return run_from_arguments(arguments)


def run_from_arguments(arguments: argparse.Namespace) -> int:
    """Run with parsed options and print the table; return the exit status."""
    rounds = arguments.rounds or (3 if arguments.quick else 7)
    requests = arguments.requests or (1000 if arguments.quick else 5000)
    variants = available_variants(arguments.variants)
    if BASELINE not in variants:
        variants.insert(0, BASELINE)
    results = run(variants, rounds=rounds, requests=requests, warmup=requests // 5)
    print(format_results(results, requests=requests), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
