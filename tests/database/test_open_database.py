"""open_database on real files: what it creates, rejects and leaves alone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from capture.database import (
    DatabaseError,
    DatabaseNotFoundError,
    NotAFlaskdashDatabaseError,
    SchemaTooNewError,
    open_database,
)
from capture.schema import SCHEMA_VERSION, Metadata


def journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])


def test_create_makes_folder_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "flaskdash.db"
    database = open_database(path, create=True)
    database.close()
    assert path.is_file()
    assert journal_mode(path) == "wal"


def test_missing_file_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(DatabaseNotFoundError, match=r"missing\.db"):
        open_database(path, create=False)
    assert not path.exists()


def test_other_sqlite_file_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE users (id INTEGER)")
    size = path.stat().st_size
    with pytest.raises(NotAFlaskdashDatabaseError, match="flaskdash_metadata"):
        open_database(path, create=False)
    assert journal_mode(path) == "delete"
    assert path.stat().st_size == size


def test_empty_file_left_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(NotAFlaskdashDatabaseError):
        open_database(path, create=False)
    assert path.stat().st_size == 0


def test_text_file_rejected(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database at all, but long enough to have a header\n")
    with pytest.raises(NotAFlaskdashDatabaseError, match="not a SQLite database"):
        open_database(path, create=False)


def test_directory_rejected(tmp_path: Path) -> None:
    with pytest.raises(NotAFlaskdashDatabaseError, match="is a directory"):
        open_database(tmp_path, create=False)


def test_unknown_scheme_is_database_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="foo://bar") as caught:
        open_database("foo://bar", create=False)
    assert "sqlite:///PATH" in str(caught.value)


def test_newer_schema_rejected_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "flaskdash.db"
    database = open_database(path, create=True)
    newer = str(SCHEMA_VERSION + 1)
    Metadata.update(value=newer).where(Metadata.key == "schema_version").execute(
        database
    )
    database.close()
    with pytest.raises(SchemaTooNewError, match="upgrade flaskdash-tui"):
        open_database(path, create=False)
    with sqlite3.connect(path) as connection:
        stored = connection.execute(
            "SELECT value FROM flaskdash_metadata WHERE key = 'schema_version'"
        ).fetchone()[0]
    assert stored == newer


def test_reopen_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "flaskdash.db"
    first = open_database(path, create=True)
    Metadata.insert(key="probe", value="kept").execute(first)
    first.close()
    second = open_database(path, create=True)
    row = Metadata.select().where(Metadata.key == "probe").bind(second).get()
    assert row.value == "kept"


def request_indexes(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'request' AND sql IS NOT NULL ORDER BY name"
        )
        return [name for (name,) in rows]


def test_request_table_has_one_index(tmp_path: Path) -> None:
    path = tmp_path / "flaskdash.db"
    open_database(path, create=True).close()
    assert request_indexes(path) == ["request_endpoint_id_time_duration"]


def test_create_drops_old_time_index(tmp_path: Path) -> None:
    path = tmp_path / "flaskdash.db"
    open_database(path, create=True).close()
    with sqlite3.connect(path) as connection:
        connection.execute('CREATE INDEX "request_time" ON "request" ("time")')
    open_database(path, create=False).close()
    assert "request_time" in request_indexes(path)  # Reading leaves it.
    open_database(path, create=True).close()
    assert request_indexes(path) == ["request_endpoint_id_time_duration"]
