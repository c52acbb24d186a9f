"""The demo's load generator: real HTTP requests from a few dozen users.

A few threads send the requests that :class:`~flaskdash_tui.demo.traffic.Traffic`
draws to the example service on 127.0.0.1, each pausing a random while
between requests, until the generator is stopped. By default the pauses follow
the history's rhythm: as many requests per hour as the history has in the
current local hour, and at least :data:`MIN_PER_HOUR`, so that the live views
always show some activity.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import threading
import time
from types import TracebackType
from urllib.parse import urlsplit

from flaskdash_tui.demo.history import live_requests_per_hour
from flaskdash_tui.demo.traffic import RequestSpec, Traffic

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10.0
"""Seconds a request may take; the slowest demo request takes about 3.5."""

MIN_PER_HOUR = 120.0
"""Live requests per hour at least, also at night when the history is quiet."""


class LoadGenerator:
    """Threads that send the demo's traffic to a base URL.

    Args:
        base_url: ``http://127.0.0.1:PORT`` of the example service.
        seed: Seed of the traffic; each thread draws its own stream of it.
        threads: Concurrent clients.
        mean_pause: Mean pause in seconds between two requests of one thread,
            or None to follow the history's requests per hour.
    """

    def __init__(
        self,
        base_url: str,
        seed: int,
        threads: int = 4,
        mean_pause: float | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"expected http://HOST:PORT, not {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port
        self.seed = seed
        self.mean_pause = mean_pause
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sent = 0
        self._failed = 0
        self._threads = [
            threading.Thread(
                target=self._run, args=(index,), name=f"demo-load-{index}", daemon=True
            )
            for index in range(threads)
        ]

    @property
    def sent(self) -> int:
        """Requests that received a response, whatever its status."""
        with self._lock:
            return self._sent

    @property
    def failed(self) -> int:
        """Requests that received no response (connection errors, timeouts)."""
        with self._lock:
            return self._failed

    def start(self) -> None:
        """Start the client threads."""
        logger.info(
            "sending load to %s:%d from %d threads",
            self.host,
            self.port,
            len(self._threads),
        )
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = REQUEST_TIMEOUT) -> None:
        """Stop the threads, waiting up to ``timeout`` seconds in all."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))
        logger.info("load stopped after %d requests, %d failed", self.sent, self.failed)

    def _run(self, index: int) -> None:
        traffic = Traffic(self.seed, stream=index + 1)
        pauses = random.Random(f"{self.seed}/pauses/{index}")
        connection: http.client.HTTPConnection | None = None
        failures = 0
        while not self._stop.is_set():
            spec = traffic.next_request()
            if connection is None:
                connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=REQUEST_TIMEOUT
                )
            try:
                self._send(connection, spec)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = None
                with self._lock:
                    self._failed += 1
                if not self._stop.is_set():
                    # One warning per thread; stop() logs the count.
                    log = logger.debug if failures else logger.warning
                    log("demo request %s %s failed: %s", spec.method, spec.path, error)
                    failures += 1
            else:
                with self._lock:
                    self._sent += 1
            self._stop.wait(pauses.expovariate(1 / self.pause()))
        if connection is not None:
            connection.close()

    def pause(self) -> float:
        """Return the mean pause in seconds between two requests of one thread."""
        if self.mean_pause is not None:
            return self.mean_pause
        per_hour = max(live_requests_per_hour(time.time()), MIN_PER_HOUR)
        return len(self._threads) * 3600.0 / per_hour

    def _send(self, connection: http.client.HTTPConnection, spec: RequestSpec) -> None:
        headers = {"User-Agent": "flaskdash-demo-load"}
        body: bytes | None = None
        if spec.json is not None:
            body = json.dumps(spec.json).encode()
            headers["Content-Type"] = "application/json"
        connection.request(spec.method, spec.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.getheader("Connection", "").lower() == "close" or (
            response.version == 10
        ):
            connection.close()

    def __enter__(self) -> LoadGenerator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
