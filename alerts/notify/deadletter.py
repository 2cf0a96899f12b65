"""Dead-letter list: deliveries that failed for good are kept here with their error, never dropped.

Records hold the alert key and destination id (never the destination's URL), and an error text
that has already passed through redaction.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from alerts.events.keys import Keys

if TYPE_CHECKING:
    import redis


@dataclass(frozen=True, slots=True)
class DeadLetter:
    alert_key: str
    destination_id: str
    error: str
    reason: str
    attempts: int
    failed_at: str


class DeadLetters:
    def __init__(self, client: redis.Redis[bytes], *, keys: Keys | None = None) -> None:
        self._redis = client
        self._keys = keys or Keys()

    def push(self, letter: DeadLetter) -> None:
        self._redis.rpush(self._keys.deadletter(), json.dumps(asdict(letter)))

    def list(self) -> list[DeadLetter]:
        raw = self._redis.lrange(self._keys.deadletter(), 0, -1)
        return [DeadLetter(**json.loads(r)) for r in raw]

    def count(self) -> int:
        return int(self._redis.llen(self._keys.deadletter()))

    def remove(self, letter: DeadLetter) -> bool:
        return bool(self._redis.lrem(self._keys.deadletter(), 1, json.dumps(asdict(letter))))
