"""What capture writes to the app's log about bad input from the app's side."""

from __future__ import annotations

import logging
from pathlib import Path

import flask
import pytest
from capture_helpers import fetch, request_rows

import capture
from capture.options import resolve_options

HOSTILE = "[bold red]boom[/] \x1b[2J\x1b]0;title\x07 \u202eRTL\u2066"


def index_app() -> flask.Flask:
    app = flask.Flask(__name__)

    @app.route("/")
    def index() -> str:
        return "index"

    return app


def hostile_group(request: flask.Request) -> str:
    raise RuntimeError(HOSTILE)


def test_group_error_log_escapes_controls(
    tmp_path: Path, serve, captures, caplog: pytest.LogCaptureFixture
) -> None:
    app = index_app()
    bound = capture.bind(app, database=tmp_path / "g.db", group_by=hostile_group)
    captures.append(bound)
    base = serve(app)
    with caplog.at_level(logging.ERROR, logger="capture"):
        assert fetch(base, "/") == (200, b"index")
    assert bound.flush()
    assert [row["group"] for row in request_rows(tmp_path / "g.db")] == ["127.0.0.1"]
    messages = [
        r.getMessage() for r in caplog.records if "RuntimeError" in r.getMessage()
    ]
    assert len(messages) == 1
    assert "\x1b" not in messages[0]
    assert "\x07" not in messages[0]
    assert "\\x1b[2J" in messages[0]
    assert "\u202e" not in messages[0]
    assert "\u2066" not in messages[0]
    assert "\\u202eRTL\\u2066" in messages[0]
    assert "[bold red]boom[/]" in messages[0]


def test_unknown_variable_warns(caplog: pytest.LogCaptureFixture) -> None:
    environ = {
        "FLASKDASH_OUTLIER_FACTR": "3",
        "FLASKDASH_TIMEZONE": "Europe/Amsterdam",
        "FLASKDASH_DATABASE": "/tmp/unused.db",
    }
    with caplog.at_level(logging.WARNING, logger="capture"):
        options = resolve_options(index_app(), {}, environ)
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "FLASKDASH_OUTLIER_FACTR" in warnings[0]
    assert "FLASKDASH_OUTLIER_FACTOR" in warnings[0]
    assert options.outlier_factor == 2.5
    assert options.database == "/tmp/unused.db"
