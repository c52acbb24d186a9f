"""A grid of days by the 24 hours of the day, shaded by request count.

Each cell is two columns wide, drawn with one of the shade characters
" ░▒▓█" so that the grid reads without colour, and styled with the
component class of its level so that the theme colours it. A cursor moves
over the cells with the arrow keys and the widget posts
:class:`Heatmap.CursorMoved` with the day, hour and exact count under it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

SHADES = (" ", "░", "▒", "▓", "█")
"""The glyph of each level: no requests, then four steps of the scale."""

CELL_WIDTH = 2
"""Columns of a cell at 80 columns; wider terminals get up to :data:`MAX_CELL_WIDTH`."""
MAX_CELL_WIDTH = 4
DAY_LABEL_WIDTH = 10
"""``Mon 11-17`` and a space."""
MIN_WIDTH = DAY_LABEL_WIDTH + 24 * CELL_WIDTH
"""Columns of the narrowest grid; a narrower widget shows a message instead."""


@dataclass(frozen=True)
class Scale:
    """The upper bound of each shaded level.

    Level 0 is exactly 0 requests, and level i covers ``bounds[i - 1] + 1`` to
    ``bounds[i]`` requests.
    """

    bounds: tuple[int, ...]

    @classmethod
    def for_maximum(cls, maximum: int) -> Scale:
        """Build four levels of equal width that reach at least ``maximum``."""
        step = max(1, math.ceil(maximum / (len(SHADES) - 1)))
        return cls(tuple(step * level for level in range(len(SHADES))))

    def level(self, count: int) -> int:
        """Return the level, 0 to 4, of a count."""
        if count <= 0:
            return 0
        for level, bound in enumerate(self.bounds[1:], start=1):
            if count <= bound:
                return level
        return len(self.bounds) - 1

    def legend(self) -> list[tuple[str, str]]:
        """Return ``(glyph, range)`` pairs such as ``("░", "1-25")`` per level."""
        entries = [(SHADES[0], "0")]
        for level in range(1, len(self.bounds)):
            low = self.bounds[level - 1] + 1
            high = self.bounds[level]
            label = f"{low:,}" if low == high else f"{low:,}-{high:,}"
            entries.append((SHADES[level], label))
        return entries


class Heatmap(Widget, can_focus=True):
    """Requests per hour: one row per day, one column per hour, with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(0, -1)", "Earlier hour", show=False),
        Binding("right", "move(0, 1)", "Later hour", show=False),
        Binding("up", "move(-1, 0)", "Earlier day", show=False),
        Binding("down", "move(1, 0)", "Later day", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "heatmap--level-0",
        "heatmap--level-1",
        "heatmap--level-2",
        "heatmap--level-3",
        "heatmap--level-4",
        "heatmap--label",
    }

    DEFAULT_CSS = """
    Heatmap {
        height: 1fr;
        min-height: 4;
    }
    Heatmap > .heatmap--level-0 { color: $foreground-muted; }
    Heatmap > .heatmap--level-1 { color: $primary 50%; }
    Heatmap > .heatmap--level-2 { color: $primary 75%; }
    Heatmap > .heatmap--level-3 { color: $primary; }
    Heatmap > .heatmap--level-4 { color: $accent; }
    Heatmap > .heatmap--label { color: $foreground-muted; }
    """

    row: reactive[int] = reactive(0)
    """The index of the day under the cursor."""
    hour: reactive[int] = reactive(12)
    """The hour under the cursor, 0 to 23."""

    @dataclass
    class CursorMoved(Message):
        """The cursor moved to another cell, or the data under it changed."""

        day: dt.date
        hour: int
        count: int

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.days: list[dt.date] = []
        self.counts: list[list[int]] = []
        self.scale = Scale.for_maximum(0)
        self._top = 0

    def set_data(self, days: list[dt.date], counts: list[list[int]]) -> None:
        """Replace the grid; the cursor stays on the same row index if it can.

        A new grid puts the cursor on the last day, the newest.
        """
        first_data = not self.days
        self.days = days
        self.counts = counts
        maximum = max((max(row) for row in counts), default=0)
        self.scale = Scale.for_maximum(maximum)
        if first_data or self.row >= len(days):
            self.row = max(len(days) - 1, 0)
        self._announce()
        self.refresh()

    def cell_count(self) -> int | None:
        """Return the count under the cursor, or None without data."""
        if not self.counts:
            return None
        return self.counts[self.row][self.hour]

    def action_move(self, rows: int, hours: int) -> None:
        """Move the cursor by ``rows`` days and ``hours`` hours, within the grid."""
        if not self.days:
            return
        self.row = min(max(self.row + rows, 0), len(self.days) - 1)
        self.hour = min(max(self.hour + hours, 0), 23)

    def action_cursor_down(self) -> None:
        """Move the cursor one day later (``j``)."""
        self.action_move(1, 0)

    def action_cursor_up(self) -> None:
        """Move the cursor one day earlier (``k``)."""
        self.action_move(-1, 0)

    def watch_row(self) -> None:
        self._announce()
        self.refresh()

    def watch_hour(self) -> None:
        self._announce()
        self.refresh()

    def _announce(self) -> None:
        count = self.cell_count()
        if count is not None:
            self.post_message(self.CursorMoved(self.days[self.row], self.hour, count))

    def on_resize(self) -> None:
        self.refresh()

    def render(self) -> RenderResult:
        if self.size.width < MIN_WIDTH:
            # Textual would wrap each line of the grid, which leaves no cells
            # in view. The widget's padding and the screen's edges add columns.
            needed = self.app.size.width - self.size.width + MIN_WIDTH
            return Text(f"Terminal too narrow for the grid: need {needed} columns.")
        height = max(self.size.height - 1, 1)
        # Keep the cursor's row in view, showing the newest days by default.
        if self.row < self._top:
            self._top = self.row
        elif self.row >= self._top + height:
            self._top = self.row - height + 1
        self._top = max(0, min(self._top, max(len(self.days) - height, 0)))

        label_style = self.get_component_rich_style("heatmap--label")
        levels = [
            self.get_component_rich_style(f"heatmap--level-{level}")
            for level in range(len(SHADES))
        ]
        cell_width = (self.size.width - DAY_LABEL_WIDTH) // 24
        cell_width = max(CELL_WIDTH, min(MAX_CELL_WIDTH, cell_width))
        text = Text(no_wrap=True, end="")
        text.append(" " * DAY_LABEL_WIDTH, style=label_style)
        for hour in range(0, 24, 3):
            text.append(f"{hour:02d}".ljust(cell_width * 3), style=label_style)
        for index in range(self._top, min(self._top + height, len(self.days))):
            text.append("\n")
            day = self.days[index]
            text.append(f"{day:%a %m-%d} ", style=label_style)
            for hour, count in enumerate(self.counts[index]):
                level = self.scale.level(count)
                style = levels[level]
                if index == self.row and hour == self.hour:
                    style = style + Style(reverse=True)
                glyph = SHADES[level] * cell_width
                if index == self.row and hour == self.hour and level == 0:
                    glyph = "[" + " " * (cell_width - 2) + "]"
                text.append(glyph, style=style)
        return text
