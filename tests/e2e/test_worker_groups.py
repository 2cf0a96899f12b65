"""Two worker groups on one Redis, as on two hosts: one is SIGKILLed mid-burst and the other
takes over its polls and its deliveries within the documented times, nothing lost or doubled
(issue 14, "No single point of failure: Workers on several hosts"; docs/ha.md).

Real processes: one `alerts beat`, `alerts worker --hostname group-a@%h` and `group-b@%h`,
each with its own HOSTNAME and data dir. Feeds answer after FEED_DELAY_S and the receiver holds
each request HOLD_S, so at the kill group A has a poll and a send in flight (the test waits
for both, telling A's connections from B's by their ports). The receiver refuses (503) every
request held at the kill: whatever A was sending arrives only if the service sends it again.

Documented bounds (docs/ha.md), for the settings below:
- a source A was polling is polled again within its poll lease (fetch timeout + 2 s + 10 s);
- a delivery A was sending is sent again within max(claim, visibility + 5 s) + 5 s of its
  first attempt; one A held but had not started, within visibility + 5 s.
"""

from __future__ import annotations

import socket
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from alerts.sources.due import poll_lease_s
from tests.faults.scenarios import ir_flash, kp_flash
from tests.support.ha import (
    HaStack,
    HookHit,
    longest_wait_s,
    ports_of,
    shortest_interval_s,
)
from tests.support.processes import wait_until
from workers.tasks import HOST_SLOT_PATIENCE_S

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SOURCES = 12
INTERVAL_S = 2.0
FEED_DELAY_S = 1.5  # long enough that polls started before the burst are in flight in it
HOLD_S = 2.0
HOOKS = tuple(f"/hooks/desk-{n}" for n in range(8))
FETCH_TIMEOUT_S = 3
VISIBILITY_S = 10
CLAIM_S = 30  # ALERTS_DELIVERY_CLAIM_SECONDS' minimum
RESTORE_S = 5  # kombu looks for a dead worker's messages this often (workers/app.py)
BUSY_RETRY_S = 5  # a copy that finds the claim held tries again this much later
POLL_LEASE_S = poll_lease_s(FETCH_TIMEOUT_S, HOST_SLOT_PATIENCE_S)
SEND_AGAIN_WITHIN_S = max(CLAIM_S, VISIBILITY_S + RESTORE_S) + BUSY_RETRY_S
SLACK_S = 3.0  # process scheduling on a shared 2-core machine


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[HaStack]:
    env = {
        "ALERTS_BROKER_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_S),
        "ALERTS_DELIVERY_CLAIM_SECONDS": str(CLAIM_S),
        "ALERTS_FETCH_TIMEOUT_SECONDS": str(FETCH_TIMEOUT_S),
        "ALERTS_DELIVERY_MAX_RETRIES": "30",
    }
    with HaStack(tmp_path, sources=SOURCES, interval_s=INTERVAL_S, hooks=HOOKS,
                 feed_delay_s=FEED_DELAY_S, hold_s=HOLD_S, env=env) as s:  # fmt: skip
        yield s


