"""The endpoints view: one row per endpoint, sortable, filterable, toggleable."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Input
from textual.worker import Worker, WorkerState

from flaskdash_tui import keys
from flaskdash_tui.palette import endpoint_label
from flaskdash_tui.queries.endpoints import (
    EndpointRow,
    MedianCache,
    list_endpoints,
    set_monitored,
)
from flaskdash_tui.screens.base import BaseScreen
from flaskdash_tui.text import clean, literal

logger = logging.getLogger(__name__)

MONITORED_GLYPH = "●"
NOT_MONITORED_GLYPH = "○"


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of the endpoints table and how it sorts."""

    key: str
    label: str
    sort_key: Callable[[EndpointRow], object]
    width: int | None = None
    """Fixed width in cells; None takes a share of the remaining width."""
    share: int = 0
    """Relative share of the remaining width, for columns without a width."""
    numeric: bool = False


def _last(row: EndpointRow) -> float:
    return row.last_requested if row.last_requested is not None else float("-inf")


def _median(row: EndpointRow) -> float:
    return row.median_ms if row.median_ms is not None else float("-inf")


COLUMNS: tuple[Column, ...] = (
    Column("monitored", "M", lambda row: row.monitored, width=1),
    Column("rule", "URL rule", lambda row: row.rules[0] if row.rules else "", share=4),
    Column("methods", "Methods", lambda row: row.methods, width=8),
    Column("name", "Endpoint", lambda row: row.name, share=5),
    Column("today", "Today", lambda row: row.hits_today, width=5, numeric=True),
    Column("total", "Total", lambda row: row.hits_total, width=7, numeric=True),
    Column("median", "Median", _median, width=7, numeric=True),
    Column("last", "Last", _last, width=8),
)
"""The columns, left to right."""

COLUMN_KEYS = tuple(column.key for column in COLUMNS)


def format_duration(ms: float | None) -> str:
    """Return a duration for a narrow column: ``12.3ms``, ``845ms``, ``2.41s``."""
    if ms is None:
        return "-"
    if ms < 100:
        return f"{ms:.1f}ms"
    if ms < 1000:
        return f"{ms:.0f}ms"
    return f"{ms / 1000:.2f}s"


def format_last(moment: float | None, now: float, timezone: dt.tzinfo) -> str:
    """Return a request time in the operator's zone in at most 8 cells.

    Today's requests show the time, this year's the day, older ones the month.
    """
    if moment is None:
        return "never"
    local = dt.datetime.fromtimestamp(moment, timezone)
    today = dt.datetime.fromtimestamp(now, timezone).date()
    if local.date() == today:
        return f"{local:%H:%M:%S}"
    if local.year == today.year:
        return f"{local:%b %d}"
    return f"{local:%Y-%m}"


def matches(row: EndpointRow, text: str) -> bool:
    """Return whether the filter text occurs in the name, a rule or the methods."""
    needle = text.casefold()
    haystack = [row.name, row.methods, *row.rules]
    return any(needle in value.casefold() for value in haystack)


