"""gunicorn with several workers: every request stored once, toggles reach all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from capture_helpers import endpoint_rows, fetch, open_db, request_rows, wait_for

from capture.schema import Endpoint

pytestmark = pytest.mark.gunicorn

HERE = Path(__file__).parent
BATCH = 100
MAX_REQUESTS = 2000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def responding(base: str) -> bool:
    try:
        return fetch(base, "/pid")[0] == 200
    except OSError:
        return False


def hit_rows(database: Path) -> list[dict[str, Any]]:
    return [row for row in request_rows(database) if row["endpoint_name"] == "hit"]


def send_until_both_answer(base: str) -> tuple[int, set[str]]:
    """Send batches to /hit until two workers responded; return count and pids."""
    sent = 0
    pids: set[str] = set()
    with ThreadPoolExecutor(max_workers=8) as pool:
        while len(pids) < 2 and sent < MAX_REQUESTS:
            results = list(pool.map(lambda _: fetch(base, "/hit"), range(BATCH)))
            assert {status for status, _body in results} == {200}
            pids.update(body.decode() for _status, body in results)
            sent += BATCH
    return sent, pids


@pytest.mark.parametrize(
    "worker_args",
    [
        ["--workers", "2"],
        ["--workers", "2", "--worker-class", "gthread", "--threads", "4"],
        ["--workers", "2", "--preload"],
    ],
    ids=["sync", "gthread", "preload"],
)
def test_gunicorn_workers(tmp_path: Path, worker_args: list[str]) -> None:
    database = tmp_path / "gunicorn.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--chdir",
                str(HERE),
                "--bind",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "20",
                *worker_args,
                "capture_gunicorn_app:app",
            ],
            env={**os.environ, "CAPTURE_TEST_DATABASE": str(database)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(lambda: responding(base), timeout=30), log.read_text()
        # Which worker accepts a connection is up to the kernel, so send
        # until both have responded.
        sent, pids = send_until_both_answer(base)
        assert len(pids) == 2

        # The writers judge the flag when they store a batch, so the rows
        # from before the toggle must be stored before it.
        assert wait_for(lambda: len(hit_rows(database)) == sent, timeout=10)
        db = open_db(database)
        Endpoint.update(monitored=False).where(Endpoint.name == "hit").execute(db)
        db.close()
        time.sleep(2.5)  # Each worker reads the flags about every second.
        sent_after, pids_after = send_until_both_answer(base)
        assert pids_after == pids
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)

    output = log.read_text()
    assert "Traceback" not in output
    assert "cannot write" not in output
    stored = hit_rows(database)
    assert len(stored) == sent
    assert {row["status"] for row in stored} == {200}
    endpoints = endpoint_rows(database)
    assert endpoints["hit"]["hits"] == sent + sent_after
