"""The heatmap view: requests per hour of the day, for each day of the range."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from flaskdash_tui.queries.usage import HourlyHits, hourly_hits, merge_hourly
from flaskdash_tui.screens.usage import LIVE_DAYS, UsageScreen
from flaskdash_tui.timerange import TimeRange
from flaskdash_tui.widgets.counts import count_text
from flaskdash_tui.widgets.heatmap import Heatmap


@dataclass(frozen=True)
class HeatmapData:
    """The data of the heatmap view: a range, its hourly counts, the endpoints."""

    time_range: TimeRange
    endpoint: str | None
    """The endpoint filter of the counts, None for all endpoints."""
    hits: HourlyHits
    endpoints: list[str]


class HeatmapScreen(UsageScreen[HeatmapData]):
    """Requests per local hour and day, with a cursor that reads out one cell."""

    VIEW_NAME = "heatmap"
    CSS_PATH = "heatmap.tcss"

    def __init__(self, endpoint: str | None = None) -> None:
        super().__init__(endpoint=endpoint)
        self.data: HeatmapData | None = None

    def compose_body(self) -> ComposeResult:
        """Yield the header, the grid, the cursor's cell and the scale."""
        yield Static(id="range")
        yield Heatmap(id="grid")
        yield Static(id="cell")
        yield Static(id="scale")

    def on_mount(self) -> None:
        """Focus the grid so that the arrow keys move its cursor."""
        # Textual also runs BaseScreen.on_mount, which starts the first load.
        self.query_one(Heatmap).focus()

    def load_data(self) -> HeatmapData:
        """Count the requests per hour of each day of the selected range."""
        database = self.database
        tail_only = self.take_tail_only()
        endpoint = self.endpoint
        time_range = self.resolve_range(database)
        endpoint_id = self.endpoint_id(database)
        shown = self.data
        if (
            tail_only
            and shown is not None
            and (shown.time_range, shown.endpoint) == (time_range, endpoint)
        ):
            recent = hourly_hits(database, time_range.tail(LIVE_DAYS), endpoint_id)
            hits = merge_hourly(shown.hits, recent)
        else:
            hits = hourly_hits(database, time_range, endpoint_id)
        return HeatmapData(time_range, endpoint, hits, self.endpoint_names(database))

    def show_data(self, data: HeatmapData) -> None:
        """Draw the grid and its scale."""
        self.data = data
        self.time_range = data.time_range
        self.endpoints = data.endpoints
        grid = self.query_one(Heatmap)
        grid.set_data(data.hits.days, data.hits.counts)
        scale = Text(no_wrap=True, overflow="ellipsis", end="")
        scale.append("Requests per hour: ")
        for position, (glyph, label) in enumerate(grid.scale.legend()):
            if position:
                scale.append("  ")
            scale.append(glyph * 2, style="reverse" if glyph == " " else "")
            scale.append(f" {label}")
        self.query_one("#scale", Static).update(scale)
        self.show_range()
        self.show_cell(grid)

    def on_heatmap_cursor_moved(self, message: Heatmap.CursorMoved) -> None:
        """Read out the cell under the cursor."""
        self.show_cell(self.query_one(Heatmap))

    def show_cell(self, grid: Heatmap) -> None:
        """Write the date, hour and count of the cell under the cursor."""
        count = grid.cell_count()
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if count is None:
            text.append("No data.")
        else:
            day = grid.days[grid.row]
            hour = grid.hour
            text.append(f"{day:%a %Y-%m-%d} {hour:02d}:00-{(hour + 1) % 24:02d}:00")
            text.append(f"  {count_text(count, 'request')}", style="bold")
        self.query_one("#cell", Static).update(text)
