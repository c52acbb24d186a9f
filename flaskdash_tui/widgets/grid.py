"""A table of median response time per user (rows) and version (columns).

Each cell shows the median in ms and a mark against the same user's
previous version: ``▲`` slower or ``▼`` faster by more than
:data:`CHANGE_RATIO`, so a cell reads without colour. ``·`` is a pair
without requests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

from flaskdash_tui.queries.performance import GridCell, UserVersionGrid, VersionInfo
from flaskdash_tui.text import clean, literal
from flaskdash_tui.widgets.boxplot import format_duration
from flaskdash_tui.widgets.counts import count_text

CHANGE_RATIO = 0.10
"""The relative change of a median that earns a ``▲`` or ``▼`` mark."""

SLOWER = "▲"
FASTER = "▼"
NO_REQUESTS = "·"


def others_label(count: int, noun: str) -> str:
    """Return the label of a folded row, such as ``others (12 users)``."""
    return f"others ({count_text(count, noun)})"


def version_date(version: VersionInfo, timezone: dt.tzinfo) -> dt.date:
    """Return the commit date of a version, else the date it was first seen."""
    moment = (
        version.committed_at if version.committed_at is not None else version.first_seen
    )
    return dt.datetime.fromtimestamp(moment, timezone).date()


def change_mark(previous: GridCell | None, current: GridCell) -> str:
    """Return ``▲``, ``▼`` or a space for the change from the previous version."""
    if previous is None or previous.median <= 0:
        return " "
    ratio = current.median / previous.median - 1
    if ratio > CHANGE_RATIO:
        return SLOWER
    if ratio < -CHANGE_RATIO:
        return FASTER
    return " "


@dataclass(frozen=True)
class CellInfo:
    """The user, version and figures of one grid cell."""

    user: str | None
    version: VersionInfo
    cell: GridCell | None


class MedianGrid(DataTable[Text]):
    """Users by versions, with the median duration of each pair."""

    DEFAULT_CSS = """
    MedianGrid {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, header_height=2, cursor_type="cell", zebra_stripes=True)
        self.grid: UserVersionGrid | None = None

    def set_grid(self, grid: UserVersionGrid, timezone: dt.tzinfo) -> None:
        """Replace the table, keeping the cursor where it was when it still fits."""
        cursor = self.cursor_coordinate
        self.grid = grid
        self.clear(columns=True)
        self.add_column(Text("user"), key="user")
        for version in grid.versions:
            header = Text(no_wrap=True, end="")
            header.append(clean(version.short_name, single_line=True))
            header.append(f"\n{version_date(version, timezone):%Y-%m-%d}")
            self.add_column(header, key=str(version.id))
        for user in grid.users:
            label = (
                Text(others_label(grid.others, "user"), style="italic")
                if user is None
                else literal(user)
            )
            cells = [label]
            previous: GridCell | None = None
            for version in grid.versions:
                cell = grid.cells.get((user, version.id))
                if cell is None:
                    cells.append(Text(NO_REQUESTS, justify="right"))
                    continue
                mark = change_mark(previous, cell)
                cells.append(
                    Text(f"{format_duration(cell.median)}{mark}", justify="right")
                )
                previous = cell
            self.add_row(*cells)
        if grid.users and grid.versions:
            row = min(cursor.row, len(grid.users) - 1)
            column = min(max(cursor.column, 1), len(grid.versions))
            self.move_cursor(row=row, column=column)

    def cell_info(self, row: int, column: int) -> CellInfo | None:
        """Return the user, version and cell at a position, None on the user column."""
        grid = self.grid
        if grid is None or column < 1 or row >= len(grid.users):
            return None
        if column - 1 >= len(grid.versions):
            return None
        user = grid.users[row]
        version = grid.versions[column - 1]
        return CellInfo(user, version, grid.cells.get((user, version.id)))
