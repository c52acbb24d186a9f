"""capture.bind on a real werkzeug server: rows, statuses, endpoints, toggles."""

from __future__ import annotations

import time
from pathlib import Path

import flask
import pytest
from capture_helpers import endpoint_rows, fetch, open_db, request_rows, wait_for
from werkzeug.middleware.proxy_fix import ProxyFix

import capture
from capture.schema import Endpoint

SLEEP_MS = 20


class Teapot(Exception):
    """Exception raised by a view; the app's error handler returns 418."""


def make_app() -> flask.Flask:
    app = flask.Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.handled_errors = []  # type: ignore[attr-defined]

    @app.route("/ok")
    def ok() -> str:
        return "ok"

    @app.route("/sleep")
    def sleep() -> str:
        time.sleep(SLEEP_MS / 1000)
        return "slept"

    @app.route("/created", methods=["POST"])
    def created() -> tuple[str, int]:
        return "made", 201

    @app.route("/missing")
    def missing() -> str:
        flask.abort(404)

    @app.route("/crash")
    def crash() -> str:
        raise RuntimeError("view crashed")

    @app.route("/teapot")
    def teapot() -> str:
        raise Teapot()

    @app.errorhandler(Teapot)
    def on_teapot(error: Teapot) -> tuple[str, int]:
        return "short and stout", 418

    @app.errorhandler(500)
    def on_500(error: Exception) -> tuple[str, int]:
        app.handled_errors.append(error)  # type: ignore[attr-defined]
        return "handled 500", 500

    @app.route("/first")
    @app.route("/second/<int:number>")
    def two_rules(number: int = 0) -> str:
        return str(number)

    return app


def test_requests_give_one_row_each(database_path: Path, serve, captures) -> None:
    app = make_app()
    captures.append(capture.bind(app, database=database_path))
    base = serve(app)
    for _ in range(25):
        assert fetch(base, "/sleep")[0] == 200
    assert captures[0].flush()

    rows = request_rows(database_path)
    assert len(rows) == 25
    assert {row["endpoint_name"] for row in rows} == {"sleep"}
    assert {row["method"] for row in rows} == {"GET"}
    assert {row["status"] for row in rows} == {200}
    assert min(row["duration"] for row in rows) >= SLEEP_MS
    assert max(row["duration"] for row in rows) < SLEEP_MS + 2000
    assert {row["ip"] for row in rows} == {"127.0.0.1"}
    assert {row["group"] for row in rows} == {"127.0.0.1"}
    now = time.time()
    assert all(now - 60 < row["time"] <= now for row in rows)


def test_status_is_what_client_received(database_path: Path, serve, captures) -> None:
    app = make_app()
    captures.append(capture.bind(app, database=database_path))
    base = serve(app)
    cases = [
        ("GET", "/ok", 200, b"ok"),
        ("POST", "/created", 201, b"made"),
        ("GET", "/missing", 404, None),
        ("GET", "/crash", 500, b"handled 500"),
        ("GET", "/teapot", 418, b"short and stout"),
    ]
    for method, path, status, body in cases:
        received = fetch(base, path, method=method)
        assert received[0] == status, path
        if body is not None:
            assert received[1] == body, path
    assert captures[0].flush()

    stored = {row["endpoint_name"]: row for row in request_rows(database_path)}
    assert stored["ok"]["status"] == 200
    assert stored["created"]["status"] == 201
    assert stored["created"]["method"] == "POST"
    assert stored["missing"]["status"] == 404
    assert stored["crash"]["status"] == 500
    assert stored["teapot"]["status"] == 418
    assert len(app.handled_errors) == 1  # type: ignore[attr-defined]


def test_unknown_url_stores_nothing(database_path: Path, serve, captures) -> None:
    app = make_app()
    captures.append(capture.bind(app, database=database_path))
    base = serve(app)
    assert fetch(base, "/no/such/page")[0] == 404
    assert captures[0].flush()
    assert request_rows(database_path) == []


def test_late_blueprint_is_captured(database_path: Path, serve, captures) -> None:
    app = make_app()
    captures.append(capture.bind(app, database=database_path))
    blueprint = flask.Blueprint("late", __name__, url_prefix="/late")

    @blueprint.route("/hello")
    def hello() -> str:
        return "hello"

    app.register_blueprint(blueprint)
    base = serve(app)
    assert fetch(base, "/late/hello") == (200, b"hello")
    assert captures[0].flush()

    rows = request_rows(database_path)
    assert [row["endpoint_name"] for row in rows] == ["late.hello"]
    endpoints = endpoint_rows(database_path)
    assert endpoints["late.hello"]["rules"] == "/late/hello"
    assert endpoints["late.hello"]["methods"] == "GET"


def test_two_rules_give_one_row(database_path: Path, serve, captures) -> None:
    app = make_app()
    captures.append(capture.bind(app, database=database_path))
    base = serve(app)
    assert fetch(base, "/first") == (200, b"0")
    assert fetch(base, "/second/7") == (200, b"7")
    assert captures[0].flush()

    rows = request_rows(database_path)
    assert [row["endpoint_name"] for row in rows] == ["two_rules", "two_rules"]
    rules = endpoint_rows(database_path)["two_rules"]["rules"]
    # Decorators apply from the bottom up, so /second is registered first.
    assert rules == "/second/<int:number>\n/first"


def test_view_wrapped_exactly_once(database_path: Path, captures) -> None:
    app = make_app()
    captures.append(capture.bind(app, database=database_path))
    view = app.view_functions["ok"]
    assert capture.bind(app) is captures[0]
    app.add_url_rule("/ok-again", "ok", view.__wrapped__)
    assert app.view_functions["ok"] is view
    assert not hasattr(view.__wrapped__, "__wrapped__")
    assert view.__name__ == "ok"


