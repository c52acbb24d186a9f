"""Fixtures for capture tests: a real WSGI server, real HTTP, real SQLite files."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
from werkzeug.serving import make_server

import capture

Serve = Callable[[flask.Flask], str]


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    """Return the path of a database file that does not exist yet."""
    return tmp_path / "flaskdash.db"


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Yield a function that serves an app on 127.0.0.1 and returns its base URL.

    The server is werkzeug's threaded server in a thread; all servers stop at
    the end of the test.
    """
    servers: list[Any] = []

    def start(app: flask.Flask) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, thread in servers:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture
def captures() -> Iterator[list[capture.Capture]]:
    """Yield a list into which tests put their Capture objects; all are closed."""
    bound: list[capture.Capture] = []
    yield bound
    for item in bound:
        item.close(timeout=10)
