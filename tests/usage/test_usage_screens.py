"""Tests of the hits and heatmap views, driven through the real app at 80x24."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee as pw
import pytest
from textual.widgets import Static
from usage_data import RequestWriter

from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.palette import endpoint_style
from flaskdash_tui.screens.heatmap import HeatmapScreen
from flaskdash_tui.screens.hits import HitsScreen
from flaskdash_tui.screenshot import export_text
from flaskdash_tui.settings import Settings
from flaskdash_tui.widgets.barchart import StackedBarChart
from flaskdash_tui.widgets.heatmap import Heatmap

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=AMSTERDAM).timestamp()


def local(*fields: int) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=AMSTERDAM)


def make_app(database: pw.Database, view: str) -> FlaskdashApp:
    path = Path(database.database)
    return FlaskdashApp(
        Settings(database=str(path), view=view, now=NOW, timezone=AMSTERDAM)
    )


def static_text(app: FlaskdashApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def settle(app: FlaskdashApp, pilot: object) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def test_hits_shows_totals_and_peak(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add(
        "api.translate", *[local(2026, 11, 18, 10, minute) for minute in range(5)]
    )
    writer.add("api.bookmarks", local(2026, 11, 18, 11), local(2026, 11, 20, 9))
    app = make_app(database, "hits")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HitsScreen)
        header = static_text(app, "#range")
        summary = static_text(app, "#summary")
        legend = static_text(app, "#legend")

    assert "2026-10-22 to 2026-11-20 (30 days)" in header
    assert "Europe/Amsterdam" in header
    assert "Total 7" in summary
    assert "peak Wed 2026-11-18 6" in summary
    assert "Fri 2026-11-20 1 hit" in summary
    assert "1 hits" not in summary
    assert legend.index("api.translate") < legend.index("api.bookmarks")


async def test_hits_keys_move_range(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.translate", local(2026, 11, 18, 10), local(2026, 10, 1, 10))
    app = make_app(database, "hits")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        week = static_text(app, "#range")
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        earlier = static_text(app, "#range")
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(app, pilot)
        back = static_text(app, "#range")
        await pilot.press("a")
        await settle(app, pilot)
        everything = static_text(app, "#range")

    assert "2026-11-14 to 2026-11-20 (7 days)" in week
    assert "2026-11-07 to 2026-11-13 (7 days)" in earlier
    assert "2026-11-14 to 2026-11-20 (7 days)" in back
    assert "2026-10-01 to 2026-11-20 (51 days)" in everything


async def test_hits_day_cursor(database: pw.Database, writer: RequestWriter) -> None:
    writer.add("api.translate", local(2026, 11, 19, 10), local(2026, 11, 19, 11))
    app = make_app(database, "hits")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("left")
        await pilot.pause()
        summary = static_text(app, "#summary")

    assert "Thu 2026-11-19 2 hits" in summary


async def test_hits_endpoint_filter(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.translate", local(2026, 11, 19, 10), local(2026, 11, 19, 11))
    writer.add("api.bookmarks", local(2026, 11, 19, 10))
    app = make_app(database, "hits")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        header = static_text(app, "#range")
        summary = static_text(app, "#summary")

    # Both endpoints have an equal hits column, so the names decide the order.
    assert "api.bookmarks" in header
    assert "Total 1" in summary


async def test_hits_empty_database(database: pw.Database) -> None:
    app = make_app(database, "hits")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        summary = static_text(app, "#summary")

    assert "No requests in this range." in summary


async def test_heatmap_cursor_reads_cell(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.translate", local(2026, 11, 20, 14, 5), local(2026, 11, 20, 14, 50))
    writer.add("api.translate", local(2026, 11, 19, 13, 5))
    app = make_app(database, "heatmap")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HeatmapScreen)
        grid = screen.query_one(Heatmap)
        start = static_text(app, "#cell")
        await pilot.press("right", "right")
        await pilot.pause()
        at_14 = static_text(app, "#cell")
        await pilot.press("up", "left")
        await pilot.pause()
        at_13 = static_text(app, "#cell")
        scale = static_text(app, "#scale")
        row, hour = grid.row, grid.hour

    assert "Fri 2026-11-20 12:00-13:00  0 requests" in start
    assert "Fri 2026-11-20 14:00-15:00  2 requests" in at_14
    assert "Thu 2026-11-19 13:00-14:00  1 request" in at_13
    assert (row, hour) == (28, 13)
    assert "1-1" not in scale
    assert "0" in scale


async def test_heatmap_counts_dst_day(
    database: pw.Database, writer: RequestWriter
) -> None:
    # Two requests in the repeated hour 02:00-03:00 of 2026-10-25.
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.timezone.utc)
    writer.add("api.a", first, first + dt.timedelta(hours=1))
    app = make_app(database, "heatmap")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        grid = app.screen.query_one(Heatmap)
        index = grid.days.index(dt.date(2026, 10, 25))
        counts = grid.counts[index]

    assert counts[2] == 2
    assert sum(counts) == 2


async def test_heatmap_fits_80_columns(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.translate", local(2026, 11, 20, 14, 5))
    app = make_app(database, "heatmap")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        grid = app.screen.query_one(Heatmap)
        rendered = str(grid.render())

    widest = max(len(line) for line in rendered.splitlines())
    assert widest <= 78


async def test_hits_live_refresh_counts_today(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.translate", local(2026, 11, 20, 9))
    app = make_app(database, "hits")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        writer.add("api.translate", local(2026, 11, 20, 10))
        # A request stored late for an old day: a live refresh recounts only
        # the last two days, so only a full load finds it.
        writer.add("api.translate", local(2026, 11, 10, 10))
        app.check_database()
        await settle(app, pilot)
        live = static_text(app, "#summary")
        await pilot.press("m")
        await settle(app, pilot)
        full = static_text(app, "#summary")

    assert "Total 2" in live
    assert "Fri 2026-11-20 2 hits" in live
    assert "Total 3" in full


async def test_hits_past_range_skips_refresh(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.translate", local(2026, 11, 10, 9))
    app = make_app(database, "hits")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("w", "left_square_bracket")
        await settle(app, pilot)
        before = static_text(app, "#summary")
        writer.add("api.translate", local(2026, 11, 11, 9))
        app.check_database()
        await settle(app, pilot)
        after = static_text(app, "#summary")

    assert "Total 1" in before
    assert after == before


async def test_heatmap_live_refresh_counts_today(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.translate", local(2026, 11, 20, 12, 5))
    app = make_app(database, "heatmap")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        writer.add("api.translate", local(2026, 11, 20, 12, 30))
        app.check_database()
        await settle(app, pilot)
        cell = static_text(app, "#cell")

    assert "Fri 2026-11-20 12:00-13:00  2 requests" in cell


async def test_hits_reads_without_colour(
    database: pw.Database, writer: RequestWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    writer.add(
        "api.translate", *[local(2026, 11, 19, 10, minute) for minute in range(9)]
    )
    writer.add(
        "api.bookmarks", *[local(2026, 11, 19, 11, minute) for minute in range(9)]
    )
    app = make_app(database, "hits")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.no_color
        screen_text = export_text(app)

    translate = endpoint_style(writer.endpoint("api.translate")).glyph
    bookmarks = endpoint_style(writer.endpoint("api.bookmarks")).glyph
    assert translate != bookmarks
    assert f"{translate * 2} api.translate" in screen_text
    assert f"{bookmarks * 2} api.bookmarks" in screen_text
    chart_rows = screen_text.splitlines()[2:18]
    assert any(translate in row for row in chart_rows)
    assert any(bookmarks in row for row in chart_rows)


async def test_hits_chart_redraws_on_resize(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.translate", local(2026, 11, 19, 10))
    app = make_app(database, "hits")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        chart = app.screen.query_one(StackedBarChart)
        narrow = chart.render().plain.splitlines()
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        wide = chart.render().plain.splitlines()

    assert len(wide) > len(narrow)
    assert max(map(len, wide)) > max(map(len, narrow))


async def test_heatmap_empty_database(database: pw.Database) -> None:
    app = make_app(database, "heatmap")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        header = static_text(app, "#range")
        cell = static_text(app, "#cell")
        scale = static_text(app, "#scale")

    assert "2026-11-20 (1 day)" in header
    assert "Fri 2026-11-20 12:00-13:00  0 requests" in cell
    assert "░░ 1" in scale


@pytest.mark.parametrize("view", ["hits", "heatmap"])
async def test_range_line_shows_long_endpoint(
    database: pw.Database, writer: RequestWriter, view: str
) -> None:
    name = "api.get_article_difficulties"
    writer.add(name, local(2026, 11, 19, 10))
    path = Path(database.database)
    settings = Settings(
        database=str(path), view=view, endpoint=name, now=NOW, timezone=AMSTERDAM
    )
    app = FlaskdashApp(settings)

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        header = static_text(app, "#range").rstrip()
        await pilot.resize_terminal(50, 24)
        await settle(app, pilot)
        narrow = static_text(app, "#range").rstrip()

    swatch = endpoint_style(writer.endpoint(name)).glyph * 2
    # The zone is left out, because the status line above shows it too.
    assert header == f"2026-10-22 to 2026-11-20 (30 days) · {swatch} {name}"
    assert not narrow.endswith("·")
    assert narrow.startswith(f"2026-10-22 to 2026-11-20 (30 days) · {swatch} api.")
    assert narrow.endswith("…")


async def test_heatmap_narrow_terminal_message(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.translate", local(2026, 11, 20, 14, 5))
    app = make_app(database, "heatmap")

    async with app.run_test(size=(30, 10)) as pilot:
        await settle(app, pilot)
        narrow = str(app.screen.query_one(Heatmap).render())
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        wide = str(app.screen.query_one(Heatmap).render())

    # The grid's two margins of one column each come on top of its 58 columns.
    assert narrow == "Terminal too narrow for the grid: need 60 columns."
    assert wide.splitlines()[0].split() == [
        "00",
        "03",
        "06",
        "09",
        "12",
        "15",
        "18",
        "21",
    ]
