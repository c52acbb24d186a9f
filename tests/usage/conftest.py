"""Fixtures for the utilization tests: a real SQLite file filled through the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest
from usage_data import RequestWriter

from capture.database import open_database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[pw.Database]:
    """Yield a fresh flaskdash database in a SQLite file."""
    db = open_database(tmp_path / "flaskdash.sqlite", create=True)
    yield db
    db.close()


@pytest.fixture
def writer(database: pw.Database) -> RequestWriter:
    """Return a writer of endpoints and requests for ``database``."""
    return RequestWriter(database)
