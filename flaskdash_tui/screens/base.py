"""The screen every view subclasses: database access, live reload, status line."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast

import peewee as pw
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from flaskdash_tui import keys
from flaskdash_tui.settings import Settings
from flaskdash_tui.text import clean

if TYPE_CHECKING:
    from flaskdash_tui.app import FlaskdashApp

logger = logging.getLogger(__name__)

DataT = TypeVar("DataT")

LOAD_GROUP = "load"
"""Worker group of the queries of a screen; a newer load cancels an older one."""


class BaseScreen(Screen[None], Generic[DataT]):
    """A view that loads its data in a worker thread and reloads when it changes.

    Subclasses set :attr:`VIEW_NAME`, compose their widgets in
    :meth:`compose_body`, run their queries in :meth:`load_data` (in a
    thread, so no widget access there) and update widgets in
    :meth:`show_data` (on the event loop).
    """

    VIEW_NAME: ClassVar[str] = ""
    """The name of this screen's view in ``flaskdash_tui.views.VIEWS``."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(
        "screen.back", "screen.down", "screen.up"
    )

    def __init__(self, endpoint: str | None = None) -> None:
        """Create the screen.

        Args:
            endpoint: The endpoint a one-endpoint view is about, else None.
        """
        super().__init__()
        self.endpoint = endpoint
        self.loaded_generation = -1
        """The app's change count when the data shown was queried."""
        self.loaded_at: float | None = None
        """Wall-clock time of the last completed load, UNIX seconds."""

    @property
    def flaskdash(self) -> FlaskdashApp:
        """The running app, typed."""
        return cast("FlaskdashApp", self.app)

    @property
    def database(self) -> pw.Database:
        """The open database. Queries must name it: ``Model.select().bind(db)``."""
        return self.flaskdash.database

    @property
    def settings(self) -> Settings:
        """The session's settings."""
        return self.flaskdash.settings

    @property
    def timezone(self) -> dt.tzinfo:
        """The operator's time zone."""
        return self.settings.timezone

    def now(self) -> float:
        """Return the current time as UNIX seconds UTC, frozen in snapshots."""
        return self.settings.current_time()

    @property
    def selected_endpoint(self) -> str | None:
        """The endpoint that number keys pass to one-endpoint views."""
        return self.endpoint

    def compose(self) -> ComposeResult:
        """Compose the status line, the subclass's body and the footer."""
        yield Static(id="status")
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        """Yield the widgets of the view between status line and footer."""
        yield from ()

    def on_mount(self) -> None:
        """Load the data once the widgets exist."""
        self.update_status()
        self.reload()

    def on_screen_resume(self) -> None:
        """Reload when the database changed while another screen was on top."""
        self.update_status()
        if self.is_mounted and self.loaded_generation < self.flaskdash.generation:
            self.reload()

    def database_changed(self) -> None:
        """Handle a change of the database; the app calls it on the active screen.

        The default reloads. Override to reload less often, for example only
        when the change touches the time range shown.
        """
        self.reload()

    def reload(self) -> None:
        """Run :meth:`load_data` in a worker thread, cancelling a load still running."""
        generation = self.flaskdash.generation
        self.run_worker(
            lambda: self._load(generation),
            name=f"load {self.VIEW_NAME}",
            group=LOAD_GROUP,
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def load_data(self) -> DataT:
        """Run the view's queries and return what :meth:`show_data` needs.

        Runs in a worker thread: use ``self.database``, ``self.settings`` and
        ``self.now()``, and do not touch widgets.
        """
        raise NotImplementedError

    def show_data(self, data: DataT) -> None:
        """Update the widgets with freshly loaded data, on the event loop."""
        raise NotImplementedError

    def _load(self, generation: int) -> tuple[int, DataT]:
        # Each worker thread gets its own peewee connection; close it here so
        # that finished threads leave no open SQLite handle behind.
        with self.database.connection_context():
            return generation, self.load_data()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the result of a finished load, or report its error."""
        worker = event.worker
        if worker.group != LOAD_GROUP:
            return
        if event.state == WorkerState.SUCCESS and worker.result is not None:
            generation, data = worker.result
            self.loaded_generation = generation
            self.loaded_at = self.now()
            self.show_data(data)
            self.update_status()
        elif event.state == WorkerState.ERROR:
            logger.error("loading %s failed", self.VIEW_NAME, exc_info=worker.error)
            self.notify(
                clean(f"Loading failed: {worker.error}", single_line=True),
                severity="error",
                markup=False,
            )

    def status_text(self) -> Text:
        """Return the text of the status line: view, endpoint, zone, live state."""
        app = self.flaskdash
        status = Text(no_wrap=True, overflow="ellipsis", end="")
        status.append(self.title or self.VIEW_NAME, style="bold")
        if self.endpoint:
            status.append(" · ")
            status.append(clean(self.endpoint, single_line=True))
        status.append(f" · {self.settings.timezone_name}")
        status.append(" · ")
        status.append("paused" if app.paused else "live", style="reverse")
        if self.loaded_at is not None:
            local = dt.datetime.fromtimestamp(self.loaded_at, self.timezone)
            status.append(f" · {local:%H:%M:%S}")
        return status

    def update_status(self) -> None:
        """Redraw the status line."""
        if self.is_mounted:
            self.query_one("#status", Static).update(self.status_text())

    def action_back(self) -> None:
        """Go back to the previous view, if there is one."""
        self.flaskdash.go_back()

    def action_cursor(self, direction: str) -> None:
        """Move the cursor of the focused widget (for ``j`` and ``k``)."""
        widget = self.focused
        action = getattr(widget, f"action_cursor_{direction}", None)
        if callable(action):
            action()
