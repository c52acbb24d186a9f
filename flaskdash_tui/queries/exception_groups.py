"""Exceptions grouped by type and place of origin, kept current incrementally.

The origin of an exception is the innermost frame of the app's own code, and
it lives inside the stored JSON traceback. SQL therefore groups by type,
traceback text, version and endpoint, and Python merges the groups that share
an origin, so Python receives one row per distinct traceback, version and
endpoint, never one row per exception.

Reading the traceback column still costs time in proportion to the stored
exceptions: 2 to 6 s for 100,000 exceptions with 20 distinct 3.6 kB
tracebacks on SQLite, measured by ``benchmarks/exception_groups.py`` in one
busy 2-core container. The views reload on every database change, so
:class:`ExceptionGroups` keeps its totals and, on each update, reads only the
exceptions stored since the previous one (0.02 to 0.1 s in the same runs).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

import peewee as pw

from capture.schema import Endpoint, ExceptionRecord, Request, Version
from flaskdash_tui.queries.faults import (
    ExceptionGroupSummary,
    Row,
    exception_id_field,
    in_range,
    version_id_field,
    version_label,
)
from flaskdash_tui.queries.frames import Frame, find_origin, parse_frames

GroupKey = tuple[str, Frame | None]
"""The exception type and the origin frame of a group."""


@dataclass
class _Totals:
    """The totals of one group, merged across updates."""

    count: int = 0
    first_seen: float = math.inf
    last_seen: float = -math.inf
    versions: dict[str, float] = field(default_factory=dict)
    """Version label to the version's first-seen time, for ordering."""
    endpoints: set[str] = field(default_factory=set)
    endpoint_ids: dict[str, int] = field(default_factory=dict)
    newest_time: float = -math.inf
    newest_tracebacks: set[str] = field(default_factory=set)
    """The tracebacks of the group's exceptions at ``newest_time``."""
    latest_id: int = 0
    message: str = ""
    newest_changed: bool = True
    """Whether ``latest_id`` and ``message`` must be looked up again."""


