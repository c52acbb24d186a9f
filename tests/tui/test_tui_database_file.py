"""A database file deleted or replaced under the running TUI."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import row_names, settle, wait_until
from tui_data import NOW, STUDIED

from capture.database import open_database
from capture.schema import Endpoint
from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.queries.changes import ChangeDetector, FileChange
from flaskdash_tui.screens.base import BaseScreen
from flaskdash_tui.settings import Settings

SIZE = (100, 30)
REPLACEMENT = "api.in_the_new_file"


def delete_database(path: Path) -> None:
    """Remove a SQLite file and its WAL files, as ``rm fd.db*`` does."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def create_replacement(path: Path) -> None:
    """Create a new flaskdash database at ``path`` with one other endpoint."""
    database = open_database(path, create=True)
    Endpoint.insert(name=REPLACEMENT, first_seen=NOW, hits=1).execute(database)
    database.close()


def status_line(app: FlaskdashApp) -> str:
    screen = app.screen
    assert isinstance(screen, BaseScreen)
    return screen.status_text().plain


def error_notifications(app: FlaskdashApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def test_detector_file_changes(database_path: Path) -> None:
    database = open_database(database_path, create=False)
    detector = ChangeDetector(database)
    assert detector.path == database_path
    assert detector.check_file() is FileChange.UNCHANGED
    delete_database(database_path)
    assert detector.check_file() is FileChange.MISSING
    create_replacement(database_path)
    assert detector.check_file() is FileChange.REPLACED
    database.close()


async def test_replaced_file_reopened(settings: Settings, database_path: Path) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert STUDIED in row_names(app)
        old_database = app.database
        delete_database(database_path)
        create_replacement(database_path)
        reloaded = await wait_until(pilot, lambda: row_names(app) == [REPLACEMENT])
        assert reloaded, row_names(app)
        assert app.database is not old_database
        assert app.database_problem is None
        assert "live" in status_line(app)
        assert error_notifications(app) == []


async def test_missing_file_reported_once(
    settings: Settings, database_path: Path
) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        delete_database(database_path)
        reported = await wait_until(pilot, lambda: app.database_problem is not None)
        assert reported
        for _ in range(5):
            app.check_database()
        await pilot.pause()
        assert "database missing" in status_line(app)
        assert "live" not in status_line(app)
        messages = error_notifications(app)
        assert len(messages) == 1, messages
        assert str(database_path) in messages[0]
        assert "not found" in messages[0]
        # The old rows stay, and no reload created an empty file meanwhile.
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert not database_path.exists()
        assert STUDIED in row_names(app)

        create_replacement(database_path)
        back = await wait_until(pilot, lambda: row_names(app) == [REPLACEMENT])
        assert back, row_names(app)
        assert app.database_problem is None
        assert "live" in status_line(app)


async def test_unreadable_replacement_retried(
    settings: Settings, database_path: Path
) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        delete_database(database_path)
        database_path.write_text("not a database yet", encoding="utf-8")
        reported = await wait_until(pilot, lambda: app.database_problem is not None)
        assert reported
        for _ in range(5):
            app.check_database()
        await pilot.pause()
        assert "database unreadable" in status_line(app)
        assert len(error_notifications(app)) == 1

        database_path.unlink()
        create_replacement(database_path)
        back = await wait_until(pilot, lambda: row_names(app) == [REPLACEMENT])
        assert back, row_names(app)
        assert app.database_problem is None
