"""The endpoint table: the app's URL rules stored per endpoint, monitored flags."""

from __future__ import annotations

from typing import Any

import flask
import peewee as pw

from capture.schema import Endpoint

STATIC = "static"
"""Flask's endpoint for static files, which starts unmonitored."""

EndpointMap = dict[str, tuple[str, str]]
"""Endpoint name to (rules, methods) as the endpoint table stores them."""


def endpoint_map(app: flask.Flask) -> EndpointMap:
    """Return the app's endpoints with their rules and methods.

    Rules are joined by newlines in registration order; methods are sorted,
    comma-separated and without HEAD and OPTIONS.
    """
    rules: dict[str, list[str]] = {}
    methods: dict[str, set[str]] = {}
    for rule in list(app.url_map.iter_rules()):
        rules.setdefault(rule.endpoint, []).append(rule.rule)
        methods.setdefault(rule.endpoint, set()).update(rule.methods or ())
    return {
        name: (
            "\n".join(endpoint_rules),
            ",".join(sorted(methods[name] - {"HEAD", "OPTIONS"})),
        )
        for name, endpoint_rules in rules.items()
    }


def store_endpoints(
    db: pw.Database, endpoints: EndpointMap, now: float, monitor_new: bool
) -> None:
    """Insert new endpoints and update changed rules; keep monitored flags.

    Args:
        db: The open database.
        endpoints: The app's endpoints, from :func:`endpoint_map`.
        now: The first-seen time of new endpoints, UNIX seconds.
        monitor_new: Whether new endpoints, except ``static``, are monitored.
    """
    query = Endpoint.select(Endpoint.name, Endpoint.rules, Endpoint.methods)
    rows: Any = query.bind(db).tuples()
    stored = {name: (rules, methods) for name, rules, methods in rows}
    new_rows = [
        {
            "name": name,
            "rules": rules,
            "methods": methods,
            "monitored": monitor_new and name != STATIC,
            "first_seen": now,
        }
        for name, (rules, methods) in endpoints.items()
        if name not in stored
    ]
    with db.atomic():
        if new_rows:
            Endpoint.insert_many(new_rows).on_conflict_ignore().execute(db)
        for name, (rules, methods) in endpoints.items():
            if name in stored and stored[name] != (rules, methods):
                Endpoint.update(rules=rules, methods=methods).where(
                    Endpoint.name == name
                ).execute(db)


def store_unlisted_endpoints(
    db: pw.Database, names: set[str], now: float, monitor_new: bool
) -> None:
    """Insert endpoints that requests named but the app's rules do not list."""
    rows = [
        {"name": name, "monitored": monitor_new, "first_seen": now} for name in names
    ]
    Endpoint.insert_many(rows).on_conflict_ignore().execute(db)


def read_endpoints(db: pw.Database) -> tuple[dict[str, int], frozenset[str]]:
    """Return endpoint ids by name and the names of monitored endpoints."""
    ids: dict[str, int] = {}
    monitored: set[str] = set()
    query = Endpoint.select(
        Endpoint.name,
        Endpoint.id,  # type: ignore[attr-defined]
        Endpoint.monitored,
    )
    rows: Any = query.tuples().bind(db)
    for name, endpoint_id, is_monitored in rows:
        ids[name] = endpoint_id
        if is_monitored:
            monitored.add(name)
    return ids, frozenset(monitored)
