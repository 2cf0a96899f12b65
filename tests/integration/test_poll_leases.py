"""Leases on the shared poll schedule, in a real Redis: what lets several beats and several
worker hosts share one schedule without a source polled twice, and brings back a poll whose
worker died (alerts.sources.due, workers.tasks)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from alerts.bootstrap import Runtime, build_runtime
from alerts.config import load_settings
from alerts.embedded import EmbeddedRedis
from alerts.events.keys import Keys
from alerts.metrics import render_metrics
from alerts.sources.due import DISPATCH_LEASE_S, PollSchedule, poll_lease_s
from tests.integration.feed_server import FeedServer
from workers import tasks

RSS = (Path(__file__).parents[1] / "data" / "feeds" / "rss2.xml").read_bytes()
NOW = 1_800_000_000.0
NAMES = [f"feed-{i}" for i in range(4)]


class TestLeases:
    def test_a_claim_that_ran_out_and_was_taken_again_polls_nothing(
        self, redis_client: redis.Redis
    ) -> None:
        """A poll message that comes late (a backlog, or redelivered from a dead worker) after
        another dispatcher claimed the source again must not poll it a second time."""
        schedule = PollSchedule(redis_client)
        schedule.reschedule({"a": NOW - 1, "b": NOW - 1})
        [first_a, first_b] = schedule.claim(now=NOW)
        assert schedule.claim(now=NOW + 1) == []  # leased
        [again_a, again_b] = schedule.claim(now=NOW + DISPATCH_LEASE_S + 0.5)  # ran out
        late = [(c.name, c.lease_until) for c in (first_a, first_b)]
        assert schedule.start_polls(late, now=NOW + DISPATCH_LEASE_S + 1, lease_s=15) == []
        fresh = [(c.name, c.lease_until) for c in (again_a, again_b)]
        assert schedule.start_polls(fresh, now=NOW + DISPATCH_LEASE_S + 1, lease_s=15) == [
            "a",
            "b",
        ]

    def test_a_claim_is_exchanged_once(self, redis_client: redis.Redis) -> None:
        """The same message delivered twice (a broker redelivery) starts the poll once."""
        schedule = PollSchedule(redis_client)
        schedule.reschedule({"a": NOW - 1})
        [claim] = schedule.claim(now=NOW)
        assert schedule.start_polls([("a", claim.lease_until)], now=NOW + 1, lease_s=15) == ["a"]
        assert schedule.start_polls([("a", claim.lease_until)], now=NOW + 2, lease_s=15) == []

    def test_a_started_poll_that_dies_comes_back_after_its_poll_lease(
        self, redis_client: redis.Redis
    ) -> None:
        """Its worker SIGKILLed mid-poll, the source is due again when the poll lease runs
        out: the fetch timeout plus a margin after the poll started, not the dispatch lease."""
        schedule = PollSchedule(redis_client)
        schedule.reschedule({"a": NOW - 1})
        [claim] = schedule.claim(now=NOW)
        lease_s = poll_lease_s(3, 2)
        schedule.start_polls([("a", claim.lease_until)], now=NOW + 0.5, lease_s=lease_s)
        assert schedule.claim(now=NOW + 0.5 + lease_s - 0.1) == []
        assert [c.name for c in schedule.claim(now=NOW + 0.5 + lease_s + 0.1)] == ["a"]

    def test_a_rescheduled_or_removed_source_is_not_started(
        self, redis_client: redis.Redis
    ) -> None:
        schedule = PollSchedule(redis_client)
        schedule.reschedule({"a": NOW - 1, "b": NOW - 1})
        claims = {c.name: c.lease_until for c in schedule.claim(now=NOW)}
        schedule.reschedule({"a": NOW + 60})  # e.g. polled meanwhile on an older message
        redis_client.zrem(Keys().poll_due(), "b")  # removed from the configuration
        assert schedule.start_polls(list(claims.items()), now=NOW + 1, lease_s=15) == []
        assert schedule.due_at("a") == NOW + 60


@pytest.fixture
def rt_and_feeds(redis_server: EmbeddedRedis, redis_client: redis.Redis,
                 tmp_path: Path) -> Iterator[tuple[Runtime, FeedServer]]:  # fmt: skip
    with FeedServer() as srv:
        for name in NAMES:
            srv.add(f"/{name}.rss", RSS, etag=True)
        sources = [{"name": n, "url": srv.url(f"/{n}.rss"), "interval_seconds": 60}
                   for n in NAMES]  # fmt: skip
        settings = load_settings(sources=sources, data_dir=tmp_path, per_host_concurrency=4)
        rt = build_runtime(settings, redis_url=redis_server.url)
        try:
            yield rt, srv
        finally:
            rt.close()


def test_a_batch_polls_only_the_sources_whose_claim_stands(
    rt_and_feeds: tuple[Runtime, FeedServer], redis_client: redis.Redis
) -> None:
    """Two messages for the same sources (a late one and the current one): each source is
    fetched once, by the message holding its current claim."""
    rt, srv = rt_and_feeds
    now = time.time()
    rt.schedule.reschedule(dict.fromkeys(NAMES, now - 1))
    stale = rt.schedule.claim(now=now)
    current = rt.schedule.claim(now=now + DISPATCH_LEASE_S + 1)
    tasks._poll_batch(rt, [c.name for c in stale], [c.due_at for c in stale],
                      [c.lease_until for c in stale])  # fmt: skip
    assert srv.requests == []
    tasks._poll_batch(rt, [c.name for c in current], [c.due_at for c in current],
                      [c.lease_until for c in current])  # fmt: skip
    assert sorted(r.path for r in srv.requests) == sorted(f"/{n}.rss" for n in NAMES)
    assert all((rt.schedule.due_at(n) or 0) > now + 30 for n in NAMES)  # next poll, not a lease


def _poll_all_due(rt: Runtime) -> None:
    """Every source due now, claimed as the dispatcher does, then polled as its batch."""
    now = time.time()
    rt.schedule.reschedule(dict.fromkeys(NAMES, now - 1))
    claims = rt.schedule.claim(now=now)
    tasks._poll_batch(rt, [c.name for c in claims], [c.due_at for c in claims],
                      [c.lease_until for c in claims])  # fmt: skip


def test_a_batch_whose_claims_redis_refuses_for_a_moment_still_polls(
    rt_and_feeds: tuple[Runtime, FeedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A primary refusing writes for a second or two (NOREPLICAS, read by the Sentinel client as
    a lost connection, after its host stalled) made the claims' exchange fail, and the batch
    with it: its sources waited for their dispatch lease, 30 s, which a CI run met. The
    exchange is asked again, so they are polled once Redis takes writes."""
    rt, srv = rt_and_feeds
    monkeypatch.setattr(tasks, "CLAIM_RETRY", Retry(ExponentialBackoff(cap=0.05, base=0.01), 4))
    real = rt.schedule.start_polls
    refusals = iter([redis.ConnectionError("the primary refuses writes (NOREPLICAS)")] * 2)

    def start_polls(*args: Any, **kwargs: Any) -> list[str]:
        if (refused := next(refusals, None)) is not None:
            raise refused
        return real(*args, **kwargs)

    monkeypatch.setattr(rt.schedule, "start_polls", start_polls)
    _poll_all_due(rt)
    assert sorted(r.path for r in srv.requests) == sorted(f"/{n}.rss" for n in NAMES)
    assert next(refusals, None) is None


