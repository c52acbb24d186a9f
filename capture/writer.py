"""The writer thread: drains a recorder's buffer into the database in batches.

The writer keeps one connection, used only by its own thread. A fork waits
for the current cycle to end, so a process that forks (gunicorn ``--preload``)
is never inside an SQLite call at that moment, and the child opens its own
connection. When the database fails, the writer closes the connection, keeps
the batch in memory and retries with backoff, while the request path keeps
appending to the bounded buffer.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import operator
import os
import sqlite3
import threading
import time
from typing import Any

import flask
import peewee as pw

from capture import details
from capture.database import DatabaseError, normalize_url, open_database, sqlite_path
from capture.endpoints import (
    endpoint_map,
    read_endpoints,
    store_endpoints,
    store_unlisted_endpoints,
)
from capture.recorder import (
    DURATION,
    ENDPOINT,
    EXCEPTION,
    GROUP,
    IP,
    METHOD,
    SAMPLE,
    STARTED_AT,
    STATUS,
    Recorder,
)
from capture.schema import Endpoint, ExceptionRecord, Outlier, Request, Version
from capture.version import VersionInfo

logger = logging.getLogger(__name__)

INTERVAL = 1.0
"""Seconds between drains. Fewer, larger batches cost less per row: under
gunicorn with 2 sync workers the writer threads used 2.4 us of CPU per
request at 1 s against 4.1 us at 0.2 s. New requests reach the TUI within
about 2 s, this interval plus the TUI's refresh."""
REFRESH = 1.0
"""Seconds between reads of the monitored flags and checks of the app's rules."""
BATCH = 20_000
"""Records per transaction at most."""
ROWS_PER_INSERT = 100
"""Rows per multi-row INSERT statement: 800 parameters, under the limit of 999
in SQLite builds before 3.32. CPython's sqlite3 module releases the GIL at
every step of a statement, and ``executemany`` steps once per row, so one
statement per 100 rows makes a request thread wait for the GIL less often."""
BACKOFF_MIN = 0.25
BACKOFF_MAX = 5.0
LOG_EVERY = 60.0
"""Seconds between repeated log lines about the same failure or drops."""

_DATABASE_ERRORS = (DatabaseError, pw.PeeweeException, sqlite3.Error, OSError)
_ROLLBACK_FAILED = "cannot rollback"
"""The start of SQLite's message when ROLLBACK finds no open transaction."""
_REQUEST_FIELDS = (
    Request.endpoint,
    Request.time,
    Request.duration,
    Request.method,
    Request.status,
    Request.version,
    Request.group,
    Request.ip,
)


_started_at = operator.itemgetter(STARTED_AT)
_duration = operator.itemgetter(DURATION)


def _group_by_endpoint(
    batch: list[Any],
) -> tuple[dict[str, list[tuple[Any, ...]]], list[threading.Event]]:
    """Split a batch into finished requests by endpoint name and flush markers."""
    by_endpoint: dict[str, list[tuple[Any, ...]]] = {}
    markers = []
    for item in batch:
        if type(item) is tuple:
            items = by_endpoint.get(item[ENDPOINT])
            if items is None:
                by_endpoint[item[ENDPOINT]] = [item]
            else:
                items.append(item)
        else:
            markers.append(item)
    return by_endpoint, markers


def _status_code(status: str | None) -> int:
    try:
        return int(status[:3]) if status else 0
    except ValueError:
        return 0


class _Prepared:
    """A batch sorted for storing: rows, rows with details, hits, flush markers."""

    __slots__ = ("detailed", "hits", "markers", "values")

    def __init__(self) -> None:
        self.values: list[Any] = []
        """The plain rows' values, one row after the other, in _REQUEST_FIELDS
        order: one flat list, so that the garbage collector has one object to
        scan instead of a tuple per row."""
        self.detailed: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []
        self.hits: dict[str, list[Any]] = {}
        """Endpoint name to [count, last start, first start, total duration ms]."""
        self.markers: list[threading.Event] = []


