"""Exact box-plot figures of request durations, for any grouping of requests.

The quantiles are exact: they equal ``numpy.percentile`` with its default
linear interpolation on the same durations. Sorting every duration in SQL (a
window function, or ``ORDER BY ... OFFSET``) takes seconds on a million
requests, so the figures come from two cheaper passes over the selection:

1. A histogram with logarithmic buckets, about 1 % wide, grouped by box key
   and bucket, gives each bucket's count, minimum and maximum. Counting
   through the buckets finds the bucket that contains each rank a quantile needs.
2. The durations inside those few buckets are fetched (selected by bucket
   number) and sorted in Python, which gives the exact value at each rank.
3. The whisker fences follow from the quartiles. The histogram decides which
   durations lie beyond them, except inside a bucket that a fence cuts
   through. The histogram bounds each quartile, and so each fence, before
   step 2, so step 2 already fetches every bucket that a fence can cut.

Whiskers follow Tukey's rule: they reach the most extreme durations within
1.5 interquartile ranges of the quartiles, and durations beyond them are
outliers.
"""

from __future__ import annotations

import bisect
import logging
import math
from collections import defaultdict
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

logger = logging.getLogger(__name__)

QUANTILES = (0.25, 0.5, 0.75, 0.9, 0.99)
"""The quantiles of every box, besides the minimum and maximum."""

WHISKER_IQR = 1.5
"""How many interquartile ranges the whiskers reach beyond the quartiles."""

BUCKETS_PER_E = 100
"""Histogram buckets per factor of e, so each bucket spans about 1 %."""

OUTLIER_POINTS_LIMIT = 200
"""Maximum number of outlying durations kept per box for drawing.

The outlier counts are exact whatever this limit.
"""

# Durations of 0 ms or less have no logarithm and share one bucket below all.
_BUCKET_SQL = (
    f"CASE WHEN s.duration > 0 THEN CAST(ln(s.duration) * {BUCKETS_PER_E} AS INTEGER)"
    " ELSE -1000000 END"
)


@dataclass(frozen=True)
class BoxStats:
    """The figures of one box plot, in milliseconds."""

    count: int
    minimum: float
    p25: float
    median: float
    p75: float
    p90: float
    p99: float
    maximum: float
    whisker_low: float
    """The smallest duration at or above the first quartile minus 1.5 IQR."""
    whisker_high: float
    """The largest duration at or below the third quartile plus 1.5 IQR."""
    outliers_low: int
    """How many durations lie below the low whisker."""
    outliers_high: int
    """How many durations lie above the high whisker."""
    outlier_points: tuple[float, ...] = field(default=())
    """Real outlying durations, ascending: the extremes and a spread between."""

    @property
    def outliers(self) -> int:
        """All durations beyond the whiskers."""
        return self.outliers_low + self.outliers_high


@dataclass(frozen=True)
class Selection:
    """A set of requests and the expression that assigns each one to a box.

    ``key_sql`` and ``where_sql`` are SQL over the columns of the request
    table, with the database's parameter placeholder for every value.
    ``key_params`` fill the placeholders of ``key_sql``, then ``where_params``
    those of ``where_sql``. A key of NULL is a box too (the "others" box).
    """

    key_sql: str
    where_sql: str
    key_params: tuple[Any, ...] = ()
    where_params: tuple[Any, ...] = ()
    table: str = "request"
    """The request table, or a copy of some of its rows from :func:`copy_requests`."""

    def source(self) -> tuple[str, list[Any]]:
        """Return the subquery that yields ``box_key`` and ``duration`` rows."""
        sql = (
            f"SELECT {self.key_sql} AS box_key, duration FROM {self.table}"
            f" WHERE {self.where_sql}"
        )
        return sql, [*self.key_params, *self.where_params]


@dataclass
class _Bucket:
    number: int
    count: int
    minimum: float
    maximum: float
    values: list[float] | None = None
    """Sorted durations, once fetched."""


@dataclass
class _Histogram:
    buckets: list[_Bucket]
    starts: list[int]
    """Rank of each bucket's first duration."""
    count: int

    def bucket_of_rank(self, rank: int) -> int:
        return bisect.bisect_right(self.starts, rank) - 1

    def value_at(self, rank: int) -> float:
        index = self.bucket_of_rank(rank)
        bucket = self.buckets[index]
        offset = rank - self.starts[index]
        if offset == 0:
            return bucket.minimum
        if offset == bucket.count - 1:
            return bucket.maximum
        if bucket.values is None:
            raise LookupError(f"bucket {bucket.number} was not fetched")
        return bucket.values[offset]

    def quantile_bounds(self, q: float) -> tuple[float, float]:
        """Return bounds of quantile ``q`` from bucket extremes alone."""
        position = q * (self.count - 1)
        lower = math.floor(position)
        upper = min(lower + 1, self.count - 1)
        low = self.buckets[self.bucket_of_rank(lower)].minimum
        high = self.buckets[self.bucket_of_rank(upper)].maximum
        return low, high

    def quantile(self, q: float) -> float:
        # numpy's default ("linear"): interpolate between the two ranks around
        # q * (n - 1).
        position = q * (self.count - 1)
        lower = math.floor(position)
        fraction = position - lower
        value = self.value_at(lower)
        if fraction == 0:
            return value
        return value + (self.value_at(lower + 1) - value) * fraction


