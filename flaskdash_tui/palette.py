"""One colour and one glyph per endpoint, the same in every view.

A chart never relies on colour alone: each endpoint also gets a fill glyph,
and legends list endpoints in the order in which they are stacked, so a chart
still reads with ``NO_COLOR`` set. Both are picked from the endpoint id, which
never changes, so an endpoint keeps its look across views and restarts.

Colours are ANSI colour numbers 1 to 6 and 9 to 14. Textual 8.2 maps them to
the current theme, and with ``NO_COLOR`` set its filter turns them to grey,
where the glyph still distinguishes endpoints. Black, white and greys are left
out because one of them is always the background.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.color import Color
from rich.style import Style
from rich.text import Text

from flaskdash_tui.text import clean

ANSI_COLOURS: tuple[int, ...] = (4, 1, 2, 3, 5, 6, 12, 9, 10, 11, 13, 14)
"""Blue, red, green, yellow, magenta, cyan, then their bright variants."""

GLYPHS: tuple[str, ...] = (
    "█",
    "▓",
    "▒",
    "░",
    "#",
    "=",
    "+",
    "x",
    "o",
    "*",
    "%",
    "@",
    ":",
)
"""Fill characters that stay distinct in a monochrome terminal.

There are 13 glyphs and 12 colours. Because 13 and 12 are coprime, the
(colour, glyph) pair repeats only after 156 endpoints, and any 13 endpoints
with consecutive ids have 13 different glyphs. NOTE: endpoints whose ids differ
by a multiple of 13 share a glyph, so in a monochrome chart only their legend
position distinguishes them.
"""


@dataclass(frozen=True)
class EndpointStyle:
    """The colour and glyph that mark one endpoint in charts and legends."""

    colour: int
    """ANSI colour number, 0 to 15."""
    glyph: str

    @property
    def style(self) -> Style:
        """The Rich style with the endpoint's colour as foreground."""
        return Style(color=Color.from_ansi(self.colour))

    def swatch(self, width: int = 2) -> Text:
        """Return the glyph repeated ``width`` times, in the endpoint's colour."""
        return Text(self.glyph * width, style=self.style)


OTHER_STYLE = EndpointStyle(colour=7, glyph="·")
"""The style of the "other endpoints" share when a chart folds small endpoints."""


def endpoint_style(endpoint_id: int) -> EndpointStyle:
    """Return the colour and glyph of the endpoint with id ``endpoint_id``."""
    index = endpoint_id - 1
    return EndpointStyle(
        colour=ANSI_COLOURS[index % len(ANSI_COLOURS)],
        glyph=GLYPHS[index % len(GLYPHS)],
    )


def endpoint_label(endpoint_id: int, name: str) -> Text:
    """Build an endpoint's swatch followed by its name, for titles and cells."""
    return swatch_label(name, endpoint_style(endpoint_id))


def swatch_label(name: str, style: EndpointStyle) -> Text:
    """Build a swatch in its colour followed by ``name`` in the default colour.

    Names are data from the monitored app, so the name is added as plain text
    with control characters escaped, never parsed as markup.
    """
    label = Text(no_wrap=True, end="")
    label.append_text(style.swatch())
    label.append(" ")
    label.append(clean(name, single_line=True))
    return label


def legend(
    entries: list[tuple[str, EndpointStyle]],
    width: int | None = None,
    separator: str = "  ",
) -> Text:
    """Build a legend of swatches and names, in the order given.

    Names are data from the monitored app, so they are added as plain text
    with control characters escaped, never parsed as markup.

    Args:
        entries: Names and their styles, in legend order.
        width: Columns per line. Lines break between entries, never inside
            one, and an entry wider than a line is cut with an ellipsis.
            None puts everything on one line.
        separator: The space between two entries on one line.
    """
    text = Text(no_wrap=True, end="")
    used = 0
    for position, (name, style) in enumerate(entries):
        entry = swatch_label(name, style)
        if width is not None and len(entry) > width:
            entry.truncate(width, overflow="ellipsis")
        if position:
            if width is not None and used + len(separator) + len(entry) > width:
                text.append("\n")
                used = 0
            else:
                text.append(separator)
                used += len(separator)
        text.append_text(entry)
        used += len(entry)
    return text
