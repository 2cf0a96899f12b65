"""Delivery log in Redis: what keeps one alert revision from reaching a destination twice,
out of order, or faster than the destination accepts.

Alertmanager's habit: the record is written *after* the send succeeds, and checked before it. A
short claim (SET NX with a TTL) stops two workers from sending the same delivery at the same time,
e.g. a Celery message redelivered while the first worker is still sending. Each event keeps,
per destination, the revisions routed to it and what became of them, so revision 2 waits until
revision 1 has been sent (or given up on), and a pacing slot spaces sends to one destination.
"""

from __future__ import annotations

import time

import redis

from alerts.events.keys import DELIVERY_CLAIM_TTL_S, DELIVERY_SENT_TTL_S, Keys
from alerts.models import Delivery

MARK_SENT_PATIENCE_S = 30.0


class DeliveryLedger:
    def __init__(
        self,
        client: redis.Redis[bytes],
        *,
        keys: Keys | None = None,
        claim_ttl_s: int = DELIVERY_CLAIM_TTL_S,
    ) -> None:
        self._redis = client
        self._keys = keys or Keys()
        self._claim_ttl_s = claim_ttl_s

    def was_sent(self, delivery_key: str) -> bool:
        return bool(self._redis.exists(self._keys.delivery_sent(delivery_key)))

    def claim(self, delivery_key: str, owner: str) -> bool:
        """True when this owner may send now; False while another attempt holds the claim."""
        return bool(
            self._redis.set(
                self._keys.delivery_claim(delivery_key), owner, nx=True, ex=self._claim_ttl_s
            )
        )

    def release(self, delivery_key: str) -> None:
        self._redis.delete(self._keys.delivery_claim(delivery_key))

    def mark_sent(self, delivery: Delivery, sent_at_iso: str) -> None:
        """Record a completed send, riding out a short Redis outage: the message is out, and
        losing this record would make a redelivery send it again."""
        deadline = time.monotonic() + MARK_SENT_PATIENCE_S
        while True:
            try:
                pipe = self._redis.pipeline(transaction=True)
                pipe.set(self._keys.delivery_sent(delivery.key), sent_at_iso,
                         ex=DELIVERY_SENT_TTL_S)  # fmt: skip
                pipe.delete(self._keys.delivery_claim(delivery.key))
                pipe.hset(self._route(delivery), str(delivery.revision), "sent")
                pipe.execute()
                return
            except (redis.ConnectionError, redis.TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def note_routed(self, deliveries: list[Delivery]) -> None:
        """Record that these revisions were routed to these destinations (before enqueueing)."""
        pipe = self._redis.pipeline(transaction=False)
        for delivery in deliveries:
            pipe.hsetnx(self._route(delivery), str(delivery.revision), "routed")
            pipe.expire(self._route(delivery), DELIVERY_SENT_TTL_S)
        pipe.execute()

    def reopen(self, delivery: Delivery) -> None:
        """A dead letter sent again: its revision is on its way, with a fresh retry budget."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(self._route(delivery), str(delivery.revision), "routed")
        pipe.delete(self._keys.delivery_failures(delivery.key))
        pipe.execute()

    def mark_dead(self, delivery: Delivery) -> None:
        self._redis.hset(self._route(delivery), str(delivery.revision), "dead")

    def earlier_unsettled(self, delivery: Delivery) -> bool:
        """Whether an earlier revision routed to this destination is still on its way."""
        states = self._redis.hgetall(self._route(delivery))
        return any(
            int(rev) < delivery.revision and state == b"routed" for rev, state in states.items()
        )

    def count_failure(self, delivery_key: str) -> int:
        """Failed attempts of this delivery so far, this one included."""
        key = self._keys.delivery_failures(delivery_key)
        pipe = self._redis.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, DELIVERY_SENT_TTL_S)
        return int(pipe.execute()[0])

    def take_send_slot(self, destination_id: str, interval_s: float) -> float:
        """0 when this destination may be sent to now; else seconds to wait for its pace."""
        if interval_s <= 0:
            return 0.0
        key = self._keys.pace(destination_id)
        if self._redis.set(key, "1", nx=True, px=int(interval_s * 1000)):
            return 0.0
        return max(0.05, (self._redis.pttl(key) or 0) / 1000)

    def _route(self, delivery: Delivery) -> str:
        return self._keys.routed(delivery.event_id, delivery.destination_id)
