"""Counts written out with their noun, singular for exactly one."""

from __future__ import annotations


def count_text(count: int, noun: str, plural: str | None = None) -> str:
    """Return ``count`` with thousands separators and ``noun`` in the right number.

    Args:
        count: How many there are.
        noun: The singular noun, such as ``"request"``.
        plural: The plural when it is not ``noun`` plus ``s``.

    Returns:
        For example ``"1 request"``, ``"0 requests"`` or ``"1,250 requests"``.
    """
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {plural or noun + 's'}"
