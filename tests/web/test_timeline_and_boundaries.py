"""The timeline's layout (pure), and the web adapter's import boundary."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from alerts.web.app import _http_url
from alerts.web.timeline import build_timeline

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_lanes_by_count_and_dots_inside_the_window() -> None:
    launches = [
        ("KP", NOW - timedelta(days=1), False),
        ("KP", NOW - timedelta(days=2), False),
        ("IR", NOW - timedelta(days=3), True),
        ("YE", NOW - timedelta(days=31), False),  # older than the window: left out
    ]
    timeline = build_timeline(launches, now=NOW, days=30)
    assert [(lane.country, lane.count) for lane in timeline.lanes] == [("KP", 2), ("IR", 1)]
    assert len(timeline.dots) == 3
    assert all(timeline.plot_left <= d.x <= timeline.plot_right for d in timeline.dots)
    newest = max(timeline.dots, key=lambda d: d.x)
    assert newest.label == "KP 2026-11-24 12:00 UTC"
    assert [d.retracted for d in timeline.dots] == [False, False, True]
    assert timeline.ticks[0].x == timeline.plot_left


def test_an_empty_timeline_still_has_an_axis() -> None:
    timeline = build_timeline([], now=NOW)
    assert timeline.lanes == ()
    assert timeline.height > 0


def test_only_http_links_are_links() -> None:
    assert _http_url("https://news.example/a?b=c") == "https://news.example/a?b=c"
    for hostile in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//x", ""):
        assert _http_url(hostile) == ""


def test_the_web_adapter_imports_neither_workers_nor_celery() -> None:
    code = (
        "import sys, alerts.web, alerts.web.server; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'celery', 'kombu', 'workers'}))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
