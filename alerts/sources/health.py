"""Source health as a pure state machine: healthy → degraded → unhealthy, and back on success.

Polling never stops for good: failures only lengthen the wait before the next poll, up to a cap.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEGRADED_AFTER = 1
UNHEALTHY_AFTER = 3
BACKOFF_CAP_S = 900.0


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
    return min(BACKOFF_CAP_S, interval_s * (2 ** max(0, failures - 1)))


def is_due(state: SourceState, *, now: datetime) -> bool:
    return state.not_before is None or now >= state.not_before
