"""Two beats at once, as on two hosts: no source polled twice, and one beat's death pauses
nothing (issue 14, "No single point of failure: Beat"; docs/ha.md).

Real processes on one real Redis: one `alerts worker`, two `alerts beat` each with its own
HOSTNAME and data dir, SOURCES feeds on 127.0.0.1 polled every INTERVAL_S. The feeds note when
each poll arrives, so intervals are measured where a publisher would see them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.scenarios import kp_flash
from tests.support.ha import (
    HaStack,
    longest_wait_s,
    mean_interval_s,
    shortest_interval_s,
)
from tests.support.processes import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SOURCES = 20
INTERVAL_S = 2.0
WINDOW_S = 10.0  # five intervals of every source, before and after the kill
HOOK = "/hooks/desk"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[HaStack]:
    with HaStack(tmp_path, sources=SOURCES, interval_s=INTERVAL_S, hooks=(HOOK,)) as s:
        yield s


def test_two_beats_poll_each_source_once_an_interval_and_survive_a_sigkill(
    stack: HaStack,
) -> None:
    stack.start("host-a", "worker", "--hostname", "group-a@%h")
    beat_a = stack.start("host-a", "beat")
    beat_b = stack.start("host-b", "beat")
    stack.wait_every_source_polled(2, timeout_s=40)

    # both beats running: every source once an interval, never twice
    start = time.monotonic()
    time.sleep(WINDOW_S)
    both = stack.feeds.times_by_source()
    mean_both = mean_interval_s(both, start, start + WINDOW_S)
    assert mean_both == pytest.approx(INTERVAL_S, rel=0.05)
    # none polled twice (a poll due at a tick that starts late is followed by a shorter
    # interval: 1.75 s against 2 s idle; two beats both dispatching would halve the mean)
    assert shortest_interval_s(both, since=start) > INTERVAL_S * 0.5
    assert beat_a.proc.poll() is None
    assert beat_b.proc.poll() is None

    # host A's beat dies; a launch is published just after
    killed = stack.sigkill(beat_a)
    stack.feeds.set("s007", [kp_flash()])
    published = time.monotonic()
    time.sleep(WINDOW_S)
    after = stack.feeds.times_by_source()
    longest_pause = longest_wait_s(after, killed, killed + WINDOW_S)
    mean_after = mean_interval_s(after, killed, killed + WINDOW_S)
    assert longest_pause < INTERVAL_S * 2  # about one interval (2.01 s idle): no pause
    assert mean_after == pytest.approx(INTERVAL_S, rel=0.05)
    assert shortest_interval_s(after, since=start) > INTERVAL_S * 0.5

    wait_until(lambda: any(h.ok for h in stack.hook.hits), timeout_s=20, what="the alert")
    delivered = min(h.at for h in stack.hook.hits if h.ok)
    time.sleep(3.0)  # room for a second copy to show up
    hits = stack.hook.hits
    assert len(hits) == 1, [h.payload.get("kind") for h in hits]
    assert hits[0].payload["kind"] == "new"
    assert beat_b.proc.poll() is None

    # beat keeps no state on its host: nothing for two beats to share or fight over
    assert not list((stack.tmp / "host-a" / "data").glob("celerybeat-schedule*"))
    assert not list((stack.tmp / "host-b" / "data").glob("celerybeat-schedule*"))
    print(
        f"\nHA beats: {SOURCES} sources at {INTERVAL_S:.0f} s; mean interval "
        f"{mean_both:.3f} s with two beats, {mean_after:.3f} s after SIGKILL of one; longest "
        f"wait of a source after the kill {longest_pause:.2f} s; launch delivered once, "
        f"{delivered - published:.2f} s after it was published"
    )
