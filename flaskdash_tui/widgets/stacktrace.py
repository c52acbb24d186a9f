"""The trace pane: a stack trace beside the facts stored with it.

Frames come from the database, never from the source files, so the pane shows
the code as it was when the trace was taken. Every string in a trace is data
from the monitored app: it goes through :func:`flaskdash_tui.text.clean` and
into Rich ``Text`` or ``Syntax``, so markup stays visible as text and control
characters are shown as ``\\xNN`` escapes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from rich.console import Group, RenderableType
from rich.styled import Styled
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from flaskdash_tui.queries.faults import ExceptionDetail, OutlierDetail
from flaskdash_tui.queries.frames import Frame, FrameKind, short_path
from flaskdash_tui.text import clean
from flaskdash_tui.widgets.counts import count_text

MAX_CODE_CHARS = 500
"""Characters of one source line that the pane shows; copy or save the trace
for the rest. A minified or generated line can run to many thousands."""

FRAME_LABELS = {
    FrameKind.APP: "▶ app",
    FrameKind.LIBRARY: "  lib",
    FrameKind.STDLIB: "  std",
}
"""Labels in front of each frame, so the kind does not depend on colour."""

Section = tuple[str, Sequence[tuple[str, str]]]
"""A titled list of label and value pairs in the facts pane."""


def _literal(value: object, style: str = "") -> Text:
    return Text(clean(value, single_line=True), style=style, overflow="fold")


def render_frame(frame: Frame, syntax_theme: str) -> RenderableType:
    """Render one frame: its function and place, then its source line highlighted.

    A label in front of each frame states its kind, bold for the app's own
    frames and dim, with a dim path, for library and stdlib frames. Library
    paths are shortened to the part from the package folder on.
    """
    is_app = frame.kind is FrameKind.APP
    # The function comes first, so that a long path wraps onto a line of
    # its own instead of parting the label from the function name.
    header = Text(overflow="fold")
    header.append(FRAME_LABELS[frame.kind] + " ", style="bold" if is_app else "dim")
    header.append(clean(frame.function, single_line=True), style="bold italic")
    header.append("  ")
    # Library paths start at the package; the copied text keeps them whole.
    path = frame.file if is_app else short_path(frame.file)
    header.append(clean(path, single_line=True), style="" if is_app else "dim")
    if frame.line is not None:
        header.append(f":{frame.line}", style="" if is_app else "dim")
    parts: list[RenderableType] = [header]
    code = clean(frame.code, single_line=True).strip()
    if code:
        hidden = len(code) - MAX_CODE_CHARS
        syntax = Syntax(
            code[:MAX_CODE_CHARS],
            "python",
            theme=syntax_theme,
            line_numbers=frame.line is not None,
            start_line=frame.line or 1,
            word_wrap=True,
            background_color="default",
            padding=(0, 0, 0, 4),
        )
        parts.append(syntax if is_app else Styled(syntax, "dim"))
        if hidden > 0:
            parts.append(
                Text(
                    f"    … {count_text(hidden, 'more character')} not shown;"
                    " copy or save the trace for the whole line",
                    style="dim italic",
                )
            )
    return Group(*parts)


NO_FRAMES = "No frames were stored for this trace."
NO_SAMPLE = "No stack was sampled: the request ended before the watchdog saw it."
"""Shown for an outlier that capture stored without a stack."""


def render_frames(
    frames: Sequence[Frame],
    heading: Text,
    footer: Text | None,
    syntax_theme: str,
    empty: str = NO_FRAMES,
) -> RenderableType:
    """Render a whole trace, outermost frame first as Python prints it.

    Args:
        frames: The frames, outermost first.
        heading: The first line.
        footer: The last line, such as the exception and its message.
        syntax_theme: A Pygments theme name for the source lines.
        empty: What to show in place of frames when there are none.
    """
    parts: list[RenderableType] = [heading]
    if not frames:
        parts.append(Text(empty, style="dim"))
    parts.extend(render_frame(frame, syntax_theme) for frame in frames)
    if footer is not None:
        parts.append(footer)
    return Group(*parts)


def render_sections(sections: Iterable[Section]) -> RenderableType:
    """Render titled label and value pairs, each value shown literally."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(style="dim", no_wrap=True, max_width=16)
    table.add_column(ratio=1, overflow="fold")
    for title, pairs in sections:
        if table.row_count:
            table.add_row("", "")
        table.add_row(Text(title, style="bold"), "")
        if not pairs:
            table.add_row("", Text("none stored", style="dim"))
        for label, value in pairs:
            table.add_row(_literal(label), _literal(value))
    return table


def format_time(timestamp: float, timezone: dt.tzinfo) -> str:
    """Return a UNIX time as local date and time, to the second."""
    return f"{dt.datetime.fromtimestamp(timestamp, timezone):%Y-%m-%d %H:%M:%S}"


def format_bytes(size: int | None) -> str:
    """Return a byte count in MiB, or ``unknown``."""
    return "unknown" if size is None else f"{size / 2**20:,.1f} MiB"


def _optional(value: float | None, unit: str) -> str:
    return "unknown" if value is None else f"{value:,.1f}{unit}"


def outlier_sections(detail: OutlierDetail, timezone: dt.tzinfo) -> list[Section]:
    """Return the facts of an outlier: request, process and request data."""
    summary = detail.summary
    average = f"{summary.average:,.0f} ms"
    if summary.ratio is not None:
        average += f", took {summary.ratio:,.1f}x"
    return [
        (
            "Request",
            [
                ("time", format_time(summary.time, timezone)),
                ("endpoint", detail.endpoint),
                ("method", summary.method),
                ("URL", detail.url),
                ("status", str(summary.status)),
                ("duration", f"{summary.duration:,.0f} ms"),
                ("average", average),
                ("version", summary.version),
                ("user", summary.group),
            ],
        ),
        (
            "Process",
            [
                ("CPU", _optional(detail.cpu_percent, " %")),
                ("memory", format_bytes(detail.memory)),
                ("load", _optional(detail.load_average, "")),
            ],
        ),
        ("Headers", detail.headers),
        ("Arguments", detail.arguments),
    ]


