"""A stacked bar chart of counts per day, drawn as Rich Text at the widget's size.

The chart is built again whenever the widget is resized or given new data.
NOTE: plotext 6.1.0, a dependency in pyproject.toml, is not used here. Its
stacked bars run into their neighbours when a bar is narrower than three
columns, and drawing each layer as a separate rectangle aborted the process
(an assertion in its C++ kernel) at 30 bars of 10 layers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget

from flaskdash_tui.palette import OTHER_STYLE, EndpointStyle

MIN_WIDTH = 20
MIN_HEIGHT = 5


@dataclass(frozen=True)
class BarSeries:
    """One layer of the stack: a named series with one count per bar."""

    label: str
    style: EndpointStyle
    counts: list[int]


def fold_series(series: list[BarSeries], keep: int) -> list[BarSeries]:
    """Return the first ``keep`` series, and the rest added up as "other".

    A stack of more than about ten layers is hard to read in a terminal.

    Args:
        series: Layers in stacking order, largest first.
        keep: How many layers to keep as they are.
    """
    if len(series) <= keep + 1:
        return list(series)
    rest = series[keep:]
    counts = [
        sum(values) for values in zip(*(item.counts for item in rest), strict=True)
    ]
    other = BarSeries(f"{len(rest)} other endpoints", OTHER_STYLE, counts)
    return [*series[:keep], other]


def nice_ticks(maximum: int, count: int) -> list[int]:
    """Return about ``count`` round tick values from 0 to at least ``maximum``."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(
        magnitude * factor for factor in (1, 2, 2.5, 5, 10) if magnitude * factor >= raw
    )
    step = max(int(step), 1)
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def day_labels(days: list[dt.date]) -> list[str]:
    """Return an x-axis label per day: ``MM-DD``."""
    return [day.strftime("%m-%d") for day in days]


