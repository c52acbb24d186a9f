"""The exceptions view: the app's exceptions grouped by type and origin.

A group is one exception type raised from one place, the innermost frame of
the app's own code. The table lists the groups most recently seen first, and
the pane below shows the traceback of the newest exception of the highlighted
group. :class:`ExceptionsPanel` is also the exceptions tab of the endpoint
detail view, limited to that endpoint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import PurePath
from typing import ClassVar

import peewee as pw
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable

from flaskdash_tui import keys
from flaskdash_tui.clipboard import exception_text
from flaskdash_tui.palette import endpoint_label
from flaskdash_tui.queries.exception_groups import ExceptionGroups
from flaskdash_tui.queries.faults import (
    ExceptionDetail,
    ExceptionGroupSummary,
    get_exception,
)
from flaskdash_tui.queries.frames import Frame
from flaskdash_tui.screens.base import BaseScreen
from flaskdash_tui.screens.trace_panel import TracePanel
from flaskdash_tui.text import clean, literal
from flaskdash_tui.widgets.stacktrace import TracePane

VIEW_NAME = "exceptions"

keys.register(
    "exceptions.copy",
    "c",
    "copy_trace",
    "Copy",
    scope=VIEW_NAME,
    help="Copy the shown traceback to the clipboard (OSC 52, works over SSH)",
)
# "S" as in the detail view's tabs, where "w" selects the last 7 days.
keys.register(
    "exceptions.save",
    "S",
    "save_trace",
    "Save",
    scope=VIEW_NAME,
    help="Save the shown traceback to a text file in the current folder",
)


def format_moment(moment: float, timezone: dt.tzinfo) -> str:
    """Return a time in the operator's zone to the minute, for table cells."""
    return f"{dt.datetime.fromtimestamp(moment, timezone):%Y-%m-%d %H:%M}"


def short_type(qualified: str) -> str:
    """Return an exception type without the ``builtins.`` module prefix."""
    return qualified.removeprefix("builtins.")


def describe_origin(origin: Frame | None) -> str:
    """Return where a group was raised as ``file.py:LINE function``."""
    if origin is None:
        return "no frames stored"
    line = "" if origin.line is None else f":{origin.line}"
    return f"{PurePath(origin.file).name}{line} {origin.function}"


def describe_versions(versions: Sequence[str]) -> str:
    """Return the versions of a group, oldest first; past two, the oldest and newest.

    Three or more read ``OLDEST … NEWEST (COUNT)``, so that the column stays
    narrow however many deployments raised the exception.
    """
    if len(versions) <= 2:
        return ", ".join(versions)
    return f"{versions[0]} … {versions[-1]} ({len(versions)})"


def _cell(value: str, style: str = "") -> Text:
    cell = literal(value, style=style)
    cell.no_wrap = True
    cell.overflow = "ellipsis"
    return cell


def _endpoints_cell(row: ExceptionGroupSummary) -> Text:
    cell = Text(no_wrap=True, overflow="ellipsis", end="")
    for position, name in enumerate(row.endpoints):
        if position:
            cell.append(", ")
        endpoint_id = row.endpoint_ids.get(name)
        if endpoint_id is None:
            cell.append(clean(name, single_line=True))
        else:
            cell.append_text(endpoint_label(endpoint_id, name))
    return cell


