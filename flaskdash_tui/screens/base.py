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

MIN_ENDPOINT_CELLS = 12
"""Minimum cells for `` · `` and the endpoint name before the status line drops
the time zone to make room."""

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

    def database_reopened(self) -> None:
        """Handle a reopened database file; the app calls it on the active screen.

        The file was replaced, so the data may differ everywhere. The default
        reloads, and screens with more than one load override it to reload all.
        """
        self.reload()

    def reload(self) -> None:
        """Run :meth:`load_data` in a worker thread, cancelling a load still running.

        Does nothing while the app reports a database problem, because a new
        SQLite connection to a missing file would create an empty one.
        """
        if self.flaskdash.database_problem is not None:
            return
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
        # NOTE: a load that starts just after the file is deleted, before the
        # next check reports it, still connects and creates an empty file.
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

    def status_text(self, width: int | None = None) -> Text:
        """Return the text of the status line: view, endpoint, zone, state, time.

        Args:
            width: Cells available. When the line is longer, the endpoint name
                is shortened with an ellipsis, then the zone is left out, so
                that the state and the time of the last load stay visible.
        """
        app = self.flaskdash
        head = Text(self.title or self.VIEW_NAME, style="bold")
        zone = Text(f" · {self.settings.timezone_name}")
        tail = Text(" · ")
        if app.database_problem is not None:
            tail.append(app.database_problem, style="bold reverse")
        else:
            tail.append("paused" if app.paused else "live", style="reverse")
        if self.loaded_at is not None:
            local = dt.datetime.fromtimestamp(self.loaded_at, self.timezone)
            tail.append(f" · {local:%H:%M:%S}")
        endpoint = Text()
        if self.endpoint:
            endpoint = Text(" · " + clean(self.endpoint, single_line=True))
        if width is not None:
            room = width - head.cell_len - zone.cell_len - tail.cell_len
            if self.endpoint and room < MIN_ENDPOINT_CELLS:
                zone = Text()
                room = width - head.cell_len - tail.cell_len
            if endpoint.cell_len > room:
                endpoint.truncate(max(room, 0), overflow="ellipsis")
        status = Text(no_wrap=True, overflow="ellipsis", end="")
        status.append_text(head)
        status.append_text(endpoint)
        status.append_text(zone)
        status.append_text(tail)
        return status

    def update_status(self) -> None:
        """Redraw the status line to fit the screen's width."""
        if self.is_mounted:
            status = self.query_one("#status", Static)
            width = self.app.size.width - status.styles.gutter.width
            status.update(self.status_text(width))

    def on_resize(self) -> None:
        """Fit the status line to the new width."""
        self.update_status()

    def action_back(self) -> None:
        """Go back to the previous view, if there is one."""
        self.flaskdash.go_back()

    def action_cursor(self, direction: str) -> None:
        """Move the cursor of the focused widget (for ``j`` and ``k``)."""
        widget = self.focused
        action = getattr(widget, f"action_cursor_{direction}", None)
        if callable(action):
            action()
