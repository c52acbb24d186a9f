"""Tests of the palette, the bar chart drawing and the heatmap scale."""

from __future__ import annotations

import datetime as dt

from flaskdash_tui.palette import GLYPHS, OTHER_STYLE, endpoint_style, legend
from flaskdash_tui.widgets.barchart import (
    BarSeries,
    day_labels,
    fold_series,
    nice_ticks,
    render_chart,
)
from flaskdash_tui.widgets.heatmap import Scale


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


def test_chart_stacks_layers_bottom_up() -> None:
    series = [
        BarSeries("api.a", endpoint_style(1), [10]),
        BarSeries("api.b", endpoint_style(2), [10]),
    ]

    lines = render_chart(["05-01"], series, 30, 12).plain.splitlines()

    bars = [
        line[line.index("┤") + 1 if "┤" in line else line.index("│") + 1]
        for line in lines[:-2]
    ]
    bottom_glyph = endpoint_style(1).glyph
    top_glyph = endpoint_style(2).glyph
    assert bars[-1] == bottom_glyph
    assert top_glyph in bars
    assert bars.index(top_glyph) < len(bars) - 1 - bars[::-1].index(bottom_glyph)


def test_chart_fits_width() -> None:
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=index) for index in range(90)]
    series = [BarSeries("api.a", endpoint_style(1), [index for index in range(90)])]

    text = render_chart(day_labels(days), series, 76, 16, cursor=89)

    lines = text.plain.splitlines()
    assert len(lines) == 16
    assert max(len(line) for line in lines) <= 76


def test_chart_cursor_reversed() -> None:
    series = [BarSeries("api.a", endpoint_style(1), [3, 3, 3])]

    text = render_chart(["05-01", "05-02", "05-03"], series, 40, 10, cursor=1)

    reversed_spans = [span for span in text.spans if "reverse" in str(span.style)]
    assert reversed_spans
    assert "05-02" in text.plain


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
