"""The endpoints view driven by its pilot at 80x24, on a database of known data."""

from __future__ import annotations

import dataclasses

import peewee as pw
import pytest
from pilot_helpers import row_names, rows_by_name, settle, table_rows, wait_until
from textual.widgets import DataTable, Input
from tui_data import (
    HOSTILE_NAME,
    HOSTILE_RULE,
    NOW,
    ORDER_BY_LAST,
    STATIC,
    STUDIED,
    TRANSLATE,
    add_request,
)

from capture.schema import Endpoint
from flaskdash_tui import views
from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.screens.endpoints import COLUMN_KEYS, EndpointsScreen
from flaskdash_tui.screenshot import export_text
from flaskdash_tui.settings import Settings

SIZE = (80, 24)


def column(app: FlaskdashApp, key: str) -> list[str]:
    index = COLUMN_KEYS.index(key)
    return [row[index] for row in table_rows(app)]


def monitored(database: pw.Database, name: str) -> bool:
    query = Endpoint.select(Endpoint.monitored).where(Endpoint.name == name)
    return bool(query.bind(database).scalar())


async def test_rows_shown_by_last_access(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, EndpointsScreen)
        assert row_names(app) == ORDER_BY_LAST
        rows = rows_by_name(app)
        studied = rows[STUDIED]
        assert studied[COLUMN_KEYS.index("today")] == "2"
        assert studied[COLUMN_KEYS.index("total")] == "4"
        assert studied[COLUMN_KEYS.index("median")] == "25.0ms"
        assert studied[COLUMN_KEYS.index("last")] == "12:00:00"
        assert rows[STATIC][COLUMN_KEYS.index("monitored")] == "○"
        assert rows[STUDIED][COLUMN_KEYS.index("monitored")] == "●"
        assert rows[STATIC][COLUMN_KEYS.index("median")] == "-"


async def test_sort_key_and_reverse(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EndpointsScreen)
        # From the last-access column, "s" wraps around to the first column.
        await pilot.press("s")
        assert screen.sort_column == "monitored"
        while screen.sort_column != "total":
            await pilot.press("s")
        totals = [int(value.replace(",", "")) for value in column(app, "total")]
        assert totals == sorted(totals, reverse=True)
        await pilot.press("r")
        totals = [int(value.replace(",", "")) for value in column(app, "total")]
        assert totals == sorted(totals)


async def test_sort_by_header_click(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EndpointsScreen)
        table = screen.query_one(DataTable)
        table.post_message(
            DataTable.HeaderSelected(
                table, table.columns["name"].key, COLUMN_KEYS.index("name"), None
            )
        )
        await pilot.pause()
        assert screen.sort_column == "name"
        assert row_names(app) == sorted(ORDER_BY_LAST)


async def test_filter_and_escape(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        field = app.screen.query_one("#filter", Input)
        assert field.has_focus
        await pilot.press(*"translate")
        assert row_names(app) == [TRANSLATE]
        await pilot.press("enter")
        assert app.screen.query_one(DataTable).has_focus
        assert row_names(app) == [TRANSLATE]
        await pilot.press("escape")
        assert not field.display
        assert row_names(app) == ORDER_BY_LAST


async def test_filter_matches_rules_and_methods(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"/t/")
        assert row_names(app) == [TRANSLATE]
        field = app.screen.query_one("#filter", Input)
        field.value = "delete"
        await pilot.pause()
        assert row_names(app) == ["api.never_requested"]


async def test_space_toggles_flag(settings: Settings, database: pw.Database) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.selected_endpoint == TRANSLATE
        await pilot.press("space")
        await settle(pilot)
        assert monitored(database, TRANSLATE) is False
        assert column(app, "monitored")[0] == "○"
        await pilot.press("space")
        await settle(pilot)
        assert monitored(database, TRANSLATE) is True
        assert column(app, "monitored")[0] == "●"


async def test_j_k_move_cursor(settings: Settings, database: pw.Database) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        assert app.screen.selected_endpoint == ORDER_BY_LAST[2]
        await pilot.press("k")
        assert app.screen.selected_endpoint == ORDER_BY_LAST[1]
        await pilot.press("space")
        await settle(pilot)
        assert monitored(database, ORDER_BY_LAST[1]) is False


async def test_new_request_appears_without_key(
    settings: Settings, database: pw.Database
) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert column(app, "today")[0] == "3"
        add_request(database, TRANSLATE, NOW - 60, 9.0)
        assert await wait_until(pilot, lambda: column(app, "today")[0] == "4")
        assert column(app, "total")[0] == "11"


async def test_paused_app_does_not_reload(
    settings: Settings, database: pw.Database
) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        assert app.paused
        assert "paused" in export_text(app).splitlines()[0]
        add_request(database, TRANSLATE, NOW - 60, 9.0)
        await pilot.pause(3 * settings.refresh_interval)
        await settle(pilot)
        assert column(app, "today")[0] == "3"
        await pilot.press("p")
        assert await wait_until(pilot, lambda: column(app, "today")[0] == "4")


async def test_untrusted_text_is_literal(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=(160, 24)) as pilot:
        await settle(pilot)
        rows = rows_by_name(app)
        escaped_name = HOSTILE_NAME.replace("\x1b", "\\x1b")
        name_cell = rows[HOSTILE_NAME][COLUMN_KEYS.index("name")]
        assert name_cell.endswith(" " + escaped_name)
        assert rows[HOSTILE_NAME][COLUMN_KEYS.index("rule")] == HOSTILE_RULE.replace(
            "\x1b", "\\x1b"
        )
        screen = export_text(app)
        assert "api.[bold]evil\\x1b[31m" in screen
        assert "/[red]x[/red]\\x1b[2J" in screen
        assert "\x1b" not in screen


async def test_enter_opens_detail_view(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("enter")
        await settle(pilot)
        if views.DETAIL_VIEW not in views.VIEWS:
            # Without a detail view, enter only shows a notification.
            assert app.screen is screen
            return
        opened = app.screen.VIEW_NAME
        assert opened == views.DETAIL_VIEW
        assert app.screen.endpoint == TRANSLATE
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_escape_on_first_view_stays(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert app.is_running
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_no_color_keeps_glyphs(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.no_color
        screen = export_text(app)
        # Monitoring reads from the glyph alone, without colour.
        assert "●" in screen
        assert "○" in screen


async def test_endpoint_option_selects_row(settings: Settings) -> None:
    app = FlaskdashApp(dataclasses.replace(settings, endpoint=STATIC))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.selected_endpoint == STATIC


async def test_number_keys_switch_views(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.screen
        others = [view for view in views.VIEWS.values() if view.key and view.key != "1"]
        if not others:
            pytest.skip("only the endpoints view is registered")
        await pilot.press(others[0].key)
        await settle(pilot)
        opened = app.screen.VIEW_NAME
        assert opened == others[0].name
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is first
