"""Build the Flask apps that the capture benchmarks compare.

Each variant serves the same trivial endpoint, ``GET /`` returning ``ok``:

- ``flask``: bare Flask, the baseline.
- ``capture``: bound with ``capture.bind``.
- ``prometheus``: prometheus-flask-exporter's ``PrometheusMetrics``. Under
  gunicorn it runs in the exporter's multiprocess mode, which is how the
  exporter documents gunicorn deployments.
- ``dashboard``: Flask-MonitoringDashboard with its default monitoring level.

The last two come from benchmarks/requirements.txt and are never project
dependencies. :func:`missing_reason` returns why a variant cannot be built.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

VARIANTS = ("flask", "capture", "prometheus", "dashboard")
"""Every variant, baseline first."""

BASELINE = "flask"

_PACKAGES = {
    "prometheus": "prometheus_flask_exporter",
    "dashboard": "flask_monitoringdashboard",
}


@dataclass
class BuiltApp:
    """A Flask app with the hooks a benchmark needs around it."""

    app: Flask
    settle: Callable[[], None] = field(default=lambda: None)
    """Block until the monitor has stored everything recorded so far."""
    close: Callable[[], None] = field(default=lambda: None)


def missing_reason(variant: str) -> str | None:
    """Return why a variant cannot be built here, or None when it can."""
    if variant not in VARIANTS:
        return f"unknown variant {variant!r}; expected one of {', '.join(VARIANTS)}"
    package = _PACKAGES.get(variant)
    if package is not None and importlib.util.find_spec(package) is None:
        return (
            f"{package} is not installed; "
            "pip install -r benchmarks/requirements.txt in a separate venv"
        )
    return None


def database_path(variant: str, directory: Path) -> Path:
    """Return the SQLite file that a variant writes in ``directory``."""
    return directory / f"{variant}.db"


def build_app(variant: str, directory: Path, *, gunicorn: bool = False) -> BuiltApp:
    """Build one variant's app, writing any database into ``directory``.

    Args:
        variant: One of :data:`VARIANTS`.
        directory: An existing folder for databases and metric files.
        gunicorn: Build for gunicorn worker processes instead of one process.

    Raises:
        ValueError: The variant is unknown or its package is not installed.
    """
    reason = missing_reason(variant)
    if reason is not None:
        raise ValueError(reason)
    app = Flask(__name__)

    @app.route("/")
    def index() -> str:
        return "ok"

    if variant == "capture":
        return _bind_capture(app, directory)
    if variant == "prometheus":
        return _bind_prometheus(app, gunicorn=gunicorn)
    if variant == "dashboard":
        return _bind_dashboard(app, directory)
    return BuiltApp(app)


def create_app(variant: str, directory: str) -> Flask:
    """Build a variant for gunicorn: ``benchmarks.apps:create_app("flask", DIR)``."""
    return build_app(variant, Path(directory), gunicorn=True).app


def _bind_capture(app: Flask, directory: Path) -> BuiltApp:
    import capture

    monitor = capture.bind(
        app, database=str(database_path("capture", directory)), app_version="bench"
    )

    def settle() -> None:
        if not monitor.flush(timeout=60.0):
            raise RuntimeError("capture did not store its measurements within 60 s")

    return BuiltApp(app, settle=settle, close=monitor.close)


def _bind_prometheus(app: Flask, *, gunicorn: bool) -> BuiltApp:
    if gunicorn:
        from prometheus_flask_exporter.multiprocess import (
            GunicornInternalPrometheusMetrics,
        )

        # The multiprocess mode reads its folder from the environment when
        # prometheus_client is imported, so the caller sets it beforehand.
        if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
            raise ValueError("set PROMETHEUS_MULTIPROC_DIR for the gunicorn variant")
        GunicornInternalPrometheusMetrics(app)
    else:
        from prometheus_client import CollectorRegistry
        from prometheus_flask_exporter import PrometheusMetrics

        # A registry per app, so that one process can build the app twice.
        PrometheusMetrics(app, registry=CollectorRegistry())
    return BuiltApp(app)


def _bind_dashboard(app: Flask, directory: Path) -> BuiltApp:
    import flask_monitoringdashboard as dashboard

    # The package creates its SQLAlchemy engine when its database module is
    # first imported, so the URL must be set before bind imports it.
    dashboard.config.database_name = (
        f"sqlite:///{database_path('dashboard', directory)}"
    )
    dashboard.telemetry_config.telemetry_consent = False
    dashboard.bind(app)
    threads_before = set(threading.enumerate())

    def settle() -> None:
        # Version 5.1.0 stores each request from a thread of its own; the
        # measurement counts until the last of those has committed.
        deadline = time.monotonic() + 60.0
        for thread in set(threading.enumerate()) - threads_before:
            thread.join(max(0.0, deadline - time.monotonic()))

    return BuiltApp(app, settle=settle)