COPY_TABLE = "flaskdash_selection"
"""The temporary table that :func:`copy_requests` fills."""


@contextmanager
def copy_requests(
    database: pw.Database,
    columns: Sequence[str],
    where_sql: str,
    where_params: Sequence[Any],
) -> Iterator[str]:
    """Copy some columns and the durations of the selected requests to a table.

    Every pass of :func:`compute_boxes` reads its selection again. When the key
    needs columns outside the (endpoint, time, duration) index, each pass would
    visit the selected table rows, which lie scattered across the file. Copying
    them once makes the later passes cheap. Use it inside a transaction, so the
    copy and the queries on it see one snapshot.

    Yields:
        The name of the table, a temporary one that is dropped on exit.
    """
    database.execute_sql(f"DROP TABLE IF EXISTS {COPY_TABLE}")
    selected = ", ".join([*columns, "duration"])
    database.execute_sql(
        f"CREATE TEMPORARY TABLE {COPY_TABLE} AS"
        f" SELECT {selected} FROM request WHERE {where_sql}",
        list(where_params),
    )
    try:
        yield COPY_TABLE
    finally:
        database.execute_sql(f"DROP TABLE IF EXISTS {COPY_TABLE}")


def compute_boxes(
    database: pw.Database, selection: Selection
) -> dict[Hashable, BoxStats]:
    """Compute exact box-plot figures for every box key of a selection.

    Args:
        database: An open flaskdash database.
        selection: The requests, and the key that puts each in a box.

    Returns:
        The figures per box key (None for a NULL key); keys without requests
        are absent.
    """
    _ensure_ln(database)
    # One read transaction, so that all passes see the same snapshot while
    # the app's writers go on adding requests.
    with database.atomic():
        return _compute_boxes(database, selection)


def _compute_boxes(
    database: pw.Database, selection: Selection
) -> dict[Hashable, BoxStats]:
    histograms = _read_histograms(database, selection)
    if not histograms:
        return {}
    needed: dict[Hashable, set[int]] = defaultdict(set)
    for key, histogram in histograms.items():
        for q in QUANTILES:
            position = q * (histogram.count - 1)
            lower = math.floor(position)
            needed[key].add(histogram.bucket_of_rank(lower))
            if lower + 1 < histogram.count:
                needed[key].add(histogram.bucket_of_rank(lower + 1))
        needed[key].update(_fence_buckets(histogram))
    _fetch_buckets(database, selection, histograms, needed)

    quartiles = {
        key: (histogram.quantile(0.25), histogram.quantile(0.75))
        for key, histogram in histograms.items()
    }
    fences = {
        key: (q1 - WHISKER_IQR * (q3 - q1), q3 + WHISKER_IQR * (q3 - q1))
        for key, (q1, q3) in quartiles.items()
    }
    cut: dict[Hashable, set[int]] = defaultdict(set)
    for key, histogram in histograms.items():
        low, high = fences[key]
        for index, bucket in enumerate(histogram.buckets):
            cuts_low = bucket.minimum < low <= bucket.maximum
            cuts_high = bucket.minimum <= high < bucket.maximum
            if (cuts_low or cuts_high) and bucket.values is None:
                cut[key].add(index)
    # Normally empty: only rounding can put a fence just outside the bounds
    # that _fence_buckets computed.
    _fetch_buckets(database, selection, histograms, cut)

    return {
        key: _box_from(histogram, *fences[key]) for key, histogram in histograms.items()
    }


def _fence_buckets(histogram: _Histogram) -> set[int]:
    """Return the buckets that a whisker fence may cut, before the quartiles are known.

    Each quartile lies between the minimum of its lower rank's bucket and the
    maximum of its upper rank's bucket, which bounds each fence. Fetching the
    buckets within those bounds in the same pass as the quartiles' buckets
    saves a second pass.
    """
    q1_low, q1_high = histogram.quantile_bounds(0.25)
    q3_low, q3_high = histogram.quantile_bounds(0.75)
    spread = WHISKER_IQR
    fences = (
        (q1_low - spread * (q3_high - q1_low), q1_high - spread * (q3_low - q1_high)),
        (q3_low + spread * (q3_low - q1_high), q3_high + spread * (q3_high - q1_low)),
    )
    return {
        index
        for index, bucket in enumerate(histogram.buckets)
        for low, high in fences
        if bucket.minimum <= high and bucket.maximum >= low
    }


