"""The status line at the top of every view, at narrow widths."""

from __future__ import annotations

import dataclasses

from pilot_helpers import settle
from tui_data import TRANSLATE

from flaskdash_tui import views
from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.screens.base import BaseScreen
from flaskdash_tui.screenshot import export_text
from flaskdash_tui.settings import Settings

CLOCK = "live · 13:00:00"
"""State and load time at the frozen NOW (12:00 UTC) in Europe/Amsterdam."""


async def test_long_endpoint_keeps_clock(settings: Settings) -> None:
    detail = dataclasses.replace(settings, view=views.DETAIL_VIEW, endpoint=TRANSLATE)
    app = FlaskdashApp(detail)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first_line = export_text(app).splitlines()[0].rstrip()
        assert first_line.endswith(CLOCK), first_line
        assert "Europe/Amsterdam" in first_line
        assert "api.get_possible" in first_line
        assert "…" in first_line
        assert TRANSLATE not in first_line


async def test_status_fits_resized_width(settings: Settings) -> None:
    detail = dataclasses.replace(settings, view=views.DETAIL_VIEW, endpoint=TRANSLATE)
    app = FlaskdashApp(detail)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(160, 30)
        await pilot.pause()
        wide_line = export_text(app).splitlines()[0].rstrip()
        assert TRANSLATE in wide_line
        assert wide_line.endswith(CLOCK), wide_line


async def test_narrow_status_drops_zone(settings: Settings) -> None:
    detail = dataclasses.replace(settings, view=views.DETAIL_VIEW, endpoint=TRANSLATE)
    app = FlaskdashApp(detail)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BaseScreen)
        for width in (40, 50, 60):
            text = screen.status_text(width).plain
            assert text.endswith(CLOCK), (width, text)
            assert len(text) <= width, (width, text)
        narrow = screen.status_text(50).plain
        assert "Europe/Amsterdam" not in narrow
        assert "api." in narrow
        full = screen.status_text().plain
        assert TRANSLATE in full
        assert "Europe/Amsterdam" in full
