"""Queries for outliers (unusually slow requests) and exceptions.

Every function takes an open database and returns plain values. Exceptions
are grouped by type and place of origin, the innermost frame of the app's own
code. Because the origin lives inside the stored traceback, SQL first groups
by type, traceback text, version and endpoint, and Python then merges the
groups that share an origin. Python therefore sees one row per distinct
traceback and version, never one row per exception.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import peewee as pw

from capture.schema import Endpoint, ExceptionRecord, Outlier, Request, Version
from flaskdash_tui.queries.frames import Frame, find_origin, parse_frames, parse_mapping

# peewee adds the ``id`` primary keys when it creates the model classes, so
# type checkers do not see them as class attributes.
_request_id: Any = Request._meta.fields["id"]
_version_id: Any = Version._meta.fields["id"]
_exception_id: Any = ExceptionRecord._meta.fields["id"]

Row = tuple[Any, ...]

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


def _in_range(start: float | None, end: float | None) -> list[pw.Expression]:
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
        .where(Endpoint.name == endpoint, *_in_range(start, end))
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


def list_exception_groups(
    database: pw.Database,
    endpoint: str | None = None,
    *,
    start: float | None = None,
    end: float | None = None,
) -> list[ExceptionGroupSummary]:
    """Group exceptions by type and origin, most recently seen group first.

    Args:
        database: An open flaskdash database.
        endpoint: Only this endpoint's exceptions, or None for the whole app.
        start: Only requests from this UNIX time on, or None for no bound.
        end: Only requests before this UNIX time, or None for no bound.
    """
    count = pw.fn.COUNT(_exception_id)
    first_seen = pw.fn.MIN(Request.time)
    last_seen = pw.fn.MAX(Request.time)
    query = (
        ExceptionRecord.select(
            ExceptionRecord.type,
            ExceptionRecord.traceback,
            Version.name,
            Version.short,
            Version.first_seen,
            Endpoint.name,
            count,
            first_seen,
            last_seen,
        )
        .join(Request)
        .join(Version)
        .switch(Request)
        .join(Endpoint)
        .group_by(
            ExceptionRecord.type,
            ExceptionRecord.traceback,
            _version_id,
            Version.name,
            Version.short,
            Version.first_seen,
            Endpoint.name,
        )
    )
    if endpoint is not None:
        query = query.where(Endpoint.name == endpoint)
    range_conditions = _in_range(start, end)
    if range_conditions:
        query = query.where(*range_conditions)
    groups: dict[tuple[str, Frame | None], ExceptionGroupSummary] = {}
    version_order: dict[tuple[str, Frame | None], dict[str, float]] = {}
    # The sub-group with the latest exception: its time and traceback text.
    newest: dict[tuple[str, Frame | None], tuple[float, str]] = {}
    for (
        type_name,
        traceback,
        version_name,
        version_short,
        version_first_seen,
        endpoint_name,
        rows,
        first,
        last,
    ) in cast("Iterable[Row]", query.tuples().bind(database)):
        origin = find_origin(parse_frames(traceback))
        key = (type_name, origin)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ExceptionGroupSummary(
                type=type_name, origin=origin, count=0, first_seen=first, last_seen=last
            )
            version_order[key] = {}
            newest[key] = (last, traceback)
        group.count += rows
        group.first_seen = min(group.first_seen, first)
        group.last_seen = max(group.last_seen, last)
        if last > newest[key][0]:
            newest[key] = (last, traceback)
        version_order[key][version_label(version_short, version_name)] = (
            version_first_seen
        )
        if endpoint_name not in group.endpoints:
            group.endpoints.append(endpoint_name)
    for key, group in groups.items():
        order = version_order[key]
        group.versions = sorted(order, key=lambda label: (order[label], label))
        group.endpoints.sort()
        _fill_newest(database, group, *newest[key])
    return sorted(groups.values(), key=lambda group: (-group.last_seen, group.type))


def _fill_newest(
    database: pw.Database, group: ExceptionGroupSummary, time: float, traceback: str
) -> None:
    # One query per group, on the request time index. Of exceptions raised
    # in the same instant, the one stored last counts as the newest.
    row = (
        ExceptionRecord.select(_exception_id, ExceptionRecord.message)
        .join(Request)
        .where(
            (Request.time == time)
            & (ExceptionRecord.type == group.type)
            & (ExceptionRecord.traceback == traceback)
        )
        .order_by(_exception_id.desc())
        .tuples()
        .bind(database)
        .first()
    )
    if row is not None:
        group.latest_id, group.message = row


def get_exception(database: pw.Database, exception_id: int) -> ExceptionDetail | None:
    """Return one stored exception with its request, or None if it does not exist."""
    row = (
        ExceptionRecord.select(ExceptionRecord, Request, Version, Endpoint)
        .join(Request)
        .join(Version)
        .switch(Request)
        .join(Endpoint)
        .where(_exception_id == exception_id)
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
