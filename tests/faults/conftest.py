"""Fixtures for the outlier and exception tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest
from faults_rows import Rows

from capture.database import open_database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[pw.Database]:
    """Yield a fresh flaskdash database in a temporary file."""
    db = open_database(tmp_path / "flaskdash.db", create=True)
    yield db
    db.close()


@pytest.fixture
def rows(database: pw.Database) -> Rows:
    """Return a row builder for the fresh database."""
    return Rows(database)
