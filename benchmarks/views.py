"""Time how long each TUI view takes to appear on a large database.

Each case starts the real app headless at 80x24 (``App.run_test``) on the
endpoints view, presses the number key of one view and measures until the
view's load worker has finished and the screen has been redrawn. Cases with
keys (such as ``t`` for 90 days) measure those keys in the open view instead. The query
alone is timed too, so that the rest (app start, widgets, drawing) shows as the
difference. Every case runs ``--repeat`` times and the median is printed.

Usage:
    python benchmarks/make_large_db.py /tmp/flaskdash-large.sqlite
    python benchmarks/views.py /tmp/flaskdash-large.sqlite

Add a view by appending a :class:`Case` to :data:`CASES`, with a query
function that runs what the view's ``load_data`` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import peewee as pw

from capture.database import open_database
from capture.schema import Request
from flaskdash_tui import views
from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.queries import performance, usage
from flaskdash_tui.settings import Settings
from flaskdash_tui.timerange import TimeRange

TARGET_SECONDS = 1.0
"""The maximum seconds a view may take to appear on 1,000,000 requests."""

Query = Callable[[pw.Database, float, dt.tzinfo], object]


def _range(days: int | None) -> Callable[[pw.Database, float, dt.tzinfo], TimeRange]:
    def build(database: pw.Database, now: float, zone: dt.tzinfo) -> TimeRange:
        if days is None:
            return TimeRange.everything(usage.first_request_time(database), now, zone)
        return TimeRange.last_days(days, now, zone)

    return build


def _daily(days: int | None) -> Query:
    def run(database: pw.Database, now: float, zone: dt.tzinfo) -> object:
        return usage.daily_hits(database, _range(days)(database, now, zone))

    return run


def _hourly(days: int | None) -> Query:
    def run(database: pw.Database, now: float, zone: dt.tzinfo) -> object:
        return usage.hourly_hits(database, _range(days)(database, now, zone))

    return run


def _boxes(days: int | None) -> Query:
    def run(database: pw.Database, now: float, zone: dt.tzinfo) -> object:
        time_range = _range(days)(database, now, zone)
        return performance.endpoint_boxes(
            database, start=time_range.start, end=time_range.end
        )

    return run


BUSIEST_ENDPOINT = "api.endpoint_01"
"""The endpoint with the most requests in a database from make_large_db.py."""
BUSIEST = ["slash", *BUSIEST_ENDPOINT, "enter"]
"""Keys that filter the endpoints view down to the busiest endpoint."""


def _detail(function: Callable[..., object], days: int | None) -> Query:
    def run(database: pw.Database, now: float, zone: dt.tzinfo) -> object:
        time_range = _range(days)(database, now, zone)
        endpoint = performance.find_endpoint(database, BUSIEST_ENDPOINT)
        if endpoint is None:
            raise SystemExit(f"endpoint {BUSIEST_ENDPOINT} not found")
        return function(
            database, endpoint.id, start=time_range.start, end=time_range.end
        )

    return run


@dataclass(frozen=True)
class Case:
    """One view, the keys pressed after it opened, and its query."""

    label: str
    view: str
    query: Query
    keys: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    """Keys pressed in the endpoints view before the view's key, not timed."""
    setup: list[str] = field(default_factory=list)
    """Keys pressed in the open view before ``keys``, not timed."""


CASES: list[Case] = [
    Case("hits, 30 days", "hits", _daily(30)),
    Case("hits, 90 days", "hits", _daily(90), ["t"]),
    Case("hits, everything", "hits", _daily(None), ["a"]),
    Case("heatmap, 30 days", "heatmap", _hourly(30)),
    Case("heatmap, 90 days", "heatmap", _hourly(90), ["t"]),
    Case("heatmap, everything", "heatmap", _hourly(None), ["a"]),
    Case("response, 30 days", "response", _boxes(30)),
    Case("response, 90 days", "response", _boxes(90), ["t"]),
    Case("response, everything", "response", _boxes(None), ["a"]),
    # The detail view of the busiest endpoint, found with the filter of the
    # endpoints view: a quarter of all requests in make_large_db.py.
    Case(
        "endpoint versions, 30 d",
        "endpoint",
        _detail(performance.version_boxes, 30),
        before=BUSIEST,
    ),
    Case(
        "endpoint versions, 90 d",
        "endpoint",
        _detail(performance.version_boxes, 90),
        ["t"],
        before=BUSIEST,
    ),
    Case(
        "endpoint users, 90 d",
        "endpoint",
        _detail(performance.user_boxes, 90),
        ["n"],
        before=BUSIEST,
        setup=["t"],
    ),
    Case(
        "endpoint ips, 90 d",
        "endpoint",
        _detail(performance.ip_boxes, 90),
        ["n"],
        before=BUSIEST,
        setup=["t", "n"],
    ),
    Case(
        "endpoint grid, 90 d",
        "endpoint",
        _detail(performance.user_version_grid, 90),
        ["n"],
        before=BUSIEST,
        setup=["t", "n", "n"],
    ),
]


