"""Queries for outliers (unusually slow requests) and exceptions.

Every function takes an open database and returns plain values. Grouping
exceptions by type and origin is in
:mod:`flaskdash_tui.queries.exception_groups`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import peewee as pw

from capture.schema import Endpoint, ExceptionRecord, Outlier, Request, Version
from flaskdash_tui.queries.frames import Frame, parse_frames, parse_mapping

# peewee adds the ``id`` primary keys when it creates the model classes, so
# type checkers do not see them as class attributes.
_request_id: Any = Request._meta.fields["id"]
version_id_field: Any = Version._meta.fields["id"]
exception_id_field: Any = ExceptionRecord._meta.fields["id"]

Row = tuple[Any, ...]
"""One result row of a ``.tuples()`` query."""

OUTLIER_LIMIT = 500
"""How many outliers of one endpoint a list returns at most, newest first."""


@dataclass(frozen=True)
class OutlierSummary:
    """One row of an endpoint's outlier list."""

    request_id: int
    time: float
    """Start of the request, UNIX seconds in UTC."""
    duration: float
    """Milliseconds."""
    average: float
    """The endpoint's running average in ms when the request was flagged."""
    ratio: float | None
    """Duration divided by the average, or None when the average was zero."""
    version: str
    group: str
    status: int
    method: str


@dataclass(frozen=True)
class OutlierDetail:
    """Everything stored about one outlier, for the trace pane."""

    summary: OutlierSummary
    endpoint: str
    frames: list[Frame]
    cpu_percent: float | None
    memory: int | None
    """Resident memory of the process in bytes."""
    load_average: float | None
    url: str
    headers: list[tuple[str, str]]
    arguments: list[tuple[str, str]]


@dataclass
class ExceptionGroupSummary:
    """Exceptions of one type raised from one place, with when and where."""

    type: str
    origin: Frame | None
    """The innermost app frame, else the innermost frame, else None."""
    count: int
    first_seen: float
    last_seen: float
    versions: list[str] = field(default_factory=list)
    """Labels of the versions with occurrences, oldest version first."""
    endpoints: list[str] = field(default_factory=list)
    """Names of the endpoints with occurrences, sorted."""
    endpoint_ids: dict[str, int] = field(default_factory=dict)
    """The id of each endpoint in :attr:`endpoints`, by name."""
    latest_id: int = 0
    """Id of the most recent exception in the group, for its traceback."""
    message: str = ""
    """The message of the most recent exception in the group."""


@dataclass(frozen=True)
class ExceptionDetail:
    """One stored exception with its request, for the trace pane."""

    id: int
    type: str
    message: str
    frames: list[Frame]
    request_id: int
    endpoint: str
    time: float
    method: str
    status: int
    version: str
    group: str


def version_label(short: str, name: str) -> str:
    """Return the short commit id when there is one, else the version name."""
    return short or name


def _ratio(duration: float, average: float) -> float | None:
    return duration / average if average > 0 else None


def in_range(start: float | None, end: float | None) -> list[pw.Expression]:
    """Return the conditions that keep requests from ``start`` until ``end``."""
    conditions = []
    if start is not None:
        conditions.append(Request.time >= start)
    if end is not None:
        conditions.append(Request.time < end)
    return conditions


def list_outliers(
    database: pw.Database,
    endpoint: str,
    limit: int = OUTLIER_LIMIT,
    *,
    start: float | None = None,
    end: float | None = None,
) -> list[OutlierSummary]:
    """List the outlier requests of one endpoint, newest first.

    Args:
        database: An open flaskdash database.
        endpoint: The endpoint name, such as ``api.get_possible_translations``.
        limit: The maximum number of rows.
        start: Only requests from this UNIX time on, or None for no bound.
        end: Only requests before this UNIX time, or None for no bound.
    """
    query = (
        Request.select(
            _request_id,
            Request.time,
            Request.duration,
            Request.method,
            Request.status,
            Request.group,
            Outlier.average,
            Version.short,
            Version.name,
        )
        .join(Outlier)
        .switch(Request)
        .join(Version)
        .switch(Request)
        .join(Endpoint)
        .where(Endpoint.name == endpoint, *in_range(start, end))
        .order_by(Request.time.desc(), _request_id.desc())
        .limit(limit)
        .tuples()
        .bind(database)
    )
    rows = cast("Iterable[Row]", query)
    return [
        OutlierSummary(
            request_id=request_id,
            time=time,
            duration=duration,
            average=average,
            ratio=_ratio(duration, average),
            version=version_label(short, name),
            group=group,
            status=status,
            method=method,
        )
        for (
            request_id,
            time,
            duration,
            method,
            status,
            group,
            average,
            short,
            name,
        ) in rows
    ]


def get_outlier(database: pw.Database, request_id: int) -> OutlierDetail | None:
    """Return the stored details of one outlier, or None if it does not exist."""
    row = (
        Outlier.select(Outlier, Request, Version, Endpoint)
        .join(Request)
        .join(Version)
        .switch(Request)
        .join(Endpoint)
        .where(Outlier.request == request_id)
        .bind(database)
        .first()
    )
    if row is None:
        return None
    request = row.request
    summary = OutlierSummary(
        request_id=request.id,
        time=request.time,
        duration=request.duration,
        average=row.average,
        ratio=_ratio(request.duration, row.average),
        version=version_label(request.version.short, request.version.name),
        group=request.group,
        status=request.status,
        method=request.method,
    )
    return OutlierDetail(
        summary=summary,
        endpoint=request.endpoint.name,
        frames=parse_frames(row.stacktrace),
        cpu_percent=row.cpu_percent,
        memory=row.memory,
        load_average=row.load_average,
        url=row.url,
        headers=parse_mapping(row.headers),
        arguments=parse_mapping(row.arguments),
    )


def get_exception(database: pw.Database, exception_id: int) -> ExceptionDetail | None:
    """Return one stored exception with its request, or None if it does not exist."""
    row = (
        ExceptionRecord.select(ExceptionRecord, Request, Version, Endpoint)
        .join(Request)
        .join(Version)
        .switch(Request)
        .join(Endpoint)
        .where(exception_id_field == exception_id)
        .bind(database)
        .first()
    )
    if row is None:
        return None
    request = row.request
    return ExceptionDetail(
        id=row.id,
        type=row.type,
        message=row.message,
        frames=parse_frames(row.traceback),
        request_id=request.id,
        endpoint=request.endpoint.name,
        time=request.time,
        method=request.method,
        status=request.status,
        version=version_label(request.version.short, request.version.name),
        group=request.group,
    )
