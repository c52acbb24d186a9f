"""The response view: one box plot of response times per monitored endpoint.

The boxes are sorted by median, slowest first, and the figures of the box
under the cursor are written out below the plot. ``enter`` opens the
endpoint's detail view, ``l`` switches between a linear and a logarithmic
axis. The range keys are those of the utilization views.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from flaskdash_tui import keys
from flaskdash_tui.palette import endpoint_label, endpoint_style
from flaskdash_tui.queries.performance import EndpointBox, endpoint_boxes
from flaskdash_tui.screens.base import LOAD_GROUP, BaseScreen
from flaskdash_tui.screens.usage import UsageScreen
from flaskdash_tui.timerange import TimeRange
from flaskdash_tui.widgets.boxplot import BoxPlot, BoxRow, figures_text, legend_text
from flaskdash_tui.widgets.counts import count_text

RELOAD_MIN_SECONDS = 5.0
"""Least time between two reloads caused by new requests.

A box plot over weeks barely moves with a second's requests, and its queries
read every duration of the range, so live reloads are spaced out. NOTE: each
reload recomputes the whole range; on a million requests that costs about as
much as the first load, so live traffic keeps one core busy part of the time.
"""

RANGE_KEYS = (
    "usage.earlier",
    "usage.later",
    "usage.range",
    "usage.week",
    "usage.month",
    "usage.quarter",
    "usage.all",
)
"""The range keys of the utilization views, without their endpoint filter."""

keys.register(
    "response.scale",
    "l",
    "toggle_scale",
    "Log/lin",
    scope="response",
    help="Switch the axis between linear and logarithmic",
)
keys.register(
    "response.open",
    "enter",
    "open_endpoint",
    "Open",
    scope="response",
    show=False,
    help="Open the detail view of the selected endpoint",
)

DataT = TypeVar("DataT")


class PerformanceScreen(UsageScreen[DataT], Generic[DataT], inherit_bindings=False):
    """A view of box plots over a range of days, reloaded at most every 5 s.

    It has the range keys of the utilization views but not their endpoint
    filter, so it lists its bindings in full instead of inheriting them.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *Screen.BINDINGS,
        *BaseScreen.BINDINGS,
        *keys.bindings(*RANGE_KEYS),
    ]

    def __init__(self, endpoint: str | None = None) -> None:
        super().__init__(endpoint=endpoint)
        self.log_scale = False
        self._last_reload = float("-inf")
        self._pending_reload: Timer | None = None
        self._loading: Hashable = None
        """The generation and signature of the load started last."""

    def load_signature(self) -> Hashable:
        """Return what the data to load depends on, besides the database."""
        return (self.choice, self.endpoint)

    def reload(self) -> None:
        """Run the queries in a worker, and note when, for the live throttle.

        A request for the same data while such a load still runs is dropped.
        Textual resumes a screen right after mounting it, and BaseScreen then
        requests a second load of what the first is already loading.
        """
        signature = (self.flaskdash.generation, self.load_signature())
        running = any(
            worker.group == LOAD_GROUP and worker.node is self and worker.is_running
            for worker in self.app.workers
        )
        if running and signature == self._loading:
            return
        self._loading = signature
        self._last_reload = time.monotonic()
        if self._pending_reload is not None:
            self._pending_reload.stop()
            self._pending_reload = None
        super().reload()

    def database_changed(self) -> None:
        """Reload for new requests, at most every :data:`RELOAD_MIN_SECONDS`.

        A range that ended before now is not reloaded, since requests are
        stored within seconds of their start.
        """
        if self.time_range is not None and self.time_range.end <= self.now():
            return
        waited = time.monotonic() - self._last_reload
        if waited >= RELOAD_MIN_SECONDS:
            self.reload()
        elif self._pending_reload is None:
            self._pending_reload = self.set_timer(
                RELOAD_MIN_SECONDS - waited, self.reload
            )

    def range_text(self, width: int | None = None) -> Text:
        """Return the header line: the range, then :meth:`range_detail`.

        Args:
            width: Cells available; a longer line ends in an ellipsis.
        """
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if self.time_range is None:
            text.append("Loading…")
            return text
        text.append(self.time_range.label(), style="bold")
        detail = self.range_detail()
        if detail.plain:
            text.append(" · ")
            text.append_text(detail)
        if width is not None:
            text.truncate(width, overflow="ellipsis")
        return text

    def range_detail(self) -> Text:
        """Return the text after the range in the header; empty by default."""
        return Text()

    def action_toggle_scale(self) -> None:
        """Switch every box plot of the screen between linear and log axes."""
        self.log_scale = not self.log_scale
        for plot in self.query(BoxPlot):
            plot.log_scale = self.log_scale


