"""Database faults: the app keeps serving, measurements wait and are stored later.

Read-only and full disks need a filesystem that rejects writes even from
root. As root, these tests mount a small tmpfs and skip when mounting is not
permitted. As another user, read-only files come from file permissions.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import flask
import pytest
from capture_helpers import endpoint_rows, fetch, request_rows, wait_for

import capture

LOCK_SECONDS = 10


def make_app() -> flask.Flask:
    app = flask.Flask(__name__)

    @app.route("/word/<word>")
    def translate(word: str) -> str:
        return word[::-1]

    return app


def serve_words(base: str, count: int, start: int = 0) -> None:
    """Send ``count`` requests and check each response's status and body."""
    for number in range(start, start + count):
        word = f"word{number}"
        assert fetch(base, f"/word/{word}") == (200, word[::-1].encode())


class Volume:
    """A folder that tests can make read-only or full."""

    def __init__(self, path: Path, mounted: bool) -> None:
        self.path = path
        self.mounted = mounted
        self.filler = path / "filler"

    def _remount(self, mode: str) -> None:
        for _ in range(50):  # EBUSY while a writer has a file open.
            done = subprocess.run(
                ["mount", "-o", f"remount,{mode}", str(self.path)],
                capture_output=True,
            )
            if done.returncode == 0:
                return
            time.sleep(0.1)
        raise AssertionError(f"remount {mode} failed: {done.stderr!r}")

    def read_only(self) -> None:
        if self.mounted:
            self._remount("ro")
            return
        for item in self.path.rglob("*"):
            item.chmod(0o444 if item.is_file() else 0o555)
        self.path.chmod(0o555)

    def writable(self) -> None:
        if self.mounted:
            self._remount("rw")
            return
        self.path.chmod(0o755)
        for item in self.path.rglob("*"):
            item.chmod(0o644 if item.is_file() else 0o755)

    def fill(self) -> None:
        if not self.mounted:
            pytest.skip("filling a disk needs a tmpfs mount (run as root)")
        # Closing the file can fail too, when it flushes the rest of a write
        # that the full disk cut short.
        with contextlib.suppress(OSError), self.filler.open("wb") as output:
            while True:
                output.write(b"\0" * 65536)
                output.flush()

    def empty(self) -> None:
        self.filler.unlink()


@pytest.fixture
def volume(tmp_path: Path) -> Iterator[Volume]:
    """Yield a small tmpfs as root, else a plain folder under tmp_path."""
    path = tmp_path / "volume"
    path.mkdir()
    mounted = False
    if os.geteuid() == 0 and shutil.which("mount"):
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(path)],
            capture_output=True,
        )
        mounted = done.returncode == 0
    yield Volume(path, mounted)
    if mounted:
        subprocess.run(["mount", "-o", "remount,rw", str(path)], capture_output=True)
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
    else:
        Volume(path, False).writable()


def capture_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name.startswith("capture") and record.levelno >= logging.ERROR
    ]


def test_missing_directory_created_later(
    volume: Volume, serve, captures, caplog: pytest.LogCaptureFixture
) -> None:
    database = volume.path / "instance" / "flaskdash.db"
    volume.read_only()
    app = make_app()
    with caplog.at_level(logging.INFO, logger="capture"):
        bound = capture.bind(app, database=database)
        captures.append(bound)
        base = serve(app)
        serve_words(base, 10)
        assert not bound.flush(timeout=1.0)
        volume.writable()
        assert bound.flush(timeout=15)
    assert len(request_rows(database)) == 10
    assert len(capture_errors(caplog)) == 1


def test_read_only_file(volume: Volume, serve, captures) -> None:
    database = volume.path / "flaskdash.db"
    first = capture.bind(make_app(), database=database)
    first.flush()
    first.close()
    volume.read_only()
    app = make_app()
    bound = capture.bind(app, database=database)
    captures.append(bound)
    base = serve(app)
    serve_words(base, 20)
    assert not bound.flush(timeout=1.0)
    volume.writable()
    assert bound.flush(timeout=15)
    rows = request_rows(database)
    assert len(rows) == 20
    assert endpoint_rows(database)["translate"]["hits"] == 20


