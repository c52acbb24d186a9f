"""The response and endpoint detail views, driven through the real app at 80x24."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from perf_data import MARKUP_NAME, NOW, PerfData, fill

from capture.database import open_database
from capture.schema import Endpoint, Request
from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.screens.detail import DetailScreen
from flaskdash_tui.screens.response import ResponseScreen
from flaskdash_tui.screenshot import export_text
from flaskdash_tui.settings import Settings
from flaskdash_tui.widgets.boxplot import BoxPlot, format_duration
from flaskdash_tui.widgets.grid import MedianGrid

SIZE = (80, 24)


def make_app(path: Path, view: str, endpoint: str | None = None) -> FlaskdashApp:
    settings = Settings(
        database=str(path),
        view=view,
        endpoint=endpoint,
        now=NOW,
        timezone=dt.timezone.utc,
        refresh_interval=60.0,
    )
    return FlaskdashApp(settings)


async def settle(app: FlaskdashApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def press(app: FlaskdashApp, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


@pytest.fixture
def path(filled: tuple[Path, PerfData]) -> Path:
    return filled[0]


async def test_response_rows_slowest_first(path: Path, perf_data: PerfData) -> None:
    app = make_app(path, "response")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ResponseScreen)
        plot = app.screen.query_one(BoxPlot)
        medians = [row.stats.median for row in plot.rows]
        assert medians == sorted(medians, reverse=True)
        assert plot.rows[0].key == "api.slow"
        assert "api.hidden" not in [row.key for row in plot.rows]


async def test_response_figures_follow_cursor(path: Path) -> None:
    app = make_app(path, "response")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        plot = app.screen.query_one(BoxPlot)
        first = plot.rows[0]
        screen = export_text(app)
        assert f"median {format_duration(first.stats.median)}" in screen
        assert f"{first.stats.count:,} requests" in screen

        await press(app, pilot, "down")
        second = plot.rows[1]
        screen = export_text(app)
        assert plot.cursor == 1
        assert f"median {format_duration(second.stats.median)}" in screen
        assert f"max {format_duration(second.stats.maximum)} ms" in screen


async def test_response_click_selects_row(path: Path) -> None:
    app = make_app(path, "response")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        plot = app.screen.query_one(BoxPlot)
        await pilot.click(BoxPlot, offset=(5, 2))
        await settle(app, pilot)
        assert plot.cursor == 2


async def test_response_log_scale_key(path: Path) -> None:
    app = make_app(path, "response")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        plot = app.screen.query_one(BoxPlot)
        assert not plot.log_scale
        assert "log ms" not in export_text(app)

        await press(app, pilot, "l")
        assert plot.log_scale
        assert "log ms" in export_text(app)


async def test_response_glyphs_and_legend(path: Path) -> None:
    app = make_app(path, "response")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = export_text(app)
        # Box, median, whisker ends and outliers are glyphs, not colours.
        for glyph in ("█", "┃", "├", "┤", "•"):
            assert glyph in screen
        assert "1.5 IQR" in screen
        assert "Tukey" in screen


async def test_response_markup_name_literal(path: Path) -> None:
    app = make_app(path, "response")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        plot = app.screen.query_one(BoxPlot)
        index = [row.key for row in plot.rows].index(MARKUP_NAME)
        plot.action_cursor_to(index)
        await settle(app, pilot)
        screen = export_text(app)
        # The figures line shows the whole name; the row label is cut short.
        assert "api.[bold]evil[/bold]\\x1b[31m · " in screen
        assert "api.[bold]evil[/bold]\\…" in screen
        assert "\x1b" not in screen


async def test_response_range_key_widens(path: Path, perf_data: PerfData) -> None:
    app = make_app(path, "response")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        plot = app.screen.query_one(BoxPlot)
        in_range = len(perf_data.durations("api.slow"))
        assert plot.rows[0].stats.count == in_range

        await press(app, pilot, "t")
        slow = next(row for row in plot.rows if row.key == "api.slow")
        assert slow.stats.count == in_range + 50


async def test_response_enter_opens_detail(path: Path) -> None:
    app = make_app(path, "response")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "down", "enter")
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.endpoint == "api.single"

        await press(app, pilot, "escape")
        assert isinstance(app.screen, ResponseScreen)


async def test_endpoints_enter_opens_detail(path: Path) -> None:
    app = make_app(path, "endpoints")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        expected = app.screen.selected_endpoint
        await press(app, pilot, "enter")
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.endpoint == expected


async def test_detail_versions_first_seen_order(path: Path) -> None:
    app = make_app(path, "endpoint", "api.slow")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        plot = app.screen.query_one("#versions BoxPlot", BoxPlot)
        labels = [row.label.plain for row in plot.rows]
        assert labels == [
            "aaaaaaa 2026-11-05 First release",
            "bbbbbbb 2026-11-15 Add [red]feeds[/red]",
            "ccccccc 2026-11-25 Cache the translations",
        ]
        await press(app, pilot, "down")
        assert "Add [red]feeds[/red] · " in export_text(app)


async def test_detail_users_tab_folds_others(path: Path, perf_data: PerfData) -> None:
    app = make_app(path, "endpoint", "api.slow")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "n")
        assert app.screen.active_tab == "users"
        plot = app.screen.query_one("#users BoxPlot", BoxPlot)
        assert len(plot.rows) == 13
        assert plot.rows[-1].key is None
        assert plot.rows[-1].label.plain == "others (8 users)"
        total = sum(row.stats.count for row in plot.rows)
        assert total == len(perf_data.durations("api.slow"))


async def test_detail_ips_tab(path: Path, perf_data: PerfData) -> None:
    app = make_app(path, "endpoint", "api.slow")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "n", "n")
        assert app.screen.active_tab == "ips"
        plot = app.screen.query_one("#ips BoxPlot", BoxPlot)
        ips = {row.ip for row in perf_data.rows if row.endpoint == "api.slow"}
        assert len(ips) == 15
        keys = [row.key for row in plot.rows]
        assert len(keys) == 13
        assert keys[-1] is None
        assert set(keys[:-1]) < ips
        assert plot.rows[-1].label.plain == "others (3 IPs)"


async def test_detail_grid_medians(path: Path) -> None:
    app = make_app(path, "endpoint", "api.slow")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "n", "n", "n")
        assert app.screen.active_tab == "grid"
        table = app.screen.query_one(MedianGrid)
        grid = table.grid
        assert grid is not None
        assert table.row_count == len(grid.users)
        assert len(table.columns) == len(grid.versions) + 1
        user = grid.users[0]
        version = grid.versions[0]
        cell = grid.cells[(user, version.id)]
        assert table.get_cell_at((0, 1)).plain.startswith(format_duration(cell.median))
        screen = export_text(app)
        assert f"over {cell.count:,} requests" in screen


async def test_detail_missing_endpoint_message(path: Path) -> None:
    app = make_app(path, "endpoint", "api.missing")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "Endpoint not found: api.missing" in export_text(app)


async def test_response_shows_new_requests(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    database = open_database(path, create=True)
    fill(database)
    app = make_app(path, "response")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ResponseScreen)
        with database.atomic():
            endpoint = Endpoint.insert(name="api.new", first_seen=NOW - 60).execute(
                database
            )
            version = Request.select(Request.version).bind(database).scalar()
            Request.insert(
                endpoint=endpoint,
                time=NOW - 60,
                duration=99999.0,
                method="GET",
                status=200,
                version=version,
                group="u",
                ip="127.0.0.1",
            ).execute(database)
        # The live reload is throttled; pretend the last one was long ago.
        screen._last_reload = float("-inf")
        screen.database_changed()
        await settle(app, pilot)
        plot = screen.query_one(BoxPlot)
        assert plot.rows[0].key == "api.new"
    database.close()


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--view", "response"], "api.slow"),
        (["--view", "endpoint", "--endpoint", "api.slow"], "aaaaaaa"),
    ],
)
def test_screenshot_command_writes_svg(
    path: Path, tmp_path: Path, arguments: list[str], expected: str
) -> None:
    output = tmp_path / "view.svg"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flaskdash_tui.cli",
            "screenshot",
            str(path),
            *arguments,
            "--size",
            "80x24",
            "--output",
            str(output),
            "--now",
            dt.datetime.fromtimestamp(NOW, dt.timezone.utc).isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    svg = output.read_text()
    assert svg.startswith("<svg")
    assert expected in svg
