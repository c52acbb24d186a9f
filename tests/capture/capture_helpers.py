"""Helpers for capture tests: HTTP requests and reading the stored rows."""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import peewee as pw

from capture.database import open_database
from capture.schema import Endpoint, Request


def fetch(
    base_url: str,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, bytes]:
    """Send one HTTP request and return the status and the whole body."""
    host_port = base_url.removeprefix("http://")
    connection = http.client.HTTPConnection(host_port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def open_db(path: Path) -> pw.Database:
    """Open an existing capture database for reading in a test."""
    return open_database(path, create=False)


def request_rows(path: Path) -> list[dict[str, Any]]:
    """Return every stored request with its endpoint name, oldest first."""
    db = open_db(path)
    try:
        query = (
            Request.select(Request, Endpoint.name.alias("endpoint_name"))
            .join(Endpoint)
            .order_by(Request.id)
            .dicts()
            .bind(db)
        )
        return list(query)
    finally:
        db.close()


def endpoint_rows(path: Path) -> dict[str, dict[str, Any]]:
    """Return the endpoint table keyed by endpoint name."""
    db = open_db(path)
    try:
        return {row["name"]: row for row in Endpoint.select().dicts().bind(db)}
    finally:
        db.close()


def wait_for(
    condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05
) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
