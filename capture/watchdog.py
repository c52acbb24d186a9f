"""The watchdog: one thread per process that samples slow requests while they run.

A request is an outlier when it has run longer than ``outlier_factor`` times
its endpoint's running average, once the endpoint has at least
``outlier_min_samples`` stored measurements. The watchdog then takes the
stack of the request's own thread from ``sys._current_frames()``, so the
trace shows where the request spends its time, together with the process's
CPU and memory, the system load and the request's details.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Any

import psutil

from capture import details
from capture.recorder import (
    ENDPOINT,
    ENVIRON,
    SAMPLE,
    START,
    THREAD,
    Recorder,
    endpoint_rule,
)

logger = logging.getLogger(__name__)

INTERVAL = 0.01
"""Seconds between scans while requests run; a request must stay slow this long
to be sampled."""
IDLE_INTERVAL = 0.05
"""Seconds between checks while no request runs. The request path never wakes
the watchdog, so a request that starts during an idle sleep is first scanned
up to this long after it started."""
CPU_INTERVAL = 1.0
"""Seconds between CPU readings while requests run, so a sample shows the CPU of
about the last second, or of the idle time before it."""


class Watchdog:
    """The process's watchdog thread and the recorders that it scans."""

    def __init__(self) -> None:
        """Prepare, but do not start, the thread."""
        self._recorders: list[Recorder] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._process: psutil.Process | None = None
        self._next_cpu = 0.0

    def add(self, recorder: Recorder) -> None:
        """Scan ``recorder``'s in-flight requests, starting the thread if needed."""
        with self._lock:
            self._recorders = [*self._recorders, recorder]
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="flaskdash-watchdog", daemon=True
                )
                self._thread.start()

    def remove(self, recorder: Recorder) -> None:
        """Stop scanning ``recorder``."""
        with self._lock:
            self._recorders = [r for r in self._recorders if r is not recorder]

    def reset_after_fork(self) -> None:
        """Forget the parent's thread in a forked child; ``add`` starts a new one."""
        self._lock = threading.Lock()
        self._thread = None
        self._process = None
        recorders, self._recorders = self._recorders, []
        for recorder in recorders:
            self.add(recorder)

    def _run(self) -> None:
        interval = INTERVAL
        while True:
            time.sleep(interval)
            recorders = self._recorders
            if not recorders:
                if self._thread is not threading.current_thread():
                    return  # Replaced after a fork.
                interval = IDLE_INTERVAL
                continue
            try:
                busy = False
                for recorder in recorders:
                    if recorder.inflight:
                        busy = True
                        self._scan(recorder)
                if busy:
                    self._read_cpu()
                    interval = INTERVAL
                else:
                    interval = IDLE_INTERVAL
            except Exception:  # The watchdog must keep running.
                logger.exception("capture watchdog scan failed")
                time.sleep(1.0)

    def _read_cpu(self) -> None:
        now = time.monotonic()
        if now < self._next_cpu:
            return
        self._next_cpu = now + CPU_INTERVAL
        if self._process is None:
            self._process = psutil.Process()
        self._process.cpu_percent(None)  # Starts the next CPU interval.

    def _scan(self, recorder: Recorder) -> None:
        options = recorder.options
        flights = list(recorder.inflight.values())
        now = recorder.clock.monotonic()
        averages = recorder.averages
        monitored = recorder.monitored
        frames: dict[int, Any] | None = None
        for flight in flights:
            environ = flight[ENVIRON]
            if flight[SAMPLE] is not None or environ is None:
                continue
            name = flight[ENDPOINT]
            if name is None:
                rule = endpoint_rule(environ)
                if rule is None:
                    continue
                name = flight[ENDPOINT] = rule.endpoint
            if name not in monitored:
                continue
            stats = averages.get(name)
            if stats is None or stats[0] < options.outlier_min_samples:
                continue
            threshold = max(
                options.outlier_factor * stats[1], options.outlier_min_duration
            )
            if (now - flight[START]) * 1000.0 <= threshold:
                continue
            if frames is None:
                frames = sys._current_frames()
            # NOTE: for an async view the request thread waits in asgiref
            # while the coroutine runs elsewhere, so its stack shows the wait.
            flight[SAMPLE] = self._sample(environ, frames.get(flight[THREAD]), stats[1])

    def _sample(
        self, environ: dict[str, Any], frame: Any, average: float
    ) -> details.OutlierSample:
        memory: int | None = None
        cpu_percent: float | None = None
        try:
            if self._process is None:
                self._process = psutil.Process()
            memory = self._process.memory_info().rss
            cpu_percent = self._process.cpu_percent(None)
            self._next_cpu = time.monotonic() + CPU_INTERVAL
        except psutil.Error as error:
            logger.debug("cannot read the process's CPU and memory: %s", error)
        try:
            load_average: float | None = os.getloadavg()[0]
        except OSError:
            load_average = None
        url, headers, arguments = details.outlier_details(environ)
        return details.OutlierSample(
            average=average,
            frames=details.stack_frames(frame),
            cpu_percent=cpu_percent,
            memory=memory,
            load_average=load_average,
            url=url,
            headers=headers,
            arguments=arguments,
        )


WATCHDOG = Watchdog()
"""The one watchdog of this process."""
