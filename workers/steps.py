"""Worker bootsteps: what a worker does besides running tasks.

A worker that takes deliveries says so every few seconds from its own event loop
(`heartbeat:deliver:<host>`), for `alerts health --role deliver` and /readyz. Polls write the
worker heartbeat from their tasks, but deliveries come only with launches: a deliver-only
worker (`alerts run`'s second worker, compose's `deliverer`) would otherwise never beat.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import redis
import structlog
from celery import bootsteps

from alerts.config import load_settings
from alerts.events.keys import Keys
from alerts.redisconn import Timeouts, redis_client
from workers.app import DELIVER_QUEUE
from workers.observe import HEARTBEAT_TTL_S

log = structlog.get_logger("alerts.worker")

DELIVER_HEARTBEAT_EVERY_S = 5.0
# Its own client, with short timeouts: the beat runs on the worker's event loop, which a Redis
# that stopped answering must not hold for long.
HEARTBEAT_TIMEOUTS = Timeouts(socket_timeout=1.0, socket_connect_timeout=1.0)


class DeliverHeartbeat(bootsteps.StartStopStep):
    """On the worker's timer, in its main process: alive, and its loop turning."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None
        self.client: redis.Redis[bytes] | None = None
        self.key = Keys().heartbeat_deliver(socket.gethostname())

    def include_if(self, worker: Any) -> bool:
        return DELIVER_QUEUE in (worker.app.amqp.queues.consume_from or {})

    def start(self, worker: Any) -> None:
        self.client = redis_client(load_settings(), timeouts=HEARTBEAT_TIMEOUTS)
        self.beat()
        self.tref = worker.timer.call_repeatedly(DELIVER_HEARTBEAT_EVERY_S, self.beat)

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        if self.client is not None:
            self.client.close()
            self.client = None

    def beat(self) -> None:
        if self.client is None:
            return
        try:
            self.client.set(self.key, time.time(), ex=HEARTBEAT_TTL_S)
        except (redis.RedisError, OSError) as exc:  # Redis away: the heartbeat goes stale
            log.warning("deliver.heartbeat.failed", error=type(exc).__name__)
