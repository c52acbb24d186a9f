"""A cheap test of whether a database changed since the previous check.

The TUI checks about once a second and re-queries only after a change.
"""

from __future__ import annotations

import logging

import peewee as pw

from capture.schema import Endpoint, Request

ENDPOINT_ID = Endpoint._meta.primary_key
REQUEST_ID = Request._meta.primary_key

logger = logging.getLogger(__name__)


class ChangeDetector:
    """Reports whether other connections changed the database since the last call.

    On SQLite it reads ``PRAGMA data_version``, which changes when another
    connection commits and costs no table read. The pragma is per connection,
    so the detector must be called from one thread, and it does not see
    commits made on that same connection: after writing through it, refresh
    explicitly. Other databases get a signature from the request and endpoint
    tables instead (max id, hits, monitored flags), which changes with every write.
    """

    def __init__(self, database: pw.Database) -> None:
        self.database = database
        self._sqlite = isinstance(database, pw.SqliteDatabase)
        self._last: tuple[object, ...] | None = None

    def token(self) -> tuple[object, ...]:
        """Return a value that differs whenever the data may have changed."""
        if self._sqlite:
            row = self.database.execute_sql("PRAGMA data_version").fetchone()
            return (row[0],)
        return self._signature()

    def changed(self) -> bool:
        """Return True when the data changed since the previous call.

        The first call returns True, so the caller loads once at start.
        """
        current = self.token()
        changed = current != self._last
        self._last = current
        return changed

    def _signature(self) -> tuple[object, ...]:
        requests = Request.select(pw.fn.MAX(REQUEST_ID)).bind(self.database).scalar()
        endpoints = (
            Endpoint.select(
                pw.fn.COUNT(ENDPOINT_ID),
                pw.fn.SUM(Endpoint.hits),
                pw.fn.SUM(Endpoint.monitored.cast("integer")),
            )
            .bind(self.database)
            .tuples()
            .first()
        )
        return (requests, *(endpoints or ()))
