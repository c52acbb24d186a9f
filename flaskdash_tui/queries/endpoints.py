"""The endpoints table: one row of figures per endpoint, and the monitoring flag."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import peewee as pw

from capture.schema import Endpoint, Request
from flaskdash_tui.queries import day_bounds

ENDPOINT_ID = Endpoint._meta.primary_key
REQUEST_ID = Request._meta.primary_key


@dataclasses.dataclass(frozen=True)
class EndpointRow:
    """The figures of one endpoint, as the endpoints view shows them."""

    id: int
    name: str
    rules: tuple[str, ...]
    """URL rules in registration order."""
    methods: str
    """HTTP methods, comma-separated."""
    monitored: bool
    hits_today: int
    """Stored requests since local midnight; unmonitored requests are not stored."""
    hits_total: int
    """Every request seen, monitored or not."""
    median_ms: float | None
    """Median duration of all stored requests, None when there are none.

    With a :class:`MedianCache` it may lag behind for large endpoints."""
    last_requested: float | None
    """UNIX seconds UTC of the latest request, None when never requested."""
    median_pending: bool = False
    """Whether the median was skipped because computing it is slow."""


def list_endpoints(
    database: pw.Database,
    *,
    now: float,
    timezone: dt.tzinfo,
    medians: MedianCache | None = None,
    slow_medians: bool = True,
) -> list[EndpointRow]:
    """Return one row per endpoint, most recently requested first.

    Args:
        database: An open flaskdash database.
        now: The current time, UNIX seconds UTC; "today" is its local day.
        timezone: The operator's time zone, which defines "today".
        medians: A cache that spares re-sorting large endpoints on every
            refresh; without one every median is computed afresh.
        slow_medians: With False, endpoints whose median is neither cached
            nor cheap get ``median_pending`` instead, so that a first load
            can show the counts at once.
    """
    start, end = day_bounds(now, timezone)
    today = (
        Request.select(pw.fn.COUNT(REQUEST_ID))
        .where(
            (Request.endpoint == ENDPOINT_ID)
            & (Request.time >= start)
            & (Request.time < end)
        )
        .alias("hits_today")
    )
    stored = (
        Request.select(pw.fn.COUNT(REQUEST_ID))
        .where(Request.endpoint == ENDPOINT_ID)
        .alias("stored")
    )
    query = (
        Endpoint.select(
            ENDPOINT_ID,
            Endpoint.name,
            Endpoint.rules,
            Endpoint.methods,
            Endpoint.monitored,
            Endpoint.hits,
            Endpoint.last_requested,
            today,
            stored,
        )
        .order_by(
            Endpoint.last_requested.desc(nulls="LAST"),
            Endpoint.name,
        )
        .bind(database)
        .dicts()
    )
    rows = []
    record: dict[str, Any]
    for record in query:  # type: ignore[assignment]
        median: float | None = None
        pending = False
        if medians is None:
            median = median_duration(database, record["id"], record["stored"])
        elif slow_medians or medians.is_cheap(record["id"], record["stored"]):
            median = medians.median(database, record["id"], record["stored"])
        else:
            pending = True
        rows.append(
            EndpointRow(
                id=record["id"],
                name=record["name"],
                rules=tuple(line for line in record["rules"].splitlines() if line),
                methods=record["methods"],
                monitored=bool(record["monitored"]),
                hits_today=record["hits_today"],
                hits_total=record["hits"],
                median_ms=median,
                median_pending=pending,
                last_requested=record["last_requested"],
            )
        )
    return rows


def median_duration(
    database: pw.Database, endpoint_id: int, count: int | None = None
) -> float | None:
    """Return the median duration in ms of one endpoint's stored requests.

    With an even count it is the mean of the two middle values, as in
    ``statistics.median``. SQL sorts and skips to the middle, so only one or
    two rows reach Python.

    Args:
        database: An open flaskdash database.
        endpoint_id: The endpoint's id.
        count: The number of stored requests, if already known.
    """
    if count is None:
        count = (
            Request.select()
            .where(Request.endpoint == endpoint_id)
            .bind(database)
            .count()
        )
    if not count:
        return None
    middle = (
        Request.select(Request.duration)
        .where(Request.endpoint == endpoint_id)
        .order_by(Request.duration)
        .limit(1 if count % 2 else 2)
        .offset((count - 1) // 2)
        .bind(database)
        .tuples()
    )
    values: list[float] = [row[0] for row in middle]  # type: ignore[index]
    return sum(values) / len(values)


def set_monitored(database: pw.Database, name: str, monitored: bool) -> bool:
    """Store whether an endpoint is monitored; every bound app reads it back.

    Returns:
        True when an endpoint of that name exists.
    """
    with database.atomic():
        changed = (
            Endpoint.update(monitored=monitored)
            .where(Endpoint.name == name)
            .execute(database)
        )
    return bool(changed)


@dataclasses.dataclass(frozen=True)
class _CachedMedian:
    count: int
    value: float | None
    computed_at: float


class MedianCache:
    """Per-endpoint medians, recomputed when the request count changed.

    Computing a median sorts all of an endpoint's durations: about 1.3 s for
    1,000,000 requests over 30 endpoints (benchmarks/make_large_db.py data,
    2-core machine). Endpoints with fewer than ``exact_below`` requests are
    recomputed on every change, so their medians are exact. Larger ones keep
    their median for up to ``max_age`` seconds, since a few new requests
    barely move it.
    """

    def __init__(
        self,
        *,
        exact_below: int = 20_000,
        max_age: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.exact_below = exact_below
        self.max_age = max_age
        self._clock = clock
        self._values: dict[int, _CachedMedian] = {}
        self._lock = threading.Lock()

    def is_cheap(self, endpoint_id: int, count: int) -> bool:
        """Return whether :meth:`median` returns without a slow sort."""
        with self._lock:
            cached = self._values.get(endpoint_id)
        return count < self.exact_below or cached is not None

    def median(
        self, database: pw.Database, endpoint_id: int, count: int | None = None
    ) -> float | None:
        """Return the endpoint's median in ms, from the cache when still valid.

        Args:
            database: An open flaskdash database.
            endpoint_id: The endpoint's id.
            count: The endpoint's current number of stored requests.
        """
        with self._lock:
            cached = self._values.get(endpoint_id)
        now = self._clock()
        if cached is not None and count is not None:
            if cached.count == count:
                return cached.value
            fresh = now - cached.computed_at < self.max_age
            if count >= self.exact_below and fresh:
                return cached.value
        value = median_duration(database, endpoint_id, count)
        if count is not None:
            with self._lock:
                self._values[endpoint_id] = _CachedMedian(count, value, now)
        return value
