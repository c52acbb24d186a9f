"""A horizontal value axis in terminal cells: linear or logarithmic, with ticks."""

from __future__ import annotations

import math
from dataclasses import dataclass

LOG_FLOOR_MS = 0.01
"""The smallest value a logarithmic axis shows; smaller values sit at its left end."""


@dataclass(frozen=True)
class Axis:
    """Maps milliseconds to the columns ``0 .. width - 1`` of a plot."""

    low: float
    high: float
    width: int
    log: bool = False

    @classmethod
    def spanning(cls, low: float, high: float, width: int, *, log: bool) -> Axis:
        """Build an axis that shows ``low`` to ``high`` with some room at the ends.

        A linear axis starts at 0 and ends at a round number above ``high``. A
        logarithmic axis runs from the power of ten at or below ``low`` to the
        one at or above ``high``.
        """
        width = max(width, 1)
        if log:
            low = max(low, LOG_FLOOR_MS)
            high = max(high, low)
            low_exponent = math.floor(math.log10(low))
            high_exponent = math.ceil(math.log10(high))
            if high_exponent <= low_exponent:
                high_exponent = low_exponent + 1
            return cls(10.0**low_exponent, 10.0**high_exponent, width, log=True)
        # All durations 0 (a clock that stood still) still get a readable axis.
        top = _nice_ceiling(max(high, LOG_FLOOR_MS))
        return cls(0.0, top, width, log=False)

    def fraction(self, value: float) -> float:
        """Return where ``value`` lies, 0.0 at the left end and 1.0 at the right."""
        if self.log:
            value = max(value, self.low)
            span = math.log10(self.high) - math.log10(self.low)
            result = (math.log10(value) - math.log10(self.low)) / span
        else:
            result = (value - self.low) / (self.high - self.low)
        return min(max(result, 0.0), 1.0)

    def position(self, value: float) -> tuple[int, bool]:
        """Return the column of ``value`` and whether it lies in the right half."""
        cells = self.fraction(value) * self.width
        column = min(int(cells), self.width - 1)
        right_half = cells - column >= 0.5 or cells >= self.width
        return column, right_half

    def column(self, value: float) -> int:
        """Return the column of ``value``."""
        return self.position(value)[0]

    def ticks(self, max_count: int) -> list[float]:
        """Return at most ``max_count`` round values for tick marks, ascending."""
        max_count = max(max_count, 2)
        if self.log:
            return self._log_ticks(max_count)
        step = _nice_step((self.high - self.low) / (max_count - 1))
        count = math.floor((self.high - self.low) / step + 1e-9) + 1
        return [self.low + step * index for index in range(count)]

    def _log_ticks(self, max_count: int) -> list[float]:
        low = round(math.log10(self.low))
        high = round(math.log10(self.high))
        decades = [10.0**exponent for exponent in range(low, high + 1)]
        with_steps = [value * factor for value in decades for factor in (1, 2, 5)]
        within = [value for value in with_steps if value <= self.high * (1 + 1e-9)]
        if len(within) <= max_count:
            return within
        stride = math.ceil(len(decades) / max_count)
        return decades[::stride]


def format_ms(value: float) -> str:
    """Format milliseconds for a tick label: ``0``, ``2.5``, ``750``, ``12k``."""
    if value >= 1000:
        thousands = value / 1000
        return f"{thousands:.0f}k" if thousands >= 10 else f"{thousands:g}k"
    if value >= 10 or value == 0:
        return f"{value:.0f}"
    return f"{value:.3g}"


def _nice_step(raw: float) -> float:
    """Return the smallest of 1, 2 or 5 times a power of ten at or above ``raw``."""
    exponent = math.floor(math.log10(raw))
    base = 10.0**exponent
    for factor in (1, 2, 5, 10):
        if factor * base >= raw * (1 - 1e-9):
            return factor * base
    return 10 * base


def _nice_ceiling(value: float) -> float:
    """Return the smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value``."""
    exponent = math.floor(math.log10(value))
    base = 10.0**exponent
    for factor in (1, 2, 2.5, 5, 10):
        if factor * base >= value * (1 - 1e-9):
            return factor * base
    return 10 * base
