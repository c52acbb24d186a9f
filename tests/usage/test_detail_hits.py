"""Tests of the hits tab of the endpoint detail view."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee as pw
from textual.widgets import Static, TabbedContent
from usage_data import RequestWriter

from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.screens.detail_hits import HitsPanel
from flaskdash_tui.settings import Settings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=AMSTERDAM).timestamp()


def local(*fields: int) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=AMSTERDAM)


def make_app(database: pw.Database, endpoint: str) -> FlaskdashApp:
    settings = Settings(
        database=str(Path(database.database)),
        view="endpoint",
        endpoint=endpoint,
        now=NOW,
        timezone=AMSTERDAM,
    )
    return FlaskdashApp(settings)


async def test_hits_tab_counts_one_endpoint(
    database: pw.Database, writer: RequestWriter
) -> None:
    writer.add("api.translate", local(2026, 11, 19, 10), local(2026, 11, 19, 11))
    writer.add("api.bookmarks", local(2026, 11, 19, 10))
    app = make_app(database, "api.translate")

    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one(TabbedContent).active = "hits"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen.query_one(HitsPanel)
        panel.focus()
        await pilot.press("left")
        await pilot.pause()
        summary = str(panel.query_one("#hits-summary", Static).render())

    assert "Total 2" in summary
    assert "peak Thu 2026-11-19 2" in summary
    assert "Thu 2026-11-19 2 hits" in summary


async def test_hits_tab_unknown_endpoint(database: pw.Database) -> None:
    app = make_app(database, "api.missing")

    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The detail view loads an extra tab when the tab is first shown.
        app.screen.query_one(TabbedContent).active = "hits"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen.query_one(HitsPanel)
        summary = str(panel.query_one("#hits-summary", Static).render())

    assert "Endpoint not found: api.missing" in summary
