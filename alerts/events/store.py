"""Redis side of deduplication: the seen memory and the atomic match-or-create of launch events.

Adapter: the only events module that talks to Redis. Every batch is one MGET or one pipeline;
the match-or-create step is one Lua script, so eight workers racing on reports of one launch
still open exactly one event.

An item's seen key records what became of it:
    no | old | baseline        remembered, never alerted
    joined:<event_id>          a further report of an already alerted launch
    pending:<alert_key>        opened an event; its deliveries may not be enqueued yet
    done:<alert_key>           opened an event; deliveries enqueued
`pending` makes fan-out crash-safe: a poll that dies between the script and the enqueue leaves
the item pending, and the next poll enqueues again (deliveries are idempotent by key).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from alerts.errors import StoreError
from alerts.events.cluster import LaunchReport
from alerts.events.codec import alert_from_json, alert_to_json, source_ref_to_json
from alerts.events.keys import EVENT_TTL_S, Keys
from alerts.models import Alert, Item
from alerts.ports import Outcome

if TYPE_CHECKING:
    import redis

# KEYS: seen, active, alert(new), event sources(new), events index
# ARGV: event_id, alert_key, launch_epoch, window_s, seen_ttl, alert_json, source_ref_json,
#       event_ttl, key prefix
_OPEN_OR_JOIN = """
local prior = redis.call('GET', KEYS[1])
if prior then return {'seen', prior} end
local launch_at = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local current = redis.call('GET', KEYS[2])
if current then
  local sep = string.find(current, '|', 1, true)
  local event_id = string.sub(current, 1, sep - 1)
  local opened_at = tonumber(string.sub(current, sep + 1))
  if math.abs(launch_at - opened_at) <= window then
    redis.call('SET', KEYS[1], 'joined:' .. event_id, 'EX', ARGV[5])
    local sources = ARGV[9] .. 'event:' .. event_id .. ':sources'
    redis.call('RPUSH', sources, ARGV[7])
    redis.call('EXPIRE', sources, ARGV[8])
    return {'joined', event_id}
  end
end
redis.call('SET', KEYS[2], ARGV[1] .. '|' .. ARGV[3], 'EX', math.floor(window * 2))
redis.call('SET', KEYS[3], ARGV[6], 'EX', ARGV[8])
redis.call('RPUSH', KEYS[4], ARGV[7])
redis.call('EXPIRE', KEYS[4], ARGV[8])
redis.call('ZADD', KEYS[5], launch_at, ARGV[1])
redis.call('SET', KEYS[1], 'pending:' .. ARGV[2], 'EX', ARGV[5])
return {'new', ARGV[2]}
"""


class EventStore:
    """Seen memory and launch events in Redis, under one key namespace."""

    def __init__(self, client: redis.Redis, *, keys: Keys | None = None, seen_ttl_s: int) -> None:
        self._redis = client
        self.keys = keys or Keys()
        self._seen_ttl_s = seen_ttl_s
        self._open_or_join = client.register_script(_OPEN_OR_JOIN)

    def recall(self, items: Sequence[Item]) -> list[str | None]:
        """The seen value of each item (None = never seen), in one MGET."""
        if not items:
            return []
        values = self._redis.mget([self.keys.seen(i.source, i.id) for i in items])
        return [v.decode() if isinstance(v, bytes) else v for v in values]

    def remember(self, items: Iterable[Item], status: str) -> None:
        """Mark items seen with a status, in one pipeline."""
        pipe = self._redis.pipeline(transaction=False)
        for item in items:
            pipe.set(self.keys.seen(item.source, item.id), status, ex=self._seen_ttl_s)
        pipe.execute()

    def open_or_join(self, report: LaunchReport, *, window_s: float) -> Outcome:
        """Atomically open a new launch event for this report or join the open one."""
        alert = report.candidate
        keys = [
            self.keys.seen(report.item.source, report.item.id),
            self.keys.active_event(report.country),
            self.keys.alert(alert.key),
            self.keys.event_sources(alert.event_id),
            self.keys.events_index(),
        ]
        args = [
            alert.event_id,
            alert.key,
            report.launch_at.timestamp(),
            window_s,
            self._seen_ttl_s,
            alert_to_json(alert),
            source_ref_to_json(alert.sources[0]),
            EVENT_TTL_S,
            self.keys.prefix,
        ]
        status, value = self._open_or_join(keys=keys, args=args)
        return Outcome(_text(status), _text(value))

    def load_alert(self, alert_key: str) -> Alert:
        data = self._redis.get(self.keys.alert(alert_key))
        if data is None:
            raise StoreError(f"alert {alert_key} is not in Redis (expired or never stored)")
        return alert_from_json(data)

    def mark_fanned_out(self, alert: Alert) -> None:
        """Record that the deliveries of the alert's opening report are enqueued."""
        first = alert.sources[0]
        self._redis.set(
            self.keys.seen(first.source, first.item_id), f"done:{alert.key}", xx=True, keepttl=True
        )

    def recent_event_ids(self, limit: int = 50) -> list[str]:
        return [_text(v) for v in self._redis.zrevrange(self.keys.events_index(), 0, limit - 1)]

    def delete_namespace(self) -> int:
        """Delete every key of this store's namespace (used by replay's clean-up)."""
        deleted = 0
        batch: list[bytes] = []
        for key in self._redis.scan_iter(match=self.keys.pattern(), count=500):
            batch.append(key)
            if len(batch) >= 500:
                deleted += self._redis.unlink(*batch)
                batch.clear()
        if batch:
            deleted += self._redis.unlink(*batch)
        return deleted


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
