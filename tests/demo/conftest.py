"""Shared fixtures of the demo tests: a few days of history, made once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import peewee as pw
import pytest

from capture.database import open_database
from flaskdash_tui.demo.history import TIME_ZONE, HistorySummary, build_history

HISTORY_DAYS = 3
# Thursday 3 December 2026, 16:00 in Amsterdam.
HISTORY_NOW = datetime(2026, 12, 3, 16, 0, tzinfo=TIME_ZONE).timestamp()


class History:
    """A replayed history and its open database."""

    def __init__(self, folder: Path, summary: HistorySummary, db: pw.Database):
        self.folder = folder
        self.summary = summary
        self.db = db


@pytest.fixture(scope="package")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    folder = tmp_path_factory.mktemp("history")
    summary = build_history(
        folder / "service",
        folder / "flaskdash.db",
        days=HISTORY_DAYS,
        seed=7,
        now=HISTORY_NOW,
    )
    db = open_database(folder / "flaskdash.db", create=False)
    yield History(folder, summary, db)
    db.close()
