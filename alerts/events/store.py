"""Redis side of deduplication: the seen memory, launch events, the outbox of unsent alerts.

Adapter. Decisions are pure (cluster.py) and made on a snapshot of the events around a report's
launch time; the commit is one Lua script that applies them only if no event changed since the
snapshot (compare-and-set on one version counter), so eight workers racing on reports of one
launch still open exactly one event: the losers see a conflict, take a new snapshot and join
the winner's event. Launch reports are rare, so one counter for all events costs nothing.

    seen:<item>        "<action>|<content hash>": what became of an item, and of which text
    events             sorted set event id → launch time; `events:version` beside it
    event:<id>         the LaunchEvent (JSON)
    alert:<key>        each alert revision (JSON), for delivery tasks to load
    outbox             alerts created but not yet fanned out (crash recovery)
    owed               events owed a deferred update → when it may be sent

Every batch read is one MGET or one script call; every key has a TTL or is pruned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import TypeAdapter

from alerts.errors import StoreError
from alerts.events.cluster import Decision
from alerts.events.codec import alert_from_json, alert_to_json
from alerts.events.keys import EVENT_TTL_S, Keys
from alerts.models import Alert, Item, LaunchEvent

if TYPE_CHECKING:
    import redis

_EVENT = TypeAdapter(LaunchEvent)
EVENT_RETENTION_S = 3 * 86400  # how long an event can still be joined or corrected

# KEYS: events index, events version. ARGV: min launch epoch, max launch epoch, event prefix
_SNAPSHOT = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2])
local out = {redis.call('GET', KEYS[2]) or '0'}
for _, id in ipairs(ids) do
  local event = redis.call('GET', ARGV[3] .. id)
  if event then table.insert(out, event) end
end
return out
"""

# KEYS: 1 events version, 2 seen, 3 events index, 4 event, 5 alert, 6 outbox, 7 owed
# ARGV: 1 expected version, 2 event json|'', 3 event id, 4 launch epoch, 5 event ttl,
#       6 alert json|'', 7 alert key, 8 seen value|'', 9 seen ttl, 10 now epoch,
#       11 owed due epoch|''|'-', 12 content hash|'', 13 prune before epoch
_COMMIT = """
if ARGV[12] ~= '' then
  local prior = redis.call('GET', KEYS[2])
  if prior and string.sub(prior, -string.len(ARGV[12])) == ARGV[12] then return 'seen' end
end
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 'conflict' end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[4], ARGV[2], 'EX', ARGV[5])
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[13])
  redis.call('EXPIRE', KEYS[3], ARGV[5])
end
if ARGV[6] ~= '' then
  redis.call('SET', KEYS[5], ARGV[6], 'EX', ARGV[5])
  redis.call('ZADD', KEYS[6], ARGV[10], ARGV[7])
end
if ARGV[8] ~= '' then redis.call('SET', KEYS[2], ARGV[8], 'EX', ARGV[9]) end
if ARGV[11] == '-' then
  redis.call('ZREM', KEYS[7], ARGV[3])
elseif ARGV[11] ~= '' then
  redis.call('ZADD', KEYS[7], ARGV[11], ARGV[3])
end
return 'ok'
"""


class EventStore:
    """Seen memory, launch events and unsent alerts in Redis, under one key namespace."""

    def __init__(self, client: redis.Redis, *, keys: Keys | None = None, seen_ttl_s: int) -> None:
        self._redis = client
        self.keys = keys or Keys()
        self._seen_ttl_s = seen_ttl_s
        self._snapshot = client.register_script(_SNAPSHOT)
        self._commit = client.register_script(_COMMIT)

    # --- items ---

    def recall(self, items: Sequence[Item]) -> list[str | None]:
        """The seen value of each item (None = never seen), in one MGET."""
        if not items:
            return []
        values = self._redis.mget([self.keys.seen(i.source, i.id) for i in items])
        return [v.decode() if isinstance(v, bytes) else v for v in values]

    def remember(self, marks: Sequence[tuple[Item, str]]) -> None:
        """Set many items' seen values in one pipeline."""
        if not marks:
            return
        pipe = self._redis.pipeline(transaction=False)
        for item, value in marks:
            pipe.set(self.keys.seen(item.source, item.id), value, ex=self._seen_ttl_s)
        pipe.execute()

    # --- events ---

    def candidates(self, *, around: datetime, span_s: float) -> tuple[str, list[LaunchEvent]]:
        """The events version and every event whose launch time is within ±span of `around`."""
        at = around.timestamp()
        raw = self._snapshot(
            keys=[self.keys.events_index(), self.keys.events_version()],
            args=[at - span_s, at + span_s, self.keys.event("")],
        )
        version = _text(raw[0])
        return version, [_EVENT.validate_json(e) for e in raw[1:]]

    def commit(
        self,
        decision: Decision,
        *,
        version: str,
        now: datetime,
        item: Item | None = None,
        text_hash: str = "",
        owed_at: datetime | None = None,
    ) -> str:
        """Apply a decision if no event changed since the snapshot.

        Returns "ok", "conflict" (decide again on a new snapshot) or "seen" (this item's text
        was already decided by someone else).
        """
        event, alert = decision.event, decision.alert
        seen_key = self.keys.seen(item.source, item.id) if item else self.keys.seen("", "")
        owed = "-" if event is not None and not event.pending_update else ""
        if event is not None and event.pending_update and owed_at is not None:
            owed = str(owed_at.timestamp())
        status = self._commit(
            keys=[
                self.keys.events_version(), seen_key, self.keys.events_index(),
                self.keys.event(event.event_id if event else ""),
                self.keys.alert(alert.key if alert else ""), self.keys.outbox(),
                self.keys.owed_updates(),
            ],
            args=[
                version,
                _EVENT.dump_json(event) if event else "",
                event.event_id if event else "",
                event.launch_at.timestamp() if event else 0,
                EVENT_TTL_S,
                alert_to_json(alert) if alert else "",
                alert.key if alert else "",
                f"{decision.action}|{text_hash}" if item else "",
                self._seen_ttl_s,
                now.timestamp(),
                owed,
                text_hash if item else "",
                now.timestamp() - EVENT_RETENTION_S,
            ],
        )  # fmt: skip
        return _text(status)

    def load_event(self, event_id: str) -> LaunchEvent | None:
        data = self._redis.get(self.keys.event(event_id))
        return _EVENT.validate_json(data) if data else None

    def owed_updates(self, *, now: datetime) -> list[str]:
        """Ids of events whose deferred update may be sent now."""
        due = self._redis.zrangebyscore(self.keys.owed_updates(), "-inf", now.timestamp())
        return [_text(d) for d in due]

    # --- alerts ---

    def load_alert(self, alert_key: str) -> Alert:
        data = self._redis.get(self.keys.alert(alert_key))
        if data is None:
            raise StoreError(f"alert {alert_key} is not in Redis (expired or never stored)")
        return alert_from_json(data)

    def mark_fanned_out(self, alert: Alert) -> None:
        """The alert's deliveries are enqueued: it leaves the outbox."""
        self._redis.zrem(self.keys.outbox(), alert.key)

    def unsent(self, *, older_than: datetime) -> list[str]:
        """Alert keys created before `older_than` and still not fanned out (a crashed poll)."""
        keys = self._redis.zrangebyscore(self.keys.outbox(), "-inf", older_than.timestamp())
        return [_text(k) for k in keys]

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