def exception_sections(detail: ExceptionDetail, timezone: dt.tzinfo) -> list[Section]:
    """Return the facts of an exception: the exception and its request."""
    return [
        ("Exception", [("type", detail.type), ("message", detail.message)]),
        (
            "Request",
            [
                ("time", format_time(detail.time, timezone)),
                ("endpoint", detail.endpoint),
                ("method", detail.method),
                ("status", str(detail.status)),
                ("version", detail.version),
                ("user", detail.group),
            ],
        ),
    ]


class TraceText(Static):
    """The rendered frames, which scroll their StackTrace to the end on resize."""

    def on_resize(self) -> None:
        """Keep the end of the trace in view after a new layout."""
        parent = self.parent
        if isinstance(parent, StackTrace):
            parent.follow_end()


class StackTrace(VerticalScroll, can_focus=True):
    """A scrollable stack trace, outermost frame first and shown from its end."""

    def __init__(self) -> None:
        """Create an empty trace."""
        super().__init__()
        self._at_end = False

    def compose(self) -> ComposeResult:
        """Compose the Static widget that displays the rendered frames."""
        yield TraceText(id="frames")

    def show(
        self,
        frames: Sequence[Frame],
        heading: Text,
        footer: Text | None = None,
        empty: str = NO_FRAMES,
    ) -> None:
        """Replace the trace shown, and scroll to its end.

        The end shows the innermost frames, where the request was running or
        raised, and the exception line; the outer frames are a scroll away.
        """
        theme = "monokai" if self.app.current_theme.dark else "default"
        rendered = render_frames(frames, heading, footer, theme, empty)
        self.query_one("#frames", Static).update(rendered)
        # The height of the new trace is known only after the next layout,
        # which resizes the text and calls follow_end again.
        self._at_end = True
        self.follow_end()

    def show_text(self, text: Text) -> None:
        """Replace the trace shown by a line of text, such as why none is selected."""
        self._at_end = False
        self.query_one("#frames", Static).update(text)
        self.scroll_home(animate=False, immediate=True)

    def follow_end(self) -> None:
        """Scroll to the end if the trace shown was meant to open there."""
        if self._at_end:
            self.scroll_end(animate=False, immediate=True)
            # The scroll range itself may grow in the same layout, once the
            # scrollbar takes its column and the lines wrap again.
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)


class TraceFacts(VerticalScroll, can_focus=True):
    """A scrollable list of the facts stored with a trace."""

    def compose(self) -> ComposeResult:
        """Compose the Static widget that displays the rendered facts."""
        yield Static(id="facts")

    def __init__(self, hint: str = "") -> None:
        """Create an empty list of facts.

        Args:
            hint: A line above the facts, such as the keys that act on them.
        """
        super().__init__()
        self.hint = hint

    def show(self, sections: Iterable[Section]) -> None:
        """Replace the facts shown, and scroll back to their top."""
        rendered = render_sections(sections)
        if self.hint:
            rendered = Group(Text(self.hint, style="dim italic"), rendered)
        self.query_one("#facts", Static).update(rendered)
        self.scroll_home(animate=False, immediate=True)


class TracePane(Horizontal):
    """A stack trace with the facts stored with it beside it."""

    DEFAULT_CSS = """
    TracePane {
        height: 1fr;
    }
    TracePane StackTrace {
        width: 3fr;
        border-right: vkey $foreground 20%;
    }
    TracePane TraceFacts {
        width: 2fr;
        min-width: 24;
        padding: 0 0 0 1;
    }
    """

    def __init__(self, hint: str = "") -> None:
        """Create the pane.

        Args:
            hint: A line above the facts, such as the keys that act on the
                trace where the footer has no room for them.
        """
        super().__init__()
        self.hint = hint

    def compose(self) -> ComposeResult:
        """Compose the trace and the facts side by side."""
        yield StackTrace()
        yield TraceFacts(self.hint)

    def show_outlier(self, detail: OutlierDetail, timezone: dt.tzinfo) -> None:
        """Show the stack of a slow request, sampled while it was still running."""
        heading = Text(
            "Stack while the request was slow (most recent call last):", style="bold"
        )
        # Capture stores no stack when the request ended before its
        # watchdog looked, but it still stores the request's details.
        self.query_one(StackTrace).show(detail.frames, heading, empty=NO_SAMPLE)
        self.query_one(TraceFacts).show(outlier_sections(detail, timezone))

    def show_exception(self, detail: ExceptionDetail, timezone: dt.tzinfo) -> None:
        """Show the traceback of an exception, ending with its type and message."""
        heading = Text("Traceback (most recent call last):", style="bold")
        footer = Text(overflow="fold")
        footer.append(clean(detail.type, single_line=True), style="bold")
        if detail.message:
            footer.append(": " + clean(detail.message))
        self.query_one(StackTrace).show(detail.frames, heading, footer)
        self.query_one(TraceFacts).show(exception_sections(detail, timezone))

    def show_message(self, message: str) -> None:
        """Show a message of ours in place of a trace, such as why none is shown."""
        self.query_one(StackTrace).show_text(Text(message, style="dim"))
        self.query_one(TraceFacts).show([])
