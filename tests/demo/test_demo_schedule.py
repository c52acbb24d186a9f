"""The history's request times follow the week and the working day."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

import pytest

from flaskdash_tui.demo.history import (
    PEAK_DAILY_REQUESTS,
    TIME_ZONE,
    ReplayClock,
    history_bounds,
    request_times,
)

# Wednesday 2 December 2026, 15:00 in Amsterdam.
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=TIME_ZONE).timestamp()


def local(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, TIME_ZONE)


def test_bounds_start_at_local_midnight() -> None:
    start, deployed_at = history_bounds(NOW, 28)
    assert local(start) == datetime(2026, 11, 4, tzinfo=TIME_ZONE)
    # Three fifths of 28 days is day 16, at 10:00.
    assert local(deployed_at) == datetime(2026, 11, 20, 10, tzinfo=TIME_ZONE)


def test_bounds_reject_zero_days() -> None:
    with pytest.raises(ValueError, match="days must be at least 1"):
        history_bounds(NOW, 0)


def test_one_day_deploys_today() -> None:
    start, deployed_at = history_bounds(NOW, 1)
    assert local(start).day == 1
    assert local(deployed_at) == datetime(2026, 12, 2, 10, tzinfo=TIME_ZONE)


def test_times_ordered_and_in_range() -> None:
    start, _ = history_bounds(NOW, 14)
    moments = list(request_times(start, NOW, random.Random(1)))
    assert moments == sorted(moments)
    assert moments[0] >= start
    assert moments[-1] < NOW


def test_daily_volume_peaks_at_a_few_thousand() -> None:
    start, _ = history_bounds(NOW, 28)
    moments = list(request_times(start, NOW, random.Random(2)))
    per_day = Counter(local(moment).date() for moment in moments)
    assert len(per_day) == 29
    assert 2000 <= max(per_day.values()) <= 1.2 * PEAK_DAILY_REQUESTS
    # Weekends are quieter than weekdays.
    saturdays = [count for day, count in per_day.items() if day.weekday() == 5]
    tuesdays = [count for day, count in per_day.items() if day.weekday() == 1]
    assert max(saturdays) < min(tuesdays)


def test_nights_are_quiet() -> None:
    start, _ = history_bounds(NOW, 7)
    moments = list(request_times(start, NOW, random.Random(3)))
    per_hour = Counter(local(moment).hour for moment in moments)
    assert per_hour[3] * 20 < per_hour[10]
    assert per_hour[20] < per_hour[14]


def test_times_repeat_with_seed() -> None:
    start, _ = history_bounds(NOW, 3)
    first = list(request_times(start, NOW, random.Random(4)))
    second = list(request_times(start, NOW, random.Random(4)))
    assert first == second


def test_replay_clock_advances_with_work() -> None:
    clock = ReplayClock(start=1000.0)
    clock.move_to(1010.0)
    begin = clock.monotonic()
    clock.work(250.0)
    assert clock.monotonic() - begin == pytest.approx(0.25)
    assert clock.now() == pytest.approx(1010.25)
    clock.move_to(900.0)
    assert clock.now() == pytest.approx(1010.25)
