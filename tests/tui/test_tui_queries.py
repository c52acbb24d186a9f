"""The endpoint queries against a database filled through the models."""

from __future__ import annotations

import datetime as dt
import statistics
from zoneinfo import ZoneInfo

import peewee as pw
import pytest
from tui_data import EXPECTED, NOW, ORDER_BY_LAST, STUDIED, TRANSLATE, ZONE, add_request

from capture.schema import Endpoint
from flaskdash_tui.queries import day_bounds
from flaskdash_tui.queries.changes import ChangeDetector
from flaskdash_tui.queries.endpoints import (
    MedianCache,
    list_endpoints,
    median_duration,
    set_monitored,
)


def test_list_endpoints_figures(database: pw.Database) -> None:
    rows = {row.name: row for row in list_endpoints(database, now=NOW, timezone=ZONE)}
    assert set(rows) == set(EXPECTED)
    for name, (today, total, median) in EXPECTED.items():
        assert rows[name].hits_today == today, name
        assert rows[name].hits_total == total, name
        assert rows[name].median_ms == median, name


def test_list_endpoints_order_and_fields(database: pw.Database) -> None:
    rows = list_endpoints(database, now=NOW, timezone=ZONE)
    assert [row.name for row in rows] == ORDER_BY_LAST
    translate = rows[0]
    assert translate.rules == ("/translate/<from_lang>/<to_lang>", "/t/<from_lang>")
    assert translate.methods == "GET,POST"
    assert translate.monitored is True
    assert translate.last_requested == NOW - 300
    assert rows[-1].last_requested is None


def test_hits_today_follow_time_zone(database: pw.Database) -> None:
    # In UTC the day began at 00:00 UTC, so the request at 23:30 UTC on
    # Sunday (00:30 in Amsterdam) is no longer today.
    utc = {
        row.name: row.hits_today
        for row in list_endpoints(database, now=NOW, timezone=dt.timezone.utc)
    }
    assert utc[STUDIED] == 1
    kolkata = {
        row.name: row.hits_today
        for row in list_endpoints(database, now=NOW, timezone=ZoneInfo("Asia/Kolkata"))
    }
    # Midnight in Kolkata (UTC+05:30) is 18:30 UTC on Sunday.
    assert kolkata[STUDIED] == 3


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 10])
def test_median_matches_statistics(database: pw.Database, count: int) -> None:
    durations = [float((i * 37) % 101) for i in range(count)]
    endpoint = Endpoint.insert(name=f"median{count}", first_seen=NOW).execute(database)
    for duration in durations:
        add_request(database, f"median{count}", NOW, duration)
    assert median_duration(database, endpoint) == statistics.median(durations)


def test_day_bounds_on_dst_change() -> None:
    # Europe/Amsterdam moves to summer time on 2026-03-29: that day has 23 hours.
    noon = dt.datetime(2026, 3, 29, 12, tzinfo=ZONE).timestamp()
    start, end = day_bounds(noon, ZONE)
    assert end - start == 23 * 3600
    assert start == dt.datetime(2026, 3, 29, tzinfo=ZONE).timestamp()


def test_set_monitored_writes_flag(database: pw.Database) -> None:
    assert set_monitored(database, TRANSLATE, False) is True
    stored = Endpoint.select().where(Endpoint.name == TRANSLATE).bind(database).get()
    assert stored.monitored is False
    assert set_monitored(database, "no.such.endpoint", False) is False


def test_change_detector_sees_other_connection(
    database: pw.Database, database_path
) -> None:
    from capture.database import open_database

    detector = ChangeDetector(database)
    assert detector.changed() is True
    assert detector.changed() is False
    other = open_database(database_path, create=False)
    try:
        add_request(other, STUDIED, NOW, 1.0)
    finally:
        other.close()
    assert detector.changed() is True
    assert detector.changed() is False


def test_change_detector_signature_without_pragma(database: pw.Database) -> None:
    detector = ChangeDetector(database)
    detector._sqlite = False  # the path that PostgreSQL takes
    assert detector.changed() is True
    assert detector.changed() is False
    set_monitored(database, STUDIED, False)
    assert detector.changed() is True
    add_request(database, STUDIED, NOW, 1.0)
    assert detector.changed() is True


def test_median_cache_exact_for_small(database: pw.Database) -> None:
    cache = MedianCache(exact_below=10, max_age=1000.0, clock=lambda: 0.0)
    endpoint = Endpoint.select().where(Endpoint.name == STUDIED).bind(database).get()
    assert cache.median(database, endpoint.id, 4) == 25.0
    add_request(database, STUDIED, NOW, 50.0)
    # Below exact_below a changed count is recomputed at once.
    assert cache.median(database, endpoint.id, 5) == 30.0


def test_median_cache_reuses_large_until_stale(database: pw.Database) -> None:
    clock = [0.0]
    cache = MedianCache(exact_below=2, max_age=30.0, clock=lambda: clock[0])
    endpoint = Endpoint.select().where(Endpoint.name == STUDIED).bind(database).get()
    assert cache.median(database, endpoint.id, 4) == 25.0
    add_request(database, STUDIED, NOW, 50.0)
    clock[0] = 10.0
    assert cache.median(database, endpoint.id, 5) == 25.0
    clock[0] = 31.0
    assert cache.median(database, endpoint.id, 5) == 30.0


def test_list_endpoints_with_cache(database: pw.Database) -> None:
    rows = list_endpoints(database, now=NOW, timezone=ZONE, medians=MedianCache())
    medians = {row.name: row.median_ms for row in rows}
    assert medians == {name: figures[2] for name, figures in EXPECTED.items()}


def test_slow_medians_skipped_then_cached(database: pw.Database) -> None:
    cache = MedianCache(exact_below=2)
    rows = list_endpoints(
        database, now=NOW, timezone=ZONE, medians=cache, slow_medians=False
    )
    pending = {row.name for row in rows if row.median_pending}
    # Only endpoints with at least two stored requests need the slow sort.
    assert pending == {STUDIED, TRANSLATE}
    assert all(row.median_ms is None for row in rows if row.median_pending)
    rows = list_endpoints(database, now=NOW, timezone=ZONE, medians=cache)
    assert not any(row.median_pending for row in rows)
    rows = list_endpoints(
        database, now=NOW, timezone=ZONE, medians=cache, slow_medians=False
    )
    medians = {row.name: row.median_ms for row in rows}
    assert medians[STUDIED] == 25.0
    assert medians[TRANSLATE] == 7.0
