"""A Runtime over the session's real redis-server, filled through the real code paths.

Events come from `process_items` over a small launch stream (the fake detector reads tokens in
titles), deliveries from the ledger, a dead letter from DeadLetters, source health from
SourceStates: exactly what the workers would have left behind.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from alerts.bootstrap import Runtime, build_runtime
from alerts.config import load_settings
from alerts.embedded import EmbeddedRedis
from alerts.models import Delivery, Item, Verdict
from alerts.notify.deadletter import DeadLetter
from alerts.pipeline import process_items
from alerts.sources.health import SourceState, after_failure, after_success
from tests.support.fakes import fake_classify

HOSTILE_TITLE = 'IR FIRES <script>alert("x")</script><img src=x onerror=alert(1)> & more'
HOOK_URL = "https://hooks.example/services/canary-hook-secret"


@dataclass
class World:
    rt: Runtime
    now: datetime
    kp_event: str
    ir_event: str
    destination_id: str
    letter: DeadLetter
    enqueued: list[tuple[str, str]] = field(default_factory=list)

    def enqueue(self, alert_key: str, destination_id: str) -> None:
        self.enqueued.append((alert_key, destination_id))


@pytest.fixture
def runtime(redis_server: EmbeddedRedis, redis_client: redis.Redis) -> Iterator[Runtime]:
    settings = load_settings(
        sources=[
            {"name": "feed-a", "url": "https://a.example/rss"},
            {"name": "feed-b", "url": "https://b.example/feed?apikey=canary-api-key", "fast": True},
            {"name": "feed-c", "url": "https://c.example/atom"},
        ],
        webhook_urls=[HOOK_URL],
    )
    rt = build_runtime(settings, redis_url=redis_server.url)
    try:
        yield rt
    finally:
        rt.close()


@pytest.fixture
def world(runtime: Runtime) -> World:
    rt, now = runtime, datetime.now(UTC).replace(microsecond=0)
    events = _launch_stream(rt, now)
    kp, ir = events["KP"], events["IR"]
    (destination_id,) = rt.destinations
    _deliveries(rt, kp, destination_id)
    letter = DeadLetter(
        alert_key=f"{ir}:1",
        destination_id=destination_id,
        error=f"HTTP 500 from {HOOK_URL}",
        reason="server_error",
        attempts=9,
        failed_at=(now - timedelta(minutes=1)).isoformat(),
    )
    rt.ledger.note_routed([Delivery(letter.alert_key, destination_id)])
    rt.ledger.mark_dead(Delivery(letter.alert_key, destination_id))
    rt.deadletters.push(letter)
    _source_health(rt, now)
    return World(rt, now, kp, ir, destination_id, letter)


def _launch_stream(rt: Runtime, now: datetime) -> dict[str, str]:
    """Three reports: two of one North Korean launch, one (hostile text) of an Iranian one."""
    items = [
        Item("a1", "feed-a", "KP FIRES class=ICBM count=2", "https://a.example/1",
             published_at=now - timedelta(minutes=12)),
        Item("b1", "feed-b", "KP FIRES by=JCS", "https://b.example/1",
             published_at=now - timedelta(minutes=9)),
        Item("a2", "feed-a", HOSTILE_TITLE, "javascript:alert(2)",
             published_at=now - timedelta(minutes=3)),
    ]  # fmt: skip
    return plant(rt, items, now=now)


def plant(
    rt: Runtime,
    items: list[Item],
    *,
    now: datetime,
    classify: Callable[[Item], Verdict] = fake_classify,
) -> dict[str, str]:
    """Run `items` through the real pipeline into the runtime's Redis; the new events' ids by
    launching country."""
    tokens = (f"tok{n}" for n in itertools.count(1))
    processed = process_items(
        items, events=rt.events, classify=classify, policy=rt.policy, now=now,
        new_token=lambda: next(tokens),
    )  # fmt: skip
    return {a.facts.country or "": a.event_id for a in processed.alerts if a.revision == 1}


def _deliveries(rt: Runtime, event_id: str, destination_id: str) -> None:
    first, second = (
        Delivery(f"{event_id}:1", destination_id),
        Delivery(f"{event_id}:2", destination_id),
    )
    rt.ledger.note_routed([first, second])
    rt.ledger.mark_sent(first, datetime.now(UTC).isoformat())


def _source_health(rt: Runtime, now: datetime) -> None:
    rt.schedule.sync(list(rt.sources.values()), now=time.time())
    rt.states.save(
        after_success(SourceState("feed-a"), now=now - timedelta(seconds=20), etag='"v1"',
                      last_modified=None)
    )  # fmt: skip
    failing = SourceState("feed-b")
    for n in range(3):
        failing = after_failure(
            failing,
            now=now - timedelta(seconds=30 - n),
            reason="HTTP 503 from https://b.example/feed?apikey=canary-api-key",
            interval_s=30,
            retry_after_s=None,
        )
    rt.states.save(failing)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright; fails (never skips) when it is not installed."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium); "
            "the browser tests need a real browser"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
