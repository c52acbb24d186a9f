"""Utilization counts: hits per endpoint per day, and requests per hour.

Every count is computed in SQL. A range is split into segments of constant UTC
offset (see :mod:`flaskdash_tui.timerange`), and each segment is one grouped
query that buckets ``time + offset`` by whole days or hours. The per-segment
counts are added up, and the days and hours without requests are filled with
zeros here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar, cast

import peewee as pw

from capture.schema import Endpoint, Request
from flaskdash_tui.timerange import (
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    TimeRange,
    date_of_day_number,
)

logger = logging.getLogger(__name__)

ENDPOINT_ID = cast(pw.Field, Endpoint._meta.primary_key)

HOURS_PER_DAY = 24

QUERY_THREADS = 2
"""Threads that count one range together, one part of the range each."""
PARALLEL_MIN_DAYS = 14
"""The shortest range that is counted in :data:`QUERY_THREADS` threads."""

ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class EndpointSeries:
    """The hits of one endpoint on each day of a range."""

    endpoint_id: int
    name: str
    counts: list[int]
    """One count per day of the range, in order."""

    @property
    def total(self) -> int:
        """The hits over the whole range."""
        return sum(self.counts)


@dataclass(frozen=True)
class DailyHits:
    """Hits per endpoint per day over a range of days."""

    days: list[dt.date]
    series: list[EndpointSeries]
    """Endpoints with at least one hit in the range, most hits first."""

    @property
    def totals(self) -> list[int]:
        """The hits of all endpoints together on each day."""
        totals = [0] * len(self.days)
        for series in self.series:
            for index, count in enumerate(series.counts):
                totals[index] += count
        return totals

    @property
    def total(self) -> int:
        """The hits over the whole range."""
        return sum(series.total for series in self.series)

    def peak(self) -> tuple[dt.date, int] | None:
        """Return the day with the most hits and its count, or None without hits.

        Of several days with the same count, the earliest is returned.
        """
        totals = self.totals
        if not totals or max(totals) == 0:
            return None
        index = totals.index(max(totals))
        return self.days[index], totals[index]


@dataclass(frozen=True)
class HourlyHits:
    """Requests per hour of the day, for each day of a range."""

    days: list[dt.date]
    counts: list[list[int]]
    """One row per day, each with 24 counts for the local hours 0 to 23.

    On the day clocks go forward, the skipped hour has 0. On the day they go
    back, the repeated hour contains the requests of both of its occurrences.
    """

    @property
    def max_count(self) -> int:
        """The largest count of any hour, 0 without requests."""
        return max((max(row) for row in self.counts), default=0)

    @property
    def total(self) -> int:
        """The requests over the whole range."""
        return sum(sum(row) for row in self.counts)


def merge_daily(base: DailyHits, recent: DailyHits) -> DailyHits:
    """Return ``base`` with the days that ``recent`` covers taken from ``recent``.

    A live view counts its whole range once and then only its newest days,
    because requests are stored within seconds of their start time. The days
    of ``recent`` must be the last days of ``base``.

    Raises:
        ValueError: ``recent`` is not a run of days at the end of ``base``.
    """
    keep = _kept_days(base.days, recent.days)
    overlap = len(recent.days)
    old = {series.endpoint_id: series for series in base.series}
    new = {series.endpoint_id: series for series in recent.series}
    merged = []
    for endpoint_id in old.keys() | new.keys():
        older = old.get(endpoint_id)
        newer = new.get(endpoint_id)
        head = older.counts[:keep] if older else [0] * keep
        tail = newer.counts if newer else [0] * overlap
        source = newer if newer is not None else older
        if source is not None and (any(head) or any(tail)):
            merged.append(EndpointSeries(endpoint_id, source.name, head + tail))
    merged.sort(key=lambda item: (-item.total, item.name))
    return DailyHits(list(base.days), merged)


def merge_hourly(base: HourlyHits, recent: HourlyHits) -> HourlyHits:
    """Return ``base`` with the days that ``recent`` covers taken from ``recent``.

    Raises:
        ValueError: ``recent`` is not a run of days at the end of ``base``.
    """
    keep = _kept_days(base.days, recent.days)
    counts = [list(row) for row in base.counts[:keep]]
    counts += [list(row) for row in recent.counts]
    return HourlyHits(list(base.days), counts)


def _kept_days(days: list[dt.date], recent: list[dt.date]) -> int:
    # The number of leading days of ``days`` that a merge keeps.
    keep = len(days) - len(recent)
    if keep < 0 or days[keep:] != recent:
        raise ValueError(
            f"invalid merge: the days {recent[:1]} to {recent[-1:]} are not the "
            f"last days of {days[:1]} to {days[-1:]}"
        )
    return keep


def _bucket(offset: int, width: int) -> pw.Node:
    # The local day (or hour) number since 1970-01-01 00:00 local time. Times
    # are positive, so the truncation of CAST is a floor.
    return pw.Cast((Request.time + offset) / width, "INTEGER")


def _range_filter(start: float, end: float, endpoint_ids: list[int]) -> pw.Expression:
    # Naming the endpoints lets SQLite read the covering (endpoint, time)
    # index range by range; the request table has no index on time alone.
    condition = (Request.time >= start) & (Request.time < end)
    if len(endpoint_ids) == 1:
        return condition & (Request.endpoint == endpoint_ids[0])
    return condition & Request.endpoint.in_(endpoint_ids)


def daily_hits(
    database: pw.Database, time_range: TimeRange, endpoint_id: int | None = None
) -> DailyHits:
    """Count the hits per endpoint on each day of ``time_range``.

    Args:
        database: An open flaskdash database.
        time_range: The local days to count, in their time zone.
        endpoint_id: Count only this endpoint; all endpoints when None.

    Returns:
        The counts, with a zero for every day on which an endpoint had no hits.
        Endpoints without hits in the range are left out.
    """
    names = _endpoint_names(database, None if endpoint_id is None else [endpoint_id])
    endpoint_ids = list(names)
    parts = split_range(time_range)
    results = _in_threads(
        database, parts, lambda part: _daily_counts(database, part, endpoint_ids)
    )
    series = []
    for endpoint in sorted(set().union(*results)):
        row = [
            count
            for part, result in zip(parts, results, strict=True)
            for count in result.get(endpoint, [0] * part.days)
        ]
        name = names.get(endpoint, f"endpoint {endpoint}")
        series.append(EndpointSeries(endpoint, name, row))
    series.sort(key=lambda item: (-item.total, item.name))
    return DailyHits(time_range.day_list(), series)


def _daily_counts(
    database: pw.Database, time_range: TimeRange, endpoint_ids: list[int]
) -> dict[int, list[int]]:
    # Hits per endpoint on each day of the range, only for endpoints with hits.
    days = time_range.days
    first_number = (time_range.first_day - date_of_day_number(0)).days
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * days)
    for segment in time_range.segments():
        bucket = _bucket(segment.offset, SECONDS_PER_DAY)
        query = (
            Request.select(Request.endpoint, bucket, pw.fn.COUNT(pw.SQL("*")))
            .where(_range_filter(segment.start, segment.end, endpoint_ids))
            .group_by(Request.endpoint, bucket)
            .tuples()
            .bind(database)
        )
        for endpoint, number, count in cast("Iterable[tuple[int, int, int]]", query):
            index = number - first_number
            if 0 <= index < days:
                counts[endpoint][index] += count
            else:
                logger.warning("day %d outside the range %s", number, time_range)
    return dict(counts)


def hourly_hits(
    database: pw.Database, time_range: TimeRange, endpoint_id: int | None = None
) -> HourlyHits:
    """Count the requests in each local hour of each day of ``time_range``.

    Args:
        database: An open flaskdash database.
        time_range: The local days to count, in their time zone.
        endpoint_id: Count only this endpoint; all endpoints when None.

    Returns:
        A grid of days by 24 hours, with zeros for hours without requests.
    """
    if endpoint_id is None:
        endpoint_ids = list(_endpoint_names(database, None))
    else:
        endpoint_ids = [endpoint_id]
    parts = split_range(time_range)
    results = _in_threads(
        database, parts, lambda part: _hourly_counts(database, part, endpoint_ids)
    )
    counts = [row for result in results for row in result]
    return HourlyHits(time_range.day_list(), counts)


def _hourly_counts(
    database: pw.Database, time_range: TimeRange, endpoint_ids: list[int]
) -> list[list[int]]:
    # One row of 24 counts per day of the range.
    first_number = (time_range.first_day - date_of_day_number(0)).days
    counts = [[0] * HOURS_PER_DAY for _ in range(time_range.days)]
    for segment in time_range.segments():
        bucket = _bucket(segment.offset, SECONDS_PER_HOUR)
        query = (
            Request.select(bucket, pw.fn.COUNT(pw.SQL("*")))
            .where(_range_filter(segment.start, segment.end, endpoint_ids))
            .group_by(bucket)
            .tuples()
            .bind(database)
        )
        for number, count in cast("Iterable[tuple[int, int]]", query):
            day, hour = divmod(number, HOURS_PER_DAY)
            index = day - first_number
            if 0 <= index < time_range.days:
                counts[index][hour] += count
            else:
                logger.warning("hour %d outside the range %s", number, time_range)
    return counts


def split_range(time_range: TimeRange) -> list[TimeRange]:
    """Return the range cut into consecutive parts to count in parallel.

    Ranges shorter than :data:`PARALLEL_MIN_DAYS` stay whole. A week of the
    1,000,000-request benchmark database takes about 0.06 s in one thread.
    """
    if time_range.days < PARALLEL_MIN_DAYS:
        return [time_range]
    size = math.ceil(time_range.days / QUERY_THREADS)
    parts = []
    first_day = time_range.first_day
    remaining = time_range.days
    while remaining > 0:
        days = min(size, remaining)
        parts.append(dataclasses.replace(time_range, first_day=first_day, days=days))
        first_day += dt.timedelta(days=days)
        remaining -= days
    return parts


def _in_threads(
    database: pw.Database,
    parts: list[TimeRange],
    count: Callable[[TimeRange], ResultT],
) -> list[ResultT]:
    # Python's sqlite3 module releases the GIL while SQLite steps through a
    # query, so threads with a connection each run on separate cores.
    if len(parts) == 1:
        return [count(parts[0])]

    def run(part: TimeRange) -> ResultT:
        with database.connection_context():
            return count(part)

    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        return list(pool.map(run, parts))


def first_request_time(database: pw.Database) -> float | None:
    """Return the time of the earliest stored request, or None when there is none."""
    # One seek per endpoint into the (endpoint, time) index.
    first = Request.select(pw.fn.MIN(Request.time)).where(
        Request.endpoint == ENDPOINT_ID
    )
    value = Endpoint.select(pw.fn.MIN(first)).bind(database).scalar()
    return None if value is None else float(value)


def endpoint_names(database: pw.Database) -> dict[int, str]:
    """Return the name of every endpoint by id."""
    return _endpoint_names(database, None)


def _endpoint_names(database: pw.Database, ids: list[int] | None) -> dict[int, str]:
    query = Endpoint.select(ENDPOINT_ID, Endpoint.name)
    if ids is not None:
        if not ids:
            return {}
        query = query.where(ENDPOINT_ID.in_(ids))
    rows = cast("Iterable[tuple[int, str]]", query.tuples().bind(database))
    return dict(rows)
