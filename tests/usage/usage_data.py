"""Test data for the utilization tests, written through the capture models."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from capture.schema import Endpoint, Request, Version


class RequestWriter:
    """Inserts endpoints and requests into a test database through the models."""

    def __init__(self, database: pw.Database) -> None:
        self.database = database
        self.version_id = Version.insert(name="test", first_seen=0.0).execute(database)
        self.endpoint_ids: dict[str, int] = {}

    def endpoint(self, name: str) -> int:
        """Return the id of the endpoint ``name``, creating it when missing."""
        if name not in self.endpoint_ids:
            self.endpoint_ids[name] = Endpoint.insert(
                name=name, rules=f"/{name}", methods="GET", first_seen=0.0
            ).execute(self.database)
        return self.endpoint_ids[name]

    def add(self, name: str, *moments: float | dt.datetime) -> None:
        """Insert one request to endpoint ``name`` at each of ``moments``."""
        endpoint_id = self.endpoint(name)
        rows = [
            {
                "endpoint": endpoint_id,
                "time": moment.timestamp()
                if isinstance(moment, dt.datetime)
                else moment,
                "duration": 10.0,
                "method": "GET",
                "status": 200,
                "version": self.version_id,
                "group": "user",
                "ip": "127.0.0.1",
            }
            for moment in moments
        ]
        with self.database.atomic():
            Request.insert_many(rows).execute(self.database)
