"""The line under the hits chart: total, peak day and the cursor's bar."""

from __future__ import annotations

import datetime as dt

from flaskdash_tui.queries.usage import DailyHits, EndpointSeries
from flaskdash_tui.screens.hits import summary_text

DAYS = [dt.date(2026, 11, 24) + dt.timedelta(days=index) for index in range(7)]


def week_of_hits() -> DailyHits:
    return DailyHits(
        days=DAYS,
        series=[
            EndpointSeries(1, "api.a", [1, 2, 3, 4, 5, 6, 7]),
            EndpointSeries(2, "api.b", [10, 0, 0, 0, 0, 0, 1]),
        ],
    )


def test_single_day_under_cursor() -> None:
    text = summary_text(week_of_hits(), 2).plain
    assert text == "Total 39 · peak Tue 2026-11-24 11 · Thu 2026-11-26 3 hits"


def test_grouped_bar_under_cursor() -> None:
    # Three days per bar: the cursor on 11-28 is in the bar of 11-27 to 11-29.
    text = summary_text(week_of_hits(), 4, group=3).plain
    assert text.endswith(" · 11-27 to 11-29 15 hits")


def test_last_bar_shorter() -> None:
    # Seven days in bars of three: the last bar shows 11-30 alone, as one day.
    text = summary_text(week_of_hits(), 6, group=3).plain
    assert text.endswith(" · Mon 2026-11-30 8 hits")
