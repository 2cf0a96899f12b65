"""The delivery ledger keeps the record of a completed send through a short Redis outage."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import redis

from alerts.embedded import EmbeddedRedis, start_embedded
from alerts.models import Delivery
from alerts.notify.ledger import DeliveryLedger


def test_mark_sent_waits_for_redis_to_come_back(tmp_path: Path) -> None:
    """A send that succeeded while Redis was down is still recorded once Redis returns,
    so a redelivered message does not send it again."""
    data_dir = tmp_path / "redis"
    data_dir.mkdir()
    url = f"unix://{(data_dir / 'redis.sock').resolve()}"
    servers: list[EmbeddedRedis] = []
    # die_with_parent=False: PR_SET_PDEATHSIG fires when the spawning *thread* ends
    starter = threading.Timer(
        1.0, lambda: servers.append(start_embedded(data_dir, die_with_parent=False))
    )
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    delivery = Delivery("kp-20261125-0000-x:1", "webhook-1")
    try:
        starter.start()  # Redis is down now and comes up in a second
        began = time.monotonic()
        DeliveryLedger(client).mark_sent(delivery, "2026-11-25T00:00:00+00:00")
        assert time.monotonic() - began >= 0.5
        assert DeliveryLedger(client).was_sent(delivery.key)
    finally:
        starter.join(15)
        client.close()
        for server in servers:
            server.stop()
