"""A stacked bar chart of counts per day, drawn by plotext at the widget's size.

plotext 5.3 (its global API) draws the axes, the y tick labels and the bar
cells. Its ANSI output becomes Rich Text, and the x labels and the cursor's
reverse video are added to that Text afterwards, because plotext can neither
place one label first nor reverse one bar.

Each layer is one ``plotext.scatter`` call with a point per cell of the layer,
at whole columns and rows, because ``plotext.bar`` makes one plotext signal
per bar and layer. With plotext 5.3.2, 12 layers of 90 days at 200x50 took
about 180 ms to build as bars and about 30 ms as scatter points (one run on
a 2-core AMD EPYC).

NOTE: plotext keeps its figure in module-level state, so two threads drawing
at once would mix their charts. ``render_chart`` holds a lock while it uses
plotext, and the widget draws only in ``render``, on Textual's thread.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import threading
from dataclasses import dataclass

import plotext
from rich.console import Console
from rich.style import Style
from rich.text import Span, Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget

from flaskdash_tui.palette import OTHER_STYLE, EndpointStyle

MIN_WIDTH = 20
MIN_HEIGHT = 5
MAX_BAR_WIDTH = 6
"""Columns of one bar at most, so that a few days do not fill the screen."""

_PLOTEXT_LOCK = threading.Lock()
_PLOTEXT_RUN = re.compile(r"((?:\x1b\[[0-9;]*m)*)([^\x1b]*)(?:\x1b\[0m)?")
"""A run of plotext's output: its SGR codes, its characters, then a reset."""
_REVERSE = Style(reverse=True)


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

    Each layer shows in its own glyph and colour, so the chart reads without
    colour too. A layer's band ends at its cumulative count rounded to the
    nearest row, and a bar above 0 gets at least one row. When there are more
    bars than pairs of columns, neighbouring bars are drawn together as one,
    added up. Every bar gets the same whole number of columns, so the bars
    can end a few columns short of ``width``.

    Args:
        labels: One x-axis label per bar, such as ``MM-DD``.
        series: The layers, bottom first, each with one count per bar.
        width: Columns of the whole chart, axes included.
        height: Rows of the whole chart, axes included.
        cursor: The bar to highlight, or None.
    """
    return draw_chart(labels, series, width, height).with_cursor(cursor)


@dataclass(frozen=True)
class DrawnChart:
    """A chart drawn without its cursor and x labels, and where its bars are."""

    text: Text
    """The plot rows and the x axis, without a newline after the axis."""
    labels: list[str]
    groups: list[range]
    """The days of each bar, left to right."""
    bar_rows: list[int]
    """The number of rows that each bar fills, up from the x axis."""
    left: int
    """The column of the first bar."""
    slot: int
    """Columns from one bar to the next."""
    bar_width: int
    label_width: int
    """Columns for the x labels, from ``left`` to the chart's right edge."""

    def with_cursor(self, cursor: int | None) -> Text:
        """Return a copy of the chart with the bar of day ``cursor`` in reverse.

        The x labels are added here, because the cursor's label is placed
        first so that no other label can hide it.
        """
        text = self.text.copy()
        position = next(
            (index for index, days in enumerate(self.groups) if cursor in days), None
        )
        if position is not None:
            line_starts = _line_starts(text.plain)
            plot_rows = len(line_starts) - 1
            column = self.left + position * self.slot
            for line_index in range(plot_rows - self.bar_rows[position], plot_rows):
                start = line_starts[line_index] + column
                text.stylize(_REVERSE, start, start + self.bar_width)
        text.append("\n")
        text.append(" " * self.left)
        text.append_text(self._x_labels(position))
        return text

    def _x_labels(self, cursor_position: int | None) -> Text:
        # A label goes under its bar unless it would touch a label already
        # placed. The highlighted bar's label is placed first, in reverse, and
        # moved left when it would run past the right edge.
        line = [" "] * self.label_width
        order = list(range(len(self.groups)))
        if cursor_position is not None:
            order.remove(cursor_position)
            order.insert(0, cursor_position)

        placed: list[tuple[int, int]] = []
        for position in order:
            label = self.labels[self.groups[position][0]]
            left = position * self.slot
            if position == cursor_position:
                left = max(min(left, self.label_width - len(label)), 0)
            right = left + len(label)
            if right > self.label_width:
                continue
            if any(left <= end and start <= right for start, end in placed):
                continue
            placed.append((left, right))
            line[left:right] = label
        text = Text("".join(line), no_wrap=True, end="")
        if cursor_position is not None and placed:
            text.stylize("reverse", *placed[0])
        return text


