"""running_demo serves real HTTP traffic into the database and cleans up after."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import peewee as pw
import psutil
import pytest

from capture.database import open_database
from capture.schema import Endpoint, Request
from flaskdash_tui.demo import running_demo
from flaskdash_tui.demo.process import ServiceProcess

LIVE_TIMEOUT = 20.0
"""Seconds to wait for live requests to reach the database."""


def child_processes() -> list[psutil.Process]:
    return psutil.Process().children(recursive=True)


def wait_for_rows(query: pw.ModelSelect, count: int) -> list[Request]:
    """Return the rows of ``query`` once it has ``count``, or at the timeout."""
    deadline = time.monotonic() + LIVE_TIMEOUT
    # A peewee query caches its rows, so each poll runs a clone.
    rows = list(query.clone())
    while len(rows) < count and time.monotonic() < deadline:
        time.sleep(0.2)
        rows = list(query.clone())
    return rows


def test_demo_serves_live_traffic(tmp_path: Path) -> None:
    stages: list[tuple[str, int, int]] = []
    before = {process.pid for process in child_processes()}
    # A short pause instead of the history's rate, so that live rows arrive
    # within seconds.
    with running_demo(
        workdir=tmp_path,
        days=1,
        progress=lambda *args: stages.append(args),
        load_pause=1.5,
    ) as demo:
        # Every replayed request started before the history's end, and every
        # live one after it.
        started = demo.history.end
        assert demo.base_url.startswith("http://127.0.0.1:")
        assert demo.database == tmp_path / "flaskdash.db"
        assert demo.service_pid in {process.pid for process in child_processes()}

        # user05 follows 36 sources, so the view sleeps at least 36 * 6 + 15 ms.
        with urllib.request.urlopen(
            demo.base_url + "/get_article_difficulties?session=user05", timeout=10
        ) as response:
            assert response.status == 200

        db = open_database(demo.database, create=False)
        try:
            live = Request.select().where(Request.time >= started).bind(db)
            assert len(wait_for_rows(live, 5)) >= 5
            history = Request.select().where(Request.time < started).bind(db).count()
            # One quiet Saturday gives about 550 requests, a weekday over 1500.
            assert history > 300

            mine = (
                Request.select()
                .join(Endpoint)
                .where(
                    Request.time >= started,
                    Request.group == "user05",
                    Endpoint.name == "api.get_article_difficulties",
                )
                .bind(db)
            )
            rows = wait_for_rows(mine, 1)
            assert rows
            assert rows[0].duration >= 36 * 6 + 15
        finally:
            db.close()
        assert demo.load.failed == 0

    # At least five live rows were stored, one from the request above.
    sent = demo.load.sent
    assert sent >= 4
    db = open_database(demo.database, create=False)
    try:
        stored = Request.select().where(Request.time >= started).bind(db).count()
    finally:
        db.close()

    # The service flushes on SIGTERM: every served request is stored.
    assert stored == sent + 1

    assert stages[-1][0] == "history"
    assert stages[-1][1] == stages[-1][2]

    assert not psutil.pid_exists(demo.service_pid)
    # Earlier tests may leave git helper processes that end meanwhile, so
    # the check is that no new process remains.
    assert {process.pid for process in child_processes()} - before == set()
    assert tmp_path.exists()


def test_demo_stops_on_keyboard_interrupt() -> None:
    before = {process.pid for process in child_processes()}
    with pytest.raises(KeyboardInterrupt), running_demo(days=1) as demo:
        workdir = demo.workdir
        pid = demo.service_pid
        raise KeyboardInterrupt
    assert not psutil.pid_exists(pid)
    assert {process.pid for process in child_processes()} - before == set()
    assert not workdir.exists()


def test_demo_reuses_its_workdir(tmp_path: Path) -> None:
    with running_demo(workdir=tmp_path, days=1) as first:
        assert not first.reused
    with running_demo(workdir=tmp_path, days=1) as second:
        assert second.reused
        assert second.history == first.history
        assert second.database == first.database


def test_demo_rejects_incomplete_workdir(tmp_path: Path) -> None:
    (tmp_path / "flaskdash.db").write_bytes(b"")
    with (
        pytest.raises(FileExistsError, match="incomplete demo folder"),
        running_demo(workdir=tmp_path, days=1),
    ):
        pass


def test_service_failure_quotes_log(tmp_path: Path) -> None:
    # An empty folder has no service.py, so the child fails at import.
    (tmp_path / "service").mkdir()
    process = ServiceProcess(
        tmp_path / "service", tmp_path / "flaskdash.db", tmp_path / "service.log", 7
    )
    with pytest.raises(RuntimeError, match="did not start") as raised:
        process.start()
    assert "service.py" in str(raised.value)
    assert process.pid is not None
    assert not psutil.pid_exists(process.pid)