class Writer:
    """The thread that stores one recorder's measurements."""

    def __init__(self, recorder: Recorder, app: flask.Flask, version: VersionInfo):
        """Prepare, but do not start, the writer of one app."""
        self.recorder = recorder
        self.app = app
        self.version = version
        self.url = normalize_url(recorder.options.database)
        self.path = sqlite_path(self.url)
        self._wake = threading.Event()
        self.cycle_lock = threading.Lock()
        """Lock held for each cycle; a fork waits for it, so that no SQLite
        call is in progress in this process when it forks."""
        self._stopping = False
        self._db: pw.Database | None = None
        self._file_id: tuple[int, int] | None = None
        self._status_codes: dict[str | None, int] = {}
        self._version_id: int | None = None
        self._endpoint_ids: dict[str, int] = {}
        self._synced: dict[str, tuple[str, str]] | None = None
        self._pending: list[Any] = []
        self._next_refresh = 0.0
        self._retry_at = 0.0
        self._backoff = 0.0
        self._failures = 0
        self._next_error_log = 0.0
        self._dropped_total = 0
        self._dropped_unlogged = 0
        self._next_drop_log = 0.0
        self.thread = threading.Thread(
            target=self._run, name="flaskdash-writer", daemon=True
        )

    def start(self) -> None:
        """Start the thread."""
        self.thread.start()

    def wake(self) -> None:
        """Make the thread drain now instead of at its next interval."""
        self._wake.set()

    def stop(self, timeout: float) -> None:
        """Ask the thread to drain once more and end; wait up to ``timeout``."""
        self._stopping = True
        self._wake.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def _run(self) -> None:
        while True:
            stopping = self._stopping
            try:
                with self.cycle_lock:
                    self._cycle()
            except Exception:  # Log and retry, so that the thread keeps running.
                logger.exception("capture writer failed; retrying")
                self._schedule_retry()
            if stopping:
                break
            self._wake.wait(INTERVAL)
            self._wake.clear()
        self._close()
        self._log_drops(final=True)
        unstored = len(self._pending) + len(self.recorder.buffer)
        if unstored:
            logger.error(
                "capture writer stopped with %d measurements not stored in %s",
                unstored,
                self.url,
            )

    def _cycle(self) -> None:
        now = time.monotonic()
        if now < self._retry_at and not self._stopping:
            return
        batch: list[Any] = []
        try:
            self._connect()
            if now >= self._next_refresh:
                self._refresh()
                self._next_refresh = now + REFRESH
            while True:
                batch = self._pending or self._take()
                if not batch:
                    break
                self._pending = batch
                prepared = self._write(batch)
                self._pending = []
                self._recovered()
                self._written(prepared)
        except _DATABASE_ERRORS as error:
            self._pending = batch
            self._close()
            self._failed(_original_error(error))
            return
        finally:
            self._log_drops()
        self._recovered()

    def _recovered(self) -> None:
        if self._failures:
            logger.info(
                "capture database %s works again after %d failed attempts",
                self.url,
                self._failures,
            )
        self._failures = 0
        self._backoff = 0.0

    def _take(self) -> list[Any]:
        buffer = self.recorder.buffer
        popleft = buffer.popleft
        # Only this thread removes items, so len() is a safe lower bound.
        return [popleft() for _ in range(min(BATCH, len(buffer)))]

    # Database state ----------------------------------------------------------

    def _connect(self) -> None:
        if self._db is not None and self.path is not None:
            try:
                stat = os.stat(self.path)
                file_id: tuple[int, int] | None = (stat.st_dev, stat.st_ino)
            except FileNotFoundError:
                file_id = None
            if file_id != self._file_id:
                logger.warning(
                    "capture database %s was deleted or replaced; creating it again",
                    self.path,
                )
                self._close()
        if self._db is None:
            self._open()
            return
        if self._db.connect(reuse_if_open=True) and self.path is not None:
            self._db.execute_sql("PRAGMA synchronous=NORMAL")

    def _open(self) -> None:
        db = open_database(self.url, create=True)
        self._db = db
        if self.path is not None:
            stat = os.stat(self.path)
            self._file_id = (stat.st_dev, stat.st_ino)
        version = self.version
        with db.atomic():
            Version.insert(
                name=version.name,
                short=version.short,
                committed_at=version.committed_at,
                summary=details.bound(version.summary),
                first_seen=self.recorder.clock.now(),
            ).on_conflict_ignore().execute(db)
        version_key: Any = Version.id  # type: ignore[attr-defined]
        row = Version.select(version_key).where(Version.name == version.name)
        self._version_id = row.bind(db).scalar()
        self._synced = None
        self._next_refresh = 0.0

    def _close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            with contextlib.suppress(*_DATABASE_ERRORS):
                db.close()

    def _refresh(self) -> None:
        """Store new or changed endpoints of the app and read the monitored flags."""
        db = self._db
        assert db is not None
        current = endpoint_map(self.app)
        if current != self._synced:
            options = self.recorder.options
            now = self.recorder.clock.now()
            store_endpoints(db, current, now, options.monitor_new_endpoints)
            self._synced = current
        self._endpoint_ids, self.recorder.monitored = read_endpoints(db)

    # Writing -----------------------------------------------------------------

    def _write(self, batch: list[Any]) -> _Prepared:
        db = self._db
        assert db is not None
        by_endpoint, markers = _group_by_endpoint(batch)
        names = by_endpoint.keys()
        if not names <= self._endpoint_ids.keys():
            self._synced = None  # An endpoint appeared since the last refresh.
            self._refresh()
            unlisted = names - self._endpoint_ids.keys()
            if unlisted:
                options = self.recorder.options
                now = self.recorder.clock.now()
                store_unlisted_endpoints(
                    db, unlisted, now, options.monitor_new_endpoints
                )
                self._refresh()
        prepared = self._prepare(by_endpoint)
        prepared.markers = markers
        self._store(db, prepared)
        return prepared

    def _prepare(self, by_endpoint: dict[str, list[tuple[Any, ...]]]) -> _Prepared:
        """Turn a batch's records, grouped by endpoint, into rows and hits.

        The rows stay grouped by endpoint, so that SQLite inserts each
        endpoint's run of rows at one place in the (endpoint, time) index.
        """
        prepared = _Prepared()
        ids = self._endpoint_ids
        monitored = self.recorder.monitored
        version_id = self._version_id
        status_codes = self._status_codes
        add_values = prepared.values.extend
        detailed = prepared.detailed
        for name, items in by_endpoint.items():
            starts = list(map(_started_at, items))
            total = sum(map(_duration, items))
            prepared.hits[name] = [len(items), max(starts), min(starts), total]
            if name not in monitored:
                continue
            endpoint_id = ids[name]
            for item in items:
                status = item[STATUS]
                code = status_codes.get(status)
                if code is None:
                    code = status_codes[status] = _status_code(status)
                ip = item[IP]
                row = (
                    endpoint_id,
                    item[STARTED_AT],
                    item[DURATION],
                    item[METHOD],
                    code,
                    version_id,
                    item[GROUP] or ip,
                    ip,
                )
                if item[SAMPLE] is None and item[EXCEPTION] is None:
                    add_values(row)
                else:
                    detailed.append((row, item))
        return prepared

    def _store(self, db: pw.Database, prepared: _Prepared) -> None:
        ids = self._endpoint_ids
        cursor = db.cursor()
        with db.atomic():
            if prepared.values:
                self._insert_rows(cursor, prepared.values)
            for row, item in prepared.detailed:
                self._insert_detailed(db, row, item)
            if prepared.hits:
                sql, order = _hits_statement()
                parameters = []
                for name, (count, last, first, _total) in prepared.hits.items():
                    values = {"count": count, "last": last, "first": first}
                    values["id"] = ids[name]
                    parameters.append([values[key] for key in order])
                cursor.executemany(sql, parameters)

    def _insert_rows(self, cursor: Any, values: list[Any]) -> None:
        width = len(_REQUEST_FIELDS)
        step = ROWS_PER_INSERT * width
        for offset in range(0, len(values), step):
            chunk = values[offset : offset + step]
            cursor.execute(_insert_sql(len(chunk) // width), chunk)

    def _insert_detailed(
        self, db: pw.Database, row: tuple[Any, ...], item: tuple[Any, ...]
    ) -> None:
        request_id = (
            Request.insert(dict(zip(_REQUEST_FIELDS, row, strict=True)))
            .bind(db)
            .execute()
        )
        sample = item[SAMPLE]
        if sample is not None:
            Outlier.insert(
                request=request_id,
                average=sample.average,
                stacktrace=details.frames_json(sample.frames),
                cpu_percent=sample.cpu_percent,
                memory=sample.memory,
                load_average=sample.load_average,
                url=sample.url,
                headers=sample.headers,
                arguments=sample.arguments,
            ).execute(db)
        exception = item[EXCEPTION]
        if exception is not None:
            error, trace, skip = exception
            kind = type(error)
            if isinstance(trace, list):
                frames = trace  # Frames the recorder read while the request ran.
            else:
                frames = details.traceback_frames(trace, skip=skip)
            ExceptionRecord.insert(
                request=request_id,
                type=details.bound(f"{kind.__module__}.{kind.__qualname__}", 255),
                message=details.bound(_message(error), 10_000),
                traceback=details.frames_json(frames),
            ).execute(db)

    def _written(self, prepared: _Prepared) -> None:
        """Update the running averages and release waiting flushes."""
        averages = dict(self.recorder.averages)
        for name, (count, _last, _first, total) in prepared.hits.items():
            stored_count, mean = averages.get(name, (0, 0.0))
            new_count = stored_count + count
            averages[name] = (new_count, mean + (total - mean * count) / new_count)
        self.recorder.averages = averages
        for marker in prepared.markers:
            marker.set()  # A flush marker: everything before it is stored.

    # Failures ----------------------------------------------------------------

    def _schedule_retry(self) -> None:
        self._backoff = min(BACKOFF_MAX, max(BACKOFF_MIN, self._backoff * 2))
        self._retry_at = time.monotonic() + self._backoff

    def _failed(self, error: BaseException) -> None:
        self._failures += 1
        self._schedule_retry()
        now = time.monotonic()
        if self._failures == 1 or now >= self._next_error_log:
            self._next_error_log = now + LOG_EVERY
            logger.error(
                "cannot write to the capture database %s: %s; keeping %d "
                "measurements in memory and retrying (failure %d, next log "
                "in %.0f s at the earliest)",
                self.url,
                error,
                len(self._pending) + len(self.recorder.buffer),
                self._failures,
                LOG_EVERY,
            )

    def _log_drops(self, final: bool = False) -> None:
        count = self.recorder.take_dropped()
        self._dropped_total += count
        self._dropped_unlogged += count
        now = time.monotonic()
        if self._dropped_unlogged and (final or now >= self._next_drop_log):
            self._next_drop_log = now + LOG_EVERY
            logger.warning(
                "dropped %d measurements (%d since start) because the buffer of "
                "%d was full while the database %s was unavailable",
                self._dropped_unlogged,
                self._dropped_total,
                self.recorder.limit,
                self.url,
            )
            self._dropped_unlogged = 0

    @property
    def dropped_total(self) -> int:
        """Measurements dropped since the writer started, as logged so far."""
        return self._dropped_total


def _original_error(error: BaseException) -> BaseException:
    """Return the error that made a transaction fail when its rollback failed too.

    On SQLITE_FULL and some I/O errors, SQLite rolls the transaction back by
    itself, so the rollback in ``db.atomic()`` then fails with SQLite's "cannot
    rollback - no transaction is active". The ``__context__`` of that error is
    the one that names the cause. Any other error is returned unchanged.
    """
    seen = {id(error)}
    context = error.__context__
    while (
        _ROLLBACK_FAILED in _message(error)
        and isinstance(context, _DATABASE_ERRORS)
        and id(context) not in seen
    ):
        error = context
        seen.add(id(error))
        context = error.__context__
    return error


def _message(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # A broken __str__ must not lose the record.
        return f"<{type(error).__qualname__}: str() failed>"


# Statements that run every cycle are built by peewee once: in a CPU profile,
# building a 100-row INSERT took longer than storing a thousand rows. Each
# statement keeps the parameter order that peewee chose.

_SQLITE = pw.SqliteDatabase(None)
"""The dialect of the statements; never connected."""


@functools.cache
def _insert_sql(count: int) -> str:
    """Return the INSERT statement for ``count`` request rows."""
    placeholders = [None] * len(_REQUEST_FIELDS)
    query = Request.insert_many([placeholders], fields=_REQUEST_FIELDS)
    sql, _parameters = query.bind(_SQLITE).sql()
    head, separator, values = sql.rpartition(" VALUES ")
    if not separator or values.count("?") != len(_REQUEST_FIELDS):
        raise RuntimeError(
            f"peewee built an INSERT without one values group: {sql!r}; "
            "install a peewee version that pyproject.toml allows"
        )
    return head + separator + ", ".join([values] * count)


class _Slot:
    """A stand-in parameter that marks where one value goes in a statement."""

    def __init__(self, name: str) -> None:
        self.name = name


_HITS_SLOTS = {name: _Slot(name) for name in ("count", "last", "first", "id")}


@functools.cache
def _hits_statement() -> tuple[str, tuple[str, ...]]:
    """Return the UPDATE that adds one cycle's hits to an endpoint.

    Returns:
        The statement, and for each of its parameters in peewee's order the
        value it takes: ``count``, ``last``, ``first`` or ``id``.
    """
    slots = _HITS_SLOTS
    endpoint_key: Any = Endpoint.id  # type: ignore[attr-defined]
    newer = Endpoint.last_requested.is_null() | (
        Endpoint.last_requested < slots["last"]
    )
    # A request can start before the writer first stored its endpoint, and
    # the endpoint was there when it did.
    older = Endpoint.first_seen > slots["first"]
    query = Endpoint.update(
        hits=Endpoint.hits + slots["count"],
        last_requested=pw.Case(None, [(newer, slots["last"])], Endpoint.last_requested),
        first_seen=pw.Case(None, [(older, slots["first"])], Endpoint.first_seen),
    ).where(endpoint_key == slots["id"])
    sql, parameters = query.bind(_SQLITE).sql()
    order = []
    for parameter in parameters:
        if not isinstance(parameter, _Slot):
            raise RuntimeError(
                f"peewee added the parameter {parameter!r} to the hits UPDATE; "
                "install a peewee version that pyproject.toml allows"
            )
        order.append(parameter.name)
    return sql, tuple(order)
