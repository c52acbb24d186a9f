"""Tests of the per-day and per-hour counts of requests written through the models."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import peewee as pw
from usage_data import RequestWriter

from flaskdash_tui.queries.usage import (
    daily_hits,
    first_request_time,
    hourly_hits,
    split_range,
)
from flaskdash_tui.timerange import TimeRange

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KOLKATA = ZoneInfo("Asia/Kolkata")
KATHMANDU = ZoneInfo("Asia/Kathmandu")
UTC = dt.timezone.utc


def utc(*fields: int) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=UTC)


def local(zone: dt.tzinfo, *fields: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=zone, fold=fold)


def hours_of(grid: list[int]) -> dict[int, int]:
    return {hour: count for hour, count in enumerate(grid) if count}


def test_daily_counts_with_zero_days(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.bookmarks", utc(2026, 5, 1, 9), utc(2026, 5, 1, 10))
    writer.add("api.bookmarks", utc(2026, 5, 3, 12))
    writer.add("api.translate", utc(2026, 5, 3, 13), utc(2026, 5, 3, 14))
    writer.add("api.translate", utc(2026, 5, 3, 15))

    hits = daily_hits(database, TimeRange(dt.date(2026, 5, 1), 4, UTC, 4))

    assert hits.days == [dt.date(2026, 5, day) for day in (1, 2, 3, 4)]
    by_name = {series.name: series.counts for series in hits.series}
    assert by_name == {"api.bookmarks": [2, 0, 1, 0], "api.translate": [0, 0, 3, 0]}
    assert hits.totals == [2, 0, 4, 0]
    assert hits.total == 6
    assert hits.peak() == (dt.date(2026, 5, 3), 4)


def test_daily_series_most_hits_first(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.rare", utc(2026, 5, 1, 9))
    writer.add("api.common", utc(2026, 5, 1, 9), utc(2026, 5, 1, 10))

    hits = daily_hits(database, TimeRange(dt.date(2026, 5, 1), 1, UTC, 1))

    assert [series.name for series in hits.series] == ["api.common", "api.rare"]


def test_daily_leaves_out_other_days(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.a", utc(2026, 4, 30, 23, 59, 59), utc(2026, 5, 2, 0, 0, 0))
    writer.add("api.a", utc(2026, 5, 1, 0, 0, 0), utc(2026, 5, 1, 23, 59, 59))

    hits = daily_hits(database, TimeRange(dt.date(2026, 5, 1), 1, UTC, 1))

    assert [series.counts for series in hits.series] == [[2]]


def test_daily_one_endpoint(database: pw.Database, writer: RequestWriter) -> None:
    writer.add("api.a", utc(2026, 5, 1, 9))
    writer.add("api.b", utc(2026, 5, 1, 9), utc(2026, 5, 2, 9))

    hits = daily_hits(
        database,
        TimeRange(dt.date(2026, 5, 1), 2, UTC, 2),
        endpoint_id=writer.endpoint("api.b"),
    )

    assert [(series.name, series.counts) for series in hits.series] == [
        ("api.b", [1, 1])
    ]


def test_daily_empty_database(database: pw.Database) -> None:
    hits = daily_hits(database, TimeRange(dt.date(2026, 5, 1), 3, UTC, 3))

    assert hits.series == []
    assert hits.totals == [0, 0, 0]
    assert hits.peak() is None


def test_daily_across_spring_change(
    database: pw.Database, writer: RequestWriter
) -> None:
    # 2026-03-29: Amsterdam moves from +01:00 to +02:00 at 02:00 local time.
    writer.add(
        "api.a",
        local(AMSTERDAM, 2026, 3, 28, 23, 30),
        local(AMSTERDAM, 2026, 3, 29, 0, 10),
        local(AMSTERDAM, 2026, 3, 29, 23, 50),
        local(AMSTERDAM, 2026, 3, 30, 0, 10),
    )

    hits = daily_hits(database, TimeRange(dt.date(2026, 3, 28), 3, AMSTERDAM, 3))

    assert hits.totals == [1, 2, 1]


def test_daily_across_autumn_change(
    database: pw.Database, writer: RequestWriter
) -> None:
    # 2026-10-25: Amsterdam moves back from +02:00 to +01:00 at 03:00 local
    # time, so that day has 25 hours.
    writer.add(
        "api.a",
        local(AMSTERDAM, 2026, 10, 24, 23, 59),
        local(AMSTERDAM, 2026, 10, 25, 0, 1),
        local(AMSTERDAM, 2026, 10, 25, 23, 59),
        local(AMSTERDAM, 2026, 10, 26, 0, 1),
    )

    hits = daily_hits(database, TimeRange(dt.date(2026, 10, 24), 3, AMSTERDAM, 3))

    assert hits.totals == [1, 2, 1]


def test_hourly_skips_spring_hour(database: pw.Database, writer: RequestWriter) -> None:
    writer.add(
        "api.a",
        utc(2026, 3, 29, 0, 30),  # 01:30 +01:00
        utc(2026, 3, 29, 1, 30),  # 03:30 +02:00
        utc(2026, 3, 29, 21, 30),  # 23:30 +02:00
        utc(2026, 3, 29, 22, 30),  # 00:30 +02:00 on the next day
    )

    hits = hourly_hits(database, TimeRange(dt.date(2026, 3, 29), 2, AMSTERDAM, 2))

    assert hours_of(hits.counts[0]) == {1: 1, 3: 1, 23: 1}
    assert hits.counts[0][2] == 0
    assert hours_of(hits.counts[1]) == {0: 1}


def test_hourly_adds_repeated_autumn_hour(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add(
        "api.a",
        local(AMSTERDAM, 2026, 10, 25, 2, 30, fold=0),  # 00:30 UTC, +02:00
        local(AMSTERDAM, 2026, 10, 25, 2, 30, fold=1),  # 01:30 UTC, +01:00
        utc(2026, 10, 25, 2, 10),  # 03:10 +01:00
    )

    hits = hourly_hits(database, TimeRange(dt.date(2026, 10, 25), 1, AMSTERDAM, 1))

    assert hours_of(hits.counts[0]) == {2: 2, 3: 1}
    assert hits.total == 3


def test_hourly_half_hour_zone(database: pw.Database, writer: RequestWriter) -> None:
    writer.add(
        "api.a",
        utc(2026, 6, 1, 18, 29),  # 23:59 +05:30
        utc(2026, 6, 1, 18, 31),  # 00:01 on 2 June
        utc(2026, 6, 1, 10, 15),  # 15:45
        utc(2026, 6, 1, 10, 29),  # 15:59
        utc(2026, 6, 1, 10, 30),  # 16:00
    )

    hits = hourly_hits(database, TimeRange(dt.date(2026, 6, 1), 2, KOLKATA, 2))

    assert hours_of(hits.counts[0]) == {15: 2, 16: 1, 23: 1}
    assert hours_of(hits.counts[1]) == {0: 1}


def test_hourly_quarter_hour_zone(database: pw.Database, writer: RequestWriter) -> None:
    writer.add(
        "api.a",
        utc(2026, 6, 1, 18, 14),  # 23:59 +05:45
        utc(2026, 6, 1, 18, 16),  # 00:01 on 2 June
        utc(2026, 6, 1, 3, 14),  # 08:59
        utc(2026, 6, 1, 3, 15),  # 09:00
    )

    hits = hourly_hits(database, TimeRange(dt.date(2026, 6, 1), 2, KATHMANDU, 2))

    assert hours_of(hits.counts[0]) == {8: 1, 9: 1, 23: 1}
    assert hours_of(hits.counts[1]) == {0: 1}
    daily = daily_hits(database, TimeRange(dt.date(2026, 6, 1), 2, KATHMANDU, 2))
    assert daily.totals == [3, 1]


def test_hourly_one_endpoint(database: pw.Database, writer: RequestWriter) -> None:
    writer.add("api.a", utc(2026, 5, 1, 9, 5), utc(2026, 5, 1, 9, 50))
    writer.add("api.b", utc(2026, 5, 1, 9, 10))

    hits = hourly_hits(
        database,
        TimeRange(dt.date(2026, 5, 1), 1, UTC, 1),
        endpoint_id=writer.endpoint("api.a"),
    )

    assert hours_of(hits.counts[0]) == {9: 2}
    assert hits.max_count == 2


def test_hourly_zero_grid(database: pw.Database) -> None:
    hits = hourly_hits(database, TimeRange(dt.date(2026, 5, 1), 2, UTC, 2))

    assert hits.counts == [[0] * 24, [0] * 24]
    assert hits.max_count == 0


def test_first_request_time(database: pw.Database, writer: RequestWriter) -> None:
    assert first_request_time(database) is None
    writer.add("api.a", utc(2026, 5, 2), utc(2026, 5, 1))

    assert first_request_time(database) == utc(2026, 5, 1).timestamp()


def test_split_range_covers_days() -> None:
    time_range = TimeRange(dt.date(2026, 10, 10), 31, AMSTERDAM, 31)

    parts = split_range(time_range)

    assert len(parts) == 2
    assert parts[0].first_day == time_range.first_day
    assert parts[-1].last_day == time_range.last_day
    assert sum(part.days for part in parts) == 31
    assert parts[0].last_day + dt.timedelta(days=1) == parts[1].first_day


def test_split_range_short_stays_whole() -> None:
    time_range = TimeRange(dt.date(2026, 10, 10), 7, AMSTERDAM, 7)
    assert split_range(time_range) == [time_range]


def test_long_range_counts_every_day(
    database: pw.Database, writer: RequestWriter
) -> None:
    # 31 days across the autumn change, counted in two threads: one request
    # at 00:30 and one at 23:30 local time on every day.
    days = [dt.date(2026, 10, 10) + dt.timedelta(days=index) for index in range(31)]
    for day in days:
        writer.add("api.a", local(AMSTERDAM, day.year, day.month, day.day, 0, 30))
        writer.add("api.b", local(AMSTERDAM, day.year, day.month, day.day, 23, 30))
    time_range = TimeRange(days[0], 31, AMSTERDAM, 31)

    daily = daily_hits(database, time_range)
    hourly = hourly_hits(database, time_range)

    assert daily.days == days
    assert {series.name: series.counts for series in daily.series} == {
        "api.a": [1] * 31,
        "api.b": [1] * 31,
    }
    assert [hours_of(row) for row in hourly.counts] == [{0: 1, 23: 1}] * 31
