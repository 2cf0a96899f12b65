"""Event deduplication on a real redis-server: races between worker processes, and restarts."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

from alerts.embedded import start_embedded
from alerts.events import store as store_module
from alerts.events.cluster import EventPolicy
from alerts.events.keys import Keys
from alerts.events.store import EventStore
from alerts.models import Facts, Item, Verdict
from alerts.pipeline import Policy, process_items
from tests.support.fakes import fake_classify

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
POLICY = Policy(max_item_age_s=6 * 3600, min_confidence=0.5,
                events=EventPolicy(min_update_gap_s=0))  # fmt: skip


def report(n: int, title: str = "KP FIRES ballistic missile", minutes: float = 0) -> Item:
    return Item(id=f"item-{n}", source=f"outlet-{n}", title=f"{title}",
                summary=f"Outlet {n} writes its own story number {n} about it.",
                url=f"https://outlet{n}.example/{n}",
                published_at=NOW + timedelta(minutes=minutes))  # fmt: skip


def process(url: str, item: Item, now: datetime = NOW) -> list[str]:
    client = redis.Redis.from_url(url)
    try:
        store = EventStore(client, seen_ttl_s=3600)
        result = process_items([item], events=store, classify=fake_classify, policy=POLICY,
                               now=now, new_token=lambda: os.urandom(4).hex())  # fmt: skip
        return [d.outcome.value for d in result.decisions]
    finally:
        client.close()


def _racer(url: str, n: int, barrier, results) -> None:  # noqa: ANN001 - multiprocessing types
    barrier.wait(10)
    results.put(process(url, report(n))[0])


class TestRaces:
    def test_eight_workers_racing_on_one_launch_open_exactly_one_event(
        self, redis_server, redis_client: redis.Redis
    ) -> None:
        """Eight processes deciding reports of the same launch at the same instant: one `new`."""
        ctx = multiprocessing.get_context("fork")
        barrier, results = ctx.Barrier(8), ctx.Queue()
        racers = [ctx.Process(target=_racer, args=(redis_server.url, n, barrier, results))
                  for n in range(8)]  # fmt: skip
        for p in racers:
            p.start()
        for p in racers:
            p.join(30)
        outcomes = sorted(results.get(timeout=5) for _ in racers)
        assert outcomes.count("new") == 1, outcomes
        assert set(outcomes) <= {"new", "join", "duplicate"}
        assert redis_client.zcard(Keys().events_index()) == 1

    def test_same_item_decided_twice_is_seen(self, redis_server, redis_client) -> None:
        """The second worker to decide an item already decided does nothing."""
        assert process(redis_server.url, report(1)) == ["new"]
        assert process(redis_server.url, report(1)) == ["seen"]


class TestFollowUps:
    def test_a_doubted_report_joins_its_launchers_event_once_as_a_source(
        self, redis_server, redis_client: redis.Redis
    ) -> None:
        """A report the detector doubted, naming a launcher with an event hours old, joins it
        as a source on a real Redis (facts and fingerprints untouched), is remembered, and is
        `seen` when polled again; one naming a launcher with no event stays out."""
        redis_client.flushall()
        assert process(redis_server.url, report(1), now=NOW) == ["new"]
        later = NOW + timedelta(hours=3)
        doubted = report(2, "KP analysis p=0.3 class=IRBM count=7", minutes=180)
        assert process(redis_server.url, doubted, now=later) == ["join"]
        assert process(redis_server.url, doubted, now=later) == ["seen"]
        other = report(3, "IR analysis p=0.3", minutes=180)
        assert process(redis_server.url, other, now=later) == ["not_launch"]
        store = EventStore(redis.Redis.from_url(redis_server.url), seen_ttl_s=3600)
        [event_id] = [k.decode() for k in redis_client.zrange(Keys().events_index(), 0, -1)]
        event = store.load_event(event_id)
        assert event is not None
        assert [s.item_id for s in event.sources] == ["item-1", "item-2"]
        assert (event.facts.missile_class, event.facts.count) == (None, None)
        assert len(event.fingerprints) == 1


class TestWaiting:
    def test_a_launcherless_report_waits_then_the_named_launch_opens(
        self, redis_server, redis_client: redis.Redis
    ) -> None:
        """A report naming no launcher, with no event to join, commits as seen and opens
        nothing; the report naming the launcher opens the event; a copy of the first is seen."""
        assert process(redis_server.url, report(1, "XX FIRES ballistic missile")) == ["wait"]
        assert redis_client.zcard(Keys().events_index()) == 0
        assert process(redis_server.url, report(2, minutes=1), NOW + timedelta(minutes=1)) == [
            "new"
        ]
        assert process(redis_server.url, report(1, "XX FIRES ballistic missile")) == ["seen"]
        assert redis_client.zcard(Keys().events_index()) == 1


def unsure_classify(item: Item) -> Verdict:
    """A launch report of the title's launcher the model is fairly sure of and the rules do
    not call: alone it may not open an event; two sources' may (issue 12's corroboration)."""
    return Verdict(True, 0.9, ("ctx:title_fires",), Facts(country=item.title.split()[0]))


def unsure_report(n: int, minutes: float = 0) -> Item:
    stories = ["US ICBM lights up the coastal sky before dawn, residents film its trail",
               "US Air Force says an unarmed Minuteman flew to the Kwajalein range overnight",
               "US squadron commander thanks the crews after the night's test flight"]  # fmt: skip
    summary = f"Story {n}: " + stories[(n + 1) % len(stories)]
    return dataclasses.replace(report(n, minutes=minutes), title=stories[n % len(stories)],
                               summary=summary)  # fmt: skip


def decide_unsure(url: str, item: Item) -> str:
    client = redis.Redis.from_url(url)
    try:
        store = EventStore(client, seen_ttl_s=3600)
        result = process_items([item], events=store, classify=unsure_classify, policy=POLICY,
                               now=item.published_at or NOW,
                               new_token=lambda: os.urandom(4).hex())  # fmt: skip
        return result.decisions[0].outcome.value
    finally:
        client.close()


def _unsure_racer(url: str, n: int, barrier, results) -> None:  # noqa: ANN001
    barrier.wait(10)
    results.put(decide_unsure(url, unsure_report(n)))


class TestCorroboration:
    def test_two_unsure_sources_racing_open_exactly_one_event(
        self, redis_server, redis_client: redis.Redis
    ) -> None:
        """Two workers deciding two sources' unsure reports of one launch at the same instant:
        whichever commits second sees the first held and opens the event; never both wait."""
        for _ in range(5):
            redis_client.flushall()
            ctx = multiprocessing.get_context("fork")
            barrier, results = ctx.Barrier(2), ctx.Queue()
            racers = [
                ctx.Process(target=_unsure_racer, args=(redis_server.url, n, barrier, results))
                for n in (1, 2)
            ]
            for p in racers:
                p.start()
            for p in racers:
                p.join(30)
            outcomes = sorted(results.get(timeout=5) for _ in racers)
            assert outcomes == ["new", "wait"]
            assert redis_client.zcard(Keys().events_index()) == 1

    def test_held_reports_stay_bounded(
        self, redis_server, redis_client: redis.Redis, monkeypatch
    ) -> None:
        """Past the cap, a launcher's oldest held reports go; past two days, every one goes,
        and the set itself expires two days after its last report."""
        monkeypatch.setattr(store_module, "MAX_HELD", 3)
        for n in range(5):
            item = dataclasses.replace(unsure_report(n, minutes=n), title=f"KR report {n}",
                                       source="one-outlet")  # fmt: skip
            assert decide_unsure(redis_server.url, item) == "wait"
        held = redis_client.zrange(Keys().held("KR"), 0, -1)
        assert [h.count(b"KR report") for h in held] == [1, 1, 1]
        assert b"KR report 4" in held[-1]
        assert 0 < redis_client.ttl(Keys().held("KR")) <= 2 * 86400
        later = dataclasses.replace(unsure_report(9, minutes=3 * 24 * 60), title="KR again",
                                    source="one-outlet")  # fmt: skip
        assert decide_unsure(redis_server.url, later) == "wait"
        assert redis_client.zcard(Keys().held("KR")) == 1


class TestRestart:
    def test_no_duplicate_new_after_redis_restart_with_aof(self, tmp_path: Path) -> None:
        """Redis restarted (AOF) in the middle of a stream: later reports still join the event."""
        server = start_embedded(tmp_path / "aof", appendonly=True)
        try:
            assert process(server.url, report(1)) == ["new"]
            assert process(server.url, report(2, minutes=2), NOW + timedelta(minutes=2)) == ["join"]
        finally:
            server.stop()
        server = start_embedded(tmp_path / "aof", appendonly=True)
        try:
            later = NOW + timedelta(minutes=5)
            assert process(server.url, report(3, minutes=5), later) == ["join"]
            assert process(server.url, report(1), later) == ["seen"]
            update = process(server.url, report(4, "KP FIRES class=ICBM", minutes=6), later)
            assert update == ["update"]
        finally:
            server.stop()


def test_namespace_cleanup_leaves_live_keys(redis_client: redis.Redis) -> None:
    """Deleting a replay namespace removes its keys and nothing else."""
    live = EventStore(redis_client, seen_ttl_s=3600)
    replay = EventStore(redis_client, keys=Keys("alerts:replay:x:"), seen_ttl_s=3600)
    for store in (live, replay):
        process_items([report(1)], events=store, classify=fake_classify, policy=POLICY, now=NOW,
                      new_token=lambda: "t")  # fmt: skip
    assert replay.delete_namespace() > 0
    assert all(not k.startswith(b"alerts:replay:") for k in redis_client.keys("*"))
    assert redis_client.keys("alerts:v1:*")


def item_of(source: str, n: int) -> Item:
    return Item(id=f"{source}-{n}", source=source, title=f"story {n}")


def seen_keys(client: redis.Redis) -> int:
    return sum(1 for _ in client.scan_iter(match="alerts:v1:seen:*", count=1000))


class TestSeenCap:
    def test_each_source_remembers_its_newest_items_up_to_the_cap(
        self, redis_client: redis.Redis
    ) -> None:
        """Past the cap the oldest remembered items of that source are forgotten, index entry
        and seen key together, across script calls and batches; another source is untouched."""
        store = EventStore(redis_client, seen_ttl_s=3600, max_seen_per_source=1200)
        flood = [item_of("flood", n) for n in range(2500)]  # oldest first, as process_items
        store.remember([(i, "not_launch|h") for i in flood[:100]])
        store.remember([(i, "not_launch|h") for i in flood[100:]])  # three script calls
        store.remember([(item_of("quiet", n), "not_launch|h") for n in range(10)])
        recalled = store.recall(flood)
        assert [v is not None for v in recalled] == [False] * 1300 + [True] * 1200
        assert redis_client.zcard(Keys().seen_index("flood")) == 1200
        assert redis_client.zcard(Keys().seen_index("quiet")) == 10
        assert seen_keys(redis_client) == 1210
        assert 0 < redis_client.ttl(Keys().seen_index("flood")) <= 3600

    def test_launch_reports_remembered_by_the_commit_count_against_the_cap(
        self, redis_client: redis.Redis
    ) -> None:
        """Items decided by the event commit script (launch reports) are indexed and trimmed
        too: no path writes a seen key the cap does not see."""
        store = EventStore(redis_client, seen_ttl_s=3600, max_seen_per_source=3)
        reports = [dataclasses.replace(report(n, minutes=n), source="wire") for n in range(1, 6)]
        for n, item in enumerate(reports, start=1):
            process_items([item], events=store, classify=fake_classify, policy=POLICY,
                          now=NOW + timedelta(minutes=n), new_token=lambda: "t")  # fmt: skip
        assert redis_client.zcard(Keys().seen_index("wire")) == 3
        assert seen_keys(redis_client) == 3
        assert [v is not None for v in store.recall(reports)] == [False, False, True, True, True]

    def test_entries_whose_seen_keys_expired_leave_the_index(
        self, redis_client: redis.Redis
    ) -> None:
        """The index forgets what the TTL already forgot, so a quiet source's index shrinks
        with its seen keys and never names keys that are gone."""
        store = EventStore(redis_client, seen_ttl_s=1, max_seen_per_source=100)
        store.remember([(item_of("s", n), "not_launch|h") for n in range(5)])
        time.sleep(1.1)
        store.remember([(item_of("s", 99), "not_launch|h")])
        assert redis_client.zrange(Keys().seen_index("s"), 0, -1) == [
            Keys.seen_member("s", "s-99").encode()
        ]
