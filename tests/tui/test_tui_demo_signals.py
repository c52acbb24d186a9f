"""The demo command stops cleanly on SIGHUP and SIGTERM, as on ``q``.

Each test starts ``flaskdash-tui demo --days 1`` on a pseudo-terminal, waits
for the endpoints view, sends a signal and checks that the temporary folder
and the child processes are gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import psutil
import pytest

START_TIMEOUT = 120.0
"""Seconds for the demo to replay one day of history and show its first view."""
STOP_TIMEOUT = 60.0
"""Seconds for the demo to stop its service and remove its folder."""


class Terminal:
    """A pseudo-terminal of 80x24 whose output a thread collects."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        size = struct.pack("HHHH", 24, 80, 0, 0)
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, size)
        self.output = bytearray()
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.output.extend(data)

    def wait_for(self, text: bytes, timeout: float) -> bool:
        """Return True once ``text`` appeared in the output, False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output:
                return True
            time.sleep(0.1)
        return text in self.output

    def close(self) -> None:
        """Close both ends, as a terminal emulator that exits does."""
        if self._closed:
            return
        self._closed = True
        for descriptor in (self.slave, self.master):
            with contextlib.suppress(OSError):
                os.close(descriptor)


def is_alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.timeout(START_TIMEOUT + STOP_TIMEOUT + 30)
@pytest.mark.parametrize(
    ("number", "close_terminal"),
    [(signal.SIGHUP, True), (signal.SIGTERM, False)],
    ids=["sighup-terminal-closed", "sigterm"],
)
def test_demo_signal_cleans_up(
    tmp_path: Path, number: signal.Signals, close_terminal: bool
) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FLASKDASH_")
    }
    environment.update(TMPDIR=str(tmp_path), TERM="xterm-256color")
    terminal = Terminal()
    command = [sys.executable, "-m", "flaskdash_tui.cli", "demo", "--days", "1"]
    demo = subprocess.Popen(
        command,
        stdin=terminal.slave,
        stdout=terminal.slave,
        stderr=terminal.slave,
        env=environment,
        start_new_session=True,
    )
    try:
        started = terminal.wait_for(b"Endpoints", START_TIMEOUT)
        assert started, bytes(terminal.output[-2000:])
        folders = list(tmp_path.glob("flaskdash-demo-*"))
        assert len(folders) == 1, folders
        children = psutil.Process(demo.pid).children(recursive=True)
        assert children, "the demo service is not running"

        if close_terminal:
            terminal.close()
        demo.send_signal(number)
        return_code = demo.wait(timeout=STOP_TIMEOUT)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        terminal.close()

    assert return_code == 128 + number.value
    assert not folders[0].exists()
    assert list(tmp_path.glob("flaskdash-demo-*")) == []
    still_running = [child.pid for child in children if is_alive(child)]
    assert still_running == []
