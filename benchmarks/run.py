"""Run capture's speed benchmarks one after the other.

From the repository root, in the environment that has the comparison
packages (see benchmarks/README.md)::

    python -m benchmarks.run [--quick] [--only overhead throughput writer]
    python -m benchmarks.run --only instructions

Each benchmark prints its own table; see the modules for what they measure.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version

from benchmarks import instructions, overhead, throughput, writer

BENCHMARKS: dict[str, Callable[[Sequence[str]], int]] = {
    "overhead": overhead.main,
    "throughput": throughput.main,
    "writer": writer.main,
    "instructions": instructions.main,
}
BUSY_LOAD = 0.5
"""A 1-minute load average from this value up means other processes ran, so
elapsed and CPU times are not comparable to the targets (counted
instructions still are)."""
DEFAULT = ["overhead", "throughput", "writer"]
"""The benchmarks run without --only. The instruction count needs valgrind
and takes about 2 minutes on 2 cores."""


def describe_machine() -> str:
    """Return one line naming the interpreter, libraries, CPUs and current load."""
    return (
        f"Python {platform.python_version()}, Flask {version('flask')}, "
        f"peewee {version('peewee')}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()}, "
        f"load average {os.getloadavg()[0]:.2f} at the start"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected benchmarks and return the first non-zero status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer and shorter rounds (~2 min)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(BENCHMARKS),
        default=DEFAULT,
        help="benchmarks to run (default: overhead throughput writer)",
    )
    arguments = parser.parse_args(argv)
    print(describe_machine(), flush=True)
    warn_if_busy()
    for name in arguments.only:
        print(f"\n== {name}", flush=True)
        start = time.perf_counter()
        quick = arguments.quick and name != "instructions"
        status = BENCHMARKS[name](["--quick"] if quick else [])
        print(f"({name} took {time.perf_counter() - start:.0f} s)", flush=True)
        if status != 0:
            return status
    # The benchmarks load the machine themselves, so only the start warns.
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end", flush=True)
    return 0


def warn_if_busy() -> None:
    """Print a warning when other processes load the machine at the start."""
    load = os.getloadavg()[0]
    if load >= BUSY_LOAD:
        print(
            f"warning: load average {load:.2f} at the start (busy from "
            f"{BUSY_LOAD}): other processes share the CPUs, so times vary by "
            "more than the targets; rerun on an idle machine",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
