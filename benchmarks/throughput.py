"""Measure each monitor's throughput under gunicorn with 2 sync workers.

Run it from the repository root, in the environment that has the comparison
packages (see benchmarks/README.md)::

    python -m benchmarks.throughput [--quick]

Each round starts one gunicorn server per variant from
:mod:`benchmarks.apps` on 127.0.0.1, sends load to each in turn for
``--seconds`` seconds (wrk when it is installed, else the threaded Python
generator in :mod:`benchmarks.load`), and stops them with SIGTERM. Per
variant the benchmark prints the median of the responses per second, and
the median of the workers' CPU time per response (from psutil). Each ratio
is the median over the rounds of the ratio to bare Flask's round with the
same number, which ran a few seconds apart. While the workers are CPU-bound,
the CPU ratio estimates the throughput ratio on an otherwise idle machine,
and other processes disturb it less than they disturb the measured
throughput.

gunicorn's hooks in :mod:`benchmarks.gunicorn_hooks` count the requests each
worker served, and the benchmark compares their sum over the rounds with the
rows that capture and Flask-MonitoringDashboard stored.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from benchmarks.apps import BASELINE, VARIANTS, database_path
from benchmarks.gunicorn_hooks import SERVED_DIR_VARIABLE, read_served
from benchmarks.load import LoadResult, has_wrk, python_load, wrk_load
from benchmarks.overhead import available_variants, count_capture_rows

HOST = "127.0.0.1"
WORKERS = 2
TARGET_RATIO = 0.97
"""The share of bare Flask's throughput that capture must keep."""

REPOSITORY = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    """One gunicorn server for one variant."""

    variant: str
    port: int
    directory: Path
    process: subprocess.Popen[bytes]
    log_path: Path


@dataclass
class ThroughputResult:
    """One variant's throughput rounds and stored-row check."""

    variant: str
    rounds: list[LoadResult] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)
    """CPU time of the workers (user and system) per response, each round."""
    served: int | None = None
    stored: int | None = None

    @property
    def median_per_second(self) -> float:
        """The median of the responses per second over the rounds."""
        return statistics.median(result.per_second for result in self.rounds)

    def throughput_ratio(self, baseline: ThroughputResult) -> float:
        """Return the median over the rounds of this variant's throughput ratio.

        Round ``i`` of both variants ran a few seconds apart, so each ratio
        compares servers under about the same load from other processes.
        """
        pairs = zip(self.rounds, baseline.rounds, strict=True)
        return statistics.median(
            mine.per_second / theirs.per_second for mine, theirs in pairs
        )

    def cpu_ratio(self, baseline: ThroughputResult) -> float:
        """Return the median over the rounds of baseline CPU per response / ours.

        While the workers are CPU-bound, this estimates the throughput ratio on
        a machine with nothing else running.
        """
        pairs = zip(self.cpu_us, baseline.cpu_us, strict=True)
        return statistics.median(theirs / mine for mine, theirs in pairs)

    @property
    def errors(self) -> int:
        """Failed requests over all rounds."""
        return sum(result.errors for result in self.rounds)


def worker_cpu_seconds(server: Server) -> float:
    """Return the CPU seconds (user and system) that the workers used so far."""
    total = 0.0
    for worker in psutil.Process(server.process.pid).children():
        with contextlib.suppress(psutil.NoSuchProcess):
            times = worker.cpu_times()
            total += times.user + times.system
    return total


IDLE_SHARE = 0.05
"""Share of one CPU below which a server's workers count as idle."""
IDLE_CHECK = 0.25
"""Seconds between two readings of the workers' CPU time while waiting."""


