"""The typed settings of one TUI session, from command-line flags and environment.

:class:`Settings` is the one place where the CLI, the screenshot command and the
tests describe a session. Each field has one ``FLASKDASH_*`` environment
variable (see :data:`ENVIRONMENT`); a command-line flag overrides it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import os
import time
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE = "instance/flaskdash.db"
"""The database path used when neither an argument nor the environment names one."""

DEFAULT_VIEW = "endpoints"
"""The view that opens when none is requested."""

DEFAULT_REFRESH_INTERVAL = 1.0
"""Seconds between two checks of whether the database changed."""

MIN_REFRESH_INTERVAL = 0.1
"""Smallest refresh interval in seconds. A tester measured 24 % CPU at 0.0001 s
on a database of 35,000 requests; 0.1 s still shows new data at once."""

MAX_REFRESH_INTERVAL = 3600.0
"""Largest refresh interval in seconds, because a longer one looks like a hang."""

ENVIRONMENT: dict[str, str] = {
    "database": "FLASKDASH_DATABASE",
    "view": "FLASKDASH_VIEW",
    "endpoint": "FLASKDASH_ENDPOINT",
    "timezone": "FLASKDASH_TIMEZONE",
    "refresh_interval": "FLASKDASH_REFRESH_INTERVAL",
    "now": "FLASKDASH_NOW",
}
"""The environment variable that sets each settings field."""


class SettingsError(ValueError):
    """A setting has an invalid value; the message names the value."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """The settings of one TUI session.

    Build it with :meth:`from_sources` so that environment variables apply, or
    directly in tests.
    """

    database: str = DEFAULT_DATABASE
    """Database path or peewee URL."""
    view: str = DEFAULT_VIEW
    """Name of the view to open first, a key of ``flaskdash_tui.views.VIEWS``."""
    endpoint: str | None = None
    """Endpoint name for the views about one endpoint."""
    timezone: dt.tzinfo = dataclasses.field(default_factory=lambda: local_timezone())
    """The operator's time zone: days and hours are shown and bucketed in it."""
    refresh_interval: float = DEFAULT_REFRESH_INTERVAL
    """Seconds between two checks of whether the database changed."""
    now: float | None = None
    """A fixed current time (UNIX seconds UTC) for snapshots and tests, else None."""

    @classmethod
    def from_sources(
        cls,
        environ: Mapping[str, str] | None = None,
        **flags: object,
    ) -> Settings:
        """Build settings from flags, then environment variables, then defaults.

        Args:
            environ: The environment to read; ``os.environ`` when None.
            **flags: Field values from the command line, as strings or already
                typed. A flag that is None is treated as absent.

        Raises:
            SettingsError: A value is invalid, or a flag names no field.
        """
        environ = os.environ if environ is None else environ
        unknown = set(flags) - set(ENVIRONMENT)
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        values: dict[str, object] = {}
        for name, variable in ENVIRONMENT.items():
            value = flags.get(name)
            if value is None and environ.get(variable):
                value = environ[variable]
            if value is not None:
                values[name] = _PARSERS[name](value)
        return cls(**values)  # type: ignore[arg-type]

    def current_time(self) -> float:
        """Return the fixed ``now`` if set, else the wall-clock time (UNIX UTC)."""
        return self.now if self.now is not None else time.time()

    @property
    def timezone_name(self) -> str:
        """The IANA name of the time zone, or its abbreviation when it has none."""
        key = getattr(self.timezone, "key", None)
        if isinstance(key, str):
            return key
        return self.timezone.tzname(dt.datetime.now(self.timezone)) or "local"


def parse_timezone(name: object) -> dt.tzinfo:
    """Return the time zone for an IANA name such as ``Europe/Amsterdam``.

    Raises:
        SettingsError: The name is not a known IANA time zone.
    """
    if isinstance(name, dt.tzinfo):
        return name
    text = str(name).strip()
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SettingsError(
            f"invalid time zone {text!r}: expected an IANA name such as "
            "Europe/Amsterdam or UTC"
        ) from error


def parse_now(value: object) -> float:
    """Return UNIX seconds for an ISO 8601 time or a number of seconds.

    A time without an offset is read as UTC, so a snapshot does not depend on
    the machine that takes it.

    Raises:
        SettingsError: The value is neither an ISO 8601 time nor a number.
    """
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value).strip()
        try:
            return float(text)
        except ValueError:
            pass
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as error:
            raise SettingsError(
                f"invalid time {text!r}: expected ISO 8601 such as "
                "2026-03-02T14:30:00+01:00"
            ) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


def parse_interval(value: object) -> float:
    """Return a finite number of seconds between the minimum and the maximum.

    Raises:
        SettingsError: The value is not a number from
            :data:`MIN_REFRESH_INTERVAL` to :data:`MAX_REFRESH_INTERVAL`.
    """
    try:
        seconds = float(str(value))
    except ValueError:
        seconds = -1.0
    if not (
        math.isfinite(seconds)
        and MIN_REFRESH_INTERVAL <= seconds <= MAX_REFRESH_INTERVAL
    ):
        raise SettingsError(
            f"invalid refresh interval {value!r}: expected a number of seconds "
            f"from {MIN_REFRESH_INTERVAL:g} to {MAX_REFRESH_INTERVAL:g}"
        )
    return seconds


def local_timezone() -> dt.tzinfo:
    """Return the server's local time zone, by IANA name where it can be found.

    Tries ``TZ``, then the ``/etc/localtime`` link, then ``/etc/timezone``;
    falls back to the current fixed UTC offset, which ignores daylight saving.
    """
    candidates: list[str] = []
    if os.environ.get("TZ"):
        candidates.append(os.environ["TZ"].lstrip(":"))
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    for name in candidates:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    # NOTE: a fixed offset shows the wrong hours across a DST change.
    return dt.datetime.now().astimezone().tzinfo or dt.timezone.utc


def _parse_text(value: object) -> str:
    return str(value)


_PARSERS = {
    "database": _parse_text,
    "view": _parse_text,
    "endpoint": _parse_text,
    "timezone": parse_timezone,
    "refresh_interval": parse_interval,
    "now": parse_now,
}