def test_a_killed_group_s_polls_and_deliveries_are_taken_over(stack: HaStack) -> None:
    stack.start("host-c", "beat")
    group_a = stack.start("host-a", "worker", "--hostname", "group-a@%h")
    stack.start("host-b", "worker", "--hostname", "group-b@%h")
    stack.wait_every_source_polled(2, timeout_s=45)
    here = socket.gethostname()  # %h expands to the host name, as in `celery worker`
    assert {e["hostname"] for e in stack.log_events("worker.starting")} == {
        f"group-a@{here}",
        f"group-b@{here}",
    }

    stack.feeds.set("s003", [kp_flash()])
    stack.feeds.set("s008", [ir_flash()])
    expected = len(HOOKS) * 2  # two launches, each to every destination

    def in_flight_on_a() -> tuple[list[HookHit], set[str]]:
        """The sends and the polls group A has in flight now."""
        hook_ports = ports_of(group_a.proc.pid, stack.hook.port)
        feed_ports = ports_of(group_a.proc.pid, stack.feeds.port)
        sending = [h for p, h in dict(stack.hook.in_flight).items() if p in hook_ports]
        polling = {s for p, s in dict(stack.feeds.in_flight).items() if p in feed_ports}
        return sending, polling

    # Best: a send and a poll in flight on A at once. On a loaded machine B may take every send
    # of the burst; then A is killed with what it has (nothing lost or doubled still holds).
    both_by = time.monotonic() + 20
    deadline = time.monotonic() + 40
    while not all(snapshot := in_flight_on_a()):
        if time.monotonic() > both_by and any(snapshot):
            break
        assert time.monotonic() < deadline, "group A never had a send or a poll in flight"
        time.sleep(0.02)
    # every send in flight, A's and B's, or whose hold ends before A is dead, is answered 503:
    # not taken (refusing only after the kill let a dead A's request be answered 200 first)
    with stack.hook.refusing():
        killed = stack.sigkill(group_a)
    sending_on_a, polling_on_a = snapshot

    # every (destination, launch) accepted, within the documented time
    def accepted() -> dict[tuple[str, str], set[str]]:
        ids: dict[tuple[str, str], set[str]] = defaultdict(set)
        for h in stack.hook.hits:
            if h.ok:
                ids[(h.path, h.payload["event_id"])].add(h.webhook_id)
        return ids

    wait_until(lambda: len(accepted()) >= expected, interval_s=0.2,
               timeout_s=SEND_AGAIN_WITHIN_S + HOLD_S + 15, what="every delivery")  # fmt: skip
    done = time.monotonic()
    time.sleep(4.0)  # room for a doubled delivery to show up

    hits = stack.hook.hits
    ok = [h for h in hits if h.ok]
    events = {h.payload["event_id"] for h in ok}
    assert len(events) == 2  # two launches, two events: none opened twice
    assert len(accepted()) == expected  # nothing lost
    # nothing doubled: one webhook-id per (destination, launch), as the product promises
    assert all(len(ids) == 1 for ids in accepted().values())
    # and one accepted request each, but for the one window the README names: a copy answered
    # 200 just before the kill whose sender died before recording it is sent again, with the
    # same webhook-id, once its claim ends (never a copy answered after the kill: refused)
    copies: dict[tuple[str, str], list[HookHit]] = defaultdict(list)
    for h in sorted(ok, key=lambda h: h.answered_at):
        copies[(h.path, h.payload["event_id"])].append(h)
    for sent in copies.values():
        assert len(sent) <= 2, sent
        assert all(h.answered_at <= killed for h in sent[:-1]), sent
    raw_duplicates = len(ok) - expected
    assert {h.payload["kind"] for h in ok} == {"new"}

    # A's sends in flight were taken (answered before the refusal began) or sent again by B,
    # within the claim-bound time of their start
    for lost in sending_on_a:
        again = sorted((h for h in ok if h.webhook_id == lost.webhook_id), key=lambda h: h.at)
        assert again, lost
        assert again[-1].at - lost.at <= SEND_AGAIN_WITHIN_S + HOLD_S + SLACK_S

    # A's polls in flight were taken over when their poll lease ran out; no source polled twice.
    # Group B's two worker processes also run the dispatch ticks and the sends, which the
    # receiver holds HOLD_S each: when the lease ends, both may be inside a held send and take
    # another before the poll, so the poll taken over may wait two holds more (17.7-18.9 s
    # after the kill in two full-suite runs where A had every poll in flight, against 15.3 s
    # alone: within a 20 s bound of one hold, too close for a loaded CI machine).
    by_source = stack.feeds.times_by_source()
    waits = {name: longest_wait_s({name: by_source[name]}, killed, done) for name in polling_on_a}
    assert all(w <= POLL_LEASE_S + 2 * HOLD_S + SLACK_S for w in waits.values()), waits
    # No other source starved either: group B now polls A's sources beside its own, on a
    # shared 2-core machine where the rest of the suite runs too (its lease, one interval and
    # twice the slack; a source left unpolled would wait forever).
    longest = longest_wait_s(by_source, killed, done)
    assert longest <= POLL_LEASE_S + INTERVAL_S + 2 * SLACK_S
    assert shortest_interval_s(by_source) > INTERVAL_S * 0.5

    last_taken_over = max(h.at for h in ok) - killed
    print(
        f"\nworker groups: SIGKILL of group A with {len(sending_on_a)} send(s) and "
        f"{len(polling_on_a)} poll(s) in flight ({sorted(polling_on_a)}); its sources polled "
        f"again after {', '.join(f'{w:.1f}' for w in waits.values())} s (poll lease "
        f"{POLL_LEASE_S:.0f} s); longest any source waited {longest:.1f} s; all {expected} "
        f"deliveries accepted, one webhook-id each, {raw_duplicates} sent again after a send "
        f"answered just before the kill; the last {last_taken_over:.1f} s after the kill "
        f"(bound {SEND_AGAIN_WITHIN_S + HOLD_S:.0f} s from a send's start); "
        f"{len(hits) - len(ok)} refused requests retried"
    )
