"""Generate a large flaskdash database for the TUI view benchmarks.

Writes 1,000,000 requests spread over the 90 days before ``--end`` and over 30
endpoints (all three adjustable), through the capture models, in transactions
of 100,000 rows. Traffic follows a daily rhythm (quiet at night, busy in
working hours, UTC), endpoint popularity falls off like a Zipf distribution,
and durations are log-normal. The same seed gives the same database.

Usage:
    python benchmarks/make_large_db.py /tmp/flaskdash-large.sqlite
    python benchmarks/make_large_db.py PATH --requests 200000 --days 30 --force

On a 2-core machine the default size takes about half a minute (see
benchmarks/README.md). Never commit the generated file.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import cast

import numpy as np
import peewee as pw

from capture.database import open_database
from capture.schema import Endpoint, Request, Version

ENDPOINT_ID = cast(pw.Field, Endpoint._meta.primary_key)

TRANSACTION_ROWS = 100_000
STATEMENT_ROWS = 3_000
"""Rows per INSERT: 8 columns each stays under SQLite's 32,766 parameters."""

STATUSES = np.array([200, 200, 200, 200, 200, 200, 200, 201, 404, 500])
METHODS = ("GET", "POST")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="database file to create")
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--endpoints", type=int, default=30)
    parser.add_argument(
        "--end",
        type=float,
        default=None,
        help="UNIX time of the newest request (default: now)",
    )
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--force", action="store_true", help="replace the file when it exists"
    )
    return parser.parse_args(argv)


def hour_weights() -> np.ndarray:
    """Return the relative traffic of each UTC hour: low at night, high at work."""
    hours = np.arange(24)
    weights = 0.05 + np.exp(-(((hours - 13.0) / 4.0) ** 2))
    return weights / weights.sum()


def request_times(
    rng: np.random.Generator, count: int, days: int, end: float
) -> np.ndarray:
    """Draw ``count`` request times over the ``days`` days before ``end``."""
    start = end - days * 86400
    day_index = rng.integers(0, days, size=count)
    hour = rng.choice(24, size=count, p=hour_weights())
    second = rng.random(count) * 3600
    base_day = np.floor(start / 86400) * 86400
    times = base_day + day_index * 86400.0 + hour * 3600.0 + second
    times = np.clip(times, start, end)
    times.sort()
    return times


def write_database(arguments: argparse.Namespace) -> float:
    """Create the database and return the seconds the writing took."""
    if arguments.path.exists():
        if not arguments.force:
            raise SystemExit(f"{arguments.path} exists; pass --force to replace it")
        arguments.path.unlink()
        for suffix in ("-wal", "-shm"):
            Path(str(arguments.path) + suffix).unlink(missing_ok=True)

    started = time.perf_counter()
    end = time.time() if arguments.end is None else arguments.end
    rng = np.random.default_rng(arguments.seed)
    database = open_database(arguments.path, create=True)

    with database.atomic():
        Endpoint.insert_many(
            [
                {
                    "name": f"api.endpoint_{number:02d}",
                    "rules": f"/api/endpoint_{number:02d}",
                    "methods": METHODS[number % 5 == 0],
                    "first_seen": end - arguments.days * 86400,
                }
                for number in range(1, arguments.endpoints + 1)
            ]
        ).execute(database)
        version_id = Version.insert(
            name="benchmark", first_seen=end - arguments.days * 86400
        ).execute(database)
    id_rows = Endpoint.select(ENDPOINT_ID).tuples().bind(database)
    endpoint_ids = [row[0] for row in cast("Iterable[tuple[int]]", id_rows)]

    popularity = 1.0 / np.arange(1, len(endpoint_ids) + 1)
    popularity /= popularity.sum()
    times = request_times(rng, arguments.requests, arguments.days, end)
    endpoints = rng.choice(
        np.array(endpoint_ids), size=arguments.requests, p=popularity
    )
    durations = rng.lognormal(mean=3.5, sigma=0.8, size=arguments.requests)
    statuses = rng.choice(STATUSES, size=arguments.requests)
    users = rng.integers(1, 60, size=arguments.requests)

    fields = [
        Request.endpoint,
        Request.time,
        Request.duration,
        Request.method,
        Request.status,
        Request.version,
        Request.group,
        Request.ip,
    ]
    for first in range(0, arguments.requests, TRANSACTION_ROWS):
        last = min(first + TRANSACTION_ROWS, arguments.requests)
        rows = [
            (
                int(endpoints[index]),
                float(times[index]),
                float(durations[index]),
                "GET",
                int(statuses[index]),
                version_id,
                f"user-{users[index]}",
                "127.0.0.1",
            )
            for index in range(first, last)
        ]
        with database.atomic():
            for chunk in pw.chunked(rows, STATEMENT_ROWS):
                Request.insert_many(chunk, fields=fields).execute(database)

    with database.atomic():
        for endpoint_id in endpoint_ids:
            hits = (
                Request.select(pw.fn.COUNT(pw.SQL("*")))
                .where(Request.endpoint == endpoint_id)
                .bind(database)
                .scalar()
            )
            latest = (
                Request.select(pw.fn.MAX(Request.time))
                .where(Request.endpoint == endpoint_id)
                .bind(database)
                .scalar()
            )
            update = Endpoint.update(hits=hits, last_requested=latest)
            update.where(ENDPOINT_ID.in_([endpoint_id])).execute(database)
    database.close()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Generate the database and print what was written."""
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    seconds = write_database(arguments)
    print(
        f"wrote {arguments.requests:,} requests over {arguments.days} days and "
        f"{arguments.endpoints} endpoints to {arguments.path} in {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