def _box_from(histogram: _Histogram, low_fence: float, high_fence: float) -> BoxStats:
    inside: list[float] = []
    below: list[float] = []
    above: list[float] = []
    outliers_low = 0
    outliers_high = 0
    for bucket in histogram.buckets:
        if bucket.maximum < low_fence:
            outliers_low += bucket.count
            below.extend(_ends(bucket))
        elif bucket.minimum > high_fence:
            outliers_high += bucket.count
            above.extend(_ends(bucket))
        elif bucket.minimum >= low_fence and bucket.maximum <= high_fence:
            inside.extend(_ends(bucket))
        else:
            values = bucket.values or []
            first = bisect.bisect_left(values, low_fence)
            last = bisect.bisect_right(values, high_fence)
            outliers_low += first
            outliers_high += len(values) - last
            below.extend(_ends_of(values[:first]))
            above.extend(_ends_of(values[last:]))
            inside.extend(_ends_of(values[first:last]))
    points = sorted(below) + sorted(above)
    return BoxStats(
        count=histogram.count,
        minimum=histogram.buckets[0].minimum,
        p25=histogram.quantile(0.25),
        median=histogram.quantile(0.5),
        p75=histogram.quantile(0.75),
        p90=histogram.quantile(0.9),
        p99=histogram.quantile(0.99),
        maximum=histogram.buckets[-1].maximum,
        whisker_low=min(inside),
        whisker_high=max(inside),
        outliers_low=outliers_low,
        outliers_high=outliers_high,
        outlier_points=tuple(_thin(points, OUTLIER_POINTS_LIMIT)),
    )


def _ends(bucket: _Bucket) -> list[float]:
    if bucket.minimum == bucket.maximum:
        return [bucket.minimum]
    return [bucket.minimum, bucket.maximum]


def _ends_of(values: Sequence[float]) -> list[float]:
    if not values:
        return []
    if len(values) == 1:
        return [values[0]]
    return [values[0], values[-1]]


def _thin(points: list[float], limit: int) -> list[float]:
    """Keep at most ``limit`` points, evenly spread, the first and last included."""
    if len(points) <= limit:
        return points
    step = (len(points) - 1) / (limit - 1)
    return [points[round(i * step)] for i in range(limit)]


def _read_histograms(
    database: pw.Database, selection: Selection
) -> dict[Hashable, _Histogram]:
    source, params = selection.source()
    sql = (
        f"SELECT box_key, {_BUCKET_SQL} AS bucket,"
        " COUNT(*), MIN(s.duration), MAX(s.duration)"
        f" FROM ({source}) AS s GROUP BY box_key, bucket ORDER BY box_key, bucket"
    )
    rows: dict[Hashable, list[_Bucket]] = defaultdict(list)
    for key, number, count, minimum, maximum in database.execute_sql(sql, params):
        rows[key].append(_Bucket(number, count, minimum, maximum))
    histograms = {}
    for key, buckets in rows.items():
        starts = []
        total = 0
        for bucket in buckets:
            starts.append(total)
            total += bucket.count
        histograms[key] = _Histogram(buckets, starts, total)
    return histograms


def _fetch_buckets(
    database: pw.Database,
    selection: Selection,
    histograms: dict[Hashable, _Histogram],
    requested: dict[Hashable, set[int]],
) -> None:
    """Fetch and sort the durations of the requested buckets that lack them."""
    numbers: set[int] = set()
    for key, indexes in requested.items():
        histogram = histograms[key]
        for index in indexes:
            bucket = histogram.buckets[index]
            if bucket.values is not None:
                continue
            # The durations of a bucket of one or two are its minimum and maximum.
            if bucket.count == 1:
                bucket.values = [bucket.minimum]
            elif bucket.count == 2:
                bucket.values = [bucket.minimum, bucket.maximum]
            else:
                numbers.add(bucket.number)
    if not numbers:
        return

    # The filter tests the bucket number only, because a test of the key as
    # well costs more per row. Rows of other keys in those buckets come along
    # and are dropped below.
    marks = ", ".join([database.param] * len(numbers))
    source, source_params = selection.source()
    sql = (
        f"SELECT s.box_key, s.duration FROM ({source}) AS s"
        f" WHERE {_BUCKET_SQL} IN ({marks})"
    )
    fetched: dict[Hashable, list[float]] = defaultdict(list)
    for key, duration in database.execute_sql(sql, [*source_params, *numbers]):
        if key in requested:
            fetched[key].append(duration)

    for key, durations in fetched.items():
        histogram = histograms[key]
        durations.sort()
        for index in requested[key]:
            bucket = histogram.buckets[index]
            if bucket.values is not None:
                continue
            # Values of the same key in [minimum, maximum] are this bucket's
            # alone, because a key's buckets do not overlap.
            first = bisect.bisect_left(durations, bucket.minimum)
            last = bisect.bisect_right(durations, bucket.maximum)
            bucket.values = durations[first:last]


def _ensure_ln(database: pw.Database) -> None:
    """Register ``ln`` on SQLite builds compiled without the math functions."""
    if not isinstance(database, pw.SqliteDatabase):
        return
    try:
        database.execute_sql("SELECT ln(1.0)")
    except pw.OperationalError:
        logger.info("SQLite lacks ln(); registering a Python implementation")
        database.register_function(math.log, "ln", 1, deterministic=True)
