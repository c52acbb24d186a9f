"""Make every screenshot of the README from the demo's history, in one command.

::

    python -m flaskdash_tui.demo.screenshots [--output screenshots]

The command replays the demo's history (:func:`~flaskdash_tui.demo.history.
build_history`) into a temporary folder with a fixed end and seed, without
starting the live service. It then runs the real app headless for each
:class:`Shot` in :data:`SHOTS`, presses the shot's keys, and writes the
screen as ``OUTPUT/NAME.svg``. SVGs in ``OUTPUT`` that no shot makes any more
are removed, so the folder contains exactly the current set. Progress goes to
stderr and the list of written files to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from textual.pilot import Pilot

from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.demo.history import TIME_ZONE, build_history
from flaskdash_tui.settings import Settings

logger = logging.getLogger(__name__)

DEMO_NOW = datetime(2026, 11, 26, 15, 30, tzinfo=TIME_ZONE).timestamp()
"""The end of the history and the app's frozen "now": a Thursday afternoon in
the demo's time zone, so the last day is a busy working day."""
DEMO_DAYS = 28
"""Whole days of history before the day of :data:`DEMO_NOW`."""
DEMO_SEED = 7
"""Seed of the traffic and of the service's costs, as in the live demo."""

SMALL = (80, 24)
LARGE = (120, 36)

WORKDIR_NAME = "flaskdash-screenshots"
"""Name of the folder, in the system's temporary folder, for the history."""

STABLE_ROUNDS = 10
"""Maximum extra frames to wait for two equal ones in a row."""
STABLE_PAUSE = 0.2
"""Seconds between two frames that are compared."""

SETTLE_ROUNDS = 20
"""Maximum rounds of waiting for workers and messages after each step."""

TRANSLATIONS = "api.get_possible_translations"
"""The slow endpoint that the second version makes faster."""
DIFFICULTIES = "api.get_article_difficulties"
"""The endpoint whose cost grows with each user's subscriptions."""
STARRED = "api.get_starred_articles"
"""The endpoint with rare very slow requests, which become outliers."""
EXERCISE_OUTCOME = "api.report_exercise_outcome"
"""The endpoint that fails now and then."""

DETAIL_TABS = ("versions", "users", "ips", "grid", "hits", "outliers", "exceptions")
"""The detail view's tabs in the order that its ``n`` key cycles through them."""


@dataclass(frozen=True)
class Shot:
    """One screenshot: which view, in which state, at which size."""

    name: str
    """File name without ``.svg``; stable, because the README links it."""
    view: str
    """The view that the app opens, a key of ``flaskdash_tui.views.VIEWS``."""
    endpoint: str | None = None
    """The endpoint of the detail view."""
    keys: tuple[str, ...] = ()
    """Textual key names pressed once the view has loaded, in order."""
    size: tuple[int, int] = SMALL
    """Width and height in cells."""
    no_color: bool = False
    """Whether the app runs with ``NO_COLOR`` set."""


def tab_keys(tab: str) -> tuple[str, ...]:
    """Return the key presses that move the detail view from its first tab to ``tab``.

    Raises:
        ValueError: ``tab`` is not in :data:`DETAIL_TABS`.
    """
    return ("n",) * DETAIL_TABS.index(tab)


def detail_shot(
    tab: str, endpoint: str, size: tuple[int, int] = SMALL, suffix: str = ""
) -> Shot:
    """Return the shot of one tab of the detail view, named ``endpoint-TAB``."""
    return Shot(f"endpoint-{tab}{suffix}", "endpoint", endpoint, tab_keys(tab), size)


