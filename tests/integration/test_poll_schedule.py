"""The poll schedule in real Redis: sync, atomic claims, host slots and surge."""

from __future__ import annotations

import threading

import redis

from alerts.models import SourceSpec
from alerts.sources.due import PollSchedule

NOW = 1_800_000_000.0


def specs(*names: str, interval: float = 60) -> list[SourceSpec]:
    return [SourceSpec(name=n, url=f"https://{n}.example/rss", interval_s=interval) for n in names]


class TestPollSchedule:
    def test_sync_adds_new_sources_soon_and_removes_old(self, redis_client: redis.Redis) -> None:
        """New sources become due within seconds; removed ones leave the schedule."""
        schedule = PollSchedule(redis_client)
        assert schedule.sync(specs("a", "b"), now=NOW)
        assert not schedule.sync(specs("a", "b"), now=NOW)  # unchanged config: no rewrite
        assert all(NOW <= (schedule.due_at(n) or 0) <= NOW + 5 for n in ("a", "b"))
        schedule.reschedule({"a": NOW + 500})
        assert schedule.sync(specs("a", "c"), now=NOW)
        assert schedule.due_at("b") is None
        assert schedule.due_at("a") == NOW + 500  # existing timing kept
        assert schedule.due_at("c") is not None

    def test_concurrent_dispatchers_never_claim_the_same_source(
        self, redis_server, redis_client: redis.Redis
    ) -> None:
        """Two beats dispatching at the same instant enqueue each due poll once."""
        schedule = PollSchedule(redis_client)
        for n in range(200):
            schedule.reschedule({f"s{n}": NOW - 1})
        claimed: list[list[str]] = []
        barrier = threading.Barrier(4)

        def dispatcher() -> None:
            own = redis.Redis.from_url(redis_server.url)
            barrier.wait()
            claimed.append(PollSchedule(own).claim_due(now=NOW, limit=1000))
            own.close()

        threads = [threading.Thread(target=dispatcher) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        everything = [name for batch in claimed for name in batch]
        assert sorted(everything) == sorted(f"s{n}" for n in range(200))
        assert schedule.claim_due(now=NOW + 1) == []  # leased, not due again yet
        assert len(schedule.claim_due(now=NOW + 121)) == 200  # lost polls come back

    def test_pull_in_only_brings_polls_forward(self, redis_client: redis.Redis) -> None:
        """A surge pulls fast sources' next poll in, never pushes one back, never adds one."""
        schedule = PollSchedule(redis_client)
        schedule.reschedule({"late": NOW + 60})
        schedule.reschedule({"soon": NOW + 0.5})
        schedule.pull_in(["late", "soon", "unknown"], at=NOW + 1)
        assert schedule.due_at("late") == NOW + 1
        assert schedule.due_at("soon") == NOW + 0.5
        assert schedule.due_at("unknown") is None

    def test_host_slots_cap_concurrent_polls(self, redis_client: redis.Redis) -> None:
        """At most `limit` polls hold a host at once; slots free on release or lease expiry."""
        schedule = PollSchedule(redis_client)
        take = lambda token, now=NOW: schedule.take_host_slot(  # noqa: E731
            "news.example", token, now=now, limit=2, lease_s=30
        )
        assert take("t1")
        assert take("t2")
        assert not take("t3")
        schedule.reschedule({}, release=[("news.example", "t1")])
        assert take("t3")
        assert take("t4", now=NOW + 31)  # t2 and t3 leases ran out

    def test_host_slots_for_a_batch(self, redis_client: redis.Redis) -> None:
        """Many hosts in one call: each host grants up to its free slots, first asked first."""
        schedule = PollSchedule(redis_client)
        assert schedule.take_host_slot("a.example", "held", now=NOW, limit=2, lease_s=30)
        wanted = [("a.example", "a1"), ("b.example", "b1"), ("a.example", "a2"),
                  ("b.example", "b2"), ("b.example", "b3")]  # fmt: skip
        granted = schedule.take_host_slots(wanted, now=NOW, limit=2, lease_s=30)
        assert granted == [True, True, False, True, False]
        assert schedule.take_host_slots([], now=NOW, limit=2, lease_s=30) == []

    def test_surge_expires(self, redis_client: redis.Redis) -> None:
        """A surge is active until its duration runs out."""
        schedule = PollSchedule(redis_client)
        assert not schedule.surge_active()
        schedule.start_surge(duration_s=60)
        assert schedule.surge_active()
        assert 0 < redis_client.ttl("alerts:v1:surge") <= 60
