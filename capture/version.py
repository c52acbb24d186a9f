"""The deployed version: the git commit at HEAD, read once when the app binds."""

from __future__ import annotations

import dataclasses
import logging
import os

logger = logging.getLogger(__name__)

UNKNOWN = "unknown"


@dataclasses.dataclass(frozen=True)
class VersionInfo:
    """One deployed version, as stored in the ``version`` table."""

    name: str
    """The full commit id, the configured app version, or ``unknown``."""
    short: str = ""
    committed_at: float | None = None
    """Commit time, UNIX seconds in UTC."""
    summary: str = ""


def read_version(
    app_version: str | None, repository: str | None, root_path: str
) -> VersionInfo:
    """Read the deployed version without ever raising.

    Args:
        app_version: An explicit version name; it wins over git.
        repository: The git repository path, or None to search upwards from
            ``root_path``.
        root_path: The app's root path.

    Returns:
        The explicit version, the commit at HEAD, or ``unknown`` when git
        cannot tell (no repository, no commit, git missing).
    """
    if app_version:
        return VersionInfo(name=app_version, short=app_version[:12])
    try:
        import git
    except ImportError as error:  # GitPython raises this when git is missing.
        logger.warning("cannot read the app version, git is unusable: %s", error)
        return VersionInfo(name=UNKNOWN)

    path = repository or root_path
    try:
        repo = git.Repo(path, search_parent_directories=repository is None)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, OSError) as error:
        logger.info("no git repository at %s (%s); version is unknown", path, error)
        return VersionInfo(name=UNKNOWN)
    try:
        commit = repo.head.commit
        return VersionInfo(
            name=commit.hexsha,
            short=repo.git.rev_parse(commit.hexsha, short=True),
            committed_at=float(commit.committed_date),
            summary=str(commit.summary),
        )
    except (ValueError, git.GitError, OSError) as error:
        logger.warning(
            "cannot read HEAD of the git repository %s: %s; version is unknown",
            os.fspath(repo.working_dir or path),
            error,
        )
        return VersionInfo(name=UNKNOWN)
    finally:
        repo.close()