def test_locked_by_other_process(database_path: Path, serve, captures) -> None:
    app = make_app()
    bound = capture.bind(app, database=database_path)
    captures.append(bound)
    base = serve(app)
    serve_words(base, 5)
    assert bound.flush()
    locker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            f"time.sleep({LOCK_SECONDS})\n"
            "db.execute('COMMIT')\n",
            str(database_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None
        assert locker.stdout.readline() == "locked\n"
        serve_words(base, 50, start=5)
        assert locker.poll() is None  # Every response came during the lock.
        assert not bound.flush(timeout=1.0)
    finally:
        locker.wait(LOCK_SECONDS + 10)
    assert bound.flush(timeout=20)
    assert len(request_rows(database_path)) == 55


def test_deleted_while_running(database_path: Path, serve, captures) -> None:
    app = make_app()
    bound = capture.bind(app, database=database_path)
    captures.append(bound)
    base = serve(app)
    serve_words(base, 5)
    assert bound.flush()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database_path}{suffix}").unlink(missing_ok=True)
    serve_words(base, 7, start=5)
    assert bound.flush(timeout=10)
    assert database_path.exists()
    assert len(request_rows(database_path)) == 7
    assert endpoint_rows(database_path)["translate"]["hits"] == 7


def test_disk_full(
    volume: Volume, serve, captures, caplog: pytest.LogCaptureFixture
) -> None:
    database = volume.path / "flaskdash.db"
    app = make_app()
    with caplog.at_level(logging.INFO, logger="capture"):
        bound = capture.bind(app, database=database)
        captures.append(bound)
        base = serve(app)
        serve_words(base, 5)
        assert bound.flush()
        volume.fill()
        serve_words(base, 300, start=5)
        assert not bound.flush(timeout=1.0)
        volume.empty()
        assert bound.flush(timeout=15)
    assert len(request_rows(database)) == 305
    errors = [record.getMessage() for record in capture_errors(caplog)]
    assert errors
    # SQLite rolls back by itself on SQLITE_FULL, so peewee's rollback fails
    # too. The log must name the full disk, not the failed rollback.
    assert "database or disk is full" in errors[0]
    assert "cannot rollback" not in errors[0]


def test_unusable_database_at_bind(
    database_path: Path, serve, captures, caplog: pytest.LogCaptureFixture
) -> None:
    database_path.write_bytes(b"this is not a database\n" * 100)
    app = make_app()
    with caplog.at_level(logging.INFO, logger="capture"):
        bound = capture.bind(app, database=database_path)
        captures.append(bound)
        base = serve(app)
        serve_words(base, 8)
        assert not bound.flush(timeout=2.0)
        assert len(capture_errors(caplog)) == 1
        assert "not a SQLite database" in capture_errors(caplog)[0].getMessage()
        database_path.unlink()
        assert bound.flush(timeout=15)
    assert len(request_rows(database_path)) == 8
    assert any("works again" in record.getMessage() for record in caplog.records)


def test_full_buffer_counts_drops(
    database_path: Path, serve, captures, caplog: pytest.LogCaptureFixture
) -> None:
    database_path.write_bytes(b"garbage")
    app = make_app()
    with caplog.at_level(logging.WARNING, logger="capture"):
        bound = capture.bind(app, database=database_path, buffer_size=5)
        captures.append(bound)
        base = serve(app)
        serve_words(base, 20)
        assert bound.dropped == 15
        database_path.unlink()
        assert bound.flush(timeout=15)
        assert wait_for(
            lambda: any("dropped 15" in r.getMessage() for r in caplog.records)
        )
    assert len(request_rows(database_path)) == 5
