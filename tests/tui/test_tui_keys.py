"""The key registry: footer size, help screen and command palette."""

from __future__ import annotations

import pytest
from pilot_helpers import settle
from textual.widgets import Input
from tui_data import TRANSLATE

from flaskdash_tui import keys, views
from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.screens.help import HelpScreen
from flaskdash_tui.screenshot import export_text
from flaskdash_tui.settings import Settings


def footer_keys(app: FlaskdashApp) -> list[str]:
    """Return the keys that the footer shows, the palette key included."""
    visible = {
        active.binding.key
        for active in app.screen.active_bindings.values()
        if active.binding.show
    }
    # The footer adds the command palette key, whose binding has show=False.
    return [*sorted(visible), app.COMMAND_PALETTE_BINDING]


@pytest.mark.parametrize("view", list(views.VIEWS))
async def test_footer_fits(settings: Settings, view: str) -> None:
    app = FlaskdashApp(
        Settings(**{**settings.__dict__, "view": view, "endpoint": TRANSLATE})
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert len(footer_keys(app)) <= keys.MAX_FOOTER_KEYS, footer_keys(app)


def test_every_view_imports() -> None:
    assert views.import_all() == {}


def test_every_binding_registered() -> None:
    views.import_all()
    for key in keys.KEYS.values():
        assert key.id.split(".")[0] in {"app", "screen", "view", key.scope}
        assert key.description
        assert key.binding().id == key.id
    with pytest.raises(KeyError):
        keys.bindings("no.such.key")


async def test_help_lists_every_key(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        listed = [key for _, entries in help_screen.sections() for key in entries]
        assert sorted(key.id for key in listed) == sorted(keys.KEYS)
        # The endpoints view's own keys come first.
        assert help_screen.sections()[0][0] == "Endpoints view"
        text = export_text(app)
        assert "Toggle" in text or "Monitor" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_commands_from_registry(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for key_id in ("endpoints.filter", "endpoints.toggle", "app.pause"):
            assert keys.KEYS[key_id].description in titles


async def test_palette_command_runs_action(settings: Settings) -> None:
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*keys.KEYS["endpoints.filter"].description)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        field = app.screen.query_one("#filter", Input)
        assert field.display
        assert field.has_focus


def test_help_lists_views_in_key_order() -> None:
    sections = dict(HelpScreen().sections())

    view_keys = [key.key for key in sections["Open a view"]]

    assert view_keys == sorted(view_keys)
    assert view_keys[:2] == ["1", "2"]
