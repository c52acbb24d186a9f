"""Weeks of the demo's history, replayed through capture with a simulated clock.

The history is not written into the database directly: each request runs
through the example service and capture, driven by Flask's test client,
while a :class:`ReplayClock` pretends that it happens at its moment in the
past. The views' work advances that clock instead of sleeping, so four weeks
take seconds. The older part runs on the first commit of the demo
repository and the newer part on the second, so capture finds two versions.
"""

from __future__ import annotations

import logging
import random
import time as real_time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

import capture
from capture import watchdog as capture_watchdog
from flaskdash_tui.demo import repository as demo_repository
from flaskdash_tui.demo.traffic import RequestSpec, Traffic

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

TIME_ZONE_NAME = "Europe/Amsterdam"
"""The users' time zone: the daily rhythm follows its working hours."""
TIME_ZONE = ZoneInfo(TIME_ZONE_NAME)

PEAK_DAILY_REQUESTS = 2600
"""Requests on the busiest weekday near the end of the history."""

# Share of the day's requests in each local hour, 0 to 23: nearly none at
# night, most during working hours, some in the evening.
HOURLY_WEIGHTS = (
    0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.4, 1.5, 4.0, 7.0, 8.0, 8.0,
    6.0, 7.0, 8.0, 7.5, 6.0, 4.0, 2.5, 2.5, 3.0, 2.5, 1.5, 0.6,
)  # fmt: skip
WEEKDAY_FACTORS = (1.0, 1.0, 0.95, 1.0, 0.85, 0.35, 0.45)
"""Relative traffic from Monday to Sunday."""
DEPLOY_HOUR = 10
"""Local hour at which the second version is deployed."""

PROGRESS_STEP = 500

SAMPLED_WORK_MS = 1000.0
"""Replayed work of at least this many ms also pauses the replay for real."""
SAMPLE_PAUSE = 5 * capture_watchdog.INTERVAL
"""Seconds of that pause: five scans of capture's watchdog, which samples the
stack of a request while it runs too long."""


class ReplayClock:
    """A clock for capture that replays the past.

    ``now()`` returns the replayed moment, and ``monotonic()`` advances only
    when the replay moves forward or a view works, so durations are the
    simulated work, not the real time that the replay took.

    Args:
        start: The first replayed moment, UNIX seconds in UTC.
    """

    def __init__(self, start: float) -> None:
        self._wall = start
        self._monotonic = 0.0
        self.before_sampled_work: Callable[[], object] | None = None
        """Called before work long enough to be sampled, while it has not begun."""

    def now(self) -> float:
        """Return the replayed moment, UNIX seconds in UTC."""
        return self._wall

    def monotonic(self) -> float:
        """Return the simulated monotonic time in seconds."""
        return self._monotonic

    def move_to(self, moment: float) -> None:
        """Move the replay forward to ``moment``; an earlier moment is ignored."""
        if moment > self._wall:
            self._monotonic += moment - self._wall
            self._wall = moment

    def work(self, milliseconds: float) -> None:
        """Advance both clocks by ``milliseconds``: the work of a replayed view."""
        sampled = milliseconds >= SAMPLED_WORK_MS
        if sampled and self.before_sampled_work is not None:
            self.before_sampled_work()
        seconds = milliseconds / 1000
        self._wall += seconds
        self._monotonic += seconds
        if sampled:
            # Without the pause the request would end before the watchdog's
            # next scan, and its outlier would have no stack trace.
            real_time.sleep(SAMPLE_PAUSE)


@dataclass
class HistorySummary:
    """The span of a replayed history and its requests per version."""

    start: float
    end: float
    deployed_at: float
    """When the second version took over, UNIX seconds in UTC."""
    requests: list[int] = field(default_factory=list)
    """Requests replayed on each version, oldest version first."""


