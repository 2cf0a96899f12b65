"""When each source is polled next, in Redis: a due set, an atomic dispatcher and host slots.

Adapter. The dispatcher claims due sources with one script that also pushes their due time a
lease ahead, so two dispatchers (a restarted or second beat) never enqueue the same poll twice,
and a poll lost with its worker is retried once the lease runs out. Host slots cap how many
polls hit one publisher at the same time.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from alerts.events.keys import Keys
from alerts.models import SourceSpec

if TYPE_CHECKING:
    import redis

LEASE_S = 120.0
FIRST_POLL_SPREAD_S = 5.0

# KEYS: due set. ARGV: now, lease seconds, limit. Returns name, due time, name, due time...
# (the due times as strings: a script's numbers would be truncated to integers).
_CLAIM_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0,
                       tonumber(ARGV[3]))
local until_ = tonumber(ARGV[1]) + tonumber(ARGV[2])
for i = 1, #due, 2 do redis.call('ZADD', KEYS[1], until_, due[i]) end
return due
"""

# KEYS: host slots. ARGV: now, lease seconds, limit, token... Returns how many tokens (from
# the first) got a slot.
_TAKE_SLOTS = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local free = tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[1])
local n = math.min(math.max(free, 0), #ARGV - 3)
local until_ = tonumber(ARGV[1]) + tonumber(ARGV[2])
for i = 1, n do redis.call('ZADD', KEYS[1], until_, ARGV[3 + i]) end
if n > 0 then redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]))) end
return n
"""


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "unknown").lower()


def config_digest(specs: Iterable[SourceSpec]) -> str:
    text = "\n".join(sorted(f"{s.name} {s.url} {s.interval_s} {s.fast}" for s in specs))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class PollSchedule:
    def __init__(self, client: redis.Redis[bytes], *, keys: Keys | None = None) -> None:
        self._redis = client
        self._keys = keys or Keys()
        self._claim = client.register_script(_CLAIM_DUE)
        self._take_many = client.register_script(_TAKE_SLOTS)

    def sync(self, specs: Sequence[SourceSpec], *, now: float) -> bool:
        """Make the due set match the configured sources; new ones are spread over seconds.

        Cheap when nothing changed (one GET); returns True when it rewrote the set.
        """
        digest = config_digest(specs)
        if self._redis.get(self._keys.poll_config()) == digest.encode():
            return False
        names = {s.name for s in specs}
        current = {m.decode() for m in self._redis.zrange(self._keys.poll_due(), 0, -1)}
        pipe = self._redis.pipeline(transaction=True)
        if current - names:
            pipe.zrem(self._keys.poll_due(), *(current - names))
        spread: dict[str | bytes, float] = {
            s.name: now + random.uniform(0, min(FIRST_POLL_SPREAD_S, s.interval_s))  # noqa: S311
            for s in specs
        }
        if spread:
            pipe.zadd(self._keys.poll_due(), spread, nx=True)
        pipe.set(self._keys.poll_config(), digest)
        pipe.execute()
        return True

    def claim_due(self, *, now: float, limit: int = 1000, lease_s: float = LEASE_S) -> list[str]:
        """Names of sources due now; each is pushed a lease ahead until its poll reschedules it."""
        return [name for name, _due in self.claim_due_times(now=now, limit=limit, lease_s=lease_s)]

    def claim_due_times(
        self, *, now: float, limit: int = 1000, lease_s: float = LEASE_S
    ) -> list[tuple[str, float]]:
        """`claim_due`, with the epoch each source was due: its next poll counts from that
        (health.next_poll_at), so the wait for the dispatcher's tick is not added to every
        interval."""
        flat = self._claim(keys=[self._keys.poll_due()], args=[now, lease_s, limit])
        names = [c.decode() if isinstance(c, bytes) else str(c) for c in flat[::2]]
        return list(zip(names, (float(d) for d in flat[1::2]), strict=True))

    def reschedule(
        self, next_at: Mapping[str, float], *, release: Sequence[tuple[str, str]] = ()
    ) -> None:
        """`settle` in a round trip of its own."""
        pipe = self._redis.pipeline(transaction=False)
        self.settle(pipe, next_at=next_at, release=release)
        pipe.execute()

    def pull_in(self, names: Iterable[str], *, at: float) -> None:
        """Bring these sources' next poll forward to `at` (never later than it already is)."""
        mapping: dict[str | bytes, float] = dict.fromkeys(names, at)
        if mapping:
            self._redis.zadd(self._keys.poll_due(), mapping, xx=True, lt=True)

    def due_at(self, name: str) -> float | None:
        return self._redis.zscore(self._keys.poll_due(), name)

    def take_host_slot(
        self, host: str, token: str, *, now: float, limit: int, lease_s: float
    ) -> bool:
        return self.take_host_slots([(host, token)], now=now, limit=limit, lease_s=lease_s)[0]

    def take_host_slots(
        self, wanted: Sequence[tuple[str, str]], *, now: float, limit: int, lease_s: float
    ) -> list[bool]:
        """`take_host_slot` for many (host, token) pairs: one script call per host, all in one
        round trip. Answers in the order asked."""
        by_host: dict[str, list[int]] = {}
        for index, (host, _token) in enumerate(wanted):
            by_host.setdefault(host, []).append(index)
        if not by_host:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for host, indexes in by_host.items():
            tokens = [wanted[i][1] for i in indexes]
            self._take_many(keys=[self._keys.host_slots(host)],
                            args=[now, lease_s, limit, *tokens], client=pipe)  # fmt: skip
        granted = [False] * len(wanted)
        for indexes, count in zip(by_host.values(), pipe.execute(), strict=True):
            for i in indexes[: int(count)]:
                granted[i] = True
        return granted

    def settle(
        self,
        pipe: redis.client.Pipeline[bytes],
        *,
        next_at: Mapping[str, float],
        release: Sequence[tuple[str, str]],
    ) -> None:
        """Queue on `pipe`: next poll times, and host slots given back (one batch's end)."""
        if next_at:
            scores = dict[str | bytes, float](next_at.items())
            pipe.zadd(self._keys.poll_due(), scores)
        tokens: dict[str, list[str]] = {}
        for host, token in release:
            tokens.setdefault(host, []).append(token)
        for host, held in tokens.items():
            pipe.zrem(self._keys.host_slots(host), *held)

    def start_surge(self, *, duration_s: float) -> None:
        if duration_s > 0:
            self._redis.set(self._keys.surge(), "1", ex=max(1, int(duration_s)))

    def surge_active(self) -> bool:
        return bool(self._redis.exists(self._keys.surge()))
