"""Delivery log in Redis: what keeps one alert revision from reaching a destination twice.

Alertmanager's habit: the record is written *after* the send succeeds, and checked before it. A
short claim (SET NX with a TTL) stops two workers from sending the same delivery at the same time,
e.g. a Celery message redelivered while the first worker is still sending.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alerts.events.keys import DELIVERY_CLAIM_TTL_S, DELIVERY_SENT_TTL_S, Keys

if TYPE_CHECKING:
    import redis


class DeliveryLedger:
    def __init__(self, client: redis.Redis, *, keys: Keys | None = None) -> None:
        self._redis = client
        self._keys = keys or Keys()

    def was_sent(self, delivery_key: str) -> bool:
        return bool(self._redis.exists(self._keys.delivery_sent(delivery_key)))

    def claim(self, delivery_key: str, owner: str) -> bool:
        """True when this owner may send now; False while another attempt holds the claim."""
        return bool(
            self._redis.set(
                self._keys.delivery_claim(delivery_key), owner, nx=True, ex=DELIVERY_CLAIM_TTL_S
            )
        )

    def release(self, delivery_key: str) -> None:
        self._redis.delete(self._keys.delivery_claim(delivery_key))

    def mark_sent(self, delivery_key: str, sent_at_iso: str) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.set(self._keys.delivery_sent(delivery_key), sent_at_iso, ex=DELIVERY_SENT_TTL_S)
        pipe.delete(self._keys.delivery_claim(delivery_key))
        pipe.execute()
