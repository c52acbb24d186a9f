"""A batch that mixes endpoints, unmonitored endpoints, groups and exceptions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import flask
from capture_helpers import endpoint_rows, fetch, open_db, request_rows, wait_for

import capture
from capture.schema import Endpoint, ExceptionRecord


def make_app() -> flask.Flask:
    app = flask.Flask(__name__)

    @app.route("/word/<word>")
    def translate(word: str) -> str:
        return word[::-1]

    @app.route("/health")
    def health() -> str:
        return "ok"

    @app.route("/fail")
    def fail() -> str:
        raise KeyError("missing word")

    return app


def group_of(request: flask.Request) -> str | None:
    # Only some requests name a user; the others fall back to the client IP.
    return request.args.get("user")


def start_time(row: dict[str, object]) -> float:
    return float(row["time"])  # type: ignore[arg-type]


def test_mixed_batch_stores_each_row(
    database_path: Path,
    serve: Callable[[flask.Flask], str],
    captures: list[capture.Capture],
) -> None:
    app = make_app()
    bound = capture.bind(app, database=str(database_path), group_by=group_of)
    captures.append(bound)
    base = serve(app)
    assert fetch(base, "/health")[0] == 200
    assert bound.flush(timeout=10)
    db = open_db(database_path)
    try:
        query = Endpoint.update(monitored=False).where(Endpoint.name == "health")
        query.execute(db)
    finally:
        db.close()

    def health_unmonitored() -> bool:
        # The writer reads the monitored flags once a second.
        before = len(request_rows(database_path))
        fetch(base, "/health")
        bound.flush(timeout=10)
        return len(request_rows(database_path)) == before

    assert wait_for(health_unmonitored, timeout=5.0, interval=0.1)
    stored_before = len(request_rows(database_path))
    health_before = endpoint_rows(database_path)["health"]["hits"]

    sent = []
    for number in range(12):
        if number % 4 == 3:
            assert fetch(base, "/fail")[0] == 500
            sent.append(("fail", 500, "127.0.0.1"))
        elif number % 4 == 1:
            assert fetch(base, "/health")[0] == 200
        else:
            user = f"user{number}" if number % 2 == 0 else None
            query = f"?user={user}" if user else ""
            assert fetch(base, f"/word/w{number}{query}")[0] == 200
            sent.append(("translate", 200, user or "127.0.0.1"))
    assert bound.flush(timeout=10)

    # Rows with an exception are inserted after the batch's plain rows.
    rows = sorted(request_rows(database_path)[stored_before:], key=start_time)
    stored = [(row["endpoint_name"], row["status"], row["group"]) for row in rows]
    assert stored == sent
    assert all(row["ip"] == "127.0.0.1" for row in rows)
    failing_ids = [row["id"] for row in rows if row["endpoint_name"] == "fail"]
    db = open_db(database_path)
    try:
        exceptions = list(ExceptionRecord.select().bind(db))
    finally:
        db.close()
    assert [record.request_id for record in exceptions] == failing_ids
    assert {record.type for record in exceptions} == {"builtins.KeyError"}
    endpoints = endpoint_rows(database_path)
    assert endpoints["health"]["hits"] == health_before + 3
    assert endpoints["translate"]["hits"] == 6
    assert endpoints["fail"]["hits"] == 3


def test_monitored_batch_keeps_exceptions(
    database_path: Path,
    serve: Callable[[flask.Flask], str],
    captures: list[capture.Capture],
) -> None:
    app = make_app()
    bound = capture.bind(app, database=str(database_path))
    captures.append(bound)
    base = serve(app)
    for number in range(6):
        path = "/fail" if number in (2, 4) else f"/word/w{number}"
        fetch(base, path)
    assert bound.flush(timeout=10)

    rows = request_rows(database_path)
    names = sorted(row["endpoint_name"] for row in rows)
    assert names == ["fail", "fail", "translate", "translate", "translate", "translate"]
    db = open_db(database_path)
    try:
        exceptions = list(ExceptionRecord.select().bind(db))
    finally:
        db.close()
    failing_ids = sorted(row["id"] for row in rows if row["endpoint_name"] == "fail")
    assert sorted(record.request_id for record in exceptions) == failing_ids
