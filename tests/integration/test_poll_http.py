"""pipeline.poll_source over real HTTP: feeds and JSON APIs from a local server, real Redis."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import redis

from alerts.bootstrap import build_runtime
from alerts.config import load_settings
from alerts.detection.classify import classify_item
from alerts.models import JsonApiMapping, SourceSpec
from alerts.pipeline import ItemOutcome, poll_source
from alerts.sources.health import Health
from tests.integration.feed_server import FeedServer

GDELT = (Path(__file__).parents[1] / "data" / "feeds" / "gdelt_artlist.json").read_bytes()
NOW = datetime(2026, 11, 25, 0, 20, tzinfo=UTC)


def test_json_api_source_is_polled_detected_and_deduplicated(
    redis_server, redis_client: redis.Redis
) -> None:
    """Three GDELT articles about one launch in three languages make one new event."""
    rt = build_runtime(load_settings(), redis_url=redis_server.url)
    with FeedServer() as srv:
        srv.add("/api/v2/doc/doc", GDELT, content_type="application/json", etag=True)
        spec = SourceSpec(
            name="gdelt",
            url=srv.url("/api/v2/doc/doc?query=x&format=json"),
            interval_s=60,
            json_api=JsonApiMapping(),
        )
        # first poll: baseline is for undated items only; these are dated and fresh
        result = poll_source(
            spec,
            fetch=rt.fetch,
            states=rt.states,
            events=rt.events,
            classify=classify_item,
            policy=rt.policy,
            now=NOW,
            new_token=lambda: "t1",
        )
        again = poll_source(
            spec,
            fetch=rt.fetch,
            states=rt.states,
            events=rt.events,
            classify=classify_item,
            policy=rt.policy,
            now=NOW,
            new_token=lambda: "t2",
        )
    rt.close()
    # Korean flash first (00:12), Japanese joins (00:13); the English headline (00:15) adds
    # "one missile", owed as an update once the minimum gap has passed
    outcomes = [d.outcome for d in result.processed.decisions]
    assert outcomes == [ItemOutcome.NEW_EVENT, ItemOutcome.JOINED, ItemOutcome.DEFER]
    assert len(result.processed.alerts) == 1
    assert again.status == "not_modified"
    assert again.state.health is Health.HEALTHY
