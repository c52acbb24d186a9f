"""The request path: time each request and queue one record, with no I/O.

A :class:`Recorder` belongs to one bound app. Its WSGI middleware reads the
clock at the start and puts the request's list in the in-flight table that
the watchdog scans. When Flask starts the response, the middleware notes the
endpoint of the URL rule that Flask matched. When the response is complete,
it fills in the list and appends it to an in-memory buffer that the writer
thread drains. The only lock on this path guards the drop counter, and it is
taken only when the buffer is full. The view wrapper records exceptions that
escape a view and calls the app's group-by callable inside the request
context.
"""

from __future__ import annotations

import collections
import functools
import inspect
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

import flask
from werkzeug.exceptions import HTTPException

from capture import details
from capture.options import Options

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

# One request is one list, created by the middleware and filled in as the
# request runs. A list with fixed indexes costs less to build than any object.
# The buffer gets a tuple copy of the finished list: the garbage collector
# stops tracking a tuple of plain values at its first pass, so records waiting
# for the writer add little to later collections. Slots:
START = 0  # monotonic seconds at the start
THREAD = 1  # threading.get_ident() of the request thread
ENVIRON = 2  # the WSGI environ while the request runs, then None
SAMPLE = 3  # the watchdog's outlier sample, or None
EXCEPTION = 4  # (exception, traceback or frames, frames to skip), or None
GROUP = 5  # the group-by result, or None for the client IP
STATUS = 6  # the status line passed to start_response
STREAMED = 7  # True when the body has no Content-Length
STARTED_AT = 8  # wall-clock UNIX seconds at the start
ENDPOINT = 9  # endpoint name, set at start_response, on errors or by the watchdog
DURATION = 10  # milliseconds, set when the request ends
METHOD = 11
IP = 12

_LENGTH_HEADERS = frozenset(("Content-Length", "content-length", "CONTENT-LENGTH"))
_NO_BODY_STATUSES = frozenset(("204", "304"))

WRAPPED_BY = "__flaskdash_recorder__"
"""Attribute that marks a view wrapper with the recorder that made it."""


