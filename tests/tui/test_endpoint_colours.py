"""One glyph and colour per endpoint across views, driven by the pilot.

Colours are read from the rendered segments of each widget, after the app's
line filters, which Textual 8.2 runs on the way to the terminal. They map ANSI
colours to the theme and, with ``NO_COLOR``, every colour to a grey.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable

import peewee as pw
import pytest
from pilot_helpers import rows_by_name, settle
from rich.color import Color
from rich.style import Style
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable
from tui_data import ENDPOINTS, HOSTILE_NAME, NOW, STUDIED, TRANSLATE

from capture.schema import Endpoint, ExceptionRecord, Request, Version
from flaskdash_tui import views
from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.palette import EndpointStyle, contrast_ratio, endpoint_style
from flaskdash_tui.screens.endpoints import EndpointsScreen
from flaskdash_tui.screens.hits import HitsScreen
from flaskdash_tui.screens.response import ResponseScreen
from flaskdash_tui.screenshot import export_text
from flaskdash_tui.settings import Settings
from flaskdash_tui.widgets.barchart import StackedBarChart
from flaskdash_tui.widgets.boxplot import BOX, BOX_LEFT_HALF, BOX_RIGHT_HALF, BoxPlot

SIZE = (80, 24)
WIDE = (160, 40)
"""Wide enough for every name in full, and for the exceptions' Endpoints column."""

SHOWN = [TRANSLATE, STUDIED, HOSTILE_NAME]
"""The monitored endpoints with requests in the last 30 days."""


def style_of(database: pw.Database, name: str) -> EndpointStyle:
    endpoint_id = (
        Endpoint.select(Endpoint.id)
        .where(Endpoint.name == name)
        .bind(database)
        .scalar()
    )
    return endpoint_style(int(endpoint_id))


def glyph_and_name(database: pw.Database, name: str) -> tuple[str, str]:
    return style_of(database, name).glyph, name


def shown_name(name: str) -> str:
    """Return ``name`` as the views show it, with ESC as a visible escape."""
    return name.replace("\x1b", "\\x1b")


def rendered_lines(
    widget: Widget, filtered: bool = True
) -> list[list[tuple[str, Color | None]]]:
    """Return each rendered line of ``widget`` as (character, colour) cells.

    Args:
        widget: The widget to read.
        filtered: Whether to run the app's line filters, as on screen. False
            returns the colours that the widget itself draws.
    """
    return [
        [(character, style.color) for character, style in line]
        for line in rendered_cells(widget, filtered)
    ]


def rendered_cells(
    widget: Widget, filtered: bool = True
) -> list[list[tuple[str, Style]]]:
    """Return each rendered line of ``widget`` as (character, style) cells."""
    lines = []
    for y in range(widget.size.height):
        strip = widget.render_line(y)
        if filtered:
            for line_filter in widget.app.get_line_filters():
                strip = strip.apply_filter(line_filter, widget.background_colors[1])
        cells: list[tuple[str, Style]] = []
        for segment in strip:
            style = segment.style or Style()
            cells.extend((character, style) for character in segment.text)
        lines.append(cells)
    return lines


def cell_contrast(style: Style) -> float:
    """Return the contrast ratio of a rendered cell's colour on its background."""
    assert style.color is not None
    assert style.bgcolor is not None
    return contrast_ratio(style.color, style.bgcolor)


def swatch_cells(
    widget: Widget, glyph: str, name: str, filtered: bool = True
) -> list[Style]:
    """Return the styles of both swatch cells wherever ``glyph`` swatches ``name``.

    Only the first eight characters of the name are matched, because a narrow
    column cuts it short.
    """
    needle = f"{glyph * 2} {shown_name(name)[:8]}"
    styles: list[Style] = []
    for cells in rendered_cells(widget, filtered):
        text = "".join(character for character, _ in cells)
        start = text.find(needle)
        if start >= 0:
            styles.extend(style for _, style in cells[start : start + 2])
    return styles


