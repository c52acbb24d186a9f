"""The ``flaskdash-tui`` command: open a database, run the demo, or take a screenshot.

Usage::

    flaskdash-tui [DATABASE] [--view NAME] [--endpoint NAME] [--timezone TZ]
    flaskdash-tui demo [--view NAME] [--timezone TZ] [--days N]
    flaskdash-tui screenshot DATABASE --view NAME --size 80x24 --output FILE.svg
                             [--now ISO-TIME]

Every error that the operator can fix (a missing file, not a flaskdash
database, a bad time zone, an unknown view) is one line on stderr and exit
status 2. A database file named ``demo`` or ``screenshot`` must be given as
``./demo``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import peewee as pw

from capture.database import DatabaseError, open_database
from capture.schema import Endpoint
from flaskdash_tui import views
from flaskdash_tui.settings import (
    DEFAULT_DATABASE,
    ENVIRONMENT,
    MAX_REFRESH_INTERVAL,
    MIN_REFRESH_INTERVAL,
    Settings,
    SettingsError,
)
from flaskdash_tui.text import clean

logger = logging.getLogger(__name__)

PROG = "flaskdash-tui"
USAGE_ERROR = 2
"""Exit status for every error the operator can fix."""

EXIT_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
"""Signals that end the TUI as ``q`` does: SIGHUP from a closed terminal or a
dropped SSH connection, and SIGTERM from ``kill``."""


MAX_SCREENSHOT_SIZE = (500, 200)
"""Largest screenshot in cells, far above real terminals. Rendering time grows
with the cell count, so a mistyped size would otherwise run for minutes."""


DEMO_DAYS = 28
"""Days of history that the demo replays before today."""


class CommandError(Exception):
    """An error to report as one line on stderr, with exit status 2."""


def add_view_options(parser: argparse.ArgumentParser) -> None:
    """Add the options shared by every command that shows a view."""
    parser.add_argument(
        "--view",
        metavar="NAME",
        help=f"view to open first: {', '.join(views.VIEWS)} "
        f"(default endpoints; env {ENVIRONMENT['view']})",
    )
    parser.add_argument(
        "--endpoint",
        metavar="NAME",
        help="endpoint name for the views about one endpoint "
        f"(env {ENVIRONMENT['endpoint']})",
    )
    parser.add_argument(
        "--timezone",
        metavar="TZ",
        help="IANA time zone for days and hours, such as Europe/Amsterdam "
        f"(default: the server's zone; env {ENVIRONMENT['timezone']})",
    )
    parser.add_argument(
        "--refresh",
        metavar="SECONDS",
        dest="refresh_interval",
        help="seconds between checks for new data (default 1, from "
        f"{MIN_REFRESH_INTERVAL:g} to {MAX_REFRESH_INTERVAL:g}; "
        f"env {ENVIRONMENT['refresh_interval']})",
    )


def build_parsers() -> dict[str, argparse.ArgumentParser]:
    """Return the parsers of the three commands, by command name."""
    main = argparse.ArgumentParser(
        prog=PROG,
        description="Watch a Flask service's flaskdash database live in the "
        "terminal. Other commands: 'demo' and 'screenshot' (see --help of each).",
    )
    main.add_argument(
        "database",
        nargs="?",
        metavar="DATABASE",
        help=f"database path or URL (default: ${ENVIRONMENT['database']}, "
        f"else {DEFAULT_DATABASE})",
    )
    add_view_options(main)

    demo = argparse.ArgumentParser(
        prog=f"{PROG} demo",
        description="Start an example Flask service with live load and weeks of "
        "history on 127.0.0.1, and watch it. Quitting stops the service.",
    )
    add_view_options(demo)
    demo.add_argument(
        "--days",
        type=int,
        default=DEMO_DAYS,
        metavar="N",
        help=f"whole days of history before today (default {DEMO_DAYS})",
    )

    shot = argparse.ArgumentParser(
        prog=f"{PROG} screenshot",
        description="Write an SVG screenshot of a view, without a terminal.",
    )
    shot.add_argument("database", metavar="DATABASE", help="database path or URL")
    add_view_options(shot)
    shot.add_argument(
        "--size",
        default="80x24",
        metavar="WxH",
        help="terminal size in cells (default 80x24, at most "
        f"{MAX_SCREENSHOT_SIZE[0]}x{MAX_SCREENSHOT_SIZE[1]})",
    )
    shot.add_argument(
        "--output",
        required=True,
        type=Path,
        metavar="FILE",
        help="SVG file to write; its folder must exist",
    )
    shot.add_argument(
        "--now",
        metavar="ISO-TIME",
        help="freeze the current time, for a reproducible picture; without an "
        f"offset it is UTC (env {ENVIRONMENT['now']})",
    )
    return {"main": main, "demo": demo, "screenshot": shot}


def parse_size(text: str) -> tuple[int, int]:
    """Return (width, height) for a size such as ``80x24``.

    Raises:
        CommandError: The text is not WIDTHxHEIGHT with positive numbers, or
            the size exceeds :data:`MAX_SCREENSHOT_SIZE`.
    """
    width, _, height = text.lower().partition("x")
    try:
        size = (int(width), int(height))
    except ValueError:
        size = (0, 0)
    if min(size) < 1:
        raise CommandError(
            f"invalid size {text!r}: expected WIDTHxHEIGHT such as 80x24"
        )
    max_width, max_height = MAX_SCREENSHOT_SIZE
    if size[0] > max_width or size[1] > max_height:
        raise CommandError(
            f"invalid size {text!r}: the maximum is {max_width}x{max_height}"
        )
    return size


def check_output(output: Path) -> None:
    """Check that the screenshot's folder exists, so that a typo creates nothing.

    Raises:
        CommandError: The parent folder of ``output`` is missing or not a folder.
    """
    folder = output.parent
    if not folder.is_dir():
        raise CommandError(
            f"invalid --output {str(output)!r}: folder {str(folder)!r} not found; "
            "create it first"
        )


def make_settings(arguments: argparse.Namespace, **extra: object) -> Settings:
    """Build the settings from parsed arguments and the environment."""
    flags = {
        name: getattr(arguments, name, None)
        for name in ("database", "view", "endpoint", "timezone", "refresh_interval")
    }
    flags.update(extra)
    flags.setdefault("now", getattr(arguments, "now", None))
    settings = Settings.from_sources(**flags)
    view = views.get_view(settings.view)
    if view.needs_endpoint and not settings.endpoint:
        raise CommandError(
            f"view {view.name!r} is about one endpoint; pass --endpoint NAME or "
            f"set {ENVIRONMENT['endpoint']}"
        )
    return settings


def check_endpoint(database: pw.Database, settings: Settings) -> None:
    """Check that ``settings.endpoint``, if set, names an endpoint in the database.

    Raises:
        CommandError: No endpoint has that name; the message lists the names.
    """
    if not settings.endpoint:
        return
    query = Endpoint.select(Endpoint.name).bind(database)
    names: list[str] = list(query.scalars())
    if settings.endpoint not in names:
        known = ", ".join(clean(name, single_line=True) for name in sorted(names))
        raise CommandError(
            f"endpoint {clean(settings.endpoint)!r} not found in "
            f"{settings.database}; known endpoints: {known or 'none yet'}"
        )


def describe_source(arguments: argparse.Namespace) -> str:
    """Return where the database path came from, for error messages."""
    if getattr(arguments, "database", None):
        return "from the DATABASE argument"
    if os.environ.get(ENVIRONMENT["database"]):
        return f"from ${ENVIRONMENT['database']}"
    return (
        f"the default, since no DATABASE argument or ${ENVIRONMENT['database']} "
        "was given"
    )


def open_for_tui(settings: Settings, source: str) -> pw.Database:
    """Open the settings' database without creating it.

    Raises:
        CommandError: The database is missing, not flaskdash's, or too new.
    """
    try:
        return open_database(settings.database, create=False)
    except DatabaseError as error:
        raise CommandError(f"{error} ({source})") from error


def run_main(arguments: argparse.Namespace) -> int:
    """Open the database and run the TUI."""
    from flaskdash_tui.app import FlaskdashApp

    settings = make_settings(arguments)
    database = open_for_tui(settings, describe_source(arguments))
    check_endpoint(database, settings)
    app = FlaskdashApp(settings, database, exit_signals=EXIT_SIGNALS)
    app.run()
    return app.return_code or 0


def run_demo(arguments: argparse.Namespace) -> int:
    """Start the demo service and load, run the TUI on it, and stop them.

    SIGHUP and SIGTERM stop the demo and remove its temporary folder, as
    quitting does. While the TUI runs they quit it, and before or after it
    they raise SystemExit.
    """
    from flaskdash_tui.app import FlaskdashApp

    try:
        from flaskdash_tui import demo
    except ImportError as error:
        raise CommandError(f"the demo is not available: {error}") from error
    if arguments.days < 1:
        raise CommandError(
            f"invalid --days {arguments.days}: expected at least 1 day of history"
        )
    extra: dict[str, object] = {}
    zone = getattr(demo, "TIMEZONE", None)
    if zone and not arguments.timezone and not os.environ.get(ENVIRONMENT["timezone"]):
        # The demo's traffic follows a working day in its own time zone.
        extra["timezone"] = zone
    # Check the options before the history generation, which takes a while.
    make_settings(arguments, database=DEFAULT_DATABASE, **extra)
    with (
        exit_on_signals(),
        demo.running_demo(days=arguments.days, progress=print_progress) as environment,
    ):
        sys.stderr.write("\n")
        database_path = str(environment.database)
        settings = make_settings(arguments, database=database_path, **extra)
        database = open_for_tui(settings, "from the demo")
        app = FlaskdashApp(settings, database, exit_signals=EXIT_SIGNALS)
        app.run()
        # Closing the app's event loop reset these handlers to the default
        # action, which would end the process before the demo stops.
        install_exit_handlers()
        return app.return_code or 0


@contextlib.contextmanager
def exit_on_signals() -> Iterator[None]:
    """Raise SystemExit on :data:`EXIT_SIGNALS` inside the block.

    The exception unwinds the ``with`` blocks, so their cleanup runs; the
    previous handlers come back afterwards.
    """
    previous = {number: signal.getsignal(number) for number in EXIT_SIGNALS}
    install_exit_handlers()
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def install_exit_handlers() -> None:
    """Make each of :data:`EXIT_SIGNALS` raise SystemExit(128 + its number)."""
    for number in EXIT_SIGNALS:
        signal.signal(number, _raise_system_exit)


def _raise_system_exit(number: int, frame: object) -> None:
    logger.info("received %s; stopping", signal.Signals(number).name)
    raise SystemExit(128 + number)


def print_progress(stage: str, done: int, total: int) -> None:
    """Show the demo's progress on one line of stderr."""
    percent = 100 * done // total if total else 100
    sys.stderr.write(f"\r{stage}: {done}/{total} ({percent}%)   ")
    sys.stderr.flush()


def run_screenshot(arguments: argparse.Namespace) -> int:
    """Write an SVG screenshot of a view."""
    from flaskdash_tui.screenshot import write_svg

    size = parse_size(arguments.size)
    output: Path = arguments.output
    check_output(output)
    settings = make_settings(arguments)
    database = open_for_tui(settings, "from the DATABASE argument")
    check_endpoint(database, settings)
    asyncio.run(write_svg(settings, size, output, database))
    sys.stderr.write(f"wrote {output}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    arguments_list = list(sys.argv[1:] if argv is None else argv)
    parsers = build_parsers()
    command = "main"
    if arguments_list and arguments_list[0] in ("demo", "screenshot"):
        command = arguments_list.pop(0)
    arguments = parsers[command].parse_args(arguments_list)
    runners = {"main": run_main, "demo": run_demo, "screenshot": run_screenshot}
    try:
        return runners[command](arguments)
    except (CommandError, SettingsError, views.UnknownViewError) as error:
        message = str(error.args[0]) if error.args else str(error)
        sys.stderr.write(f"{PROG}: error: {message}\n")
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