def test_a_batch_that_spent_its_lease_asking_is_given_back_not_polled(
    rt_and_feeds: tuple[Runtime, FeedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poll lease's end is fixed at the first ask, so retries' waits and slow tries come off
    it: a batch that spent more than CLAIM_SPENT_LIMIT_S asking would poll on a lease its
    slowest fetch could outlive (and be polled twice). It is given back, due again in a moment,
    and polled then."""
    rt, srv = rt_and_feeds
    monkeypatch.setattr(tasks, "CLAIM_RETRY", Retry(ExponentialBackoff(cap=0.05, base=0.01), 4))
    monkeypatch.setattr(tasks, "CLAIM_SPENT_LIMIT_S", 0.3)
    real = rt.schedule.start_polls
    slow = [True]

    def start_polls(*args: Any, **kwargs: Any) -> list[str]:
        if slow.pop() if slow else False:
            time.sleep(0.5)  # a try that timed out
            raise redis.TimeoutError("Timeout reading from socket")
        return real(*args, **kwargs)

    monkeypatch.setattr(rt.schedule, "start_polls", start_polls)
    _poll_all_due(rt)
    assert srv.requests == []
    assert 'status="given_back"' in render_metrics(rt.redis)
    soon = time.time() + 2 * tasks.HOST_BUSY_RETRY_S + 1
    assert all((rt.schedule.due_at(n) or 0) <= soon for n in NAMES)
    time.sleep(2 * tasks.HOST_BUSY_RETRY_S)
    claims = rt.schedule.claim(now=time.time())  # the next dispatch, with no reschedule
    assert sorted(c.name for c in claims) == sorted(NAMES)
    tasks._poll_batch(rt, [c.name for c in claims], [c.due_at for c in claims],
                      [c.lease_until for c in claims])  # fmt: skip
    assert sorted(r.path for r in srv.requests) == sorted(f"/{n}.rss" for n in NAMES)


def test_a_retry_after_a_lost_reply_keeps_the_claims_it_took(
    rt_and_feeds: tuple[Runtime, FeedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exchange ran but its reply was lost (a timeout): asked again, it must answer the
    same, not find the sources leased (by itself) and poll none of them for a poll lease."""
    rt, srv = rt_and_feeds
    monkeypatch.setattr(tasks, "CLAIM_RETRY", Retry(ExponentialBackoff(cap=0.05, base=0.01), 4))
    real = rt.schedule.start_polls
    lost: list[bool] = []

    def start_polls(*args: Any, **kwargs: Any) -> list[str]:
        started = real(*args, **kwargs)
        if not lost:
            lost.append(True)
            raise redis.TimeoutError("Timeout reading from socket")
        return started

    monkeypatch.setattr(rt.schedule, "start_polls", start_polls)
    _poll_all_due(rt)
    assert lost == [True]
    assert sorted(r.path for r in srv.requests) == sorted(f"/{n}.rss" for n in NAMES)


def test_one_dispatch_a_tick_however_many_beats(
    rt_and_feeds: tuple[Runtime, FeedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dispatches from two beats in the same tick: the first claims and enqueues, the second
    only shows its beat is alive; the next tick dispatches again."""
    rt, _srv = rt_and_feeds
    monkeypatch.setattr(tasks, "runtime", lambda: rt)
    # a tick long enough that a loaded machine cannot let it run out between two calls
    monkeypatch.setattr(tasks, "DISPATCH_TICK_S", 1.0)
    sent: list[list[str]] = []
    monkeypatch.setattr(tasks.poll_sources, "apply_async",
                        lambda args, **_: sent.append(args[0]))  # fmt: skip
    rt.schedule.sync(list(rt.sources.values()), now=time.time())
    rt.schedule.reschedule(dict.fromkeys(NAMES, time.time() + 600))  # none due but those set
    rt.schedule.reschedule({"feed-0": time.time() - 1})
    tasks.dispatch_polls()
    assert sent == [["feed-0"]]
    rt.redis.delete(rt.events.keys.heartbeat_beat())
    rt.schedule.reschedule({"feed-1": time.time() - 1})
    tasks.dispatch_polls()  # the other beat, same tick
    assert sent == [["feed-0"]]
    assert rt.redis.get(rt.events.keys.heartbeat_beat())  # its beat counts as alive
    time.sleep(tasks.DISPATCH_TICK_S + 0.05)
    tasks.dispatch_polls()
    assert sent == [["feed-0"], ["feed-1"]]
