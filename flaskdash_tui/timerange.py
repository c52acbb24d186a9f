"""The selected range of days, and the time-zone arithmetic that buckets it.

Requests are stored with UNIX times in UTC. The views count them per day and
per hour of the operator's time zone, in SQL, with plain arithmetic:
``CAST((time + offset) / 86400 AS INTEGER)`` is the local day number when
``offset`` is the zone's UTC offset in seconds at that moment. The offset
changes at daylight-saving transitions, so :func:`constant_offset_segments`
splits a range into intervals of one offset each, and the queries run once per
interval and add the counts up. That stays exact across DST changes and in
zones whose offset is not a whole number of hours (Asia/Kolkata, +05:30, and
Asia/Kathmandu, +05:45).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass

SECONDS_PER_DAY = 86400
SECONDS_PER_HOUR = 3600

PROBE_STEP_SECONDS = 6 * SECONDS_PER_HOUR
"""Distance between the moments at which the UTC offset is sampled.

A change of offset is found when two neighbouring samples differ, then located
to the second by bisection. NOTE: two changes closer together than this that
return to the same offset go unnoticed. No zone was checked for such a pair.
"""

EPOCH_DATE = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Segment:
    """An interval ``[start, end)`` of UNIX seconds with one UTC offset."""

    start: float
    end: float
    offset: int
    """Seconds east of UTC, such as 3600 for CET or 19800 for +05:30."""


def utc_offset(moment: float, zone: dt.tzinfo) -> int:
    """Return the UTC offset of ``zone`` at ``moment``, in whole seconds."""
    offset = dt.datetime.fromtimestamp(moment, zone).utcoffset()
    if offset is None:
        return 0
    return int(offset.total_seconds())


def constant_offset_segments(
    start: float, end: float, zone: dt.tzinfo
) -> list[Segment]:
    """Split ``[start, end)`` into intervals in which ``zone`` keeps one offset.

    Args:
        start: First moment, UNIX seconds.
        end: Moment after the last, UNIX seconds.
        zone: The operator's time zone.

    Returns:
        Adjacent segments covering the range in order; empty when ``end`` is
        not after ``start``.
    """
    segments: list[Segment] = []
    if end <= start:
        return segments
    segment_start = start
    offset = utc_offset(start, zone)
    probe = start
    while True:
        next_probe = probe + PROBE_STEP_SECONDS
        last = next_probe >= end
        if last:
            # The last whole second inside the range: a change at ``end``
            # itself belongs to the next range.
            next_probe = max(probe, end - 1)
        if utc_offset(next_probe, zone) != offset:
            change = _find_change(probe, next_probe, offset, zone)
            segments.append(Segment(segment_start, change, offset))
            segment_start = change
            offset = utc_offset(change, zone)
            probe = change
            continue
        if last:
            break
        probe = next_probe
    segments.append(Segment(segment_start, end, offset))
    return segments


def _find_change(before: float, after: float, offset: int, zone: dt.tzinfo) -> float:
    # Bisect on whole seconds: tzdata transitions fall on whole seconds, and
    # ``before`` still has ``offset`` while ``after`` no longer has it.
    low = math.floor(before)
    high = math.ceil(after)
    while high - low > 1:
        middle = (low + high) // 2
        if utc_offset(middle, zone) == offset:
            low = middle
        else:
            high = middle
    return float(high)


def local_date(moment: float, zone: dt.tzinfo) -> dt.date:
    """Return the calendar date in ``zone`` at the UNIX time ``moment``."""
    return dt.datetime.fromtimestamp(moment, zone).date()


def day_start(day: dt.date, zone: dt.tzinfo) -> float:
    """Return the UNIX time at which ``day`` begins in ``zone``.

    Where midnight does not exist (a DST gap at 00:00), this is the first
    moment of the day, because ``fold=0`` reads the wall time with the offset
    in force before the gap.
    """
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).timestamp()


def date_of_day_number(number: int) -> dt.date:
    """Return the date of a day number ``CAST((time + offset) / 86400)``."""
    return EPOCH_DATE + dt.timedelta(days=number)


@dataclass(frozen=True)
class TimeRange:
    """A run of whole local days in the operator's time zone.

    The range covers ``days`` calendar days from ``first_day``. ``span`` is the
    window length that ``[`` and ``]`` move by, or None when the range is
    "everything" and does not move.
    """

    first_day: dt.date
    days: int
    zone: dt.tzinfo
    span: int | None

    @classmethod
    def last_days(cls, days: int, now: float, zone: dt.tzinfo) -> TimeRange:
        """Build the range of ``days`` days that ends with today.

        Raises:
            ValueError: ``days`` is less than 1.
        """
        if days < 1:
            raise ValueError(f"invalid range length {days}: expected 1 or more days")
        today = local_date(now, zone)
        return cls(today - dt.timedelta(days=days - 1), days, zone, days)

    @classmethod
    def everything(
        cls, first_time: float | None, now: float, zone: dt.tzinfo
    ) -> TimeRange:
        """Build the range from the day of ``first_time`` through today.

        ``first_time`` is the earliest stored request, or None for an empty
        database, in which case the range is today alone.
        """
        today = local_date(now, zone)
        first = today if first_time is None else local_date(first_time, zone)
        first = min(first, today)
        return cls(first, (today - first).days + 1, zone, None)

    @property
    def last_day(self) -> dt.date:
        """The final day of the range, inclusive."""
        return self.first_day + dt.timedelta(days=self.days - 1)

    @property
    def start(self) -> float:
        """The UNIX time at which the first day begins."""
        return day_start(self.first_day, self.zone)

    @property
    def end(self) -> float:
        """The UNIX time at which the day after the last day begins."""
        return day_start(self.first_day + dt.timedelta(days=self.days), self.zone)

    def day_list(self) -> list[dt.date]:
        """Return every day of the range, in order."""
        return [self.first_day + dt.timedelta(days=i) for i in range(self.days)]

    def segments(self) -> list[Segment]:
        """Return the constant-offset segments that cover the range."""
        return constant_offset_segments(self.start, self.end, self.zone)

    def shifted(self, windows: int, today: dt.date | None = None) -> TimeRange:
        """Return the range moved by ``windows`` times its length.

        A positive number moves later. With ``today`` given, the range never
        moves past it. A range without a span ("everything") stays where it is.
        """
        if self.span is None or windows == 0:
            return self
        first = self.first_day + dt.timedelta(days=windows * self.span)
        if today is not None:
            latest_first = today - dt.timedelta(days=self.days - 1)
            first = min(first, latest_first)
        return dataclasses.replace(self, first_day=first)

    def tail(self, days: int) -> TimeRange:
        """Return the last ``days`` days of the range (all of it when shorter)."""
        days = max(1, min(days, self.days))
        first = self.first_day + dt.timedelta(days=self.days - days)
        return dataclasses.replace(self, first_day=first, days=days)

    def label(self) -> str:
        """Return the range as text, such as ``2026-11-05 to 2026-12-04 (30 days)``."""
        count = "1 day" if self.days == 1 else f"{self.days} days"
        if self.days == 1:
            return f"{self.first_day.isoformat()} ({count})"
        return f"{self.first_day.isoformat()} to {self.last_day.isoformat()} ({count})"
