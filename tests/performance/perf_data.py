"""Known requests for the performance tests, stored through the capture models.

Every duration is kept in :class:`PerfData`, so the tests can compute the
expected figures with numpy from the same values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import peewee as pw

from capture.schema import Endpoint, Request, Version

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.timezone.utc).timestamp()
RANGE_START = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc).timestamp()
"""The start of the 30 days that end with NOW's day, the views' default range."""
RANGE_END = NOW + 3600
OLD_TIME = NOW - 60 * 86400
"""A time before the range: requests at this time must never be counted."""

MARKUP_NAME = "api.[bold]evil[/bold]\x1b[31m"
"""An endpoint name with Rich markup and an escape sequence."""


@dataclass(frozen=True)
class Row:
    """One stored request."""

    endpoint: str
    time: float
    duration: float
    version: str
    group: str
    ip: str


@dataclass
class PerfData:
    """What :func:`fill` stored."""

    rows: list[Row] = field(default_factory=list)
    endpoint_ids: dict[str, int] = field(default_factory=dict)
    version_ids: dict[str, int] = field(default_factory=dict)

    def durations(self, endpoint: str, **filters: str) -> np.ndarray:
        """Return the durations in the range of one endpoint, optionally filtered."""
        values = [
            row.duration
            for row in self.rows
            if row.endpoint == endpoint
            and RANGE_START <= row.time < RANGE_END
            and all(getattr(row, name) == value for name, value in filters.items())
        ]
        return np.array(values, dtype=float)


VERSIONS = (
    # name, short, first seen (days before NOW), summary. Inserted in this
    # order, so the ids do not follow the first-seen order.
    ("c" * 40, "ccccccc", 5, "Cache the translations"),
    ("a" * 40, "aaaaaaa", 25, "First release"),
    ("b" * 40, "bbbbbbb", 15, "Add [red]feeds[/red]"),
)


def fill(database: pw.Database, seed: int = 7) -> PerfData:
    """Store endpoints, versions and requests with varied durations."""
    rng = np.random.default_rng(seed)
    data = PerfData()
    with database.atomic():
        for name, short, days, summary in VERSIONS:
            data.version_ids[name] = Version.insert(
                name=name,
                short=short,
                committed_at=NOW - days * 86400 - 600,
                summary=summary,
                first_seen=NOW - days * 86400,
            ).execute(database)
        for name, monitored in (
            ("api.slow", True),
            ("api.fast", True),
            ("api.ties", True),
            ("api.single", True),
            ("api.pair", True),
            ("api.hidden", False),
            (MARKUP_NAME, True),
        ):
            data.endpoint_ids[name] = Endpoint.insert(
                name=name,
                rules=f"/{name}",
                methods="GET",
                monitored=monitored,
                first_seen=NOW - 90 * 86400,
            ).execute(database)

        users = [f"user-{index}" for index in range(20)]
        # Zipf-like weights, so the users differ in number of requests.
        weights = 1.0 / np.arange(1, len(users) + 1)
        weights /= weights.sum()

        def add(endpoint: str, durations: np.ndarray, *, old: int = 0) -> None:
            for index, duration in enumerate(durations):
                if index < old:
                    time = OLD_TIME + index
                else:
                    time = RANGE_START + rng.uniform(0, RANGE_END - RANGE_START - 1)
                version = _version_at(time)
                user_index = int(rng.choice(len(users), p=weights))
                data.rows.append(
                    Row(
                        endpoint,
                        float(time),
                        float(duration),
                        version,
                        users[user_index],
                        f"10.0.0.{user_index % 15}",
                    )
                )

        add("api.slow", rng.lognormal(6.0, 1.2, 1500), old=50)
        add("api.fast", rng.lognormal(1.5, 0.4, 800))
        # Whole milliseconds with many repeats, a few zeros, one huge value.
        ties = np.round(rng.exponential(4.0, 600))
        ties[:3] = 0.0
        ties[3] = 5000.0
        add("api.ties", ties)
        add("api.single", np.array([42.5]))
        add("api.pair", np.array([10.0, 30.0]))
        add("api.hidden", rng.lognormal(3.0, 0.5, 100))
        add(MARKUP_NAME, rng.lognormal(2.0, 0.5, 50))

        records = [
            {
                "endpoint": data.endpoint_ids[row.endpoint],
                "time": row.time,
                "duration": row.duration,
                "method": "GET",
                "status": 200,
                "version": data.version_ids[row.version],
                "group": row.group,
                "ip": row.ip,
            }
            for row in data.rows
        ]
        # Chunks keep each INSERT under SQLite's limit on parameters.
        for first in range(0, len(records), 1000):
            Request.insert_many(records[first : first + 1000]).execute(database)
    return data


def _version_at(time: float) -> str:
    current = VERSIONS[1][0]
    for name, _, days, _ in sorted(VERSIONS, key=lambda version: -version[2]):
        if time >= NOW - days * 86400:
            current = name
    return current
