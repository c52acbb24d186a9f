"""Horizontal box plots of response times, one row per box, on a shared axis.

Each row reads without colour::

    ▶ api.translate   ├──────▐███┃████▌─────────┤  •   •
                      └────┬────┬────┬────┬────┬─── ms
                           0   200  400  600  800

The box spans the first to the third quartile, drawn with full and half
blocks so that its ends fall on half columns, and ``┃`` marks the median.
The whiskers ``├─`` and ``─┤`` reach the most extreme durations within 1.5
interquartile ranges of the box (Tukey's rule), and ``•`` marks durations
beyond them. The theme colours each part through the component classes,
except the box of a row that sets its own colour (one endpoint's row).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from flaskdash_tui.queries.boxstats import OUTLIER_POINTS_LIMIT, WHISKER_IQR, BoxStats
from flaskdash_tui.widgets.axis import Axis, format_ms
from flaskdash_tui.widgets.counts import count_text

BOX = "█"
BOX_LEFT_HALF = "▌"
BOX_RIGHT_HALF = "▐"
MEDIAN = "┃"
WHISKER = "─"
WHISKER_LOW_END = "├"
WHISKER_HIGH_END = "┤"
OUTLIER = "•"
CLIPPED = "»"
CURSOR = "▶"

LABEL_MAX_WIDTH = 72
"""Widest label column. Below three times this width, a third of the widget's
width is the limit, so the plot keeps two thirds."""
AXIS_LINES = 2
"""The axis line with its ticks, and the line of tick labels."""
TICK_SPACING = 8
"""Columns between tick marks, at least."""


def legend_text() -> Text:
    """Return the line that explains the glyphs and the whisker rule."""
    return Text(
        f"{BOX} p25 to p75  {MEDIAN} median  {WHISKER_LOW_END}{WHISKER}"
        f"{WHISKER_HIGH_END} whiskers: furthest durations within {WHISKER_IQR:g}"
        f" IQR of the box (Tukey)  {OUTLIER} beyond (up to"
        f" {OUTLIER_POINTS_LIMIT} shown)  {CLIPPED} past the axis end  quantiles exact",
        end="",
    )


def format_duration(value: float) -> str:
    """Format milliseconds with about three significant digits: ``4.27``, ``1,204``."""
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def figures_text(label: Text, stats: BoxStats) -> Text:
    """Return two lines: the box's label and counts, then its quantiles in ms."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append_text(label)
    text.stylize("bold")
    requests = count_text(stats.count, "request")
    text.append(f" · {requests} · {stats.outliers:,} beyond whiskers")
    text.append("\n")
    figures = (
        ("min", stats.minimum),
        ("p25", stats.p25),
        ("median", stats.median),
        ("p75", stats.p75),
        ("p90", stats.p90),
        ("p99", stats.p99),
        ("max", stats.maximum),
    )
    for position, (name, value) in enumerate(figures):
        if position:
            text.append("  ")
        text.append(f"{name} ")
        text.append(format_duration(value), style="bold" if name == "median" else "")
    text.append(" ms")
    return text


@dataclass(frozen=True)
class BoxRow:
    """One box and its label."""

    key: Hashable
    """Identifies the row across reloads, so the cursor stays on it."""
    label: Text
    """Built by the caller with ``flaskdash_tui.text.literal`` for data.

    Colours in the label, such as an endpoint's swatch, take precedence over
    the label's component class."""
    stats: BoxStats
    box_style: Style | None = None
    """The box's colour when the row is one endpoint, or None for the theme colour."""


