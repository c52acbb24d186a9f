"""Measure how many measurements per second capture's writer stores in SQLite.

Run it from the repository root::

    python -m benchmarks.writer [--quick]

Two ways of storing the same number of request rows into a fresh SQLite file
opened with ``capture.database.open_database`` (WAL, ``synchronous=NORMAL``):

- ``executemany``: the baseline, the sqlite3 driver's ``executemany`` with
  the statement peewee writes for the request table, in batches of
  ``--batch`` rows and one transaction per batch, with the rows built
  beforehand. It is close to the fastest way Python can hand rows to SQLite.
- ``insert_many``: the same batches through peewee's ``Request.insert_many``,
  which builds the SQL for every row and so costs several times more.
- ``capture``: measurements in the form the request path builds are put into
  capture's in-memory buffer, and the clock runs until ``flush`` returns, so
  the writer's batching, endpoint and version look-ups, hit counts and
  commits all count.

Each round uses a new database file. The figure per way is the median over
the rounds, and the ratio divides it by the baseline's median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import flask
import peewee as pw

from capture.database import open_database
from capture.schema import Endpoint, Request, Version

TARGET_PER_SECOND = 50_000
"""The minimum rate, in measurements per second, that capture's writer must reach."""

BASELINE = "executemany"


@dataclass
class WriterResult:
    """One way's rounds, in measurements stored per second."""

    name: str
    rounds_per_second: list[float]

    @property
    def median_per_second(self) -> float:
        """The median over the rounds."""
        return statistics.median(self.rounds_per_second)


def _prepare(path: Path) -> tuple[pw.Database, int, int]:
    database = open_database(path, create=True)
    now = time.time()
    endpoint_id = Endpoint.insert(name="index", rules="/", first_seen=now).execute(
        database
    )
    version_id = Version.insert(name="bench", first_seen=now).execute(database)
    return database, int(endpoint_id), int(version_id)


_FIELDS = [
    Request.endpoint,
    Request.time,
    Request.duration,
    Request.method,
    Request.status,
    Request.version,
    Request.group,
    Request.ip,
]


def _rows(count: int, endpoint_id: int, version_id: int) -> list[tuple[object, ...]]:
    now = time.time()
    return [
        (endpoint_id, now + index * 1e-4, 1.5, "GET", 200, version_id, "u", "::1")
        for index in range(count)
    ]


def _check_stored(name: str, database: pw.Database, measurements: int) -> None:
    stored = Request.select().bind(database).count()
    if stored != measurements:
        raise RuntimeError(f"{name} stored {stored} of {measurements} rows")


def store_with_executemany(path: Path, measurements: int, batch: int) -> float:
    """Store rows with the sqlite3 driver's ``executemany``; return the seconds."""
    database, endpoint_id, version_id = _prepare(path)
    rows = _rows(measurements, endpoint_id, version_id)
    # peewee writes the statement for one row, so the SQL follows the model.
    sql, _ = Request.insert_many(rows[:1], fields=_FIELDS).bind(database).sql()
    start = time.perf_counter()
    for offset in range(0, measurements, batch):
        with database.atomic():
            database.cursor().executemany(sql, rows[offset : offset + batch])
    elapsed = time.perf_counter() - start
    _check_stored("executemany", database, measurements)
    database.close()
    return elapsed


def store_with_insert_many(path: Path, measurements: int, batch: int) -> float:
    """Store rows with peewee's ``insert_many``; return the seconds it took."""
    database, endpoint_id, version_id = _prepare(path)
    rows = _rows(measurements, endpoint_id, version_id)
    start = time.perf_counter()
    for offset in range(0, measurements, batch):
        with database.atomic():
            Request.insert_many(rows[offset : offset + batch], fields=_FIELDS).execute(
                database
            )
    elapsed = time.perf_counter() - start
    _check_stored("insert_many", database, measurements)
    database.close()
    return elapsed


