"""Fixtures for the performance tests: a real SQLite file with known requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest
from perf_data import PerfData, fill

from capture.database import open_database


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PerfData]:
    """Return the path of a database with the known requests, and the data."""
    path = tmp_path_factory.mktemp("performance") / "flaskdash.db"
    database = open_database(path, create=True)
    data = fill(database)
    database.close()
    return path, data


@pytest.fixture
def perf_data(filled: tuple[Path, PerfData]) -> PerfData:
    """Return what the database holds."""
    return filled[1]


@pytest.fixture
def database(filled: tuple[Path, PerfData]) -> Iterator[pw.Database]:
    """Yield an open connection to the filled database."""
    database = open_database(filled[0], create=False)
    yield database
    database.close()
