"""The demo tests' replayed history: its constants and container."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import peewee as pw

from flaskdash_tui.demo.history import TIME_ZONE, HistorySummary

HISTORY_DAYS = 3
# Thursday 3 December 2026, 16:00 in Amsterdam.
HISTORY_NOW = datetime(2026, 12, 3, 16, 0, tzinfo=TIME_ZONE).timestamp()


class History:
    """A replayed history and its open database."""

    def __init__(self, folder: Path, summary: HistorySummary, db: pw.Database):
        self.folder = folder
        self.summary = summary
        self.db = db