class ExceptionsPanel(TracePanel[ExceptionGroupSummary, ExceptionDetail]):
    """Exception groups of the app or of one endpoint, and a traceback."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(
        "exceptions.copy", "exceptions.save"
    )
    # Versions comes before the long Origin, so that it stays visible at 80
    # columns. The traceback pane below shows the origin in full.
    COLUMNS = ("Last seen", "Count", "Type", "Versions", "Origin", "First seen")
    EMPTY_MESSAGE = "No exceptions recorded."

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        load_on_mount: bool = False,
        id: str | None = None,
    ) -> None:
        """Create the panel; see :class:`TracePanel`."""
        super().__init__(endpoint, load_on_mount=load_on_mount, id=id)
        self._groups: ExceptionGroups | None = None
        """Totals kept between reloads, for the scope last queried."""

    def columns(self) -> Sequence[str]:
        """Return the columns, with endpoints when the panel covers the whole app."""
        if self.endpoint is None:
            return (*self.COLUMNS, "Endpoints")
        return self.COLUMNS

    def query_rows(self, database: pw.Database) -> list[ExceptionGroupSummary]:
        """Query the exception groups (worker thread)."""
        start, end = self.time_bounds(database)
        groups = self._groups
        if groups is None or groups.scope != (self.endpoint, start, end):
            groups = self._groups = ExceptionGroups(self.endpoint, start=start, end=end)
        return groups.update(database)

    def query_trace(
        self, database: pw.Database, row: ExceptionGroupSummary
    ) -> ExceptionDetail | None:
        """Query the newest exception of a group (worker thread)."""
        return get_exception(database, row.latest_id)

    def row_key(self, row: ExceptionGroupSummary) -> str:
        """Return the group's type and origin as one key."""
        origin = row.origin
        if origin is None:
            return row.type
        return f"{row.type}\0{origin.file}\0{origin.line}\0{origin.function}"

    def trace_key(self, row: ExceptionGroupSummary) -> str:
        """Return a key that changes when a newer exception joins the group."""
        return f"{self.row_key(row)}\0{row.latest_id}"

    def cells(self, row: ExceptionGroupSummary) -> list[Text]:
        """Return the cells of a group's row."""
        cells = [
            Text(format_moment(row.last_seen, self.timezone)),
            Text(f"{row.count:,}", justify="right"),
            _cell(short_type(row.type), style="bold"),
            _cell(describe_versions(row.versions)),
            _cell(describe_origin(row.origin)),
            Text(format_moment(row.first_seen, self.timezone)),
        ]
        if self.endpoint is None:
            cells.append(_endpoints_cell(row))
        return cells

    def show_trace(self, pane: TracePane, detail: ExceptionDetail) -> None:
        """Show an exception's traceback and request."""
        pane.show_exception(detail, self.timezone)

    def trace_text(self, detail: ExceptionDetail) -> str:
        """Return an exception's traceback as plain text."""
        return exception_text(detail, self.timezone)

    def trace_file_name(self, detail: ExceptionDetail) -> str:
        """Return ``flaskdash-exception-ID.txt``."""
        return f"flaskdash-exception-{detail.id}.txt"


class ExceptionsScreen(BaseScreen[list[ExceptionGroupSummary]]):
    """Every exception group of the app, with the traceback of the selected one."""

    VIEW_NAME = VIEW_NAME

    def compose_body(self) -> ComposeResult:
        """Compose the exceptions panel for the whole app."""
        yield ExceptionsPanel(id="exceptions")

    def on_mount(self) -> None:
        """Focus the table; BaseScreen.on_mount then starts the first load."""
        # Textual runs the on_mount of every class in the MRO, this one first.
        self.query_one(ExceptionsPanel).query_one(DataTable).focus()

    def __init__(self, endpoint: str | None = None) -> None:
        """Create the view; it covers the whole app, whatever ``endpoint`` is."""
        super().__init__(endpoint)
        self.groups = ExceptionGroups()
        """Totals kept between reloads, so a reload reads only new exceptions."""

    @property
    def selected_endpoint(self) -> str | None:
        """The endpoint of the exception whose traceback is shown."""
        detail = self.query_one(ExceptionsPanel).detail
        return None if detail is None else detail.endpoint

    def load_data(self) -> list[ExceptionGroupSummary]:
        """Query every exception group of the app."""
        return self.groups.update(self.database)

    def show_data(self, data: list[ExceptionGroupSummary]) -> None:
        """Show the groups, keeping the highlighted one."""
        self.query_one(ExceptionsPanel).show_rows(data)
