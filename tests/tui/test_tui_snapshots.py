"""SVG snapshots of the endpoints view, compared with committed files.

The data and the clock are fixed, so the SVG is the same on every run with
the same Textual and Rich versions. After an intended change of the view,
rewrite the files with ``UPDATE_SNAPSHOTS=1 pytest tests/tui``.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from flaskdash_tui.screenshot import render_svg
from flaskdash_tui.settings import Settings

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_endpoints_snapshot(
    settings: Settings, size: tuple[int, int], tmp_path: Path
) -> None:
    svg = await render_svg(dataclasses.replace(settings, view="endpoints"), size)
    expected_path = SNAPSHOTS / f"endpoints-{size[0]}x{size[1]}.svg"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOTS.mkdir(exist_ok=True)
        expected_path.write_text(svg, encoding="utf-8")
    assert expected_path.exists(), f"missing {expected_path}; see the module doc"
    actual_path = tmp_path / expected_path.name
    actual_path.write_text(svg, encoding="utf-8")
    expected = expected_path.read_text(encoding="utf-8")
    assert svg == expected, f"{actual_path} differs from {expected_path}"
