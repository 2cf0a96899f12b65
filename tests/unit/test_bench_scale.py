"""bench/bench_scale.py's own arithmetic and feed edits: what its figures rest on."""

from __future__ import annotations

import importlib.util
import random
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from alerts.sources.parse import parse_feed

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "bench" / "bench_scale.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _load()


def test_a_changed_feed_has_one_new_item_on_top_and_loses_its_oldest() -> None:
    from polling_server import feed_document

    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    before = parse_feed(feed_document(3, 5, now=now), source="s", content_type=None, url="")
    changed = bench.with_new_item(feed_document(3, 5, now=now), 7, now)
    after = parse_feed(changed, source="s", content_type=None, url="")

    assert len(after.items) == 5
    assert after.items[0].id == "update-7"
    assert [i.id for i in after.items[1:]] == [i.id for i in before.items[:4]]


def _window(polls: int, changed: int, cpu_s: float) -> object:
    return bench.Window(
        name="w", seconds=10.0, configured_rate=100.0, polls=polls, changed=changed, errors=0,
        new_connections=0, cpu_s={"worker": cpu_s}, commands=Counter(), used_memory=0,
    )  # fmt: skip


def test_two_windows_give_back_the_cost_of_an_unchanged_and_of_a_changed_poll() -> None:
    unchanged, changed = 0.0005, 0.004
    a = _window(1000, 10, 990 * unchanged + 10 * changed)
    b = _window(1000, 100, 900 * unchanged + 100 * changed)

    c304, c200 = bench.split_costs(a, b, lambda w: w.cpu_s["worker"])

    assert c304 == pytest.approx(unchanged)
    assert c200 == pytest.approx(changed)


def test_without_a_second_window_every_poll_counts_as_unchanged() -> None:
    a = _window(1000, 10, 1.0)

    c304, c200 = bench.split_costs(a, None, lambda w: w.cpu_s["worker"])

    assert c304 == pytest.approx(0.001)
    assert c200 != c200  # NaN: not measured


@pytest.mark.parametrize(
    ("seconds", "interval", "expected"), [(15, 10, 20), (60, 10, 60), (3, 10, 10)]
)
def test_windows_are_whole_intervals(seconds: float, interval: float, expected: float) -> None:
    assert bench.whole_intervals(seconds, interval) == expected


def test_planted_launches_are_distinct_events_none_by_the_cold_pass_launcher() -> None:
    launches = bench.plan(30, 40.0, list(range(50)), random.Random(3))

    assert len(launches) == 30
    assert all(x.code != bench.COLD_PASS_LAUNCHER for x in launches)
    assert len({(x.code, x.stated.date()) for x in launches}) == 30
    assert len({x.feed for x in launches}) == 30
