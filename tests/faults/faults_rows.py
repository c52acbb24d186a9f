"""Row builders for the outlier and exception tests, writing through the models."""

from __future__ import annotations

import json

import peewee as pw

from capture.schema import Endpoint, ExceptionRecord, Outlier, Request, Version

APP_FILE = "/srv/zeeguu/api/translations.py"
FLASK_FILE = "/srv/venv/lib/python3.11/site-packages/flask/app.py"
STDLIB_FILE = "/usr/lib/python3.11/threading.py"


def frame(file: str, line: int, function: str, code: str) -> dict[str, object]:
    """Build one stored frame in the JSON shape that capture writes."""
    return {"file": file, "line": line, "function": function, "code": code}


SLOW_STACK = [
    frame(STDLIB_FILE, 1002, "_bootstrap_inner", "self.run()"),
    frame(FLASK_FILE, 902, "dispatch_request", "return self.ensure_sync(rule)(**args)"),
    frame(APP_FILE, 40, "get_possible_translations", "return lookup(word)"),
    frame(APP_FILE, 12, "lookup", "time.sleep(delay)"),
]


class Rows:
    """Inserts endpoints, versions, requests, outliers and exceptions."""

    def __init__(self, database: pw.Database) -> None:
        self.database = database

    def endpoint(self, name: str) -> int:
        """Insert an endpoint, or return the id of the existing one."""
        existing = Endpoint.select().where(Endpoint.name == name).bind(self.database)
        row = existing.first()
        if row is not None:
            return int(row.id)
        return int(Endpoint.insert(name=name, first_seen=0.0).execute(self.database))

    def version(self, name: str, first_seen: float, short: str = "") -> int:
        """Insert a version, or return the id of the existing one."""
        row = Version.select().where(Version.name == name).bind(self.database).first()
        if row is not None:
            return int(row.id)
        return int(
            Version.insert(name=name, short=short, first_seen=first_seen).execute(
                self.database
            )
        )

    def request(
        self,
        endpoint: str,
        time: float,
        duration: float = 10.0,
        *,
        version: str = "v1",
        status: int = 200,
        group: str = "user-1",
        method: str = "GET",
    ) -> int:
        """Insert a request and return its id."""
        return int(
            Request.insert(
                endpoint=self.endpoint(endpoint),
                time=time,
                duration=duration,
                method=method,
                status=status,
                version=self.version(version, first_seen=time),
                group=group,
                ip="127.0.0.1",
            ).execute(self.database)
        )

    def outlier(
        self,
        request_id: int,
        *,
        average: float = 100.0,
        stack: list[dict[str, object]] | None = None,
        url: str = "http://127.0.0.1/translate",
        headers: dict[str, object] | None = None,
        arguments: dict[str, object] | None = None,
        stacktrace_text: str | None = None,
    ) -> None:
        """Insert the outlier details of a request."""
        Outlier.insert(
            request=request_id,
            average=average,
            stacktrace=stacktrace_text
            if stacktrace_text is not None
            else json.dumps(SLOW_STACK if stack is None else stack),
            cpu_percent=42.5,
            memory=150 * 1024 * 1024,
            load_average=0.75,
            url=url,
            headers=json.dumps(headers or {"User-Agent": "pytest"}),
            arguments=json.dumps(arguments or {"word": "huis"}),
        ).execute(self.database)

    def exception(
        self,
        request_id: int,
        type_name: str,
        stack: list[dict[str, object]],
        message: str = "",
    ) -> int:
        """Insert an exception of a request and return its id."""
        return int(
            ExceptionRecord.insert(
                request=request_id,
                type=type_name,
                message=message,
                traceback=json.dumps(stack),
            ).execute(self.database)
        )