@dataclass(frozen=True)
class ResponseData:
    """The data of the response view: a range and one box per endpoint."""

    time_range: TimeRange
    boxes: list[EndpointBox]


class ResponseScreen(PerformanceScreen[ResponseData]):
    """Response times per monitored endpoint, slowest median first."""

    VIEW_NAME = "response"
    CSS_PATH = "response.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *PerformanceScreen.BINDINGS,
        *keys.bindings("response.scale", "response.open"),
    ]

    def __init__(self, endpoint: str | None = None) -> None:
        # The view covers every endpoint; ``endpoint`` only sets the cursor.
        super().__init__(endpoint=None)
        self.initial_endpoint = endpoint
        self.data: ResponseData | None = None

    @property
    def selected_endpoint(self) -> str | None:
        """The endpoint under the cursor, which ``enter`` and number keys open."""
        row = self.query_one(BoxPlot).selected if self.is_mounted else None
        return None if row is None else str(row.key)

    def compose_body(self) -> ComposeResult:
        """Yield the header, the box plot, the figures and the legend."""
        yield Static(id="range")
        yield BoxPlot("No requests to monitored endpoints in this range.", id="boxes")
        yield Static(id="figures")
        yield Static(legend_text(), id="legend")

    def on_mount(self) -> None:
        """Focus the plot so that the arrow keys move its cursor."""
        # Textual also runs BaseScreen.on_mount, which starts the first load,
        # so calling it here as well would load twice.
        self.query_one(BoxPlot).focus()

    def load_data(self) -> ResponseData:
        """Compute the box of every monitored endpoint over the range."""
        database = self.database
        time_range = self.resolve_range(database)
        boxes = endpoint_boxes(database, start=time_range.start, end=time_range.end)
        return ResponseData(time_range, boxes)

    def show_data(self, data: ResponseData) -> None:
        """Draw the boxes and the figures of the selected one."""
        first = self.data is None
        self.data = data
        self.time_range = data.time_range
        plot = self.query_one(BoxPlot)
        plot.set_rows(
            [
                BoxRow(
                    box.name,
                    endpoint_label(box.endpoint_id, box.name),
                    box.stats,
                    box_style=endpoint_style(box.endpoint_id).style,
                )
                for box in data.boxes
            ]
        )
        if first and self.initial_endpoint is not None:
            names = [box.name for box in data.boxes]
            if self.initial_endpoint in names:
                plot.cursor = names.index(self.initial_endpoint)
        if not data.boxes:
            self.query_one("#figures", Static).update("")
        self.show_range()

    def range_detail(self) -> Text:
        """Return the number of endpoints with requests in the range."""
        if self.data is None:
            return Text()
        count = len(self.data.boxes)
        return Text(f"{count_text(count, 'endpoint')} with requests")

    @on(BoxPlot.Highlighted)
    def show_figures(self, event: BoxPlot.Highlighted) -> None:
        """Write out the figures of the box under the cursor."""
        self.query_one("#figures", Static).update(
            figures_text(event.row.label, event.row.stats)
        )

    def action_open_endpoint(self) -> None:
        """Open the detail view of the endpoint under the cursor."""
        name = self.selected_endpoint
        if name is not None:
            self.flaskdash.open_endpoint(name)
