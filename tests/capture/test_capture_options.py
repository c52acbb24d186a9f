"""Options, versions from git, group-by, exceptions, and a light import."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import flask
import pytest
from capture_helpers import fetch, open_db, request_rows

import capture
from capture.options import resolve_options
from capture.schema import ExceptionRecord, Version
from capture.version import read_version


def plain_app(**config: object) -> flask.Flask:
    app = flask.Flask(__name__)
    app.config.update(config)

    @app.route("/")
    def index() -> str:
        return "index"

    return app


def test_keyword_beats_config_beats_env() -> None:
    app = plain_app(FLASKDASH_OUTLIER_FACTOR=3.0, FLASKDASH_APP_VERSION="config")
    environ = {
        "FLASKDASH_OUTLIER_FACTOR": "4",
        "FLASKDASH_APP_VERSION": "env",
        "FLASKDASH_OUTLIER_MIN_SAMPLES": "20",
        "FLASKDASH_MONITOR_NEW_ENDPOINTS": "no",
    }
    options = resolve_options(app, {"app_version": "keyword"}, environ)
    assert options.app_version == "keyword"
    assert options.outlier_factor == 3.0
    assert options.outlier_min_samples == 20
    assert options.monitor_new_endpoints is False
    assert options.database == str(Path(app.instance_path) / "flaskdash.db")


def test_unknown_keyword_is_named() -> None:
    with pytest.raises(capture.OptionError) as raised:
        capture.bind(plain_app(), databse="x.db")
    assert "'databse'" in str(raised.value)
    assert "database" in str(raised.value).split("valid:")[1]


def test_unknown_config_key_is_named() -> None:
    app = plain_app(FLASKDASH_DATABSE="x.db")
    with pytest.raises(capture.OptionError, match="FLASKDASH_DATABSE"):
        capture.bind(app)
    assert "flaskdash" not in app.extensions


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("outlier_factor", "fast"),
        ("outlier_factor", 0.5),
        ("outlier_min_samples", 0),
        ("monitor_new_endpoints", "maybe"),
        ("group_by", 42),
        ("clock", object()),
    ],
)
def test_invalid_value_is_named(name: str, value: object) -> None:
    with pytest.raises(capture.OptionError, match=name):
        resolve_options(plain_app(), {name: value}, {})


def git(repository: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(repository), *args],
        check=True,
        capture_output=True,
        text=True,
        env={
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.com",
            "GIT_AUTHOR_DATE": "2026-01-02T03:04:05Z",
            "GIT_COMMITTER_DATE": "2026-01-02T03:04:05Z",
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        },
    )
    return completed.stdout.strip()


def make_repository(path: Path) -> str:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    (path / "app.py").write_text("# the app\n")
    git(path, "add", "app.py")
    git(path, "commit", "-q", "-m", "Speed up translations\n\nBody text.")
    return git(path, "rev-parse", "HEAD")


def test_version_from_repository_path(tmp_path: Path, captures) -> None:
    head = make_repository(tmp_path / "repo")
    app = plain_app()
    bound = capture.bind(
        app, database=tmp_path / "v.db", repository=str(tmp_path / "repo")
    )
    captures.append(bound)
    app.test_client().get("/")
    assert bound.flush()
    db = open_db(tmp_path / "v.db")
    versions = list(Version.select().bind(db))
    assert [version.name for version in versions] == [head]
    assert versions[0].short == head[:7]
    assert versions[0].summary == "Speed up translations"
    assert versions[0].committed_at == 1767323045.0
    assert request_rows(tmp_path / "v.db")[0]["version"] == versions[0].id


@pytest.mark.parametrize("layout", ["subfolder", "packed", "worktree", "gitfile"])
def test_version_repository_layouts(tmp_path: Path, layout: str) -> None:
    repository = tmp_path / "repo"
    head = make_repository(repository)
    root = repository
    if layout == "subfolder":
        root = repository / "service" / "api"
        root.mkdir(parents=True)
    elif layout == "packed":
        git(repository, "gc", "-q")
        assert not (repository / ".git" / "refs" / "heads" / "main").exists()
    elif layout == "worktree":
        root = tmp_path / "worktree"
        git(repository, "worktree", "add", "-q", "--detach", str(root))
    elif layout == "gitfile":
        root = tmp_path / "separate"
        git(
            repository,
            "clone",
            "-q",
            "--separate-git-dir",
            str(tmp_path / "g"),
            ".",
            str(root),
        )
        assert (root / ".git").is_file()
    version = read_version(None, None, str(root))
    assert version.name == head
    assert version.summary == "Speed up translations"


def test_version_unknown_without_git(tmp_path: Path) -> None:
    version = read_version(None, None, str(tmp_path))
    assert version.name == "unknown"


def test_app_version_overrides_git(tmp_path: Path) -> None:
    make_repository(tmp_path / "repo")
    version = read_version("2.4.1", str(tmp_path / "repo"), str(tmp_path))
    assert version.name == "2.4.1"
    assert version.committed_at is None


def user_header(request: flask.Request) -> object:
    kind = request.headers.get("X-Kind", "user")
    if kind == "raise":
        raise LookupError("no such user")
    if kind == "object":
        return object()
    if kind == "none":
        return None
    return request.headers["X-User"]


def test_group_by_and_its_failures(
    tmp_path: Path, serve, captures, caplog: pytest.LogCaptureFixture
) -> None:
    app = plain_app()
    bound = capture.bind(app, database=tmp_path / "g.db", group_by=user_header)
    captures.append(bound)
    base = serve(app)
    sent = [
        {"X-User": "alice"},
        {"X-Kind": "raise"},
        {"X-Kind": "raise"},
        {"X-Kind": "raise"},
        {"X-Kind": "object"},
        {"X-Kind": "object"},
        {"X-Kind": "none"},
    ]
    with caplog.at_level(logging.ERROR, logger="capture"):
        for headers in sent:
            assert fetch(base, "/", headers=headers) == (200, b"index")
    assert bound.flush()
    groups = [row["group"] for row in request_rows(tmp_path / "g.db")]
    assert groups == ["alice"] + ["127.0.0.1"] * 6
    raised_logs = [r for r in caplog.records if "LookupError" in r.getMessage()]
    object_logs = [r for r in caplog.records if "of type object" in r.getMessage()]
    assert len(raised_logs) == 1
    assert len(object_logs) == 1


def test_exception_stored_and_reraised(tmp_path: Path, captures) -> None:
    app = flask.Flask(__name__)
    app.config["TESTING"] = True
    raised = KeyError("missing key")

    def load_profile() -> None:
        raise raised

    @app.route("/profile", endpoint="api.profile")
    def profile_view() -> str:
        load_profile()
        return "unreachable"

    bound = capture.bind(app, database=tmp_path / "e.db")
    captures.append(bound)
    with pytest.raises(KeyError) as caught:
        app.test_client().get("/profile")
    assert caught.value is raised
    assert bound.flush()

    db = open_db(tmp_path / "e.db")
    records = list(ExceptionRecord.select().bind(db))
    assert len(records) == 1
    assert records[0].type == "builtins.KeyError"
    assert records[0].message == "'missing key'"
    frames = json.loads(records[0].traceback)
    assert [frame["function"] for frame in frames] == ["profile_view", "load_profile"]
    assert frames[-1]["code"] == "raise raised"
    assert frames[-1]["file"] == __file__
    rows = request_rows(tmp_path / "e.db")
    assert records[0].request_id == rows[0]["id"]
    assert rows[0]["status"] == 500
    assert rows[0]["endpoint_name"] == "api.profile"


def test_abort_is_not_an_exception(tmp_path: Path, captures) -> None:
    app = flask.Flask(__name__)
    app.add_url_rule("/gone", "gone", lambda: flask.abort(410))
    bound = capture.bind(app, database=tmp_path / "a.db")
    captures.append(bound)
    assert app.test_client().get("/gone").status_code == 410
    assert bound.flush()
    assert ExceptionRecord.select().bind(open_db(tmp_path / "a.db")).count() == 0
    assert request_rows(tmp_path / "a.db")[0]["status"] == 410


def test_import_loads_no_tui_libraries() -> None:
    code = (
        "import sys, capture; "
        "loaded = [m for m in ('textual', 'rich', 'plotext') if m in sys.modules]; "
        "print(','.join(loaded))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == ""


def test_before_request_exception_stored(tmp_path: Path, captures) -> None:
    app = flask.Flask(__name__)

    def check_quota() -> None:
        raise OverflowError("quota exceeded")

    app.before_request(check_quota)
    app.add_url_rule("/", "index", lambda: "index")
    bound = capture.bind(app, database=tmp_path / "b.db")
    captures.append(bound)
    assert app.test_client().get("/").status_code == 500
    assert bound.flush()

    db = open_db(tmp_path / "b.db")
    [record] = list(ExceptionRecord.select().bind(db))
    assert record.type == "builtins.OverflowError"
    frames = json.loads(record.traceback)
    assert frames[-1]["function"] == "check_quota"
    assert request_rows(tmp_path / "b.db")[0]["status"] == 500


def test_view_call_error_keeps_frames(database_path: Path, serve, captures) -> None:
    app = flask.Flask(__name__)
    # The view does not accept the rule's argument, so calling it raises a
    # TypeError in capture's wrapper before any frame of the view exists.
    app.add_url_rule("/hostile/<path:name>", "hostile", lambda: "unreachable")
    bound = capture.bind(app, database=database_path)
    captures.append(bound)
    base = serve(app)
    status, _body = fetch(base, "/hostile/a")
    assert status == 500
    assert bound.flush()

    db = open_db(database_path)
    [record] = list(ExceptionRecord.select().bind(db))
    assert record.type == "builtins.TypeError"
    assert "unexpected keyword argument 'name'" in record.message
    frames = json.loads(record.traceback)
    assert frames
    functions = [frame["function"] for frame in frames]
    assert "dispatch_request" in functions
    assert frames[-1]["file"] == capture.recorder.__file__
    assert frames[-1]["code"] == "return view(*args, **kwargs)"
    assert request_rows(database_path)[0]["status"] == 500