def swatch_colours(
    widget: Widget, glyph: str, name: str, filtered: bool = True
) -> list[Color | None]:
    """Return the colours of both swatch cells wherever ``glyph`` swatches ``name``."""
    return [style.color for style in swatch_cells(widget, glyph, name, filtered)]


def name_colours(
    widget: Widget, glyph: str, name: str, filtered: bool = True
) -> set[Color | None]:
    """Return the colours of the name's characters after its swatch."""
    needle = f"{glyph * 2} {shown_name(name)[:8]}"
    colours = set()
    for cells in rendered_lines(widget, filtered):
        text = "".join(character for character, _ in cells)
        start = text.find(needle)
        if start >= 0:
            colours.update(colour for _, colour in cells[start + 3 : start + 11])
    return colours


def box_cells(
    plot: BoxPlot, glyph: str, name: str, filtered: bool = True
) -> list[Style]:
    """Return the styles of the box glyphs on the row labelled ``name``."""
    needle = f"{glyph * 2} {shown_name(name)[:8]}"
    styles: list[Style] = []
    for cells in rendered_cells(plot, filtered):
        text = "".join(character for character, _ in cells)
        if needle in text:
            # The box starts after the label, so skip the label's own glyphs.
            start = text.index(needle) + len(needle)
            styles.extend(
                style
                for character, style in cells[start:]
                if character in (BOX, BOX_LEFT_HALF, BOX_RIGHT_HALF)
            )
    return styles


def box_colours(
    plot: BoxPlot, glyph: str, name: str, filtered: bool = True
) -> set[Color | None]:
    """Return the colours of the box glyphs on the row labelled ``name``."""
    return {style.color for style in box_cells(plot, glyph, name, filtered)}


def bar_cells(chart: StackedBarChart, glyph: str, filtered: bool = True) -> list[Style]:
    """Return the styles of the cells of ``glyph`` in the chart's plot area.

    The plot area starts after the y axis, the first ``┤`` or ``│`` of a row,
    and ends above the x axis, so tick labels and x labels are left out.
    """
    styles: list[Style] = []
    for cells in rendered_cells(chart, filtered):
        text = "".join(character for character, _ in cells)
        axis = min(
            (text.find(mark) for mark in "┤│" if mark in text), default=len(text)
        )
        styles.extend(
            style for character, style in cells[axis + 1 :] if character == glyph
        )
    return styles


def add_exception(
    database: pw.Database, names: list[str], line: int, time: float
) -> None:
    """Store a KeyError raised at ``line`` of one file by each endpoint in ``names``."""
    frames = [{"file": "/srv/app/views.py", "line": line, "function": "f", "code": "x"}]
    with database.atomic():
        version = Version.select().bind(database).first()
        for name in names:
            endpoint = (
                Endpoint.select().where(Endpoint.name == name).bind(database).get()
            )
            request = Request.insert(
                endpoint=endpoint.id,
                time=time,
                duration=3.0,
                method="GET",
                status=500,
                version=version.id,
                group="user-1",
                ip="127.0.0.1",
            ).execute(database)
            ExceptionRecord.insert(
                request=request,
                type="builtins.KeyError",
                message="'word'",
                traceback=json.dumps(frames),
            ).execute(database)


