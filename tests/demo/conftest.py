"""Shared fixtures of the demo tests: a few days of history, made once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from demo_history import HISTORY_DAYS, HISTORY_NOW, History

from capture.database import open_database
from flaskdash_tui.demo.history import build_history


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
