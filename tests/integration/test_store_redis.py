"""The event store's script on a real redis-server: atomic under races, isolated by namespace."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import redis

from alerts.events.cluster import launch_report
from alerts.events.keys import Keys
from alerts.events.store import EventStore
from alerts.models import Facts, Item, Verdict

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)


def report(n: int, *, country: str = "KP", minutes: float = 0):
    item = Item(
        id=f"item-{n}",
        source=f"outlet-{n}",
        title=f"Report {n}",
        url=f"https://n.example/{n}",
        published_at=NOW + timedelta(minutes=minutes),
    )
    verdict = Verdict(True, 0.9, (), Facts(country=country))
    return launch_report(item, verdict, now=NOW, token=f"t{n}")


class TestOpenOrJoin:
    def test_racing_workers_open_exactly_one_event(self, redis_server) -> None:
        """Eight clients reporting the same launch at the same instant open one event."""
        outcomes: list[str] = []
        barrier = threading.Barrier(8)
        client = redis.Redis.from_url(redis_server.url)
        client.flushall()

        def worker(n: int) -> None:
            own = redis.Redis.from_url(redis_server.url)
            store = EventStore(own, seen_ttl_s=3600)
            barrier.wait()
            outcomes.append(store.open_or_join(report(n), window_s=3600).status)
            own.close()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert sorted(outcomes) == ["joined"] * 7 + ["new"]
        client.close()

    def test_same_item_twice_is_seen(self, redis_client: redis.Redis) -> None:
        """Re-running the script for an item already decided returns the earlier decision."""
        store = EventStore(redis_client, seen_ttl_s=3600)
        first = store.open_or_join(report(1), window_s=3600)
        again = store.open_or_join(report(1), window_s=3600)
        assert (first.status, again.status) == ("new", "seen")
        assert again.value == f"pending:{first.value}"

    def test_window_separates_launches(self, redis_client: redis.Redis) -> None:
        """A report whose launch time is beyond the window from the open event opens another."""
        store = EventStore(redis_client, seen_ttl_s=3600)
        assert store.open_or_join(report(1), window_s=600).status == "new"
        assert store.open_or_join(report(2, minutes=5), window_s=600).status == "joined"
        assert store.open_or_join(report(3, minutes=30), window_s=600).status == "new"
        assert store.open_or_join(report(4, country="IR", minutes=5), window_s=600).status == "new"

    def test_namespace_cleanup_leaves_live_keys(self, redis_client: redis.Redis) -> None:
        """Deleting a replay namespace removes its keys and nothing else."""
        live = EventStore(redis_client, seen_ttl_s=3600)
        replay = EventStore(redis_client, keys=Keys("alerts:replay:x:"), seen_ttl_s=3600)
        live.open_or_join(report(1), window_s=600)
        replay.open_or_join(report(2), window_s=600)
        assert replay.delete_namespace() > 0
        assert all(not k.startswith(b"alerts:replay:") for k in redis_client.keys("*"))
        assert redis_client.keys("alerts:v1:*")
