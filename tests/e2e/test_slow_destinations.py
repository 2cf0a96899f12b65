"""Slow destinations never hold up polling in `alerts run`, nor one another (docs/ha.md,
"Polls and sends").

A send holds a worker for as long as its receiver takes. When polls and sends shared `alerts
run`'s worker, a burst of 16 sends to receivers taking 2 s each made some source wait 12 s for
its next poll, against a 2 s interval: the next launch would have been found that much later.
And two processes sent one alert to 16 destinations two at a time. The run now sends from a
worker of its own, ALERTS_DELIVER_CONCURRENCY threads.

Real processes: `alerts run` (worker, delivery worker, beat, web) on a real Redis; feeds on
127.0.0.1; a webhook receiver that holds every request HOLD_S.
`python bench/bench_slow_destinations.py` compares this with one worker taking both queues.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.peers import free_port
from tests.faults.scenarios import ir_flash, kp_flash
from tests.support.ha import HaStack, longest_wait_s, shortest_interval_s
from tests.support.processes import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SOURCES = 10
INTERVAL_S = 2.0
HOLD_S = 3.0
HOOKS = tuple(f"/hooks/desk-{n}" for n in range(8))
SLACK_S = 2.5  # process scheduling on a shared 2-core machine, the rest of the suite running


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[HaStack]:
    """Two launches to 8 destinations, two sends at a time: a burst of some 24 s."""
    env = {"ALERTS_WEB_PORT": str(free_port()), "ALERTS_DELIVER_CONCURRENCY": "2"}
    with HaStack(tmp_path, sources=SOURCES, interval_s=INTERVAL_S, hooks=HOOKS,
                 hold_s=HOLD_S, env=env) as s:  # fmt: skip
        yield s


@pytest.fixture
def wide_stack(tmp_path: Path) -> Iterator[HaStack]:
    """16 destinations, the default delivery threads."""
    hooks = tuple(f"/hooks/desk-{n}" for n in range(16))
    with HaStack(tmp_path, sources=SOURCES, interval_s=INTERVAL_S, hooks=hooks, hold_s=HOLD_S,
                 env={"ALERTS_WEB_PORT": str(free_port())}) as s:  # fmt: skip
        yield s


def health(stack: HaStack, role: str) -> dict[str, bool]:
    proc = subprocess.run(
        [sys.executable, "-m", "workers", "health", "--role", role],
        env={**stack.env, "ALERTS_DATA_DIR": str(stack.tmp / "probe")},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return dict(json.loads(proc.stdout))


def test_a_burst_of_slow_sends_leaves_polling_on_time(stack: HaStack) -> None:
    run = stack.start("host-a", "run")
    stack.wait_every_source_polled(2, timeout_s=60)
    here = socket.gethostname()
    assert {e["hostname"]: e["queues"] for e in stack.log_events("worker.starting")} == {
        f"celery@{here}": ["poll"],
        f"deliver@{here}": ["deliver"],
    }
    wait_until(lambda: health(stack, "deliver") == {"redis": True, "deliver": True},
               timeout_s=30, what="the delivery worker's heartbeat")  # fmt: skip
    assert health(stack, "worker") == {"redis": True, "worker": True}

    stack.feeds.set("s003", [kp_flash()])
    stack.feeds.set("s008", [ir_flash()])
    burst = time.monotonic()
    expected = len(HOOKS) * 2
    wait_until(lambda: len([h for h in stack.hook.hits if h.ok]) >= expected,
               timeout_s=expected * HOLD_S + 30, interval_s=0.2,
               what="every delivery")  # fmt: skip
    done = time.monotonic()

    hits = [h for h in stack.hook.hits if h.ok]
    assert len(hits) == expected
    assert len({(h.path, h.payload["event_id"]) for h in hits}) == expected
    first, last = min(h.at for h in hits), max(h.at for h in hits)
    # the sends were a burst: more than two intervals of them, two at a time
    assert done - burst >= (expected / 2) * HOLD_S * 0.9
    by_source = stack.feeds.times_by_source()
    longest = longest_wait_s(by_source, burst, done)
    assert longest <= INTERVAL_S + SLACK_S, by_source
    assert shortest_interval_s(by_source) > INTERVAL_S * 0.5
    assert run.stop(signal.SIGINT) == 0, run.text()[-3000:]
    print(
        f"\nslow destinations: {expected} sends held {HOLD_S:.0f} s each, the first sent "
        f"{first - burst:.1f} s after the launches were published, the last {last - burst:.1f} "
        f"s; meanwhile the longest any of {SOURCES} sources waited for a poll: {longest:.2f} s "
        f"(interval {INTERVAL_S:.0f} s)"
    )


def test_an_alert_reaches_every_destination_at_once(wide_stack: HaStack) -> None:
    """One launch, 16 destinations that each take HOLD_S to answer: with the default 16
    delivery threads every request is in flight before the first is answered."""
    run = wide_stack.start("host-a", "run")
    wide_stack.wait_every_source_polled(2, timeout_s=60)
    [deliverer] = [
        e for e in wide_stack.log_events("worker.starting") if e["queues"] == ["deliver"]
    ]
    assert (deliverer["pool"], deliverer["concurrency"]) == ("threads", 16)
    wide_stack.feeds.set("s003", [kp_flash()])
    published = time.monotonic()
    wait_until(lambda: sum(h.ok for h in wide_stack.hook.hits) >= len(wide_stack.hook_paths),
               timeout_s=60, interval_s=0.1, what="every delivery")  # fmt: skip
    hits = [h for h in wide_stack.hook.hits if h.ok]
    assert sorted(h.path for h in hits) == sorted(wide_stack.hook_paths)
    first_answer = min(h.answered_at for h in hits)
    assert max(h.at for h in hits) < first_answer, "a send waited for another to finish"
    assert run.stop(signal.SIGINT) == 0, run.text()[-3000:]
    print(
        f"\nfan-out: {len(hits)} destinations holding each send {HOLD_S:.0f} s; the requests "
        f"arrived {min(h.at for h in hits) - published:.1f}-"
        f"{max(h.at for h in hits) - published:.1f} s after the launch was published, the last "
        f"answered "
        f"{max(h.answered_at for h in hits) - published:.1f} s after"
    )
