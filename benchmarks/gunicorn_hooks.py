"""gunicorn hooks that count the requests each worker served.

Load with ``gunicorn -c python:benchmarks.gunicorn_hooks``. Each worker
counts its requests in ``post_request`` and, when it exits, writes the count
to ``$BENCHMARK_SERVED_DIR/<pid>``. The throughput benchmark adds these files
up to get the number of requests served, and compares it with the rows the
monitor stored. The count costs every variant the same: one call and one
addition per request, in place of gunicorn's default no-op hook.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

SERVED_DIR_VARIABLE = "BENCHMARK_SERVED_DIR"

_served = 0


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    """Count one served request."""
    global _served
    _served += 1


def worker_exit(server: Any, worker: Any) -> None:
    """Write this worker's count; gunicorn calls it in the worker process."""
    folder = os.environ.get(SERVED_DIR_VARIABLE)
    if folder:
        Path(folder, str(os.getpid())).write_text(f"{_served}\n")


def read_served(folder: Path) -> int:
    """Add up the counts that the workers wrote into ``folder``."""
    return sum(int(path.read_text()) for path in folder.iterdir())
