"""SVG screenshots of every registered view, rendered without a terminal."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ElementTree

import pytest
from tui_data import TRANSLATE

from flaskdash_tui import views
from flaskdash_tui.screenshot import render_svg
from flaskdash_tui.settings import Settings


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("view", list(views.VIEWS))
async def test_view_renders_svg(
    settings: Settings, view: str, size: tuple[int, int]
) -> None:
    shot = dataclasses.replace(settings, view=view, endpoint=TRANSLATE)
    svg = await render_svg(shot, size)
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    text = "".join(root.itertext()).replace("\xa0", " ")
    assert views.VIEWS[view].title in text
    assert "Europe/Amsterdam" in text
