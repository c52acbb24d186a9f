"""A list of recorded faults above the trace pane of the selected one.

The outliers and exceptions lists share this panel: a table whose highlighted
row picks the trace that the pane below shows, and keys that copy the trace
to the clipboard or save it to a file. The panel loads its rows and traces in
thread workers, so it works both inside a ``BaseScreen`` that hands it rows
(:meth:`TracePanel.show_rows`) and inside a tab that loads on its own
(:meth:`TracePanel.reload`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic, TypeVar, cast

import peewee as pw
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from flaskdash_tui.clipboard import copy_text, save_text
from flaskdash_tui.screens.usage import UsageScreen
from flaskdash_tui.text import clean
from flaskdash_tui.widgets.counts import count_text
from flaskdash_tui.widgets.stacktrace import TracePane

if TYPE_CHECKING:
    from flaskdash_tui.app import FlaskdashApp

logger = logging.getLogger(__name__)

RowT = TypeVar("RowT")
DetailT = TypeVar("DetailT")

ROWS_GROUP = "fault-rows"
"""Worker group of the panel's own row queries (not BaseScreen's ``load``)."""
TRACE_GROUP = "fault-trace"
"""Worker group of the query for the highlighted row's trace."""


class TracePanel(Vertical, Generic[RowT, DetailT]):
    """A table of faults and the trace pane of the highlighted one.

    Subclasses define the columns, the queries and how a trace becomes text.
    """

    DEFAULT_CSS = """
    TracePanel > DataTable {
        height: 2fr;
        min-height: 4;
    }
    TracePanel > TracePane {
        height: 3fr;
        border-top: solid $foreground 20%;
    }
    """

    COLUMNS: Sequence[str] = ()
    """Column labels of the table, left to right."""
    EMPTY_MESSAGE = "Nothing recorded."
    KEY_HINT = ""
    """A line above the trace's facts that names the keys, for hosts whose
    footer has no room for them."""
    """The message that the trace pane shows while the table is empty."""

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        load_on_mount: bool = False,
        id: str | None = None,
    ) -> None:
        """Create the panel.

        Args:
            endpoint: Only this endpoint's faults, or None for the whole app.
            load_on_mount: Query the rows once mounted, for a host that does
                not call :meth:`show_rows` itself.
            id: The widget id.
        """
        super().__init__(id=id)
        self.endpoint = endpoint
        self.load_on_mount = load_on_mount
        self.rows: list[RowT] = []
        """The rows as last loaded, in table order."""
        self.detail: DetailT | None = None
        """The trace shown in the pane, or None while none is shown."""
        self._trace_key: str | None = None

    @property
    def flaskdash(self) -> FlaskdashApp:
        """The running app, typed."""
        return cast("FlaskdashApp", self.app)

    @property
    def timezone(self) -> dt.tzinfo:
        """The operator's time zone."""
        return self.flaskdash.settings.timezone

    def compose(self) -> ComposeResult:
        """Compose the table above the trace pane."""
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
        yield table
        yield TracePane(hint=self.KEY_HINT)

    def on_mount(self) -> None:
        """Add the columns, show a loading message, and load if asked to."""
        table = self.query_one(DataTable)
        table.add_columns(*self.columns())
        self.query_one(TracePane).show_message("Loading…")
        if self.load_on_mount:
            self.reload()

    # Hooks for subclasses. The two query hooks run in worker threads.

    def columns(self) -> Sequence[str]:
        """Return the column labels of the table, left to right."""
        return self.COLUMNS

    def query_rows(self, database: pw.Database) -> list[RowT]:
        """Return the rows of the table, in display order (worker thread)."""
        raise NotImplementedError

    def query_trace(self, database: pw.Database, row: RowT) -> DetailT | None:
        """Return the trace of a row, or None if it is gone (worker thread)."""
        raise NotImplementedError

    def time_bounds(self, database: pw.Database) -> tuple[float | None, float | None]:
        """Return the host screen's time range as UNIX start and end (worker thread).

        Only screens with a time range, such as the endpoint detail view,
        limit the panel. Elsewhere both bounds are None, so it lists all faults.
        """
        screen = self.screen
        if isinstance(screen, UsageScreen):
            time_range = screen.resolve_range(database)
            return time_range.start, time_range.end
        return None, None

    def row_key(self, row: RowT) -> str:
        """Return a key that identifies the row across reloads."""
        raise NotImplementedError

    def trace_key(self, row: RowT) -> str:
        """Return a key that changes when the row's trace changes."""
        return self.row_key(row)

    def cells(self, row: RowT) -> list[Text]:
        """Return the table cells of a row."""
        raise NotImplementedError

    def show_trace(self, pane: TracePane, detail: DetailT) -> None:
        """Show a trace in the pane."""
        raise NotImplementedError

    def trace_text(self, detail: DetailT) -> str:
        """Return a trace as plain text for the clipboard and files."""
        raise NotImplementedError

    def trace_file_name(self, detail: DetailT) -> str:
        """Return the file name that saving a trace writes."""
        raise NotImplementedError

    # Loading.

    def reload(self) -> None:
        """Query the rows in a worker, then show them; a newer reload wins."""
        database = self.flaskdash.database

        def load() -> list[RowT]:
            with database.connection_context():
                return self.query_rows(database)

        self.run_worker(load, group=ROWS_GROUP, thread=True, exclusive=True)

    def show_rows(self, rows: list[RowT]) -> None:
        """Fill the table, keeping the highlighted row where it still exists."""
        table = self.query_one(DataTable)
        selected = self.selected_key
        self.rows = rows
        table.clear()
        for row in rows:
            table.add_row(*self.cells(row), key=self.row_key(row))
        keys = [self.row_key(row) for row in rows]
        if selected in keys:
            table.move_cursor(row=keys.index(selected), animate=False)
        if not rows:
            self.detail = None
            self._trace_key = None
            self.query_one(TracePane).show_message(self.EMPTY_MESSAGE)
            return
        self._load_trace()

    @property
    def selected_key(self) -> str | None:
        """The key of the highlighted row, or None when the table is empty."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return None if row_key.value is None else str(row_key.value)

    @property
    def selected_row(self) -> RowT | None:
        """The highlighted row, or None when the table is empty."""
        table = self.query_one(DataTable)
        if not table.row_count or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the trace of the newly highlighted row."""
        event.stop()
        self._load_trace()

    def _load_trace(self) -> None:
        row = self.selected_row
        if row is None:
            return
        key = self.trace_key(row)
        if key == self._trace_key:
            return
        self._trace_key = key
        database = self.flaskdash.database

        def load() -> DetailT | None:
            with database.connection_context():
                return self.query_trace(database, row)

        self.run_worker(load, group=TRACE_GROUP, thread=True, exclusive=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show loaded rows or traces, or report why a query failed."""
        worker: Worker[object] = event.worker
        if worker.group not in (ROWS_GROUP, TRACE_GROUP):
            return
        event.stop()
        if event.state == WorkerState.ERROR:
            logger.error("loading %s failed", worker.group, exc_info=worker.error)
            self._trace_key = None
            self.notify(
                clean(f"Loading failed: {worker.error}", single_line=True),
                severity="error",
                markup=False,
            )
            return
        if event.state != WorkerState.SUCCESS:
            return
        if worker.group == ROWS_GROUP:
            self.show_rows(cast("list[RowT]", worker.result))
            return
        detail = cast("DetailT | None", worker.result)
        pane = self.query_one(TracePane)
        self.detail = detail
        if detail is None:
            pane.show_message("This record was deleted; the list reloads shortly.")
        else:
            self.show_trace(pane, detail)

    # Keys.

    def action_copy_trace(self) -> None:
        """Copy the shown trace to the terminal's clipboard."""
        if self.detail is None:
            self.notify("No trace is shown to copy.", severity="warning")
            return
        text = self.trace_text(self.detail)
        copy_text(self.app, text)
        lines = count_text(text.count("\n"), "line")
        self.notify(f"Copied the trace ({lines}) to the clipboard with OSC 52.")

    def action_save_trace(self) -> None:
        """Save the shown trace to a text file and show the file's path."""
        if self.detail is None:
            self.notify("No trace is shown to save.", severity="warning")
            return
        name = self.trace_file_name(self.detail)
        try:
            path = save_text(self.trace_text(self.detail), name)
        except OSError as error:
            self.notify(
                clean(f"Saving {name} failed: {error}", single_line=True),
                severity="error",
                markup=False,
            )
            return
        self.notify(clean(f"Saved the trace to {path}", single_line=True), markup=False)
