"""Response-time box plots: per endpoint, and per version, user and IP of one.

Every function takes a time range ``[start, end)`` in UNIX seconds UTC and
returns exact figures from :mod:`flaskdash_tui.queries.boxstats`.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import cast

import peewee as pw

from capture.schema import Endpoint, Version
from flaskdash_tui.queries.boxstats import (
    BoxStats,
    Selection,
    compute_boxes,
    copy_requests,
)

GROUP_LIMIT = 12
"""Users or IPs shown with a box of their own; the rest share the "others" box."""

QUERY_THREADS = min(4, os.cpu_count() or 1)
"""Threads that compute the per-endpoint boxes at the same time."""

ENDPOINT_ID = cast(pw.Field, Endpoint._meta.primary_key)
VERSION_ID = cast(pw.Field, Version._meta.primary_key)

_USER_COLUMN = '"group"'
_IP_COLUMN = "ip"


@dataclass(frozen=True)
class EndpointRef:
    """An endpoint's identity, as the detail screen needs it."""

    id: int
    name: str
    rules: tuple[str, ...]
    methods: str


@dataclass(frozen=True)
class EndpointBox:
    """The box of one endpoint."""

    endpoint_id: int
    name: str
    stats: BoxStats


@dataclass(frozen=True)
class VersionInfo:
    """A deployed version, with what its label shows."""

    id: int
    name: str
    """The full commit id or the configured app version."""
    short: str
    """The short commit id, or empty for a version that is not a commit."""
    committed_at: float | None
    summary: str
    first_seen: float

    @property
    def short_name(self) -> str:
        """The short commit id, else the first 12 characters of the name."""
        return self.short or self.name[:12]


@dataclass(frozen=True)
class VersionBox:
    """The box of one version of one endpoint."""

    version: VersionInfo
    stats: BoxStats


@dataclass(frozen=True)
class GroupBox:
    """The box of one user or IP, or of the others folded together."""

    key: str | None
    """The user id or IP; None for the "others" box."""
    members: int
    """How many users or IPs the box contains: 1 unless it is "others"."""
    stats: BoxStats


@dataclass(frozen=True)
class GridCell:
    """One user's requests to one version."""

    median: float
    count: int


@dataclass(frozen=True)
class UserVersionGrid:
    """Median duration per user (rows) and version (columns) of one endpoint."""

    users: list[str | None]
    """User ids, most requests first; None is the "others" row, always last."""
    others: int
    """How many users the "others" row contains, 0 when there is none."""
    versions: list[VersionInfo]
    """Versions in the order they were first seen."""
    cells: dict[tuple[str | None, int], GridCell]
    """Cells by user and version id; a missing key is a pair without requests."""


def find_endpoint(database: pw.Database, name: str) -> EndpointRef | None:
    """Return the endpoint called ``name``, or None when there is none."""
    row = Endpoint.select().where(Endpoint.name == name).bind(database).first()
    if row is None:
        return None
    return _endpoint_ref(row)


def _endpoint_ref(row: Endpoint) -> EndpointRef:
    rules = tuple(line for line in row.rules.splitlines() if line)
    return EndpointRef(row.get_id(), row.name, rules, row.methods)


def endpoint_boxes(
    database: pw.Database, *, start: float, end: float
) -> list[EndpointBox]:
    """Compute one box per monitored endpoint with requests in ``[start, end)``.

    The endpoints are computed in parallel on :data:`QUERY_THREADS` threads,
    each with its own connection, because Python's sqlite3 module releases
    the global interpreter lock while SQLite runs a statement.

    Returns:
        The boxes, slowest median first; ties by endpoint name.
    """
    query = (
        Endpoint.select(ENDPOINT_ID, Endpoint.name)
        .where(Endpoint.monitored == True)  # noqa: E712 (peewee expression)
        .order_by(Endpoint.hits.desc(), ENDPOINT_ID)
        .tuples()
        .bind(database)
    )
    # Most requested first, so that the longest queries start first.
    endpoints = cast("list[tuple[int, str]]", list(query))

    def compute(endpoint: tuple[int, str]) -> EndpointBox | None:
        endpoint_id, name = endpoint
        where_sql, where_params = _endpoint_where(database, endpoint_id, start, end)
        # One selection per endpoint reads one range of the (endpoint, time,
        # duration) index and never the table rows.
        selection = Selection("endpoint_id", where_sql, (), where_params)
        with database.connection_context():
            stats = compute_boxes(database, selection).get(endpoint_id)
        return None if stats is None else EndpointBox(endpoint_id, name, stats)

    with ThreadPoolExecutor(QUERY_THREADS, thread_name_prefix="boxes") as pool:
        results = list(pool.map(compute, endpoints))
    boxes = [box for box in results if box is not None]
    boxes.sort(key=lambda box: (-box.stats.median, box.name))
    return boxes


def version_boxes(
    database: pw.Database, endpoint_id: int, *, start: float, end: float
) -> list[VersionBox]:
    """Compute one box per version of an endpoint, in the order first seen."""
    where_sql, where_params = _endpoint_where(database, endpoint_id, start, end)
    with (
        database.atomic(),
        copy_requests(database, ["version_id"], where_sql, where_params) as table,
    ):
        selection = Selection("version_id", "1 = 1", table=table)
        stats = compute_boxes(database, selection)
    versions = _versions(database, [key for key in stats if isinstance(key, int)])
    return [VersionBox(version, stats[version.id]) for version in versions]


