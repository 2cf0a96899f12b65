"""The single events version counter under a burst of reports about one launch.

Usage:
    python bench/bench_events_contention.py [--reports 2000] [--procs 1,2,4] [--threads 4]

Every launch-report commit (alerts/events/store.py) is a compare-and-set on one Redis key,
`events:version`: a snapshot of the events around the launch and the version, a pure decision
(alerts.events.cluster.decide), then a script that applies it only if the version is still
the same, else the report is decided again (alerts.pipeline.MAX_COMMIT_ATTEMPTS times at most).
So commits of all sources, on every worker, go one at a time. This bench sends --reports
reports of the same launch (the worst case: a major launch that every outlet reports within
minutes), each a different item of a different source, through the product's own
alerts.pipeline.process_items, from P processes of T threads against one real Redis (AOF
off), and prints commits a second and how many attempts conflicted, for each P.

The baseline is the same reports from one thread: one process alone never conflicts, so the
ratio shows what concurrency buys (or costs) on this one key. Bounded by --reports and a
timeout per run; local only (a private Redis on a unix socket).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import redis  # noqa: E402
from launch_plan import MAX_ITEM_AGE_S  # noqa: E402

from alerts import pipeline  # noqa: E402
from alerts.bootstrap import new_token, policy_from  # noqa: E402
from alerts.config import load_settings  # noqa: E402
from alerts.detection.classify import classify_item  # noqa: E402
from alerts.embedded import start_embedded  # noqa: E402
from alerts.events.store import EventStore  # noqa: E402
from alerts.models import Item  # noqa: E402

RUN_TIMEOUT_S = 300.0
TITLES = [
    "Iran fires ballistic missile at {clock}, officials say",
    "Iran launches ballistic missile at {clock}, state media reports",
    "Iranian ballistic missile fired at {clock}, military says",
]


def reports(count: int, start: int, stated: datetime) -> list[Item]:
    """`count` reports of the same launch, each its own item of its own source."""
    clock = f"{stated:%-I:%M} {'a.m.' if stated.hour < 12 else 'p.m.'} ({stated:%H%M} GMT)"
    return [
        Item(
            id=f"https://outlet{n}.example/launch",
            source=f"outlet-{n:06d}",
            title=TITLES[n % len(TITLES)].format(clock=clock),
            url=f"https://outlet{n}.example/launch",
            summary="Officials said the missile was fired today.",
            published_at=stated + timedelta(minutes=3 + n % 50),
        )
        for n in range(start, start + count)
    ]


def _worker(redis_url: str, items: list[Item], threads: int) -> tuple[int, int, int]:
    """(reports committed, commit attempts, conflicts) of one process."""
    client = redis.Redis.from_url(redis_url)
    store = EventStore(client, seen_ttl_s=86400)
    policy = policy_from(load_settings(max_item_age_seconds=MAX_ITEM_AGE_S))
    attempts = conflicts = 0
    commit = store.commit

    def counted(*args: object, **kwargs: object) -> str:
        nonlocal attempts, conflicts
        status = commit(*args, **kwargs)  # type: ignore[arg-type]
        attempts += 1
        conflicts += status == "conflict"
        return status

    store.commit = counted  # type: ignore[method-assign]

    def one(item: Item) -> int:
        now = datetime.now(UTC)
        pipeline.process_items(
            [item],
            events=store,
            classify=classify_item,
            policy=policy,
            now=now,
            new_token=new_token,
        )
        return 1

    with ThreadPoolExecutor(threads) as pool:
        done = sum(pool.map(one, items))
    client.close()
    return done, attempts, conflicts


def run(redis_url: str, total: int, procs: int, threads: int, stated: datetime) -> str:
    redis.Redis.from_url(redis_url).flushall()
    shares = [reports(total // procs, p * (total // procs), stated) for p in range(procs)]
    context = get_context("fork")
    started = time.perf_counter()
    with context.Pool(procs) as pool:
        pending = [pool.apply_async(_worker, (redis_url, share, threads)) for share in shares]
        results = [p.get(RUN_TIMEOUT_S) for p in pending]
    elapsed = time.perf_counter() - started
    done = sum(r[0] for r in results)
    attempts = sum(r[1] for r in results)
    conflicts = sum(r[2] for r in results)
    return (
        f"{procs} proc x {threads} threads: {done} reports in {elapsed:.1f} s = "
        f"{done / elapsed:,.0f}/s; {attempts} commit attempts, {conflicts} conflicts "
        f"({conflicts / max(attempts, 1):.1%}), {attempts / max(done, 1):.2f} attempts a report"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--procs", default="1,2,4")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    if not 1 <= args.reports <= 100_000:
        parser.error("--reports 1..100000")
    print("$", " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    stated = (datetime.now(UTC) - timedelta(hours=1)).replace(second=0, microsecond=0)
    with tempfile.TemporaryDirectory(prefix="bench-events-") as tmp:
        server = start_embedded(Path(tmp), appendonly=False)
        try:
            print("baseline:", run(server.url, args.reports, 1, 1, stated), flush=True)
            for procs in [int(p) for p in args.procs.split(",")]:
                print(run(server.url, args.reports, procs, args.threads, stated), flush=True)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
