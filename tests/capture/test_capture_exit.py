"""A bound app stores what it recorded when it exits on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from capture_helpers import fetch, request_rows

HERE = Path(__file__).parent


def test_sigterm_flushes_and_chains(tmp_path: Path) -> None:
    database = tmp_path / "exit.db"
    marker = tmp_path / "marker"
    server = subprocess.Popen(
        [sys.executable, str(HERE / "capture_sigterm_app.py"), str(database), marker],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        for _ in range(40):
            assert fetch(base, "/") == (200, b"index")
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0
    assert marker.read_text() == "previous handler ran\n"
    assert len(request_rows(database)) == 40
