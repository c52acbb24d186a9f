"""Helpers for driving the app through its pilot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable

from flaskdash_tui.app import FlaskdashApp

WAIT_SECONDS = 5.0
"""Maximum seconds that a test waits for the app to reach a state."""


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker finished and its result reached the widgets."""
    app = pilot.app
    for _ in range(10):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            break
    await pilot.pause()


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = WAIT_SECONDS
) -> bool:
    """Let the app run until ``condition()`` is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
        await pilot.pause()
    return condition()


def table_rows(app: FlaskdashApp) -> list[list[str]]:
    """Return the plain text of every cell of the active screen's table."""
    table = app.screen.query_one(DataTable)
    rows = []
    for index in range(table.row_count):
        cells = table.get_row_at(index)
        rows.append(
            [cell.plain if isinstance(cell, Text) else str(cell) for cell in cells]
        )
    return rows


def row_names(app: FlaskdashApp) -> list[str]:
    """Return the endpoint names of the endpoints table, top to bottom."""
    table = app.screen.query_one(DataTable)
    return [str(key.value) for key in table.rows]


def rows_by_name(app: FlaskdashApp) -> dict[str, list[str]]:
    """Return the plain cells of each row of the endpoints table, by endpoint name.

    The name cell starts with the endpoint's swatch, so tests look rows up by
    their key, which is the name alone.
    """
    return dict(zip(row_names(app), table_rows(app), strict=True))