SHOTS: tuple[Shot, ...] = (
    Shot("endpoints", "endpoints"),
    Shot("hits", "hits"),
    Shot("heatmap", "heatmap"),
    Shot("response", "response"),
    Shot("response-log", "response", keys=("l",)),
    Shot("exceptions", "exceptions"),
    Shot("help", "endpoints", keys=("question_mark",)),
    detail_shot("versions", TRANSLATIONS),
    detail_shot("users", DIFFICULTIES),
    detail_shot("ips", DIFFICULTIES),
    detail_shot("grid", DIFFICULTIES),
    detail_shot("hits", TRANSLATIONS),
    detail_shot("outliers", STARRED),
    detail_shot("exceptions", EXERCISE_OUTCOME),
    Shot("endpoints-120x36", "endpoints", size=LARGE),
    Shot("hits-120x36", "hits", size=LARGE),
    Shot("heatmap-120x36", "heatmap", size=LARGE),
    Shot("response-120x36", "response", size=LARGE),
    detail_shot("versions", TRANSLATIONS, LARGE, "-120x36"),
    # The outliers tab at this size also shows the CPU and memory figures
    # measured while the history was replayed, which differ on every run.
    detail_shot("users", DIFFICULTIES, LARGE, "-120x36"),
    Shot("hits-no-color", "hits", no_color=True),
    Shot("response-no-color", "response", no_color=True),
)
"""Every screenshot that the command makes, in the order it makes them."""

Progress = Callable[[str], None]


class ScreenshotError(RuntimeError):
    """The app failed while it rendered a screenshot; the message names it."""


def build_demo_database(
    folder: Path,
    *,
    days: int = DEMO_DAYS,
    seed: int = DEMO_SEED,
    now: float = DEMO_NOW,
    progress: Progress | None = None,
) -> Path:
    """Replay the demo's history into ``folder`` and return its database file.

    Args:
        folder: An empty folder for the demo repository and the database.
        days: Whole days of history before the day of ``now``.
        seed: Seed of the traffic and of the service's costs.
        now: The end of the history, UNIX seconds in UTC.
        progress: Called with one line of progress text now and then.
    """
    database = folder / "flaskdash.db"
    last_tenth = -1

    def report(stage: str, done: int, total: int) -> None:
        nonlocal last_tenth
        tenth = done * 10 // max(total, 1)
        if progress is not None and tenth != last_tenth:
            last_tenth = tenth
            progress(f"{stage}: {done} of {total} requests replayed")

    build_history(
        folder / "service", database, days=days, seed=seed, now=now, progress=report
    )
    return database


async def render_shot(shot: Shot, database: Path, now: float) -> str:
    """Run the app headless in the state that ``shot`` describes; return the SVG.

    Args:
        shot: The view, endpoint, keys, size and colour mode.
        database: The SQLite file of the demo's history.
        now: The app's frozen current time, UNIX seconds in UTC.
    """
    settings = Settings(
        database=str(database),
        view=shot.view,
        endpoint=shot.endpoint,
        timezone=TIME_ZONE,
        now=now,
    )
    with _no_color(shot.no_color):
        app = FlaskdashApp(settings)
    async with app.run_test(size=shot.size) as pilot:
        await _settle(app, pilot)
        for key in shot.keys:
            await pilot.press(key)
            await _settle(app, pilot)
        title = f"flaskdash-tui {shot.name}"
        svg = app.export_screenshot(title=title)
        # Some views lay out again once their data is shown (a legend that
        # wraps, columns sized to their cells), so wait for two equal frames.
        for _ in range(STABLE_ROUNDS):
            await pilot.pause(STABLE_PAUSE)
            await _settle(app, pilot)
            frame = app.export_screenshot(title=title)
            if frame == svg:
                return svg
            svg = frame
        logger.warning(
            "screenshot %s still changed after %d rounds", shot.name, STABLE_ROUNDS
        )
        return svg


