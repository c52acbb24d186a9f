"""The replayed history, read back from the database that capture wrote."""

from __future__ import annotations

import json
from datetime import datetime
from statistics import median

import peewee as pw
from demo_history import HISTORY_DAYS, HISTORY_NOW, History

from capture.schema import Endpoint, ExceptionRecord, Outlier, Request, Version
from flaskdash_tui.demo import service
from flaskdash_tui.demo.history import TIME_ZONE


def durations(db: pw.Database, endpoint: str, **where: object) -> list[float]:
    query = (
        Request.select(Request.duration).join(Endpoint).where(Endpoint.name == endpoint)
    )
    for field, value in where.items():
        query = query.where(getattr(Request, field) == value)
    return [row.duration for row in query.bind(db)]


def test_every_request_stored(history: History) -> None:
    stored = Request.select().bind(history.db).count()
    assert stored == sum(history.summary.requests)
    assert stored > 3000


def test_history_covers_days(history: History) -> None:
    times = [row.time for row in Request.select(Request.time).bind(history.db)]
    days = {datetime.fromtimestamp(moment, TIME_ZONE).date() for moment in times}
    assert len(days) == HISTORY_DAYS + 1
    assert min(times) >= history.summary.start
    assert max(times) < HISTORY_NOW + 60


def test_two_versions_in_order(history: History) -> None:
    versions = list(Version.select().order_by(Version.committed_at).bind(history.db))
    assert len(versions) == 2
    old, new = versions
    assert new.summary == "Ask the translation services in parallel"
    counts = [
        Request.select().where(Request.version == version).bind(history.db).count()
        for version in versions
    ]
    assert counts == history.summary.requests
    latest_old = (
        Request.select(pw.fn.MAX(Request.time))
        .where(Request.version == old)
        .bind(history.db)
        .scalar()
    )
    assert latest_old < history.summary.deployed_at


def test_new_version_translates_faster(history: History) -> None:
    old, new = Version.select().order_by(Version.committed_at).bind(history.db)
    endpoint = "api.get_possible_translations"
    before = median(durations(history.db, endpoint, version=old.id))
    after = median(durations(history.db, endpoint, version=new.id))
    assert after < 0.7 * before


def test_recommendation_cost_follows_subscriptions(history: History) -> None:
    by_user: dict[int, float] = {}
    for number in range(1, service.USER_COUNT + 1):
        user = service.user_name(number)
        found = durations(history.db, "api.get_article_difficulties", group=user)
        if found:
            by_user[service.subscriptions_of(user)] = median(found)
    many = [cost for sources, cost in by_user.items() if sources >= 30]
    few = [cost for sources, cost in by_user.items() if sources <= 6]
    assert many
    assert few
    assert min(many) > 2 * max(few)


def test_users_are_groups(history: History) -> None:
    groups = {
        row.group for row in Request.select(Request.group).distinct().bind(history.db)
    }
    users = {service.user_name(number) for number in range(1, service.USER_COUNT + 1)}
    assert len(groups & users) >= 30
    # Logged-out requests fall back to the client address.
    assert any(group.startswith("192.0.2.") for group in groups)


def test_history_has_errors(history: History) -> None:
    statuses = {
        row.status for row in Request.select(Request.status).distinct().bind(history.db)
    }
    assert {200, 201, 400, 401, 500} <= statuses


def test_history_has_no_zero_durations(history: History) -> None:
    # A request rejected before the view's work still costs routing time.
    shortest = Request.select(pw.fn.MIN(Request.duration)).bind(history.db).scalar()
    rejected = Request.select().where(Request.status == 401).bind(history.db)
    assert rejected.count() > 0
    assert shortest >= service.BASE_COST_MS[0]
    assert min(row.duration for row in rejected) > 0


def test_history_has_exceptions(history: History) -> None:
    types = {
        row.type
        for row in ExceptionRecord.select(ExceptionRecord.type).bind(history.db)
    }
    assert "builtins.TypeError" in types


def test_history_has_outliers(history: History) -> None:
    assert Outlier.select().bind(history.db).count() >= 1


def test_outlier_stack_names_slow_function(history: History) -> None:
    outliers = (
        Outlier.select(Outlier.stacktrace)
        .join(Request)
        .join(Endpoint)
        .where(Endpoint.name == "api.get_starred_articles")
        .bind(history.db)
    )
    functions = [
        [frame["function"] for frame in json.loads(outlier.stacktrace)]
        for outlier in outliers
    ]
    assert functions
    assert all("_rebuild_starred_cache" in names for names in functions)
