"""Redis memory per remembered item and per launch event, measured on a private redis-server.

    python bench/bench_memory.py [--items 20000] [--events 200]

Baseline in the same run: the memory of the same number of bare 32-byte keys with a TTL, the
least any seen-set could cost per item in Redis.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from alerts.embedded import start_embedded
from alerts.events.cluster import EventPolicy
from alerts.events.store import EventStore
from alerts.models import Item
from alerts.pipeline import ItemOutcome, Policy, process_items
from tests.support.fakes import fake_classify

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def used(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_embedded(Path(tmp), appendonly=False)
        client = redis.Redis.from_url(server.url)
        try:
            store = EventStore(client, seen_ttl_s=14 * 86400)
            before = used(client)
            items = [Item(id=f"https://news.example/world/asia/story-{n:08d}.html",
                          source=f"outlet-{n % 50}", title=f"Story {n}", summary="text",
                          published_at=NOW) for n in range(args.items)]  # fmt: skip
            for start in range(0, len(items), 1000):
                store.remember([(i, f"{ItemOutcome.NOT_LAUNCH}|0123456789abcdef")
                                for i in items[start : start + 1000]])  # fmt: skip
            per_item = (used(client) - before) / args.items

            client.flushall()
            before = used(client)
            pipe = client.pipeline(transaction=False)
            for n in range(args.items):
                pipe.set(f"k:{n:030d}", "1", ex=14 * 86400)
            pipe.execute()
            bare = (used(client) - before) / args.items

            client.flushall()
            before = used(client)
            policy = Policy(max_item_age_s=1e9, min_confidence=0.5,
                            events=EventPolicy(follow_up_s=60, min_update_gap_s=0))  # fmt: skip
            countries = ["KP", "IR", "RU", "YE", "CN"]
            for n in range(args.events):  # each launch: an opening report and five follow-ups
                at = NOW + timedelta(hours=n)
                for k in range(6):
                    report = Item(
                        id=f"e{n}-{k}", source=f"outlet-{k}",
                        title=f"{countries[n % 5]} FIRES class=SRBM count={k + 1}",
                        summary=f"Report {k} of launch {n}, with its own words.",
                        url=f"https://outlet{k}.example/e{n}",
                        published_at=at + timedelta(minutes=k),
                    )  # fmt: skip
                    process_items([report], events=store, classify=fake_classify,
                                  policy=policy, now=at + timedelta(minutes=k),
                                  new_token=lambda n=n: f"{n}")  # fmt: skip
            per_event = (used(client) - before) / args.events
        finally:
            client.close()
            server.stop()
    print(f"command: python bench/bench_memory.py --items {args.items} --events {args.events}")
    print(f"seen item (key + value + TTL):      {per_item:8.0f} bytes")
    print(f"baseline bare key with TTL:         {bare:8.0f} bytes   ratio {per_item / bare:.2f}x")
    print(f"launch event with 6 reports and its alerts, ledger-free: {per_event:8.0f} bytes")


if __name__ == "__main__":
    main()
