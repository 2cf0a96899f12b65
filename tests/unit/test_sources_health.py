"""Source health transitions and when to poll next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.sources.health import (
    BACKOFF_CAP_S,
    Health,
    PollTiming,
    SourceState,
    after_failure,
    after_success,
    next_poll_at,
    next_poll_delay_s,
    retry_delay_s,
)

NOW = datetime(2026, 11, 25, tzinfo=UTC)
NO_JITTER = PollTiming(jitter=0.0, surge_interval_s=10, honour_cache_hints=False)


class TestHealth:
    def test_failures_degrade_then_mark_unhealthy_and_success_recovers(self) -> None:
        """One failure degrades a source, three make it unhealthy, one success heals it."""
        state = SourceState("s")
        for expected in (Health.DEGRADED, Health.DEGRADED, Health.UNHEALTHY):
            state = after_failure(
                state, now=NOW, reason="timeout", interval_s=60, retry_after_s=None
            )
            assert state.health is expected
        assert state.last_error == "timeout"
        healed = after_success(state, now=NOW, etag=None, last_modified=None)
        assert (healed.health, healed.failures, healed.not_before) == (Health.HEALTHY, 0, None)

    def test_backoff_grows_is_capped_and_honours_retry_after(self) -> None:
        """Waits double per failure up to the cap; a longer Retry-After wins."""
        state = SourceState("s")
        waits = []
        for _ in range(8):
            state = after_failure(state, now=NOW, reason="x", interval_s=60, retry_after_s=None)
            waits.append(retry_delay_s(state, now=NOW))
        assert waits[:4] == [60, 120, 240, 480]
        assert max(waits) == BACKOFF_CAP_S
        limited = after_failure(
            SourceState("s"), now=NOW, reason="429", interval_s=60, retry_after_s=3000
        )
        assert retry_delay_s(limited, now=NOW) == 3000

    def test_304_keeps_the_validators(self) -> None:
        """A 304 carries no validators of its own: the stored ones stay."""
        state = SourceState("s", etag='"a"', last_modified="Mon")
        assert after_success(state, now=NOW, etag=None, last_modified=None).etag == '"a"'


class TestNextPollDelay:
    @pytest.mark.parametrize(
        ("kwargs", "expected"),
        [
            ({}, 60),
            ({"surge": True}, 60),  # not fast: the surge does not apply
            ({"surge": True, "fast": True}, 10),
            ({"gap": True}, 30),
            ({"hint_s": 900}, 60),  # hints ignored unless the operator allows
            ({"hint_s": 900, "honour_hints": True}, 900),
            ({"hint_s": 900, "honour_hints": True, "fast": True}, 60),  # never for fast
            ({"hint_s": 30, "honour_hints": True}, 60),  # a hint is a floor, not a ceiling
            ({"hint_s": 99999, "honour_hints": True}, 3600),  # capped
        ],
    )
    def test_table(self, kwargs: dict, expected: float) -> None:
        """Surge tightens fast sources, gaps halve the wait, cache hints only lengthen it."""
        kwargs = {"fast": False, **kwargs}
        assert next_poll_delay_s(60, timing=NO_JITTER, rand=0.5, **kwargs) == expected

    def test_jitter_spreads_polls(self) -> None:
        """With 10 % jitter, delays spread over ±10 % of the interval."""
        timing = PollTiming(jitter=0.1)
        low = next_poll_delay_s(60, fast=False, timing=timing, rand=0.0)
        high = next_poll_delay_s(60, fast=False, timing=timing, rand=0.999999)
        assert low == pytest.approx(54)
        assert high == pytest.approx(66, abs=0.01)

    def test_never_below_a_second(self) -> None:
        """A tiny interval still leaves a second between polls."""
        assert next_poll_delay_s(0.2, fast=True, timing=NO_JITTER, rand=0.5, gap=True) == 1.0


def test_retry_delay_after_not_before() -> None:
    """A source backing off waits until its not-before time."""
    state = SourceState("s", not_before=NOW + timedelta(seconds=42))
    assert retry_delay_s(state, now=NOW) == 42


class TestNextPollAt:
    @pytest.mark.parametrize(
        ("due_at", "started_at", "now", "expected"),
        [
            (100.0, 100.2, 100.5, 105.0),  # late by a dispatch tick: counts from the due time
            (100.0, 100.0, 100.1, 105.0),
            (100.0, 104.9, 105.2, 105.2),  # a slow answer: never in the past
            (100.0, 107.0, 107.3, 112.0),  # a whole interval late: from the start, no catch-up
            (None, 100.2, 100.5, 105.2),  # due time unknown (an old message): from the start
        ],
    )
    def test_table(
        self, due_at: float | None, started_at: float, now: float, expected: float
    ) -> None:
        """The next poll is one interval after this one was due, within the limits."""
        got = next_poll_at(due_at=due_at, started_at=started_at, delay_s=5.0, now=now)
        assert got == pytest.approx(expected)
