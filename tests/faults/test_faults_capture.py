"""The fault views on a database that capture filled from real HTTP requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from faults_pilot import wait_for_text
from faults_service import SLOW_SECONDS, record_traffic
from textual.widgets import TabbedContent

from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.screens.detail_exceptions import EndpointExceptionsPanel
from flaskdash_tui.screens.detail_outliers import OutliersPanel
from flaskdash_tui.settings import Settings


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a database with one slow request and two failed ones."""
    path = tmp_path_factory.mktemp("captured") / "flaskdash.db"
    record_traffic(path)
    return path


async def test_exceptions_view_shows_raising_frame(captured: Path) -> None:
    app = FlaskdashApp(Settings(database=str(captured), view="exceptions"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_text(pilot, "read_outcome")

    assert "faults_service.py:36 read_outcome" in screen
    assert "▶ app read_outcome" in screen
    assert 'return payload["outcome"]' in screen
    assert "builtins.KeyError: 'outcome'" in screen
    assert "test-1" in screen


async def test_detail_outliers_tab_shows_slow_frame(captured: Path) -> None:
    app = FlaskdashApp(
        Settings(database=str(captured), view="endpoint", endpoint="translate")
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "outliers")
        app.screen.query_one(TabbedContent).active = "outliers"
        screen = await wait_for_text(pilot, "wait_for_translation")
        panel = app.screen.query_one(OutliersPanel)

        # Only the slow request is an outlier, and its innermost frame is
        # the function that slept, shown without scrolling.
        assert len(panel.rows) == 1
        assert panel.rows[0].duration >= SLOW_SECONDS * 1000
        assert "▶ app wait_for_translation" in screen
        assert "time.sleep(delay)" in screen


async def test_detail_outliers_tab_facts(captured: Path) -> None:
    app = FlaskdashApp(
        Settings(database=str(captured), view="endpoint", endpoint="translate")
    )
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for_text(pilot, "outliers")
        app.screen.query_one(TabbedContent).active = "outliers"
        screen = await wait_for_text(pilot, "wait_for_translation")

    assert "/translate?delay=1.0" in screen
    assert "Python-urllib" in screen
    assert "delay" in screen
    assert "CPU" in screen
    assert "MiB" in screen
    assert "test-1" in screen


async def test_detail_exceptions_tab(captured: Path) -> None:
    app = FlaskdashApp(
        Settings(database=str(captured), view="endpoint", endpoint="report")
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "exceptions")
        app.screen.query_one(TabbedContent).active = "exceptions"
        screen = await wait_for_text(pilot, "read_outcome")
        panel = app.screen.query_one(EndpointExceptionsPanel)

    assert len(panel.rows) == 1
    assert panel.rows[0].count == 2
    assert 'return payload["outcome"]' in screen


async def test_detail_outliers_tab_saves_trace(
    captured: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = FlaskdashApp(
        Settings(database=str(captured), view="endpoint", endpoint="translate")
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "outliers")
        app.screen.query_one(TabbedContent).active = "outliers"
        await wait_for_text(pilot, "wait_for_translation")
        panel = app.screen.query_one(OutliersPanel)
        request_id = panel.rows[0].request_id
        # On the tab, "w" still selects the last 7 days and saves nothing.
        await pilot.press("w")
        week = await wait_for_text(pilot, "(7 days)")
        saved_by_w = list(tmp_path.glob("flaskdash-outlier-*.txt"))
        await pilot.press("S")
        await pilot.press("c")
        await wait_for_text(pilot, "Copied the trace")

    assert "(7 days)" in week
    assert saved_by_w == []
    saved = tmp_path / f"flaskdash-outlier-{request_id}.txt"
    assert saved.exists()
    text = saved.read_text(encoding="utf-8")
    assert "in wait_for_translation" in text
    assert "time.sleep(delay)" in text
    assert "  URL: http://127.0.0.1:" in text
    assert app.clipboard == text
