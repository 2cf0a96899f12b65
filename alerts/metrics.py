"""Metrics kept in Redis, rendered in Prometheus format by whichever process serves /metrics.

Workers are many processes (and scale across containers); the web service is another. Keeping
counters and histogram buckets in Redis hashes gives one consistent view without a push
gateway: each task adds to them in one pipeline, and `render_metrics` turns them into the
exposition format through prometheus_client.

    alerts_polls_total{source,status}            polls by outcome (ok, not_modified, error,
                                                 given_back: its lease spent asking for it)
    alerts_poll_errors_total{source,kind}        failed polls by SourceError kind
    alerts_items_total{source}                   items parsed
    alerts_detections_total{outcome}             item decisions (new, update, join, not_launch...)
    alerts_alerts_total{kind}                    alerts created (new, update, correction)
    alerts_deliveries_total{channel,outcome}     sends (sent, failed, dead_lettered)
    alerts_poll_seconds                          poll duration
    alerts_publish_to_detect_seconds             source publish time → alert created
    alerts_detect_to_deliver_seconds             alert created → delivered
    alerts_publish_to_deliver_seconds            source publish time → delivered
    alerts_queue_depth{queue}                    messages waiting in each Celery queue
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from alerts.events.keys import Keys

if TYPE_CHECKING:
    import redis

COUNTERS = {
    "alerts_polls_total": ("Polls by outcome.", ("source", "status")),
    "alerts_poll_errors_total": ("Failed polls by kind.", ("source", "kind")),
    "alerts_items_total": ("Items parsed from sources.", ("source",)),
    "alerts_detections_total": ("Item decisions.", ("outcome",)),
    "alerts_alerts_total": ("Alerts created.", ("kind",)),
    "alerts_deliveries_total": ("Delivery attempts by outcome.", ("channel", "outcome")),
}
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
HISTOGRAMS = {
    "alerts_poll_seconds": "Time one poll took.",
    "alerts_publish_to_detect_seconds": "Source publish time to alert created.",
    "alerts_detect_to_deliver_seconds": "Alert created to delivered.",
    "alerts_publish_to_deliver_seconds": "Source publish time to delivered.",
}
QUEUES = ("poll", "deliver")


class Metrics:
    """Adds to counters and histograms in Redis; batch calls with `pipeline()`."""

    def __init__(self, client: redis.Redis[bytes], *, keys: Keys | None = None) -> None:
        self._redis = client
        self._keys = keys or Keys()
        self._pipe: redis.client.Pipeline[bytes] | None = None
        # a batch adds up its increments and writes each (key, field) once, at flush
        self._floats: dict[tuple[str, str], float] = {}
        self._ints: dict[tuple[str, str], int] = {}

    def inc(self, name: str, labels: Mapping[str, str], by: float = 1) -> None:
        self._add_float(self._keys.metric(name), _label_key(labels), by)

    def observe(self, name: str, seconds: float, labels: Mapping[str, str] | None = None) -> None:
        if not math.isfinite(seconds) or seconds < 0:
            return
        label = _label_key(labels or {})
        key = self._keys.metric(name)
        bucket = next((b for b in BUCKETS if seconds <= b), math.inf)
        field = f"{label}|le={bucket}"
        if self._pipe is None:
            self._redis.hincrby(key, field, 1)
        else:
            self._ints[(key, field)] = self._ints.get((key, field), 0) + 1
        self._add_float(key, f"{label}|sum", seconds)

    def flush(self) -> None:
        if self._pipe is not None:
            for (key, field), by in self._ints.items():
                self._pipe.hincrby(key, field, by)
            for (key, field), value in self._floats.items():
                self._pipe.hincrbyfloat(key, field, value)
            self._pipe.execute()
            self._pipe = None
            self._ints.clear()
            self._floats.clear()

    def _add_float(self, key: str, field: str, by: float) -> None:
        if self._pipe is None:
            self._redis.hincrbyfloat(key, field, by)
        else:
            self._floats[(key, field)] = self._floats.get((key, field), 0.0) + by

    def batch(self) -> Metrics:
        """A Metrics writing to one pipeline; call `flush()` once done."""
        batched = Metrics(self._redis, keys=self._keys)
        batched._pipe = self._redis.pipeline(transaction=False)
        return batched


def render_metrics(client: redis.Redis[bytes], *, keys: Keys | None = None) -> str:
    """Everything in Prometheus text format (version 0.0.4)."""
    registry = CollectorRegistry()
    registry.register(_RedisCollector(client, keys or Keys()))
    return generate_latest(registry).decode()


class _RedisCollector:
    def __init__(self, client: redis.Redis[bytes], keys: Keys) -> None:
        self._redis, self._keys = client, keys

    def collect(self) -> Iterator[Metric]:
        pipe = self._redis.pipeline(transaction=False)
        for name in (*COUNTERS, *HISTOGRAMS):
            pipe.hgetall(self._keys.metric(name))
        for queue in QUEUES:
            pipe.llen(queue)
        raw = pipe.execute()
        for (name, (doc, labels)), values in zip(COUNTERS.items(), raw, strict=False):
            family = CounterMetricFamily(name.removesuffix("_total"), doc, labels=labels)
            for label_key, value in sorted(_decoded(values).items()):
                family.add_metric(_label_values(label_key, labels), float(value))
            yield family
        for (name, doc), values in zip(HISTOGRAMS.items(), raw[len(COUNTERS) :], strict=False):
            yield _histogram(name, doc, _decoded(values))
        depth = GaugeMetricFamily("alerts_queue_depth", "Messages waiting.", labels=["queue"])
        for queue, length in zip(QUEUES, raw[-len(QUEUES) :], strict=True):
            depth.add_metric([queue], float(length))
        yield depth


def _histogram(name: str, doc: str, values: dict[str, str]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, doc)
    counts = dict.fromkeys((*BUCKETS, math.inf), 0.0)
    total = 0.0
    for field, value in values.items():
        _, _, part = field.partition("|")
        if part == "sum":
            total = float(value)
        elif part.startswith("le="):
            counts[float(part[3:])] = float(value)
    cumulative, buckets = 0.0, []
    for bound in (*BUCKETS, math.inf):
        cumulative += counts[bound]
        buckets.append(("+Inf" if bound == math.inf else str(float(bound)), cumulative))
    family.add_metric([], buckets, total)
    return family


def _label_key(labels: Mapping[str, str]) -> str:
    return ",".join(f"{k}={str(v).replace(',', ' ').replace('=', ' ')}" for k, v in
                    sorted(labels.items()))  # fmt: skip


def _label_values(label_key: str, names: tuple[str, ...]) -> list[str]:
    pairs = dict(p.split("=", 1) for p in label_key.split(",") if "=" in p)
    return [pairs.get(n, "") for n in names]


def _decoded(values: Mapping[bytes, bytes]) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in values.items()}
