"""Each view's first load. Textual runs the ``on_mount`` and other handlers of
every class in the MRO, so a screen that also calls ``super().on_mount()``
queries twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee as pw
import pytest
from usage_data import RequestWriter

from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.screens.base import BaseScreen
from flaskdash_tui.settings import Settings
from flaskdash_tui.views import get_view

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=AMSTERDAM).timestamp()
VIEW_NAMES = ("endpoints", "exceptions", "hits", "heatmap", "response", "endpoint")
# NOTE: BaseScreen.on_screen_resume starts a second load of these views right
# after mounting, because no load has finished yet. The response and detail
# views drop such a repeated request in their own reload().
RESUME_RELOADS = {"endpoints", "exceptions", "hits", "heatmap"}


class LoadCounter:
    """Counts the calls of a screen's reload, load_data and show_data."""

    def __init__(self, screen_class: type[BaseScreen], monkeypatch: pytest.MonkeyPatch):
        self.reloads = 0
        self.loads = 0
        self.shows = 0
        reload = BaseScreen.reload
        load_data = screen_class.load_data
        show_data = screen_class.show_data

        def counted_reload(screen: BaseScreen) -> None:
            # The app also mounts the endpoints view below any other view.
            if type(screen) is screen_class:
                self.reloads += 1
            reload(screen)

        def counted_load(screen: BaseScreen) -> object:
            if type(screen) is screen_class:
                self.loads += 1
            return load_data(screen)

        def counted_show(screen: BaseScreen, data: object) -> None:
            if type(screen) is screen_class:
                self.shows += 1
            show_data(screen, data)

        monkeypatch.setattr(BaseScreen, "reload", counted_reload)
        monkeypatch.setattr(screen_class, "load_data", counted_load)
        monkeypatch.setattr(screen_class, "show_data", counted_show)


async def run_view(
    view_name: str, database: pw.Database, writer: RequestWriter
) -> float | None:
    """Open ``view_name`` at 80x24 and return when its load completed."""
    writer.add("api.translate", NOW - 3600, NOW - 60)
    settings = Settings(
        database=str(Path(database.database)),
        view=view_name,
        endpoint="api.translate" if view_name == "endpoint" else None,
        now=NOW,
        timezone=AMSTERDAM,
    )
    app = FlaskdashApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BaseScreen)
        return screen.loaded_at


@pytest.mark.parametrize("view_name", VIEW_NAMES)
async def test_mount_starts_one_load(
    view_name: str,
    database: pw.Database,
    writer: RequestWriter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without the resume's reload, what remains is the mount's own.
    monkeypatch.setattr(BaseScreen, "on_screen_resume", lambda screen: None)
    counter = LoadCounter(get_view(view_name).screen_class(), monkeypatch)

    loaded_at = await run_view(view_name, database, writer)

    assert loaded_at is not None
    assert counter.reloads == 1
    assert counter.loads == 1
    assert counter.shows == 1


@pytest.mark.parametrize(
    "view_name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(
                strict=True,
                reason="BaseScreen.on_screen_resume reloads right after mounting; "
                "remove this mark once it does not",
            ),
        )
        if name in RESUME_RELOADS
        else name
        for name in VIEW_NAMES
    ],
)
async def test_first_load_runs_once(
    view_name: str,
    database: pw.Database,
    writer: RequestWriter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counter = LoadCounter(get_view(view_name).screen_class(), monkeypatch)

    loaded_at = await run_view(view_name, database, writer)

    assert loaded_at is not None
    assert counter.loads == 1
    assert counter.shows == 1
