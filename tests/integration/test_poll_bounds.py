"""What one source may cost, configured through Settings and polled over real HTTP and Redis:
a feed minting new ids on every poll adds at most ALERTS_MAX_ITEMS_PER_POLL items a poll and
keeps at most ALERTS_MAX_SEEN_PER_SOURCE ids remembered."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import redis

from alerts import pipeline
from alerts.bootstrap import Runtime, build_runtime
from alerts.config import load_settings
from alerts.detection.classify import classify_item
from alerts.embedded import EmbeddedRedis
from alerts.events.keys import Keys
from tests.integration.feed_server import FeedServer

ITEMS_PER_POLL = 7
SEEN_PER_SOURCE = 9


def minting_feed(polls: Iterator[int], items: int) -> Iterator[bytes]:
    """One RSS body whose every item carries an id never served before."""
    n = next(polls)
    body = "".join(f"<item><guid>p{n}-{i}</guid><title>story {n}.{i}</title></item>"
                   for i in range(items))  # fmt: skip
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    yield f"{head}{body}</channel></rss>".encode()


def poll(rt: Runtime) -> pipeline.PollResult:
    """One poll of the flood source, as a worker's poll task runs it."""
    return pipeline.poll_source(
        rt.sources["flood"],
        fetch=rt.fetch,
        states=rt.states,
        events=rt.events,
        classify=classify_item,
        policy=rt.policy,
        now=datetime.now(UTC),
        new_token=lambda: "t",
    )


def test_a_minting_feed_costs_a_bounded_number_of_keys(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, tmp_path: Path
) -> None:
    """Five polls of 30 new ids each: 7 items read a poll, the rest counted as overflow (a
    gap once the source is known), and 9 seen keys at the end instead of 150."""
    polls = itertools.count()
    with FeedServer() as srv:
        srv.add("/flood.rss", stream=lambda: minting_feed(polls, 30))
        settings = load_settings(
            sources=[{"name": "flood", "url": srv.url("/flood.rss")}],
            data_dir=tmp_path,
            max_items_per_poll=ITEMS_PER_POLL,
            max_seen_per_source=SEEN_PER_SOURCE,
        )
        rt = build_runtime(settings, redis_url=redis_server.url)
        try:
            results = [poll(rt) for _ in range(5)]
        finally:
            rt.close()
    assert [(r.status, r.items, r.overflow) for r in results] == [("ok", 7, 23)] * 5
    assert [r.gap for r in results] == [False, True, True, True, True]
    seen = list(redis_client.scan_iter(match="alerts:v1:seen:*"))
    assert len(seen) == SEEN_PER_SOURCE
    assert redis_client.zcard(Keys().seen_index("flood")) == SEEN_PER_SOURCE