async def time_view(
    settings: Settings,
    view: str,
    keys: list[str],
    before: list[str] | None = None,
    setup: list[str] | None = None,
) -> tuple[float, float]:
    """Return the seconds that ``view`` takes to appear in a running app.

    The app starts on the endpoints view. The time runs from pressing the
    view's number key until its data is drawn, or, with ``keys``, from
    pressing those keys in the open view until the data is drawn again.

    Returns:
        The wall-clock seconds, and the CPU seconds of the whole process (all
        threads) over the same interval. Both grow when other jobs load the
        machine, the wall-clock seconds much more.
    """
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        if before:
            await pilot.press(*before)
            await app.workers.wait_for_complete()
            await pilot.pause()
        steps = [[views.VIEWS[view].key or ""]]
        if setup:
            steps.append(setup)
        if keys:
            steps.append(keys)
        seconds = cpu_seconds = 0.0
        for step in steps:
            started = time.perf_counter()
            cpu_started = time.process_time()
            await pilot.press(*step)
            await app.workers.wait_for_complete()
            await pilot.pause()
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu_started
        if getattr(app.screen, "VIEW_NAME", None) != view:
            raise SystemExit(f"view {view!r} did not open")
        return seconds, cpu_seconds


def time_query(case: Case, path: str, now: float, zone: dt.tzinfo) -> float:
    """Return the seconds the case's query takes on a fresh connection."""
    database = open_database(path, create=False)
    try:
        started = time.perf_counter()
        case.query(database, now, zone)
        return time.perf_counter() - started
    finally:
        database.close()


def latest_request(path: str) -> float:
    """Return the time of the newest request, the "now" of the benchmark."""
    database = open_database(path, create=False)
    try:
        value = Request.select(pw.fn.MAX(Request.time)).bind(database).scalar()
    finally:
        database.close()
    if value is None:
        raise SystemExit(f"{path} has no requests; run make_large_db.py first")
    return float(value)


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="database made by make_large_db.py")
    parser.add_argument("--timezone", default="Europe/Amsterdam")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--only", default="", help="run only cases whose label contains this text"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every case and print its median times; exit 1 if one is too slow."""
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    zone = ZoneInfo(arguments.timezone)
    now = latest_request(arguments.path)
    print(f"database {arguments.path}, time zone {arguments.timezone}")
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"{'case':<24} {'query s':>8} {'view s':>8} {'view CPU s':>11}"
        f"  (median of {arguments.repeat})"
    )
    too_slow = []
    for case in CASES:
        if arguments.only not in case.label:
            continue
        settings = Settings(
            database=arguments.path, view="endpoints", now=now, timezone=zone
        )
        queries: list[float] = []
        shown: list[float] = []
        cpu: list[float] = []
        for _ in range(arguments.repeat):
            queries.append(time_query(case, arguments.path, now, zone))
            wall_seconds, cpu_seconds = asyncio.run(
                time_view(settings, case.view, case.keys, case.before, case.setup)
            )
            shown.append(wall_seconds)
            cpu.append(cpu_seconds)
        query_seconds = statistics.median(queries)
        view_seconds = statistics.median(shown)
        cpu_seconds = statistics.median(cpu)
        print(
            f"{case.label:<24} {query_seconds:8.3f} {view_seconds:8.3f}"
            f" {cpu_seconds:11.3f}"
        )
        if view_seconds > TARGET_SECONDS:
            too_slow.append(case.label)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if too_slow:
        print(f"slower than {TARGET_SECONDS} s: {', '.join(too_slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
