"""The database schema shared by capture (which writes) and the TUI (which reads).

Models are never bound to a database at import time, so one process can hold
several databases (tests do). Every query names its database explicitly, for
example ``Request.select().bind(db)`` or ``Endpoint.insert(...).execute(db)``.

Times are UNIX timestamps in seconds (UTC) stored as REAL, so that range
filters use the indexes and SQL can bucket them by hour or day with plain
arithmetic. Durations are milliseconds.
"""

from __future__ import annotations

import peewee as pw

SCHEMA_VERSION = 1
"""The schema version that this code writes and reads."""


class BaseModel(pw.Model):
    """Base of all flaskdash tables: no default database."""

    class Meta:
        database = None
        legacy_table_names = False


class Metadata(BaseModel):
    """Key-value pairs about the database itself, such as the schema version."""

    key = pw.CharField(primary_key=True)
    value = pw.TextField()

    class Meta:
        table_name = "flaskdash_metadata"


class Endpoint(BaseModel):
    """One Flask endpoint, with the operator's choice of whether it is monitored."""

    name = pw.CharField(unique=True)
    rules = pw.TextField(default="")
    """URL rules, one per line, in registration order."""
    methods = pw.CharField(default="")
    """HTTP methods, comma-separated and sorted, without HEAD and OPTIONS."""
    monitored = pw.BooleanField(default=True)
    first_seen = pw.FloatField()
    last_requested = pw.FloatField(null=True)
    hits = pw.IntegerField(default=0)
    """Requests seen, monitored or not."""


class Version(BaseModel):
    """One deployed version of the app: a git commit or an explicit name."""

    name = pw.CharField(unique=True)
    """The full commit id, the configured app version, or ``unknown``."""
    short = pw.CharField(default="")
    committed_at = pw.FloatField(null=True)
    summary = pw.TextField(default="")
    first_seen = pw.FloatField()


class Request(BaseModel):
    """One request to a monitored endpoint."""

    # One index only: (endpoint, time, duration) serves every query, the
    # app-wide ones by naming all endpoints. Each further index costs the
    # writer about 0.5 us of CPU per stored row on a 2-core x86_64 VM, and
    # the index on time alone that earlier versions kept cost it 18 % of its
    # instructions (cachegrind, 500-row batches).
    endpoint = pw.ForeignKeyField(
        Endpoint, backref="requests", on_delete="CASCADE", index=False
    )
    time = pw.FloatField()
    """Start of the request, UNIX seconds in UTC."""
    duration = pw.FloatField()
    """Milliseconds from a monotonic clock."""
    method = pw.CharField(max_length=16)
    status = pw.IntegerField()
    version = pw.ForeignKeyField(Version, backref="requests", index=False)
    group = pw.CharField(max_length=255)
    """The user or group id from the app's group-by callable, else the client IP."""
    ip = pw.CharField(max_length=64)

    class Meta:
        # Duration is last so that per-endpoint quantile queries over a time
        # range read this index alone, without visiting the table rows.
        indexes = ((("endpoint", "time", "duration"), False),)


DROPPED_INDEXES = ("request_time",)
"""Indexes that earlier versions created and that opening for writing drops."""


class Outlier(BaseModel):
    """Details collected while an unusually slow request was still running."""

    request = pw.ForeignKeyField(
        Request, backref="outliers", unique=True, on_delete="CASCADE"
    )
    average = pw.FloatField()
    """The endpoint's running average in ms when the request was flagged."""
    stacktrace = pw.TextField()
    """JSON list of frames: {"file", "line", "function", "code"}."""
    cpu_percent = pw.FloatField(null=True)
    memory = pw.IntegerField(null=True)
    """Resident memory of the process in bytes."""
    load_average = pw.FloatField(null=True)
    url = pw.TextField(default="")
    headers = pw.TextField(default="{}")
    """JSON object, with secrets redacted."""
    arguments = pw.TextField(default="{}")
    """JSON object of query and form arguments, with secrets redacted."""


class ExceptionRecord(BaseModel):
    """An exception that escaped a view."""

    request = pw.ForeignKeyField(Request, backref="exceptions", on_delete="CASCADE")
    type = pw.CharField()
    """Qualified name of the exception class, such as ``builtins.KeyError``."""
    message = pw.TextField(default="")
    traceback = pw.TextField()
    """JSON list of frames: {"file", "line", "function", "code"}."""

    class Meta:
        table_name = "exception"


MODELS: list[type[BaseModel]] = [
    Metadata,
    Endpoint,
    Version,
    Request,
    Outlier,
    ExceptionRecord,
]
"""Every table, in creation order."""
