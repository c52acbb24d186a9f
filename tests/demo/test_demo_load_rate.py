"""The live load follows the history's rhythm of hours and weekdays."""

from __future__ import annotations

from datetime import datetime

import pytest

from flaskdash_tui.demo.history import (
    HOURLY_WEIGHTS,
    PEAK_DAILY_REQUESTS,
    TIME_ZONE,
    WEEKDAY_FACTORS,
    live_requests_per_hour,
)
from flaskdash_tui.demo.load import MIN_PER_HOUR, LoadGenerator


def local_moment(day: int, hour: int) -> float:
    # December 2026: the 7th is a Monday, the 12th a Saturday.
    return datetime(2026, 12, day, hour, 30, tzinfo=TIME_ZONE).timestamp()


def test_weekday_hour_rate() -> None:
    expected = PEAK_DAILY_REQUESTS * HOURLY_WEIGHTS[10] / sum(HOURLY_WEIGHTS)
    assert live_requests_per_hour(local_moment(7, 10)) == pytest.approx(expected)


def test_saturday_is_quieter() -> None:
    monday = live_requests_per_hour(local_moment(7, 10))
    saturday = live_requests_per_hour(local_moment(12, 10))
    assert saturday == pytest.approx(monday * WEEKDAY_FACTORS[5])


def test_night_is_quieter_than_day() -> None:
    assert live_requests_per_hour(local_moment(7, 3)) < 10
    assert live_requests_per_hour(local_moment(7, 10)) > 200


def test_given_pause_is_kept() -> None:
    load = LoadGenerator("http://127.0.0.1:9", seed=1, threads=4, mean_pause=1.5)
    assert load.pause() == 1.5


def test_default_pause_has_floor() -> None:
    load = LoadGenerator("http://127.0.0.1:9", seed=1, threads=4)
    # Four clients together send at least MIN_PER_HOUR requests an hour.
    assert load.pause() <= 4 * 3600 / MIN_PER_HOUR
    assert load.pause() >= 4 * 3600 / 300
