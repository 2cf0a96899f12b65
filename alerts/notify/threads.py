"""Redis memory of each event's first message per destination, for threaded channels.

Adapter implementing notify.base.ThreadMemory: Slack bot mode posts updates and corrections
as replies in the thread of the first alert's message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alerts.events.keys import EVENT_TTL_S, Keys

if TYPE_CHECKING:
    import redis


class RedisThreads:
    def __init__(self, client: redis.Redis[bytes], *, keys: Keys | None = None) -> None:
        self._redis = client
        self._keys = keys or Keys()

    def first_message(self, event_id: str, destination_id: str) -> str | None:
        value = self._redis.get(self._keys.thread(event_id, destination_id))
        return value.decode() if isinstance(value, bytes) else value

    def remember_first_message(self, event_id: str, destination_id: str, message_id: str) -> None:
        self._redis.set(self._keys.thread(event_id, destination_id), message_id, ex=EVENT_TTL_S,
                        nx=True)  # fmt: skip
