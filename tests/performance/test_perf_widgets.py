"""The axis arithmetic, the drawing of one box and the grid's change marks."""

from __future__ import annotations

import pytest
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult

from flaskdash_tui.queries.boxstats import BoxStats
from flaskdash_tui.queries.performance import GridCell
from flaskdash_tui.widgets.axis import Axis, format_ms
from flaskdash_tui.widgets.boxplot import (
    BoxPlot,
    BoxRow,
    draw_box,
    figures_text,
    format_duration,
)
from flaskdash_tui.widgets.counts import count_text
from flaskdash_tui.widgets.grid import FASTER, SLOWER, change_mark

STYLES = {
    name: Style() for name in ("box", "median", "whisker", "outlier", "label", "cursor")
}


def stats(**overrides: float) -> BoxStats:
    values = {
        "count": 100,
        "minimum": 10.0,
        "p25": 30.0,
        "median": 50.0,
        "p75": 60.0,
        "p90": 70.0,
        "p99": 90.0,
        "maximum": 100.0,
        "whisker_low": 10.0,
        "whisker_high": 80.0,
        "outliers_low": 0,
        "outliers_high": 2,
    }
    values.update(overrides)
    return BoxStats(**values, outlier_points=(90.0, 100.0))  # type: ignore[arg-type]


def test_linear_axis_round_end() -> None:
    axis = Axis.spanning(0.0, 83.0, 50, log=False)
    assert axis.low == 0.0
    assert axis.high == 100.0
    assert axis.ticks(6) == [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]


def test_linear_axis_columns() -> None:
    axis = Axis(0.0, 100.0, 10)
    assert axis.column(0.0) == 0
    assert axis.column(100.0) == 9
    assert axis.column(55.0) == 5
    assert axis.position(55.0) == (5, True)
    assert axis.position(51.0) == (5, False)
    assert axis.column(-5.0) == 0
    assert axis.column(500.0) == 9


def test_log_axis_decades() -> None:
    axis = Axis.spanning(3.0, 4200.0, 60, log=True)
    assert axis.low == 1.0
    assert axis.high == 10000.0
    assert axis.fraction(100.0) == pytest.approx(0.5)
    assert axis.ticks(5) == [1.0, 10.0, 100.0, 1000.0, 10000.0]


def test_log_axis_zero_at_left_end() -> None:
    axis = Axis.spanning(0.0, 50.0, 40, log=True)
    assert axis.low == pytest.approx(0.01)
    assert axis.column(0.0) == 0


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (2.5, "2.5"), (750, "750"), (1500, "1.5k"), (12000, "12k")],
)
def test_format_ms_ticks(value: float, text: str) -> None:
    assert format_ms(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(4.271, "4.27"), (42.71, "42.7"), (1204.4, "1,204")],
)
def test_format_duration_digits(value: float, text: str) -> None:
    assert format_duration(value) == text


def test_draw_box_glyph_positions() -> None:
    axis = Axis(0.0, 100.0, 20)
    text = draw_box(stats(), axis, STYLES).plain
    assert len(text) == 20
    assert text[axis.column(10.0)] == "├"
    assert text[axis.column(80.0)] == "┤"
    assert text[axis.column(50.0)] == "┃"
    assert text[axis.column(40.0)] == "█"
    assert text[axis.column(20.0)] == "─"
    assert text[axis.column(100.0)] == "•"
    assert text[0] == " "


def test_draw_box_clipped_outliers() -> None:
    axis = Axis(0.0, 85.0, 20)
    text = draw_box(stats(), axis, STYLES).plain
    assert text[axis.column(80.0)] == "┤"
    assert text[-1] == "»"


def test_draw_box_half_block_ends() -> None:
    axis = Axis(0.0, 100.0, 10)
    # p25 at 35 is in the right half of column 3, p75 at 61 in the left half of 6.
    text = draw_box(stats(p25=35.0, p75=61.0), axis, STYLES).plain
    assert text[3] == "▐"
    assert text[6] == "▌"


def test_change_mark_thresholds() -> None:
    before = GridCell(100.0, 10)
    assert change_mark(None, before) == " "
    assert change_mark(before, GridCell(120.0, 10)) == SLOWER
    assert change_mark(before, GridCell(80.0, 10)) == FASTER
    assert change_mark(before, GridCell(105.0, 10)) == " "


class BoxPlotApp(App[None]):
    def compose(self) -> ComposeResult:
        yield BoxPlot("No rows.")


LONG_LABEL = "a996c5a 2026-11-05 Add the article difficulty estimator to feeds"


@pytest.mark.parametrize(
    ("width", "shown"),
    [
        (80, LONG_LABEL[:25] + "…"),
        (160, LONG_LABEL[:52] + "…"),
        (200, LONG_LABEL),
    ],
)
async def test_boxplot_label_grows_with_width(width: int, shown: str) -> None:
    app = BoxPlotApp()
    async with app.run_test(size=(width, 10)) as pilot:
        plot = app.query_one(BoxPlot)
        plot.set_rows([BoxRow("a", Text(LONG_LABEL), stats())])
        await pilot.pause()
        first_line = str(plot.render()).splitlines()[0]

    # A third of the width goes to the labels, after the cursor column.
    assert first_line.startswith(f"▶ {shown} ")


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 requests"), (1, "1 request"), (2, "2 requests"), (1250, "1,250 requests")],
)
def test_count_text_number(count: int, text: str) -> None:
    assert count_text(count, "request") == text


def test_count_text_irregular_plural() -> None:
    assert count_text(3, "entry", "entries") == "3 entries"


def test_figures_text_one_request() -> None:
    first_line = figures_text(Text("api.one"), stats(count=1)).plain.splitlines()[0]

    assert "· 1 request ·" in first_line


def test_zero_durations_axis_labels() -> None:
    axis = Axis.spanning(0.0, 0.0, 40, log=False)
    labels = [format_ms(value) for value in axis.ticks(5)]
    assert labels[0] == "0"
    assert all("e" not in label for label in labels)
    assert axis.high == 0.01