def user_boxes(
    database: pw.Database,
    endpoint_id: int,
    *,
    start: float,
    end: float,
    limit: int = GROUP_LIMIT,
) -> list[GroupBox]:
    """Compute one box per user of an endpoint, most requests first.

    The user is the id that the app's group-by callable returned, or the
    client IP where it had none. Past ``limit`` users, the rest share one
    "others" box, last.
    """
    return _group_boxes(database, endpoint_id, _USER_COLUMN, start, end, limit)


def ip_boxes(
    database: pw.Database,
    endpoint_id: int,
    *,
    start: float,
    end: float,
    limit: int = GROUP_LIMIT,
) -> list[GroupBox]:
    """Compute one box per client IP of an endpoint, like :func:`user_boxes`."""
    return _group_boxes(database, endpoint_id, _IP_COLUMN, start, end, limit)


def user_version_grid(
    database: pw.Database,
    endpoint_id: int,
    *,
    start: float,
    end: float,
    limit: int = GROUP_LIMIT,
) -> UserVersionGrid:
    """Compute the median duration per user and version of an endpoint.

    Users are ordered and folded into "others" as in :func:`user_boxes`.
    """
    where_sql, where_params = _endpoint_where(database, endpoint_id, start, end)
    param = database.param
    with (
        database.atomic(),
        copy_requests(
            database, [_USER_COLUMN, "version_id"], where_sql, where_params
        ) as table,
    ):
        top, others = _top_groups(database, _USER_COLUMN, table, limit)
        if others:
            marks = ", ".join([param] * len(top))
            user_sql = (
                f"CASE WHEN {_USER_COLUMN} IN ({marks}) THEN 'u' || {_USER_COLUMN}"
                " ELSE 'o' END"
            )
            key_params: tuple[str, ...] = tuple(top)
        else:
            user_sql = f"'u' || {_USER_COLUMN}"
            key_params = ()
        # The key "<version id>|u<user>" or "<version id>|o" splits at the
        # first "|" because a version id is a number.
        selection = Selection(
            f"CAST(version_id AS TEXT) || '|' || {user_sql}",
            "1 = 1",
            key_params,
            table=table,
        )
        stats = compute_boxes(database, selection)
    cells: dict[tuple[str | None, int], GridCell] = {}
    for key, box in stats.items():
        version_text, _, user_text = str(key).partition("|")
        user = user_text[1:] if user_text.startswith("u") else None
        cells[(user, int(version_text))] = GridCell(box.median, box.count)
    users: list[str | None] = list(top)
    if others:
        users.append(None)
    versions = _versions(database, sorted({version for _, version in cells}))
    return UserVersionGrid(users, others, versions, cells)


def _endpoint_where(
    database: pw.Database, endpoint_id: int, start: float, end: float
) -> tuple[str, tuple[float, ...]]:
    param = database.param
    sql = f"endpoint_id = {param} AND time >= {param} AND time < {param}"
    return sql, (endpoint_id, start, end)


def _group_boxes(
    database: pw.Database,
    endpoint_id: int,
    column: str,
    start: float,
    end: float,
    limit: int,
) -> list[GroupBox]:
    where_sql, where_params = _endpoint_where(database, endpoint_id, start, end)
    with (
        database.atomic(),
        copy_requests(database, [column], where_sql, where_params) as table,
    ):
        top, others = _top_groups(database, column, table, limit)
        if others:
            marks = ", ".join([database.param] * len(top))
            selection = Selection(
                f"CASE WHEN {column} IN ({marks}) THEN {column} END",
                "1 = 1",
                tuple(top),
                table=table,
            )
        else:
            selection = Selection(column, "1 = 1", table=table)
        stats: dict[Hashable, BoxStats] = compute_boxes(database, selection)
    boxes = [GroupBox(key, 1, stats[key]) for key in top if key in stats]
    if others and None in stats:
        boxes.append(GroupBox(None, others, stats[None]))
    return boxes


def _top_groups(
    database: pw.Database, column: str, table: str, limit: int
) -> tuple[list[str], int]:
    """Return the ``limit`` groups with the most requests, and how many remain."""
    sql = (
        f"SELECT {column}, COUNT(*) AS hits FROM {table}"
        f" GROUP BY {column} ORDER BY hits DESC, {column}"
    )
    groups = [row[0] for row in database.execute_sql(sql)]
    if len(groups) <= limit:
        return groups, 0
    return groups[:limit], len(groups) - limit


def _versions(database: pw.Database, ids: list[int]) -> list[VersionInfo]:
    if not ids:
        return []
    query = (
        Version.select()
        .where(VERSION_ID.in_(ids))
        .order_by(Version.first_seen, VERSION_ID)
        .bind(database)
    )
    return [
        VersionInfo(
            row.get_id(),
            row.name,
            row.short,
            row.committed_at,
            row.summary,
            row.first_seen,
        )
        for row in query
    ]
