"""Stack frames and request details for outliers and exceptions, bounded and
with secrets redacted before anything is stored."""

from __future__ import annotations

import dataclasses
import json
import linecache
import re
import traceback
from collections.abc import Iterable, Mapping
from types import FrameType, TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode

MAX_FRAMES = 100
"""Frames kept per trace; the innermost ones, where the time is spent."""
MAX_VALUE = 2000
"""Characters kept per header, argument, message or source line."""
MAX_ITEMS = 100
"""Headers or arguments kept per request."""
REDACTED = "[redacted]"

_SECRET_HEADERS = frozenset(
    ("authorization", "proxy-authorization", "cookie", "set-cookie")
)
_SECRET_NAME = re.compile(r"passw|pwd|token|secret|key|session|auth|csrf", re.I)

RawFrame = tuple[str, int, str]
"""(file, line, function) of one frame, taken while the code runs."""


def bound(text: str, limit: int = MAX_VALUE) -> str:
    """Cut ``text`` to ``limit`` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


_CONTROL_CHARACTERS = {
    code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))
}
BIDI_CODES: tuple[int, ...] = (
    0x061C,
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
)
"""The Unicode bidirectional formatting characters (ALM, LRM, RLM, the
embeddings, overrides and isolates), which make terminals with bidi support
reorder the rest of the line. The TUI escapes the same characters."""
_BIDI_CHARACTERS = {code: f"\\u{code:04x}" for code in BIDI_CODES}
_ESCAPES = _CONTROL_CHARACTERS | _BIDI_CHARACTERS


def printable(text: str) -> str:
    """Return ``text`` with control characters written as ``\\xNN`` escapes.

    Bidirectional formatting characters such as U+202E become ``\\uNNNN``.

    For log messages that quote the app's own exceptions: a raw escape
    sequence in a log file would act on the terminal that shows it.
    """
    return text.translate(_ESCAPES)


def stack_frames(frame: FrameType | None) -> list[RawFrame]:
    """Return the frames of a running stack, outermost first, innermost kept."""
    frames: list[RawFrame] = []
    while frame is not None:
        code = frame.f_code
        frames.append((code.co_filename, frame.f_lineno or 0, code.co_name))
        frame = frame.f_back
    frames.reverse()
    return frames[-MAX_FRAMES:]


def traceback_frames(tb: TracebackType | None, skip: int = 0) -> list[RawFrame]:
    """Return the frames of a traceback, outermost first, without ``skip`` first."""
    summary = traceback.extract_tb(tb, limit=None)
    frames = [(item.filename, item.lineno or 0, item.name) for item in summary[skip:]]
    return frames[-MAX_FRAMES:]


def frames_json(frames: Iterable[RawFrame]) -> str:
    """Encode frames as the stored JSON list, with each frame's source line."""
    encoded = [
        {
            "file": bound(file),
            "line": line,
            "function": bound(function),
            "code": bound(linecache.getline(file, line).strip()),
        }
        for file, line, function in frames
    ]
    return json.dumps(encoded)


def _is_secret(name: str) -> bool:
    return name.lower() in _SECRET_HEADERS or bool(_SECRET_NAME.search(name))


def redact(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return name-value pairs as a bounded dict, with secret values redacted.

    Repeated names are joined with ", ". Secret names are the Authorization,
    Proxy-Authorization, Cookie and Set-Cookie headers and any name that
    contains password, pwd, token, secret, key, session, auth or csrf.
    """
    result: dict[str, str] = {}
    for name, value in pairs:
        name = bound(str(name), 200)
        if name not in result and len(result) >= MAX_ITEMS:
            continue
        text = REDACTED if _is_secret(name) else bound(str(value))
        result[name] = text if name not in result else result[name] + ", " + text
    return result


def environ_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the HTTP headers of a WSGI environ as (name, value) pairs."""
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").title()
        else:
            continue
        headers.append((name, str(value)))
    return headers


def environ_url(environ: Mapping[str, Any]) -> str:
    """Return the request URL of a WSGI environ, bounded, with secrets redacted."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    path = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
    query = environ.get("QUERY_STRING", "")
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(name, REDACTED if _is_secret(name) else value) for name, value in pairs]
        )
    url = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    return bound(url, 4000)


def request_arguments(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return query arguments, and form fields if the app already parsed them.

    The form is read only from the request object's cache, because parsing
    it here would consume the input stream that the view reads.
    """
    pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    request = environ.get("werkzeug.request")
    form = getattr(request, "__dict__", {}).get("form")
    if form is not None:
        pairs.extend(form.items(multi=True))
    return pairs


def outlier_details(environ: Mapping[str, Any]) -> tuple[str, str, str]:
    """Return the URL and the redacted JSON headers and arguments of a request."""
    headers = json.dumps(redact(environ_headers(environ)))
    arguments = json.dumps(redact(request_arguments(environ)))
    return environ_url(environ), headers, arguments


@dataclasses.dataclass(frozen=True)
class OutlierSample:
    """Data that the watchdog collected while a slow request was still running."""

    average: float
    """The endpoint's running average in ms when the request was flagged."""
    frames: list[RawFrame]
    cpu_percent: float | None
    memory: int | None
    load_average: float | None
    url: str
    headers: str
    arguments: str


def late_sample(environ: Mapping[str, Any], average: float) -> OutlierSample:
    """Return the sample of an outlier that ended before the watchdog saw it.

    It has the request's details but no stack, CPU, memory or load, because
    those describe the running request and it has ended.
    """
    url, headers, arguments = outlier_details(environ)
    return OutlierSample(
        average=average,
        frames=[],
        cpu_percent=None,
        memory=None,
        load_average=None,
        url=url,
        headers=headers,
        arguments=arguments,
    )
