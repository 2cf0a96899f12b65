"""Source health as a pure state machine, and when to poll next.

healthy → degraded → unhealthy, and back on success. Polling never stops for good: failures
only lengthen the wait before the next poll, up to a cap. The next poll time adds jitter so
polls do not synchronise, tightens during a surge (a launch was just detected) and after a gap
(every item of the feed was new, so items may have rotated out unseen), and honours a feed's
cache hints (Cache-Control max-age, RSS <ttl>) only where the operator allows, and never for
sources marked fast.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEGRADED_AFTER = 1
UNHEALTHY_AFTER = 3
BACKOFF_CAP_S = 900.0
MIN_INTERVAL_S = 1.0


class Health(StrEnum):
    NEW = "new"
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


@dataclass(frozen=True, slots=True)
class SourceState:
    """What we remember about one source between polls."""

    name: str
    health: Health = Health.NEW
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_polled_at: datetime | None = None
    not_before: datetime | None = None  # no poll before this (Retry-After, error backoff)
    gaps: int = 0  # polls whose items were all unseen (possible missed items)
    last_gap_at: datetime | None = None

    @property
    def ever_succeeded(self) -> bool:
        return self.last_success_at is not None


def after_success(
    state: SourceState, *, now: datetime, etag: str | None, last_modified: str | None
) -> SourceState:
    """State after a poll that answered 200 or 304. Validators of a 304 keep the old ones."""
    return dataclasses.replace(
        state,
        health=Health.HEALTHY,
        etag=etag or state.etag,
        last_modified=last_modified or state.last_modified,
        failures=0,
        last_success_at=now,
        last_polled_at=now,
        not_before=None,
    )


def after_failure(
    state: SourceState,
    *,
    now: datetime,
    reason: str,
    interval_s: float,
    retry_after_s: float | None,
) -> SourceState:
    """State after a failed poll: health drops, and the next poll waits with capped backoff."""
    failures = state.failures + 1
    health = Health.UNHEALTHY if failures >= UNHEALTHY_AFTER else Health.DEGRADED
    wait_s = max(retry_after_s or 0.0, backoff_s(failures, interval_s))
    return dataclasses.replace(
        state,
        health=health,
        failures=failures,
        last_error=reason,
        last_error_at=now,
        last_polled_at=now,
        not_before=now + timedelta(seconds=wait_s),
    )


def backoff_s(failures: int, interval_s: float) -> float:
    """Exponential in the failure count, starting at the poll interval, capped."""
    return min(BACKOFF_CAP_S, interval_s * 2.0 ** max(0, failures - 1))


def is_due(state: SourceState, *, now: datetime) -> bool:
    return state.not_before is None or now >= state.not_before


def after_gap(state: SourceState, *, now: datetime) -> SourceState:
    """Record that a poll found only unseen items: the feed may have rotated items out."""
    return dataclasses.replace(state, gaps=state.gaps + 1, last_gap_at=now)


@dataclass(frozen=True, slots=True)
class PollTiming:
    """Operator knobs for when to poll next (from Settings)."""

    jitter: float = 0.1  # ± fraction of the interval
    surge_interval_s: float = 10.0
    honour_cache_hints: bool = False
    max_hint_s: float = 3600.0


def next_poll_delay_s(
    interval_s: float,
    *,
    fast: bool,
    timing: PollTiming,
    rand: float,
    surge: bool = False,
    gap: bool = False,
    hint_s: float | None = None,
    honour_hints: bool | None = None,
) -> float:
    """Seconds until the next poll after a successful one. `rand` in [0, 1) drives the jitter."""
    delay = interval_s
    if surge and fast:
        delay = min(delay, timing.surge_interval_s)
    if gap:
        delay = delay / 2
    honour = timing.honour_cache_hints if honour_hints is None else honour_hints
    if hint_s and honour and not fast:
        delay = max(delay, min(hint_s, timing.max_hint_s))
    delay *= 1 + timing.jitter * (2 * rand - 1)
    return max(MIN_INTERVAL_S, delay)


def next_poll_at(*, due_at: float | None, started_at: float, delay_s: float, now: float) -> float:
    """Epoch of the next poll after a successful one: `delay_s` after the time this poll was
    due, not after it started.

    Counting from the start added the wait for the dispatcher's next tick, the queue and a
    host slot to every interval: at 5 s, 1,000 feeds were polled 193 times a second, not 200.
    From the due time, a poll that starts late is followed by one due on time and the mean
    interval is the configured one. A poll that started a whole interval late or more (a
    backlog, beat stopped for a while) counts from its start instead: catching up would only
    pile polls onto workers already behind. Never earlier than `now`.
    """
    anchor = started_at
    if due_at is not None and started_at - due_at < delay_s:
        anchor = due_at
    return max(now, anchor + delay_s)


def retry_delay_s(state: SourceState, *, now: datetime) -> float:
    """Seconds until a failing source may be polled again."""
    if state.not_before is None:
        return MIN_INTERVAL_S
    return max(MIN_INTERVAL_S, (state.not_before - now).total_seconds())
