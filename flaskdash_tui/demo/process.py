"""Run the demo's example service in a child process, from the parent's side.

:class:`ServiceProcess` starts ``python -m flaskdash_tui.demo.serve``, reads
the port that the child reports on stdout, and stops the child when the demo
ends.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

logger = logging.getLogger(__name__)

START_TIMEOUT = 30.0
"""Seconds the parent waits for the child to report its port."""
STOP_TIMEOUT = 10.0
"""Seconds the parent waits for the child to exit after SIGTERM, then kills it."""


class ServiceProcess:
    """The example service running in a child process.

    Args:
        repository: The demo repository; its ``service.py`` is served.
        database: The SQLite file that capture writes.
        log_file: Where the child's stderr goes.
        seed: Seed of the service's costs.
    """

    def __init__(
        self, repository: Path, database: Path, log_file: Path, seed: int
    ) -> None:
        self.repository = repository
        self.database = database
        self.log_file = log_file
        self.seed = seed
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The service's URL, ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The child's process id, or None before it starts."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the child and wait until it serves.

        Raises:
            RuntimeError: The child exited or did not report its port within
                ``START_TIMEOUT`` seconds; the message ends with the child's log.
        """
        command = [
            sys.executable,
            "-m",
            "flaskdash_tui.demo.serve",
            "--repository",
            str(self.repository),
            "--database",
            str(self.database),
            "--seed",
            str(self.seed),
        ]
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=self.repository,
                env=_child_environment(),
                # A new session, so that Ctrl+C in the terminal reaches only
                # the parent, which then stops the child in order.
                start_new_session=True,
            )
        try:
            self.port = self._read_port()
        except BaseException:
            self.stop()
            raise
        logger.info("example service %d serves %s", self._process.pid, self.base_url)

    def _read_port(self) -> int:
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        deadline = time.monotonic() + START_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if selector.select(timeout=0.2):
                    line = stdout.readline()
                    if line:
                        return int(json.loads(line)["port"])
                if self._process.poll() is not None:
                    break
        # The log is quoted because a temporary workdir is removed on exit.
        try:
            log = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            log = ""
        raise RuntimeError(
            f"the demo's example service did not start within {START_TIMEOUT:.0f} s "
            f"(log {self.log_file}):\n{log[-2000:]}"
        )

    def stop(self) -> None:
        """Stop the child: SIGTERM, then SIGKILL after ``STOP_TIMEOUT`` seconds."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "example service %d ignored SIGTERM; killing it", process.pid
                )
                process.kill()
                process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        logger.info(
            "example service %d exited with %s", process.pid, process.returncode
        )

    def __enter__(self) -> ServiceProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _child_environment() -> dict[str, str]:
    # The operator's FLASKDASH_* settings are meant for their own app; an
    # inherited FLASKDASH_APP_VERSION would hide the demo's two versions.
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("FLASKDASH_")
    }
