"""Tests of the range of days and of its constant-offset segments."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from flaskdash_tui.timerange import (
    TimeRange,
    constant_offset_segments,
    day_start,
    utc_offset,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KOLKATA = ZoneInfo("Asia/Kolkata")
UTC = dt.timezone.utc


def utc(*fields: int) -> float:
    return dt.datetime(*fields, tzinfo=UTC).timestamp()


def test_segments_split_at_spring_change() -> None:
    time_range = TimeRange(dt.date(2026, 3, 28), 3, AMSTERDAM, 3)
    segments = time_range.segments()
    assert [segment.offset for segment in segments] == [3600, 7200]
    assert segments[0].start == utc(2026, 3, 27, 23)
    assert segments[0].end == utc(2026, 3, 29, 1)
    assert segments[1].start == utc(2026, 3, 29, 1)
    assert segments[1].end == utc(2026, 3, 30, 22)


def test_segments_split_at_autumn_change() -> None:
    segments = TimeRange(dt.date(2026, 10, 24), 2, AMSTERDAM, 2).segments()
    assert [segment.offset for segment in segments] == [7200, 3600]
    assert segments[0].end == utc(2026, 10, 25, 1)


def test_segments_cover_two_changes() -> None:
    segments = constant_offset_segments(utc(2026, 1, 1), utc(2027, 1, 1), AMSTERDAM)
    assert [segment.offset for segment in segments] == [3600, 7200, 3600]
    for before, after in itertools.pairwise(segments):
        assert before.end == after.start


def test_segments_one_for_fixed_zone() -> None:
    segments = TimeRange(dt.date(2026, 3, 1), 60, KOLKATA, 60).segments()
    assert len(segments) == 1
    assert segments[0].offset == 19800


def test_segments_empty_range() -> None:
    assert constant_offset_segments(10.0, 10.0, AMSTERDAM) == []


def test_change_at_range_end_not_split() -> None:
    segments = constant_offset_segments(
        utc(2026, 3, 28, 23), utc(2026, 3, 29, 1), AMSTERDAM
    )
    assert [segment.offset for segment in segments] == [3600]


def test_utc_offset_kathmandu() -> None:
    assert utc_offset(utc(2026, 6, 1), ZoneInfo("Asia/Kathmandu")) == 20700


def test_day_start_in_zone() -> None:
    assert day_start(dt.date(2026, 3, 29), AMSTERDAM) == utc(2026, 3, 28, 23)
    assert day_start(dt.date(2026, 3, 30), AMSTERDAM) == utc(2026, 3, 29, 22)


def test_day_start_midnight_gap() -> None:
    # Chile moves its clocks from 00:00 to 01:00, so the day starts at 01:00.
    santiago = ZoneInfo("America/Santiago")
    start = day_start(dt.date(2026, 9, 6), santiago)
    assert dt.datetime.fromtimestamp(start, santiago).hour == 1
    assert dt.datetime.fromtimestamp(start - 1, santiago).date() == dt.date(2026, 9, 5)


def test_last_days_ends_today() -> None:
    now = utc(2026, 12, 4, 23, 30)
    time_range = TimeRange.last_days(7, now, AMSTERDAM)
    assert time_range.last_day == dt.date(2026, 12, 5)
    assert time_range.first_day == dt.date(2026, 11, 29)
    assert len(time_range.day_list()) == 7


def test_last_days_rejects_zero() -> None:
    with pytest.raises(ValueError, match="invalid range length 0"):
        TimeRange.last_days(0, 0.0, AMSTERDAM)


def test_shifted_by_window_length() -> None:
    time_range = TimeRange(dt.date(2026, 11, 1), 30, AMSTERDAM, 30)
    earlier = time_range.shifted(-1)
    assert earlier.first_day == dt.date(2026, 10, 2)
    assert earlier.days == 30


def test_shifted_stops_at_today() -> None:
    time_range = TimeRange(dt.date(2026, 11, 1), 30, AMSTERDAM, 30)
    later = time_range.shifted(1, today=dt.date(2026, 12, 4))
    assert later.last_day == dt.date(2026, 12, 4)


def test_everything_does_not_shift() -> None:
    time_range = TimeRange.everything(utc(2026, 1, 1, 12), utc(2026, 1, 10), UTC)
    assert time_range.first_day == dt.date(2026, 1, 1)
    assert time_range.days == 10
    assert time_range.shifted(-1) == time_range


def test_everything_without_requests_is_today() -> None:
    time_range = TimeRange.everything(None, utc(2026, 1, 10, 5), UTC)
    assert time_range.day_list() == [dt.date(2026, 1, 10)]


def test_label_names_days() -> None:
    time_range = TimeRange(dt.date(2026, 11, 5), 30, UTC, 30)
    assert time_range.label() == "2026-11-05 to 2026-12-04 (30 days)"
    assert TimeRange(dt.date(2026, 11, 5), 1, UTC, 1).label() == "2026-11-05 (1 day)"
