"""Literal display of untrusted strings."""

from __future__ import annotations

import pytest
from rich.console import Console

from flaskdash_tui.text import clean, literal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[bold]x[/bold]", "[bold]x[/bold]"),
        ("red\x1b[31m", "red\\x1b[31m"),
        ("bell\x07", "bell\\x07"),
        ("c1\x9bx", "c1\\x9bx"),
        ("del\x7f", "del\\x7f"),
        (None, ""),
        (42, "42"),
    ],
)
def test_clean_escapes_controls(value: object, expected: str) -> None:
    assert clean(value) == expected


def test_clean_single_line() -> None:
    assert clean("a\nb\r\nc\td", single_line=True) == "a b c d"
    assert clean("a\nb") == "a\nb"


def test_literal_renders_markup_as_text() -> None:
    console = Console(width=80, force_terminal=True, color_system="truecolor")
    with console.capture() as captured:
        console.print(literal("[bold]x\x1b[2J"))
    output = captured.get()
    assert "[bold]x\\x1b[2J" in output
    # Neither the markup nor the escape sequence reached the terminal.
    assert "\x1b[1m" not in output
    assert "\x1b[2J" not in output
