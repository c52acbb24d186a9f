"""The heatmap view: requests per hour of the day, for each day of the range."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from flaskdash_tui.queries.usage import HourlyHits, hourly_hits, merge_hourly
from flaskdash_tui.screens.usage import UsageCounts, UsageScreen
from flaskdash_tui.widgets.counts import count_text
from flaskdash_tui.widgets.heatmap import Heatmap

HeatmapData = UsageCounts[HourlyHits]
"""The data of the heatmap view."""


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
        return self.load_counts(self.database, self.data, hourly_hits, merge_hourly)

    def show_data(self, data: HeatmapData) -> None:
        """Draw the grid and its scale."""
        self.data = data
        self.time_range = data.time_range
        self.endpoints = data.endpoints
        self.endpoint_ids = data.endpoint_ids
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
