"""Tests of merging the newest days into counts loaded before."""

from __future__ import annotations

import datetime as dt

import pytest

from flaskdash_tui.queries.usage import (
    DailyHits,
    EndpointSeries,
    HourlyHits,
    merge_daily,
    merge_hourly,
)

DAYS = [dt.date(2026, 5, day) for day in (1, 2, 3, 4)]


def test_merge_daily_replaces_last_days() -> None:
    base = DailyHits(DAYS, [EndpointSeries(1, "api.a", [1, 2, 3, 4])])
    recent = DailyHits(
        DAYS[2:],
        [EndpointSeries(1, "api.a", [5, 6]), EndpointSeries(2, "api.b", [0, 9])],
    )

    merged = merge_daily(base, recent)

    by_name = {series.name: series.counts for series in merged.series}
    assert by_name == {"api.a": [1, 2, 5, 6], "api.b": [0, 0, 0, 9]}
    assert [series.name for series in merged.series] == ["api.a", "api.b"]


def test_merge_daily_drops_emptied_endpoint() -> None:
    base = DailyHits(DAYS, [EndpointSeries(1, "api.a", [0, 0, 0, 4])])

    merged = merge_daily(base, DailyHits(DAYS[3:], []))

    assert merged.series == []


def test_merge_daily_rejects_other_days() -> None:
    base = DailyHits(DAYS, [])

    with pytest.raises(ValueError, match="invalid merge"):
        merge_daily(base, DailyHits(DAYS[1:3], []))


def test_merge_hourly_replaces_last_days() -> None:
    base = HourlyHits(DAYS[:2], [[1] * 24, [2] * 24])

    merged = merge_hourly(base, HourlyHits(DAYS[1:2], [[7] * 24]))

    assert merged.counts == [[1] * 24, [7] * 24]
    assert merged.days == DAYS[:2]


def test_merge_hourly_rejects_longer_tail() -> None:
    with pytest.raises(ValueError, match="invalid merge"):
        merge_hourly(HourlyHits(DAYS[:1], [[0] * 24]), HourlyHits(DAYS, []))
