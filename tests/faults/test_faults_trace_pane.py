"""The trace pane and the trace text, with hostile and oversized stored data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Static

from flaskdash_tui.clipboard import exception_text, save_text
from flaskdash_tui.queries.faults import ExceptionDetail
from flaskdash_tui.queries.frames import parse_frames
from flaskdash_tui.widgets.stacktrace import MAX_CODE_CHARS, StackTrace, TracePane

LONG_LINE = "payload = '" + "x" * 5000 + "'"

HOSTILE = ExceptionDetail(
    id=1,
    type="builtins.ValueError",
    message="[bold]bad[/bold] \x1b[2J",
    frames=parse_frames(
        json.dumps(
            [
                {
                    "file": "/srv/app/[bold]views.py",
                    "line": 10,
                    "function": "render\x1b[2J",
                    "code": "raise ValueError('[bold]bad[/bold] \x1b[2J')",
                },
                {
                    "file": "/srv/app/data.py",
                    "line": 3,
                    "function": "load",
                    "code": LONG_LINE,
                },
            ]
            + [
                {
                    "file": "/srv/app/deep.py",
                    "line": n,
                    "function": f"level_{n}",
                    "code": "f()",
                }
                for n in range(40)
            ]
        )
    ),
    request_id=7,
    endpoint="api.render",
    time=0.0,
    method="GET",
    status=500,
    version="v1",
    group="user-[bold]1",
)


class PaneApp(App[None]):
    """A bare app with only the trace pane."""

    def compose(self) -> ComposeResult:
        yield TracePane()


def _lines(widget: Static) -> list[str]:
    region = Region(0, 0, widget.size.width, widget.size.height)
    return [strip.text for strip in widget.render_lines(region)]


async def test_pane_shows_hostile_trace_literally() -> None:
    app = PaneApp()
    # Wide enough that no line wraps, so each string can be found whole.
    async with app.run_test(size=(200, 60)) as pilot:
        app.query_one(TracePane).show_exception(HOSTILE, dt.timezone.utc)
        await pilot.pause()
        trace = "\n".join(_lines(app.query_one("#frames", Static)))
        facts = "\n".join(_lines(app.query_one("#facts", Static)))

    assert "[bold]views.py" in trace
    assert "ValueError('[bold]bad[/bold] \\x1b[2J')" in trace
    assert "render\\x1b[2J" in trace
    assert "\x1b" not in trace
    assert "builtins.ValueError: [bold]bad[/bold] \\x1b[2J" in trace
    assert "user-[bold]1" in facts
    assert "\x1b" not in facts


async def test_pane_long_line_keeps_layout() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(TracePane)
        pane.show_exception(HOSTILE, dt.timezone.utc)
        trace = app.query_one(StackTrace)
        # Layout takes a few refreshes: the scrollbar appears, lines re-wrap.
        for _ in range(20):
            await pilot.pause()
            if trace.max_scroll_y and trace.scroll_y == trace.max_scroll_y:
                break
        lines = _lines(app.query_one("#frames", Static))

        assert pane.size.width == 80
        assert trace.size.width < 80
        assert trace.max_scroll_x == 0
        assert all(len(line) <= trace.size.width for line in lines)
        assert "x" * 30 in "".join(lines)
        hidden = len(LONG_LINE) - MAX_CODE_CHARS
        assert f"{hidden:,} more characters not shown" in " ".join(lines)

        # The 42 frames do not fit in 24 rows, so the trace scrolls, and it
        # opens at its end, where the innermost frames are.
        assert trace.max_scroll_y > 0
        assert trace.scroll_y == trace.max_scroll_y
        trace.focus()
        await pilot.press("home")
        await pilot.pause()
        assert trace.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert trace.scroll_y > 0


async def test_pane_message_replaces_trace() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(TracePane)
        pane.show_exception(HOSTILE, dt.timezone.utc)
        pane.show_message("No exceptions recorded.")
        await pilot.pause()
        trace = "\n".join(_lines(app.query_one("#frames", Static)))
    assert "No exceptions recorded." in trace
    assert "views.py" not in trace


def test_exception_text_is_whole_and_escaped() -> None:
    text = exception_text(HOSTILE, dt.timezone.utc)
    assert LONG_LINE in text
    assert "\x1b" not in text
    assert "raise ValueError('[bold]bad[/bold] \\x1b[2J')" in text
    assert "builtins.ValueError: [bold]bad[/bold] \\x1b[2J" in text
    assert "  user: user-[bold]1" in text
    assert text.index("render") < text.index("level_0") < text.index("level_39")


def test_save_text_writes_file(tmp_path: Path) -> None:
    path = save_text("trace\n", "flaskdash-trace.txt", tmp_path)
    assert path == tmp_path / "flaskdash-trace.txt"
    assert path.read_text(encoding="utf-8") == "trace\n"


def test_save_text_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        save_text("trace\n", "trace.txt", tmp_path / "missing")


def test_save_text_falls_back_to_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The current folder is a file's path, so writing into it fails.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setattr(Path, "cwd", classmethod(lambda cls: blocked))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)

    path = save_text("trace\n", "trace.txt")

    assert path == tmp_path / "trace.txt"
    assert path.read_text(encoding="utf-8") == "trace\n"