async def test_same_swatch_in_three_views(
    settings: Settings, database: pw.Database
) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The cursor row shows the cursor's colours, so move it to an
        # endpoint that is not checked.
        for _ in range(4):
            await pilot.press("down")
        table = app.screen.query_one(DataTable)
        in_table = {
            name: swatch_colours(table, *glyph_and_name(database, name))
            for name in SHOWN
        }
        table_names = {
            name: name_colours(table, *glyph_and_name(database, name)) for name in SHOWN
        }

        await pilot.press(views.VIEWS["response"].key)
        await settle(pilot)
        assert isinstance(app.screen, ResponseScreen)
        plot = app.screen.query_one(BoxPlot)
        in_plot = {
            name: swatch_colours(plot, *glyph_and_name(database, name))
            for name in SHOWN
        }
        boxes = {
            name: box_colours(plot, *glyph_and_name(database, name))
            for name in (STUDIED, TRANSLATE)
        }

        await pilot.press(views.VIEWS["hits"].key)
        await settle(pilot)
        assert isinstance(app.screen, HitsScreen)
        legend = app.screen.query_one("#legend", Widget)
        in_legend = {
            name: swatch_colours(legend, *glyph_and_name(database, name))
            for name in SHOWN
        }
        legend_names = {
            name: name_colours(legend, *glyph_and_name(database, name))
            for name in SHOWN
        }

    glyphs = {style_of(database, name).glyph for name in SHOWN}
    assert len(glyphs) == len(SHOWN)
    for name in SHOWN:
        colour = style_of(database, name).style.color
        assert in_table[name] == [colour, colour], name
        assert in_plot[name] == [colour, colour], name
        assert in_legend[name] == [colour, colour], name
        # The name after the swatch keeps the widget's own colour.
        assert colour not in table_names[name], name
        assert colour not in legend_names[name], name
    for name, colours in boxes.items():
        assert colours == {style_of(database, name).style.color}, name


@pytest.mark.parametrize(
    ("view", "endpoint"),
    [
        ("endpoints", None),
        ("response", None),
        ("hits", None),
        ("hits", HOSTILE_NAME),
        ("heatmap", HOSTILE_NAME),
        ("endpoint", HOSTILE_NAME),
    ],
)
async def test_markup_name_beside_swatch(
    settings: Settings, database: pw.Database, view: str, endpoint: str | None
) -> None:
    glyph = style_of(database, HOSTILE_NAME).glyph
    app = FlaskdashApp(dataclasses.replace(settings, view=view, endpoint=endpoint))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = export_text(app)

    assert f"{glyph * 2} {shown_name(HOSTILE_NAME)}" in screen
    assert "\x1b" not in screen


async def test_exceptions_endpoints_column(
    settings: Settings, database: pw.Database
) -> None:
    add_exception(database, [STUDIED, HOSTILE_NAME], line=7, time=NOW - 120)
    # The newest group comes first and takes the cursor, whose colours would
    # hide the swatches of its row.
    add_exception(database, [TRANSLATE], line=9, time=NOW - 60)
    app = FlaskdashApp(dataclasses.replace(settings, view="exceptions"))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        cell = table.get_row_at(1)[-1]
        studied_colours = swatch_colours(table, *glyph_and_name(database, STUDIED))
        hostile_colours = swatch_colours(table, *glyph_and_name(database, HOSTILE_NAME))

    studied = style_of(database, STUDIED)
    hostile = style_of(database, HOSTILE_NAME)
    # Names are sorted, and "[" sorts before "s".
    expected = (
        f"{hostile.glyph * 2} {shown_name(HOSTILE_NAME)}, {studied.glyph * 2} {STUDIED}"
    )
    assert cell.plain == expected
    assert studied_colours == [studied.style.color] * 2
    assert hostile_colours == [hostile.style.color] * 2


