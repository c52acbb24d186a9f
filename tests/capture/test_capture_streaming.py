"""Streaming responses are timed until closed; async views keep their status."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import flask
import pytest
from capture_helpers import fetch, open_db, request_rows

import capture
from capture.schema import ExceptionRecord

CHUNK_PAUSE = 0.05


def make_app() -> flask.Flask:
    app = flask.Flask(__name__)

    @app.route("/stream")
    def stream() -> flask.Response:
        def chunks() -> Iterator[str]:
            for number in range(4):
                time.sleep(CHUNK_PAUSE)
                yield f"chunk {number}\n"

        return flask.Response(chunks(), mimetype="text/plain")

    @app.route("/empty")
    def empty() -> tuple[str, int]:
        return "", 204

    @app.route("/async")
    async def async_view() -> tuple[str, int]:
        await asyncio.sleep(0.02)
        return "accepted", 202

    @app.route("/async-missing")
    async def async_missing() -> str:
        await asyncio.sleep(0)
        flask.abort(404)

    @app.route("/async-crash")
    async def async_crash() -> str:
        raise ValueError("async failure")

    return app


def test_stream_timed_until_closed(database_path: Path, serve, captures) -> None:
    app = make_app()
    bound = capture.bind(app, database=database_path)
    captures.append(bound)
    base = serve(app)
    status, body = fetch(base, "/stream")
    assert status == 200
    assert body == b"chunk 0\nchunk 1\nchunk 2\nchunk 3\n"
    assert fetch(base, "/empty")[0] == 204
    assert bound.flush()

    rows = {row["endpoint_name"]: row for row in request_rows(database_path)}
    assert rows["stream"]["duration"] >= 4 * CHUNK_PAUSE * 1000
    assert rows["stream"]["status"] == 200
    assert rows["empty"]["status"] == 204


def test_stream_unclosed_is_not_stored(database_path: Path, captures) -> None:
    app = make_app()
    bound = capture.bind(app, database=database_path)
    captures.append(bound)
    response = app.test_client().get("/stream")
    assert bound.flush()
    assert request_rows(database_path) == []
    response.close()
    assert bound.flush()
    assert len(request_rows(database_path)) == 1


def test_async_views_keep_status(database_path: Path, serve, captures) -> None:
    pytest.importorskip("asgiref")
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    bound = capture.bind(app, database=database_path)
    captures.append(bound)
    base = serve(app)
    assert fetch(base, "/async") == (202, b"accepted")
    assert fetch(base, "/async-missing")[0] == 404
    assert fetch(base, "/async-crash")[0] == 500
    assert bound.flush()

    rows = {row["endpoint_name"]: row for row in request_rows(database_path)}
    assert rows["async_view"]["status"] == 202
    assert rows["async_view"]["duration"] >= 20
    assert rows["async_missing"]["status"] == 404
    assert rows["async_crash"]["status"] == 500
    db = open_db(database_path)
    [record] = list(ExceptionRecord.select().bind(db))
    assert record.type == "builtins.ValueError"
    assert record.request_id == rows["async_crash"]["id"]
