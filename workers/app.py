"""The Celery app: the one global. Configured from Settings at process start by `configure`.

Delivery reliability settings (FINDINGS.md): acks_late + reject_on_worker_lost so a task whose
worker dies is redelivered; prefetch 1; a visibility timeout (ALERTS_BROKER_VISIBILITY_TIMEOUT_
SECONDS) after which a message held by a dead worker comes back. A countdown longer than it
also comes back early: the delivery ledger (sent record, claim) makes every redelivery harmless.
"""

from __future__ import annotations

from typing import Any

import kombu
from celery import Celery
from celery.worker.consumer import Consumer
from kombu.transport import redis as kombu_redis

from alerts.config import Settings
from alerts.redisconn import (
    FailoverAwareConnection,
    FailoverAwareSSLConnection,
    broker_connection,
    kombu_direct_url,
)
from workers import broker_fixes
from workers.schedule import beat_schedule

POLL_QUEUE = "poll"
DELIVER_QUEUE = "deliver"

app = Celery("missile_alerts", include=["workers.tasks"])

# Between attempts to reach a lost broker: 0.5 s, 1 s, then every 2 s (Celery's own waits grow
# 2, 4, 6 ... 30 s). Each attempt asks the sentinels afresh, so it is cheap to repeat.
RECONNECT_WAITS = {"interval_start": 0.5, "interval_step": 0.5, "interval_max": 2.0}


class PromptReconnectConsumer(Consumer):
    """Celery's consumer, trying a lost broker again every 2 s at most, without end.

    With Celery's growing waits, a worker sat idle long after the broker was back: a Sentinel
    failover done in 2.4 s left it without work for 6 s (tests/integration/test_sentinel_
    failover.py), and a 30 s failover could cost 12 s more. It never gives up: a worker without
    a broker can do nothing else, and each attempt is logged."""

    def ensure_connected(self, conn: kombu.Connection) -> kombu.Connection:
        ensure = type(conn).ensure_connection

        def ensure_promptly(*args: Any, **kwargs: Any) -> kombu.Connection:
            return ensure(conn, *args, **{**RECONNECT_WAITS, **kwargs})

        conn.ensure_connection = ensure_promptly  # type: ignore[method-assign]
        return super().ensure_connected(conn)


def broker_url(redis_url: str) -> str:
    """kombu spells redis-py's `unix:///path` as `redis+socket:///path`."""
    return kombu_direct_url(redis_url)


def use_failover_aware_connections() -> None:
    """kombu's Sentinel channel connects through the connection classes of the service's own
    client (alerts.redisconn.FailoverAwareConnection), so the broker too leaves a former
    primary that refuses writes for the one the sentinels name now: kombu took NOREPLICAS for
    a server error and the worker stopped ("Unrecoverable error"). Idempotent."""
    kombu_redis.SentinelChannel.connection_class = FailoverAwareConnection
    kombu_redis.SentinelChannel.connection_class_ssl = FailoverAwareSSLConnection


def configure(settings: Settings, *, redis_url: str) -> Celery:
    """Point the app at Redis (any form of ALERTS_REDIS_URL: Sentinel, TLS, ACL; see
    alerts.redisconn) and install the beat schedule."""
    broker_fixes.install()
    use_failover_aware_connections()
    broker = broker_connection(settings, url=redis_url)
    app.conf.update(
        broker_url=broker.url,
        broker_use_ssl=broker.use_ssl,
        result_backend=None,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # see PromptReconnectConsumer
        worker_consumer="workers.app:PromptReconnectConsumer",
        broker_transport_options={
            **broker.transport_options,  # timeouts; with Sentinel, master_name and sentinel_kwargs
            "visibility_timeout": settings.broker_visibility_timeout_seconds,
            # look for messages of dead workers every few seconds, not every ~100 s
            "unacked_restore_interval": 5,
            "unacked_restore_throttle": 1,
        },
        task_default_queue=POLL_QUEUE,
        task_routes={
            "alerts.poll_sources": {"queue": POLL_QUEUE},
            "alerts.dispatch_polls": {"queue": POLL_QUEUE},
            "alerts.deliver": {"queue": DELIVER_QUEUE},
        },
        beat_schedule=beat_schedule(),
        beat_schedule_filename=str(settings.data_dir.resolve() / "celerybeat-schedule"),
        beat_max_loop_interval=1.0,
        worker_concurrency=settings.worker_concurrency,
    )
    from workers.steps import DeliverHeartbeat  # imports this module: here, once it is loaded

    app.steps["worker"].add(DeliverHeartbeat)  # a set: configuring twice adds it once
    return app
