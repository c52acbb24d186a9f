"""The base of the two utilization views: the range of days and the endpoint filter.

Both views show a range of whole local days: the last 7, 30 or 90 days, or
everything since the first request. ``[`` and ``]`` move the window by its
length, ``r`` cycles through the lengths, and ``e`` cycles the endpoint filter
through all endpoints and then each one, most requested first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Generic, TypeVar, cast

import peewee as pw
from rich.text import Text
from textual.widgets import Static

from capture.schema import Endpoint
from flaskdash_tui import keys
from flaskdash_tui.palette import endpoint_label
from flaskdash_tui.queries.usage import first_request_time
from flaskdash_tui.screens.base import BaseScreen
from flaskdash_tui.text import clean
from flaskdash_tui.timerange import TimeRange, local_date

SPANS: tuple[int | None, ...] = (7, 30, 90, None)
"""The range lengths in days that ``r`` cycles through; None is everything."""

DEFAULT_SPAN = 30

LIVE_DAYS = 2
"""Days at the end of the range that a live refresh counts again.

New requests belong to today, or to yesterday when they started just before
midnight and were stored just after it. Older days are kept from the last full
load.
"""

CountsT = TypeVar("CountsT")


@dataclass(frozen=True)
class UsageCounts(Generic[CountsT]):
    """The data of a usage view: a range, its counts and the endpoint names."""

    time_range: TimeRange
    endpoint: str | None
    """The endpoint filter of the counts, None for all endpoints."""
    hits: CountsT
    endpoints: list[str]
    endpoint_ids: dict[str, int] = field(default_factory=dict)
    """Every endpoint's id by name, for the swatch in the header."""


keys.register(
    "usage.earlier",
    "left_square_bracket",
    "shift(-1)",
    "Earlier",
    scope="usage",
    key_display="[",
    help="Move the range back by its length",
)
keys.register(
    "usage.later",
    "right_square_bracket",
    "shift(1)",
    "Later",
    scope="usage",
    key_display="]",
    help="Move the range forward by its length, up to today",
)
keys.register(
    "usage.range",
    "r",
    "cycle_span",
    "Range",
    scope="usage",
    help="Cycle the range through 7, 30 and 90 days and everything",
)
keys.register(
    "usage.endpoint",
    "e",
    "cycle_endpoint",
    "Endpoint",
    scope="usage",
    help="Cycle between all endpoints and each endpoint, most requested first",
)
keys.register(
    "usage.week",
    "w",
    "set_span(7)",
    "7 days",
    scope="usage",
    show=False,
    help="Show the last 7 days",
)
keys.register(
    "usage.month",
    "m",
    "set_span(30)",
    "30 days",
    scope="usage",
    show=False,
    help="Show the last 30 days",
)
keys.register(
    "usage.quarter",
    "t",
    "set_span(90)",
    "90 days",
    scope="usage",
    show=False,
    help="Show the last 90 days",
)
keys.register(
    "usage.all",
    "a",
    "set_span(0)",
    "Everything",
    scope="usage",
    show=False,
    help="Show every day since the first request",
)

USAGE_KEYS = (
    "usage.earlier",
    "usage.later",
    "usage.range",
    "usage.endpoint",
    "usage.week",
    "usage.month",
    "usage.quarter",
    "usage.all",
)

DataT = TypeVar("DataT")


@dataclass(frozen=True)
class RangeChoice:
    """The range the operator selected: a length and how many windows back."""

    span: int | None
    """Days in the range, or None for everything."""
    shift: int = 0
    """Windows before the latest one; 0 ends the range today."""


