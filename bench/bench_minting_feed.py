"""Redis memory under a feed that mints new item ids on every poll: capped against uncapped.

    python bench/bench_minting_feed.py [--seconds 60 | --minutes 10] [--items 20000]
                                       [--interval 1] [--max-items N] [--max-seen N]
                                       [--baseline-limit-mib 1024]

A JSON Feed served from 127.0.0.1 answers every request with --items items whose ids were
never served before (dated now, titles with no launch cue), the hostile or broken feed of
issue 13 (100,000 new ids a poll grew Redis by 15 MB a poll, without end). Two private Redis
servers, AOF off, are polled in turns through the worker's poll path (`alerts.pipeline.
poll_source` with the runtime `alerts.bootstrap` builds; Celery only moves that call between
processes):

* capped: ALERTS_MAX_ITEMS_PER_POLL items taken a poll (newest first) and
  ALERTS_MAX_SEEN_PER_SOURCE ids remembered (from Settings, or --max-items / --max-seen);
  the server keeps the embedded Redis's own maxmemory;
* uncapped, the baseline in the same run: every item taken and remembered, no maxmemory
  (polled until its used_memory passes --baseline-limit-mib, to spare a shared machine).

Prints Redis keys (DBSIZE) and used_memory of both over time, then each side's figures from
the end of the capped side's warm-up (its per-source cap full) to the end: keys and memory
then and at the end, and their growth per minute (least squares). The capped side's keys
do not move once its cap is full; its used_memory still creeps by a few hundred KiB while
Redis's slow log (at most slowlog-max-len entries: each remember script that trims 500 keys
takes over 10 ms) fills, then stays.
Every request goes to 127.0.0.1; the run ends after the given time.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import itertools
import json
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from alerts import pipeline  # noqa: E402
from alerts.bootstrap import Runtime, build_runtime, new_token  # noqa: E402
from alerts.config import Settings, load_settings  # noqa: E402
from alerts.detection.classify import classify_item  # noqa: E402
from alerts.embedded import EmbeddedRedis, start_embedded  # noqa: E402
from alerts.events.store import DEFAULT_MAX_SEEN_PER_SOURCE, EventStore  # noqa: E402
from alerts.models import SourceSpec  # noqa: E402
from alerts.sources.parse import MAX_FEED_BYTES  # noqa: E402
from tests.integration.feed_server import FeedServer  # noqa: E402

SOURCE = "minting"
MIB = 1024 * 1024


class MintingFeed:
    """JSON Feed bodies whose every item carries an id never served before."""

    def __init__(self, items: int) -> None:
        self.items = items
        self._polls = itertools.count()

    def body(self) -> Iterator[bytes]:
        n = next(self._polls)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        entries = [{"id": f"p{n}-{i}", "title": f"Market note {n}.{i}", "date_published": now}
                   for i in range(self.items)]  # fmt: skip
        doc = {"version": "https://jsonfeed.org/version/1.1", "title": "flood", "items": entries}
        yield json.dumps(doc, separators=(",", ":")).encode()


@dataclass
class Sample:
    at_s: float
    keys: int
    used_memory: int


@dataclass
class Side:
    """One Redis server and the runtime polling the minting feed into it."""

    label: str
    server: EmbeddedRedis
    rt: Runtime
    max_items: int | None
    max_seen: int | None
    client: redis.Redis
    samples: list[Sample] = field(default_factory=list)
    polls: int = 0
    errors: int = 0
    poll_s: list[float] = field(default_factory=list)
    stopped_at_s: float | None = None  # polling stopped (the baseline past its limit)

    def poll(self, spec: SourceSpec) -> None:
        started = time.perf_counter()
        result = pipeline.poll_source(
            spec, fetch=self.rt.fetch, states=self.rt.states, events=self.rt.events,
            classify=classify_item, policy=self.rt.policy, now=datetime.now(UTC),
            new_token=new_token,
        )  # fmt: skip
        self.poll_s.append(time.perf_counter() - started)
        self.polls += 1
        if result.error is not None:
            self.errors += 1
            print(f"  {self.label}: poll failed: {result.error}", file=sys.stderr)

    def sample(self, at_s: float) -> Sample:
        used = int(self.client.info("memory")["used_memory"])
        taken = Sample(at_s, int(self.client.dbsize()), used)
        self.samples.append(taken)
        return taken


def start_redis(data_dir: Path, maxmemory: str | None) -> EmbeddedRedis:
    """A private server; `maxmemory` "0" lifts the limit (where the embedded Redis has one)."""
    if maxmemory is not None and "maxmemory" in inspect.signature(start_embedded).parameters:
        return start_embedded(data_dir, appendonly=False, maxmemory=maxmemory)
    return start_embedded(data_dir, appendonly=False)


def make_side(
    label: str, server: EmbeddedRedis, settings: Settings, max_items: int | None,
    max_seen: int | None,
) -> Side:  # fmt: skip
    """The runtime the worker would build, with the caps set explicitly on both sides."""
    rt = build_runtime(settings, redis_url=server.url)
    rt.policy = dataclasses.replace(rt.policy, max_items_per_poll=max_items)
    rt.events = EventStore(rt.redis, seen_ttl_s=settings.seen_ttl_seconds,
                           max_seen_per_source=max_seen)  # fmt: skip
    return Side(label, server, rt, max_items, max_seen, redis.Redis.from_url(server.url))


def mib(n: float) -> str:
    return f"{n / MIB:,.1f}"


def print_row(at_s: float, sides: list[Side]) -> None:
    cells = "".join(f"{s.samples[-1].keys:>16,} {mib(s.samples[-1].used_memory):>9}"
                    for s in sides)  # fmt: skip
    print(f"{at_s:>7.0f} {sides[0].polls:>6}{cells}", flush=True)


def slope_per_min(samples: list[Sample], attr: str) -> float:
    """Least-squares slope of `attr` over these samples, per minute."""
    if len(samples) < 2:
        return 0.0
    xs = [s.at_s for s in samples]
    ys = [float(getattr(s, attr)) for s in samples]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def summarise(side: Side, warm_s: float) -> None:
    """Figures from the end of the capped side's warm-up to the end (or, for a baseline that
    stopped before it, over the second half of its own polls)."""
    window = [s for s in side.samples if s.at_s >= warm_s]
    label = f"from {warm_s:.0f} s"
    if len(window) < 2:
        window = [s for s in side.samples if s.at_s >= side.samples[-1].at_s / 2]
        window = window if len(window) >= 2 else side.samples[-2:]
        label = f"from {window[0].at_s:.0f} s (its second half)"
    first, last = window[0], window[-1]
    config = side.client.config_get("maxmemory").get("maxmemory", "?")
    slowlog_max = side.client.config_get("slowlog-max-len").get("slowlog-max-len", "?")
    caps = (f"max_items_per_poll={side.max_items}, max_seen_per_source={side.max_seen}"
            if side.max_items else "no caps")  # fmt: skip
    stopped = (f", stopped at {side.stopped_at_s:.0f} s (past the limit)"
               if side.stopped_at_s is not None else "")  # fmt: skip
    print(
        f"{side.label:<9} {caps}; maxmemory={config}; {side.polls} polls "
        f"(median {statistics.median(side.poll_s):.2f} s), {side.errors} failed{stopped}\n"
        f"          {label} to {last.at_s:.0f} s: keys {first.keys:,} -> {last.keys:,} "
        f"(max {max(s.keys for s in window):,}), used_memory {mib(first.used_memory)} -> "
        f"{mib(last.used_memory)} MiB (max {mib(max(s.used_memory for s in window))}); "
        f"growth {slope_per_min(window, 'keys'):+,.0f} keys/min, "
        f"{slope_per_min(window, 'used_memory') / 1024:+,.1f} KiB/min\n"
        f"          slow log: {side.client.slowlog_len()} of at most {slowlog_max} entries "
        f"(Redis's own record of slow commands, bounded: it fills as the run goes)"
    )


def machine_facts() -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"nproc={os.cpu_count()} python={platform.python_version()} loadavg={load}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--seconds", type=float, default=60.0)
    length.add_argument("--minutes", type=float, default=None, help="e.g. 10 for the README")
    parser.add_argument("--items", type=int, default=20_000, help="new ids a poll")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")
    parser.add_argument("--max-items", type=int, default=None, help="default: from Settings")
    parser.add_argument("--max-seen", type=int, default=None, help="default: from Settings")
    parser.add_argument("--baseline-limit-mib", type=float, default=1024.0,
                        help="stop polling the uncapped side past this used_memory")  # fmt: skip
    args = parser.parse_args(argv)
    duration_s = args.minutes * 60 if args.minutes is not None else args.seconds
    if not 1 <= args.items <= 100_000 or duration_s <= 0:
        parser.error("--items must be 1..100000 and the run longer than 0 s")

    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print("machine:", machine_facts())
    tmp = Path(tempfile.mkdtemp(prefix="bench-minting-"))
    servers: list[EmbeddedRedis] = []
    sides: list[Side] = []
    feed = MintingFeed(args.items)
    try:
        with FeedServer() as srv:
            srv.add("/flood.json", stream=feed.body, content_type="application/feed+json")
            settings = load_settings(
                sources=[{"name": SOURCE, "url": srv.url("/flood.json"), "interval_seconds": 1}],
                data_dir=tmp / "data",
                fetch_max_bytes=MAX_FEED_BYTES,
                log_level="WARNING",
            )
            max_items = args.max_items or getattr(
                settings, "max_items_per_poll", pipeline.DEFAULT_MAX_ITEMS_PER_POLL
            )
            max_seen = args.max_seen or getattr(
                settings, "max_seen_per_source", DEFAULT_MAX_SEEN_PER_SOURCE
            )
            servers.append(start_redis(tmp / "capped", None))
            servers.append(start_redis(tmp / "uncapped", "0"))
            sides = [
                make_side("capped", servers[0], settings, max_items, max_seen),
                make_side("uncapped", servers[1], settings, None, None),
            ]
            spec = sides[0].rt.sources[SOURCE]
            print(f"feed: {args.items:,} new ids every poll, JSON Feed at {srv.url('/flood.json')}")
            print(f"run: {duration_s:.0f} s, a round (one poll of each side) every "
                  f"{args.interval:g} s or back to back when slower")  # fmt: skip
            print()
            head = "".join(f"{s.label + ' keys':>16} {'MiB':>9}" for s in sides)
            print(f"{'t (s)':>7} {'rounds':>6}{head}")
            started = time.monotonic()
            next_round = started
            next_print = printed_s = 0.0
            every_s = max(args.interval, duration_s / 12)
            while (at_s := time.monotonic() - started) < duration_s:
                active = [s for s in sides if s.stopped_at_s is None]
                for side in active:
                    side.poll(spec)
                at_s = time.monotonic() - started
                for side in active:
                    if side.sample(at_s).used_memory > args.baseline_limit_mib * MIB and (
                        side.max_items is None
                    ):
                        side.stopped_at_s = at_s
                if at_s >= next_print:
                    print_row(at_s, sides)
                    next_print, printed_s = (at_s // every_s + 1) * every_s, at_s
                next_round += args.interval
                time.sleep(max(0.0, next_round - time.monotonic()))
            if sides[0].samples and sides[0].samples[-1].at_s != printed_s:
                print_row(sides[0].samples[-1].at_s, sides)  # the last figures, always
        print()
        capped = sides[0]
        fill_polls = math.ceil(max_seen / max_items) + 1
        warm_s = capped.samples[min(fill_polls, len(capped.samples)) - 1].at_s
        for side in sides:
            summarise(side, warm_s)
        if len(capped.samples) <= fill_polls:
            print(f"note: the capped side needs {fill_polls} polls to fill its cap; run longer")
    finally:
        for side in sides:
            side.client.close()
            side.rt.close()
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