def bars_per_group(count: int, plot_width: int) -> int:
    """Return how many neighbouring days one bar shows so that bars fit.

    Every bar needs two columns, one for the bar and one for the gap.
    """
    return max(1, math.ceil(count / max(plot_width // 2, 1)))


def render_chart(
    labels: list[str],
    series: list[BarSeries],
    width: int,
    height: int,
    cursor: int | None = None,
) -> Text:
    """Draw the stacked bars, their axes and labels as Rich Text.

    Each bar is a column of cells. A cell shows the layer that contains the
    value at its vertical middle, in that layer's glyph and colour, so the
    chart reads without colour too. When there are more bars than pairs of
    columns, neighbouring bars are drawn together as one, added up.

    Args:
        labels: One x-axis label per bar, such as ``MM-DD``.
        series: The layers, bottom first, each with one count per bar.
        width: Columns of the whole chart, axes included.
        height: Rows of the whole chart, axes included.
        cursor: The bar to highlight, or None.
    """
    width = max(width, MIN_WIDTH)
    height = max(height, MIN_HEIGHT)
    count = len(labels)
    plot_rows = height - 2
    layers = [item.counts for item in series]
    totals = (
        [sum(column) for column in zip(*layers, strict=True)] if layers else [0] * count
    )

    tick_count = max(2, min(5, plot_rows // 3))
    label_width = len(f"{nice_ticks(max(totals, default=0), tick_count)[-1]:,}")
    group = bars_per_group(count, width - label_width - 1)
    groups = [
        range(first, min(first + group, count)) for first in range(0, count, group)
    ]
    group_totals = [sum(totals[day] for day in days) for days in groups]
    ticks = nice_ticks(max(group_totals, default=0), tick_count)
    top = ticks[-1]
    label_width = max(label_width, len(f"{top:,}"))
    plot_width = width - label_width - 1
    slot = plot_width // max(len(groups), 1)
    bar_width = max(1, min(slot - 1, 6))
    unit = top / plot_rows

    grid: list[list[tuple[str, Style | None]]] = [
        [(" ", None)] * plot_width for _ in range(plot_rows)
    ]
    for position, days in enumerate(groups):
        heights = [sum(layer[day] for day in days) for layer in layers]
        highlighted = cursor is not None and cursor in days
        left = position * slot
        for row in range(plot_rows):
            middle = (row + 0.5) * unit
            layer_index = _layer_at(heights, middle)
            if layer_index is None and row == 0 and sum(heights) > 0:
                layer_index = next(i for i, value in enumerate(heights) if value)
            if layer_index is None:
                continue
            style = series[layer_index].style.style
            if highlighted:
                style += Style(reverse=True)
            cell = (series[layer_index].style.glyph, style)
            for column in range(left, min(left + bar_width, plot_width)):
                grid[plot_rows - 1 - row][column] = cell

    tick_rows = {min(plot_rows - 1, math.floor(tick / unit)): tick for tick in ticks}
    text = Text(no_wrap=True, end="")
    for line_index, cells in enumerate(grid):
        row = plot_rows - 1 - line_index
        if row in tick_rows:
            text.append(f"{tick_rows[row]:,}".rjust(label_width), style="dim")
            text.append("┤", style="dim")
        else:
            text.append(" " * label_width + "│", style="dim")
        # One append per run of equal cells keeps a redraw at a few ms.
        for (glyph, cell_style), run in itertools.groupby(cells):
            text.append(glyph * len(list(run)), style=cell_style)
        text.append("\n")
    text.append(" " * label_width + "└" + "─" * plot_width + "\n", style="dim")
    text.append(" " * (label_width + 1))
    text.append_text(_x_labels(labels, groups, slot, plot_width, cursor))
    return text


def _layer_at(heights: list[int], value: float) -> int | None:
    # The index of the layer whose band of the stack contains ``value``.
    cumulative = 0
    for index, height in enumerate(heights):
        cumulative += height
        if value < cumulative:
            return index
    return None


def _x_labels(
    labels: list[str],
    groups: list[range],
    slot: int,
    plot_width: int,
    cursor: int | None,
) -> Text:
    # A label goes under its bar unless it would touch a label already placed.
    # The highlighted bar's label is placed first, in reverse video.
    line = [" "] * plot_width
    styles: list[str] = [""] * plot_width
    cursor_position = next(
        (index for index, days in enumerate(groups) if cursor in days), None
    )
    order = list(range(len(groups)))
    if cursor_position is not None:
        order.remove(cursor_position)
        order.insert(0, cursor_position)

    placed: list[tuple[int, int]] = []
    for position in order:
        label = labels[groups[position][0]]
        left = position * slot
        right = left + len(label)
        if right > plot_width:
            continue
        if any(left <= end and start <= right for start, end in placed):
            continue
        placed.append((left, right))
        for offset, character in enumerate(label):
            line[left + offset] = character
            if position == cursor_position:
                styles[left + offset] = "reverse"
    text = Text(no_wrap=True, end="")
    for character, style in zip(line, styles, strict=True):
        text.append(character, style=style)
    return text


class StackedBarChart(Widget):
    """A stacked bar chart that fills its region and redraws on resize."""

    DEFAULT_CSS = """
    StackedBarChart {
        height: 1fr;
        min-height: 6;
    }
    """

    cursor: reactive[int | None] = reactive(None)
    """The index of the marked bar, or None for no mark."""

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._labels: list[str] = []
        self._series: list[BarSeries] = []
        self._cache: tuple[tuple[int, int, int | None], Text] | None = None

    def set_data(self, labels: list[str], series: list[BarSeries]) -> None:
        """Replace the bars and draw them again."""
        self._labels = labels
        self._series = series
        self._cache = None
        self.refresh()

    @property
    def bar_count(self) -> int:
        """The number of bars on the chart."""
        return len(self._labels)

    def watch_cursor(self) -> None:
        self._cache = None

    def on_resize(self) -> None:
        self._cache = None
        self.refresh()

    def render(self) -> RenderResult:
        key = (self.size.width, self.size.height, self.cursor)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        text = render_chart(
            self._labels, self._series, self.size.width, self.size.height, self.cursor
        )
        self._cache = (key, text)
        return text