class UsageScreen(BaseScreen[DataT], Generic[DataT]):
    """A view of one range of days, for all endpoints or for one."""

    BINDINGS: ClassVar = [*BaseScreen.BINDINGS, *keys.bindings(*USAGE_KEYS)]

    def __init__(self, endpoint: str | None = None) -> None:
        super().__init__(endpoint=endpoint)
        self.choice = RangeChoice(DEFAULT_SPAN)
        self.time_range: TimeRange | None = None
        """The range of the data shown, set when a load finishes."""
        self.endpoints: list[str] = []
        """Endpoint names, most requested first, for the ``e`` key."""
        self.endpoint_ids: dict[str, int] = {}
        """Endpoint ids by name, for the filtered endpoint's swatch."""
        self.tail_only = False
        """Whether the next load may count only the last days again."""

    def resolve_range(self, database: pw.Database) -> TimeRange:
        """Return the range of the current choice, ending today or earlier.

        Runs in the load worker, because "everything" reads the first
        request's time.
        """
        choice = self.choice
        now = self.now()
        if choice.span is None:
            return TimeRange.everything(
                first_request_time(database), now, self.timezone
            )
        latest = TimeRange.last_days(choice.span, now, self.timezone)
        return latest.shifted(-choice.shift)

    def database_changed(self) -> None:
        """Count the newest days again, or nothing when the range lies in the past."""
        if self.time_range is not None and self.choice.span is not None:
            oldest_live_day = self.today() - dt.timedelta(days=LIVE_DAYS - 1)
            if self.time_range.last_day < oldest_live_day:
                return
        self.tail_only = True
        self.reload()

    def take_tail_only(self) -> bool:
        """Return whether this load may count only the last days, and reset it.

        The load must still check that the range and the endpoint are those of
        the data shown, because a key may have changed them since.
        """
        tail_only = self.tail_only
        self.tail_only = False
        return tail_only

    def load_counts(
        self,
        database: pw.Database,
        shown: UsageCounts[CountsT] | None,
        count: Callable[[pw.Database, TimeRange, int | None], CountsT],
        merge: Callable[[CountsT, CountsT], CountsT],
    ) -> UsageCounts[CountsT]:
        """Count the selected range with ``count``, in a worker thread.

        A live refresh of the same range and endpoint as ``shown`` counts only
        the last :data:`LIVE_DAYS` days and merges them into the shown counts.
        """
        tail_only = self.take_tail_only()
        endpoint = self.endpoint
        time_range = self.resolve_range(database)
        endpoint_id = self.endpoint_id(database)
        if (
            tail_only
            and shown is not None
            and (shown.time_range, shown.endpoint) == (time_range, endpoint)
        ):
            recent = count(database, time_range.tail(LIVE_DAYS), endpoint_id)
            hits = merge(shown.hits, recent)
        else:
            hits = count(database, time_range, endpoint_id)
        ids = self.endpoint_ids_by_name(database)
        return UsageCounts(time_range, endpoint, hits, list(ids), ids)

    def endpoint_id(self, database: pw.Database) -> int | None:
        """Return the id of the filtered endpoint, or None for all endpoints.

        Raises:
            LookupError: The endpoint name is not in the database.
        """
        if self.endpoint is None:
            return None
        row = (
            Endpoint.select(Endpoint._meta.primary_key)
            .where(Endpoint.name == self.endpoint)
            .tuples()
            .bind(database)
            .first()
        )
        if row is None:
            raise LookupError(f"endpoint not found: {self.endpoint!r}")
        return int(row[0])

    def endpoint_ids_by_name(self, database: pw.Database) -> dict[str, int]:
        """Return every endpoint's id by name, most requested first."""
        query = (
            Endpoint.select(Endpoint.name, Endpoint._meta.primary_key)
            .order_by(Endpoint.hits.desc(), Endpoint.name)
            .tuples()
            .bind(database)
        )
        rows = cast("Iterable[tuple[str, int]]", query)
        return {name: endpoint_id for name, endpoint_id in rows}

    def range_text(self, width: int | None = None) -> Text:
        """Return the header line: range, time zone, endpoint filter, details.

        Args:
            width: Cells available. When the line is longer, the time zone is
                left out, because the status line shows it too, and then the
                endpoint name is shortened with an ellipsis.
        """
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if self.time_range is None:
            text.append("Loading…")
            return text
        head = Text(self.time_range.label(), style="bold")
        zone = Text(f" · {self.settings.timezone_name}")
        endpoint = Text(" · ")
        endpoint_id = self.endpoint_ids.get(self.endpoint or "")
        if not self.endpoint:
            endpoint.append("all endpoints")
        elif endpoint_id is None:
            endpoint.append(clean(self.endpoint, single_line=True))
        else:
            endpoint.append_text(endpoint_label(endpoint_id, self.endpoint))
        detail = self.range_detail()
        if detail.plain:
            detail = Text(" · ").append_text(detail)
        if width is not None:
            # Textual wraps a line that is too long at a space, and the header
            # has one row, so cut it here instead of leaving a dangling " · ".
            full = head.cell_len + zone.cell_len + endpoint.cell_len + detail.cell_len
            if full > width:
                zone = Text()
            room = width - head.cell_len - detail.cell_len
            if endpoint.cell_len > room:
                endpoint.truncate(max(room, 0), overflow="ellipsis")
        text.append_text(head)
        text.append_text(zone)
        text.append_text(endpoint)
        text.append_text(detail)
        if width is not None:
            text.truncate(width, overflow="ellipsis")
        return text

    def range_detail(self) -> Text:
        """Return the text after the endpoint filter in the header; empty by default."""
        return Text()

    def today(self) -> dt.date:
        """Return today's date in the operator's time zone."""
        return local_date(self.now(), self.timezone)

    def action_shift(self, windows: int) -> None:
        """Move the range by ``windows`` times its length, never past today."""
        if self.choice.span is None:
            return
        shift = max(self.choice.shift - windows, 0)
        if shift == self.choice.shift:
            return
        self.choice = RangeChoice(self.choice.span, shift)
        self.reload()

    def action_set_span(self, days: int) -> None:
        """Show the last ``days`` days, or everything for 0."""
        self.choice = RangeChoice(days or None)
        self.reload()

    def action_cycle_span(self) -> None:
        """Switch to the next range length: 7, 30, 90 days, everything."""
        index = SPANS.index(self.choice.span) if self.choice.span in SPANS else -1
        self.choice = RangeChoice(SPANS[(index + 1) % len(SPANS)])
        self.reload()

    def action_cycle_endpoint(self) -> None:
        """Filter to the next endpoint, or back to all after the last one."""
        if not self.endpoints:
            return
        if self.endpoint not in self.endpoints:
            self.endpoint = self.endpoints[0]
        else:
            index = self.endpoints.index(self.endpoint) + 1
            self.endpoint = (
                self.endpoints[index] if index < len(self.endpoints) else None
            )
        self.update_status()
        self.reload()

    def on_resize(self) -> None:
        """Fit the header line to the new width."""
        if self.is_mounted:
            self.show_range()

    def show_range(self) -> None:
        """Redraw the header line to fit its width."""
        widget = self.query_one("#range", Static)
        # The header spans the screen, and the app's size is known before the
        # widget's own size is laid out.
        width = self.app.size.width - widget.styles.gutter.width
        widget.update(self.range_text(width))