class BoxPlot(Widget, can_focus=True):
    """Rows of horizontal box plots with a cursor, over one axis in ms."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "boxplot--box",
        "boxplot--median",
        "boxplot--whisker",
        "boxplot--outlier",
        "boxplot--label",
        "boxplot--cursor",
        "boxplot--axis",
    }

    DEFAULT_CSS = """
    BoxPlot {
        height: 1fr;
        min-height: 4;
    }
    BoxPlot > .boxplot--box { color: $primary; }
    BoxPlot > .boxplot--median { color: $accent; text-style: bold; }
    BoxPlot > .boxplot--whisker { color: $foreground; }
    BoxPlot > .boxplot--outlier { color: $warning; }
    BoxPlot > .boxplot--label { color: $foreground; }
    BoxPlot > .boxplot--cursor { text-style: reverse; }
    BoxPlot > .boxplot--axis { color: $foreground-muted; }
    """

    log_scale: reactive[bool] = reactive(False)
    """Whether the axis is logarithmic."""
    cursor: reactive[int] = reactive(0)
    """The index of the selected row."""

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another row, or the rows were replaced."""

        box_plot: BoxPlot
        index: int
        row: BoxRow

    def __init__(
        self,
        empty_message: str = "No requests in this range.",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.rows: list[BoxRow] = []
        self.empty_message = empty_message
        self._top = 0

    @property
    def selected(self) -> BoxRow | None:
        """The row under the cursor, or None without rows."""
        if not self.rows:
            return None
        return self.rows[min(self.cursor, len(self.rows) - 1)]

    def set_rows(self, rows: Sequence[BoxRow]) -> None:
        """Replace the rows, keeping the cursor on the same key when it remains."""
        previous = self.selected
        self.rows = list(rows)
        index = 0
        if previous is not None:
            for position, row in enumerate(self.rows):
                if row.key == previous.key:
                    index = position
                    break
        self.set_reactive(BoxPlot.cursor, index)
        self._announce()
        self.refresh()

    def action_cursor_up(self) -> None:
        """Select the row above."""
        self.action_cursor_to(self.cursor - 1)

    def action_cursor_down(self) -> None:
        """Select the row below."""
        self.action_cursor_to(self.cursor + 1)

    def action_cursor_to(self, index: int) -> None:
        """Select row ``index``; -1 is the last row."""
        if not self.rows:
            return
        if index == -1:
            index = len(self.rows) - 1
        self.cursor = min(max(index, 0), len(self.rows) - 1)

    def watch_cursor(self) -> None:
        self._announce()
        self.refresh()

    def watch_log_scale(self) -> None:
        self.refresh()

    def _announce(self) -> None:
        row = self.selected
        if row is not None:
            self.post_message(self.Highlighted(self, self.cursor, row))

    def on_resize(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        """Select the row that was clicked."""
        index = self._top + event.y
        if event.y < max(self.size.height - AXIS_LINES, 1) and index < len(self.rows):
            self.cursor = index

    def render(self) -> RenderResult:
        """Draw the visible rows and the axis."""
        if not self.rows:
            return Text(self.empty_message, end="")
        width = self.size.width
        longest = max(row.label.cell_len for row in self.rows)
        label_width = min(longest, LABEL_MAX_WIDTH, width // 3)
        # The cursor mark and a space go before the label, a space after it,
        # and the unit label after the axis.
        plot_left = label_width + 3
        plot_width = max(width - plot_left - len(" log ms") - 1, 4)
        axis = self._axis(plot_width)
        height = max(self.size.height - AXIS_LINES, 1)
        self._scroll_to_cursor(height)

        styles = {
            name: self.get_component_rich_style(f"boxplot--{name}")
            for name in ("box", "median", "whisker", "outlier", "label", "cursor")
        }
        lines = []
        for index in range(self._top, min(self._top + height, len(self.rows))):
            row = self.rows[index]
            line = Text(no_wrap=True, end="")
            selected = index == self.cursor
            line.append(CURSOR if selected else " ")
            line.append(" ")
            label = row.label.copy()
            label.truncate(label_width, overflow="ellipsis", pad=True)
            label.stylize_before(styles["cursor"] if selected else styles["label"])
            line.append_text(label)
            line.append(" ")
            row_styles = styles
            if row.box_style is not None:
                row_styles = {**styles, "box": styles["box"] + row.box_style}
            line.append_text(draw_box(row.stats, axis, row_styles))
            lines.append(line)
        lines.extend(self._axis_lines(axis, plot_left))
        return Text("\n", end="").join(lines)

    def _axis(self, plot_width: int) -> Axis:
        if self.log_scale:
            low = min(row.stats.minimum for row in self.rows)
            high = max(row.stats.maximum for row in self.rows)
            return Axis.spanning(low, high, plot_width, log=True)
        # A linear axis ends past the longest whisker, because one far outlier
        # would otherwise squeeze every box into a few columns. Outliers past
        # the end show as a mark in the last column.
        high = max(row.stats.whisker_high for row in self.rows)
        return Axis.spanning(0.0, high, plot_width, log=False)

    def _scroll_to_cursor(self, height: int) -> None:
        if self.cursor < self._top:
            self._top = self.cursor
        elif self.cursor >= self._top + height:
            self._top = self.cursor - height + 1
        self._top = max(0, min(self._top, max(len(self.rows) - height, 0)))

    def _axis_lines(self, axis: Axis, plot_left: int) -> list[Text]:
        style = self.get_component_rich_style("boxplot--axis")
        ticks = axis.ticks(max(axis.width // TICK_SPACING, 2))
        marks = [WHISKER] * axis.width
        labels = [" "] * (axis.width + 8)
        next_free = 0
        for value in ticks:
            column = axis.column(value)
            marks[column] = "┬"
            text = format_ms(value)
            start = max(column - len(text) // 2, 0)
            if start < next_free or start + len(text) > len(labels):
                continue
            labels[start : start + len(text)] = list(text)
            next_free = start + len(text) + 1
        scale = "log ms" if axis.log else "ms"
        mark_line = Text(" " * (plot_left - 1) + "└", style=style, no_wrap=True, end="")
        mark_line.append("".join(marks) + " " + scale, style=style)
        label_line = Text(" " * plot_left, style=style, no_wrap=True, end="")
        label_line.append("".join(labels).rstrip(), style=style)
        return [mark_line, label_line]


def draw_box(stats: BoxStats, axis: Axis, styles: dict[str, Style]) -> Text:
    """Draw one box, its whiskers and its outliers across ``axis.width`` columns."""
    cells: list[tuple[str, str]] = [(" ", "whisker")] * axis.width
    low_column = axis.column(stats.whisker_low)
    high_column = axis.column(stats.whisker_high)
    q1_column, q1_right = axis.position(stats.p25)
    q3_column, q3_right = axis.position(stats.p75)
    for column in range(low_column, high_column + 1):
        cells[column] = (WHISKER, "whisker")
    cells[low_column] = (WHISKER_LOW_END, "whisker")
    cells[high_column] = (WHISKER_HIGH_END, "whisker")
    for column in range(q1_column, q3_column + 1):
        cells[column] = (BOX, "box")
    if q1_column != q3_column:
        if q1_right:
            cells[q1_column] = (BOX_RIGHT_HALF, "box")
        if not q3_right:
            cells[q3_column] = (BOX_LEFT_HALF, "box")
    cells[axis.column(stats.median)] = (MEDIAN, "median")
    for value in stats.outlier_points:
        column = axis.column(value)
        glyph = CLIPPED if value > axis.high else OUTLIER
        if cells[column][0] in (" ", OUTLIER):
            cells[column] = (glyph, "outlier")
    text = Text(no_wrap=True, end="")
    for glyph, part in cells:
        text.append(glyph, style=styles[part])
    return text
