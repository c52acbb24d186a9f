"""Helpers for driving the app through its pilot in the fault tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.pilot import Pilot

from flaskdash_tui.screenshot import export_text

WAIT_SECONDS = 10.0
"""The maximum time in seconds that a test waits for the app to reach a state."""


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker finished and its result reached the widgets."""
    app = pilot.app
    for _ in range(10):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            break
    await pilot.pause()


async def wait_for_text(
    pilot: Pilot[None], text: str, timeout: float = WAIT_SECONDS
) -> str:
    """Let the app run until its screen shows ``text``; return the screen.

    The screen is returned either way, so the caller's assert shows it.
    """
    return await wait_for(pilot, lambda screen: text in screen, timeout)


async def wait_for(
    pilot: Pilot[None], condition: Callable[[str], bool], timeout: float = WAIT_SECONDS
) -> str:
    """Let the app run until ``condition(screen text)`` holds; return the screen."""
    deadline = time.monotonic() + timeout
    while True:
        await settle(pilot)
        screen = export_text(pilot.app)  # type: ignore[arg-type]
        if condition(screen) or time.monotonic() > deadline:
            return screen
        await asyncio.sleep(0.05)
