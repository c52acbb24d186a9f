"""Copying a trace to the clipboard and saving it to a file.

Copying uses Textual's ``App.copy_to_clipboard``, which writes the OSC 52
escape sequence, so the text reaches the clipboard of the operator's own
terminal even over SSH. Terminals that ignore OSC 52 (macOS Terminal, tmux
without ``set-clipboard on``) copy nothing, which is why a trace can also be
saved to a file.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

from textual.app import App

from flaskdash_tui.queries.faults import ExceptionDetail, OutlierDetail
from flaskdash_tui.queries.frames import Frame
from flaskdash_tui.text import clean
from flaskdash_tui.widgets.stacktrace import (
    FRAME_LABELS,
    NO_SAMPLE,
    Section,
    exception_sections,
    outlier_sections,
)

logger = logging.getLogger(__name__)


def _frame_lines(frames: Sequence[Frame]) -> list[str]:
    lines: list[str] = []
    for frame in frames:
        line = "?" if frame.line is None else str(frame.line)
        lines.append(
            f"{FRAME_LABELS[frame.kind]} File "
            f'"{clean(frame.file, single_line=True)}", line {line}, '
            f"in {clean(frame.function, single_line=True)}"
        )
        code = clean(frame.code, single_line=True).strip()
        if code:
            lines.append(f"        {code}")
    return lines


def _section_lines(sections: Sequence[Section]) -> list[str]:
    lines: list[str] = []
    for title, pairs in sections:
        lines.append("")
        lines.append(f"{title}:")
        for label, value in pairs:
            lines.append(
                f"  {clean(label, single_line=True)}: {clean(value, single_line=True)}"
            )
    return lines


def outlier_text(detail: OutlierDetail, timezone: dt.tzinfo) -> str:
    """Format an outlier's stack and facts as plain text, every line whole.

    Control characters in stored strings become ``\\xNN`` escapes, so pasting
    the text into a terminal cannot run escape sequences.
    """
    lines = [
        f"Outlier: request {detail.summary.request_id} to "
        f"{clean(detail.endpoint, single_line=True)}",
        "Stack while the request was slow (most recent call last):",
        *(_frame_lines(detail.frames) or [NO_SAMPLE]),
        *_section_lines(outlier_sections(detail, timezone)),
    ]
    return "\n".join(lines) + "\n"


def exception_text(detail: ExceptionDetail, timezone: dt.tzinfo) -> str:
    """Format an exception's traceback and facts as plain text, every line whole.

    Control characters in stored strings become ``\\xNN`` escapes, like in
    :func:`outlier_text`.
    """
    summary = clean(detail.type, single_line=True)
    if detail.message:
        summary += ": " + clean(detail.message)
    lines = [
        f"Exception {detail.id} in request {detail.request_id} to "
        f"{clean(detail.endpoint, single_line=True)}",
        "Traceback (most recent call last):",
        *_frame_lines(detail.frames),
        summary,
        *_section_lines(exception_sections(detail, timezone)),
    ]
    return "\n".join(lines) + "\n"


def copy_text(app: App[object], text: str) -> None:
    """Send text to the terminal's clipboard with OSC 52."""
    # NOTE: some terminals drop OSC 52 payloads above a size limit of their
    # own, and the terminal reports no failure back.
    app.copy_to_clipboard(text)


def save_text(text: str, name: str, folder: Path | None = None) -> Path:
    """Write text to a file and return its absolute path.

    Args:
        text: The text to write, as UTF-8.
        name: The file name, such as ``flaskdash-outlier-12.txt``. A file of
            that name is overwritten.
        folder: Where to write; the current folder when None. When the
            current folder is not writable, the file goes to the system's
            temporary folder.

    Raises:
        OSError: The file could not be written.
    """
    candidates = [folder] if folder is not None else [Path.cwd()]
    if folder is None:
        candidates.append(Path(tempfile.gettempdir()))
    error: OSError | None = None
    for candidate in candidates:
        path = (candidate / name).absolute()
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as failure:
            logger.warning("saving a trace to %s failed: %s", path, failure)
            error = failure
            continue
        return path
    assert error is not None
    raise error
