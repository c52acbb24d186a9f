"""Cheap tests of whether a database changed since the previous check.

The TUI checks about once a second and re-queries only after a change. For a
SQLite file it also checks that the path still names the file it opened,
because a connection keeps reading a deleted or replaced file's old inode.
"""

from __future__ import annotations

import enum
import logging
import os
from pathlib import Path

import peewee as pw

from capture.schema import Endpoint, Request

ENDPOINT_ID = Endpoint._meta.primary_key
REQUEST_ID = Request._meta.primary_key

logger = logging.getLogger(__name__)

FileIdentity = tuple[int, int]
"""The ``(st_dev, st_ino)`` pair that names one file on one file system."""


class FileChange(enum.Enum):
    """A change of the database file since it was opened."""

    UNCHANGED = "unchanged"
    """The path still names the file that was opened."""
    REPLACED = "replaced"
    """The path names another file, for example one created after a deletion."""
    MISSING = "missing"
    """No file exists at the path."""


def file_identity(path: Path) -> FileIdentity | None:
    """Return the device and inode of ``path``, or None when it does not exist.

    Raises:
        OSError: The path exists but cannot be read, for example a denied
            permission on its folder.
    """
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return (status.st_dev, status.st_ino)


def database_file(database: pw.Database) -> Path | None:
    """Return the file of a SQLite database, or None for other databases."""
    if not isinstance(database, pw.SqliteDatabase):
        return None
    name = str(database.database)
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name)


class ChangeDetector:
    """Reports whether other connections changed the database since the last call.

    On SQLite it reads ``PRAGMA data_version``, which changes when another
    connection commits and costs no table read. The pragma is per connection,
    so the detector must be called from one thread, and it does not see
    commits made on that same connection: after writing through it, refresh
    explicitly. Other databases get a signature from the request and endpoint
    tables instead (max id, hits, monitored flags), which changes with every write.

    The pragma cannot see that the file was deleted or replaced, so
    :meth:`check_file` compares the file's device and inode with the ones
    recorded when the detector was created or :meth:`reset`.
    """

    def __init__(self, database: pw.Database) -> None:
        self.database = database
        self._sqlite = isinstance(database, pw.SqliteDatabase)
        self._last: tuple[object, ...] | None = None
        self.path = database_file(database)
        """The watched SQLite file, or None when there is no file to watch."""
        self._identity = file_identity(self.path) if self.path else None

    def reset(self, database: pw.Database, identity: FileIdentity | None) -> None:
        """Watch a newly opened database, whose file had ``identity`` at opening.

        The next :meth:`changed` returns True, so the caller loads again.
        """
        self.database = database
        self._sqlite = isinstance(database, pw.SqliteDatabase)
        self._last = None
        self.path = database_file(database)
        self._identity = identity

    def check_file(self) -> FileChange:
        """Return whether the watched file is the one opened, another, or gone.

        A database without a file (not SQLite, or in memory) is always
        UNCHANGED.

        Raises:
            OSError: The path cannot be checked.
        """
        if self.path is None:
            return FileChange.UNCHANGED
        current = file_identity(self.path)
        if current is None:
            return FileChange.MISSING
        if current != self._identity:
            return FileChange.REPLACED
        return FileChange.UNCHANGED

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
