"""The clocks that capture reads, replaceable for replaying history."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """A source of wall-clock and monotonic time."""

    def now(self) -> float:
        """Return the wall-clock time as UNIX seconds in UTC."""
        ...

    def monotonic(self) -> float:
        """Return seconds from a monotonic clock with sub-millisecond resolution."""
        ...


class SystemClock:
    """The real clocks: ``time.time`` and ``time.perf_counter``."""

    now = staticmethod(time.time)
    monotonic = staticmethod(time.perf_counter)


SYSTEM_CLOCK = SystemClock()
