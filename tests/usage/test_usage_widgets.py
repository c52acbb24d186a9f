"""Tests of the palette, the bar chart drawing and the heatmap scale."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math

import pytest
from rich.color import Color, ColorSystem
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static

from flaskdash_tui.palette import (
    COLOURS,
    GLYPHS,
    OTHER_STYLE,
    endpoint_style,
    legend,
    linear_rgb,
)
from flaskdash_tui.palette import contrast_ratio as palette_contrast
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


RGB = tuple[int, int, int]

DARK_BACKGROUNDS: list[RGB] = [(18, 18, 18), (39, 39, 39)]
"""The darkest and the lightest background behind a swatch in textual-dark."""


def rgb_of(colour: str) -> RGB:
    triplet = Color.parse(colour).get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def contrast_ratio(first: RGB, second: RGB) -> float:
    """Return the WCAG 2.1 contrast ratio of two sRGB colours, 1 to 21."""
    return palette_contrast(Color.from_rgb(*first), Color.from_rgb(*second))


def cielab(rgb: RGB) -> tuple[float, float, float]:
    """Return the CIELAB L*, a* and b* of an sRGB colour, for the D65 white."""
    red, green, blue = linear_rgb(Color.from_rgb(*rgb))
    x = (0.4124 * red + 0.3576 * green + 0.1805 * blue) / 0.95047
    y = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    z = (0.0193 * red + 0.1192 * green + 0.9505 * blue) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def lab_hue(rgb: RGB) -> float:
    """Return the CIELAB hue angle of an sRGB colour in degrees, 0 to 360."""
    _, a, b = cielab(rgb)
    return math.degrees(math.atan2(b, a)) % 360


def ciede2000(first: RGB, second: RGB) -> float:
    """Return the CIEDE2000 colour difference of two sRGB colours."""
    return ciede2000_lab(cielab(first), cielab(second))


def ciede2000_lab(
    first: tuple[float, float, float], second: tuple[float, float, float]
) -> float:
    """Return the CIEDE2000 colour difference of two CIELAB colours.

    The formulas are those of Sharma, Wu and Dalal, "The CIEDE2000
    color-difference formula" (2005), with kL = kC = kH = 1.
    """
    l1, a1, b1 = first
    l2, a2, b2 = second
    mean_chroma = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(mean_chroma**7 / (mean_chroma**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1 = math.degrees(math.atan2(b1, a1)) % 360
    h2 = math.degrees(math.atan2(b2, a2)) % 360

    delta_l = l2 - l1
    delta_c = c2 - c1
    delta_h_angle = h2 - h1
    if c1 * c2 == 0:
        delta_h_angle = 0
    elif delta_h_angle > 180:
        delta_h_angle -= 360
    elif delta_h_angle < -180:
        delta_h_angle += 360
    delta_h = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(delta_h_angle / 2))

    mean_l = (l1 + l2) / 2
    mean_c = (c1 + c2) / 2
    if c1 * c2 == 0:
        mean_h = h1 + h2
    elif abs(h1 - h2) <= 180:
        mean_h = (h1 + h2) / 2
    elif h1 + h2 < 360:
        mean_h = (h1 + h2 + 360) / 2
    else:
        mean_h = (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(mean_h - 30))
        + 0.24 * math.cos(math.radians(2 * mean_h))
        + 0.32 * math.cos(math.radians(3 * mean_h + 6))
        - 0.20 * math.cos(math.radians(4 * mean_h - 63))
    )
    delta_theta = 30 * math.exp(-(((mean_h - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(mean_c**7 / (mean_c**7 + 25**7))
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / math.sqrt(20 + (mean_l - 50) ** 2)
    s_c = 1 + 0.045 * mean_c
    s_h = 1 + 0.015 * mean_c * t
    r_t = -math.sin(math.radians(2 * delta_theta)) * r_c
    return math.sqrt(
        (delta_l / s_l) ** 2
        + (delta_c / s_c) ** 2
        + (delta_h / s_h) ** 2
        + r_t * (delta_c / s_c) * (delta_h / s_h)
    )


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ],
)
def test_ciede2000_reference_pairs(
    first: tuple[float, float, float],
    second: tuple[float, float, float],
    expected: float,
) -> None:
    # Pairs from Table 1 of the test data of Sharma, Wu and Dalal (2005).
    assert ciede2000_lab(first, second) == pytest.approx(expected, abs=1e-4)


class SwatchApp(App[None]):
    """Shows the swatches of endpoints 1 to 12 on one line."""

    def compose(self) -> ComposeResult:
        swatches = Text(" ").join(
            endpoint_style(endpoint_id).swatch() for endpoint_id in range(1, 13)
        )
        yield Static(swatches)


async def rendered_swatch_colours() -> list[RGB]:
    """Run :class:`SwatchApp` and return the RGB of each swatch as on screen.

    The app's line filters run as they would on the way to the terminal, so
    Textual's mapping of colours to its theme is included.
    """
    app = SwatchApp()
    async with app.run_test(size=(40, 3)) as pilot:
        await pilot.pause()
        static = app.query_one(Static)
        strip = static.render_line(0)
        for line_filter in app.get_line_filters():
            strip = strip.apply_filter(line_filter, static.background_colors[1])
        colours: list[RGB] = []
        for segment in strip:
            if segment.text.strip() and segment.style and segment.style.color:
                triplet = segment.style.color.get_truecolor()
                colours.append((triplet.red, triplet.green, triplet.blue))
    return colours


async def test_palette_colours_distinct_rendered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)

    colours = await rendered_swatch_colours()

    assert len(colours) == 12
    assert len(set(colours)) == 12
    assert colours == [rgb_of(colour) for colour in COLOURS]


def test_palette_colours_distinct_in_256() -> None:
    numbers = []
    for colour in COLOURS:
        eight_bit = Color.parse(colour).downgrade(ColorSystem.EIGHT_BIT)
        assert eight_bit.number is not None
        numbers.append(eight_bit.number)
        # The 256-colour palette has the exact colour, so nothing shifts.
        assert eight_bit.get_truecolor() == Color.parse(colour).get_truecolor()

    assert len(set(numbers)) == 12


def test_palette_contrast_on_dark_backgrounds() -> None:
    for colour, background in itertools.product(COLOURS, DARK_BACKGROUNDS):
        ratio = contrast_ratio(rgb_of(colour), background)
        assert ratio >= 4.5, (colour, background, ratio)


def test_palette_colour_difference() -> None:
    for first, second in itertools.combinations(COLOURS, 2):
        difference = ciede2000(rgb_of(first), rgb_of(second))
        assert difference >= 20, (first, second, difference)


def test_palette_consecutive_hues_differ() -> None:
    # Endpoint 13 takes the first colour again, so the last and the first
    # colour are neighbours too.
    for position, colour in enumerate(COLOURS):
        following = COLOURS[(position + 1) % len(COLOURS)]
        gap = abs(lab_hue(rgb_of(colour)) - lab_hue(rgb_of(following)))
        assert min(gap, 360 - gap) >= 100, (colour, following)


def test_palette_colours_repeat_every_12() -> None:
    for endpoint_id in range(1, 13):
        style = endpoint_style(endpoint_id)
        assert style.colour == COLOURS[endpoint_id - 1]
        assert endpoint_style(endpoint_id + 12).colour == style.colour
        assert endpoint_style(endpoint_id + 13).glyph == style.glyph


@pytest.mark.parametrize("value", ["1", ""])
def test_palette_no_color_default_foreground(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # Textual 8.2 turns on its monochrome filter for an empty value too.
    monkeypatch.setenv("NO_COLOR", value)

    for endpoint_id in range(1, 13):
        style = endpoint_style(endpoint_id)
        assert style.style.color == Color.default()
        assert style.plotext_colour == "default"
        assert style.swatch().get_style_at_offset(Console(), 0).color == (
            Color.default()
        )
    assert OTHER_STYLE.style.color == Color.default()


def test_palette_colour_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)

    style = endpoint_style(1)

    assert style.style.color == Color.parse(COLOURS[0])
    assert style.plotext_colour == rgb_of(COLOURS[0])


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


def test_chart_no_color_bars_uncoloured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    series = [
        BarSeries(f"api.{index}", endpoint_style(index), [10]) for index in (1, 2, 3)
    ]

    text = render_chart(["05-01"], series, 30, 17)

    console = Console()
    for index in (1, 2, 3):
        glyph = endpoint_style(index).glyph
        offsets = [
            offset for offset, character in enumerate(text.plain) if character == glyph
        ]
        # 15 rows for a top tick of 30 give each layer 5 rows of 6 columns.
        assert len(offsets) == 5 * 6
        for offset in offsets:
            assert text.get_style_at_offset(console, offset).color is None, glyph


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


def test_contrast_black_on_white() -> None:
    black, white = Color.parse("#000000"), Color.parse("#ffffff")
    assert palette_contrast(black, white) == pytest.approx(21.0)
    assert palette_contrast(white, white) == pytest.approx(1.0)
