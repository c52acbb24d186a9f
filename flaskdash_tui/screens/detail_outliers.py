"""The outliers tab of the endpoint detail view.

An outlier is a request that ran far longer than the endpoint's running
average, so capture sampled its stack, CPU, memory and load while it was
still running. The table lists the endpoint's outliers newest first, and the
pane below shows the highlighted one's stack beside what was stored with it.

The detail view hosts the tab as ``OutliersPanel(endpoint, load_on_mount=True)``
and calls :meth:`OutliersPanel.reload` when the database changes. The list
covers the detail view's time range.

NOTE: like the hits tab, the panel reads the range when it loads, so after
``[`` or ``]`` it shows the new range only at its next reload.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import peewee as pw
from rich.text import Text
from textual.binding import BindingType

from flaskdash_tui import keys, views
from flaskdash_tui.clipboard import outlier_text
from flaskdash_tui.queries.faults import (
    OutlierDetail,
    OutlierSummary,
    get_outlier,
    list_outliers,
)
from flaskdash_tui.screens.trace_panel import TracePanel
from flaskdash_tui.text import literal
from flaskdash_tui.widgets.stacktrace import TracePane

COPY_KEY = f"{views.DETAIL_VIEW}.copy_trace"
SAVE_KEY = f"{views.DETAIL_VIEW}.save_trace"
KEY_HINT = "c copy, S save to a file"
"""The detail view's footer is full, so the panels name their keys here."""

keys.register(
    COPY_KEY,
    "c",
    "copy_trace",
    "Copy",
    scope=views.DETAIL_VIEW,
    show=False,
    help="Copy the shown trace to the clipboard (OSC 52, works over SSH)",
)
# Not "w": the detail view's range keys use it for the last 7 days.
keys.register(
    SAVE_KEY,
    "S",
    "save_trace",
    "Save",
    scope=views.DETAIL_VIEW,
    show=False,
    help="Save the shown trace to a text file in the current folder",
)


def format_ratio(ratio: float | None) -> str:
    """Return how many times the running average a request took: ``12.5x``."""
    return "?" if ratio is None else f"{ratio:,.1f}x"


class OutliersPanel(TracePanel[OutlierSummary, OutlierDetail]):
    """One endpoint's outliers, and the stack of the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(COPY_KEY, SAVE_KEY)
    KEY_HINT = KEY_HINT
    COLUMNS = ("Time", "Duration", "Avg x", "Version", "User", "Status")
    EMPTY_MESSAGE = (
        "No outliers recorded. A request becomes one when it runs far longer "
        "than the endpoint's running average."
    )

    def query_rows(self, database: pw.Database) -> list[OutlierSummary]:
        """Query the endpoint's outliers, newest first (worker thread)."""
        if self.endpoint is None:
            return []
        start, end = self.time_bounds(database)
        return list_outliers(database, self.endpoint, start=start, end=end)

    def query_trace(
        self, database: pw.Database, row: OutlierSummary
    ) -> OutlierDetail | None:
        """Query what was stored with one outlier (worker thread)."""
        return get_outlier(database, row.request_id)

    def row_key(self, row: OutlierSummary) -> str:
        """Return the request id."""
        return str(row.request_id)

    def cells(self, row: OutlierSummary) -> list[Text]:
        """Return the cells of an outlier's row."""
        local = dt.datetime.fromtimestamp(row.time, self.timezone)
        user = literal(row.group)
        user.no_wrap = True
        user.overflow = "ellipsis"
        return [
            Text(f"{local:%Y-%m-%d %H:%M:%S}"),
            Text(f"{row.duration:,.0f} ms", justify="right"),
            Text(format_ratio(row.ratio), justify="right"),
            literal(row.version),
            user,
            Text(str(row.status), justify="right"),
        ]

    def show_trace(self, pane: TracePane, detail: OutlierDetail) -> None:
        """Show an outlier's stack and stored facts."""
        pane.show_outlier(detail, self.timezone)

    def trace_text(self, detail: OutlierDetail) -> str:
        """Return an outlier's stack and facts as plain text."""
        return outlier_text(detail, self.timezone)

    def trace_file_name(self, detail: OutlierDetail) -> str:
        """Return ``flaskdash-outlier-REQUEST.txt``."""
        return f"flaskdash-outlier-{detail.summary.request_id}.txt"
