"""The box-plot queries against numpy on the same durations."""

from __future__ import annotations

import numpy as np
import peewee as pw
import pytest
from perf_data import MARKUP_NAME, RANGE_END, RANGE_START, VERSIONS, PerfData

from capture.database import open_database
from capture.schema import Endpoint, Request, Version
from flaskdash_tui.queries.boxstats import WHISKER_IQR, BoxStats
from flaskdash_tui.queries.performance import (
    endpoint_boxes,
    find_endpoint,
    ip_boxes,
    user_boxes,
    user_version_grid,
    version_boxes,
)

PERCENTS = (0, 25, 50, 75, 90, 99, 100)
# The same figures summed in a different order can differ in the last bit.
TOLERANCE = 1e-9


def figures(stats: BoxStats) -> list[float]:
    return [
        stats.minimum,
        stats.p25,
        stats.median,
        stats.p75,
        stats.p90,
        stats.p99,
        stats.maximum,
    ]


def check_against_numpy(stats: BoxStats, durations: np.ndarray) -> None:
    """Assert exact quantiles, whiskers and outlier counts for ``durations``."""
    assert stats.count == len(durations)
    expected = np.percentile(durations, PERCENTS)
    assert figures(stats) == pytest.approx(list(expected), rel=TOLERANCE)

    q1, q3 = np.percentile(durations, [25, 75])
    low_fence = q1 - WHISKER_IQR * (q3 - q1)
    high_fence = q3 + WHISKER_IQR * (q3 - q1)
    inside = durations[(durations >= low_fence) & (durations <= high_fence)]
    assert stats.whisker_low == inside.min()
    assert stats.whisker_high == inside.max()
    assert stats.outliers_low == int((durations < low_fence).sum())
    assert stats.outliers_high == int((durations > high_fence).sum())

    outlying = set(durations[(durations < low_fence) | (durations > high_fence)])
    assert set(stats.outlier_points) <= outlying
    if outlying:
        assert max(outlying) in stats.outlier_points
        assert min(outlying) in stats.outlier_points


def test_endpoint_boxes_match_numpy(database: pw.Database, perf_data: PerfData) -> None:
    boxes = endpoint_boxes(database, start=RANGE_START, end=RANGE_END)
    assert boxes
    for box in boxes:
        check_against_numpy(box.stats, perf_data.durations(box.name))


def test_endpoint_boxes_sorted_by_median(database: pw.Database) -> None:
    boxes = endpoint_boxes(database, start=RANGE_START, end=RANGE_END)
    medians = [box.stats.median for box in boxes]
    assert medians == sorted(medians, reverse=True)
    assert boxes[0].name == "api.slow"


def test_endpoint_boxes_skip_unmonitored(database: pw.Database) -> None:
    names = {box.name for box in endpoint_boxes(database, start=0, end=RANGE_END)}
    assert "api.hidden" not in names
    assert MARKUP_NAME in names


def test_endpoint_boxes_exclude_outside_range(
    database: pw.Database, perf_data: PerfData
) -> None:
    boxes = {box.name: box for box in endpoint_boxes(database, start=0, end=RANGE_END)}
    in_range = perf_data.durations("api.slow")
    assert boxes["api.slow"].stats.count == len(in_range) + 50
    recent = endpoint_boxes(database, start=RANGE_START, end=RANGE_END)
    slow = next(box for box in recent if box.name == "api.slow")
    assert slow.stats.count == len(in_range)


def test_endpoint_boxes_empty_range(database: pw.Database) -> None:
    assert endpoint_boxes(database, start=RANGE_END, end=RANGE_END + 10) == []


def test_small_endpoints_exact(database: pw.Database) -> None:
    boxes = {
        box.name: box
        for box in endpoint_boxes(database, start=RANGE_START, end=RANGE_END)
    }
    single = boxes["api.single"].stats
    assert figures(single) == [42.5] * 7
    assert single.outliers == 0
    pair = boxes["api.pair"].stats
    assert figures(pair) == pytest.approx([10, 15, 20, 25, 28, 29.8, 30])


def test_ties_and_zeros_exact(database: pw.Database, perf_data: PerfData) -> None:
    boxes = {
        box.name: box
        for box in endpoint_boxes(database, start=RANGE_START, end=RANGE_END)
    }
    stats = boxes["api.ties"].stats
    check_against_numpy(stats, perf_data.durations("api.ties"))
    assert stats.minimum == 0.0
    assert stats.maximum == 5000.0
    assert 5000.0 in stats.outlier_points


def test_version_boxes_order_and_figures(
    database: pw.Database, perf_data: PerfData
) -> None:
    endpoint_id = perf_data.endpoint_ids["api.slow"]
    boxes = version_boxes(database, endpoint_id, start=RANGE_START, end=RANGE_END)
    by_first_seen = sorted(VERSIONS, key=lambda version: -version[2])
    assert [box.version.name for box in boxes] == [v[0] for v in by_first_seen]
    assert [box.version.short for box in boxes] == [v[1] for v in by_first_seen]
    assert boxes[1].version.summary == "Add [red]feeds[/red]"
    for box in boxes:
        durations = perf_data.durations("api.slow", version=box.version.name)
        check_against_numpy(box.stats, durations)