class EndpointsScreen(BaseScreen[list[EndpointRow]]):
    """Every endpoint of the app with its hits, median and monitoring flag."""

    VIEW_NAME = "endpoints"
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(
        "endpoints.filter",
        "endpoints.toggle",
        "endpoints.open",
        "endpoints.sort",
        "endpoints.reverse",
    )

    def __init__(self, endpoint: str | None = None) -> None:
        """Create the view; ``endpoint`` selects that row once it is loaded."""
        # The view is about all endpoints, so the name only moves the cursor.
        super().__init__(None)
        self.rows: list[EndpointRow] = []
        """All endpoints as last loaded, before filtering and sorting."""
        self.sort_column = "last"
        self.sort_reverse = True
        self.filter_text = ""
        self.medians = MedianCache()
        self._loaded_once = False
        self._pending_selection = endpoint

    def compose_body(self) -> ComposeResult:
        """Compose the table and the (hidden) filter input."""
        table: DataTable[Text] = DataTable(
            id="endpoints", cursor_type="row", zebra_stripes=True
        )
        yield table
        yield Input(placeholder="filter: part of a name, rule or method", id="filter")

    def on_mount(self) -> None:
        """Set up the columns; BaseScreen.on_mount then starts the first load."""
        # Textual runs the on_mount of every class in the MRO, this one first.
        self.query_one("#filter", Input).display = False
        self._add_columns()
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        """Share the width between the rule and name columns again."""
        if self.is_mounted:
            self._add_columns()
            self.show_rows()

    def load_data(self) -> list[EndpointRow]:
        """Query every endpoint's figures."""
        # The first load skips slow medians so that the rows appear at once.
        return list_endpoints(
            self.database,
            now=self.now(),
            timezone=self.timezone,
            medians=self.medians,
            slow_medians=self._loaded_once,
        )

    def show_data(self, data: list[EndpointRow]) -> None:
        """Keep the loaded rows and redraw the table."""
        self.rows = data
        self._loaded_once = True
        self.show_rows()
        if any(row.median_pending for row in data):
            self.reload()

    @property
    def selected_endpoint(self) -> str | None:
        """The endpoint name of the row under the cursor."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def visible_rows(self) -> list[EndpointRow]:
        """Return the rows that pass the filter, in the current sort order."""
        column = COLUMNS[COLUMN_KEYS.index(self.sort_column)]
        rows = [row for row in self.rows if matches(row, self.filter_text)]
        # Sort by name first so that ties keep a stable, readable order.
        rows.sort(key=lambda row: row.name)
        rows.sort(key=column.sort_key, reverse=self.sort_reverse)  # type: ignore[arg-type]
        return rows

    def show_rows(self) -> None:
        """Redraw the table from :attr:`rows`, keeping the selected endpoint."""
        table = self.query_one(DataTable)
        selected = self._pending_selection or self.selected_endpoint
        now = self.now()
        table.clear()
        for row in self.visible_rows():
            table.add_row(*self._cells(row, now), key=row.name)
        names = [str(key.value) for key in table.rows]
        if selected in names:
            table.move_cursor(row=names.index(selected), animate=False)
            self._pending_selection = None
        self._label_columns()

    def _cells(self, row: EndpointRow, now: float) -> list[Text]:
        mark = MONITORED_GLYPH if row.monitored else NOT_MONITORED_GLYPH
        # Sorting and the filter read row.name, so the swatch glyph at the start
        # of the cell never takes part in them.
        name = endpoint_label(row.id, row.name)
        cells = [literal(" ".join(row.rules)), literal(row.methods), name]
        for cell in cells:
            cell.no_wrap = True
            cell.overflow = "ellipsis"
        return [
            Text(mark, style="bold" if row.monitored else "dim"),
            *cells,
            Text(f"{row.hits_today:,}", justify="right"),
            Text(f"{row.hits_total:,}", justify="right"),
            Text(
                "…" if row.median_pending else format_duration(row.median_ms),
                justify="right",
            ),
            Text(format_last(row.last_requested, now, self.timezone)),
        ]

    def _add_columns(self) -> None:
        table = self.query_one(DataTable)
        fixed = sum(column.width or 0 for column in COLUMNS)
        shared = [column for column in COLUMNS if column.width is None]
        # Each column has one cell of padding on both sides; 2 for the scrollbar.
        spare = max(self.size.width - fixed - 2 * len(COLUMNS) - 2, 16)
        shares = sum(column.share for column in shared)
        table.clear(columns=True)
        for column in COLUMNS:
            width = column.width or max(spare * column.share // shares, 4)
            table.add_column(self._label(column), key=column.key, width=width)

    def _label(self, column: Column) -> Text:
        label = Text(column.label, no_wrap=True, end="")
        if column.key == self.sort_column:
            label.append("▼" if self.sort_reverse else "▲", style="bold")
        return label

    def _label_columns(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.columns[column.key].label = self._label(column)  # type: ignore[index]
        table.refresh()

    def action_cycle_sort(self) -> None:
        """Sort by the next column."""
        index = (COLUMN_KEYS.index(self.sort_column) + 1) % len(COLUMNS)
        self.sort_by(COLUMN_KEYS[index])

    def action_reverse_sort(self) -> None:
        """Reverse the sort order."""
        self.sort_reverse = not self.sort_reverse
        self.show_rows()

    def sort_by(self, column_key: str, reverse: bool | None = None) -> None:
        """Sort by one column; numbers and times start with the largest."""
        column = COLUMNS[COLUMN_KEYS.index(column_key)]
        self.sort_column = column_key
        default = column.numeric or column_key in ("last", "monitored")
        self.sort_reverse = default if reverse is None else reverse
        self.show_rows()

    @on(DataTable.HeaderSelected)
    def header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Sort by the clicked column; a second click reverses."""
        key = str(event.column_key.value)
        if key == self.sort_column:
            self.action_reverse_sort()
        else:
            self.sort_by(key)

    def action_filter(self) -> None:
        """Show the filter input and focus it."""
        field = self.query_one("#filter", Input)
        field.display = True
        field.focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        """Apply the filter as it is typed."""
        self.filter_text = event.value
        self.show_rows()

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        """Keep the filter and return to the table."""
        self.query_one(DataTable).focus()

    def action_back(self) -> None:
        """Clear and hide the filter if it is shown, else go back."""
        field = self.query_one("#filter", Input)
        if field.display:
            field.value = ""
            field.display = False
            self.filter_text = ""
            self.show_rows()
            self.query_one(DataTable).focus()
            return
        super().action_back()

    def action_open_endpoint(self) -> None:
        """Open the detail view of the selected endpoint."""
        table = self.query_one(DataTable)
        if not table.has_focus:
            # Enter in the filter input keeps the filter and returns to the table.
            table.focus()
            return
        name = self.selected_endpoint
        if name is not None:
            self.flaskdash.open_endpoint(name)

    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        """Open the endpoint on enter or a click on a selected row."""
        event.stop()
        self.action_open_endpoint()

    def action_toggle_monitoring(self) -> None:
        """Turn monitoring of the selected endpoint on or off in the database."""
        name = self.selected_endpoint
        row = next((row for row in self.rows if row.name == name), None)
        if name is None or row is None:
            return
        monitored = not row.monitored
        database = self.database

        def write() -> bool:
            with database.connection_context():
                return set_monitored(database, name, monitored)

        self.run_worker(write, name="toggle", group="toggle", thread=True)
        self.notify(
            clean(
                f"{'Monitoring' if monitored else 'Stopped monitoring'} {name}",
                single_line=True,
            ),
            markup=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Reload after a toggle was written, or report why it failed."""
        # Textual also runs BaseScreen's handler, which shows finished loads.
        if event.worker.group != "toggle":
            return
        if event.state == WorkerState.SUCCESS:
            self.reload()
        elif event.state == WorkerState.ERROR:
            logger.error("toggling monitoring failed", exc_info=event.worker.error)
            self.notify(
                clean(f"Toggling failed: {event.worker.error}", single_line=True),
                severity="error",
                markup=False,
            )
