"""Known endpoints and requests for the TUI tests, written through the models.

The figures are chosen so that each query result is known exactly. The clock
is frozen at :data:`NOW`, a Monday noon in UTC; in :data:`ZONE` (UTC+1 then)
the local day began at 23:00 UTC on Sunday.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import peewee as pw

from capture.schema import Endpoint, Request, Version

ZONE = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc).timestamp()
HOUR = 3600.0

HOSTILE_NAME = "api.[bold]evil\x1b[31m"
"""An endpoint name with Rich markup and an ANSI colour sequence."""
HOSTILE_RULE = "/[red]x[/red]\x1b[2J"
"""A URL rule with markup and the ANSI clear-screen sequence."""

STUDIED = "api.studied_words"
TRANSLATE = "api.get_possible_translations"
STATIC = "static"
NEVER = "api.never_requested"

# name -> (rules, methods, monitored, hits, last_requested, [(time, duration)])
ENDPOINTS: dict[str, tuple[str, str, bool, int, float | None, list]] = {
    STUDIED: (
        "/studied_words",
        "GET",
        True,
        4,
        NOW - 1 * HOUR,
        [
            (NOW - 1 * HOUR, 10.0),  # today
            (NOW - 12.5 * HOUR, 30.0),  # 00:30 local: today, though Sunday in UTC
            (NOW - 13.5 * HOUR, 20.0),  # 23:30 local on Sunday: yesterday
            (NOW - 72 * HOUR, 40.0),
        ],
    ),
    TRANSLATE: (
        "/translate/<from_lang>/<to_lang>\n/t/<from_lang>",
        "GET,POST",
        True,
        10,
        NOW - 300,
        [(NOW - 300, 5.0), (NOW - 600, 100.0), (NOW - 900, 7.0)],
    ),
    STATIC: ("/static/<path:filename>", "GET", False, 42, NOW - 2 * HOUR, []),
    NEVER: ("/never", "DELETE", True, 0, None, []),
    HOSTILE_NAME: (
        HOSTILE_RULE,
        "PUT",
        True,
        1,
        NOW - 3 * HOUR,
        [(NOW - 3 * HOUR, 1.5)],
    ),
}
"""The endpoints, with every figure the endpoints view derives from them."""

EXPECTED = {
    # name: (hits today, total, median ms)
    STUDIED: (2, 4, 25.0),
    TRANSLATE: (3, 10, 7.0),
    STATIC: (0, 42, None),
    NEVER: (0, 0, None),
    HOSTILE_NAME: (1, 1, 1.5),
}
"""What ``list_endpoints`` must return for each endpoint at NOW in ZONE."""

ORDER_BY_LAST = [TRANSLATE, STUDIED, STATIC, HOSTILE_NAME, NEVER]
"""Endpoint names, most recently requested first, never requested last."""


def fill(database: pw.Database) -> None:
    """Write :data:`ENDPOINTS` and their requests into ``database``."""
    with database.atomic():
        version = Version.insert(
            name="0" * 40, short="0000000", first_seen=NOW - 100 * HOUR
        ).execute(database)
        for name, (
            rules,
            methods,
            monitored,
            hits,
            last,
            requests,
        ) in ENDPOINTS.items():
            endpoint = Endpoint.insert(
                name=name,
                rules=rules,
                methods=methods,
                monitored=monitored,
                first_seen=NOW - 100 * HOUR,
                last_requested=last,
                hits=hits,
            ).execute(database)
            rows = [
                {
                    "endpoint": endpoint,
                    "time": time,
                    "duration": duration,
                    "method": methods.split(",")[0],
                    "status": 200,
                    "version": version,
                    "group": "user-1",
                    "ip": "127.0.0.1",
                }
                for time, duration in requests
            ]
            if rows:
                Request.insert_many(rows).execute(database)


def add_request(database: pw.Database, name: str, time: float, duration: float) -> None:
    """Store one more request of an endpoint, as the capture writer would."""
    with database.atomic():
        endpoint = Endpoint.select().where(Endpoint.name == name).bind(database).get()
        version = Version.select().bind(database).first()
        Request.insert(
            endpoint=endpoint.id,
            time=time,
            duration=duration,
            method="GET",
            status=200,
            version=version.id,
            group="user-2",
            ip="127.0.0.1",
        ).execute(database)
        Endpoint.update(hits=Endpoint.hits + 1, last_requested=time).where(
            Endpoint.id == endpoint.id
        ).execute(database)
