"""The screenshot command, run on two days of history for two views."""

from __future__ import annotations

import asyncio
import html
import os
import re
from datetime import datetime
from pathlib import Path

import pytest

from flaskdash_tui.demo import screenshots
from flaskdash_tui.demo.history import TIME_ZONE

# Wednesday 2 December 2026, 15:00 in Amsterdam.
SHOT_NOW = datetime(2026, 12, 2, 15, 0, tzinfo=TIME_ZONE).timestamp()

SHOTS = (
    screenshots.Shot("endpoints", "endpoints"),
    screenshots.detail_shot("users", screenshots.DIFFICULTIES),
)


def svg_text(path: Path) -> str:
    """Return the characters an SVG screenshot shows, in document order."""
    parts = re.findall(r"<text[^>]*>(.*?)</text>", path.read_text(encoding="utf-8"))
    return "".join(html.unescape(part) for part in parts).replace("\xa0", " ")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    output = tmp_path_factory.mktemp("screenshots")
    (output / "removed-view.svg").write_text("<svg/>", encoding="utf-8")
    (output / "notes.txt").write_text("not a screenshot", encoding="utf-8")
    workdir = tmp_path_factory.mktemp("history") / "work"
    progress: list[str] = []
    paths = screenshots.make_screenshots(
        output,
        shots=SHOTS,
        days=2,
        now=SHOT_NOW,
        workdir=workdir,
        progress=progress.append,
    )
    assert not workdir.exists()
    assert any("screenshot 2 of 2" in line for line in progress)
    return output, paths


def test_shots_written_by_name(written: tuple[Path, list[Path]]) -> None:
    output, paths = written
    assert paths == [output / "endpoints.svg", output / "endpoint-users.svg"]
    assert all(path.stat().st_size > 0 for path in paths)


def test_stale_svg_removed(written: tuple[Path, list[Path]]) -> None:
    output, _ = written
    assert not (output / "removed-view.svg").exists()
    assert (output / "notes.txt").exists()
    assert sorted(path.name for path in output.iterdir()) == [
        "endpoint-users.svg",
        "endpoints.svg",
        "notes.txt",
    ]


def test_endpoints_svg_lists_endpoints(written: tuple[Path, list[Path]]) -> None:
    output, _ = written
    text = svg_text(output / "endpoints.svg")
    assert "flaskdash-tui endpoints" in text
    # At 80 columns the endpoint column cuts long names.
    assert "api.get_po…" in text
    assert "Total" in text
    assert "POST" in text
    assert "Europe/Amsterdam" in text
    # The frozen "now" is on the status line.
    assert "15:00:00" in text


def test_users_tab_shows_users(written: tuple[Path, list[Path]]) -> None:
    output, _ = written
    text = svg_text(output / "endpoint-users.svg")
    assert "GET /get_article_difficulties" in text
    assert "users x versions" in text
    # The box labels are user ids, which only the users tab shows.
    assert re.search(r"user\d\d", text) is not None


def test_no_color_restored() -> None:
    before = os.environ.get("NO_COLOR")
    with screenshots._no_color(True):
        assert os.environ.get("NO_COLOR") == "1"
    assert os.environ.get("NO_COLOR") == before


def test_duplicate_names_rejected(tmp_path: Path) -> None:
    twice = (screenshots.Shot("hits", "hits"), screenshots.Shot("hits", "heatmap"))
    with pytest.raises(ValueError, match="duplicate screenshot names: hits"):
        asyncio.run(
            screenshots.write_shots(tmp_path, tmp_path / "missing.db", shots=twice)
        )
    assert list(tmp_path.iterdir()) == []


def test_existing_workdir_rejected(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "flaskdash.db").write_text("", encoding="utf-8")
    with pytest.raises(FileExistsError, match="already exists"):
        screenshots.make_screenshots(tmp_path / "out", workdir=workdir)
    assert (workdir / "flaskdash.db").exists()
    assert not (tmp_path / "out").exists()


def test_tab_keys_reach_each_tab() -> None:
    assert screenshots.tab_keys("versions") == ()
    assert screenshots.tab_keys("outliers") == ("n",) * 5
    with pytest.raises(ValueError):
        screenshots.tab_keys("flame graph")
