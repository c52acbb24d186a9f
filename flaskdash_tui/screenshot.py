"""Write an SVG screenshot of a view without a terminal."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import peewee as pw
from rich.console import Console

from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.settings import Settings

logger = logging.getLogger(__name__)

SETTLE_ROUNDS = 20
"""Maximum rounds of waiting for workers and messages before the capture."""


async def render_svg(
    settings: Settings,
    size: tuple[int, int],
    database: pw.Database | None = None,
) -> str:
    """Run the app headless at ``size`` until its view is loaded; return the SVG.

    Args:
        settings: The session to show; set ``now`` for a stable picture.
        size: Width and height in cells.
        database: An open database, else ``settings.database`` is opened.
    """
    app = FlaskdashApp(settings, database)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for _ in range(SETTLE_ROUNDS):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if not any(worker.is_running for worker in app.workers):
                break
        # Let the last results reach the widgets and be drawn.
        await pilot.pause(0.1)
        return app.export_screenshot(title=f"flaskdash-tui {settings.view}")


async def write_svg(
    settings: Settings,
    size: tuple[int, int],
    output: Path,
    database: pw.Database | None = None,
) -> Path:
    """Render a view as SVG (see :func:`render_svg`) and write it to ``output``.

    The folder of ``output`` must exist; a missing one raises OSError.
    """
    svg = await render_svg(settings, size, database)
    output.write_text(svg, encoding="utf-8")
    logger.info("wrote %s", output)
    return output


def export_text(app: FlaskdashApp) -> str:
    """Return the running app's screen as plain text, one line per row.

    Tests use it to check what the operator would read, markup included.
    """
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system=None,
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens
    )
    console.print(update)
    return console.export_text(styles=False)
