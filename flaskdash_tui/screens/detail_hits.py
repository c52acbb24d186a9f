"""The hits tab of the endpoint detail view: one endpoint's hits per day.

The panel counts the endpoint's hits on each day of the detail screen's range,
or of the last 30 days when the screen has none. It draws them as bars, with
the total, the peak day and a day cursor that the arrow keys move.

NOTE: the panel reads the screen's range when it loads. After ``[`` or ``]``
it shows the new range only at its next reload, which comes with new requests
or when the tab is shown again after a change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from flaskdash_tui import keys, views
from flaskdash_tui.palette import endpoint_style
from flaskdash_tui.queries.usage import DailyHits, daily_hits, endpoint_names
from flaskdash_tui.screens.hits import days_per_bar, summary_text
from flaskdash_tui.screens.usage import DEFAULT_SPAN, UsageScreen
from flaskdash_tui.text import clean
from flaskdash_tui.timerange import TimeRange
from flaskdash_tui.widgets.barchart import BarSeries, StackedBarChart, day_labels

if TYPE_CHECKING:
    from flaskdash_tui.app import FlaskdashApp

logger = logging.getLogger(__name__)

SCOPE = views.DETAIL_VIEW
HITS_GROUP = "detail-hits"
"""Worker group of the panel's query, apart from the screen's ``"load"``."""

keys.register(
    f"{SCOPE}.hits_previous_day",
    "left",
    "move_day(-1)",
    "Previous day",
    scope=SCOPE,
    show=False,
    help="Hits tab: move the day cursor one day back",
)
keys.register(
    f"{SCOPE}.hits_next_day",
    "right",
    "move_day(1)",
    "Next day",
    scope=SCOPE,
    show=False,
    help="Hits tab: move the day cursor one day forward",
)


@dataclass(frozen=True)
class PanelData:
    """The data of the hits tab: a range and the endpoint's counts in it."""

    time_range: TimeRange
    hits: DailyHits
    found: bool
    """Whether an endpoint of that name exists."""


class HitsPanel(Vertical, can_focus=True):
    """One endpoint's hits per day, as a tab of the endpoint detail view."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(
        f"{SCOPE}.hits_previous_day", f"{SCOPE}.hits_next_day"
    )

    DEFAULT_CSS = """
    HitsPanel {
        height: 1fr;
    }
    HitsPanel > StackedBarChart {
        height: 1fr;
    }
    HitsPanel > #hits-summary {
        height: 1;
    }
    """

    def __init__(self, endpoint: str | None, load_on_mount: bool = True) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.load_on_mount = load_on_mount
        self.data: PanelData | None = None
        self.cursor: int | None = None

    @property
    def flaskdash(self) -> FlaskdashApp:
        """The running app, typed."""
        return cast("FlaskdashApp", self.app)

    def compose(self) -> ComposeResult:
        """Yield the chart and the summary line."""
        yield StackedBarChart()
        yield Static(id="hits-summary")

    def on_mount(self) -> None:
        """Load the counts unless the screen loads them later."""
        if self.load_on_mount:
            self.reload()

    def reload(self) -> None:
        """Count the endpoint's hits in a worker thread."""
        self.run_worker(
            self._load,
            name="load endpoint hits",
            group=HITS_GROUP,
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _load(self) -> PanelData:
        database = self.flaskdash.database
        settings = self.flaskdash.settings
        with database.connection_context():
            screen = self.screen
            if isinstance(screen, UsageScreen):
                time_range = screen.resolve_range(database)
            else:
                now = settings.current_time()
                time_range = TimeRange.last_days(DEFAULT_SPAN, now, settings.timezone)
            names = {
                name: endpoint_id
                for endpoint_id, name in endpoint_names(database).items()
            }
            endpoint_id = names.get(self.endpoint or "")
            if endpoint_id is None:
                return PanelData(
                    time_range, DailyHits(time_range.day_list(), []), False
                )
            hits = daily_hits(database, time_range, endpoint_id)
            return PanelData(time_range, hits, True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Draw the loaded counts, or report why the query failed."""
        worker = event.worker
        if worker.group != HITS_GROUP:
            return
        event.stop()
        if event.state == WorkerState.ERROR:
            logger.error(
                "loading the hits of %r failed", self.endpoint, exc_info=worker.error
            )
            self.notify(
                clean(f"Loading failed: {worker.error}", single_line=True),
                severity="error",
                markup=False,
            )
        elif event.state == WorkerState.SUCCESS and worker.result is not None:
            self.show_data(cast(PanelData, worker.result))

    def show_data(self, data: PanelData) -> None:
        """Draw the chart and the summary."""
        previous = self.data
        self.data = data
        days = data.hits.days
        if previous is None or previous.hits.days != days or self.cursor is None:
            self.cursor = len(days) - 1 if days else None
        series = [
            BarSeries(item.name, endpoint_style(item.endpoint_id), item.counts)
            for item in data.hits.series
        ]
        chart = self.query_one(StackedBarChart)
        chart.set_data(day_labels(days), series)
        chart.cursor = self.cursor
        self.show_summary()

    def show_summary(self) -> None:
        """Write the total, the peak day and the day under the cursor."""
        if self.data is None:
            return
        summary = self.query_one("#hits-summary", Static)
        if not self.data.found:
            summary.update(
                clean(f"Endpoint not found: {self.endpoint}", single_line=True)
            )
            return
        group = days_per_bar(self.query_one(StackedBarChart), len(self.data.hits.days))
        summary.update(summary_text(self.data.hits, self.cursor, group))

    def action_move_day(self, days: int) -> None:
        """Move the day cursor by ``days``, within the range."""
        if self.data is None or self.cursor is None:
            return
        last = len(self.data.hits.days) - 1
        self.cursor = min(max(self.cursor + days, 0), last)
        self.query_one(StackedBarChart).cursor = self.cursor
        self.show_summary()
