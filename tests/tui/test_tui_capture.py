"""The TUI on a database written by capture, from a real server on 127.0.0.1."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import flask
import peewee as pw
import pytest
from pilot_helpers import row_names, rows_by_name, settle, wait_until
from werkzeug.serving import make_server

import capture
from capture.database import open_database
from capture.schema import Endpoint, Request
from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.screens.endpoints import COLUMN_KEYS
from flaskdash_tui.settings import Settings

WORDS = "api.studied_words"
TRANSLATE = "api.get_possible_translations"


@dataclass
class Service:
    """A bound Flask app served over HTTP, and its database."""

    base_url: str
    database_path: Path
    capture: capture.Capture

    def get(self, path: str) -> int:
        """Send one GET request and return the status code."""
        with urllib.request.urlopen(self.base_url + path, timeout=10) as response:
            return response.status


def make_app() -> flask.Flask:
    app = flask.Flask(__name__)

    @app.route("/studied_words", endpoint=WORDS)
    def studied_words() -> str:
        return "words"

    @app.route("/translate/<word>", endpoint=TRANSLATE)
    def translate(word: str) -> str:
        return word[::-1]

    return app


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """Yield a bound app served by werkzeug on 127.0.0.1, with a few requests."""
    database_path = tmp_path / "flaskdash.db"
    app = make_app()
    bound = capture.bind(app, database=str(database_path), app_version="test")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    running = Service(f"http://127.0.0.1:{server.server_port}", database_path, bound)
    try:
        for _ in range(3):
            assert running.get("/studied_words") == 200
        for word in ("hallo", "wereld"):
            assert running.get(f"/translate/{word}") == 200
        assert bound.flush(timeout=10)
        yield running
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        bound.close(timeout=10)


@pytest.fixture
def check_database(service: Service) -> Iterator[pw.Database]:
    """Yield a separate connection to the service's database for checks."""
    database = open_database(service.database_path, create=False)
    yield database
    database.close()


def stored_requests(database: pw.Database, name: str) -> int:
    query = Request.select().join(Endpoint).where(Endpoint.name == name)
    return query.bind(database).count()


def hits(database: pw.Database, name: str) -> int:
    query = Endpoint.select(Endpoint.hits).where(Endpoint.name == name)
    return int(query.bind(database).scalar())


def cell(app: FlaskdashApp, name: str, column: str) -> str:
    row = rows_by_name(app).get(name)
    if row is None:
        raise AssertionError(f"no row for {name}")
    return row[COLUMN_KEYS.index(column)]


def settings_for(service: Service) -> Settings:
    return Settings(database=str(service.database_path), refresh_interval=0.2)


async def test_captured_endpoints_shown(service: Service) -> None:
    app = FlaskdashApp(settings_for(service))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert set(row_names(app)) >= {WORDS, TRANSLATE}
        assert cell(app, WORDS, "total") == "3"
        assert cell(app, WORDS, "today") == "3"
        assert cell(app, TRANSLATE, "total") == "2"
        assert cell(app, TRANSLATE, "monitored") == "●"


async def test_http_request_appears_live(service: Service) -> None:
    app = FlaskdashApp(settings_for(service))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert cell(app, TRANSLATE, "total") == "2"
        assert service.get("/translate/nieuw") == 200
        # No key press and no flush: the writer and the refresh timer do it.
        assert await wait_until(pilot, lambda: cell(app, TRANSLATE, "total") == "3")
        assert cell(app, TRANSLATE, "today") == "3"


async def test_toggle_stops_recording(
    service: Service, check_database: pw.Database
) -> None:
    app = FlaskdashApp(settings_for(service))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(row_names(app).index(TRANSLATE)):
            await pilot.press("j")
        assert app.screen.selected_endpoint == TRANSLATE
        await pilot.press("space")
        await settle(pilot)
        assert cell(app, TRANSLATE, "monitored") == "○"

    flag = Endpoint.select(Endpoint.monitored).where(Endpoint.name == TRANSLATE)
    assert flag.bind(check_database).scalar() is False

    def next_request_unrecorded() -> bool:
        before = stored_requests(check_database, TRANSLATE)
        service.get("/translate/probe")
        service.capture.flush(timeout=10)
        return stored_requests(check_database, TRANSLATE) == before

    # The bound app reads the flags back on its own schedule (about every
    # second), so poll for up to about five seconds.
    for _ in range(25):
        if next_request_unrecorded():
            break
        threading.Event().wait(0.2)
    else:
        raise AssertionError("the bound app kept recording the toggled endpoint")

    before_stored = stored_requests(check_database, TRANSLATE)
    before_hits = hits(check_database, TRANSLATE)
    words_before = stored_requests(check_database, WORDS)
    for word in ("een", "twee", "drie"):
        assert service.get(f"/translate/{word}") == 200
    assert service.get("/studied_words") == 200
    assert service.capture.flush(timeout=10)
    assert stored_requests(check_database, TRANSLATE) == before_stored
    assert hits(check_database, TRANSLATE) == before_hits + 3
    assert stored_requests(check_database, WORDS) == words_before + 1
