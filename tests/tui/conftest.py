"""Fixtures for the TUI tests: a real SQLite file and the real app on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest
from tui_data import NOW, ZONE, fill

from capture.database import open_database
from flaskdash_tui.settings import Settings


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    """Return the path of a database filled with the known endpoints."""
    path = tmp_path / "flaskdash.db"
    database = open_database(path, create=True)
    fill(database)
    database.close()
    return path


@pytest.fixture
def database(database_path: Path) -> Iterator[pw.Database]:
    """Yield an open connection to the filled database, for checks and writes."""
    database = open_database(database_path, create=False)
    yield database
    database.close()


@pytest.fixture
def settings(database_path: Path) -> Settings:
    """Return settings for the filled database with a frozen clock."""
    return Settings(
        database=str(database_path),
        timezone=ZONE,
        now=NOW,
        refresh_interval=0.2,
    )
