"""The command line, run as a subprocess: errors and the screenshot command."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from tui_data import STUDIED, TRANSLATE

from capture.database import open_database
from flaskdash_tui.cli import parse_size


def run_cli(
    *arguments: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FLASKDASH_")
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "flaskdash_tui.cli", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        stdin=subprocess.DEVNULL,
    )


def assert_one_line_error(
    result: subprocess.CompletedProcess[str], *parts: str
) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for part in parts:
        assert part in lines[0]


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = run_cli(str(missing))
    assert_one_line_error(result, str(missing), "not found", "DATABASE argument")
    assert not missing.exists()


def test_missing_default_names_sources(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flaskdash_tui.cli"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("FLASKDASH_")},
        stdin=subprocess.DEVNULL,
    )
    assert_one_line_error(result, "instance/flaskdash.db", "FLASKDASH_DATABASE")


def test_missing_from_environment(tmp_path: Path) -> None:
    missing = tmp_path / "env.db"
    result = run_cli(env={"FLASKDASH_DATABASE": str(missing)})
    assert_one_line_error(result, str(missing), "$FLASKDASH_DATABASE")


def test_not_a_database(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello, not SQLite\n" * 100)
    result = run_cli(str(text_file))
    assert_one_line_error(result, str(text_file), "not a SQLite database")


def test_not_flaskdash(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE things (id INTEGER)")
    result = run_cli(str(other))
    assert_one_line_error(result, str(other), "not a flaskdash database")


def test_schema_too_new(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_database(path, create=True).close()
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE flaskdash_metadata SET value = '99' WHERE key = 'schema_version'"
        )
    result = run_cli(str(path))
    assert_one_line_error(result, str(path), "schema version 99")


@pytest.mark.parametrize(
    ("arguments", "parts"),
    [
        (("--timezone", "Mars/Olympus"), ("Mars/Olympus", "IANA")),
        (("--view", "nosuch"), ("nosuch", "endpoints")),
        (("--refresh", "-1"), ("-1", "refresh")),
        (("--refresh", "inf"), ("'inf'", "to 3600")),
        (("--refresh", "1e308"), ("'1e308'", "to 3600")),
        (("--refresh", "nan"), ("'nan'", "refresh")),
        (("--refresh", "3601"), ("'3601'", "to 3600")),
        (("--refresh", "0.0001"), ("'0.0001'", "from 0.1")),
    ],
)
def test_invalid_settings(
    database_path: Path, arguments: tuple[str, ...], parts: tuple[str, ...]
) -> None:
    result = run_cli(str(database_path), *arguments)
    assert_one_line_error(result, *parts)


def test_unknown_endpoint(database_path: Path) -> None:
    result = run_cli(str(database_path), "--endpoint", "api.nope")
    assert_one_line_error(result, "'api.nope'", "not found", STUDIED)


def test_invalid_timezone_from_environment(database_path: Path) -> None:
    result = run_cli(str(database_path), env={"FLASKDASH_TIMEZONE": "Nowhere/City"})
    assert_one_line_error(result, "Nowhere/City")


def test_screenshot_writes_svg(database_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "endpoints.svg"
    result = run_cli(
        "screenshot",
        str(database_path),
        "--view",
        "endpoints",
        "--size",
        "100x30",
        "--timezone",
        "Europe/Amsterdam",
        "--now",
        "2026-03-02T12:00:00Z",
        "--output",
        str(output),
    )
    assert result.returncode == 0, result.stderr
    svg = output.read_text(encoding="utf-8")
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    text = "".join(root.itertext()).replace("\xa0", " ")
    assert STUDIED in text
    assert TRANSLATE[:12] in text
    assert "Europe/Amsterdam" in text


def test_screenshot_invalid_size(database_path: Path, tmp_path: Path) -> None:
    result = run_cli(
        "screenshot",
        str(database_path),
        "--size",
        "big",
        "--output",
        str(tmp_path / "x.svg"),
    )
    assert_one_line_error(result, "'big'", "80x24")


def test_screenshot_size_above_maximum(database_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "x.svg"
    result = run_cli(
        "screenshot",
        str(database_path),
        "--size",
        "100000x100000",
        "--output",
        str(output),
    )
    assert_one_line_error(result, "'100000x100000'", "500x200")
    assert not output.exists()


def test_screenshot_size_at_maximum_accepted() -> None:
    assert parse_size("500x200") == (500, 200)


def test_screenshot_missing_output_folder(database_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "nonexistent" / "dir"
    result = run_cli(
        "screenshot",
        str(database_path),
        "--output",
        str(folder / "s.svg"),
    )
    assert_one_line_error(result, str(folder), "not found")
    assert not folder.parent.exists()


def test_demo_invalid_days() -> None:
    result = run_cli("demo", "--days", "0")
    assert_one_line_error(result, "--days 0", "at least 1")
