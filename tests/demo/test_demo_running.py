"""running_demo serves real HTTP traffic into the database and cleans up after."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import peewee as pw
import psutil
import pytest

from capture.database import open_database
from capture.schema import Request
from flaskdash_tui.demo import running_demo

LIVE_TIMEOUT = 20.0
"""Seconds to wait for live requests to reach the database."""


def child_processes() -> list[psutil.Process]:
    return psutil.Process().children(recursive=True)


def wait_for_live_rows(db: pw.Database, since: float) -> int:
    deadline = time.monotonic() + LIVE_TIMEOUT
    count = 0
    while time.monotonic() < deadline:
        count = Request.select().where(Request.time >= since).bind(db).count()
        if count >= 5:
            break
        time.sleep(0.2)
    return count


def test_demo_serves_live_traffic(tmp_path: Path) -> None:
    stages: list[tuple[str, int, int]] = []
    before = {process.pid for process in child_processes()}
    with running_demo(
        workdir=tmp_path, days=1, progress=lambda *args: stages.append(args)
    ) as demo:
        started = time.time()
        assert demo.base_url.startswith("http://127.0.0.1:")
        assert demo.database == tmp_path / "flaskdash.db"
        assert demo.service_pid in {process.pid for process in child_processes()}
        with urllib.request.urlopen(
            demo.base_url + "/native_language?session=user01", timeout=10
        ) as response:
            assert response.status == 200
        db = open_database(demo.database, create=False)
        try:
            assert wait_for_live_rows(db, started) >= 5
            history = Request.select().where(Request.time < started).bind(db).count()
            assert history > 500
        finally:
            db.close()
        assert demo.load.sent >= 5
        assert demo.load.failed == 0
    assert stages[-1][0] == "history"
    assert stages[-1][1] == stages[-1][2]
    assert not psutil.pid_exists(demo.service_pid)
    assert {process.pid for process in child_processes()} == before
    assert tmp_path.exists()


def test_demo_stops_on_keyboard_interrupt() -> None:
    before = {process.pid for process in child_processes()}
    with pytest.raises(KeyboardInterrupt), running_demo(days=1) as demo:
        workdir = demo.workdir
        pid = demo.service_pid
        raise KeyboardInterrupt
    assert not psutil.pid_exists(pid)
    assert {process.pid for process in child_processes()} == before
    assert not workdir.exists()


def test_demo_reuses_its_workdir(tmp_path: Path) -> None:
    with running_demo(workdir=tmp_path, days=1) as first:
        assert first.history is not None
    with running_demo(workdir=tmp_path, days=1) as second:
        assert second.history is None
        assert second.database == first.database
