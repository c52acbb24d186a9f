"""The demo: an example Flask service with weeks of history and live traffic.

:func:`running_demo` makes a git repository with two versions of the example
service (:mod:`~flaskdash_tui.demo.service`), replays weeks of its history
through capture (:mod:`~flaskdash_tui.demo.history`), serves the newer
version in a subprocess (:mod:`~flaskdash_tui.demo.serve`, started by
:mod:`~flaskdash_tui.demo.process`) and sends it real
HTTP requests (:mod:`~flaskdash_tui.demo.load`)::

    with running_demo(progress=callback) as demo:
        run_the_tui(demo.database)
"""

from __future__ import annotations

import dataclasses
import json
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from flaskdash_tui.demo.history import TIME_ZONE_NAME, HistorySummary, build_history
from flaskdash_tui.demo.load import LoadGenerator
from flaskdash_tui.demo.process import ServiceProcess

__all__ = ["TIMEZONE", "DemoEnvironment", "running_demo"]

logger = logging.getLogger(__name__)

TIMEZONE = TIME_ZONE_NAME
"""IANA name of the time zone whose working hours the demo's traffic follows."""
DATABASE_FILE = "flaskdash.db"
REPOSITORY_FOLDER = "service"
HISTORY_FILE = "history.json"
"""Written once the history is complete; a workdir without it is not reused."""


@dataclass(frozen=True)
class DemoEnvironment:
    """A running demo, as :func:`running_demo` yields it."""

    database: Path
    """The live SQLite database."""
    base_url: str
    """The example service, ``http://127.0.0.1:PORT``."""
    workdir: Path
    repository: Path
    """The git repository of the example service."""
    history: HistorySummary
    """The replayed history, of this run or of the earlier run that is reused."""
    reused: bool
    """Whether the history comes from an earlier run in the same workdir."""
    service_pid: int
    load: LoadGenerator


@contextmanager
def running_demo(
    workdir: Path | None = None,
    days: int = 28,
    progress: Callable[[str, int, int], None] | None = None,
    seed: int = 7,
    load_threads: int = 4,
    load_pause: float | None = None,
) -> Iterator[DemoEnvironment]:
    """Run the demo for the duration of a ``with`` block.

    Leaving the block, also by an exception or KeyboardInterrupt, stops the
    load and the service process and removes the temporary folder.

    Args:
        workdir: Folder for the repository, database and service log. When
            None, a temporary folder is used and removed afterwards. A folder
            that contains an earlier run's complete demo is reused without new
            history.
        days: Whole days of history before today.
        progress: Called as ``progress(stage, done, total)`` during long work;
            the stage is ``"history"``.
        seed: Seed of the traffic and of the service's costs.
        load_threads: Concurrent clients of the live load.
        load_pause: Mean seconds between two requests of one client, or None
            to follow the history's requests per hour.

    Yields:
        The running demo.

    Raises:
        FileExistsError: ``workdir`` contains an incomplete demo, for example
            from a run interrupted while it replayed the history.
        RuntimeError: The service process did not start.
    """
    with ExitStack() as stack:
        if workdir is None:
            root = Path(
                stack.enter_context(
                    tempfile.TemporaryDirectory(prefix="flaskdash-demo-")
                )
            )
        else:
            root = Path(workdir).absolute()
            root.mkdir(parents=True, exist_ok=True)
        database = root / DATABASE_FILE
        repository = root / REPOSITORY_FOLDER
        history, reused = _prepare(root, database, repository, days, seed, progress)
        service = stack.enter_context(
            ServiceProcess(repository, database, root / "service.log", seed)
        )
        load = stack.enter_context(
            LoadGenerator(
                service.base_url, seed, threads=load_threads, mean_pause=load_pause
            )
        )
        assert service.pid is not None
        yield DemoEnvironment(
            database=database,
            base_url=service.base_url,
            workdir=root,
            repository=repository,
            history=history,
            reused=reused,
            service_pid=service.pid,
            load=load,
        )


def _prepare(
    root: Path,
    database: Path,
    repository: Path,
    days: int,
    seed: int,
    progress: Callable[[str, int, int], None] | None,
) -> tuple[HistorySummary, bool]:
    marker = root / HISTORY_FILE
    if marker.exists() and database.exists() and (repository / ".git").exists():
        logger.info("reusing the demo in %s", root)
        return HistorySummary(**json.loads(marker.read_text(encoding="utf-8"))), True
    leftovers = [path for path in (marker, database, repository) if path.exists()]
    if leftovers:
        names = ", ".join(str(path) for path in leftovers)
        raise FileExistsError(
            f"incomplete demo folder {root}: found {names} but not a complete "
            "demo; remove them or pass another folder"
        )
    started = time.perf_counter()
    summary = build_history(
        repository, database, days=days, seed=seed, now=time.time(), progress=progress
    )
    logger.info(
        "replayed %d requests of history in %.1f s",
        sum(summary.requests),
        time.perf_counter() - started,
    )
    marker.write_text(json.dumps(dataclasses.asdict(summary)), encoding="utf-8")
    return summary, False