class Recorder:
    """Capture state of one bound app: buffer, in-flight table, endpoint state.

    The writer thread owns ``monitored``, ``averages`` and ``endpoint_ids``
    and replaces them as a whole, so that readers on other threads always see
    a complete mapping.
    """

    def __init__(self, options: Options) -> None:
        """Create the empty buffer and tables for one app's options."""
        self.options = options
        self.clock = options.clock
        self.buffer: collections.deque[Any] = collections.deque()
        self.limit = options.buffer_size
        self.inflight: dict[int, list[Any]] = {}
        self.monitored: frozenset[str] = frozenset()
        self.averages: dict[str, tuple[int, float]] = {}
        """Endpoint name to (sample count, mean duration in ms)."""
        self.dropped = 0
        self._drop_lock = threading.Lock()
        self._group_errors: set[str] = set()
        self.finish = self._make_finish()
        """Complete a request's list and queue it for the writer.

        Called as ``finish(flight, status=None)``; ``status`` replaces the
        status line that ``start_response`` received."""

    def reset_after_fork(self) -> None:
        """Forget the parent's queued records and locks in a forked child."""
        # Cleared, not replaced, because the middleware keeps both objects.
        self.buffer.clear()
        self.inflight.clear()
        self.dropped = 0
        self._drop_lock = threading.Lock()

    def stop_recording(self) -> None:
        """Stop queueing records, for an app whose writer has stopped."""
        self.limit = -1
        self.buffer.clear()
        self.inflight.clear()

    def take_dropped(self) -> int:
        """Return the number of records dropped since the last call, and reset it."""
        with self._drop_lock:
            count, self.dropped = self.dropped, 0
        return count

    def _drop(self) -> None:
        with self._drop_lock:
            self.dropped += 1

    def _make_finish(self) -> Callable[..., None]:
        # A closure reads its constants faster than attribute lookups on self.
        # ``inflight`` and ``buffer`` are never replaced, only cleared.
        monotonic = self.clock.monotonic
        inflight = self.inflight
        buffer = self.buffer
        min_duration = self.options.outlier_min_duration
        recorder = self

        def finish(flight: list[Any], status: str | None = None) -> None:
            flight[DURATION] = (monotonic() - flight[START]) * 1000.0
            environ = flight[ENVIRON]
            flight[ENVIRON] = None
            thread = flight[THREAD]
            if inflight.get(thread) is flight:
                del inflight[thread]
            name = flight[ENDPOINT]
            if name is None:
                # No rule matched (404, 405, a redirect to add a slash).
                return
            flight[METHOD] = environ.get("REQUEST_METHOD", "")
            flight[IP] = environ.get("REMOTE_ADDR") or ""
            if status is not None:
                flight[STATUS] = status
            if (
                flight[DURATION] > min_duration
                and flight[SAMPLE] is None
                and name in recorder.monitored
            ):
                recorder._check_late_outlier(flight, name, environ)
            limit = recorder.limit
            if len(buffer) < limit:
                buffer.append(tuple(flight))
            elif limit >= 0:
                recorder._drop()

        return finish

    def _check_late_outlier(
        self, flight: list[Any], name: str, environ: WSGIEnvironment
    ) -> None:
        # A request that ended between two watchdog scans, or whose clock
        # jumped (a replayed history), is still an outlier, without a stack.
        stats = self.averages.get(name)
        options = self.options
        if stats is None or stats[0] < options.outlier_min_samples:
            return
        threshold = max(options.outlier_factor * stats[1], options.outlier_min_duration)
        if flight[DURATION] > threshold:
            flight[SAMPLE] = details.late_sample(environ, stats[1])

    def middleware(self, wsgi_app: WSGIApplication) -> WSGIApplication:
        """Return ``wsgi_app`` wrapped so that every request is timed."""
        monotonic = self.clock.monotonic
        now = self.clock.now
        finish = self.finish
        get_ident = threading.get_ident
        inflight = self.inflight
        length_headers = _LENGTH_HEADERS
        no_body_statuses = _NO_BODY_STATUSES

        def capture_middleware(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            thread = get_ident()
            # One literal, slots START to IP in order.
            flight = [
                monotonic(), thread, environ, None, None, None, None, False,
                now(), None, 0.0, None, None,
            ]  # fmt: skip
            inflight[thread] = flight

            def capture_start_response(
                status: str, headers: list[tuple[str, str]], exc_info: Any = None
            ) -> Callable[[bytes], object]:
                flight[STATUS] = status
                # Flask calls this before it ends the request context, so its
                # request and the rule it matched are still in the environ.
                # NOTE: when a WSGI middleware between capture and Flask
                # defers this call until the body is iterated, the request
                # context has ended, and the request is not stored.
                # From CPython 3.11 a try costs nothing unless it catches, while
                # contextlib.suppress() adds a call on every request.
                try:  # noqa: SIM105
                    flight[ENDPOINT] = environ["werkzeug.request"].url_rule.endpoint
                except (KeyError, AttributeError):
                    pass  # No rule matched (404, 405), or no Flask request.
                # NOTE: a streamed body that sets Content-Length itself is
                # timed only until Flask returns it, not until it is sent.
                for name, _value in headers:
                    if name in length_headers:
                        break
                else:
                    flight[STREAMED] = (
                        status[:3] not in no_body_statuses and status[:1] != "1"
                    )
                return start_response(status, headers, exc_info)

            try:
                body = wsgi_app(environ, capture_start_response)
            except BaseException:
                # Flask re-raises with PROPAGATE_EXCEPTIONS (testing, debug);
                # the server then sends a 500 response.
                finish(flight, "500 INTERNAL SERVER ERROR")
                raise
            if flight[STREAMED]:
                return _StreamedBody(body, finish, flight)
            finish(flight)
            return body

        return capture_middleware

    def wrap_view(self, view: Callable[..., Any]) -> Callable[..., Any]:
        """Return ``view`` wrapped to record exceptions and the request's group.

        The wrapper records an exception that escapes the view, except HTTP
        exceptions such as ``abort(404)``, which are responses. It calls the
        group-by callable inside the request context.
        """
        group_by = self.options.group_by
        assign_group = self.assign_group
        note_exception = self.note_exception

        if inspect.iscoroutinefunction(view):

            @functools.wraps(view)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                try:
                    return await view(*args, **kwargs)
                except HTTPException:
                    raise
                except Exception as error:
                    note_exception(error)
                    raise
                finally:
                    if group_by is not None:
                        assign_group(group_by)

            wrapper: Callable[..., Any] = async_wrapper
        else:

            @functools.wraps(view)
            def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
                try:
                    return view(*args, **kwargs)
                except HTTPException:
                    raise
                except Exception as error:
                    note_exception(error)
                    raise
                finally:
                    if group_by is not None:
                        assign_group(group_by)

            wrapper = sync_wrapper
        setattr(wrapper, WRAPPED_BY, self)
        return wrapper

    def assign_group(self, group_by: Callable[[Any], object]) -> None:
        """Call ``group_by`` on the current request and store a usable result."""
        flight = self.current_flight()
        if flight is None:
            return
        try:
            value = group_by(flask.request)
        except Exception as error:
            self._log_group_error(
                type(error).__qualname__,
                "group_by raised %s: %s; using the client IP as the group",
                type(error).__qualname__,
                error,
            )
            return
        if value is None:
            return
        if type(value) is str:
            text = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            text = str(value)
        else:
            self._log_group_error(
                "type " + type(value).__qualname__,
                "group_by returned a value of type %s, not a str or number; "
                "using the client IP as the group",
                type(value).__qualname__,
            )
            return
        if not text:
            self._log_group_error(
                "empty",
                "group_by returned an empty string; using the client IP as the group",
            )
            return
        flight[GROUP] = text[:255]

    def current_flight(self) -> list[Any] | None:
        """Return the list of the request in the active request context, or None."""
        if not flask.has_request_context():
            return None
        environ = flask.request.environ
        flight = self.inflight.get(threading.get_ident())
        if flight is not None and flight[ENVIRON] is environ:
            return flight
        # An async view runs on another thread than its request.
        for flight in list(self.inflight.values()):
            if flight[ENVIRON] is environ:
                return flight
        return None

    def note_exception(self, error: BaseException, skip: int = 1) -> None:
        """Record ``error`` as the current request's exception, unless it has one.

        Args:
            error: The exception.
            skip: Frames at the start of its traceback to leave out, such as
                the capture wrapper's own frame. When that would leave none,
                the stack that led to the first frame is stored instead.
        """
        flight = self.current_flight()
        if flight is None:
            return
        if flight[ENDPOINT] is None:
            # With PROPAGATE_EXCEPTIONS, Flask re-raises without calling
            # start_response, so this is the last chance to read the rule.
            # NOTE: Flask sends no signal for a BaseException such as
            # SystemExit from a view, so such a request is not stored.
            rule = flask.request.url_rule
            if rule is not None:
                flight[ENDPOINT] = rule.endpoint
        if flight[EXCEPTION] is None:
            # The traceback as it is here starts at the current frame; Flask
            # prepends its own frames as the exception travels on.
            tb = error.__traceback__
            if skip and tb is not None and _depth(tb) <= skip:
                # Skipping would leave no frames, so keep the stack instead.
                flight[EXCEPTION] = (error, _caller_frames(tb), 0)
            else:
                flight[EXCEPTION] = (error, tb, skip)

    def note_unhandled_exception(
        self, sender: object, exception: BaseException, **extra: object
    ) -> None:
        """Record an exception that Flask turns into a 500 response.

        Receives Flask's ``got_request_exception`` signal, which also covers
        exceptions raised outside the view, such as in ``before_request``
        functions. An exception that the view wrapper recorded is kept as it
        is.
        """
        self.note_exception(exception, skip=0)

    def _log_group_error(self, kind: str, message: str, *args: object) -> None:
        if kind in self._group_errors:
            return
        self._group_errors.add(kind)
        safe = [details.printable(str(arg)) for arg in args]
        logger.error(message + " (logged once per kind)", *safe)


def endpoint_rule(environ: WSGIEnvironment) -> Any:
    """Return the URL rule that Flask matched for ``environ``, or None.

    Flask's request object stores itself in the environ while the request
    context is active, and it keeps the matched rule after a
    ``before_request`` function responded.
    """
    return getattr(environ.get("werkzeug.request"), "url_rule", None)


class _StreamedBody:
    """A response body that completes its request's record when closed."""

    __slots__ = ("_body", "_finish", "_flight")

    def __init__(
        self,
        body: Iterable[bytes],
        finish: Callable[[list[Any]], None],
        flight: list[Any],
    ) -> None:
        self._flight: list[Any] | None
        self._body = body
        self._finish = finish
        self._flight = flight

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            flight, self._flight = self._flight, None
            if flight is not None:
                self._finish(flight)


class WrappingViews(dict):  # type: ignore[type-arg]
    """``app.view_functions`` that wraps every view once, also views added later.

    Flask's ``add_url_rule`` compares ``view_functions.get(endpoint)`` with
    the new view before it stores it, so ``get`` returns the unwrapped view.
    Storing the same view again keeps the existing wrapper.
    """

    def __init__(self, views: dict[str, Any], recorder: Recorder) -> None:
        """Wrap the existing ``views`` for ``recorder``."""
        super().__init__()
        self._recorder = recorder
        for endpoint, view in views.items():
            self[endpoint] = view

    def __setitem__(self, endpoint: str, view: Any) -> None:
        if getattr(view, WRAPPED_BY, None) is not self._recorder:
            current = dict.get(self, endpoint)
            if current is not None and getattr(current, "__wrapped__", None) is view:
                return
            view = self._recorder.wrap_view(view)
        super().__setitem__(endpoint, view)

    def get(self, endpoint: str, default: Any = None) -> Any:
        view = dict.get(self, endpoint, default)
        if getattr(view, WRAPPED_BY, None) is self._recorder:
            return view.__wrapped__
        return view

    def update(self, *args: Any, **kwargs: Any) -> None:
        for endpoint, view in dict(*args, **kwargs).items():
            self[endpoint] = view

    def setdefault(self, endpoint: str, default: Any = None) -> Any:
        if endpoint not in self:
            self[endpoint] = default
        return self[endpoint]


def _depth(tb: TracebackType) -> int:
    depth = 0
    current: TracebackType | None = tb
    while current is not None:
        depth += 1
        current = current.tb_next
    return depth


def _caller_frames(tb: TracebackType) -> list[details.RawFrame]:
    """Return the stack down to the frame where ``tb`` starts, outermost first.

    When the call to the view raises, for example because the view does not
    accept its URL argument, the traceback contains only the wrapper's frame.
    The frames that called the wrapper, such as Flask's ``dispatch_request``,
    then show where the error came from. They are read while the request runs,
    so that their line numbers still point at the calls that led to the error.
    """
    frames = details.stack_frames(tb.tb_frame)
    if frames:
        file, _line, function = frames[-1]
        frames[-1] = (file, tb.tb_lineno, function)
    return frames
