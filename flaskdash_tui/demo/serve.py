"""Serve the demo repository's example service under werkzeug, in a subprocess.

The child (``python -m flaskdash_tui.demo.serve``) imports the service at
the repository's HEAD, binds capture to it, serves it with werkzeug's
threaded server on 127.0.0.1 and writes one JSON line with its port to
stdout. It stops on SIGTERM, on SIGINT, or when its stdin reaches end of
file, which happens when the parent dies, so it never outlives the demo.

The parent side is :class:`flaskdash_tui.demo.process.ServiceProcess`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import IO

from werkzeug.serving import make_server

logger = logging.getLogger(__name__)


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
        app_version=None,
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
    # The parent keeps the write end of stdin open, so end of file means it died.
    # os.read, because a daemon thread blocked in a buffered read makes the
    # interpreter abort at shutdown.
    while os.read(sys.stdin.fileno(), 1024):
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
    # Only the port line goes to the parent, which stops reading after it, so
    # anything else printed must not fill the pipe.
    out, sys.stdout = sys.stdout, sys.stderr
    serve(arguments.repository, arguments.database, arguments.seed, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
