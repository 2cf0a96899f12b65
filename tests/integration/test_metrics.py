"""Metrics written to Redis by any process and rendered in Prometheus format."""

from __future__ import annotations

import redis
from prometheus_client.parser import text_string_to_metric_families

from alerts.metrics import Metrics, render_metrics


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_counters_histograms_and_queue_depth(redis_client: redis.Redis) -> None:
    """Two 'processes' add to the same counters; histograms are cumulative; queues are counted."""
    first, second = Metrics(redis_client), Metrics(redis_client)
    batch = first.batch()
    batch.inc("alerts_polls_total", {"source": "yonhap", "status": "ok"})
    batch.observe("alerts_publish_to_deliver_seconds", 0.3)
    batch.observe("alerts_publish_to_deliver_seconds", 45)
    batch.flush()
    second.inc("alerts_polls_total", {"source": "yonhap", "status": "ok"})
    second.inc("alerts_deliveries_total", {"channel": "slack", "outcome": "sent"})
    redis_client.rpush("deliver", b"a", b"b", b"c")
    got = samples(render_metrics(redis_client))
    assert got[("alerts_polls_total", (("source", "yonhap"), ("status", "ok")))] == 2
    assert got[("alerts_deliveries_total", (("channel", "slack"), ("outcome", "sent")))] == 1
    assert got[("alerts_publish_to_deliver_seconds_bucket", (("le", "0.5"),))] == 1
    assert got[("alerts_publish_to_deliver_seconds_bucket", (("le", "60.0"),))] == 2
    assert got[("alerts_publish_to_deliver_seconds_count", ())] == 2
    assert got[("alerts_publish_to_deliver_seconds_sum", ())] == 45.3
    assert got[("alerts_queue_depth", (("queue", "deliver"),))] == 3


def test_empty_redis_renders_valid_exposition(redis_client: redis.Redis) -> None:
    """Before anything happened, /metrics is still valid and lists every family."""
    names = {f.name for f in text_string_to_metric_families(render_metrics(redis_client))}
    assert {"alerts_polls", "alerts_deliveries", "alerts_poll_seconds",
            "alerts_queue_depth"} <= names  # fmt: skip
