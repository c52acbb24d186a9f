"""A small Flask service with a slow view and a failing view, bound to capture.

Tests serve it with werkzeug on 127.0.0.1 and send it real requests, so the
outliers and exceptions in the database are the ones capture records.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flask
from werkzeug.serving import make_server

import capture

FAST_REQUESTS = 12
"""Requests that set the running average before the slow one."""
SLOW_SECONDS = 1.0
"""How long the slow request sleeps: far above 2.5 times a fast request."""


def wait_for_translation(delay: float) -> str:
    """Sleep for ``delay`` seconds, standing in for a slow dictionary lookup."""
    time.sleep(delay)
    return "house"


def read_outcome(payload: dict[str, str]) -> str:
    """Return the outcome field, raising KeyError when it is missing."""
    return payload["outcome"]


def create_app() -> flask.Flask:
    """Create the service: ``/translate?delay=S`` and ``/report``."""
    app = flask.Flask(__name__)

    @app.get("/translate")
    def translate() -> str:
        delay = float(flask.request.args.get("delay", "0"))
        return wait_for_translation(delay)

    @app.get("/report")
    def report() -> str:
        return read_outcome({"exercise": "3"})

    return app


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@contextmanager
def serve(app: flask.Flask) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 and yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def record_traffic(database: Path) -> None:
    """Send fast, slow and failing requests through capture into ``database``.

    Raises:
        AssertionError: The service returned an unexpected status, or
            capture did not store everything in time.
    """
    app = create_app()
    recorder = capture.bind(
        app,
        database=str(database),
        app_version="test-1",
        outlier_min_samples=5,
    )
    try:
        with serve(app) as base:
            for _ in range(FAST_REQUESTS):
                assert _get(f"{base}/translate?delay=0") == 200
            # The watchdog flags a request only once the running average of
            # stored measurements exists, so store the fast ones first.
            assert recorder.flush(timeout=30)
            assert _get(f"{base}/translate?delay={SLOW_SECONDS}") == 200
            for _ in range(2):
                assert _get(f"{base}/report") == 500
        assert recorder.flush(timeout=30)
    finally:
        recorder.close()