def test_user_boxes_fold_others(database: pw.Database, perf_data: PerfData) -> None:
    endpoint_id = perf_data.endpoint_ids["api.slow"]
    boxes = user_boxes(database, endpoint_id, start=RANGE_START, end=RANGE_END, limit=5)
    assert len(boxes) == 6
    assert boxes[-1].key is None
    counts = [box.stats.count for box in boxes[:-1]]
    assert counts == sorted(counts, reverse=True)
    users = {row.group for row in perf_data.rows if row.endpoint == "api.slow"}
    assert boxes[-1].members == len(users) - 5

    for box in boxes[:-1]:
        assert box.members == 1
        assert box.key is not None
        check_against_numpy(box.stats, perf_data.durations("api.slow", group=box.key))
    top = {box.key for box in boxes[:-1]}
    others = [
        row.duration
        for row in perf_data.rows
        if row.endpoint == "api.slow"
        and RANGE_START <= row.time < RANGE_END
        and row.group not in top
    ]
    check_against_numpy(boxes[-1].stats, np.array(others))


def test_user_boxes_without_folding(database: pw.Database, perf_data: PerfData) -> None:
    endpoint_id = perf_data.endpoint_ids["api.fast"]
    users = {row.group for row in perf_data.rows if row.endpoint == "api.fast"}
    boxes = user_boxes(
        database, endpoint_id, start=RANGE_START, end=RANGE_END, limit=len(users)
    )
    assert len(boxes) == len(users)
    assert all(box.key is not None for box in boxes)
    assert sum(box.stats.count for box in boxes) == len(perf_data.durations("api.fast"))


def test_ip_boxes_match_numpy(database: pw.Database, perf_data: PerfData) -> None:
    endpoint_id = perf_data.endpoint_ids["api.slow"]
    boxes = ip_boxes(database, endpoint_id, start=RANGE_START, end=RANGE_END, limit=3)
    assert [box.key is None for box in boxes] == [False, False, False, True]
    for box in boxes[:-1]:
        assert box.key is not None
        check_against_numpy(box.stats, perf_data.durations("api.slow", ip=box.key))


def test_grid_medians_match_numpy(database: pw.Database, perf_data: PerfData) -> None:
    endpoint_id = perf_data.endpoint_ids["api.slow"]
    grid = user_version_grid(
        database, endpoint_id, start=RANGE_START, end=RANGE_END, limit=4
    )
    assert len(grid.users) == 5
    assert grid.users[-1] is None
    assert grid.others == 16
    assert [version.short for version in grid.versions] == [
        "aaaaaaa",
        "bbbbbbb",
        "ccccccc",
    ]
    top = set(grid.users[:-1])
    for (user, version_id), cell in grid.cells.items():
        version = next(v.name for v in grid.versions if v.id == version_id)
        durations = [
            row.duration
            for row in perf_data.rows
            if row.endpoint == "api.slow"
            and RANGE_START <= row.time < RANGE_END
            and row.version == version
            and (row.group == user if user is not None else row.group not in top)
        ]
        assert cell.count == len(durations)
        assert cell.median == pytest.approx(np.median(durations), rel=TOLERANCE)
    assert sum(cell.count for cell in grid.cells.values()) == len(
        perf_data.durations("api.slow")
    )


def test_find_endpoint_literal_name(database: pw.Database) -> None:
    found = find_endpoint(database, MARKUP_NAME)
    assert found is not None
    assert found.name == MARKUP_NAME
    assert find_endpoint(database, "api.missing") is None


def test_quantiles_exact_on_many_durations(tmp_path) -> None:
    # Enough requests that buckets hold many durations each, some repeated.
    rng = np.random.default_rng(11)
    durations = np.concatenate(
        [rng.lognormal(4.0, 1.5, 20000), np.full(500, 55.0), rng.uniform(0, 1, 300)]
    )
    database = open_database(tmp_path / "many.db", create=True)
    with database.atomic():
        version = Version.insert(name="v1", first_seen=0).execute(database)
        endpoint = Endpoint.insert(name="api.many", first_seen=0).execute(database)
        records = [
            {
                "endpoint": endpoint,
                "time": 100.0 + index,
                "duration": float(value),
                "method": "GET",
                "status": 200,
                "version": version,
                "group": "u",
                "ip": "127.0.0.1",
            }
            for index, value in enumerate(durations)
        ]
        for first in range(0, len(records), 1000):
            Request.insert_many(records[first : first + 1000]).execute(database)
    (box,) = endpoint_boxes(database, start=0, end=1e9)
    check_against_numpy(box.stats, durations)
    assert Endpoint.select().bind(database).count() == 1
    database.close()
