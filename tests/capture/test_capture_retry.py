"""A batch whose transaction failed halfway is stored whole when retried."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import flask
from capture_helpers import fetch, open_db, request_rows, wait_for

import capture
from capture.schema import ExceptionRecord

# While the test table ``block`` has a row, a trigger in the database file
# fails the writer's transaction at its last statement, the update of the
# endpoint's hits, after the request and its exception were inserted.
BLOCKING_TRIGGER = """
CREATE TRIGGER block_hits BEFORE UPDATE ON endpoint
WHEN EXISTS (SELECT 1 FROM block)
BEGIN SELECT RAISE(ABORT, 'blocked by the test'); END
"""


def make_app() -> flask.Flask:
    app = flask.Flask(__name__)

    @app.route("/fail")
    def fail() -> str:
        raise KeyError("missing word")

    @app.route("/ok")
    def ok() -> str:
        return "ok"

    return app


def stored_exception_types(path: Path) -> list[str]:
    db = open_db(path)
    try:
        return [row.type for row in ExceptionRecord.select().bind(db)]
    finally:
        db.close()


def test_retry_keeps_exception_record(
    database_path: Path,
    serve: Callable[[flask.Flask], str],
    captures: list[capture.Capture],
) -> None:
    app = make_app()
    captures.append(capture.bind(app, database=str(database_path)))
    base = serve(app)
    assert fetch(base, "/ok")[0] == 200
    assert captures[0].flush(timeout=10)

    connection = sqlite3.connect(database_path)
    try:
        connection.execute("CREATE TABLE block (flag INTEGER)")
        connection.execute("INSERT INTO block VALUES (1)")
        connection.execute(BLOCKING_TRIGGER)
        connection.commit()

        assert fetch(base, "/fail")[0] == 500
        assert not captures[0].flush(timeout=1)
        assert len(request_rows(database_path)) == 1

        connection.execute("DELETE FROM block")
        connection.commit()
    finally:
        connection.close()

    assert wait_for(lambda: len(request_rows(database_path)) == 2)
    assert stored_exception_types(database_path) == ["builtins.KeyError"]
