"""The demo repository contains two real commits of the example service."""

from __future__ import annotations

from pathlib import Path

import git

from flaskdash_tui.demo import repository


def test_two_commits_change_translators(tmp_path: Path) -> None:
    repo = repository.init_repository(tmp_path / "service", committed_at=1.7e9)
    first = repo.head.commit
    repository.commit_second_version(repo, committed_at=1.7e9 + 3600)
    second = repo.head.commit

    assert second.parents == (first,)
    assert first.committed_date == 1_700_000_000
    assert second.committed_date == 1_700_003_600
    assert second.summary == "Ask the translation services in parallel"
    diff = repo.git.diff(first.hexsha, second.hexsha)
    assert "-TRANSLATORS_IN_PARALLEL = False" in diff
    assert "+TRANSLATORS_IN_PARALLEL = True" in diff
    assert not repo.is_dirty(untracked_files=True)
    repo.close()


def test_load_service_reads_working_tree(tmp_path: Path) -> None:
    path = tmp_path / "service"
    repo = repository.init_repository(path, committed_at=1.7e9)
    first = repository.load_service(path, "demo_test_service_first")
    repository.commit_second_version(repo, committed_at=1.7e9 + 60)
    second = repository.load_service(path, "demo_test_service_second")

    assert first.TRANSLATORS_IN_PARALLEL is False
    assert second.TRANSLATORS_IN_PARALLEL is True
    assert Path(second.__file__) == path / "service.py"
    app = second.create_app(work=lambda milliseconds: None)
    assert Path(app.root_path) == path
    repo.close()


def test_repository_is_found_from_app_root(tmp_path: Path) -> None:
    path = tmp_path / "service"
    repository.init_repository(path, committed_at=1.7e9).close()
    module = repository.load_service(path, "demo_test_service_root")
    app = module.create_app(work=lambda milliseconds: None)
    found = git.Repo(app.root_path, search_parent_directories=True)
    assert Path(found.working_tree_dir or "") == path
    found.close()
