"""Serve the demo repository's example service under werkzeug, in a subprocess.

The child (``python -m flaskdash_tui.demo.serve``) imports the service at
the repository's HEAD, binds capture to it, serves it with werkzeug's
threaded server on 127.0.0.1 and writes one JSON line with its port to
stdout. It stops on SIGTERM, on SIGINT, or when its stdin reaches end of
file, which happens when the parent dies, so it never outlives the demo.

The parent side is :class:`ServiceProcess`, a context manager that starts
the child, reads the port and stops the child on exit.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO

from werkzeug.serving import make_server

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
                ``START_TIMEOUT`` seconds; the message names the log file.
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
        raise RuntimeError(
            f"the demo's example service did not start; see its log in {self.log_file}"
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


def serve(repository: Path, database: Path, seed: int, out: IO[str]) -> None:
    """Serve the example service until SIGTERM, SIGINT or end of stdin.

    Args:
        repository: The demo repository; capture reads its HEAD as the version.
        database: The SQLite file that capture writes.
        seed: Seed of the service's costs.
        out: Receives one JSON line, ``{"port": PORT}``, once the server listens.
    """
    import capture
    from flaskdash_tui.demo.repository import load_service

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Installed before bind, so that capture's SIGTERM handler flushes first
    # and then calls this one.
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    threading.Thread(target=_wait_for_eof, args=(stop,), daemon=True).start()

    module = load_service(repository, "flaskdash_demo_service")
    app = module.create_app(seed=seed)
    monitor = capture.bind(
        app,
        database=str(database),
        repository=str(repository),
        group_by=module.group_by,
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="demo-server")
    thread.start()
    logger.info("serving %s on port %d", repository, server.port)
    out.write(json.dumps({"port": server.port}) + "\n")
    out.flush()
    try:
        while not stop.wait(timeout=0.5):
            pass
    finally:
        logger.info("stopping the example service")
        server.shutdown()
        thread.join()
        server.server_close()
        monitor.close()


def _wait_for_eof(stop: threading.Event) -> None:
    # The parent keeps the write end of stdin open; end of file means it died.
    while sys.stdin.buffer.read(1024):
        pass
    stop.set()


def main(argv: list[str] | None = None) -> int:
    """Run the example service from the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repository", type=Path, required=True)
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format=f"%(asctime)s {os.getpid()} %(name)s %(levelname)s %(message)s",
    )
    # One line per request would fill the log; capture stores them anyway.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    serve(arguments.repository, arguments.database, arguments.seed, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
