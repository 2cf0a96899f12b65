"""workers/broker_fixes.py: closing a kombu Redis channel whose transport is already detached,
with an unacked message held, is a connection error (handled) and not an AttributeError."""

from __future__ import annotations

from collections.abc import Iterator

import kombu
import pytest
import redis

from alerts.embedded import EmbeddedRedis
from workers import broker_fixes
from workers.app import broker_url


@pytest.fixture
def held_message(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> Iterator[tuple[kombu.Connection, kombu.Message]]:
    """A channel holding one unacked message, as an acks_late worker does mid-task."""
    with kombu.Connection(broker_url(redis_server.url)) as conn:
        queue = kombu.Queue("fix-test", routing_key="fix-test")
        conn.Producer().publish({"n": 1}, routing_key="fix-test", declare=[queue])
        message = queue(conn.default_channel).get(no_ack=False)
        assert message is not None
        yield conn, message


def test_close_after_transport_detached_raises_a_connection_error(
    held_message: tuple[kombu.Connection, kombu.Message], redis_client: redis.Redis
) -> None:
    broker_fixes.install()
    conn, _message = held_message
    channel = conn.default_channel
    conn.transport.client = None  # the state Celery's reconnect leaves the channel in
    with pytest.raises(redis.ConnectionError):
        channel.close()
    # nothing lost: the message is still in kombu's unacked hash, for restore_visible
    assert redis_client.hlen("unacked") == 1


def test_install_is_idempotent() -> None:
    broker_fixes.install()
    once = kombu.transport.redis.Channel._connparams
    broker_fixes.install()
    assert kombu.transport.redis.Channel._connparams is once