async def write_shots(
    output: Path,
    database: Path,
    *,
    shots: Sequence[Shot] = SHOTS,
    now: float = DEMO_NOW,
    progress: Progress | None = None,
) -> list[Path]:
    """Write each shot as ``output/NAME.svg`` and remove SVGs that no shot makes.

    Args:
        output: The folder of the SVGs; it is created if missing.
        database: The SQLite file of the demo's history.
        shots: The screenshots to make; their names must differ.
        now: The app's frozen current time, UNIX seconds in UTC.
        progress: Called with one line of progress text per shot.

    Returns:
        The written files, in the order of ``shots``.

    Raises:
        ValueError: Two shots have the same name.
        ScreenshotError: The app raised an exception while it rendered a shot;
            the shots before it are written and no SVG is removed.
    """
    names = [shot.name for shot in shots]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"duplicate screenshot names: {', '.join(duplicates)}")
    output.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for number, shot in enumerate(shots, start=1):
        if progress is not None:
            progress(f"screenshot {number} of {len(shots)}: {shot.name}")
        path = output / f"{shot.name}.svg"
        try:
            svg = await render_shot(shot, database, now)
        except Exception as error:
            # Any exception in a view ends the app, so the message names the shot.
            raise ScreenshotError(
                f"rendering screenshot {shot.name!r} (view {shot.view}) failed: "
                f"{type(error).__name__}: {error}"
            ) from error
        path.write_text(svg, encoding="utf-8")
        logger.info("wrote %s", path)
        written.append(path)
    kept = set(written)
    for stale in sorted(output.glob("*.svg")):
        if stale not in kept:
            stale.unlink()
            logger.info("removed %s, which no shot makes", stale)
            if progress is not None:
                progress(f"removed {stale}")
    return written


def make_screenshots(
    output: Path,
    *,
    shots: Sequence[Shot] = SHOTS,
    days: int = DEMO_DAYS,
    seed: int = DEMO_SEED,
    now: float = DEMO_NOW,
    workdir: Path | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Replay the demo's history in a temporary folder and write every shot.

    The stack traces of outliers and exceptions show the folder's path, and a
    random name would change the SVGs on every run. So the folder is
    :data:`WORKDIR_NAME` in the system's temporary folder unless ``workdir``
    names another.

    Args:
        output: The folder of the SVGs; it is created if missing.
        shots: The screenshots to make; their names must differ.
        days: Whole days of history before the day of ``now``.
        seed: Seed of the traffic and of the service's costs.
        now: The end of the history and the app's frozen current time.
        workdir: The folder for the replayed history, which must not exist;
            it is removed afterwards. When None, the fixed temporary folder.
        progress: Called with one line of progress text now and then.

    Returns:
        The written files, in the order of ``shots``.

    Raises:
        FileExistsError: ``workdir`` exists, for example from another run of
            the command at the same time or from a killed one.
        ScreenshotError: The app raised an exception while it rendered a shot.
    """
    output = output.absolute()
    if workdir is None:
        workdir = Path(tempfile.gettempdir()) / WORKDIR_NAME
    if workdir.exists():
        raise FileExistsError(
            f"work folder {workdir} already exists. Remove it if no other "
            "screenshot run uses it, then try again"
        )
    workdir.mkdir(parents=True)
    try:
        database = build_demo_database(
            workdir, days=days, seed=seed, now=now, progress=progress
        )
        return asyncio.run(
            write_shots(output, database, shots=shots, now=now, progress=progress)
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m flaskdash_tui.demo.screenshots",
        description=(
            "Replay the demo's history and write an SVG screenshot of every "
            "view into one folder, removing SVGs there that are no longer made."
        ),
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("screenshots"),
        help="folder of the SVG files (default: screenshots)",
    )
    arguments = parser.parse_args(argv)

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        written = make_screenshots(arguments.output, progress=progress)
    except (OSError, ScreenshotError) as error:
        print(f"making the screenshots failed: {error}", file=sys.stderr)
        return 1
    for path in written:
        # Paths as the --output argument gave them: relative ones stay relative.
        print(arguments.output / path.name)
    return 0


async def _settle(app: FlaskdashApp, pilot: Pilot[None]) -> None:
    # Loads run in workers, and their results reach the widgets by messages.
    await pilot.pause()
    for _ in range(SETTLE_ROUNDS):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            break
    await pilot.pause(0.1)


@contextlib.contextmanager
def _no_color(enabled: bool) -> Iterator[None]:
    # Textual reads NO_COLOR from the environment when an App is created.
    previous = os.environ.get("NO_COLOR")
    if enabled:
        os.environ["NO_COLOR"] = "1"
    else:
        os.environ.pop("NO_COLOR", None)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("NO_COLOR", None)
        else:
            os.environ["NO_COLOR"] = previous


if __name__ == "__main__":
    sys.exit(main())
