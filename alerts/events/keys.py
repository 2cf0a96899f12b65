"""Every Redis key and TTL in one screen (arq's constants.py habit).

A `Keys` value carries the namespace prefix so `alerts replay` can run the live code path in
an isolated namespace (`alerts:replay:<uuid>:`) and delete it afterwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

LIVE_PREFIX = "alerts:v1:"
EVENT_TTL_S = 30 * 86400
DELIVERY_SENT_TTL_S = 30 * 86400
DELIVERY_CLAIM_TTL_S = 120


def digest(text: str) -> str:
    """Short, stable, Redis-safe hash of an arbitrary id (item ids may be long URLs)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str = LIVE_PREFIX

    def poll_tick(self) -> str:
        """Bid for one dispatch tick (SET NX PX): one dispatch a tick however many beats run."""
        return f"{self.prefix}poll:tick"

    def seen(self, source: str, item_id: str) -> str:
        """What became of an item, and of which text: `<action>|<content hash>` (store.py)."""
        return self.seen_prefix() + self.seen_member(source, item_id)

    def seen_prefix(self) -> str:
        """Every seen key is this prefix plus its `seen_member` (the store's scripts join them)."""
        return f"{self.prefix}seen:"

    @staticmethod
    def seen_member(source: str, item_id: str) -> str:
        """An item's id in its source's seen index: the suffix of its seen key."""
        return digest(source + chr(0) + item_id)

    def seen_index(self, source: str) -> str:
        """Sorted set: one source's remembered items (`seen_member`) → when remembered (epoch
        microseconds); the oldest are forgotten past the per-source cap, so one feed's memory
        stays bounded."""
        return f"{self.prefix}seen-index:{digest(source)}"

    def events_version(self) -> str:
        """Counter bumped by every event commit: the compare-and-set guard of decisions."""
        return f"{self.prefix}events:version"

    def event(self, event_id: str) -> str:
        return f"{self.prefix}event:{event_id}"

    def held(self, country: str) -> str:
        """Sorted set: one launcher's launch reports held for a second source to corroborate
        (JSON) → publish time; pruned past two days by the commit that adds one."""
        return f"{self.prefix}held:{country}"

    def outbox(self) -> str:
        """Sorted set: alert keys created but not yet fanned out → creation time."""
        return f"{self.prefix}outbox"

    def owed_updates(self) -> str:
        """Sorted set: events owed a deferred update → when it may be sent."""
        return f"{self.prefix}owed"

    def alert(self, alert_key: str) -> str:
        return f"{self.prefix}alert:{alert_key}"

    def events_index(self) -> str:
        """Sorted set of event ids by first-report time, newest last."""
        return f"{self.prefix}events"

    def source_state(self, source: str) -> str:
        """Hash: validators (etag, last_modified) and health of one source."""
        return f"{self.prefix}source:{source}"

    def poll_due(self) -> str:
        """Sorted set: source name → epoch of its next poll."""
        return f"{self.prefix}poll:due"

    def poll_config(self) -> str:
        """Digest of the configured sources the due set was last synced with."""
        return f"{self.prefix}poll:config"

    def host_slots(self, host: str) -> str:
        """Sorted set of poll tokens holding a slot on a host → lease expiry epoch."""
        return f"{self.prefix}poll:host:{host}"

    def surge(self) -> str:
        """Exists while fast sources are polled at the surge interval."""
        return f"{self.prefix}surge"

    def thread(self, event_id: str, destination_id: str) -> str:
        """The first message posted for an event at a destination (Slack ts)."""
        return f"{self.prefix}thread:{event_id}:{destination_id}"

    def delivery_sent(self, delivery_key: str) -> str:
        return f"{self.prefix}delivery:sent:{delivery_key}"

    def delivery_failures(self, delivery_key: str) -> str:
        return f"{self.prefix}delivery:failures:{delivery_key}"

    def delivery_claim(self, delivery_key: str) -> str:
        return f"{self.prefix}delivery:claim:{delivery_key}"

    def routed(self, event_id: str, destination_id: str) -> str:
        """Hash: revision → routed | sent | dead, for one event at one destination."""
        return f"{self.prefix}routed:{event_id}:{destination_id}"

    def pace(self, destination_id: str) -> str:
        """Exists while a destination must not be sent to again (its rate limit)."""
        return f"{self.prefix}pace:{destination_id}"

    def metric(self, name: str) -> str:
        """Hash: label set → counter value, or histogram buckets and sum."""
        return f"{self.prefix}metrics:{name}"

    def heartbeat_beat(self) -> str:
        """Epoch of the last dispatch beat caused (expires: a stale one means beat is down)."""
        return f"{self.prefix}heartbeat:beat"

    def heartbeat_worker(self, host: str) -> str:
        return f"{self.prefix}heartbeat:worker:{host}"

    def heartbeat_deliver(self, host: str) -> str:
        """Epoch of the last tick of a worker on `host` that takes deliveries (they come only
        with launches, so no task beats for it: workers/steps.py)."""
        return f"{self.prefix}heartbeat:deliver:{host}"

    def deadletter(self) -> str:
        return f"{self.prefix}deadletter"

    def pattern(self) -> str:
        """Glob that matches every key of this namespace (for cleanup)."""
        return f"{self.prefix}*"
