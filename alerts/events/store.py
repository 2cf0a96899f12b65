"""Redis side of deduplication: the seen memory, launch events, the outbox of unsent alerts.

Adapter. Decisions are pure (cluster.py) and made on a snapshot of the events around a report's
launch time; the commit is one Lua script that applies them only if no event changed since the
snapshot (compare-and-set on one version counter), so eight workers racing on reports of one
launch still open exactly one event: the losers see a conflict, take a new snapshot and join
the winner's event. Launch reports are rare, so one counter for all events costs nothing.

    seen:<item>        "<action>|<content hash>": what became of an item, and of which text
    seen-index:<src>   sorted set of one source's remembered items → when; past the per-source
                       cap the oldest are forgotten (index entry and seen key, in the same
                       script that remembers), so a feed minting new ids on every poll costs a
                       bounded number of keys
    events             sorted set event id → launch time; `events:version` beside it
    event:<id>         the LaunchEvent (JSON)
    alert:<key>        each alert revision (JSON), for delivery tasks to load
    outbox             alerts created but not yet fanned out (crash recovery)
    owed               events owed a deferred update → when it may be sent
    held:<country>     one launcher's reports held for a second source (JSON) → publish time

Every batch read is one MGET or one script call; every key has a TTL or is pruned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from alerts.errors import StoreError
from alerts.events.cluster import Decision
from alerts.events.codec import (
    alert_from_json,
    alert_to_json,
    event_from_json,
    event_to_json,
    held_from_json,
    held_to_json,
)
from alerts.events.keys import EVENT_TTL_S, Keys
from alerts.models import Alert, HeldReport, Item, LaunchEvent

if TYPE_CHECKING:
    import redis

EVENT_RETENTION_S = 3 * 86400  # how long an event can still be joined or corrected
DEFAULT_MAX_SEEN_PER_SOURCE = 5000  # Settings.max_seen_per_source (ALERTS_MAX_SEEN_PER_SOURCE)
REMEMBER_CHUNK = 1000  # items per remember script call: no single call blocks Redis for long
HELD_KEEP_S = 2 * 86400  # held reports older than this corroborate nothing
MAX_HELD = 200  # held reports kept per launcher (the newest): a flood of them stays bounded

# Shared by the scripts that write seen keys. The index's scores are Redis's own clock (TIME,
# in whole microseconds: exact in a double), so workers with skewed clocks agree on what is
# oldest; an entry older than the seen TTL only names a key that has expired already.
# cap 0 = no cap.
_SEEN_INDEX_LUA = """
local function clock_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function trim_seen(index, prefix, now_us, ttl, cap)
  redis.call('ZREMRANGEBYSCORE', index, '-inf', now_us - ttl * 1000000)
  if cap > 0 then
    local excess = redis.call('ZCARD', index) - cap
    if excess > 0 then
      local oldest = redis.call('ZPOPMIN', index, excess)
      for i = 1, #oldest, 2 do redis.call('UNLINK', prefix .. oldest[i]) end
    end
  end
  redis.call('EXPIRE', index, ttl)
end
"""

# KEYS: the source's seen index. ARGV: 1 seen ttl, 2 cap, 3 seen key prefix, 4 ordinal of
# the first pair in the whole batch, then pairs of (seen member, seen value), oldest item
# first: later pairs score higher (a microsecond per place), so the cap keeps the newest.
_REMEMBER = (
    _SEEN_INDEX_LUA
    + """
local ttl, cap, prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local now = clock_us()
local n = tonumber(ARGV[4])
for i = 5, #ARGV, 2 do
  redis.call('SET', prefix .. ARGV[i], ARGV[i + 1], 'EX', ttl)
  redis.call('ZADD', KEYS[1], now + n, ARGV[i])
  n = n + 1
