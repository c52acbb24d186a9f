"""The hits view: a stacked bar chart of hits per endpoint per day."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from flaskdash_tui import keys
from flaskdash_tui.palette import EndpointStyle, endpoint_style, legend
from flaskdash_tui.queries.usage import DailyHits, daily_hits, merge_daily
from flaskdash_tui.screens.usage import UsageCounts, UsageScreen
from flaskdash_tui.widgets.barchart import (
    BarSeries,
    StackedBarChart,
    bars_per_group,
    day_labels,
    fold_series,
)
from flaskdash_tui.widgets.counts import count_text

MAX_LAYERS = 9
"""Endpoints drawn as their own layer; the rest are added up as one."""

keys.register(
    "hits.previous_day",
    "left",
    "move_day(-1)",
    "Previous day",
    scope="hits",
    show=False,
    help="Move the day cursor one day back",
)
keys.register(
    "hits.next_day",
    "right",
    "move_day(1)",
    "Next day",
    scope="hits",
    show=False,
    help="Move the day cursor one day forward",
)


HitsData = UsageCounts[DailyHits]
"""The data of the hits view."""


class HitsScreen(UsageScreen[HitsData]):
    """Hits per endpoint per day over the selected range."""

    VIEW_NAME = "hits"
    CSS_PATH = "hits.tcss"
    BINDINGS: ClassVar = [
        *UsageScreen.BINDINGS,
        *keys.bindings("hits.previous_day", "hits.next_day"),
    ]

    def __init__(self, endpoint: str | None = None) -> None:
        super().__init__(endpoint=endpoint)
        self.hits: DailyHits | None = None
        self.data: HitsData | None = None
        self.legend_entries: list[tuple[str, EndpointStyle]] = []
        self.cursor: int | None = None
        """Index of the day under the cursor, None until data arrives."""

    def compose_body(self) -> ComposeResult:
        """Yield the header, the chart, the day summary and the legend."""
        yield Static(id="range")
        yield StackedBarChart(id="chart")
        yield Static(id="summary")
        yield Static(id="legend")

    def load_data(self) -> HitsData:
        """Count the hits per endpoint per day of the selected range."""
        return self.load_counts(self.database, self.data, daily_hits, merge_daily)

    def show_data(self, data: HitsData) -> None:
        """Draw the chart, the summary and the legend."""
        self.data = data
        self.time_range = data.time_range
        self.endpoints = data.endpoints
        self.endpoint_ids = data.endpoint_ids
        previous = self.hits
        self.hits = data.hits
        days = data.hits.days
        if previous is None or previous.days != days or self.cursor is None:
            self.cursor = len(days) - 1 if days else None
        series = [
            BarSeries(item.name, endpoint_style(item.endpoint_id), item.counts)
            for item in data.hits.series
        ]
        layers = fold_series(series, MAX_LAYERS)
        chart = self.query_one(StackedBarChart)
        chart.set_data(day_labels(days), layers)
        chart.cursor = self.cursor
        self.legend_entries = [(layer.label, layer.style) for layer in layers]
        self.show_legend()
        self.show_range()
        self.show_summary()

    def range_detail(self) -> Text:
        """Return the days per bar when bars are grouped, else an empty text."""
        if self.hits is not None:
            group = days_per_bar(self.query_one(StackedBarChart), len(self.hits.days))
            if group > 1:
                return Text(f"{group} days per bar")
        return Text()

    def show_summary(self) -> None:
        """Write the total, the peak day and the day under the cursor."""
        if self.hits is not None:
            group = days_per_bar(self.query_one(StackedBarChart), len(self.hits.days))
            summary = summary_text(self.hits, self.cursor, group)
            self.query_one("#summary", Static).update(summary)

    def action_move_day(self, days: int) -> None:
        """Move the day cursor by ``days``, within the range."""
        if self.hits is None or self.cursor is None:
            return
        self.cursor = min(max(self.cursor + days, 0), len(self.hits.days) - 1)
        self.query_one(StackedBarChart).cursor = self.cursor
        self.show_summary()

    def show_legend(self) -> None:
        """Lay the legend out in lines that fit the legend's width."""
        widget = self.query_one("#legend", Static)
        widget.update(legend(self.legend_entries, max(widget.size.width, 20)))

    def on_resize(self) -> None:
        # Textual also runs UsageScreen.on_resize, which redraws the header.
        self.show_legend()


def days_per_bar(chart: StackedBarChart, days: int) -> int:
    """Return how many days one bar of ``chart`` shows at its current width."""
    # The y-axis labels take about six columns of the chart.
    return bars_per_group(days, chart.size.width - 6)


def summary_text(hits: DailyHits, cursor: int | None, group: int = 1) -> Text:
    """Return the total, the peak day and the total of the bar at ``cursor``.

    When one bar shows ``group`` days, the last part names the bar's first and
    last day and adds up its days, so that it reads the same as the bar.
    """
    summary = Text(no_wrap=True, overflow="ellipsis", end="")
    peak = hits.peak()
    if peak is None:
        summary.append("No requests in this range.")
    else:
        summary.append(f"Total {hits.total:,} · peak ")
        summary.append(f"{_day(peak[0])} {peak[1]:,}", style="bold")
    if cursor is not None and hits.days:
        summary.append(" · ")
        first = cursor // group * group
        last = min(first + group, len(hits.days)) - 1
        if last > first:
            bar_total = sum(hits.totals[first : last + 1])
            bar_text = (
                f"{hits.days[first]:%m-%d} to {hits.days[last]:%m-%d} "
                f"{count_text(bar_total, 'hit')}"
            )
            summary.append(bar_text, style="reverse")
        else:
            # A bar of one day, also the last bar when the days do not fill it.
            day_total = (
                f"{_day(hits.days[first])} {count_text(hits.totals[first], 'hit')}"
            )
            summary.append(day_total, style="reverse")
    return summary


def _day(day: dt.date) -> str:
    return f"{day:%a %Y-%m-%d}"
