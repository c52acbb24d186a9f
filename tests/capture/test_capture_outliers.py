"""Outliers: the watchdog samples each slow request's own stack while it runs."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import flask
from capture_helpers import fetch, open_db, request_rows

import capture
from capture.schema import Endpoint, Outlier

SLOW_SECONDS = 0.4


def wait_in_translation() -> None:
    time.sleep(SLOW_SECONDS)


def wait_in_bookmarks() -> None:
    time.sleep(SLOW_SECONDS)


def wait_in_exercises() -> None:
    time.sleep(SLOW_SECONDS)


WAITERS = {
    "translation": wait_in_translation,
    "bookmarks": wait_in_bookmarks,
    "exercises": wait_in_exercises,
}


def make_app() -> flask.Flask:
    app = flask.Flask(__name__)
    api = flask.Blueprint("api", __name__, url_prefix="/api")

    def possible_translations_impl() -> str:
        if flask.request.args.get("slow"):
            WAITERS[flask.request.args["slow"]]()
        return "ok"

    # Registered under another name than the function's.
    api.add_url_rule(
        "/translations",
        endpoint="get_possible_translations",
        view_func=possible_translations_impl,
        methods=["GET", "POST"],
    )
    app.register_blueprint(api)
    return app


def outliers(path: Path) -> list[dict[str, Any]]:
    db = open_db(path)
    try:
        return list(Outlier.select().order_by(Outlier.id).dicts().bind(db))
    finally:
        db.close()


def functions(outlier: dict[str, Any]) -> list[str]:
    return [frame["function"] for frame in json.loads(outlier["stacktrace"])]


def warm_up(base: str, bound: capture.Capture, count: int = 10) -> None:
    for _ in range(count):
        assert fetch(base, "/api/translations")[0] == 200
    assert bound.flush()


def test_first_requests_never_outliers(database_path: Path, serve, captures) -> None:
    app = make_app()
    bound = capture.bind(app, database=database_path)
    captures.append(bound)
    base = serve(app)
    assert fetch(base, "/api/translations?slow=translation")[0] == 200
    warm_up(base, bound, count=8)
    assert outliers(database_path) == []
    assert len(request_rows(database_path)) == 9


def test_outlier_has_slow_frame_and_details(
    database_path: Path, serve, captures
) -> None:
    app = make_app()
    bound = capture.bind(app, database=database_path)
    captures.append(bound)
    base = serve(app)
    warm_up(base, bound)
    status, _body = fetch(
        base,
        "/api/translations?slow=translation&password=hunter2&page=2",
        method="POST",
        headers={
            "Authorization": "Bearer abc",
            "Cookie": "session=s3cr3t",
            "X-Api-Key": "k-123",
            "X-Request-Id": "req-7",
        },
    )
    assert status == 200
    assert bound.flush()

    [outlier] = outliers(database_path)
    names = functions(outlier)
    assert names[-2:] == ["possible_translations_impl", "wait_in_translation"]
    frame = json.loads(outlier["stacktrace"])[-1]
    assert frame["code"] == "time.sleep(SLOW_SECONDS)"
    assert frame["file"] == __file__
    headers = json.loads(outlier["headers"])
    assert headers["Authorization"] == "[redacted]"
    assert headers["Cookie"] == "[redacted]"
    assert headers["X-Api-Key"] == "[redacted]"
    assert headers["X-Request-Id"] == "req-7"
    arguments = json.loads(outlier["arguments"])
    assert arguments == {
        "slow": "translation",
        "password": "[redacted]",
        "page": "2",
    }
    assert "hunter2" not in outlier["url"]
    assert "password=%5Bredacted%5D" in outlier["url"]
    assert outlier["url"].startswith("http://127.0.0.1:")
    assert outlier["memory"] > 0
    assert outlier["cpu_percent"] is not None
    assert outlier["load_average"] is not None
    assert outlier["average"] < SLOW_SECONDS * 1000
    rows = {row["id"]: row for row in request_rows(database_path)}
    request = rows[outlier["request"]]
    assert request["endpoint_name"] == "api.get_possible_translations"
    assert request["duration"] >= SLOW_SECONDS * 1000


def test_concurrent_outliers_own_stacks(database_path: Path, serve, captures) -> None:
    app = make_app()
    bound = capture.bind(app, database=database_path)
    captures.append(bound)
    base = serve(app)
    warm_up(base, bound)
    statuses: list[int] = []
    threads = [
        threading.Thread(
            target=lambda name=name: statuses.append(
                fetch(base, f"/api/translations?slow={name}")[0]
            )
        )
        for name in WAITERS
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert statuses == [200, 200, 200]
    assert bound.flush()

    found = outliers(database_path)
    assert len(found) == 3
    rows = {row["id"]: row for row in request_rows(database_path)}
    for outlier in found:
        url = outlier["url"]
        expected = WAITERS[url.rsplit("slow=", 1)[1]].__name__
        names = functions(outlier)
        assert names[-1] == expected, url
        assert rows[outlier["request"]]["endpoint_name"].startswith("api.")


def test_unmonitored_endpoint_no_outlier(database_path: Path, serve, captures) -> None:
    app = make_app()
    bound = capture.bind(app, database=database_path, outlier_min_samples=3)
    captures.append(bound)
    base = serve(app)
    warm_up(base, bound, count=3)
    db = open_db(database_path)
    Endpoint.update(monitored=False).execute(db)
    db.close()
    time.sleep(1.5)  # The writer reads the flags about every second.
    assert fetch(base, "/api/translations?slow=bookmarks")[0] == 200
    assert bound.flush()
    assert outliers(database_path) == []


class SteppedClock:
    """A wall clock in the past and a monotonic clock that views advance."""

    def __init__(self) -> None:
        self.offset = -30 * 86400.0
        self.simulated = 0.0
        self.lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        with self.lock:
            return self.simulated

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.simulated += seconds


def replay_app(clock: SteppedClock) -> flask.Flask:
    app = flask.Flask(__name__)

    @app.route("/work/<int:milliseconds>")
    def simulated_work(milliseconds: int) -> str:
        clock.advance(milliseconds / 1000)
        if flask.request.args.get("linger"):
            time.sleep(0.1)  # Real time, so that the watchdog scans meanwhile.
        return "done"

    return app


def test_simulated_clock_outliers(database_path: Path, captures) -> None:
    clock = SteppedClock()
    app = replay_app(clock)
    bound = capture.bind(app, database=database_path, clock=clock)
    captures.append(bound)
    client = app.test_client()
    for _ in range(10):
        assert client.get("/work/5").status_code == 200
    assert bound.flush()
    assert client.get("/work/900").status_code == 200
    assert client.get("/work/800?linger=1").status_code == 200
    assert bound.flush()

    rows = request_rows(database_path)
    assert [round(row["duration"]) for row in rows] == [5] * 10 + [900, 800]
    assert all(row["time"] < time.time() - 29 * 86400 for row in rows)
    late, sampled = outliers(database_path)
    assert late["request"] == rows[10]["id"]
    assert json.loads(late["stacktrace"]) == []
    assert late["url"] == "http://localhost/work/900"
    assert sampled["request"] == rows[11]["id"]
    assert "simulated_work" in functions(sampled)
