"""One colour and one glyph per endpoint, the same in every view.

A chart never relies on colour alone: each endpoint also gets a fill glyph,
and legends list endpoints in the order in which they are stacked, so a chart
still reads with ``NO_COLOR`` set. Both are picked from the endpoint id, which
never changes, so an endpoint keeps its look across views and restarts.

Colours are true colours of our own, not ANSI colour numbers, because Textual
8.2 maps ANSI numbers through a terminal theme that gives several of them the
same RGB. With ``NO_COLOR`` set, swatches and boxes are drawn in the
terminal's default foreground and bars in the chart's text colour, so no glyph
is fainter than the text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from rich.color import Color
from rich.style import Style
from rich.text import Text

from flaskdash_tui.text import clean

COLOURS: tuple[str, ...] = (
    "#00afff",
    "#ff5f00",
    "#00ffd7",
    "#ff00ff",
    "#87ff5f",
    "#8787d7",
    "#ffaf00",
    "#00afaf",
    "#ff5f87",
    "#00af5f",
    "#ffafff",
    "#afaf5f",
)
"""Endpoint colours: sky blue, orange, aquamarine, magenta, light green,
lavender, amber, teal, pink, green, light pink and olive.

Each has a WCAG 2.1 contrast ratio of at least 4.5:1 on #121212 and on #272727.
In the default theme ``textual-dark`` these were the darkest and the lightest
background behind a swatch outside a table's cursor row (#272727 is a zebra
row), measured in the endpoints, response, hits and detail views. Any two differ
by a CIEDE2000 colour difference of at least 20. Sorted by CIELAB hue, the
list takes every fifth colour, so consecutive entries, the last and the first
included, differ in hue by at least 100 degrees. Every component is a level of
the 6x6x6 cube of the 256-colour palette, so a terminal without true colour
shows the same 12 colours.

NOTE: no colour has 4.5:1 on both #121212 and white (the best possible is about
4.3:1), so on a light background the lightest ones, such as the light green,
are faint.
"""


def linear_rgb(colour: Color) -> tuple[float, float, float]:
    """Return the linear-light sRGB channels of ``colour``, each 0 to 1."""
    channels = []
    for value in colour.get_truecolor():
        c = value / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return red, green, blue


def contrast_ratio(first: Color, second: Color) -> float:
    """Return the WCAG 2.1 contrast ratio of two colours, from 1 to 21."""
    luminances = []
    for colour in (first, second):
        red, green, blue = linear_rgb(colour)
        luminances.append(0.2126 * red + 0.7152 * green + 0.0722 * blue)
    lighter, darker = max(luminances), min(luminances)
    return (lighter + 0.05) / (darker + 0.05)


OTHER_COLOUR = "#a8a8a8"
"""A grey for the "other endpoints" share, unlike any endpoint colour."""

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


def colour_disabled() -> bool:
    """Return whether ``NO_COLOR`` is set, by the rule that Textual 8.2 uses.

    Textual's ``App`` turns on its monochrome filter when ``NO_COLOR`` is in
    the environment, even with an empty value, although no-color.org counts
    only non-empty values. The palette follows Textual, because that filter
    would otherwise turn some endpoint colours into dark greys.
    """
    return "NO_COLOR" in os.environ


@dataclass(frozen=True)
class EndpointStyle:
    """The colour and glyph that mark one endpoint in charts and legends."""

    colour: str
    """A true colour as ``#rrggbb``."""
    glyph: str

    @property
    def style(self) -> Style:
        """The Rich style of the endpoint's swatches and boxes.

        The foreground is the endpoint's colour, or the terminal's default
        foreground when :func:`colour_disabled`. Textual 8.2 draws that default
        as the foreground of its ANSI theme, or leaves it to the terminal when
        the app runs with ``ansi_color=True``.
        """
        if colour_disabled():
            return Style(color="default")
        return Style(color=Color.parse(self.colour))

    @property
    def plotext_colour(self) -> tuple[int, int, int] | str:
        """The colour for plotext: an RGB triple, or ``"default"`` for no colour.

        plotext 5.3 writes no SGR code for ``"default"``, so those cells get
        the widget's own text colour.
        """
        if colour_disabled():
            return "default"
        triplet = Color.parse(self.colour).get_truecolor()
        return (triplet.red, triplet.green, triplet.blue)

    def swatch(self, width: int = 2) -> Text:
        """Return the glyph repeated ``width`` times, in the endpoint's colour."""
        return Text(self.glyph * width, style=self.style)


OTHER_STYLE = EndpointStyle(colour=OTHER_COLOUR, glyph="·")
"""The style of the "other endpoints" share when a chart folds small endpoints."""


def endpoint_style(endpoint_id: int) -> EndpointStyle:
    """Return the colour and glyph of the endpoint with id ``endpoint_id``."""
    index = endpoint_id - 1
    return EndpointStyle(
        colour=COLOURS[index % len(COLOURS)],
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
