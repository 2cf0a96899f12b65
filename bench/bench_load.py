"""Load: 1,000 sources, a burst of 10,000 new items in one cycle, 42 launches to 20 subscribers.

    python bench/bench_load.py [--feeds 1000] [--items 10] [--launches 42] [--subscribers 20]

Runs the real stack (private Redis, `alerts worker`, `alerts beat`) against feeds served from
127.0.0.1 and a local webhook receiver that stands for the 20 subscribers (one path each).
Reports how long the first cycle (every item new) takes, whether the queues drain, worker RSS
and Redis memory per remembered item, and whether any alert was lost or doubled: every
(launch, subscriber) must arrive exactly once, told apart by its webhook-id. Each launch is a
launch event of its own (bench/launch_plan.py: 14 launchers over 3 days, so 42 at most).
Bounded: it stops by itself after --cap seconds at the most.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
sys.path.insert(0, str(Path(__file__).resolve().parent))

from launch_plan import MAX_ITEM_AGE_S, MAX_LAUNCHES, launch_time, launch_title  # noqa: E402

from alerts.embedded import start_embedded
from tests.integration.feed_server import FeedServer
from tests.integration.receivers import WebhookReceiver
from tests.support.feeds import Entry, rss
from tests.support.processes import AlertsProcess, wait_until

NEWS = [
    "Central bank holds rates steady", "Port workers strike over wages", "Parliament passes budget",
    "Storm closes schools in the north", "Tech giant unveils new chip", "Farmers protest tariffs",
    "Court blocks merger", "Minister resigns over scandal", "Rail line reopens after floods",
]  # fmt: skip


def rss_tree_kib(pids: list[int]) -> int:
    """Resident memory of these processes and all their children, in KiB."""
    total, seen, todo = 0, set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines()
                              if line.startswith("VmRSS:")))  # fmt: skip
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except (OSError, StopIteration):
            continue
        todo.extend(int(c) for c in children)
    return total


def neutral_feed(index: int, items: int, now: datetime) -> bytes:
    rng = random.Random(index)
    entries = [
        Entry(f"f{index}-i{k}", f"{rng.choice(NEWS)} ({index}.{k})",
              f"https://news{index % 97}.example/{index}/{k}", now - timedelta(minutes=k + 1),
              "Ordinary news of the day.")
        for k in range(items)
    ]  # fmt: skip
    return rss(entries)


def main() -> None:  # noqa: PLR0915 - a benchmark script reads best top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--launches", type=int, default=MAX_LAUNCHES)
    parser.add_argument("--subscribers", type=int, default=20)
    parser.add_argument("--interval", type=float, default=30.0)
    parser.add_argument("--cap", type=float, default=600.0, help="stop after this long")
    args = parser.parse_args()
    if not 1 <= args.launches <= MAX_LAUNCHES:
        parser.error(f"--launches: 1 to {MAX_LAUNCHES} distinct launch events")
    started = time.monotonic()
    deadline = started + args.cap
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp_dir:
        tmp = Path(tmp_dir)
        server = start_embedded(tmp / "redis", appendonly=False)
        client = redis.Redis.from_url(server.url)
        processes: list[AlertsProcess] = []
        with FeedServer() as feeds, WebhookReceiver() as hooks:
            now = datetime.now(UTC)
            for i in range(args.feeds):
                feeds.add(f"/f{i}.rss", neutral_feed(i, args.items, now), etag=True)
            subs = [{"name": f"sub-{s}", "destinations": [
                {"type": "webhook", "url": hooks.url(f"/sub-{s}")}]}
                for s in range(args.subscribers)]  # fmt: skip
            sources = [{"name": f"f{i}", "url": feeds.url(f"/f{i}.rss"),
                        "interval_seconds": args.interval} for i in range(args.feeds)]  # fmt: skip
            (tmp / ".env").write_text(f"ALERTS_SOURCES={json.dumps(sources)}\n")
            env = {
                "ALERTS_REDIS_URL": server.url,
                "ALERTS_DATA_DIR": str(tmp / "data"),
                "ALERTS_SUBSCRIPTIONS": json.dumps(subs),
                "ALERTS_PER_HOST_CONCURRENCY": "64",
                "ALERTS_MAX_ITEM_AGE_SECONDS": str(MAX_ITEM_AGE_S),
                "ALERTS_LOG_LEVEL": "WARNING",
            }
            try:
                for command in ("worker", "beat"):
                    processes.append(AlertsProcess([command], env=env, cwd=tmp,
                                                   log=tmp / f"{command}.log"))  # fmt: skip
                t0 = time.monotonic()
                polled = lambda: sum(1 for i in range(args.feeds)  # noqa: E731
                                     if feeds.requests_to(f"/f{i}.rss"))  # fmt: skip
                max_depth = 0

                def first_cycle_done() -> bool:
                    nonlocal max_depth
                    max_depth = max(max_depth, client.llen("poll") + client.llen("deliver"))
                    return polled() == args.feeds and client.llen("poll") == 0

                wait_until(first_cycle_done, timeout_s=max(1, deadline - time.monotonic()),
                           what="the first cycle", interval_s=0.2)  # fmt: skip
                first_cycle_s = time.monotonic() - t0
                rss_after_burst = rss_tree_kib([p.proc.pid for p in processes[:1]])
                seen_keys = sum(1 for _ in client.scan_iter(match="alerts:v1:seen:*", count=1000))
                memory = client.info("memory")["used_memory"]

                # distinct launch events (bench/launch_plan.py), put into random feeds a few
                # seconds apart
                rng = random.Random(7)
                base = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
                t_launch = time.monotonic()
                # distinct feeds: a second report put into one feed before it was polled
                # would replace the first, which no poller could ever see
                targets = rng.sample(range(args.feeds), args.launches)
                for n, i in enumerate(targets):
                    stated = launch_time(n, base)
                    title = launch_title(n, stated)
                    published = stated + timedelta(minutes=3)
                    entry = Entry(
                        f"launch-{n}",
                        title,
                        f"https://wire.example/launch/{n}",
                        published,
                        "Officials said the launch happened today.",
                    )
                    doc = rss([entry])
                    feeds.set(f"/f{i}.rss", doc, etag=True)
                    time.sleep(0.2)
                expected = args.launches * args.subscribers

                def delivered() -> int:
                    return len({(r.path, r.headers.get("webhook-id")) for r in hooks.requests})

                with contextlib.suppress(TimeoutError):  # counted as lost below
                    wait_until(lambda: delivered() >= expected,
                               timeout_s=max(1, deadline - time.monotonic()),
                               what="every delivery", interval_s=0.5)  # fmt: skip
                drain_s = time.monotonic() - t_launch
                time.sleep(3)  # anything doubled arrives now
                requests = hooks.requests
                per_path_event = Counter(
                    (r.path, (r.json or {}).get("event_id")) for r in requests
                    if (r.json or {}).get("kind") == "new"
                )  # fmt: skip
                events = {e for _, e in per_path_event}
                arrived = {(r.json or {}).get("url") for r in requests}
                missing = [n for n in range(args.launches)
                           if f"https://wire.example/launch/{n}" not in arrived]  # fmt: skip
                distinct = delivered()
                queues_empty = client.llen("poll") == 0 and client.llen("deliver") == 0
                rss_end = rss_tree_kib([p.proc.pid for p in processes[:1]])
            finally:
                for process in processes:
                    process.stop()
                    process.kill_group()
                client.close()
                server.stop()
    print(f"command: python bench/bench_load.py --feeds {args.feeds} --items {args.items} "
          f"--launches {args.launches} --subscribers {args.subscribers}")  # fmt: skip
    print(f"first cycle: {args.feeds * args.items} new items from {args.feeds} sources "
          f"in {first_cycle_s:.1f} s; max queue depth {max_depth}")  # fmt: skip
    print(f"launch events opened: {len(events)} of {args.launches}; missing: {missing}")
    print(f"deliveries: expected {expected}, distinct (webhook-id) {distinct}, "
          f"raw requests {len(requests)}, lost {expected - distinct}, "
          f"doubled {len(requests) - distinct}; drained in {drain_s:.1f} s; "
          f"queues empty: {queues_empty}")  # fmt: skip
    print(f"worker RSS (process tree): {rss_after_burst / 1024:.0f} MiB after the burst, "
          f"{rss_end / 1024:.0f} MiB at the end")  # fmt: skip
    print(
        f"Redis: {memory / 1e6:.1f} MB used for {seen_keys} remembered items "
        f"({memory / max(seen_keys, 1):.0f} bytes per item, all keys included)"
    )
    sys.exit(0 if distinct == expected and len(requests) == distinct else 1)


if __name__ == "__main__":
    main()
