"""The demo traffic: seeded, shared users, and the designed share of failures."""

from __future__ import annotations

from collections import Counter

from flaskdash_tui.demo import service
from flaskdash_tui.demo.traffic import RequestSpec, Traffic


def test_traffic_repeats_with_seed() -> None:
    first = _draw(Traffic(3), 50)
    second = _draw(Traffic(3), 50)
    assert first == second


def test_streams_share_users() -> None:
    history = Traffic(3)
    live = Traffic(3, stream=2)
    assert history.users == live.users
    assert _draw(history, 20) != _draw(live, 20)


def test_users_are_a_few_dozen() -> None:
    requests = _draw(Traffic(4), 5000)
    sessions = Counter(request.session for request in requests)
    assert len(sessions) == service.USER_COUNT + 1
    # Logged-out requests carry no session.
    assert 0 < sessions[None] < 60


def test_some_exercise_reports_fail() -> None:
    requests = _draw(Traffic(5), 5000)
    reports = [
        request
        for request in requests
        if request.path.startswith("/report_exercise_outcome/")
    ]
    assert {request.method for request in reports} == {"POST"}
    paths = [request.path.split("?")[0] for request in reports]
    unknown = [path for path in paths if "/too_easy/" in path]
    deleted = [
        path for path in paths if not service.bookmark_exists(int(path.rsplit("/")[-1]))
    ]
    assert 0 < len(unknown) < 0.1 * len(reports)
    assert 0 < len(deleted) < 0.1 * len(reports)


def _draw(traffic: Traffic, count: int) -> list[RequestSpec]:
    return [traffic.next_request() for _ in range(count)]
