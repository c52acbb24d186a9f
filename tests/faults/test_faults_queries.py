"""The outlier and exception queries, on rows inserted through the models."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest
from faults_rows import (
    APP_FILE,
    FLASK_FILE,
    SLOW_STACK,
    STDLIB_FILE,
    Rows,
    frame,
)

import capture
from capture.schema import ExceptionRecord
from flaskdash_tui.clipboard import outlier_text
from flaskdash_tui.queries.exception_groups import (
    ExceptionGroups,
    list_exception_groups,
)
from flaskdash_tui.queries.faults import (
    get_exception,
    get_outlier,
    list_outliers,
)
from flaskdash_tui.queries.frames import (
    FrameKind,
    classify_file,
    find_origin,
    parse_frames,
    parse_mapping,
    short_path,
)
from flaskdash_tui.widgets.stacktrace import NO_SAMPLE

ENDPOINT = "api.get_possible_translations"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (APP_FILE, FrameKind.APP),
        ("app.py", FrameKind.APP),
        (FLASK_FILE, FrameKind.LIBRARY),
        ("/usr/lib/python3/dist-packages/werkzeug/serving.py", FrameKind.LIBRARY),
        ("C:\\venv\\Lib\\site-packages\\flask\\app.py", FrameKind.LIBRARY),
        (capture.__file__, FrameKind.LIBRARY),
        (STDLIB_FILE, FrameKind.STDLIB),
        ("/opt/python/lib/python3.13t/socketserver.py", FrameKind.STDLIB),
        ("<frozen importlib._bootstrap>", FrameKind.STDLIB),
        (pw.__file__, FrameKind.LIBRARY),
    ],
)
def test_classify_file(path: str, kind: FrameKind) -> None:
    assert classify_file(path) is kind


@pytest.mark.parametrize(
    ("path", "short"),
    [
        (FLASK_FILE, "flask/app.py"),
        (STDLIB_FILE, "threading.py"),
        ("/usr/lib/python3/dist-packages/werkzeug/serving.py", "werkzeug/serving.py"),
        (
            "/v/lib/python3.11/site-packages/gunicorn/lib/python3.11/x.py",
            "gunicorn/lib/python3.11/x.py",
        ),
        (APP_FILE, APP_FILE),
    ],
)
def test_short_path(path: str, short: str) -> None:
    assert short_path(path) == short


def test_parse_frames_malformed() -> None:
    assert parse_frames("") == []
    assert parse_frames("not json") == []
    assert parse_frames('{"file": "a.py"}') == []
    frames = parse_frames('[1, {"file": "a.py", "line": "7", "function": null}]')
    assert len(frames) == 1
    assert frames[0].file == "a.py"
    assert frames[0].line is None
    assert frames[0].function == ""


def test_find_origin_prefers_app_frame() -> None:
    frames = parse_frames(
        '[{"file": "app.py", "line": 3, "function": "view", "code": "f()"},'
        ' {"file": "/usr/lib/python3.11/json/decoder.py", "line": 9,'
        ' "function": "decode", "code": "raise"}]'
    )
    origin = find_origin(frames)
    assert origin is not None
    assert origin.function == "view"
    assert find_origin(frames[1:]) == frames[1]
    assert find_origin([]) is None


def test_parse_mapping() -> None:
    assert parse_mapping('{"a": "1", "b": ["x", "y"], "c": 3}') == [
        ("a", "1"),
        ("b", '["x", "y"]'),
        ("c", "3"),
    ]
    assert parse_mapping("[1]") == [("(unparsed)", "[1]")]
    assert parse_mapping("{") == [("(unparsed)", "{")]
    assert parse_mapping("") == []


def test_list_outliers_newest_first(database: pw.Database, rows: Rows) -> None:
    old = rows.request(ENDPOINT, time=1000.0, duration=900.0, version="aaa")
    new = rows.request(ENDPOINT, time=2000.0, duration=500.0, version="bbb")
    rows.request(ENDPOINT, time=3000.0, duration=5.0)
    other = rows.request("api.learned_language", time=4000.0, duration=800.0)
    for request_id in (old, new, other):
        rows.outlier(request_id, average=100.0)

    outliers = list_outliers(database, ENDPOINT)

    assert [o.request_id for o in outliers] == [new, old]
    assert outliers[0].ratio == pytest.approx(5.0)
    assert outliers[0].version == "bbb"
    assert outliers[1].duration == 900.0
    assert outliers[1].status == 200
    assert list_outliers(database, ENDPOINT, limit=1)[0].request_id == new
    assert list_outliers(database, "api.unknown") == []


def test_list_outliers_zero_average(database: pw.Database, rows: Rows) -> None:
    rows.outlier(rows.request(ENDPOINT, time=1.0, duration=50.0), average=0.0)
    assert list_outliers(database, ENDPOINT)[0].ratio is None


def test_get_outlier_details(database: pw.Database, rows: Rows) -> None:
    request_id = rows.request(ENDPOINT, time=10.0, duration=3000.0, method="POST")
    rows.outlier(
        request_id,
        headers={"User-Agent": "curl/8", "Cookie": "[redacted]"},
        arguments={"word": ["huis", "boom"]},
    )

    detail = get_outlier(database, request_id)

    assert detail is not None
    assert detail.endpoint == ENDPOINT
    assert detail.summary.method == "POST"
    assert [f.function for f in detail.frames] == [f["function"] for f in SLOW_STACK]
    assert [f.kind for f in detail.frames] == [
        FrameKind.STDLIB,
        FrameKind.LIBRARY,
        FrameKind.APP,
        FrameKind.APP,
    ]
    assert detail.cpu_percent == 42.5
    assert detail.memory == 150 * 1024 * 1024
    assert detail.load_average == 0.75
    assert detail.headers == [("User-Agent", "curl/8"), ("Cookie", "[redacted]")]
    assert detail.arguments == [("word", '["huis", "boom"]')]
    assert get_outlier(database, request_id + 1) is None


def test_get_outlier_damaged_trace(database: pw.Database, rows: Rows) -> None:
    request_id = rows.request(ENDPOINT, time=10.0)
    rows.outlier(request_id, stacktrace_text="{truncated")
    detail = get_outlier(database, request_id)
    assert detail is not None
    assert detail.frames == []


def _raising_stack(app_line: int, library_line: int) -> list[dict[str, object]]:
    return [
        frame(FLASK_FILE, library_line, "dispatch_request", "return view()"),
        frame(APP_FILE, app_line, "report_outcome", "outcome = data['outcome']"),
        frame(STDLIB_FILE, 7, "__getitem__", "raise KeyError(key)"),
    ]


def test_exception_groups_merge_same_origin(database: pw.Database, rows: Rows) -> None:
    # Two tracebacks that differ only in a library frame share their origin.
    first = rows.request(ENDPOINT, time=100.0, status=500, version="old")
    rows.exception(first, "builtins.KeyError", _raising_stack(20, 900), "'a'")
    second = rows.request("api.other", time=300.0, status=500, version="new")
    newest = rows.exception(
        second, "builtins.KeyError", _raising_stack(20, 901), "'outcome'"
    )
    third = rows.request(ENDPOINT, time=200.0, status=500, version="old")
    rows.exception(third, "builtins.KeyError", _raising_stack(20, 900), "'b'")
    elsewhere = rows.request(ENDPOINT, time=400.0, status=500, version="old")
    rows.exception(elsewhere, "builtins.KeyError", _raising_stack(33, 900), "'c'")
    other_type = rows.request(ENDPOINT, time=50.0, status=500, version="old")
    rows.exception(other_type, "builtins.ValueError", _raising_stack(20, 900))

    groups = list_exception_groups(database)

    assert [(g.type, g.count) for g in groups] == [
        ("builtins.KeyError", 1),
        ("builtins.KeyError", 3),
        ("builtins.ValueError", 1),
    ]
    merged = groups[1]
    assert merged.origin is not None
    assert merged.origin.line == 20
    assert merged.origin.function == "report_outcome"
    assert merged.first_seen == 100.0
    assert merged.last_seen == 300.0
    assert merged.versions == ["old", "new"]
    assert merged.endpoints == [ENDPOINT, "api.other"]
    assert merged.latest_id == newest
    assert merged.message == "'outcome'"
    assert groups[0].origin is not None
    assert groups[0].origin.line == 33


def test_exception_group_newest_by_time(database: pw.Database, rows: Rows) -> None:
    # The writer may store a later request first, so ids do not follow time.
    later = rows.request(ENDPOINT, time=500.0, status=500)
    newest = rows.exception(later, "builtins.KeyError", _raising_stack(20, 900), "new")
    earlier = rows.request(ENDPOINT, time=400.0, status=500)
    rows.exception(earlier, "builtins.KeyError", _raising_stack(20, 900), "old")

    groups = list_exception_groups(database)

    assert len(groups) == 1
    assert groups[0].latest_id == newest
    assert groups[0].message == "new"


def test_exception_group_newest_tie_stored_last(
    database: pw.Database, rows: Rows
) -> None:
    # Two tracebacks of one group at the same instant: the one stored last wins,
    # whichever of the two SQLite returns last when it groups them.
    first = rows.request(ENDPOINT, time=500.0, status=500)
    rows.exception(first, "builtins.KeyError", _raising_stack(20, 901), "first")
    second = rows.request("api.other", time=500.0, status=500)
    last = rows.exception(
        second, "builtins.KeyError", _raising_stack(20, 900), "second"
    )

    groups = list_exception_groups(database)

    assert len(groups) == 1
    assert groups[0].latest_id == last
    assert groups[0].message == "second"


def test_exception_groups_of_endpoint(database: pw.Database, rows: Rows) -> None:
    matching = rows.request(ENDPOINT, time=1.0, status=500)
    rows.exception(matching, "builtins.KeyError", _raising_stack(20, 900))
    elsewhere = rows.request("api.other", time=2.0, status=500)
    rows.exception(elsewhere, "builtins.KeyError", _raising_stack(20, 900))

    groups = list_exception_groups(database, ENDPOINT)

    assert len(groups) == 1
    assert groups[0].count == 1
    assert groups[0].endpoints == [ENDPOINT]
    assert list_exception_groups(database, "api.unknown") == []


def test_exception_group_without_frames(database: pw.Database, rows: Rows) -> None:
    request_id = rows.request(ENDPOINT, time=1.0, status=500)
    rows.exception(request_id, "builtins.RuntimeError", [])
    groups = list_exception_groups(database)
    assert len(groups) == 1
    assert groups[0].origin is None


def test_get_exception(database: pw.Database, rows: Rows) -> None:
    request_id = rows.request(ENDPOINT, time=5.0, status=500, group="user-7")
    exception_id = rows.exception(
        request_id, "builtins.KeyError", _raising_stack(20, 900), "'outcome'"
    )

    detail = get_exception(database, exception_id)

    assert detail is not None
    assert detail.type == "builtins.KeyError"
    assert detail.message == "'outcome'"
    assert detail.endpoint == ENDPOINT
    assert detail.status == 500
    assert detail.group == "user-7"
    assert [f.line for f in detail.frames] == [900, 20, 7]
    assert get_exception(database, exception_id + 1) is None


def test_fault_lists_time_range(database: pw.Database, rows: Rows) -> None:
    for time in (100.0, 200.0, 300.0):
        request_id = rows.request(ENDPOINT, time=time, status=500)
        rows.outlier(request_id)
        rows.exception(
            request_id, "builtins.KeyError", _raising_stack(20, 900), str(time)
        )

    outliers = list_outliers(database, ENDPOINT, start=150.0, end=300.0)
    groups = list_exception_groups(database, ENDPOINT, start=150.0, end=300.0)

    assert [o.time for o in outliers] == [200.0]
    assert len(groups) == 1
    assert groups[0].count == 1
    assert groups[0].first_seen == 200.0
    assert groups[0].message == "200.0"
    assert len(list_outliers(database, ENDPOINT, start=150.0)) == 2
    assert len(list_outliers(database, ENDPOINT, end=150.0)) == 1


def test_exception_groups_update_reads_new(database: pw.Database, rows: Rows) -> None:
    groups = ExceptionGroups(ENDPOINT)
    first = rows.request(ENDPOINT, time=100.0, status=500, version="old")
    rows.exception(first, "builtins.KeyError", _raising_stack(20, 900), "first")
    assert groups.update(database)[0].count == 1

    second = rows.request(ENDPOINT, time=200.0, status=500, version="new")
    newest = rows.exception(
        second, "builtins.KeyError", _raising_stack(20, 901), "second"
    )
    other = rows.request(ENDPOINT, time=150.0, status=500)
    rows.exception(other, "builtins.ValueError", _raising_stack(40, 900))

    updated = groups.update(database)

    assert [(g.type, g.count) for g in updated] == [
        ("builtins.KeyError", 2),
        ("builtins.ValueError", 1),
    ]
    assert updated[0].versions == ["old", "new"]
    assert updated[0].first_seen == 100.0
    assert updated[0].latest_id == newest
    assert updated[0].message == "second"
    assert groups.update(database) == updated


def test_exception_groups_update_after_delete(
    database: pw.Database, rows: Rows
) -> None:
    groups = ExceptionGroups()
    remaining = rows.request(ENDPOINT, time=100.0, status=500)
    rows.exception(remaining, "builtins.KeyError", _raising_stack(20, 900))
    deleted = rows.request(ENDPOINT, time=200.0, status=500)
    rows.exception(deleted, "builtins.ValueError", _raising_stack(40, 900))
    assert len(groups.update(database)) == 2

    ExceptionRecord.delete().where(ExceptionRecord.request == deleted).execute(database)

    assert [g.type for g in groups.update(database)] == ["builtins.KeyError"]


def test_outlier_text_without_stack(database: pw.Database, rows: Rows) -> None:
    request_id = rows.request(ENDPOINT, time=10.0, duration=3000.0)
    rows.outlier(request_id, stacktrace_text="[]")
    detail = get_outlier(database, request_id)
    assert detail is not None

    text = outlier_text(detail, dt.timezone.utc)

    heading = "Stack while the request was slow (most recent call last):"
    lines = text.splitlines()
    assert lines[lines.index(heading) + 1] == NO_SAMPLE