def wait_until_idle(server: Server, timeout: float = 60.0) -> None:
    """Wait until the workers of ``server`` use less than ``IDLE_SHARE`` of a CPU.

    Raises:
        RuntimeError: The workers were still busy after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    before = worker_cpu_seconds(server)
    while time.monotonic() < deadline:
        time.sleep(IDLE_CHECK)
        after = worker_cpu_seconds(server)
        if after - before < IDLE_SHARE * IDLE_CHECK:
            return
        before = after
    raise RuntimeError(
        f"gunicorn for {server.variant} was still busy {timeout:.0f} s after "
        "its load ended"
    )


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(variant: str, directory: Path) -> Server:
    """Start gunicorn for one variant and return once it has booted."""
    directory.mkdir(parents=True)
    served = directory / "served"
    served.mkdir()
    environment = dict(os.environ, **{SERVED_DIR_VARIABLE: str(served)})

    if variant == "prometheus":
        metrics = directory / "prometheus"
        metrics.mkdir()
        environment["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    if variant == "dashboard":
        create_dashboard_tables(directory)

    port = free_port()
    log_path = directory / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--bind",
        f"{HOST}:{port}",
        "--config",
        "python:benchmarks.gunicorn_hooks",
        "--chdir",
        str(REPOSITORY),
        f"benchmarks.apps:create_app({variant!r}, {str(directory)!r})",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=environment
        )
    server = Server(variant, port, directory, process, log_path)
    wait_until_ready(server)
    return server


def create_dashboard_tables(directory: Path) -> None:
    """Let one process create Flask-MonitoringDashboard's tables in ``directory``.

    Flask-MonitoringDashboard 5.1.0 creates its tables when a process first
    imports it, so two gunicorn workers that start together can fail with
    "table already exists".

    Raises:
        RuntimeError: Building the app failed.
    """
    code = (
        "import sys; from pathlib import Path; "
        "from benchmarks.apps import build_app; "
        "build_app('dashboard', Path(sys.argv[1]))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, str(directory)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            "creating Flask-MonitoringDashboard's tables failed:\n"
            + completed.stderr[-2000:]
        )


def wait_until_ready(server: Server, timeout: float = 60.0) -> None:
    """Wait until both workers of ``server`` have booted and ``GET /`` returns 200.

    Raises:
        RuntimeError: gunicorn exited or did not respond in time.
    """
    deadline = time.monotonic() + timeout
    url = f"http://{HOST}:{server.port}/"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"gunicorn for {server.variant} exited with status "
                f"{server.process.returncode}:\n{tail(server.log_path)}"
            )
        booted = server.log_path.read_text(errors="replace").count("Booting worker")
        if booted >= WORKERS:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError(
        f"gunicorn for {server.variant} did not respond to {url} within "
        f"{timeout:.0f} s:\n{tail(server.log_path)}"
    )


def stop_server(server: Server, timeout: float = 60.0) -> None:
    """Stop gunicorn gracefully, so that workers flush what they recorded."""
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        raise RuntimeError(
            f"gunicorn for {server.variant} did not stop within {timeout:.0f} s"
        ) from None


def tail(path: Path, lines: int = 20) -> str:
    """Return the last lines of a log file."""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def count_stored(variant: str, directory: Path) -> int | None:
    """Count the request rows a variant stored, or None when it has no database."""
    if variant == "capture":
        return count_capture_rows(directory)
    if variant == "dashboard":
        # Flask-MonitoringDashboard 5.1.0 names its request table "Request".
        connection = sqlite3.connect(database_path(variant, directory))
        try:
            return int(
                connection.execute('SELECT COUNT(*) FROM "Request"').fetchone()[0]
            )
        finally:
            connection.close()
    return None


def run(
    variants: Sequence[str],
    *,
    rounds: int,
    seconds: float,
    connections: int,
    use_wrk: bool,
) -> list[ThroughputResult]:
    """Load each variant's server in alternating rounds and return the results.

    Every round starts a new server per variant and stops it afterwards. The
    same server kept for all rounds stays 3 to 6 % faster or slower than an
    identical one started beside it (measured with two bare Flask servers and
    with two capture servers). Pairing rounds cannot cancel that bias.

    Raises:
        RuntimeError: A server failed to start or to stop.
    """
    load = wrk_load if use_wrk else python_load
    results = {variant: ThroughputResult(variant, served=0) for variant in variants}
    with tempfile.TemporaryDirectory(prefix="flaskdash-throughput-") as folder:
        for index in range(rounds):
            # Rotate the order so that no variant always runs first.
            shift = index % len(variants)
            order = list(variants[shift:]) + list(variants[:shift])
            servers: dict[str, Server] = {}
            try:
                for variant in order:
                    directory = Path(folder) / f"{variant}-{index}"
                    servers[variant] = start_server(variant, directory)
                for server in servers.values():
                    load(HOST, server.port, "/", duration=1, connections=connections)
                    wait_until_idle(server)
                for variant in order:
                    server = servers[variant]
                    cpu_before = worker_cpu_seconds(server)
                    result = load(
                        HOST,
                        server.port,
                        "/",
                        duration=seconds,
                        connections=connections,
                    )
                    cpu = worker_cpu_seconds(server) - cpu_before
                    # Flask-MonitoringDashboard's threads go on storing after
                    # the load ends, which would slow the next server down.
                    wait_until_idle(server)
                    results[variant].rounds.append(result)
                    results[variant].cpu_us.append(cpu / result.responses * 1e6)
            finally:
                for server in servers.values():
                    if server.process.poll() is None:
                        stop_server(server)
            for variant, server in servers.items():
                _add_counts(results[variant], server)
    return list(results.values())


def _add_counts(result: ThroughputResult, server: Server) -> None:
    # Add one stopped server's requests served and rows stored to its totals.
    result.served = (result.served or 0) + read_served(server.directory / "served")
    stored = count_stored(server.variant, server.directory)
    if stored is not None:
        result.stored = (result.stored or 0) + stored


def format_results(
    results: Sequence[ThroughputResult], *, seconds: float, generator: str
) -> str:
    """Format a table of requests per second, worker CPU and ratios to bare Flask."""
    baseline = next((r for r in results if r.variant == BASELINE), None)
    rounds = len(results[0].rounds) if results else 0
    lines = [
        f"Throughput under gunicorn, {WORKERS} sync workers on {HOST}, load from "
        f"{generator}: median of {rounds} rounds of {seconds:g} s",
        f"{'variant':<12}{'requests/s':>12}{'ratio':>8}{'CPU us/req':>12}"
        f"{'ratio':>8}{'errors':>8}{'served':>10}{'stored':>10}",
    ]
    for result in results:
        ratio, cpu_ratio = "1.00", "1.00"
        if baseline is not None and result is not baseline:
            ratio = f"{result.throughput_ratio(baseline):.2f}"
            cpu_ratio = f"{result.cpu_ratio(baseline):.2f}"
        stored = "-" if result.stored is None else str(result.stored)
        lines.append(
            f"{result.variant:<12}{result.median_per_second:>12.0f}{ratio:>8}"
            f"{statistics.median(result.cpu_us):>12.1f}{cpu_ratio:>8}"
            f"{result.errors:>8}{result.served:>10}{stored:>10}"
        )
    lines.append(
        "The CPU ratio is bare Flask's worker CPU per response divided by the "
        "variant's, an estimate of the throughput ratio on an idle machine."
    )
    capture_result = next((r for r in results if r.variant == "capture"), None)
    if capture_result is not None and baseline is not None:
        rows = "equal" if capture_result.stored == capture_result.served else "DIFFER"
        for label, value in (
            ("measured", capture_result.throughput_ratio(baseline)),
            ("from worker CPU", capture_result.cpu_ratio(baseline)),
        ):
            verdict = "met" if value >= TARGET_RATIO else "MISSED"
            lines.append(
                f"target: capture keeps at least {TARGET_RATIO:.0%} of bare Flask's "
                f"throughput ({label}): {verdict} ({value:.1%})"
            )
        lines.append(f"capture's stored rows and requests served: {rows}")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options to ``parser``."""
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=VARIANTS,
        default=list(VARIANTS),
        help="variants to load (default: all that are installed)",
    )
    parser.add_argument("--rounds", type=int, help="rounds per variant (default 20)")
    parser.add_argument(
        "--seconds", type=float, help="seconds of load per round (default 2)"
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=8,
        help="concurrent connections from the load generator (default 8)",
    )
    parser.add_argument(
        "--python-load",
        action="store_true",
        help="use the threaded Python load generator even when wrk is installed",
    )


def run_from_arguments(arguments: argparse.Namespace) -> int:
    """Run with parsed options and print the table; return the exit status."""
    rounds = arguments.rounds or (3 if arguments.quick else 20)
    seconds = arguments.seconds or 2.0
    use_wrk = has_wrk() and not arguments.python_load
    variants = available_variants(arguments.variants)
    if BASELINE not in variants:
        variants.insert(0, BASELINE)
    results = run(
        variants,
        rounds=rounds,
        seconds=seconds,
        connections=arguments.connections,
        use_wrk=use_wrk,
    )
    generator = "wrk" if use_wrk else "Python threads"
    print(format_results(results, seconds=seconds, generator=generator), flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds of 2 s")
    add_arguments(parser)
    return run_from_arguments(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
