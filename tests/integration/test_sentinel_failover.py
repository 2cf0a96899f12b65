"""Redis Sentinel: the primary is lost mid-stream and no launch is missed, doubled or lost.

A real primary, two replicas and three sentinels (an ACL user on the data nodes, a password on
the sentinels, `min-replicas-to-write 1` as README: Redis Sentinel advises), a real `alerts
worker` and `alerts beat` reaching both the broker and the service's keys only through
ALERTS_REDIS_URL=sentinel://..., a local feed and a webhook receiver. Eight launches by eight
launchers are published one after another; while the fourth one's webhook request is being
answered, the primary is lost: SIGKILLed, as when its host dies (`kill`), or switched away from
as an operator plans it, writes paused and then SENTINEL FAILOVER (`failover`: the old primary
lives on, to be demoted seconds later). The rest of the stream keeps coming meanwhile.

Judged as the fault suite judges (tests/faults/scenarios.py): every launch delivered (2xx) to
the receiver, one `new` per launch and one webhook-id per alert revision, nothing
dead-lettered, both processes still running, and no secret in any log line (conftest). Raw
duplicates (the same webhook-id sent again, which receivers drop) are reported in the output
with the failover, recovery and per-launch latency figures.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alerts.config import load_settings
from alerts.notify.deadletter import DeadLetters
from alerts.redisconn import redis_client
from tests.faults.peers import Hit, PolicyHook, always
from tests.faults.scenarios import Outcome, tally_hooks
from tests.integration.feed_server import FeedServer
from tests.integration.receivers import Reply
from tests.support.feeds import Entry, rss
from tests.support.processes import AlertsProcess, wait_until
from tests.support.sentinel import SENTINEL_PASSWORD, SentinelCluster

pytestmark = [pytest.mark.e2e]

HOOK = "/hooks/sentinel"
FEED = "/wire.rss"
# Eight launchers, so eight launch events, each alerted once (revision 1).
LAUNCHES = [
    ("KP", "North Korea fires ballistic missile, JCS says"),
    ("CN", "China test-fires intercontinental ballistic missile into the Pacific"),
    ("PK", "Pakistan test-fires Shaheen-III ballistic missile, army says"),
    ("IR", "Iran fires ballistic missiles at Israel, IDF says"),  # in flight at the kill
    ("RU", "Russia launches ballistic missile at Ukraine, air force says"),
    ("IN", "India test-fires Agni-5 ballistic missile, defence ministry says"),
    ("YE", "Houthis fire ballistic missile at Israel, IDF says"),
    # A plain "US Air Force test-launches Minuteman III ICBM from Vandenberg" reads 0.88:
    # alone, it waits for a second source (events/cluster.py); this one opens on its own.
    ("US", "US test-fires unarmed Minuteman III ballistic missile from Vandenberg"),
]
KILL_AT = 3  # index of the launch whose delivery is in flight when the primary dies
HELD_S = 1.5  # how long the receiver holds that request
GAP_S = 0.7  # between launches
SETTLE_S = 5.0  # after the last delivery: time for a wrong second one to show up
VISIBILITY_S = 10


@dataclass
class Figures:
    failover_s: float = 0.0  # primary lost -> the sentinels name a promoted replica
    recovery_s: float = 0.0  # primary lost -> first delivery of a launch published after it
    all_delivered_s: float = 0.0  # primary lost -> the last launch delivered
    latencies_s: dict[str, float] = field(default_factory=dict)  # publish -> delivery


@dataclass
class SentinelStack:
    cluster: SentinelCluster
    feeds: FeedServer
    hook: PolicyHook
    env: dict[str, str]
    tmp: Path
    processes: list[AlertsProcess] = field(default_factory=list)

    def start(self, command: str) -> AlertsProcess:
        proc = AlertsProcess([command], env=self.env, cwd=self.tmp, log=self.tmp / f"{command}.log")
        self.processes.append(proc)
        return proc

    def polls(self) -> int:
        return len(self.feeds.requests_to(FEED))

    def delivered_at(self, country: str) -> float | None:
        return next((h.at for h in self.hook.hits if h.ok and _country(h) == country), None)

    def dead_letters(self) -> int:
        settings = load_settings(**_overrides(self.env))
        client = redis_client(settings)
        try:
            return DeadLetters(client).count()
        finally:
            client.close()


def _country(hit: Hit) -> str:
    return str((hit.payload.get("facts") or {}).get("country") or "")


def _overrides(env: dict[str, str]) -> dict[str, str]:
    return {"redis_url": env["ALERTS_REDIS_URL"], "redis_sentinel_password": SENTINEL_PASSWORD}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[SentinelStack]:
    with (
        SentinelCluster(tmp_path / "redis", replicas=2, sentinels=3) as cluster,
        FeedServer() as feeds,
        PolicyHook() as hook,
    ):
        feeds.add(FEED, rss([]), etag=True)
        env = {
            **cluster.env(),
            "ALERTS_DATA_DIR": str(tmp_path / "data"),
            "ALERTS_SOURCES": json.dumps(
                [{"name": "wire", "url": feeds.url(FEED), "interval_seconds": 1}]
            ),
            "ALERTS_WEBHOOK_URLS": json.dumps([hook.url(HOOK)]),
            "ALERTS_BROKER_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_S),
            "ALERTS_DELIVERY_CLAIM_SECONDS": "30",
            "ALERTS_DELIVERY_MAX_RETRIES": "30",
            "ALERTS_FETCH_TIMEOUT_SECONDS": "3",
            "ALERTS_MIN_UPDATE_GAP_SECONDS": "0",
            "ALERTS_LOG_FORMAT": "json",
            "ALERTS_LOG_LEVEL": "INFO",
        }
        s = SentinelStack(cluster, feeds, hook, env, tmp_path)
        try:
            yield s
        finally:
            for proc in s.processes:
                proc.stop(timeout_s=10)
                proc.kill_group()


def watch_failover(cluster: SentinelCluster, old_port: int) -> Future[float]:
    """When (monotonic) the sentinels name a new primary that takes writes, in the background."""

    def wait() -> float:
        cluster.wait_new_primary(old_port)
        return time.monotonic()

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="failover")
    future = pool.submit(wait)
    pool.shutdown(wait=False)
    return future


def run_stream(s: SentinelStack, mode: str) -> Figures:
    """Publish the launches; while launch KILL_AT is being delivered, kill the primary
    (`kill`) or have the sentinels switch to the replica (`failover`)."""
    figures = Figures()
    promoted: Future[float] | None = None
    entries: list[Entry] = []
    published: dict[str, float] = {}
    killed_at = 0.0
    for index, (country, title) in enumerate(LAUNCHES):
        if index == KILL_AT:  # the earlier ones are delivered: the next request is this one
            s.hook.set_policy(always(Reply(200, delay_s=HELD_S)))
        published_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        entries.append(Entry(f"wire-{country}", title, f"https://wire.example/{country}",
                             published_at))  # fmt: skip
        s.feeds.set(FEED, rss(entries), etag=True)
        published[country] = time.monotonic()
        if index < KILL_AT:
            wait_until(lambda c=country: s.delivered_at(c) is not None, timeout_s=30,
                       what=f"the {country} launch before the failover")  # fmt: skip
        elif index == KILL_AT:
            wait_until(lambda c=country: any(_country(h) == c for h in s.hook.hits),
                       timeout_s=20, what="the in-flight delivery", interval_s=0.02)  # fmt: skip
            s.hook.set_policy(always(Reply(200)))
            killed_at = time.monotonic()
            old = s.cluster.kill_primary() if mode == "kill" else s.cluster.failover()
            promoted = watch_failover(s.cluster, old)
        if index >= KILL_AT:
            time.sleep(GAP_S)  # the rest of the stream arrives while the sentinels fail over
    assert promoted is not None
    figures.failover_s = promoted.result(timeout=30) - killed_at
    wait_until(lambda: all(s.delivered_at(c) is not None for c in published), timeout_s=45,
               what="every launch to be delivered", interval_s=0.2)  # fmt: skip
    for country, at in published.items():
        figures.latencies_s[country] = round((s.delivered_at(country) or at) - at, 2)
    after = [s.delivered_at(c) or 0.0 for c, _ in LAUNCHES[KILL_AT + 1 :]]
    figures.recovery_s = min(after) - killed_at
    figures.all_delivered_s = max(after) - killed_at
    return figures


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", ["kill", "failover"])
def test_primary_lost_mid_stream_loses_and_doubles_nothing(stack: SentinelStack, mode: str) -> None:
    """`kill`: the primary's host dies (SIGKILL). `failover`: a planned switch, after which
    the old primary lives on for seconds, so a client still talking to it must move on."""
    started = time.monotonic()
    stack.start("worker")
    stack.start("beat")
    wait_until(lambda: stack.polls() >= 2, timeout_s=30, what="the first polls")

    figures = run_stream(stack, mode)
    time.sleep(SETTLE_S)

    outcome = tally_hooks(Outcome(f"sentinel_{mode}"), stack.hook.hits, (HOOK,), len(LAUNCHES), 1)
    dead = stack.dead_letters()
    print(
        f"{outcome.summary()} dead_letters={dead} failover={figures.failover_s:.1f}s "
        f"recovery={figures.recovery_s:.1f}s all_delivered={figures.all_delivered_s:.1f}s "
        f"latencies={figures.latencies_s} "
        f"total={time.monotonic() - started:.1f}s"
    )
    countries = {_country(h) for h in stack.hook.hits if h.ok}
    assert countries == {c for c, _ in LAUNCHES}, outcome.summary()
    assert outcome.lost == 0, outcome.summary()
    assert outcome.doubled == 0, outcome.summary()
    assert dead == 0
    for proc in stack.processes:
        assert proc.proc.poll() is None, f"{proc.args[0]} exited: see {proc.log}"
