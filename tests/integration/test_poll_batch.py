"""The worker's batch poller (workers.tasks._poll_batch) over real HTTP and a real Redis:
one round trip per step for the batch, and one source's trouble stays that source's."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from alerts import pipeline
from alerts.bootstrap import Runtime, build_runtime
from alerts.config import load_settings
from alerts.embedded import EmbeddedRedis
from alerts.events.keys import Keys
from alerts.sources.health import Health
from tests.integration.feed_server import FeedServer
from workers import tasks

RSS = (Path(__file__).parents[1] / "data" / "feeds" / "rss2.xml").read_bytes()
NAMES = [f"feed-{i}" for i in range(6)]


@pytest.fixture
def batch(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, tmp_path: Path
) -> Iterator[tuple[Runtime, FeedServer]]:
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


def due_at(client: redis.Redis, name: str) -> float | None:
    return client.zscore(Keys().poll_due(), name)


def test_a_batch_polls_each_source_once_then_revalidates(
    batch: tuple[Runtime, FeedServer], redis_client: redis.Redis
) -> None:
    rt, srv = batch
    tasks._poll_batch(rt, NAMES + NAMES[:2])  # a name twice is polled once
    assert sorted(r.path for r in srv.requests) == sorted(f"/{n}.rss" for n in NAMES)
    assert all(rt.states.load(n).health is Health.HEALTHY for n in NAMES)
    assert all(due_at(redis_client, n) for n in NAMES)
    tasks._poll_batch(rt, NAMES)
    assert all("if-none-match" in r.headers for r in srv.requests[-len(NAMES) :])
    assert redis_client.zcard(Keys().host_slots("127.0.0.1")) == 0  # every slot given back


def test_one_crashing_source_leaves_the_others_settled(
    batch: tuple[Runtime, FeedServer], redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline.finish_poll

    def finish(spec, *args, **kwargs):  # noqa: ANN001, ANN202 - passes through
        if spec.name == "feed-2":
            raise RuntimeError("event store exploded")
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(pipeline, "finish_poll", finish)
    rt, _srv = batch
    tasks._poll_batch(rt, NAMES)
    others = [n for n in NAMES if n != "feed-2"]
    assert all(rt.states.load(n).health is Health.HEALTHY for n in others)
    assert rt.states.load("feed-2").etag is None  # not advanced: its items come again
    assert due_at(redis_client, "feed-2") is not None
    assert redis_client.zcard(Keys().host_slots("127.0.0.1")) == 0


def test_a_validator_curl_cannot_send_does_not_stop_the_batch(
    batch: tuple[Runtime, FeedServer],
) -> None:
    rt, srv = batch
    tasks._poll_batch(rt, NAMES)
    state = rt.states.load("feed-0")
    rt.states.save(dataclasses.replace(state, etag='"caf\u00e9"'))
    tasks._poll_batch(rt, NAMES)
    sent = {r.path: r.headers for r in srv.requests[-len(NAMES) :]}
    assert "if-none-match" not in sent["/feed-0.rss"]  # dropped, not sent, not a crash
    assert all("if-none-match" in h for p, h in sent.items() if p != "/feed-0.rss")
    assert all(rt.states.load(n).health is Health.HEALTHY for n in NAMES)


def test_the_next_poll_counts_from_the_due_time(
    batch: tuple[Runtime, FeedServer], redis_client: redis.Redis
) -> None:
    """A poll that started late (the dispatcher's tick, the queue) is followed by one due an
    interval after it was due, not after it started: the mean interval stays the configured
    one. A poll whose due time the message does not carry counts from its start."""
    rt, _srv = batch
    rt.timing = dataclasses.replace(rt.timing, jitter=0.0)
    due = time.time() - 2.0
    tasks._poll_batch(rt, NAMES[:3], [due] * 3)
    assert [due_at(redis_client, n) for n in NAMES[:3]] == [pytest.approx(due + 60)] * 3
    before = time.time()
    tasks._poll_batch(rt, NAMES[3:])
    assert all((due_at(redis_client, n) or 0) >= before + 60 for n in NAMES[3:])


def test_the_dispatcher_sends_each_source_with_its_due_time(
    batch: tuple[Runtime, FeedServer], redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the dispatcher claims reaches the poll task with the time it was due."""
    rt, _srv = batch
    monkeypatch.setattr(tasks, "runtime", lambda: rt)
    sent: list[tuple[list[str], list[float]]] = []
    monkeypatch.setattr(tasks.poll_sources, "apply_async",
                        lambda args, **_: sent.append(args))  # fmt: skip
    rt.schedule.sync(list(rt.sources.values()), now=time.time())
    due = {n: time.time() - 1.0 - i for i, n in enumerate(NAMES)}
    rt.schedule.reschedule(due)
    tasks.dispatch_polls()
    got = {n: d for names, times in sent for n, d in zip(names, times, strict=True)}
    assert got == pytest.approx(due)


def test_one_tick_claims_more_than_one_chunk(
    batch: tuple[Runtime, FeedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past CLAIM_CHUNK due sources, one dispatch claims them all (chunk after chunk), up to
    MAX_CLAIMS_PER_TICK: one chunk a tick capped the service at 4,000 polls/s."""
    rt, _srv = batch
    monkeypatch.setattr(tasks, "runtime", lambda: rt)
    monkeypatch.setattr(tasks, "CLAIM_CHUNK", 2)
    monkeypatch.setattr(tasks, "MAX_CLAIMS_PER_TICK", len(NAMES) - 1)
    claim = rt.schedule.claim
    # a script call returns at most a chunk, whatever limit the caller asks for
    monkeypatch.setattr(rt.schedule, "claim", lambda *, now, limit=1000: claim(now=now, limit=2))
    sent: list[list[str]] = []
    monkeypatch.setattr(tasks.poll_sources, "apply_async",
                        lambda args, **_: sent.append(args[0]))  # fmt: skip
    rt.schedule.sync(list(rt.sources.values()), now=time.time())
    rt.schedule.reschedule({n: time.time() - 1.0 for n in NAMES})
    tasks.dispatch_polls()
    claimed = [n for names in sent for n in names]
    assert len(NAMES) > 2
    assert len(claimed) == len(set(claimed)) >= len(NAMES) - 1