def test_endpoint_table_and_static(database_path: Path, serve, captures) -> None:
    app = make_app()
    static = Path(app.root_path) / "static"
    captures.append(capture.bind(app, database=database_path))
    base = serve(app)
    fetch(base, "/static/nothing.txt")
    fetch(base, "/ok")
    assert captures[0].flush()
    assert wait_for(lambda: endpoint_rows(database_path)["static"]["hits"] == 1)

    endpoints = endpoint_rows(database_path)
    assert not static.exists()
    assert endpoints["static"]["monitored"] is False
    assert endpoints["static"]["last_requested"] is not None
    assert endpoints["ok"]["monitored"] is True
    assert endpoints["ok"]["hits"] == 1
    assert endpoints["created"]["methods"] == "POST"
    assert endpoints["ok"]["first_seen"] <= endpoints["ok"]["last_requested"]
    assert [row["endpoint_name"] for row in request_rows(database_path)] == ["ok"]


def test_new_endpoints_unmonitored(database_path: Path, serve, captures) -> None:
    app = make_app()
    bound = capture.bind(app, database=database_path, monitor_new_endpoints=False)
    captures.append(bound)
    base = serve(app)
    fetch(base, "/ok")
    assert bound.flush()
    assert request_rows(database_path) == []
    assert endpoint_rows(database_path)["ok"]["hits"] == 1


def test_toggle_stops_recording(database_path: Path, serve, captures) -> None:
    app = make_app()
    bound = capture.bind(app, database=database_path)
    captures.append(bound)
    base = serve(app)
    fetch(base, "/ok")
    assert bound.flush()
    db = open_db(database_path)
    Endpoint.update(monitored=False).where(Endpoint.name == "ok").execute(db)
    db.close()
    toggled_at = time.monotonic()

    def stopped() -> bool:
        before = len(request_rows(database_path))
        fetch(base, "/ok")
        bound.flush()
        return len(request_rows(database_path)) == before

    assert wait_for(stopped, timeout=5.0, interval=0.1)
    # NOTE: the 2-second bound is checked loosely here, because timing
    # assertions do not belong in tests; the writer refreshes every second.
    assert time.monotonic() - toggled_at < 5.0
    assert endpoint_rows(database_path)["ok"]["hits"] >= 2


def test_default_database_in_instance(tmp_path: Path, serve, captures) -> None:
    app = flask.Flask(__name__, instance_path=str(tmp_path / "instance"))

    @app.route("/")
    def index() -> str:
        return "index"

    captures.append(capture.bind(app))
    base = serve(app)
    fetch(base, "/")
    assert captures[0].flush()
    expected = tmp_path / "instance" / "flaskdash.db"
    assert expected.exists()
    assert len(request_rows(expected)) == 1


def test_extension_with_app_factory(tmp_path: Path, serve, captures) -> None:
    extension = capture.Capture()
    captures.append(extension)
    apps = []
    for name in ("one", "two"):
        app = flask.Flask(name)
        app.config["FLASKDASH_DATABASE"] = str(tmp_path / f"{name}.db")
        app.add_url_rule("/", "index", lambda: "index")
        extension.init_app(app)
        apps.append(app)
    for app in apps:
        fetch(serve(app), "/")
    assert extension.flush()
    assert len(request_rows(tmp_path / "one.db")) == 1
    assert len(request_rows(tmp_path / "two.db")) == 1
    with pytest.raises(RuntimeError, match="already bound"):
        extension.init_app(apps[0])


def test_before_request_answer_is_stored(database_path: Path, serve, captures) -> None:
    app = make_app()

    @app.before_request
    def require_token() -> tuple[str, int] | None:
        if flask.request.path == "/ok" and "X-Token" not in flask.request.headers:
            return "token missing", 401
        return None

    captures.append(capture.bind(app, database=database_path))
    base = serve(app)
    assert fetch(base, "/ok") == (401, b"token missing")
    assert fetch(base, "/ok", headers={"X-Token": "t"}) == (200, b"ok")
    assert captures[0].flush()
    rows = request_rows(database_path)
    assert [row["endpoint_name"] for row in rows] == ["ok", "ok"]
    assert [row["status"] for row in rows] == [401, 200]


@pytest.mark.parametrize("proxy_fix_first", [True, False])
def test_ip_from_proxy_fix_only(
    database_path: Path, serve, captures, proxy_fix_first: bool
) -> None:
    app = make_app()
    if proxy_fix_first:
        app.wsgi_app = ProxyFix(app.wsgi_app)  # type: ignore[method-assign]
    captures.append(capture.bind(app, database=database_path))
    if not proxy_fix_first:
        app.wsgi_app = ProxyFix(app.wsgi_app)  # type: ignore[method-assign]
    base = serve(app)
    assert fetch(base, "/ok", headers={"X-Forwarded-For": "203.0.113.9"})[0] == 200

    plain = make_app()
    plain_path = database_path.with_name("plain.db")
    captures.append(capture.bind(plain, database=plain_path))
    plain_base = serve(plain)
    fetch(plain_base, "/ok", headers={"X-Forwarded-For": "203.0.113.9"})
    assert captures[0].flush()
    assert captures[1].flush()
    assert request_rows(database_path)[0]["ip"] == "203.0.113.9"
    assert request_rows(plain_path)[0]["ip"] == "127.0.0.1"


def test_closed_capture_keeps_serving(database_path: Path, serve) -> None:
    app = make_app()
    bound = capture.bind(app, database=database_path)
    base = serve(app)
    fetch(base, "/ok")
    bound.close()
    for _ in range(5):
        assert fetch(base, "/ok") == (200, b"ok")
    assert len(request_rows(database_path)) == 1
    assert bound.dropped == 0
    assert bound.flush(timeout=1.0)
