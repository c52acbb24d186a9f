"""The Flask extension: bind an app, flush, close; exit, SIGTERM and fork handling."""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
import time
import types
from typing import Any

import flask

from capture.options import resolve_options
from capture.recorder import Recorder, WrappingViews
from capture.version import read_version
from capture.watchdog import WATCHDOG
from capture.writer import Writer

logger = logging.getLogger(__name__)

EXTENSION_NAME = "flaskdash"
"""Key of the bound :class:`Capture` in ``app.extensions``."""
EXIT_FLUSH_TIMEOUT = 5.0
"""Seconds that interpreter exit and SIGTERM wait for queued measurements."""


class _Binding:
    """One bound app: its recorder and writer."""

    def __init__(self, app: flask.Flask, recorder: Recorder, writer: Writer) -> None:
        self.app = app
        self.recorder = recorder
        self.writer = writer

    def start(self) -> None:
        self.writer.start()
        WATCHDOG.add(self.recorder)

    def flush(self, deadline: float) -> bool:
        if not self.writer.thread.is_alive():
            return not self.recorder.buffer
        marker = threading.Event()
        self.recorder.buffer.append(marker)
        self.writer.wake()
        return marker.wait(max(0.0, deadline - time.monotonic()))

    def stop(self, deadline: float) -> None:
        WATCHDOG.remove(self.recorder)
        self.writer.stop(max(0.0, deadline - time.monotonic()))
        self.recorder.stop_recording()

    def restart_after_fork(self) -> None:
        self.recorder.reset_after_fork()
        # Keep the parent's writer referenced: collecting it could close the
        # parent's SQLite connection from the child.
        _PARENT_WRITERS.append(self.writer)
        self.writer = Writer(self.recorder, self.app, self.writer.version)
        self.writer.start()


class Capture:
    """Monitor Flask apps: time every request and store it in the database.

    Use ``Capture(app)``, or ``capture = Capture()`` and later
    ``capture.init_app(app)`` in an app factory. One instance can serve
    several apps; each app gets its own buffer and writer thread.
    """

    def __init__(self, app: flask.Flask | None = None, **options: Any) -> None:
        """Keep ``options`` for every app, and bind ``app`` when given.

        Raises:
            capture.OptionError: An option name is unknown or a value invalid.
        """
        self._options = options
        self._bindings: list[_Binding] = []
        self._closed = False
        if app is not None:
            self.init_app(app)

    def init_app(self, app: flask.Flask, **options: Any) -> None:
        """Bind ``app``: wrap its views and WSGI app and start the writer.

        ``options`` add to or replace the options given to the constructor.
        A database that cannot be opened is logged, not raised: the app runs
        and measurements wait in memory until the database works.

        Raises:
            capture.OptionError: An option name is unknown or a value invalid.
            RuntimeError: ``app`` is already bound.
        """
        if EXTENSION_NAME in app.extensions:
            raise RuntimeError(f"flaskdash capture is already bound to {app.name!r}")
        resolved = resolve_options(app, {**self._options, **options})
        version = read_version(resolved.app_version, resolved.repository, app.root_path)
        recorder = Recorder(resolved)
        app.view_functions = WrappingViews(app.view_functions, recorder)
        app.wsgi_app = recorder.middleware(app.wsgi_app)  # type: ignore[method-assign,assignment]
        flask.got_request_exception.connect(recorder.note_unhandled_exception, app)
        binding = _Binding(app, recorder, Writer(recorder, app, version))
        app.extensions[EXTENSION_NAME] = self
        self._bindings.append(binding)
        _LIVE.add(self)
        _install_process_hooks()
        binding.start()
        logger.info(
            "capture bound to %s: database %s, version %s",
            app.name,
            binding.writer.url,
            version.short or version.name,
        )

    def flush(self, timeout: float = 5.0) -> bool:
        """Block until every measurement recorded so far is stored.

        Args:
            timeout: Seconds to wait at most, for all bound apps together.

        Returns:
            True when everything was stored, False on timeout (for example
            while the database is unavailable).
        """
        deadline = time.monotonic() + timeout
        results = [binding.flush(deadline) for binding in self._bindings]
        return all(results)

    def close(self, timeout: float = EXIT_FLUSH_TIMEOUT) -> None:
        """Flush, then stop the writer threads. The apps keep serving unmonitored.

        Args:
            timeout: Seconds to wait for the flush and the threads at most.
        """
        if self._closed:
            return
        self._closed = True
        deadline = time.monotonic() + timeout
        self.flush(timeout)
        for binding in self._bindings:
            binding.stop(deadline)
        _LIVE.discard(self)

    @property
    def dropped(self) -> int:
        """Measurements dropped because the buffer was full, over all apps."""
        return sum(
            binding.writer.dropped_total + binding.recorder.dropped
            for binding in self._bindings
        )

    def _restart_after_fork(self) -> None:
        for binding in self._bindings:
            binding.restart_after_fork()


def bind(app: flask.Flask, **options: Any) -> Capture:
    """Monitor ``app``: the two-line integration, ``capture.bind(app)``.

    Args:
        app: The Flask app.
        **options: Capture options; see :mod:`capture.options` for names.

    Returns:
        The :class:`Capture` that serves ``app``; calling ``bind`` again on the
        same app returns the same one.

    Raises:
        capture.OptionError: An option name is unknown or a value invalid.
    """
    existing = app.extensions.get(EXTENSION_NAME)
    if isinstance(existing, Capture):
        logger.warning("capture is already bound to %s; ignoring bind()", app.name)
        return existing
    return Capture(app, **options)


# Process hooks --------------------------------------------------------------

_LIVE: set[Capture] = set()
_PARENT_WRITERS: list[Writer] = []
_hooks_installed = False
_previous_sigterm: Any = None


def _install_process_hooks() -> None:
    global _hooks_installed, _previous_sigterm
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_close_all)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(
            before=_before_fork,
            after_in_parent=_after_fork_in_parent,
            after_in_child=_after_fork_in_child,
        )
    if threading.current_thread() is not threading.main_thread():
        logger.debug("capture bound outside the main thread; no SIGTERM handler")
        return
    _previous_sigterm = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _on_sigterm)


def _close_all() -> None:
    for capture in list(_LIVE):
        capture.close(EXIT_FLUSH_TIMEOUT)


def _on_sigterm(signum: int, frame: types.FrameType | None) -> None:
    for capture in list(_LIVE):
        capture.flush(EXIT_FLUSH_TIMEOUT)
    previous = _previous_sigterm
    if callable(previous):
        previous(signum, frame)
    elif previous != signal.SIG_IGN:
        # The default action: terminate, as if capture had not been there.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


FORK_WAIT = 10.0
"""Seconds a fork waits for a writer to finish its current cycle."""
_paused: list[threading.Lock] = []


def _before_fork() -> None:
    for capture in list(_LIVE):
        for binding in capture._bindings:
            lock = binding.writer.cycle_lock
            if lock.acquire(timeout=FORK_WAIT):
                _paused.append(lock)
            else:
                logger.warning(
                    "forking while the capture writer of %s is busy; the child "
                    "may inherit an SQLite connection in use",
                    binding.app.name,
                )


def _after_fork_in_parent() -> None:
    while _paused:
        _paused.pop().release()


def _after_fork_in_child() -> None:
    _paused.clear()
    # Threads do not survive fork: start this process's own writer and
    # watchdog, with new connections, and leave the parent's queue to it.
    WATCHDOG.reset_after_fork()
    for capture in list(_LIVE):
        capture._restart_after_fork()