class ExceptionGroups:
    """The exception groups of the app or of one endpoint, in a time range.

    Call :meth:`update` on each reload. It reads only exceptions with a
    higher id than the highest one at the previous update, because SQLite
    and PostgreSQL give rows committed later higher ids. When the table lost
    rows since then (its row count grew by less than the number of new
    rows), it starts over.

    NOTE: a deletion and as many inserts with ids below the previous highest
    one would keep the counts equal; capture never inserts such rows.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        start: float | None = None,
        end: float | None = None,
    ) -> None:
        """Create empty totals for one endpoint (None: all) and time range."""
        self.endpoint = endpoint
        self.start = start
        self.end = end
        # Reloads run in worker threads, and a cancelled one may still run.
        self._lock = threading.Lock()
        self._totals: dict[GroupKey, _Totals] = {}
        self._last_id = 0
        """The highest exception id in the table at the previous update."""
        self._table_rows = 0
        """The rows of the exception table at the previous update."""

    @property
    def scope(self) -> tuple[str | None, float | None, float | None]:
        """The endpoint and time range that these groups cover."""
        return self.endpoint, self.start, self.end

    def update(self, database: pw.Database) -> list[ExceptionGroupSummary]:
        """Read the exceptions stored since the last update; return all groups.

        Returns:
            New summaries, most recently seen group first, that the caller
            may keep while later updates run.
        """
        # One transaction, so that all queries read the same snapshot.
        with self._lock, database.atomic():
            table_rows, newest_id, new_rows = self._count_rows(database)
            if table_rows != self._table_rows + new_rows:
                self._totals = {}
                self._last_id = 0
            self._read_new(database, newest_id)
            self._last_id = newest_id
            self._table_rows = table_rows
            for key, totals in self._totals.items():
                if totals.newest_changed:
                    _find_newest(database, key[0], totals)
            return self._summaries()

    def _filtered(
        self, query: pw.ModelSelect[ExceptionRecord]
    ) -> pw.ModelSelect[ExceptionRecord]:
        if self.endpoint is not None:
            query = query.where(Endpoint.name == self.endpoint)
        conditions = in_range(self.start, self.end)
        if conditions:
            query = query.where(*conditions)
        return query

    def _count_rows(self, database: pw.Database) -> tuple[int, int, int]:
        # Counting the whole table uses an index, and counting the rows above
        # the previous highest id reads only those, unlike counting the rows
        # already read, which would scan the tracebacks.
        totals = (
            ExceptionRecord.select(
                pw.fn.COUNT(exception_id_field), pw.fn.MAX(exception_id_field)
            )
            .tuples()
            .bind(database)
            .get()
        )
        table_rows, newest_id = cast("Row", totals)
        new_rows = (
            ExceptionRecord.select(pw.fn.COUNT(exception_id_field))
            .where(exception_id_field > self._last_id)
            .bind(database)
            .scalar()
        )
        return int(table_rows), int(newest_id or 0), int(new_rows or 0)

    def _read_new(self, database: pw.Database, newest_id: int) -> None:
        query = (
            ExceptionRecord.select(
                ExceptionRecord.type,
                ExceptionRecord.traceback,
                Version.name,
                Version.short,
                Version.first_seen,
                Endpoint.name,
                Request.endpoint,
                pw.fn.COUNT(exception_id_field),
                pw.fn.MIN(Request.time),
                pw.fn.MAX(Request.time),
            )
            .join(Request)
            .join(Version)
            .switch(Request)
            .join(Endpoint)
            .where(
                (exception_id_field > self._last_id) & (exception_id_field <= newest_id)
            )
            .group_by(
                ExceptionRecord.type,
                ExceptionRecord.traceback,
                version_id_field,
                Version.name,
                Version.short,
                Version.first_seen,
                Endpoint.name,
                Request.endpoint,
            )
        )
        rows = cast("Iterable[Row]", self._filtered(query).tuples().bind(database))
        for (
            type_name,
            traceback,
            version_name,
            version_short,
            version_first_seen,
            endpoint_name,
            endpoint_id,
            count,
            first,
            last,
        ) in rows:
            origin = find_origin(parse_frames(traceback))
            totals = self._totals.setdefault((type_name, origin), _Totals())
            totals.count += count
            totals.first_seen = min(totals.first_seen, first)
            totals.last_seen = max(totals.last_seen, last)
            label = version_label(version_short, version_name)
            totals.versions[label] = version_first_seen
            totals.endpoints.add(endpoint_name)
            totals.endpoint_ids[endpoint_name] = endpoint_id
            if last > totals.newest_time:
                totals.newest_time = last
                totals.newest_tracebacks = {traceback}
                totals.newest_changed = True
            elif last == totals.newest_time:
                totals.newest_tracebacks.add(traceback)
                totals.newest_changed = True

    def _summaries(self) -> list[ExceptionGroupSummary]:
        summaries = []
        for (type_name, origin), totals in self._totals.items():
            versions = totals.versions
            summaries.append(
                ExceptionGroupSummary(
                    type=type_name,
                    origin=origin,
                    count=totals.count,
                    first_seen=totals.first_seen,
                    last_seen=totals.last_seen,
                    versions=sorted(versions, key=lambda v: (versions[v], v)),
                    endpoints=sorted(totals.endpoints),
                    endpoint_ids=dict(totals.endpoint_ids),
                    latest_id=totals.latest_id,
                    message=totals.message,
                )
            )
        summaries.sort(key=lambda group: (-group.last_seen, group.type))
        return summaries


def _find_newest(database: pw.Database, type_name: str, totals: _Totals) -> None:
    # One query per changed group, on the (endpoint, time) index. Of
    # exceptions raised in the same instant, the one stored last counts as
    # the newest.
    row = (
        ExceptionRecord.select(exception_id_field, ExceptionRecord.message)
        .join(Request)
        .where(
            Request.endpoint.in_(list(totals.endpoint_ids.values()))
            & (Request.time == totals.newest_time)
            & (ExceptionRecord.type == type_name)
            & ExceptionRecord.traceback.in_(sorted(totals.newest_tracebacks))
        )
        .order_by(exception_id_field.desc())
        .tuples()
        .bind(database)
        .first()
    )
    if row is not None:
        totals.latest_id, totals.message = row
    totals.newest_changed = False


def list_exception_groups(
    database: pw.Database,
    endpoint: str | None = None,
    *,
    start: float | None = None,
    end: float | None = None,
) -> list[ExceptionGroupSummary]:
    """Group exceptions by type and origin, most recently seen group first.

    Reads every matching exception; keep an :class:`ExceptionGroups` to
    reload cheaply.

    Args:
        database: An open flaskdash database.
        endpoint: Only this endpoint's exceptions, or None for the whole app.
        start: Only requests from this UNIX time on, or None for no bound.
        end: Only requests before this UNIX time, or None for no bound.
    """
    return ExceptionGroups(endpoint, start=start, end=end).update(database)
