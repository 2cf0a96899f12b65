"""A fix for one kombu Redis-transport bug that turns a Redis restart into a dead worker.

When Redis goes away while a worker holds an unacknowledged (acks_late) message, Celery closes
the broker connection to reconnect. Closing the channel restores unacked messages eagerly, but
by then the transport's connection info is gone, so kombu raises AttributeError ('NoneType'
object has no attribute 'hostname', in `_connparams`; celery/kombu#582, #970). That is not one
of the connection errors the close path ignores, so Celery logs "Unrecoverable error" and the
worker exits with status 1 instead of reconnecting.

Raising redis's ConnectionError there instead puts the failure on the path kombu already
handles: the close is finished, the consumer reconnects, and nothing is lost, because kombu
keeps every unacked message in Redis (`unacked` hash) and restores it after the visibility
timeout, and the delivery ledger makes that redelivery harmless.
"""

from __future__ import annotations

import functools
from typing import Any

import redis
from kombu.transport import redis as kombu_redis

_MARK = "_missile_alerts_fixed"


def install() -> None:
    """Idempotent: wraps `kombu.transport.redis.Channel._connparams` once per process."""
    original = kombu_redis.Channel._connparams  # type: ignore[attr-defined]
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def _connparams(self: Any, asynchronous: bool = False) -> Any:
        if self.connection.client is None:
            raise redis.ConnectionError("broker connection already closed (kombu channel close)")
        return original(self, asynchronous=asynchronous)

    setattr(_connparams, _MARK, True)
    kombu_redis.Channel._connparams = _connparams  # type: ignore[attr-defined]
