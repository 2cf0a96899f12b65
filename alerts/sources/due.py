"""When each source is polled next, in Redis: a due set, an atomic dispatcher and host slots.

Adapter. The schedule is shared by every beat and every worker, on any host: a source's score
in the due set is either when it is due or, while a poll of it is under way, when that poll's
lease runs out. Two leases, both held in the score itself:

- The dispatcher claims due sources with one script that pushes each a *dispatch lease*
  (DISPATCH_LEASE_S) ahead, so two dispatchers (two beats, or two dispatch tasks at once) never
  enqueue the same poll twice. The lease's end travels in the poll message as its claim.
- The worker that starts the poll exchanges that claim for a *poll lease* (`start_polls`):
  only while the score is still the claim's end, atomically. A message that comes late (a
  backlog, or redelivered from a dead worker after another dispatcher re-claimed the source)
  finds the score changed and drops the source: never two polls of one source at once.

A poll lost with its worker (SIGKILL, a host down) is therefore taken over when its lease runs
out: within DISPATCH_LEASE_S of the claim if it never started, within the poll lease (the
fetch timeout plus a margin; `poll_lease_s`) of its start if it did. Host slots cap how many
polls hit one publisher at the same time.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from alerts.events.keys import Keys
from alerts.models import SourceSpec

if TYPE_CHECKING:
    import redis

DISPATCH_LEASE_S = 30.0  # a claimed poll not started within this is claimed again
POLL_LEASE_MARGIN_S = 10.0  # a started poll's lease: its longest transfer plus this
FIRST_POLL_SPREAD_S = 5.0

# KEYS: due set. ARGV: now, lease end (a decimal string), limit. Returns name, due time, name,
# due time... (the due times as strings: a script's numbers would be truncated to integers).
_CLAIM_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0,
                       tonumber(ARGV[3]))
for i = 1, #due, 2 do redis.call('ZADD', KEYS[1], ARGV[2], due[i]) end
return due
"""

# KEYS: due set. ARGV: poll lease end, then name, claim end, name, claim end... Each source
# whose score is still its claim's end gets the poll lease; one whose score is that poll lease
# already got it (the same call again, its first reply lost). Returns the names that have it.
_START_POLLS = """
local started = {}
for i = 2, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and (tonumber(score) == tonumber(ARGV[i + 1])
                or tonumber(score) == tonumber(ARGV[1])) then
    redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i])
    started[#started + 1] = ARGV[i]
  end
end
return started
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


def poll_lease_s(fetch_timeout_s: float, wait_for_slots_s: float) -> float:
    """How long a started poll holds its source: its longest wait for a host slot and its
    longest transfer, plus POLL_LEASE_MARGIN_S for parsing and writing the outcome."""
    return fetch_timeout_s + wait_for_slots_s + POLL_LEASE_MARGIN_S


def lease_end(now: float, lease_s: float) -> float:
    """A lease's end, rounded to the millisecond: the same number in Python, in the message
    (JSON) and in Redis, so a claim can be compared for equality."""
    return round(now + lease_s, 3)


@dataclass(frozen=True, slots=True)
class Claim:
    """A source the dispatcher took: when it was due, and the end of its dispatch lease (the
    proof of this claim that `start_polls` checks)."""

    name: str
    due_at: float
    lease_until: float


def dispatch_tick_key(keys: Keys) -> str:
    return keys.poll_tick()


def config_digest(specs: Iterable[SourceSpec]) -> str:
    text = "\n".join(sorted(f"{s.name} {s.url} {s.interval_s} {s.fast}" for s in specs))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class PollSchedule:
    def __init__(self, client: redis.Redis[bytes], *, keys: Keys | None = None) -> None:
        self._redis = client
        self._keys = keys or Keys()
        self._claim = client.register_script(_CLAIM_DUE)
        self._start = client.register_script(_START_POLLS)
        self._take_many = client.register_script(_TAKE_SLOTS)

    def sync(self, specs: Sequence[SourceSpec], *, now: float, digest: str | None = None) -> bool:
        """Make the due set match the configured sources; new ones are spread over seconds.

        Cheap when nothing changed (one GET); returns True when it rewrote the set. `digest`
        is `config_digest(specs)` when the caller keeps it (at 100,000 sources computing it
        takes 91 ms, a third of a 0.25 s tick)."""
        digest = digest or config_digest(specs)
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

    def claim_due(
        self, *, now: float, limit: int = 1000, lease_s: float = DISPATCH_LEASE_S
    ) -> list[str]:
        """Names of sources due now; each is pushed a lease ahead until its poll reschedules it."""
        return [c.name for c in self.claim(now=now, limit=limit, lease_s=lease_s)]

    def claim_due_times(
        self, *, now: float, limit: int = 1000, lease_s: float = DISPATCH_LEASE_S
    ) -> list[tuple[str, float]]:
        """`claim_due`, with the epoch each source was due: its next poll counts from that
        (health.next_poll_at), so the wait for the dispatcher's tick is not added to every
        interval."""
        return [(c.name, c.due_at) for c in self.claim(now=now, limit=limit, lease_s=lease_s)]

    def claim(
        self, *, now: float, limit: int = 1000, lease_s: float = DISPATCH_LEASE_S
    ) -> list[Claim]:
        """The sources due now, each leased until `now + lease_s`: no other dispatcher takes
        them meanwhile. One script call: atomic however many dispatchers run."""
        until = lease_end(now, lease_s)
        flat = self._claim(keys=[self._keys.poll_due()], args=[now, repr(until), limit])
        names = [c.decode() if isinstance(c, bytes) else str(c) for c in flat[::2]]
        return [Claim(name, float(due), until)
                for name, due in zip(names, flat[1::2], strict=True)]  # fmt: skip

    def start_polls(
        self, claims: Sequence[tuple[str, float]], *, now: float, lease_s: float
    ) -> list[str]:
        """Exchange dispatch claims (name, lease end) for a poll lease ending `now + lease_s`;
        the names whose claim still stood, in the order given. Called again with the same
        `now` (a retry after a lost reply), it answers the same. A claim that no longer stands
        (re-claimed after its lease ran out, or the source rescheduled or removed) means
        another poll has it or had it: that source must not be polled on this claim."""
        if not claims:
            return []
        args: list[str] = [repr(lease_end(now, lease_s))]
        for name, until in claims:
            args += [name, repr(float(until))]
        started = self._start(keys=[self._keys.poll_due()], args=args)
        return [s.decode() if isinstance(s, bytes) else str(s) for s in started]

    def queue_dispatch_tick(self, pipe: redis.client.Pipeline[bytes], *, tick_s: float) -> None:
        """Queue on `pipe` a bid for this dispatch tick: its reply is truthy for the first
        bidder of the next `tick_s` seconds only (SET NX with an expiry, on Redis's clock).
        However many beats send dispatches, one a tick claims and enqueues polls."""
        pipe.set(dispatch_tick_key(self._keys), "1", nx=True, px=max(1, int(tick_s * 1000)))

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
