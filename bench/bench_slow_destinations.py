"""How long sources wait for their next poll while slow destinations take a burst of sends.

A send holds a worker process for as long as its receiver takes. Three shapes, each on a
fresh Redis, feeds and receiver on 127.0.0.1 (tests/support/ha.py), in the same run:

- shared: `alerts beat` and one `alerts worker` taking polls and sends (its default queues);
- split: `alerts beat`, `alerts worker --queues poll` and `alerts worker --queues deliver`
  (docker-compose.yml's worker and deliverer);
- run: `alerts run`, which has split them since this bench was written.

Each: 10 sources at a 2 s interval, then two launches to 8 webhook destinations that hold every
request 3 s: 16 sends, which the shared worker's two processes make two at a time and a
delivery worker's threads (ALERTS_DELIVER_CONCURRENCY, 16) all at once. Printed per shape:
the longest any source waited for a poll from the launches until the last send was accepted,
the mean interval, and when the last send was accepted; the
memory of the shape's processes and all their children (PSS, so shared pages count once),
taken just before the launches (Redis is apart, but for `alerts run`'s embedded one: this bench
gives the run an external Redis, as the others); then each shape's longest wait and memory as
a ratio to the shared worker's.

    python bench/bench_slow_destinations.py [--repeat 2] [--hold 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.peers import free_port  # noqa: E402
from tests.faults.scenarios import ir_flash, kp_flash  # noqa: E402
from tests.support.ha import HaStack, longest_wait_s, mean_interval_s  # noqa: E402
from tests.support.processes import descendant_pids, wait_until  # noqa: E402

SOURCES = 10
INTERVAL_S = 2.0
HOOKS = tuple(f"/hooks/desk-{n}" for n in range(8))
SPLIT = [["beat"], ["worker", "--queues", "poll"],
         ["worker", "--queues", "deliver", "--hostname", "deliver@%h"]]  # fmt: skip
SHAPES: dict[str, list[list[str]]] = {"shared": [["beat"], ["worker"]], "split": SPLIT,
                                      "run": [["run"]]}  # fmt: skip


def tree_pss_mb(pids: list[int]) -> float:
    """PSS of the processes and all their descendants (Linux /proc/PID/smaps_rollup)."""
    total_kb = 0
    for pid in {*pids, *(d for p in pids for d in descendant_pids(p))}:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total_kb += sum(int(line.split()[1]) for line in rollup.splitlines()
                        if line.startswith("Pss:"))  # fmt: skip
    return total_kb / 1024


def one(shape: str, hold_s: float) -> tuple[float, float, float, float]:
    """(longest wait, mean interval, burst seconds, memory MB) for one shape."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"ALERTS_WEB_PORT": str(free_port()), "ALERTS_WORKER_CONCURRENCY": "2"}
        with HaStack(Path(tmp), sources=SOURCES, interval_s=INTERVAL_S, hooks=HOOKS,
                     hold_s=hold_s, env=env) as stack:  # fmt: skip
            for args in SHAPES[shape]:
                stack.start(f"host-{args[0]}-{len(stack.processes)}", *args)
            stack.wait_every_source_polled(3, timeout_s=90)
            memory = tree_pss_mb([p.proc.pid for p in stack.processes])
            stack.feeds.set("s003", [kp_flash()])
            stack.feeds.set("s008", [ir_flash()])
            burst = time.monotonic()
            expected = len(HOOKS) * 2
            wait_until(lambda: sum(h.ok for h in stack.hook.hits) >= expected,
                       timeout_s=expected * hold_s + 60, interval_s=0.2,
                       what="every delivery")  # fmt: skip
            done = time.monotonic()
            by_source = stack.feeds.times_by_source()
            return (longest_wait_s(by_source, burst, done),
                    mean_interval_s(by_source, burst, done), done - burst, memory)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--hold", type=float, default=3.0, help="seconds a receiver holds a send")
    args = parser.parse_args()
    longest: dict[str, list[float]] = {s: [] for s in SHAPES}
    memory: dict[str, list[float]] = {s: [] for s in SHAPES}
    last_sent: dict[str, list[float]] = {s: [] for s in SHAPES}
    for round_ in range(args.repeat):
        for shape in SHAPES:  # alternating, so a busy moment of the machine hits every shape
            wait, mean, burst, mb = one(shape, args.hold)
            longest[shape].append(wait)
            memory[shape].append(mb)
            last_sent[shape].append(burst)
            print(f"round {round_ + 1} {shape:>6}: longest wait {wait:5.2f} s, mean interval "
                  f"{mean:4.2f} s over a {burst:4.1f} s burst of sends; {mb:.0f} MB",
                  flush=True)  # fmt: skip
    base, base_mb = statistics.mean(longest["shared"]), statistics.mean(memory["shared"])
    base_sent = statistics.mean(last_sent["shared"])
    for shape, waits in longest.items():
        mb, sent = statistics.mean(memory[shape]), statistics.mean(last_sent[shape])
        print(f"{shape:>6}: longest wait {', '.join(f'{w:.2f}' for w in waits)} s, "
              f"{statistics.mean(waits) / base:.2f}x the shared worker's; last send accepted "
              f"{', '.join(f'{b:.1f}' for b in last_sent[shape])} s after the launches, "
              f"{sent / base_sent:.2f}x; memory {mb:.0f} MB, {mb / base_mb:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
