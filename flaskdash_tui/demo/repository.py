"""The demo's git repository: two real commits of the example service.

The first commit calls the translation services one after another, and the
second calls them in parallel, which makes ``api.get_possible_translations`` faster.
capture reads the commit at HEAD when it binds, so measurements taken before
and after the second commit belong to two versions.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from pathlib import Path
from types import ModuleType

import git

from flaskdash_tui.demo import service

logger = logging.getLogger(__name__)

SERVICE_FILE = "service.py"
"""The example service's file name inside the demo repository."""

_PARALLEL_LINE = "TRANSLATORS_IN_PARALLEL = True\n"
_SEQUENTIAL_LINE = "TRANSLATORS_IN_PARALLEL = False\n"
_AUTHOR = git.Actor("Demo Developer", "developer@example.com")

FIRST_MESSAGE = "Add the language-learning API"
SECOND_MESSAGE = (
    "Ask the translation services in parallel\n\n"
    "get_possible_translations waited for each translation service in turn,\n"
    "so its response time was the sum of theirs. Asking them at the same\n"
    "time, and responding with the translations that arrived within 180 ms,\n"
    "makes it at most the slowest of them and cuts off the long tail.\n"
)


def service_source(parallel: bool) -> str:
    """Return the example service's source, in its first or its second version."""
    source = Path(service.__file__).read_text(encoding="utf-8")
    if _PARALLEL_LINE not in source:
        raise RuntimeError(f"{service.__file__} lacks the line {_PARALLEL_LINE!r}")
    if parallel:
        return source
    return source.replace(_PARALLEL_LINE, _SEQUENTIAL_LINE, 1)


def init_repository(path: Path, committed_at: float) -> git.Repo:
    """Create a git repository whose only commit is the first version.

    Args:
        path: Folder of the new repository, created when missing.
        committed_at: Commit time, UNIX seconds.

    Returns:
        The repository.
    """
    path.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(path)
    (path / SERVICE_FILE).write_text(service_source(parallel=False), encoding="utf-8")
    (path / ".gitignore").write_text("__pycache__/\n", encoding="utf-8")
    _commit(repo, [SERVICE_FILE, ".gitignore"], FIRST_MESSAGE, committed_at)
    return repo


def commit_second_version(repo: git.Repo, committed_at: float) -> None:
    """Commit the version that calls the translation services in parallel."""
    path = Path(repo.working_tree_dir or ".") / SERVICE_FILE
    path.write_text(service_source(parallel=True), encoding="utf-8")
    _commit(repo, [SERVICE_FILE], SECOND_MESSAGE, committed_at)


def _commit(
    repo: git.Repo, paths: list[str], message: str, committed_at: float
) -> None:
    # GitPython's raw git format: seconds and offset.
    date = f"{int(committed_at)} +0000"
    repo.index.add(paths)
    commit = repo.index.commit(
        message,
        author=_AUTHOR,
        committer=_AUTHOR,
        author_date=date,
        commit_date=date,
    )
    logger.info("committed %s %s", commit.hexsha[:8], message.splitlines()[0])


def load_service(repository: Path, module_name: str) -> ModuleType:
    """Import the example service from a repository's working tree.

    Each call imports the file as it is now, under ``module_name``, so the
    first and the second version can be loaded into one process.
    """
    path = repository / SERVICE_FILE
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import the example service from {path}")
    module = importlib.util.module_from_spec(spec)
    # Flask finds an app's root path through sys.modules.
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
