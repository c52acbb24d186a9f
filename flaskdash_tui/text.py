"""Literal display of strings that come from the monitored app or its clients.

Endpoint names, URL rules, user ids, headers and exception messages are data,
not markup, so pass them through :func:`literal` (or :func:`clean`) before
they reach a widget. Rich markup such as ``[bold]`` then stays visible as
text. Terminal control characters such as ESC and bidirectional formatting
characters such as U+202E become visible escapes, so they can neither style
the screen, move the cursor nor reorder the line.
"""

from __future__ import annotations

import re

from rich.text import Text

from capture.details import BIDI_CODES

_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f"
    + "".join(re.escape(chr(code)) for code in BIDI_CODES)
    + "]"
)
"""C0 and C1 control characters and DEL, except tab and newline, and the
Unicode bidirectional formatting characters of capture's log escaping."""

_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\u2028\u2029\x85]")


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean(value: object, *, single_line: bool = False) -> str:
    """Return ``value`` as a string with control characters made visible.

    Args:
        value: Any value; None becomes an empty string.
        single_line: Also replace line breaks and tabs by spaces, for table
            cells and one-line labels.

    Returns:
        The string with each control character replaced by its ``\\xNN``
        escape, and each bidirectional formatting character by its ``\\uNNNN``
        escape. Markup characters are left as they are: render the result
        with :class:`rich.text.Text`, never as markup.
    """
    text = "" if value is None else str(value)
    if single_line:
        text = _LINE_BREAKS.sub(" ", text).replace("\t", " ")
    return _CONTROL.sub(_escape_control, text)


def literal(
    value: object,
    *,
    style: str = "",
    single_line: bool = True,
) -> Text:
    """Return a Rich Text that shows ``value`` exactly, never as markup.

    Args:
        value: The untrusted value.
        style: A style for the whole text, chosen by our code.
        single_line: Replace line breaks by spaces (the default, for cells).
    """
    return Text(clean(value, single_line=single_line), style=style, end="")
