"""Literal display of untrusted strings."""

from __future__ import annotations

import peewee as pw
import pytest
from pilot_helpers import rows_by_name, settle
from rich.console import Console
from tui_data import HOSTILE_NAME

from capture.schema import Endpoint
from flaskdash_tui.app import FlaskdashApp
from flaskdash_tui.screenshot import export_text
from flaskdash_tui.settings import Settings
from flaskdash_tui.text import clean, literal

BIDI_CHARACTERS = [
    "\u061c",  # ARABIC LETTER MARK
    "\u200e",  # LEFT-TO-RIGHT MARK
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\u202a",  # LEFT-TO-RIGHT EMBEDDING
    "\u202b",  # RIGHT-TO-LEFT EMBEDDING
    "\u202c",  # POP DIRECTIONAL FORMATTING
    "\u202d",  # LEFT-TO-RIGHT OVERRIDE
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\u2067",  # RIGHT-TO-LEFT ISOLATE
    "\u2068",  # FIRST STRONG ISOLATE
    "\u2069",  # POP DIRECTIONAL ISOLATE
]


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


@pytest.mark.parametrize("character", BIDI_CHARACTERS)
def test_clean_escapes_bidi(character: str) -> None:
    escape = f"\\u{ord(character):04x}"
    assert clean(f"ab{character}cd") == f"ab{escape}cd"
    assert clean(f"ab{character}cd", single_line=True) == f"ab{escape}cd"


def test_clean_keeps_other_unicode() -> None:
    # Neighbours of the bidi ranges and ordinary non-ASCII text stay as they are.
    text = "\u200d\u2029\u2065\u206a\u2060 ü 日本 עברית 🙂"
    assert clean(text) == text


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


def test_literal_renders_bidi_escaped() -> None:
    console = Console(width=80, force_terminal=True, color_system="truecolor")
    with console.capture() as captured:
        console.print(literal("mark\u202eRTL\u2066x"))
    output = captured.get()
    assert "mark\\u202eRTL\\u2066x" in output
    assert "\u202e" not in output
    assert "\u2066" not in output


async def test_bidi_endpoint_name_escaped(
    database: pw.Database, settings: Settings
) -> None:
    name = "api.mark\u202eRTL\u2067x"
    Endpoint.update(name=name).where(Endpoint.name == HOSTILE_NAME).execute(database)
    app = FlaskdashApp(settings)
    async with app.run_test(size=(160, 24)) as pilot:
        await settle(pilot)
        assert name in rows_by_name(app)
        screen = export_text(app)
    assert "api.mark\\u202eRTL\\u2067x" in screen
    for character in BIDI_CHARACTERS:
        assert character not in screen
