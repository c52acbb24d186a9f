"""Capture options: keyword arguments, then Flask config, then the environment.

Every option has one name. The keyword argument is ``name``, the Flask config
key and the environment variable are ``FLASKDASH_`` plus the name in capitals,
for example ``database``, ``app.config["FLASKDASH_DATABASE"]`` and
``FLASKDASH_DATABASE``.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import flask

from capture.clock import SYSTEM_CLOCK, Clock

logger = logging.getLogger(__name__)

PREFIX = "FLASKDASH_"

GroupBy = Callable[[flask.Request], object]
"""Map a request (inside its request context) to a user or group id."""


class OptionError(ValueError):
    """An option name is unknown or its value is invalid."""


@dataclasses.dataclass(frozen=True)
class Options:
    """The resolved options of one bound app."""

    database: str
    """Peewee database URL or SQLite file path."""
    repository: str | None
    """Git repository path; None means the one that contains the app's root."""
    app_version: str | None
    """Version name that replaces the git commit."""
    group_by: GroupBy | None
    monitor_new_endpoints: bool
    outlier_factor: float
    outlier_min_samples: int
    outlier_min_duration: float
    """Milliseconds below which no request is an outlier, whatever its average."""
    buffer_size: int
    """Maximum number of measurements kept in memory while the database waits."""
    clock: Clock


# Options that config and environment may set, with their parsers. ``clock``
# is a keyword argument only, because it is an object and not a setting.
_PARSERS: dict[str, Callable[[str, object], object]] = {}


def _parser(name: str) -> Callable[[Callable[[str, object], object]], Any]:
    def register(
        function: Callable[[str, object], object],
    ) -> Callable[[str, object], object]:
        _PARSERS[name] = function
        return function

    return register


def _text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if not isinstance(value, str):
        raise OptionError(
            f"invalid value for {name}: {value!r}; expected a string or a path"
        )
    return value


@_parser("database")
def _parse_database(name: str, value: object) -> str | None:
    return _text(name, value)


@_parser("repository")
def _parse_repository(name: str, value: object) -> str | None:
    return _text(name, value)


@_parser("app_version")
def _parse_app_version(name: str, value: object) -> str | None:
    return _text(name, value)


@_parser("group_by")
def _parse_group_by(name: str, value: object) -> GroupBy | None:
    if value is None or callable(value):
        return value  # type: ignore[return-value]
    if isinstance(value, str) and ":" in value:
        module_name, _, attribute = value.partition(":")
        try:
            function = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as error:
            raise OptionError(
                f"invalid value for {name}: cannot import {value!r}: {error}"
            ) from error
        if callable(function):
            return function  # type: ignore[no-any-return]
    raise OptionError(
        f"invalid value for {name}: {value!r}; expected a callable or 'module:function'"
    )


@_parser("monitor_new_endpoints")
def _parse_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
    raise OptionError(f"invalid value for {name}: {value!r}; expected true or false")


@_parser("outlier_factor")
def _parse_factor(name: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if not number > 1.0:
        raise OptionError(
            f"invalid value for {name}: {value!r}; expected a number above 1"
        )
    return number


def _parse_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool):
        raise OptionError(f"invalid value for {name}: {value!r}")
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise OptionError(
            f"invalid value for {name}: {value!r}; expected a whole number of 1 or more"
        )
    return number


@_parser("outlier_min_duration")
def _parse_milliseconds(name: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if not number >= 0.0:
        raise OptionError(
            f"invalid value for {name}: {value!r}; expected milliseconds, 0 or more"
        )
    return number


_PARSERS["outlier_min_samples"] = _parse_positive_int
_PARSERS["buffer_size"] = _parse_positive_int

DEFAULTS: dict[str, object] = {
    "database": None,
    "repository": None,
    "app_version": None,
    "group_by": None,
    "monitor_new_endpoints": True,
    "outlier_factor": 2.5,
    "outlier_min_samples": 10,
    "outlier_min_duration": 10.0,
    "buffer_size": 100_000,
}

NAMES = (*DEFAULTS, "clock")
"""Every valid option name, in documentation order."""

TUI_VARIABLES = frozenset(("VIEW", "ENDPOINT", "TIMEZONE", "REFRESH_INTERVAL", "NOW"))
"""Names after ``FLASKDASH_`` that the flaskdash-tui command reads, not capture."""


def _unknown(name: str, where: str) -> OptionError:
    valid = ", ".join(NAMES)
    return OptionError(f"unknown capture option {name!r} in {where}; valid: {valid}")


def resolve_options(
    app: flask.Flask,
    keywords: Mapping[str, object],
    environ: Mapping[str, str] | None = None,
) -> Options:
    """Resolve the options of one app from keywords, its config and environment.

    Args:
        app: The Flask app; its ``config`` supplies ``FLASKDASH_*`` keys and its
            instance folder the default database path.
        keywords: Options passed to ``bind`` or ``Capture``.
        environ: The environment; ``os.environ`` when None.

    Returns:
        The options, parsed and complete.

    Raises:
        OptionError: A keyword or a ``FLASKDASH_*`` config key is not an
            option, or a value is invalid.
    """
    environ = os.environ if environ is None else environ
    for name in keywords:
        if name not in NAMES:
            raise _unknown(name, "keyword arguments")
    for key in app.config:
        if key.startswith(PREFIX) and key[len(PREFIX) :].lower() not in DEFAULTS:
            raise _unknown(key, "app.config")

    _warn_unknown_variables(environ)

    values: dict[str, object] = {}
    for name, default in DEFAULTS.items():
        key = PREFIX + name.upper()
        if name in keywords:
            raw = keywords[name]
        elif key in app.config:
            raw = app.config[key]
        elif key in environ:
            raw = environ[key]
        else:
            values[name] = default
            continue
        values[name] = _PARSERS[name](name, raw)

    clock = keywords.get("clock", SYSTEM_CLOCK)
    if not (
        callable(getattr(clock, "now", None))
        and callable(getattr(clock, "monotonic", None))
    ):
        raise OptionError(
            f"invalid value for clock: {clock!r}; expected an object with now() "
            "and monotonic()"
        )
    if values["database"] is None:
        values["database"] = str(Path(app.instance_path) / "flaskdash.db")
    return Options(clock=clock, **values)  # type: ignore[arg-type]


def _warn_unknown_variables(environ: Mapping[str, str]) -> None:
    # The environment is shared with other programs, so an unknown name is a
    # warning, not an error that would stop the app from starting.
    for key in environ:
        if not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX) :]
        if name.lower() in DEFAULTS or name in TUI_VARIABLES:
            continue
        logger.warning(
            "ignoring environment variable %s: not a capture option; valid: %s",
            key,
            ", ".join(PREFIX + option.upper() for option in DEFAULTS),
        )
