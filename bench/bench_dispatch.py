"""The dispatcher's tick at 10,000 to 1,000,000 sources, without workers: what one tick costs.

Usage:
    python bench/bench_dispatch.py [--sources 10000,100000,1000000] [--ticks 20]

Beat sends `alerts.dispatch_polls` every DISPATCH_INTERVAL_S (0.25 s); each one (workers/
tasks.py) checks the configured sources against the due set (PollSchedule.sync: a digest of
every source, computed afresh each tick) and claims what is due (one script, at most
`limit` sources a call, one call a tick). For each source count this measures, against a
private Redis (AOF off) holding that many sources in its due set:

* the digest of the configured sources (CPU in the dispatching worker, every tick);
* one claim of `limit` sources (the script's time, Redis blocked meanwhile), and so the most
  polls a second the dispatcher can start: limit x ticks a second;
* the sources a tick would have to claim at a 60 s interval.

No workers, no feeds: it isolates the tick. Bounded by --ticks per size; local only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis  # noqa: E402

from alerts.embedded import start_embedded  # noqa: E402
from alerts.models import SourceSpec  # noqa: E402
from alerts.sources.due import PollSchedule, config_digest  # noqa: E402
from workers.schedule import DISPATCH_INTERVAL_S  # noqa: E402

CLAIM_LIMIT = 1000  # PollSchedule.claim_due's default, one call a tick
INTERVAL_S = 60.0


def specs_of(count: int) -> list[SourceSpec]:
    return [
        SourceSpec(f"s{i:07d}", f"https://h{i % (count // 5 or 1):06d}.example/feed/{i}.xml",
                   INTERVAL_S)
        for i in range(count)
    ]  # fmt: skip


def measure(client: redis.Redis, count: int, ticks: int) -> str:
    specs = specs_of(count)
    digests = []
    for _ in range(ticks):
        started = time.process_time()
        config_digest(specs)
        digests.append(time.process_time() - started)
    client.flushall()
    schedule = PollSchedule(client)
    pipe = client.pipeline(transaction=False)
    now = time.time()
    for start in range(0, count, 10_000):
        pipe.zadd(
            schedule._keys.poll_due(), {s.name: now - 1 for s in specs[start : start + 10_000]}
        )
    pipe.execute()
    claims = []
    for _ in range(min(ticks, count // CLAIM_LIMIT)):
        started = time.perf_counter()
        got = schedule.claim_due(now=time.time(), limit=CLAIM_LIMIT)
        claims.append(time.perf_counter() - started)
        assert len(got) == CLAIM_LIMIT  # noqa: S101 - every source is due
    ticks_per_s = 1 / DISPATCH_INTERVAL_S
    ceiling = CLAIM_LIMIT * ticks_per_s
    needed = count / INTERVAL_S
    digest_ms = statistics.median(digests) * 1000
    claim_ms = statistics.median(claims) * 1000
    share = digest_ms * ticks_per_s / 10  # percent of a core
    enough = "enough" if ceiling >= needed else "NOT enough"
    return (
        f"{count:>9,} sources: digest {digest_ms:7.1f} ms a tick ({share:.0f}% of a core at "
        f"{ticks_per_s:g} ticks/s); claim of {CLAIM_LIMIT} {claim_ms:.1f} ms (Redis blocked); "
        f"ceiling {ceiling:,.0f} polls/s against {needed:,.0f}/s needed at {INTERVAL_S:g} s "
        f"({enough})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", default="10000,100000,1000000")
    parser.add_argument("--ticks", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sources.split(",")]
    if not all(1000 <= s <= 2_000_000 for s in sizes) or not 1 <= args.ticks <= 200:
        parser.error("--sources each 1000..2000000, --ticks 1..200")
    print("$", " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as tmp:
        server = start_embedded(Path(tmp), appendonly=False, maxmemory="4gb")
        client = redis.Redis.from_url(server.url)
        try:
            for count in sizes:
                print(measure(client, count, args.ticks), flush=True)
        finally:
            client.close()
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
