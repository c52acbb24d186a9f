"""Every number the TUI shows, computed in SQL from an open flaskdash database.

Each function takes the database as its first argument and returns plain values
(dataclasses, lists, numbers). Nothing here imports Textual or Rich, so the
queries can be tested, benchmarked and reused without a terminal. The TUI calls
them from worker threads; peewee gives each thread its own SQLite connection.
"""

from __future__ import annotations

import datetime as dt


def day_bounds(now: float, timezone: dt.tzinfo) -> tuple[float, float]:
    """Return the start and end (UNIX seconds) of the local day containing ``now``.

    The day is the calendar day in ``timezone``, so it lasts 23 or 25 hours on
    a daylight-saving change.
    """
    local = dt.datetime.fromtimestamp(now, timezone)
    start = dt.datetime.combine(local.date(), dt.time(), tzinfo=timezone)
    end = dt.datetime.combine(
        local.date() + dt.timedelta(days=1), dt.time(), tzinfo=timezone
    )
    return start.timestamp(), end.timestamp()
