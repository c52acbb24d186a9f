"""Stack frames as capture stores them, and which of them belong to the app.

Capture stores a stack trace as a JSON list of frames, outermost first, each
an object with ``file``, ``line``, ``function`` and ``code`` (the source line,
read when the trace was taken). This module parses that text into
:class:`Frame` values and sorts each frame into the app's own code, library
code (site-packages, Flask, werkzeug, capture itself) or the standard library.
"""

from __future__ import annotations

import enum
import importlib.util
import json
import logging
import re
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


class FrameKind(enum.Enum):
    """The origin of a frame's code: the app, a library or the stdlib."""

    APP = "app"
    LIBRARY = "library"
    STDLIB = "stdlib"


@dataclass(frozen=True)
class Frame:
    """One stack frame as stored by capture."""

    file: str
    line: int | None
    function: str
    code: str
    """The source line, as read when the trace was taken; may be empty."""
    kind: FrameKind


# Paths that belong to installed packages on any machine, whichever Python
# wrote them: pip's site-packages, Debian's dist-packages, and frozen modules.
_LIBRARY_PATTERN = re.compile(r"[/\\](site|dist)-packages[/\\]")
_STDLIB_PATTERN = re.compile(r"[/\\]lib[/\\]python\d+(\.\d+)?t?[/\\]", re.IGNORECASE)


def _package_folder(name: str) -> str | None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return None
    return str(Path(spec.origin).parent)


def _library_folders() -> tuple[str, ...]:
    # Flask and werkzeug count as libraries even when installed from a source
    # checkout outside site-packages. Capture's own wrapper frames are library
    # frames too, because the operator did not write them. These folders are
    # the ones of this interpreter, which is the app's when the TUI runs in the
    # app's environment.
    folders = [_package_folder(name) for name in ("capture", "flask", "werkzeug")]
    return tuple(folder + "/" for folder in folders if folder is not None)


def _stdlib_folders() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    folders = {paths["stdlib"], paths["platstdlib"]}
    return tuple(folder.rstrip("/") + "/" for folder in folders)


_LIBRARY_FOLDERS = _library_folders()
_STDLIB_FOLDERS = _stdlib_folders()


def classify_file(path: str) -> FrameKind:
    """Return whether a source file is app code, library code or the stdlib.

    Args:
        path: The file name as Python reported it in the frame.

    Returns:
        LIBRARY for installed packages (site-packages, dist-packages) and for
        capture, Flask and werkzeug; STDLIB for the standard library and
        frozen modules; APP for everything else.
    """
    if _LIBRARY_PATTERN.search(path) or path.startswith(_LIBRARY_FOLDERS):
        return FrameKind.LIBRARY
    if path.startswith("<frozen ") or path.startswith(_STDLIB_FOLDERS):
        return FrameKind.STDLIB
    # Another interpreter's stdlib, such as /usr/lib/python3.12/threading.py.
    # NOTE: an app installed under a lib/pythonX.Y folder outside site-packages
    # is taken for the stdlib.
    if _STDLIB_PATTERN.search(path):
        return FrameKind.STDLIB
    return FrameKind.APP


def short_path(path: str) -> str:
    """Return a library path from its package on, such as ``flask/app.py``.

    Paths outside site-packages, dist-packages and the stdlib come back whole.
    """
    for pattern in (_LIBRARY_PATTERN, _STDLIB_PATTERN):
        match = pattern.search(path)
        if match is not None:
            return path[match.end() :]
    return path


def parse_frames(stored: str | None) -> list[Frame]:
    """Parse a stored stack trace into frames, outermost first.

    Malformed text and entries that are not objects are skipped with a
    logged warning, so one damaged row never hides the rest of a view.

    Args:
        stored: The JSON text of the ``stacktrace`` or ``traceback`` column.

    Returns:
        The frames in stored order, each with its kind.
    """
    if not stored:
        return []
    try:
        entries = json.loads(stored)
    except ValueError as error:
        logger.warning("skipped a stack trace that is not valid JSON: %s", error)
        return []
    if not isinstance(entries, list):
        logger.warning("skipped a stack trace that is not a JSON list")
        return []
    frames = [_frame(entry) for entry in entries if isinstance(entry, dict)]
    if len(frames) < len(entries):
        logger.warning(
            "skipped %d stack frames that are not JSON objects",
            len(entries) - len(frames),
        )
    return frames


def _frame(entry: dict[str, object]) -> Frame:
    file = str(entry.get("file") or "")
    line = entry.get("line")
    return Frame(
        file=file,
        line=line if isinstance(line, int) and not isinstance(line, bool) else None,
        function=str(entry.get("function") or ""),
        code=str(entry.get("code") or ""),
        kind=classify_file(file),
    )


def find_origin(frames: Iterable[Frame]) -> Frame | None:
    """Return the innermost app frame, else the innermost frame, else None.

    The innermost app frame is where the app's own code raised the exception
    or was running, which is the place an operator can change.
    """
    innermost: Frame | None = None
    innermost_app: Frame | None = None
    for frame in frames:
        innermost = frame
        if frame.kind is FrameKind.APP:
            innermost_app = frame
    return innermost_app if innermost_app is not None else innermost


def parse_mapping(stored: str | None) -> list[tuple[str, str]]:
    """Parse a stored JSON object of headers or arguments into pairs.

    Values that are not strings (lists for repeated arguments, numbers) are
    kept as their JSON text. Text that is not a JSON object comes back as one
    pair named ``(unparsed)``, so the operator still sees what was stored.
    """
    if not stored:
        return []
    try:
        mapping = json.loads(stored)
    except ValueError:
        return [("(unparsed)", stored)]
    if not isinstance(mapping, dict):
        return [("(unparsed)", stored)]
    return [
        (str(key), value if isinstance(value, str) else json.dumps(value))
        for key, value in mapping.items()
    ]