end
trim_seen(KEYS[1], prefix, now, ttl, cap)
return n
"""
)

# KEYS: events index, events version, the report's launcher's held set. ARGV: min epoch,
# max epoch, event prefix.
# Returns the version, the number of events, the events, then the held reports.
_SNAPSHOT = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2])
local events = {}
for _, id in ipairs(ids) do
  local event = redis.call('GET', ARGV[3] .. id)
  if event then table.insert(events, event) end
end
local out = {redis.call('GET', KEYS[2]) or '0', #events}
for _, event in ipairs(events) do table.insert(out, event) end
for _, held in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[1], ARGV[2])) do
  table.insert(out, held)
end
return out
"""

# KEYS: 1 events version, 2 seen, 3 events index, 4 event, 5 alert, 6 outbox, 7 owed,
#       8 the item's source's seen index, 9 the held report's launcher's held set
# ARGV: 1 expected version, 2 event json|'', 3 event id, 4 launch epoch, 5 event ttl,
#       6 alert json|'', 7 alert key, 8 seen value|'', 9 seen ttl, 10 now epoch,
#       11 owed due epoch|''|'-', 12 content hash|'', 13 prune before epoch,
#       14 seen member, 15 seen cap, 16 seen key prefix, 17 held json|'', 18 held epoch,
#       19 held prune before epoch, 20 held cap, 21 held ttl
_COMMIT = (
    _SEEN_INDEX_LUA
    + """
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
if ARGV[8] ~= '' then
  redis.call('SET', KEYS[2], ARGV[8], 'EX', ARGV[9])
  local at = clock_us()
  redis.call('ZADD', KEYS[8], at, ARGV[14])
  trim_seen(KEYS[8], ARGV[16], at, tonumber(ARGV[9]), tonumber(ARGV[15]))
end
if ARGV[11] == '-' then
  redis.call('ZREM', KEYS[7], ARGV[3])
elseif ARGV[11] ~= '' then
  redis.call('ZADD', KEYS[7], ARGV[11], ARGV[3])
end
if ARGV[17] ~= '' then
  redis.call('ZADD', KEYS[9], ARGV[18], ARGV[17])
  redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', ARGV[19])
  redis.call('ZREMRANGEBYRANK', KEYS[9], 0, -1 - tonumber(ARGV[20]))
  redis.call('EXPIRE', KEYS[9], ARGV[21])
end
return 'ok'
"""
)


