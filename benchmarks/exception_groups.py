"""Time grouping exceptions by type and origin, first and on later reloads.

Fills a temporary SQLite database through the models with ``--count``
exceptions of one endpoint, spread over 20 distinct tracebacks of 19 frames
(about 3.6 kB of JSON each), then times :class:`ExceptionGroups.update` for
the whole app and for one endpoint in the newest half of the time range:
the first update, an update without changes, and an update after one new
exception. Every case runs ``--repeat`` times and the median is printed.

Usage:
    python -m benchmarks.exception_groups [--count 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import peewee as pw

from capture.database import open_database
from capture.schema import Endpoint, ExceptionRecord, Request, Version
from flaskdash_tui.queries.exception_groups import ExceptionGroups

ENDPOINT = "api.report_exercise_outcome"
LIBRARY_FILE = "/srv/venv/lib/python3.11/site-packages/flask/app.py"
APP_FILE = "/srv/zeeguu/api/exercises.py"
DISTINCT_TRACEBACKS = 20


def _tracebacks() -> list[str]:
    library = [
        {
            "file": LIBRARY_FILE,
            "line": 900 + index,
            "function": "dispatch_request",
            "code": "return self.ensure_sync(self.view_functions[rule.endpoint])"
            "(**view_args)",
        }
        for index in range(18)
    ]
    return [
        json.dumps(
            [
                *library,
                {
                    "file": APP_FILE,
                    "line": 10 + place,
                    "function": f"report_{place}",
                    "code": "raise KeyError(name)",
                },
            ]
        )
        for place in range(DISTINCT_TRACEBACKS)
    ]


def fill(database: pw.Database, count: int) -> None:
    """Insert ``count`` failed requests, one exception each, one second apart."""
    tracebacks = _tracebacks()
    with database.atomic():
        endpoint = Endpoint.insert(name=ENDPOINT, first_seen=0.0).execute(database)
        version = Version.insert(name="v1", first_seen=0.0).execute(database)
        requests = [
            {
                "endpoint": endpoint,
                "time": float(second),
                "duration": 5.0,
                "method": "POST",
                "status": 500,
                "version": version,
                "group": "user-1",
                "ip": "127.0.0.1",
            }
            for second in range(count)
        ]
        for start in range(0, count, 5000):
            Request.insert_many(requests[start : start + 5000]).execute(database)
        # The database is new, so the requests got the ids 1 to count.
        request_ids = range(1, count + 1)
        exceptions = [
            {
                "request": request_id,
                "type": "builtins.KeyError",
                "message": "'outcome'",
                "traceback": tracebacks[request_id % DISTINCT_TRACEBACKS],
            }
            for request_id in request_ids
        ]
        for start in range(0, count, 2000):
            ExceptionRecord.insert_many(exceptions[start : start + 2000]).execute(
                database
            )


def _seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _add_exception(database: pw.Database, moment: float) -> None:
    request = Request.insert(
        endpoint=1,
        time=moment,
        duration=5.0,
        method="POST",
        status=500,
        version=1,
        group="user-1",
        ip="127.0.0.1",
    ).execute(database)
    ExceptionRecord.insert(
        request=request,
        type="builtins.KeyError",
        message="'outcome'",
        traceback=_tracebacks()[3],
    ).execute(database)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the cases and print one line of medians per scope."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="exceptions")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per case")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "flaskdash.db", create=True)
        fill(database, arguments.count)
        half = arguments.count / 2
        scopes: dict[str, dict[str, Any]] = {
            "whole app": {},
            "one endpoint, newest half": {
                "endpoint": ENDPOINT,
                "start": half,
                "end": float(arguments.count * 2),
            },
        }
        print(f"{arguments.count:,} exceptions, median of {arguments.repeat} rounds")
        for label, scope in scopes.items():
            first, unchanged, one_new = [], [], []
            for round_number in range(arguments.repeat):
                update = functools.partial(ExceptionGroups(**scope).update, database)
                first.append(_seconds(update))
                unchanged.append(_seconds(update))
                _add_exception(database, arguments.count + round_number + 0.5)
                one_new.append(_seconds(update))
            print(
                f"{label}: first {statistics.median(first):.3f} s, "
                f"unchanged {statistics.median(unchanged):.3f} s, "
                f"one new {statistics.median(one_new):.3f} s"
            )
        database.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
