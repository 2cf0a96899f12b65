"""The Celery app: the one global. Configured from Settings at process start by `configure`.

Delivery reliability settings (FINDINGS.md): acks_late + reject_on_worker_lost so a task whose
worker dies is redelivered; prefetch 1; a visibility timeout (ALERTS_BROKER_VISIBILITY_TIMEOUT_
SECONDS) after which a message held by a dead worker comes back. A countdown longer than it
also comes back early: the delivery ledger (sent record, claim) makes every redelivery harmless.
"""

from __future__ import annotations

from celery import Celery

from alerts.config import Settings
from workers import broker_fixes
from workers.schedule import beat_schedule

POLL_QUEUE = "poll"
DELIVER_QUEUE = "deliver"

app = Celery("missile_alerts", include=["workers.tasks"])


def broker_url(redis_url: str) -> str:
    """kombu spells redis-py's `unix:///path` as `redis+socket:///path`."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


def configure(settings: Settings, *, redis_url: str) -> Celery:
    """Point the app at Redis and install the beat schedule."""
    broker_fixes.install()
    app.conf.update(
        broker_url=broker_url(redis_url),
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
        broker_transport_options={
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
    return app
