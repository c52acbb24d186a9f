"""Send bounded HTTP load to a server on this machine and count the responses.

Two load generators return the same :class:`LoadResult`:

- :func:`wrk_load` runs ``wrk`` (Debian package ``wrk``), written in C.
  Seen on a 2-core VM, it used about a third of one core at 3,000 requests
  per second, and so leaves most of the CPU to the server.
- :func:`python_load` uses threads with ``http.client``, for machines without
  wrk. The server then shares the cores with a Python client, so its figures
  are not comparable with wrk's, only with each other.

Both raise ValueError for any host but a loopback address, and both stop
after ``duration`` seconds.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass


@dataclass
class LoadResult:
    """Response and error counts of one load run."""

    responses: int
    """Complete responses with status 200."""
    errors: int
    """Failed connections, timeouts and responses with another status."""
    seconds: float

    @property
    def per_second(self) -> float:
        """Responses with status 200 per second."""
        return self.responses / self.seconds


def check_loopback(host: str) -> None:
    """Raise ValueError unless ``host`` is a loopback address."""
    if host == "localhost":
        return
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"load goes only to loopback addresses, not to {host}")


def has_wrk() -> bool:
    """Tell whether the wrk executable is on PATH."""
    return shutil.which("wrk") is not None


def wrk_load(
    host: str, port: int, path: str, *, duration: float, connections: int
) -> LoadResult:
    """Run wrk with one thread for ``duration`` seconds and parse its summary.

    Raises:
        RuntimeError: wrk failed or printed no summary.
    """
    check_loopback(host)
    seconds = max(1, round(duration))
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "5s",
        f"http://{host}:{port}{path}",
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 30, check=False
    )
    output = completed.stdout
    summary = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", output)
    if completed.returncode != 0 or summary is None:
        raise RuntimeError(
            f"wrk failed with exit status {completed.returncode}: "
            f"{completed.stderr.strip() or output.strip()}"
        )
    unit = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[summary.group(3)]
    total = int(summary.group(1))
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx is not None:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors is not None:
        errors += sum(int(count) for count in socket_errors.groups())
    return LoadResult(
        responses=total - (int(non_2xx.group(1)) if non_2xx else 0),
        errors=errors,
        seconds=float(summary.group(2)) * unit,
    )


def python_load(
    host: str, port: int, path: str, *, duration: float, connections: int
) -> LoadResult:
    """Send requests from ``connections`` threads for ``duration`` seconds.

    Every thread reads the response to each request it sent before it stops,
    so the count is exact: no request is left in flight.
    """
    check_loopback(host)
    counts = [[0, 0] for _ in range(connections)]
    deadline = time.perf_counter() + duration

    def send_requests(slot: list[int]) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=5)
        try:
            while time.perf_counter() < deadline:
                try:
                    connection.request("GET", path)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    slot[1] += 1
                    connection.close()
                    continue
                if response.status == 200:
                    slot[0] += 1
                else:
                    slot[1] += 1
                if response.will_close:
                    connection.close()
        finally:
            connection.close()

    start = time.perf_counter()
    threads = [
        threading.Thread(target=send_requests, args=(slot,), daemon=True)
        for slot in counts
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 30)
    elapsed = time.perf_counter() - start
    return LoadResult(
        responses=sum(slot[0] for slot in counts),
        errors=sum(slot[1] for slot in counts),
        seconds=elapsed,
    )
