"""Open a flaskdash database: URL parsing, SQLite settings, schema creation and
migration.

Both packages open databases only through :func:`open_database`, so the
SQLite settings (WAL, busy timeout) and the schema check are the same for the
writer inside the app and for the TUI.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import peewee as pw
from playhouse import db_url, migrate

from capture.schema import DROPPED_INDEXES, MODELS, SCHEMA_VERSION, Metadata

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
"""How long a connection waits for another writer's lock before it fails."""


class DatabaseError(Exception):
    """A flaskdash database could not be opened or used."""


class DatabaseNotFoundError(DatabaseError):
    """The database file does not exist and was not to be created."""


class NotAFlaskdashDatabaseError(DatabaseError):
    """The file exists but contains no flaskdash schema, or is not SQLite at all."""


class SchemaTooNewError(DatabaseError):
    """The database was written by a newer flaskdash than this one."""


# Forward migrations: MIGRATIONS[n] takes a database from version n to n + 1.
# Each receives a migrator for the database's dialect.
MIGRATIONS: dict[int, Callable[[migrate.SchemaMigrator], list[object]]] = {}


def normalize_url(url_or_path: str | os.PathLike[str]) -> str:
    """Return a peewee database URL for a URL or a plain file path."""
    text = os.fspath(url_or_path)
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().absolute())


def sqlite_path(url: str) -> Path | None:
    """Return the file path of a SQLite URL, or None for other databases."""
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///") :]
    if path in ("", ":memory:"):
        return None
    return Path(path)


def open_database(
    url_or_path: str | os.PathLike[str],
    *,
    create: bool,
    check: bool = True,
) -> pw.Database:
    """Open a flaskdash database and bring its schema up to date.

    Args:
        url_or_path: A peewee URL (``sqlite:///path``, ``postgresql://...``)
            or a path to a SQLite file.
        create: Create the file, its folder and the tables when missing. The
            TUI passes False so that a mistyped path is reported, not created.
        check: Verify the schema version and migrate forward. Only the
            schema-creating code path itself passes False.

    Returns:
        A connected peewee database. Queries must name it explicitly.

    Raises:
        DatabaseNotFoundError: ``create`` is False and the file is missing.
        NotAFlaskdashDatabaseError: The database contains no flaskdash schema.
        SchemaTooNewError: The schema is newer than this code understands.
        DatabaseError: Any other failure, with the URL in the message.
    """
    url = normalize_url(url_or_path)
    path = sqlite_path(url)
    if path is not None:
        if path.exists() and path.is_dir():
            raise NotAFlaskdashDatabaseError(
                f"{path} is a directory; pass the path of a database file"
            )
        if not path.exists():
            if not create:
                raise DatabaseNotFoundError(f"database file not found: {path}")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseError(
                    f"cannot create the folder for {path}: {error}"
                ) from error
    try:
        database = _connect(url)
        if create:
            if path is not None:
                _configure_sqlite(database)
            _create_schema(database)
        if check:
            # Checked before any setting is changed, so that a file that is
            # not a flaskdash database is left exactly as it was.
            _check_schema(database, url)
        if path is not None and not create:
            _configure_sqlite(database)
    except DatabaseError:
        raise
    except (pw.DatabaseError, sqlite3.DatabaseError) as error:
        raise _describe(error, url) from error
    except (pw.PeeweeException, OSError, ValueError) as error:
        raise DatabaseError(f"cannot open {url}: {error}") from error
    return database


def _connect(url: str) -> pw.Database:
    if url.startswith("sqlite:///"):
        # Thread-local connections; the busy timeout makes writers from
        # several processes wait for each other instead of failing at once.
        return pw.SqliteDatabase(
            url[len("sqlite:///") :],
            timeout=BUSY_TIMEOUT_MS / 1000,
            pragmas={"busy_timeout": BUSY_TIMEOUT_MS},
        )
    try:
        return db_url.connect(url)
    except RuntimeError as error:
        # playhouse.db_url raises RuntimeError for a scheme it does not know.
        raise DatabaseError(
            f"cannot open {url}: {str(error).rstrip('.')}; use sqlite:///PATH, "
            "a file path, or postgresql://USER@HOST/NAME"
        ) from error


def _configure_sqlite(database: pw.Database) -> None:
    # WAL lets the TUI read while app workers write. Switching the journal
    # mode needs a write lock once; later connections find WAL already set.
    mode = database.execute_sql("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() != "wal":
        database.execute_sql("PRAGMA journal_mode=wal")
    database.execute_sql("PRAGMA synchronous=NORMAL")


def _create_schema(database: pw.Database) -> None:
    # IMMEDIATE takes the write lock up front: two processes that start at
    # once (gunicorn workers) would otherwise both read, then both try to
    # write, and SQLite fails one of them at once instead of waiting.
    if isinstance(database, pw.SqliteDatabase):
        transaction = database.atomic("IMMEDIATE")
    else:
        transaction = database.atomic()
    with database.bind_ctx(MODELS), transaction:
        fresh = not database.table_exists(Metadata._meta.table_name)
        database.create_tables(MODELS, safe=True)
        for name in DROPPED_INDEXES:
            database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
        if fresh:
            Metadata.insert(
                key="schema_version", value=str(SCHEMA_VERSION)
            ).on_conflict_ignore().execute()


def read_schema_version(database: pw.Database) -> int | None:
    """Return the stored schema version, or None when there is no schema."""
    if not database.table_exists(Metadata._meta.table_name):
        return None
    row = (
        Metadata.select(Metadata.value)
        .where(Metadata.key == "schema_version")
        .bind(database)
        .first()
    )
    return int(row.value) if row is not None else None


def _check_schema(database: pw.Database, url: str) -> None:
    version = read_schema_version(database)
    if version is None:
        raise NotAFlaskdashDatabaseError(
            f"{url} is not a flaskdash database (no flaskdash_metadata table); "
            "pass the file that capture.bind() writes"
        )
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{url} has schema version {version}, but this flaskdash-tui "
            f"understands up to {SCHEMA_VERSION}; upgrade flaskdash-tui"
        )
    if version < SCHEMA_VERSION:
        _migrate(database, version)


def _migrate(database: pw.Database, version: int) -> None:
    migrator = migrate.SchemaMigrator.from_database(database)
    with database.atomic():
        for step in range(version, SCHEMA_VERSION):
            logger.info("migrating flaskdash schema from %d to %d", step, step + 1)
            migrate.migrate(*MIGRATIONS[step](migrator))
        Metadata.update(value=str(SCHEMA_VERSION)).where(
            Metadata.key == "schema_version"
        ).execute(database)


def _describe(error: Exception, url: str) -> DatabaseError:
    text = str(error)
    if "file is not a database" in text or "malformed" in text:
        return NotAFlaskdashDatabaseError(f"{url} is not a SQLite database: {text}")
    return DatabaseError(f"cannot open {url}: {text}")
