"""The Textual app: opens the database, shows views, and watches for changes."""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import Iterable, Sequence
from typing import ClassVar

import peewee as pw
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.timer import Timer

from capture.database import DatabaseError, open_database
from flaskdash_tui import keys, views
from flaskdash_tui.queries.changes import ChangeDetector, FileChange, file_identity
from flaskdash_tui.screens.base import BaseScreen
from flaskdash_tui.screens.help import HelpScreen
from flaskdash_tui.settings import Settings

logger = logging.getLogger(__name__)


class FlaskdashApp(App[None]):
    """The flaskdash terminal app for one database."""

    CSS_PATH = "app.tcss"
    TITLE = "flaskdash"
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(
        "app.quit",
        "app.help",
        "app.pause",
        "app.refresh",
        *(f"view.{view.name}" for view in views.VIEWS.values() if view.key),
    )

    def __init__(
        self,
        settings: Settings,
        database: pw.Database | None = None,
        exit_signals: Sequence[signal.Signals] = (),
    ):
        """Create the app.

        Args:
            settings: The session's settings.
            database: An open database; when None, ``settings.database`` is
                opened here and may raise ``capture.database.DatabaseError``.
            exit_signals: Signals that quit the app as ``q`` does, with exit
                status 128 + the signal number. The handlers are installed on
                the event loop while the app runs, so only the command line
                passes them, never tests that share the process.

        Raises:
            views.UnknownViewError: ``settings.view`` names no view.
        """
        super().__init__()
        views.get_view(settings.view)
        self.settings = settings
        if database is None:
            database = open_database(settings.database, create=False)
        self.database = database
        self.generation = 0
        """How many changes of the database the app has seen."""
        self.paused = False
        """Whether the live refresh is paused."""
        self.database_problem: str | None = None
        """A short text for the status line while the database file is missing
        or cannot be reopened, else None. Views do not reload meanwhile."""
        self._detector = ChangeDetector(self.database)
        self._timer: Timer | None = None
        self._exit_signals = tuple(exit_signals)

    def on_mount(self) -> None:
        """Open the first view and start watching the database."""
        loop = asyncio.get_running_loop()
        for number in self._exit_signals:
            loop.add_signal_handler(number, self._exit_on_signal, number)
        self._detector.changed()
        self._timer = self.set_interval(
            self.settings.refresh_interval, self.check_database, name="refresh"
        )
        initial = views.get_view(self.settings.view)
        if initial.name != "endpoints":
            # Opened on another view, escape still leads to the endpoints list.
            self.push_screen(self.make_screen(views.get_view("endpoints")))
        self.push_screen(self.make_screen(initial, self.settings.endpoint))

    def on_unmount(self) -> None:
        """Close the event loop's database connection."""
        self.database.close()

    def _exit_on_signal(self, number: signal.Signals) -> None:
        logger.info("received %s; quitting", number.name)
        self.exit(return_code=128 + number.value)

    def make_screen(self, view: views.View, endpoint: str | None = None) -> BaseScreen:
        """Return a new screen for a view."""
        screen = view.screen_class()(endpoint=endpoint)
        screen.title = view.title
        return screen

    def check_database(self) -> None:
        """Tell the active view to reload if the database changed.

        Runs on the event loop about once a second. On SQLite the check is a
        stat of the file and a single pragma read, and the reload itself runs
        in a worker. A replaced file is reopened, and a missing one is
        reported once and checked again on every call until it is back.
        """
        try:
            file_change = self._detector.check_file()
        except OSError as error:
            self._report_problem("database unreadable", f"cannot check {error}")
            return
        if file_change is FileChange.MISSING:
            path = self._detector.path
            self._report_problem("database missing", f"database file {path} not found")
            return
        if file_change is FileChange.REPLACED or self.database_problem is not None:
            if self._reopen():
                # Every screen reloads in full, because the new file may differ.
                self._detector.changed()
                self.generation += 1
                if isinstance(self.screen, BaseScreen):
                    self.screen.database_reopened()
            return
        try:
            changed = self._detector.changed()
        except pw.DatabaseError as error:
            logger.warning("checking the database for changes failed: %s", error)
            return
        if changed:
            self.generation += 1
            if isinstance(self.screen, BaseScreen):
                self.screen.database_changed()

    def _reopen(self) -> bool:
        # Stat before opening: if the file is replaced again in between, the
        # next check finds a new identity and reopens once more.
        path = self._detector.path
        assert path is not None
        try:
            identity = file_identity(path)
            database = open_database(path, create=False)
        except (DatabaseError, OSError) as error:
            self._report_problem("database unreadable", f"cannot reopen: {error}")
            return False
        previous, self.database = self.database, database
        self._detector.reset(database, identity)
        previous.close()
        logger.info("reopened the database %s after it was replaced", path)
        if self.database_problem is not None:
            self.database_problem = None
            self.notify(f"Database {path} is back; reloading.", markup=False)
        else:
            self.notify(f"Database {path} was replaced; reloaded it.", markup=False)
        if isinstance(self.screen, BaseScreen):
            self.screen.update_status()
        return True

    def _report_problem(self, state: str, message: str) -> None:
        # Only a new problem is logged and notified, so that a file that stays
        # missing does not raise a notification every second.
        if self.database_problem == state:
            return
        self.database_problem = state
        logger.warning(
            "%s; retrying every %g s", message, self.settings.refresh_interval
        )
        self.notify(
            f"{message}. Showing the last data; retrying quietly.",
            title="Database problem",
            severity="error",
            markup=False,
        )
        if isinstance(self.screen, BaseScreen):
            self.screen.update_status()

    def open_view(self, name: str, endpoint: str | None = None) -> None:
        """Open a view by name, replacing the current view (for number keys).

        A one-endpoint view gets ``endpoint``, else the current screen's
        selected endpoint, else ``--endpoint``.
        """
        view = views.get_view(name)
        current = self.screen
        if endpoint is None and isinstance(current, BaseScreen):
            endpoint = current.selected_endpoint
        endpoint = endpoint or self.settings.endpoint
        if view.needs_endpoint and not endpoint:
            self.notify(f"Select an endpoint first to open {view.title}.")
            return
        if isinstance(current, BaseScreen) and view.name == current.VIEW_NAME:
            same_endpoint = current.endpoint == endpoint
            if same_endpoint or not view.needs_endpoint:
                return
        screen = self._try_make_screen(view, endpoint if view.needs_endpoint else None)
        if screen is None:
            return
        if len(self.screen_stack) > 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def open_endpoint(self, endpoint: str) -> None:
        """Open the detail view of one endpoint on top of the current view."""
        view = views.VIEWS.get(views.DETAIL_VIEW)
        if view is None:
            self.notify("The endpoint detail view is not available yet.")
            return
        screen = self._try_make_screen(view, endpoint)
        if screen is not None:
            self.push_screen(screen)

    def _try_make_screen(
        self, view: views.View, endpoint: str | None
    ) -> BaseScreen | None:
        # A broken view module must not take the running app down with it.
        try:
            return self.make_screen(view, endpoint)
        except (ImportError, AttributeError) as error:
            logger.error("cannot open view %s: %s", view.name, error)
            self.notify(
                f"Cannot open the {view.title} view: {error}",
                severity="error",
                markup=False,
            )
            return None

    def go_back(self) -> None:
        """Close the top view unless it is the only one."""
        # The bottom of the stack is Textual's empty default screen.
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_open_view(self, name: str) -> None:
        """Open a view by name (the number keys)."""
        self.open_view(name)

    def action_show_keys(self) -> None:
        """Show the help screen with every key binding."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_pause(self) -> None:
        """Pause or resume the live refresh."""
        if self._timer is None:
            return
        self.paused = not self.paused
        if self.paused:
            self._timer.pause()
        else:
            self._timer.resume()
            self.check_database()
        if isinstance(self.screen, BaseScreen):
            self.screen.update_status()

    def action_refresh_now(self) -> None:
        """Reload the current view now."""
        if isinstance(self.screen, BaseScreen):
            self.screen.reload()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Yield the palette commands: every registered key active on ``screen``."""
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.id is None or binding.id not in keys.KEYS or not active.enabled:
                continue
            if binding.id in seen:
                continue
            seen.add(binding.id)
            key = keys.KEYS[binding.id]
            yield SystemCommand(
                key.description,
                f"{key.help or key.description} ({key.display})",
                functools.partial(self.run_action, key.action, active.node),
            )
        yield from super().get_system_commands(screen)