def history_bounds(now: float, days: int) -> tuple[float, float]:
    """Return the start of the history and the deployment of the second version.

    The history starts at local midnight ``days`` days before ``now``; the
    second version is deployed at ``DEPLOY_HOUR`` on the day three fifths in.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    today = datetime.fromtimestamp(now, TIME_ZONE).date()
    first_day = today - timedelta(days=days)
    start = datetime.combine(first_day, time(0), TIME_ZONE).timestamp()
    deploy_day = first_day + timedelta(days=max(1, days * 3 // 5))
    deployed_at = datetime.combine(deploy_day, time(DEPLOY_HOUR), TIME_ZONE)
    return start, min(deployed_at.timestamp(), now)


def live_requests_per_hour(moment: float) -> float:
    """Return how many requests per hour the history makes at ``moment``'s hour.

    This is the rate at the end of the history, for the local hour and
    weekday of ``moment``, so live traffic keeps the history's rhythm.
    """
    local = datetime.fromtimestamp(moment, TIME_ZONE)
    daily = PEAK_DAILY_REQUESTS * WEEKDAY_FACTORS[local.weekday()]
    return daily * HOURLY_WEIGHTS[local.hour] / sum(HOURLY_WEIGHTS)


def request_times(start: float, end: float, rng: random.Random) -> Iterator[float]:
    """Yield the moments of the history's requests, in order.

    Traffic grows from 60 % to 100 % of ``PEAK_DAILY_REQUESTS`` over the
    history and follows the local hours and weekdays.
    """
    weight_total = sum(HOURLY_WEIGHTS)
    day = datetime.fromtimestamp(start, TIME_ZONE).date()
    span = max(end - start, 1.0)
    while True:
        midnight = datetime.combine(day, time(0), TIME_ZONE).timestamp()
        if midnight >= end:
            return
        growth = 0.6 + 0.4 * min(1.0, (midnight - start) / span)
        daily = PEAK_DAILY_REQUESTS * growth * WEEKDAY_FACTORS[day.weekday()]
        for hour, weight in enumerate(HOURLY_WEIGHTS):
            hour_start = datetime.combine(day, time(hour), TIME_ZONE).timestamp()
            expected = daily * weight / weight_total * rng.uniform(0.8, 1.2)
            moments = sorted(
                hour_start + rng.uniform(0, 3600) for _ in range(round(expected))
            )
            for moment in moments:
                if start <= moment < end:
                    yield moment
        day += timedelta(days=1)


def build_history(
    repository: Path,
    database: Path,
    *,
    days: int,
    seed: int,
    now: float,
    progress: Progress | None = None,
) -> HistorySummary:
    """Make the demo repository and fill the database with ``days`` of history.

    Args:
        repository: The folder in which the demo repository is made.
        database: The SQLite file that capture writes.
        days: Whole days of history before today; today runs up to ``now``.
        seed: Seed of the traffic and of the service's costs.
        now: The end of the history, UNIX seconds in UTC.
        progress: Called as ``progress("history", done, total)``.

    Returns:
        The span of the history and its requests per version.
    """
    rng = random.Random(seed)
    start, deployed_at = history_bounds(now, days)
    moments = list(request_times(start, now, rng))
    total = len(moments)
    cut = sum(1 for moment in moments if moment < deployed_at)
    repo = demo_repository.init_repository(repository, committed_at=start - 86400)
    clock = ReplayClock(start)
    traffic = Traffic(seed)
    summary = HistorySummary(start=start, end=now, deployed_at=deployed_at)
    logger.info("replaying %d requests from %d days", total, days)

    replayer = _Replayer(repository, database, clock, traffic, total, progress)
    replayer.report(0)
    try:
        replayer.run("v1", moments[:cut], seed, done=0)
        summary.requests.append(cut)
        clock.move_to(deployed_at)
        demo_repository.commit_second_version(repo, committed_at=deployed_at - 1800)
        replayer.run("v2", moments[cut:], seed + 1, done=cut)
        summary.requests.append(total - cut)
    finally:
        # GitPython keeps git helper processes until the repository is closed.
        repo.close()
    replayer.report(total)
    return summary


@dataclass
class _Replayer:
    """Sends one version's part of the history through capture."""

    repository: Path
    database: Path
    clock: ReplayClock
    traffic: Traffic
    total: int
    progress: Progress | None

    def report(self, done: int) -> None:
        if self.progress is not None:
            self.progress("history", done, self.total)

    def run(self, label: str, moments: list[float], seed: int, done: int) -> None:
        module = demo_repository.load_service(
            self.repository, f"flaskdash_demo_service_{label}"
        )
        app = module.create_app(work=self.clock.work, seed=seed)
        # The deliberate bug fails hundreds of times, and its log lines would
        # only bury the demo's own output. The exceptions still reach capture.
        app.logger.disabled = True
        monitor = capture.bind(
            app,
            database=str(self.database),
            repository=str(self.repository),
            app_version=None,
            group_by=module.group_by,
            clock=self.clock,
        )
        # The watchdog compares a slow request with its endpoint's running
        # average, which the writer thread updates as it stores requests.
        # Storing every earlier request first makes that average, and so each
        # outlier's ratio to it, the same on every replay.
        self.clock.before_sampled_work = lambda: monitor.flush(timeout=60.0)
        try:
            client = app.test_client()
            for index, moment in enumerate(moments, start=1):
                self.clock.move_to(moment)
                _send(client, self.traffic.next_request())
                if index % PROGRESS_STEP == 0:
                    self.report(done + index)
            if not monitor.flush(timeout=60.0):
                logger.warning(
                    "capture timed out after 60 s storing the %s history; "
                    "some of its requests may be missing",
                    label,
                )
        finally:
            self.clock.before_sampled_work = None
            monitor.close()


def _send(client: FlaskClient, spec: RequestSpec) -> None:
    client.open(
        spec.path,
        method=spec.method,
        json=spec.json,
        environ_overrides={"REMOTE_ADDR": spec.ip},
    )