def store_with_capture(path: Path, measurements: int, batch: int) -> float:
    """Queue measurements in capture's buffer and time until ``flush`` returns.

    ``batch`` is unused: the writer picks its own batch size.
    """
    import capture
    from capture import recorder as fields

    app = flask.Flask(__name__)

    @app.route("/")
    def index() -> str:
        return "ok"

    monitor = capture.bind(
        app,
        database=str(path),
        app_version="bench",
        buffer_size=measurements + 1000,
    )
    try:
        # One real request lets the writer store the endpoint and the version,
        # so that the timed part stores measurements only.
        app.test_client().get("/")
        if not monitor.flush(timeout=30.0):
            raise RuntimeError(f"capture did not store the first request in {path}")
        # NOTE: This reaches into capture's private binding for its buffer and
        # builds records with the recorder's slot numbers, so it must follow
        # changes to the record layout in capture/recorder.py.
        buffer = monitor._bindings[0].recorder.buffer
        records = _capture_records(fields, measurements)
        start = time.perf_counter()
        buffer.extend(records)
        if not monitor.flush(timeout=300.0):
            raise RuntimeError(f"capture did not store {measurements} in 300 s")
        elapsed = time.perf_counter() - start
    finally:
        monitor.close()
    database = open_database(path, create=False)
    try:
        _check_stored("capture", database, measurements + 1)
    finally:
        database.close()
    return elapsed


def _capture_records(fields: ModuleType, count: int) -> list[tuple[object, ...]]:
    # The shape the middleware queues once a request to "index" has finished.
    now = time.time()
    records = []
    for index in range(count):
        record: list[object] = [None] * (fields.IP + 1)
        record[fields.START] = index * 1e-4
        record[fields.THREAD] = 1
        record[fields.STATUS] = "200 OK"
        record[fields.STREAMED] = False
        record[fields.STARTED_AT] = now + index * 1e-4
        record[fields.ENDPOINT] = "index"
        record[fields.DURATION] = 1.5
        record[fields.METHOD] = "GET"
        record[fields.IP] = "::1"
        records.append(tuple(record))
    return records


def run(
    ways: dict[str, Callable[[Path, int, int], float]],
    *,
    rounds: int,
    measurements: int,
    batch: int,
) -> list[WriterResult]:
    """Time every way in alternating rounds, each on a new database file."""
    results = {name: WriterResult(name, []) for name in ways}
    with tempfile.TemporaryDirectory(prefix="flaskdash-writer-") as folder:
        for index in range(rounds):
            for name, store in ways.items():
                path = Path(folder) / f"{name}-{index}.db"
                seconds = store(path, measurements, batch)
                results[name].rounds_per_second.append(measurements / seconds)
    return list(results.values())


def format_results(results: Sequence[WriterResult], *, measurements: int) -> str:
    """Format a table of measurements per second and ratios to the baseline."""
    baseline = next((r for r in results if r.name == BASELINE), None)
    rounds = len(results[0].rounds_per_second) if results else 0
    lines = [
        f"Measurements stored per second into SQLite: median of {rounds} rounds "
        f"of {measurements} measurements",
        f"{'way':<14}{'per second':>12}{'ratio':>8}{'min-max per second':>24}",
    ]
    for result in results:
        ratio = "-"
        if baseline is not None:
            ratio = f"{result.median_per_second / baseline.median_per_second:.2f}"
        spread = (
            f"{min(result.rounds_per_second):.0f}-{max(result.rounds_per_second):.0f}"
        )
        lines.append(
            f"{result.name:<14}{result.median_per_second:>12.0f}{ratio:>8}{spread:>24}"
        )
    capture_result = next((r for r in results if r.name == "capture"), None)
    if capture_result is not None:
        verdict = (
            "met" if capture_result.median_per_second >= TARGET_PER_SECOND else "MISSED"
        )
        lines.append(
            f"target: the writer stores at least {TARGET_PER_SECOND} measurements "
            f"per second: {verdict} ({capture_result.median_per_second:.0f})"
        )
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options to ``parser``."""
    parser.add_argument("--rounds", type=int, help="rounds per way (default 5)")
    parser.add_argument(
        "--measurements",
        type=int,
        help="measurements stored per round (default 200000)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=1000,
        help="rows per transaction for the two baselines (default 1000)",
    )


def run_from_arguments(arguments: argparse.Namespace) -> int:
    """Run with parsed options and print the table; return the exit status."""
    rounds = arguments.rounds or (3 if arguments.quick else 5)
    measurements = arguments.measurements or (50_000 if arguments.quick else 200_000)
    ways: dict[str, Callable[[Path, int, int], float]] = {
        BASELINE: store_with_executemany,
        "insert_many": store_with_insert_many,
        "capture": store_with_capture,
    }
    results = run(ways, rounds=rounds, measurements=measurements, batch=arguments.batch)
    print(format_results(results, measurements=measurements), flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="3 rounds of 50000 measurements"
    )
    add_arguments(parser)
    return run_from_arguments(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