def draw_chart(
    labels: list[str], series: list[BarSeries], width: int, height: int
) -> DrawnChart:
    """Draw the bars and axes of :func:`render_chart`, without cursor or x labels.

    A cursor move then needs only :meth:`DrawnChart.with_cursor`, which took
    under a millisecond at 200x50, instead of a new plotext build.
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
    tick_labels = [f"{tick:,}" for tick in ticks]
    label_width = max(label_width, len(tick_labels[-1]))
    # Two columns at least, or plotext divides by zero. Only a tick label of
    # more than width - 3 characters makes the chart wider than ``width``.
    plot_width = max(width - label_width - 1, 2)
    slot = plot_width // max(len(groups), 1)
    bar_width = max(1, min(slot - 1, MAX_BAR_WIDTH))
    canvas_width = slot * len(groups) if groups else plot_width

    bands = [
        _band_ends(
            [sum(layer[day] for day in days) for layer in layers], ticks[-1], plot_rows
        )
        for days in groups
    ]
    with _PLOTEXT_LOCK:
        ansi = _plot(
            series, bands, ticks, tick_labels, slot, bar_width, canvas_width, height
        )
    text = _text_from_plotext(ansi)
    # The x labels may run past the last bar, so the x axis runs under them.
    text.append("─" * (plot_width - canvas_width))
    line_starts = _line_starts(text.plain)
    for start in line_starts[:-1]:
        text.stylize("dim", start, start + label_width + 1)
    text.stylize("dim", line_starts[-1], len(text))
    return DrawnChart(
        text=text,
        labels=labels,
        groups=groups,
        bar_rows=[ends[-1] if ends else 0 for ends in bands],
        left=label_width + 1,
        slot=slot,
        bar_width=bar_width,
        label_width=plot_width,
    )


def _band_ends(heights: list[int], top: int, plot_rows: int) -> list[int]:
    # The row at which each layer's band ends, counted from the x axis, so
    # layer k fills rows ends[k - 1] to ends[k] - 1. A stack above 0 gets at
    # least one row.
    ends = []
    cumulative = 0
    for height in heights:
        cumulative += height
        rows = math.floor(cumulative * plot_rows / top + 0.5)
        ends.append(max(rows, 1) if cumulative > 0 else 0)
    return ends


def _plot(
    series: list[BarSeries],
    bands: list[list[int]],
    ticks: list[int],
    tick_labels: list[str],
    slot: int,
    bar_width: int,
    canvas_width: int,
    height: int,
) -> str:
    # Build the chart without x labels in plotext and return its ANSI text.
    # The x axis counts bars from 1, one unit per slot, so canvas column c is
    # at x = 1 + c / slot. With the y limits (unit, top), where unit is the
    # count of one row, row r is at y = (r + 1) * unit. A tick t then lands on
    # the row whose top edge is nearest to t, and tick 0 on the x axis.
    plot_rows = height - 2
    top = ticks[-1]
    unit = top / plot_rows
    plotext.clear_figure()
    # plotext otherwise cuts the figure to the size of the terminal that it
    # found when the figure was made, which need not be the widget's.
    plotext.limit_size(False, False)
    plotext.plotsize(len(tick_labels[-1]) + 1 + canvas_width, height - 1)
    plotext.theme("clear")
    plotext.xaxes(True, False)
    plotext.yaxes(True, False)
    plotext.xlim(1, 1 + (canvas_width - 1) / slot)
    plotext.ylim(unit, top)
    # An empty signal keeps the y axis and its labels on a chart with no layer.
    plotext.scatter([], [])
    for layer_index, item in enumerate(series):
        columns: list[float] = []
        rows: list[float] = []
        for position, ends in enumerate(bands):
            first = ends[layer_index - 1] if layer_index else 0
            for row in range(first, ends[layer_index]):
                for column in range(bar_width):
                    columns.append(1 + position + column / slot)
                    rows.append((row + 1) * unit)
        if columns:
            plotext.scatter(
                columns, rows, marker=item.style.glyph, color=item.style.plotext_colour
            )
    plotext.xticks([], [])
    plotext.yticks(ticks, tick_labels)
    return str(plotext.build())


def _text_from_plotext(ansi: str) -> Text:
    # plotext 5.3 writes each run of equal colours as its SGR codes, the
    # characters, then a reset, so every run decodes on its own, and Rich's
    # Text.from_ansi decodes each distinct code prefix once. Decoding a whole
    # 200x50 chart with from_ansi took about 50 ms, and about 5 ms this way.
    plain: list[str] = []
    spans: list[Span] = []
    offset = 0
    for match in _PLOTEXT_RUN.finditer(ansi.rstrip("\n")):
        codes, characters = match.group(1), match.group(2)
        if not characters:
            continue
        if codes:
            style = _run_style(codes)
            if style:
                spans.append(Span(offset, offset + len(characters), style))
        plain.append(characters)
        offset += len(characters)
    return Text("".join(plain), no_wrap=True, end="", spans=spans)


@functools.lru_cache(maxsize=256)
def _run_style(codes: str) -> Style:
    # The style that a sequence of SGR escapes sets, as Rich decodes it.
    return Text.from_ansi(codes + " ").get_style_at_offset(Console(), 0)


def _line_starts(plain: str) -> list[int]:
    # The offset of the first character of each line of ``plain``.
    starts = [0]
    for line in plain.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    return starts


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
        self._drawn: tuple[tuple[int, int], DrawnChart] | None = None
        self._cache: tuple[tuple[int, int, int | None], Text] | None = None

    def set_data(self, labels: list[str], series: list[BarSeries]) -> None:
        """Replace the bars and draw them again."""
        self._labels = labels
        self._series = series
        self._drawn = None
        self._cache = None
        self.refresh()

    @property
    def bar_count(self) -> int:
        """The number of bars on the chart."""
        return len(self._labels)

    def watch_cursor(self) -> None:
        self._cache = None

    def on_resize(self) -> None:
        self._drawn = None
        self._cache = None
        self.refresh()

    def render(self) -> RenderResult:
        size = (self.size.width, self.size.height)
        key = (*size, self.cursor)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        if self._drawn is None or self._drawn[0] != size:
            chart = draw_chart(self._labels, self._series, *size)
            self._drawn = (size, chart)
        text = self._drawn[1].with_cursor(self.cursor)
        self._cache = (key, text)
        return text
