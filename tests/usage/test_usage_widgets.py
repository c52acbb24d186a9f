"""Tests of the palette, the bar chart drawing and the heatmap scale."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult

from flaskdash_tui.palette import GLYPHS, OTHER_STYLE, endpoint_style, legend
from flaskdash_tui.widgets.barchart import (
    BarSeries,
    StackedBarChart,
    day_labels,
    fold_series,
    nice_ticks,
    render_chart,
)
from flaskdash_tui.widgets.heatmap import Scale


def bar_column(text: Text, label: str) -> str:
    """Return the cells of the bar above ``label``, from the x axis up.

    A bar starts in the column where its x label starts.
    """
    lines = text.plain.split("\n")
    column = lines[-1].index(label)
    return "".join(line[column] for line in reversed(lines[:-2]))


def reversed_cells(text: Text) -> set[tuple[int, int]]:
    """Return the (line, column) of every character drawn in reverse video."""
    offsets = {
        offset
        for span in text.spans
        if "reverse" in str(span.style)
        for offset in range(span.start, span.end)
    }
    cells = set()
    offset = 0
    for line_index, line in enumerate(text.plain.split("\n")):
        for column in range(len(line)):
            if offset + column in offsets:
                cells.add((line_index, column))
        offset += len(line) + 1
    return cells


def days_from(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(days=index) for index in range(count)]


def test_palette_stable_per_id() -> None:
    assert endpoint_style(5) == endpoint_style(5)
    assert endpoint_style(5) != endpoint_style(6)


def test_palette_glyphs_distinct_consecutive() -> None:
    glyphs = {endpoint_style(endpoint_id).glyph for endpoint_id in range(20, 33)}
    assert len(glyphs) == len(GLYPHS)


def test_palette_pairs_distinct() -> None:
    pairs = {
        (style.colour, style.glyph)
        for style in (endpoint_style(endpoint_id) for endpoint_id in range(1, 157))
    }
    assert len(pairs) == 156


def test_legend_shows_names_literally() -> None:
    text = legend([("[bold]api\x1b[2J", endpoint_style(1))])
    assert "[bold]api\\x1b[2J" in text.plain
    assert "\x1b" not in text.plain


def test_fold_series_adds_rest() -> None:
    series = [
        BarSeries(f"api.{index}", endpoint_style(index + 1), [index, 1])
        for index in range(5)
    ]

    folded = fold_series(series, 2)

    assert [item.label for item in folded] == ["api.0", "api.1", "3 other endpoints"]
    assert folded[-1].counts == [2 + 3 + 4, 3]
    assert folded[-1].style == OTHER_STYLE


def test_fold_series_keeps_one_extra() -> None:
    series = [BarSeries(f"api.{index}", endpoint_style(1), [1]) for index in range(3)]
    assert fold_series(series, 2) == series


def test_nice_ticks_cover_maximum() -> None:
    assert nice_ticks(2512, 5) == [0, 1000, 2000, 3000]
    assert nice_ticks(7, 4) == [0, 2, 4, 6, 8]
    assert nice_ticks(0, 5) == [0, 1]


def test_chart_heights_match_top_tick() -> None:
    series = [BarSeries("api.a", endpoint_style(1), [1000, 500, 250, 0, 260, 275])]
    labels = ["05-01", "05-02", "05-03", "05-04", "05-05", "05-06"]

    # 22 rows leave 20 for the bars, so with the top tick at 1,000 one row is
    # 50 hits.
    text = render_chart(labels, series, 60, 22)

    lines = text.plain.split("\n")
    glyph = endpoint_style(1).glyph
    assert lines[0].startswith("1,000┤")
    assert lines[-2].startswith("    0└")
    assert bar_column(text, "05-01") == glyph * 20
    assert bar_column(text, "05-02") == glyph * 10 + " " * 10
    assert bar_column(text, "05-03") == glyph * 5 + " " * 15
    assert bar_column(text, "05-04") == " " * 20
    # A bar's height is its count in rows, rounded to the nearest row.
    assert bar_column(text, "05-05") == glyph * 5 + " " * 15
    assert bar_column(text, "05-06") == glyph * 6 + " " * 14


def test_chart_y_ticks_round_numbers() -> None:
    series = [BarSeries("api.a", endpoint_style(1), [2512])]

    lines = render_chart(["05-01"], series, 40, 22).plain.split("\n")

    tick_labels = [line.split("┤")[0].strip() for line in lines if "┤" in line]
    assert tick_labels == ["3,000", "2,000", "1,000"]
    assert lines[-2].split("└")[0].strip() == "0"


def test_chart_stacks_layers_bottom_up() -> None:
    series = [
        BarSeries("api.a", endpoint_style(1), [10]),
        BarSeries("api.b", endpoint_style(2), [20]),
        BarSeries("api.c", endpoint_style(3), [10]),
    ]

    text = render_chart(["05-01"], series, 30, 22)

    glyphs = [endpoint_style(index).glyph for index in (1, 2, 3)]
    assert bar_column(text, "05-01") == (glyphs[0] * 5 + glyphs[1] * 10 + glyphs[2] * 5)


def test_chart_layers_keep_colours() -> None:
    series = [
        BarSeries("api.a", endpoint_style(1), [10]),
        BarSeries("api.b", endpoint_style(2), [10]),
    ]

    text = render_chart(["05-01"], series, 30, 12)

    for index in (1, 2):
        style = endpoint_style(index)
        offset = text.plain.index(style.glyph)
        assert text.get_style_at_offset(Console(), offset).color == style.style.color


def test_chart_zero_day_draws_nothing() -> None:
    series = [BarSeries("api.a", endpoint_style(1), [0, 1, 100_000])]

    text = render_chart(["05-01", "05-02", "05-03"], series, 60, 12)

    glyph = endpoint_style(1).glyph
    assert bar_column(text, "05-01") == " " * 10
    assert bar_column(text, "05-02") == glyph + " " * 9
    assert bar_column(text, "05-03") == glyph * 10


def test_chart_cursor_reversed() -> None:
    series = [BarSeries("api.a", endpoint_style(1), [5, 10, 5])]

    text = render_chart(["05-01", "05-02", "05-03"], series, 40, 12, cursor=1)

    lines = text.plain.split("\n")
    glyph = endpoint_style(1).glyph
    bar = lines[-1].index("05-02")
    bottom = lines[-3]
    bar_width = len(bottom[bar:]) - len(bottom[bar:].lstrip(glyph))
    bar_cells = {
        (line_index, column)
        for line_index in range(len(lines) - 2)
        for column in range(bar, bar + bar_width)
    }
    label_cells = {(len(lines) - 1, bar + offset) for offset in range(5)}
    # 12 rows leave 10 for the bars, and the bar of 10 reaches the top tick.
    assert bar_width > 1
    assert bar_column(text, "05-02") == glyph * 10
    assert reversed_cells(text) == bar_cells | label_cells


def test_chart_cursor_label_placed_first() -> None:
    days = days_from(dt.date(2026, 1, 1), 30)
    labels = day_labels(days)
    series = [BarSeries("api.a", endpoint_style(1), [5] * 30)]

    # The 62 columns for bars give each of the 30 bars 2 columns. So at most
    # every third bar has room for a label, and the last bar's label would
    # run past the right edge.
    for cursor in range(30):
        text = render_chart(labels, series, 64, 10, cursor=cursor)
        lines = text.plain.split("\n")
        start = lines[-1].index(labels[cursor])
        assert (len(lines) - 1, start) in reversed_cells(text)
        assert len(lines[-1]) == 64


def test_chart_groups_90_days() -> None:
    days = days_from(dt.date(2026, 1, 1), 90)
    # Days 3g to 3g + 2 make bar g, which adds up to 30 hits when g is even
    # and to 60 when g is odd.
    counts = [10 if (day // 3) % 2 == 0 else 20 for day in range(90)]
    series = [BarSeries("api.a", endpoint_style(1), counts)]

    text = render_chart(day_labels(days), series, 80, 16)

    lines = text.plain.split("\n")
    glyph = endpoint_style(1).glyph
    assert lines[0].startswith("60┤")
    bottom = lines[-3]
    assert bottom.count(glyph) == 30
    columns = [column for column, cell in enumerate(bottom) if cell == glyph]
    heights = [sum(line[column] == glyph for line in lines[:-2]) for column in columns]
    assert heights == [7, 14] * 15


def test_chart_groups_keep_totals() -> None:
    days = days_from(dt.date(2026, 1, 1), 91)
    series = [BarSeries("api.a", endpoint_style(1), [2] * 90 + [6])]

    text = render_chart(day_labels(days), series, 80, 12, cursor=90)

    lines = text.plain.split("\n")
    glyph = endpoint_style(1).glyph
    bottom = lines[-3]
    columns = [column for column, cell in enumerate(bottom) if cell == glyph]
    heights = [sum(line[column] == glyph for line in lines[:-2]) for column in columns]
    # 91 days make 31 bars of 3 days, and each adds up to 6 hits, the last
    # bar of 1 day included. With the top tick at 10 on 10 rows, 6 hits fill
    # 6 rows.
    assert lines[0].startswith("10┤")
    assert len(columns) == 31
    assert set(heights) == {6}
    assert "04-01" in lines[-1]


def test_chart_x_labels_never_overlap() -> None:
    days = days_from(dt.date(2026, 1, 1), 90)
    labels = day_labels(days)
    series = [BarSeries("api.a", endpoint_style(1), list(range(90)))]

    for width in range(20, 200, 9):
        for cursor in (0, 44, 89):
            text = render_chart(labels, series, width, 12, cursor=cursor)
            label_line = text.plain.split("\n")[-1]
            words = label_line.split()
            assert words
            assert all(word in labels for word in words), (width, cursor, words)
            assert len(label_line) <= width


def test_chart_fits_width() -> None:
    days = days_from(dt.date(2026, 1, 1), 90)
    series = [BarSeries("api.a", endpoint_style(1), list(range(90)))]

    text = render_chart(day_labels(days), series, 76, 16, cursor=89)

    lines = text.plain.splitlines()
    assert len(lines) == 16
    assert max(len(line) for line in lines) <= 76


def test_chart_glyphs_without_colour() -> None:
    series = [
        BarSeries(f"api.{index}", endpoint_style(index), [10]) for index in range(1, 4)
    ]
    text = render_chart(["05-01"], series, 30, 17)
    output = io.StringIO()
    console = Console(
        file=output, no_color=True, force_terminal=True, width=30, height=17
    )

    console.print(text)

    # 15 rows for a top tick of 30 give each layer 5 rows of 6 columns, and
    # SGR codes 30 to 39 would set a foreground colour.
    printed = output.getvalue()
    assert "\x1b[3" not in printed
    for index in range(1, 4):
        assert printed.count(endpoint_style(index).glyph) == 5 * 6


def test_chart_without_layers() -> None:
    text = render_chart([], [], 30, 8)

    lines = text.plain.split("\n")
    assert len(lines) == 8
    assert lines[0].startswith("1┤")
    assert lines[-2] == "0└" + "─" * 28


def test_chart_long_tick_labels() -> None:
    series = [BarSeries("api.a", endpoint_style(1), [10**15])]

    lines = render_chart(["05-01"], series, 20, 6).plain.split("\n")

    # "1,000,000,000,000,000" leaves no room for bars in 20 columns, so the
    # chart grows to keep two.
    assert lines[0].startswith("1,000,000,000,000,000┤")
    assert lines[-3].endswith("│" + endpoint_style(1).glyph + " ")
    assert all(len(line) == 24 for line in lines[:-1])


class ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StackedBarChart()


async def test_chart_widget_follows_cursor_and_size() -> None:
    series = [BarSeries("api.a", endpoint_style(1), [5, 10])]
    app = ChartApp()

    async with app.run_test(size=(40, 12)) as pilot:
        chart = app.query_one(StackedBarChart)
        chart.set_data(["05-01", "05-02"], series)
        chart.cursor = 0
        await pilot.pause()
        first = chart.render()
        chart.cursor = 1
        await pilot.pause()
        second = chart.render()
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        wide = chart.render()

    assert isinstance(first, Text)
    assert isinstance(second, Text)
    assert isinstance(wide, Text)
    assert chart.bar_count == 2
    assert first.plain.split("\n")[:-1] == second.plain.split("\n")[:-1]
    assert reversed_cells(first) != reversed_cells(second)
    assert len(wide.plain.split("\n")) == 20
    assert max(len(line) for line in wide.plain.split("\n")) == 60


def test_scale_levels_and_labels() -> None:
    scale = Scale.for_maximum(100)

    assert scale.level(0) == 0
    assert scale.level(1) == 1
    assert scale.level(25) == 1
    assert scale.level(26) == 2
    assert scale.level(100) == 4
    assert scale.legend() == [
        (" ", "0"),
        ("░", "1-25"),
        ("▒", "26-50"),
        ("▓", "51-75"),
        ("█", "76-100"),
    ]


def test_scale_small_maximum() -> None:
    scale = Scale.for_maximum(2)
    assert scale.level(2) == 2
    assert scale.legend()[1] == ("░", "1")


def test_legend_breaks_between_entries() -> None:
    entries = [
        (f"api.endpoint_{index:02d}", endpoint_style(index)) for index in range(6)
    ]

    lines = legend(entries, width=40).plain.splitlines()

    assert len(lines) == 3
    assert all(len(line) <= 40 for line in lines)
    for line in lines:
        assert line.count("api.endpoint_") == 2


def test_legend_cuts_long_entry() -> None:
    lines = legend([("api." + "x" * 60, endpoint_style(1))], width=30).plain
    assert len(lines) == 30
    assert lines.endswith("…")
