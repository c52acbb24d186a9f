"""The app-wide exceptions view, driven through the pilot on model-inserted rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import peewee as pw
import pytest
from faults_pilot import settle, wait_for_text
from faults_rows import APP_FILE, FLASK_FILE, Rows, frame
from textual.widgets import DataTable

from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.screens.exceptions import ExceptionsPanel
from flaskdash_tui.settings import Settings

NOW = 1_764_000_000.0


def _stack(function: str, line: int, code: str) -> list[dict[str, object]]:
    return [
        frame(FLASK_FILE, 902, "dispatch_request", "return view()"),
        frame(APP_FILE, line, function, code),
    ]


@pytest.fixture
def settings(database: pw.Database, rows: Rows, tmp_path: Path) -> Settings:
    """Return settings for a database with two exception groups."""
    for offset in (3000.0, 2000.0):
        request_id = rows.request("api.report", time=NOW - offset, status=500)
        rows.exception(
            request_id,
            "builtins.KeyError",
            _stack("report_outcome", 20, "outcome = data['outcome']"),
            "'outcome'",
        )
    request_id = rows.request("api.feeds", time=NOW - 100.0, status=500)
    rows.exception(
        request_id,
        "builtins.ZeroDivisionError",
        _stack("feed_ratio", 55, "return read / total"),
        "division by zero",
    )
    return Settings(
        database=str(tmp_path / "flaskdash.db"),
        view="exceptions",
        timezone=dt.timezone.utc,
        now=NOW,
        refresh_interval=0.2,
    )


async def test_exceptions_view_lists_groups(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_text(pilot, "feed_ratio")
        table = app.screen.query_one(ExceptionsPanel).query_one(DataTable)

        assert table.row_count == 2
        assert "ZeroDivisionError" in screen
        assert "KeyError" in screen
        # The newest group comes first, so its traceback is shown.
        assert "return read / total" in screen
        assert "division by zero" in screen


async def test_exceptions_view_follows_cursor(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "feed_ratio")
        await pilot.press("down")
        screen = await wait_for_text(pilot, "outcome = data['outcome']")

        assert "outcome = data['outcome']" in screen
        assert "return read / total" not in screen


async def test_detail_key_opens_shown_endpoint(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "feed_ratio")
        await pilot.press("5")
        screen = await wait_for_text(pilot, "Endpoint detail")

    assert "Endpoint detail" in screen
    assert "api.feeds" in screen.splitlines()[0]


async def test_exceptions_view_saves_trace(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "feed_ratio")
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

        saved = tmp_path / "flaskdash-exception-3.txt"
        assert saved.exists()
        text = saved.read_text(encoding="utf-8")
        assert "builtins.ZeroDivisionError: division by zero" in text
        assert "return read / total" in text
        assert app.clipboard == text


async def test_exceptions_view_empty(tmp_path: Path, database: pw.Database) -> None:
    settings = Settings(
        database=str(tmp_path / "flaskdash.db"), view="exceptions", now=NOW
    )
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_text(pilot, "No exceptions recorded.")
    assert "No exceptions recorded." in screen


async def test_exceptions_view_shows_new_group(
    settings: Settings, database: pw.Database, rows: Rows
) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "feed_ratio")
        request_id = rows.request("api.feeds", time=NOW - 10.0, status=500)
        rows.exception(
            request_id,
            "builtins.ValueError",
            _stack("parse_feed", 70, "int(text)"),
            "invalid literal",
        )
        # The origin column is cut at 80 columns, so look for the type.
        screen = await wait_for_text(pilot, "ValueError")
        table = app.screen.query_one(ExceptionsPanel).query_one(DataTable)

        assert "ValueError" in screen
        assert table.row_count == 3


async def test_exceptions_view_hostile_trace(
    database: pw.Database, rows: Rows, tmp_path: Path
) -> None:
    long_code = "token = '" + "y" * 5000 + "'"
    request_id = rows.request("api.[bold]x", time=NOW - 5.0, status=500)
    rows.exception(
        request_id,
        "builtins.ValueError",
        [
            frame(APP_FILE, 8, "decode", long_code),
            frame(APP_FILE, 9, "render", "print('[bold]\x1b[2J')"),
        ],
        "[bold]\x1b[2Jgone",
    )
    settings = Settings(
        database=str(tmp_path / "flaskdash.db"),
        view="exceptions",
        timezone=dt.timezone.utc,
        now=NOW,
    )
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_text(pilot, "ValueError: [bold]")
        lines = screen.splitlines()

    assert "print('[bold]\\x1b[2J')" in screen
    assert "ValueError: [bold]\\x1b[2Jgone" in screen
    assert "\x1b" not in screen
    assert len(lines) == 24
    assert all(len(line) <= 80 for line in lines)
    # The footer with the keys is still on the last row.
    assert "Copy" in lines[-1]


async def test_exceptions_view_fits_versions(
    tmp_path: Path, database: pw.Database, rows: Rows
) -> None:
    versions = ("a996c5a", "5d20c1e", "b3c0ffe")
    for offset, version in enumerate(versions):
        request_id = rows.request(
            "api.report_exercise_outcome",
            time=NOW - 3000.0 + offset,
            status=500,
            version=version,
        )
        rows.exception(
            request_id,
            "builtins.TypeError",
            _stack("report_exercise_outcome", 162, "word = bookmark['word']"),
            "'NoneType' object is not subscriptable",
        )
    settings = Settings(
        database=str(tmp_path / "flaskdash.db"),
        view="exceptions",
        timezone=dt.timezone.utc,
        now=NOW,
    )
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_text(pilot, "report_exercise_outcome")
        header, row = screen.splitlines()[1:3]

    assert "Versions" in header
    # The oldest and the newest of three versions, and how many there are.
    assert "a996c5a … b3c0ffe (3)" in row