class EventStore:
    """Seen memory, launch events and unsent alerts in Redis, under one key namespace."""

    def __init__(
        self,
        client: redis.Redis[bytes],
        *,
        keys: Keys | None = None,
        seen_ttl_s: int,
        max_seen_per_source: int | None = DEFAULT_MAX_SEEN_PER_SOURCE,
    ) -> None:
        """`max_seen_per_source`: items remembered per source at most (None: no cap); keep
        it at least the per-poll item cap, or items still in a feed would be forgotten."""
        self._redis = client
        self.keys = keys or Keys()
        self._seen_ttl_s = seen_ttl_s
        self._max_seen = max(0, max_seen_per_source or 0)
        self._snapshot = client.register_script(_SNAPSHOT)
        self._commit = client.register_script(_COMMIT)
        self._remember = client.register_script(_REMEMBER)

    # --- items ---

    def recall(self, items: Sequence[Item]) -> list[str | None]:
        """The seen value of each item (None = never seen), in one MGET."""
        if not items:
            return []
        values = self._redis.mget([self.keys.seen(i.source, i.id) for i in items])
        return [v.decode() if isinstance(v, bytes) else v for v in values]

    def remember(self, marks: Sequence[tuple[Item, str]]) -> None:
        """Set many items' seen values, oldest item first, each source's index trimmed to the
        cap in the same script call that adds to it: one round trip for one poll's items (a
        pipeline of scripts would add a SCRIPT EXISTS round trip), one pipeline for more."""
        if not marks:
            return
        by_source: dict[str, list[str]] = {}
        for item, value in marks:
            by_source.setdefault(item.source, []).extend(
                (self.keys.seen_member(item.source, item.id), value)
            )
        head = [self._seen_ttl_s, self._max_seen, self.keys.seen_prefix()]
        step = 2 * REMEMBER_CHUNK
        calls = [
            ([self.keys.seen_index(source)], [*head, start // 2, *pairs[start : start + step]])
            for source, pairs in by_source.items()
            for start in range(0, len(pairs), step)
        ]
        if len(calls) == 1:
            self._remember(keys=calls[0][0], args=calls[0][1])
            return
        pipe = self._redis.pipeline(transaction=False)
        for keys, args in calls:
            self._remember(keys=keys, args=args, client=pipe)
        pipe.execute()

    # --- events ---

    def candidates(
        self, *, around: datetime, span_s: float, now: datetime | None = None
    ) -> tuple[str, list[LaunchEvent]]:
        """The events version and every event whose launch time is within ±span of `around`,
        and, given `now`, still joinable (launched at most EVENT_RETENTION_S before it: the
        index itself keeps 30 days, for the dashboard's history and source figures)."""
        version, events, _ = self.snapshot(around=around, span_s=span_s, now=now)
        return version, events

    def snapshot(
        self,
        *,
        around: datetime,
        span_s: float,
        now: datetime | None = None,
        country: str | None = None,
    ) -> tuple[str, list[LaunchEvent], list[HeldReport]]:
        """`candidates`, and the reports of `country`'s launches held for corroboration
        published within ±span of `around` (none without a country), read in the same script
        call (so the version guards both)."""
        at = around.timestamp()
        low = at - span_s
        if now is not None:
            low = max(low, now.timestamp() - EVENT_RETENTION_S)
        raw = self._snapshot(
            keys=[
                self.keys.events_index(),
                self.keys.events_version(),
                self.keys.held(country or ""),
            ],
            args=[low, at + span_s, self.keys.event("")],
        )
        count = int(raw[1])
        events = [event_from_json(e) for e in raw[2 : 2 + count]]
        return _text(raw[0]), events, [held_from_json(h) for h in raw[2 + count :]]

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
        event, alert, hold = decision.event, decision.alert, decision.hold
        source, item_id = (item.source, item.id) if item else ("", "")
        owed = "-" if event is not None and not event.pending_update else ""
        if event is not None and event.pending_update and owed_at is not None:
            owed = str(owed_at.timestamp())
        status = self._commit(
            keys=[
                self.keys.events_version(), self.keys.seen(source, item_id),
                self.keys.events_index(), self.keys.event(event.event_id if event else ""),
                self.keys.alert(alert.key if alert else ""), self.keys.outbox(),
                self.keys.owed_updates(), self.keys.seen_index(source),
                self.keys.held(hold.country if hold else ""),
            ],
            args=[
                version,
                event_to_json(event) if event else "",
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
                now.timestamp() - EVENT_TTL_S,
                self.keys.seen_member(source, item_id),
                self._max_seen,
                self.keys.seen_prefix(),
                held_to_json(hold) if hold else "",
                hold.published_at.timestamp() if hold else 0,
                now.timestamp() - HELD_KEEP_S,
                MAX_HELD,
                HELD_KEEP_S,
            ],
        )  # fmt: skip
        return _text(status)

    def load_event(self, event_id: str) -> LaunchEvent | None:
        data = self._redis.get(self.keys.event(event_id))
        return event_from_json(data) if data else None

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

    def recent_events(self, limit: int, *, since: datetime | None = None) -> list[LaunchEvent]:
        """The newest `limit` stored events (launched at or after `since`, if given), newest
        first: one ZREVRANGEBYSCORE and one MGET; expired ones drop out."""
        low: float | str = "-inf" if since is None else since.timestamp()
        ids = self._redis.zrevrangebyscore(
            self.keys.events_index(), "+inf", low, start=0, num=limit
        )
        if not ids:
            return []
        raw = self._redis.mget([self.keys.event(_text(i)) for i in ids])
        return [event_from_json(r) for r in raw if r]

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
