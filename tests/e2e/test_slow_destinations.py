"""Slow destinations never hold up polling in `alerts run` (docs/ha.md, "Polls and sends").

A send holds a worker process for as long as its receiver takes. When polls and sends shared
`alerts run`'s worker, a burst of 16 sends to receivers taking 2 s each made some source wait
12 s for its next poll, against a 2 s interval: the next launch would have been found that
much later. The run now sends from a worker of its own.

Real processes: `alerts run` (worker, delivery worker, beat, web) on a real Redis; feeds on
127.0.0.1; a webhook receiver that holds every request HOLD_S. Two launches to 8 destinations
make 16 sends, more than the delivery worker's two processes finish in two intervals.
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

from tests.faults.scenarios import ir_flash, kp_flash
from tests.support.ha import HaStack, longest_wait_s, shortest_interval_s
from tests.support.processes import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SOURCES = 10
INTERVAL_S = 2.0
HOLD_S = 3.0
HOOKS = tuple(f"/hooks/desk-{n}" for n in range(8))
SLACK_S = 2.5  # process scheduling on a shared 2-core machine, the rest of the suite running


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[HaStack]:
    env = {"ALERTS_WEB_PORT": str(free_port()), "ALERTS_WORKER_CONCURRENCY": "2"}
    with HaStack(tmp_path, sources=SOURCES, interval_s=INTERVAL_S, hooks=HOOKS,
                 hold_s=HOLD_S, env=env) as s:  # fmt: skip
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