async def test_no_color_keeps_swatches(
    settings: Settings, database: pw.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    screens = {}
    for view in ("endpoints", "response", "hits"):
        app = FlaskdashApp(dataclasses.replace(settings, view=view))
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            assert app.no_color
            screens[view] = export_text(app)

    for view, screen in screens.items():
        for name in SHOWN:
            glyph = style_of(database, name).glyph
            assert f"{glyph * 2} {shown_name(name)}" in screen, (view, name)


Cells = dict[tuple[str, str], list[Style]]


def collect(
    drawn: Cells,
    on_screen: Cells,
    key: tuple[str, str],
    read: Callable[[bool], list[Style]],
) -> None:
    """Store the styles that ``read`` returns before and after the line filters."""
    drawn[key] = read(False)
    on_screen[key] = read(True)


async def endpoint_cells(
    pilot: Pilot[None], database: pw.Database
) -> tuple[Cells, Cells]:
    """Return the styles of every endpoint's swatches, boxes and bars.

    The app must show the endpoints view, and ends on the hits view. Returns
    the styles that the widgets draw and the styles on screen, after the
    app's line filters. The keys are (place, name), where the place is
    "table", "plot", "box", "legend" or "bars".
    """
    app = pilot.app
    drawn: Cells = {}
    on_screen: Cells = {}
    # The cursor row shows the cursor's colours, so move it to an endpoint
    # that is not checked.
    for _ in range(4):
        await pilot.press("down")
    table = app.screen.query_one(DataTable)
    for name in SHOWN:
        glyph = style_of(database, name).glyph
        collect(
            drawn,
            on_screen,
            ("table", name),
            functools.partial(swatch_cells, table, glyph, name),
        )

    await pilot.press(views.VIEWS["response"].key)
    await settle(pilot)
    assert isinstance(app.screen, ResponseScreen)
    plot = app.screen.query_one(BoxPlot)
    for name in SHOWN:
        glyph = style_of(database, name).glyph
        collect(
            drawn,
            on_screen,
            ("plot", name),
            functools.partial(swatch_cells, plot, glyph, name),
        )
        if name != HOSTILE_NAME:
            collect(
                drawn,
                on_screen,
                ("box", name),
                functools.partial(box_cells, plot, glyph, name),
            )

    await pilot.press(views.VIEWS["hits"].key)
    await settle(pilot)
    assert isinstance(app.screen, HitsScreen)
    legend = app.screen.query_one("#legend", Widget)
    chart = app.screen.query_one(StackedBarChart)
    for name in SHOWN:
        glyph = style_of(database, name).glyph
        collect(
            drawn,
            on_screen,
            ("legend", name),
            functools.partial(swatch_cells, legend, glyph, name),
        )
        collect(
            drawn, on_screen, ("bars", name), functools.partial(bar_cells, chart, glyph)
        )
    return drawn, on_screen


async def test_endpoint_cells_readable(
    settings: Settings, database: pw.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = FlaskdashApp(settings)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert not app.no_color
        _, on_screen = await endpoint_cells(pilot, database)

    for (place, name), styles in on_screen.items():
        assert styles, (place, name)
        colour = style_of(database, name).style.color
        for style in styles:
            assert style.color == colour, (place, name)
            # The palette promises 4.5:1 on every dark background of a swatch.
            assert cell_contrast(style) >= 4.5, (place, name, style)


async def test_no_color_default_foreground(
    settings: Settings, database: pw.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = FlaskdashApp(settings)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.no_color
        drawn, on_screen = await endpoint_cells(pilot, database)
        chart_colour = app.screen.query_one(StackedBarChart).rich_style.color

    for (place, name), styles in drawn.items():
        assert styles, (place, name)
        # plotext draws bars without colour, so they take the chart's own text
        # colour. Swatches and boxes take the terminal's default foreground.
        expected = chart_colour if place == "bars" else Color.default()
        for style in styles:
            assert style.color == expected, (place, name, style)
    for (place, name), styles in on_screen.items():
        for style in styles:
            assert cell_contrast(style) >= 4.5, (place, name, style)


async def test_table_sort_and_filter_by_name(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EndpointsScreen)
        while screen.sort_column != "name":
            await pilot.press("s")
        await settle(pilot)
        sorted_rows = list(rows_by_name(app))
        await pilot.press("slash", *"api.s")
        await settle(pilot)
        filtered_rows = list(rows_by_name(app))

    # Sorting the cells' text would order the rows by their glyphs instead.
    assert sorted_rows == sorted(ENDPOINTS)
    assert filtered_rows == [STUDIED]
