"""Polls per second of the real poller (Celery workers on Redis) against lemon24's `reader`.

Usage:
    python bench/bench_polling.py [--feeds 1000] [--items 50] [--workers-concurrency N]
                                  [--pool prefork|threads|both] [--server nginx|python]
                                  [--steady-seconds S [--steady-interval 5] | --steady-only]

Generates N distinct RSS 2.0 feeds of M items (~30 KB each), serves them from 127.0.0.1 with
ETag/Last-Modified (nginx with a private temp config when installed, else a Python server),
and measures full poll cycles:

* ours, through the real path: a private Redis (alerts.embedded, AOF off), a real
  `python -m workers worker` process (ALERTS_WORKER_POOL / ALERTS_WORKER_CONCURRENCY as given,
  ALERTS_PER_HOST_CONCURRENCY raised to 64 because every feed is on 127.0.0.1, interval 3600 s
  so only triggered cycles run, no destinations). A cycle marks every source due now in the
  Redis due set and sends `alerts.dispatch_polls` every 0.5 s, as beat does, until every
  source has been rescheduled by its poll task (the task's last Redis write). Cycle 1 is cold
  (200, full parsing, detection, seen-marking of N*M items), later cycles warm (304).
* ours, core path without Celery: build_runtime + alerts.pipeline.poll_source in a thread pool
  (one process), and in P forked processes with a thread pool each.
* the baseline in the same run: `reader` (make_reader on a temp SQLite file, the same N feed
  URLs, update_feeds_iter(scheduled=False, workers=W)), cold then warm.

* steady state (`--steady-seconds`, or `--steady-only`): every feed at a real interval (5 s),
  `alerts.dispatch_polls` sent as often as beat sends it; after a cold pass, the sources' due
  times are spread evenly over one interval and the polls the feed server answers are counted
  over whole intervals: the mean interval against the configured one (1,000 feeds at 5 s
  should be 200 polls a second).

Prints a table: seconds per cycle, polls/s, and the ratio to reader's rate in the same phase
(cold against cold, warm against warm). The machine is shared and noisy: read the ratios, not
the absolute numbers. Every request goes to 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import redis  # noqa: E402
from polling_server import NEW_CONNECTION, FeedServer, serve_feeds, write_feeds  # noqa: E402

from alerts import pipeline  # noqa: E402
from alerts.bootstrap import Runtime, build_runtime, new_token  # noqa: E402
from alerts.config import load_settings  # noqa: E402
from alerts.detection.classify import classify_item  # noqa: E402
from alerts.embedded import start_embedded  # noqa: E402
from alerts.events.keys import Keys  # noqa: E402
from alerts.sources.catalog import source_specs  # noqa: E402
from alerts.sources.due import PollSchedule  # noqa: E402
from tests.support.processes import AlertsProcess, wait_until  # noqa: E402

INTERVAL_S = 3600.0
PER_HOST_CONCURRENCY = 64
DISPATCH_EVERY_S = 0.5  # what beat does (workers/schedule.py)
DISPATCH_EXPIRES_S = 5.0
DONE_MARGIN_S = 600.0  # a finished poll reschedules ~INTERVAL_S ahead; a claim only LEASE_S
ENV_LIMIT = 100_000  # one environment string may not exceed 128 KiB on Linux
REPO = Path(__file__).resolve().parents[1]


@dataclass
class Cycle:
    seconds: float
    statuses: Counter[int | str]
    usage: Counter[str]  # CPU seconds (client, redis, server) and redis commands


@dataclass
class Row:
    label: str
    phase: str  # "cold" | "warm"
    cycles: list[Cycle]
    polls: int  # per cycle
    note: str = ""

    @property
    def seconds(self) -> list[float]:
        return [c.seconds for c in self.cycles]

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def rate(self) -> float:
        return self.polls / self.best if self.best > 0 else 0.0

    @property
    def statuses(self) -> Counter[int | str]:
        return sum((c.statuses for c in self.cycles), Counter())

    def per_poll(self, key: str) -> float:
        total = sum(c.usage[key] for c in self.cycles)
        return total / (self.polls * len(self.cycles)) if self.polls else 0.0


def cold_and_warm(label: str, cycles: list[Cycle], polls: int, note: str) -> list[Row]:
    return [
        Row(label, "cold", cycles[:1], polls, note),
        Row(label, "warm", cycles[1:], polls, note),
    ]


_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_s(root: int) -> float:
    """User+system CPU seconds of a process and every live descendant (all threads)."""
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parent[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / _TICK
    total, frontier = 0.0, [root]
    children: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    while frontier:
        pid = frontier.pop()
        total += cpu.get(pid, 0.0)
        frontier.extend(children.get(pid, []))
    return total


@dataclass
class Meter:
    """Snapshots of what one cycle cost: server statuses, CPU per party, Redis commands."""

    server: FeedServer
    redis: redis.Redis
    redis_pid: int

    def snapshot(self, client_pid: int) -> tuple[Counter[int], Counter[str]]:
        usage: Counter[str] = Counter()
        usage["cpu_client"] = tree_cpu_s(client_pid)
        usage["cpu_redis"] = tree_cpu_s(self.redis_pid)
        if self.server.pid is not None:
            usage["cpu_server"] = tree_cpu_s(self.server.pid)
        stats = self.redis.info("commandstats")
        usage["redis_cmds"] = sum(v["calls"] for v in stats.values())
        for name, value in stats.items():
            usage[f"cmd:{name.removeprefix('cmdstat_')}"] = value["calls"]
        return self.server.statuses(), usage

    def measure(self, client_pid: int, run: Callable[[], Any]) -> tuple[Cycle, Any]:
        before_status, before = self.snapshot(client_pid)
        started = time.perf_counter()
        outcome = run()
        elapsed = time.perf_counter() - started
        after_status, after = self.snapshot(client_pid)
        usage: Counter[str] = Counter()
        for key in after:
            usage[key] = after[key] - before[key]
        usage["redis_cmds"] -= 2  # the two INFO calls
        return Cycle(elapsed, delta(after_status, before_status), usage), outcome


# --- sources ---------------------------------------------------------------------------------


def source_entries(base_url: str, paths: list[str]) -> list[dict[str, Any]]:
    return [
        {"name": f"bench-{i:05d}", "url": base_url + path, "interval_seconds": INTERVAL_S}
        for i, path in enumerate(paths)
    ]


def bench_settings(redis_url: str, entries: list[dict[str, Any]], data_dir: Path) -> Any:
    return load_settings(
        redis_url=redis_url,
        sources=entries,
        data_dir=data_dir,
        per_host_concurrency=PER_HOST_CONCURRENCY,
        poll_interval_seconds=INTERVAL_S,
        log_level="WARNING",
    )


def delta(after: Counter[int], before: Counter[int]) -> Counter[int | str]:
    out: Counter[int | str] = Counter()
    for status, count in after.items():
        if count - before.get(status, 0):
            out[status] = count - before.get(status, 0)
    return out


# --- reader baseline -------------------------------------------------------------------------


def bench_reader(
    urls: list[str], db: Path, meter: Meter, workers: int, warm_cycles: int
) -> list[Row]:
    from reader import make_reader

    rd = make_reader(str(db))
    for url in urls:
        rd.add_feed(url)

    def update() -> int:
        results = list(rd.update_feeds_iter(scheduled=False, workers=workers))
        return sum(isinstance(r.value, Exception) for r in results)

    cycles = []
    for _ in range(1 + warm_cycles):
        cycle, errors = meter.measure(os.getpid(), update)
        if errors:
            cycle.statuses["errors"] = errors
        cycles.append(cycle)
    rd.close()
    return cold_and_warm("reader (baseline)", cycles, len(urls), f"update_feeds workers={workers}")


# --- core path without Celery ----------------------------------------------------------------

_core_rt: Runtime | None = None
_core_threads = 8


def _core_init(redis_url: str, entries: list[dict[str, Any]], data_dir: Path, prefix: str,
               threads: int) -> None:  # fmt: skip
    global _core_rt, _core_threads  # noqa: PLW0603 - one Runtime per process, as in workers/
    _core_rt = build_runtime(
        bench_settings(redis_url, entries, data_dir), redis_url=redis_url, keys=Keys(prefix)
    )
    _core_threads = threads


def _core_poll(name: str) -> str:
    rt = _core_rt
    assert rt is not None  # noqa: S101 - set by _core_init
    result = pipeline.poll_source(
        rt.sources[name],
        fetch=rt.fetch,
        states=rt.states,
        events=rt.events,
        classify=classify_item,
        policy=rt.policy,
        now=datetime.now(UTC),
        new_token=new_token,
    )
    return result.status


def _core_shard(names: list[str]) -> Counter[str]:
    with ThreadPoolExecutor(_core_threads) as pool:
        return Counter(pool.map(_core_poll, names))


def _started() -> int:
    time.sleep(0.3)  # keeps this process busy so the pool starts the others too
    return os.getpid()


def bench_core(
    label: str,
    *,
    procs: int,
    threads: int,
    redis_url: str,
    entries: list[dict[str, Any]],
    data_dir: Path,
    cycles: int,
    meter: Meter,
) -> list[Row]:
    """Cold then warm cycles of pipeline.poll_source, in-process or in `procs` forked processes."""
    prefix = f"alerts:bench-core-{procs}x{threads}:"
    names = [e["name"] for e in entries]
    results: list[Cycle] = []

    def timed(run: Callable[[], Counter[str]]) -> None:
        cycle, outcome = meter.measure(os.getpid(), run)
        cycle.statuses.update({k: v for k, v in outcome.items() if k not in {"ok", "not_modified"}})
        results.append(cycle)

    if procs <= 1:
        _core_init(redis_url, entries, data_dir, prefix, threads)
        for _ in range(cycles):
            timed(lambda: _core_shard(names))
        assert _core_rt is not None  # noqa: S101
        _core_rt.close()
    else:
        shards = [names[i::procs] for i in range(procs)]
        with ProcessPoolExecutor(
            procs,
            mp_context=get_context("fork"),
            initializer=_core_init,
            initargs=(redis_url, entries, data_dir, prefix, threads),
        ) as pool:
            pids = {f.result() for f in [pool.submit(_started) for _ in range(procs * 2)]}
            if len(pids) != procs:
                label = f"{label} ({len(pids)} up)"
            for _ in range(cycles):
                timed(lambda: sum(pool.map(_core_shard, shards), Counter()))
    return cold_and_warm(label, results, len(names), f"{procs} proc x {threads} threads")


# --- the real path: Celery worker process ----------------------------------------------------


@contextlib.contextmanager
def profiler(out: Path | None, pid: int) -> Iterator[None]:
    """py-spy record (raw collapsed stacks) of the worker and its pool children, if asked."""
    spy = shutil.which("py-spy", path=f"{Path(sys.executable).parent}{os.pathsep}{os.defpath}")
    if out is None or spy is None:
        yield
        return
    proc = subprocess.Popen(  # noqa: S603
        [spy, "record", "--pid", str(pid), "--subprocesses", "--nonblocking",
         "--format", "raw", "--rate", "200", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.5)
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def celery_cycle(
    client: redis.Redis, app: Any, names: list[str], timeout_s: float
) -> tuple[int, int]:
    """Make every source due now, dispatch like beat, until every poll has rescheduled.

    Returns (sources done, Redis commands this loop sent itself).
    """
    due = Keys().poll_due()
    now = time.time()
    client.zadd(due, dict.fromkeys(names, now - 0.001))
    started = time.perf_counter()
    deadline, next_dispatch = started + timeout_s, started
    done, own = 0, 1
    while time.perf_counter() < deadline:
        if time.perf_counter() >= next_dispatch:
            app.send_task("alerts.dispatch_polls", queue="poll", expires=DISPATCH_EXPIRES_S)
            next_dispatch += DISPATCH_EVERY_S
        done = client.zcount(due, now + DONE_MARGIN_S, "+inf")
        own += 1
        if done >= len(names):
            break
        time.sleep(0.01)
    return done, own


def polled_since(client: redis.Redis, names: list[str], since: datetime) -> tuple[int, int]:
    """(sources whose last_polled_at >= since, sources with a recorded error since)."""
    pipe = client.pipeline(transaction=False)
    keys = Keys()
    for name in names:
        pipe.hmget(keys.source_state(name), "last_polled_at", "last_error_at")
    polled = errors = 0
    for polled_at, error_at in pipe.execute():
        polled += bool(polled_at) and datetime.fromisoformat(polled_at.decode()) >= since
        errors += bool(error_at) and datetime.fromisoformat(error_at.decode()) >= since
    return polled, errors


def queue_idle(client: redis.Redis, timeout_s: float = 30.0) -> None:
    wait_until(lambda: client.llen("poll") == 0, timeout_s=timeout_s, what="empty poll queue")
    time.sleep(0.3)


@contextlib.contextmanager
def worker_process(
    *, pool: str, concurrency: int, redis_url: str, entries: list[dict[str, Any]], tmp: Path,
    app: Any, interval_s: float = INTERVAL_S,
) -> Iterator[AlertsProcess]:  # fmt: skip
    """A real `alerts worker` on the private Redis, answering pings; stopped on exit."""
    env = {
        "ALERTS_REDIS_URL": redis_url,
        "ALERTS_WORKER_POOL": pool,
        "ALERTS_WORKER_CONCURRENCY": str(concurrency),
        "ALERTS_PER_HOST_CONCURRENCY": str(PER_HOST_CONCURRENCY),
        "ALERTS_POLL_INTERVAL_SECONDS": str(int(interval_s)),
        "ALERTS_LOG_LEVEL": "WARNING",
        "ALERTS_LOG_FORMAT": "json",
        "ALERTS_DATA_DIR": str(tmp / "data"),
    }
    sources_json = json.dumps(entries, separators=(",", ":"))
    workdir = tmp / f"worker-{pool}"
    workdir.mkdir(exist_ok=True)
    if len(sources_json) < ENV_LIMIT:
        env["ALERTS_SOURCES"] = sources_json
    else:  # too long for one environment string: the documented .env file instead
        (workdir / ".env").write_text(f"ALERTS_SOURCES='{sources_json}'\n")
    worker = AlertsProcess(["worker"], env=env, cwd=workdir, log=workdir / "worker.log")
    try:
        wait_until(
            lambda: worker.proc.poll() is not None or bool(app.control.ping(timeout=0.5)),
            timeout_s=60,
            what="the worker to answer a ping",
            interval_s=0.2,
        )
        if worker.proc.poll() is not None:
            raise RuntimeError(f"worker exited: {worker.text()[-2000:]}")
        yield worker
    finally:
        worker.stop()
        worker.kill_group()


def bench_celery(
    *,
    pool: str,
    concurrency: int,
    redis_url: str,
    entries: list[dict[str, Any]],
    tmp: Path,
    meter: Meter,
    cycles: int,
    timeout_s: float,
    profile_dir: Path | None,
) -> list[Row]:
    from workers.app import configure

    client = redis.Redis.from_url(redis_url)
    client.flushall()
    names = [e["name"] for e in entries]
    settings = bench_settings(redis_url, entries, tmp / "data")
    # Sync the due set as the first dispatch would (same specs, same digest) but with every
    # source far in the future, so nothing is polled until a cycle makes them all due.
    specs = source_specs(entries, default_interval_s=INTERVAL_S, fast_interval_s=INTERVAL_S)
    PollSchedule(client).sync(specs, now=time.time())
    client.zadd(Keys().poll_due(), dict.fromkeys(names, time.time() + 10 * INTERVAL_S))
    app = configure(settings, redis_url=redis_url)
    results: list[Cycle] = []
    code: int | None = None
    try:
        with worker_process(pool=pool, concurrency=concurrency, redis_url=redis_url,
                            entries=entries, tmp=tmp, app=app) as worker:  # fmt: skip
            app.send_task("alerts.dispatch_polls", queue="poll", expires=DISPATCH_EXPIRES_S)
            queue_idle(client)
            for n in range(cycles):
                since = datetime.now(UTC)
                out = (profile_dir / f"{pool}-c{concurrency}-cycle{n + 1}.txt"
                       if profile_dir else None)  # fmt: skip
                with profiler(out, worker.proc.pid):
                    cycle, (done, own) = meter.measure(
                        worker.proc.pid, lambda: celery_cycle(client, app, names, timeout_s)
                    )
                cycle.usage["redis_cmds"] -= own
                polled, errors = polled_since(client, names, since)
                if done < len(names) or polled < len(names):
                    cycle.statuses["unfinished"] = len(names) - min(done, polled)
                if errors:
                    cycle.statuses["errors"] = errors
                results.append(cycle)
                queue_idle(client)
        code = worker.proc.returncode
    finally:
        client.close()
    label = f"ours: worker {pool} c={concurrency}"
    return cold_and_warm(label, results, len(names), f"exit {code}")


@dataclass
class Steady:
    """Polls a second at a real interval, against the rate the interval promises."""

    feeds: int
    interval_s: float
    seconds: float
    polls: int

    @property
    def rate(self) -> float:
        return self.polls / self.seconds

    @property
    def ideal(self) -> float:
        return self.feeds / self.interval_s


def bench_steady(
    *,
    pool: str,
    concurrency: int,
    redis_url: str,
    entries: list[dict[str, Any]],
    tmp: Path,
    server: FeedServer,
    interval_s: float,
    seconds: float,
    timeout_s: float,
) -> Steady:
    """Every source at `interval_s`, dispatched as often as beat dispatches: polls a second.

    A cold pass first fetches every feed once (their 200s are not counted); then the sources
    are made due at evenly spread times over one interval and the feed server's answers are
    counted over whole intervals after one more, so the count is feeds/interval a second
    exactly when each source's mean interval is the configured one. Waiting for the
    dispatcher's tick on top of every interval made it fewer (issue 13: 193 instead of 200).
    """
    from workers.app import configure
    from workers.schedule import DISPATCH_INTERVAL_S

    client = redis.Redis.from_url(redis_url)
    client.flushall()
    steady = [{**e, "interval_seconds": interval_s} for e in entries]
    names = [e["name"] for e in steady]
    due = Keys().poll_due()
    specs = source_specs(steady, default_interval_s=interval_s, fast_interval_s=interval_s)
    PollSchedule(client).sync(specs, now=time.time())  # the worker's digest: no re-spread
    client.zadd(due, dict.fromkeys(names, time.time() + 10 * INTERVAL_S))
    app = configure(bench_settings(redis_url, steady, tmp / "data"), redis_url=redis_url)

    def dispatch_until(stop: Callable[[], bool], deadline: float) -> None:
        next_dispatch = time.monotonic()
        while not stop() and time.monotonic() < deadline:
            app.send_task("alerts.dispatch_polls", queue="poll", expires=DISPATCH_EXPIRES_S)
            next_dispatch += DISPATCH_INTERVAL_S
            time.sleep(max(0.0, next_dispatch - time.monotonic()))

    try:
        with worker_process(pool=pool, concurrency=concurrency, redis_url=redis_url,
                            entries=steady, tmp=tmp, app=app, interval_s=interval_s):  # fmt: skip
            since = datetime.now(UTC)
            client.zadd(due, dict.fromkeys(names, time.time()))
            cold_deadline = time.monotonic() + timeout_s
            dispatch_until(lambda: polled_since(client, names, since)[0] >= len(names),
                           cold_deadline)  # fmt: skip
            client.zadd(due, dict.fromkeys(names, time.time() + 10 * INTERVAL_S))
            queue_idle(client)
            time.sleep(1.0)  # polls handed to fetch threads settle
            whole = max(1, round(seconds / interval_s)) * interval_s
            start = time.time()
            spread = {n: start + interval_s * i / len(names) for i, n in enumerate(names)}
            client.zadd(due, spread)
            count_at = time.monotonic() + interval_s
            dispatch_until(lambda: time.monotonic() >= count_at, count_at + 1)
            before = server.statuses()
            dispatch_until(lambda: time.monotonic() >= count_at + whole, count_at + whole + 1)
            after = server.statuses()
    finally:
        client.close()
    polls = sum(n for k, n in delta(after, before).items() if k != NEW_CONNECTION)
    return Steady(len(entries), interval_s, whole, polls)


# --- report ----------------------------------------------------------------------------------


def format_statuses(statuses: Counter[int | str]) -> str:
    """`200:1000 304:0 new-conn:12`: key 0 is the count of new TCP connections (nginx)."""
    shown = sorted(statuses.items(), key=lambda kv: (kv[0] == NEW_CONNECTION, str(kv[0])))
    return " ".join(f"{'new-conn' if k == NEW_CONNECTION else k}:{v}" for k, v in shown)


def print_table(rows: list[Row], reader: dict[str, Row]) -> None:
    header = (
        f"{'phase':<5} {'who':<37} {'cycle s (each)':<14} {'polls/s':>8} {'vs reader':>9} "
        f"{'CPU ms/poll: client redis server':>33} {'redis cmd/poll':>14}  statuses; notes"
    )
    print(header)
    print("-" * len(header))
    for row in sorted(rows, key=lambda r: (r.phase, r.label)):
        base = reader[row.phase]
        each = " ".join(f"{s:.2f}" for s in row.seconds)
        ratio = f"{row.rate / base.rate:.1f}x" if base.rate else "n/a"
        cpu = " ".join(
            f"{row.per_poll(k) * 1000:>6.2f}" for k in ("cpu_client", "cpu_redis", "cpu_server")
        )
        print(
            f"{row.phase:<5} {row.label:<37} {each:<14} {row.rate:>8,.0f} {ratio:>9} "
            f"{cpu:>33} {row.per_poll('redis_cmds'):>14.1f}  "
            f"{format_statuses(row.statuses)}; {row.note}"
        )
    print(
        "polls/s: best cycle of the phase (warm = every cycle after the first). CPU: user+sys of "
        "the polling process tree (bench process for reader/core rows, worker + pool children "
        "for worker rows), redis-server, and the feed server, per poll."
    )


def print_redis_mix(rows: list[Row]) -> None:
    """Which Redis commands each warm poll costs, per row (our rows only)."""
    print("redis commands per poll, warm cycles:")
    for row in sorted(rows, key=lambda r: r.label):
        if row.phase != "warm" or not row.label.startswith("ours"):
            continue
        mix = {k.removeprefix("cmd:"): row.per_poll(k) for k in row.cycles[0].usage if
               k.startswith("cmd:") and k not in {"cmd:info", "cmd:zcount"}}  # fmt: skip
        shown = " ".join(f"{k}={v:.2f}" for k, v in sorted(mix.items(), key=lambda kv: -kv[1])
                         if v >= 0.05)  # fmt: skip
        print(f"  {row.label:<37} {shown}")


def print_verdict(rows: list[Row], reader: dict[str, Row], feeds: int) -> None:
    for row in rows:
        if row.label.startswith("ours: worker") and row.phase == "warm":
            base = reader["warm"].rate
            versus = (
                f"{row.rate / base:.1f}x reader warm "
                f"({'meets' if row.rate >= 10 * base else 'misses'} 10x)"
                if base
                else "reader skipped"
            )
            print(
                f"target [{row.label}]: warm cycle of {feeds} feeds {row.best:.2f} s "
                f"({'under' if row.best < 5 else 'NOT under'} 5 s), {versus}"
            )
            mine, theirs = (
                statistics.median(row.seconds),
                statistics.median(reader["warm"].seconds or [0.0]),
            )
            if mine and theirs:
                print(
                    f"  median warm cycle {mine:.2f} s vs reader's {theirs:.2f} s: "
                    f"{theirs / mine:.1f}x (best against best is the figure above)"
                )


def print_steady(steady: dict[str, Steady]) -> None:
    for pool, result in steady.items():
        mean = f"{result.feeds / result.rate:.2f} s" if result.rate else "n/a"
        print(
            f"steady [worker {pool}]: {result.feeds} feeds every {result.interval_s:g} s: "
            f"{result.rate:.1f} polls/s over {result.seconds:.0f} s, "
            f"{result.rate / result.ideal:.1%} of the {result.ideal:.0f}/s the interval "
            f"promises (mean interval {mean})"
        )


def machine_facts() -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"nproc={os.cpu_count()} python={platform.python_version()} "
        f"platform={platform.platform()} loadavg={load}"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument(
        "--workers-concurrency", type=int, default=None,
        help="worker concurrency (default: 2 for prefork, 16 for threads)",
    )  # fmt: skip
    parser.add_argument("--pool", choices=["prefork", "threads", "both"], default="both")
    parser.add_argument("--warm-cycles", type=int, default=2)
    parser.add_argument("--reader-workers", type=int, default=8)
    parser.add_argument("--core-threads", type=int, default=8)
    parser.add_argument("--core-procs", type=int, default=2, help="0 skips the forked variant")
    parser.add_argument("--server", choices=["nginx", "python"], default="nginx")
    parser.add_argument("--cycle-timeout", type=float, default=300.0)
    parser.add_argument("--skip-reader", action="store_true", help="ratios become n/a")
    parser.add_argument("--skip-core", action="store_true", help="skip the Celery-free rows")
    parser.add_argument("--profile-dir", type=Path, default=None, help="py-spy raw stacks here")
    parser.add_argument(
        "--steady-seconds",
        type=float,
        default=0.0,
        help="also measure polls/s with every feed at --steady-interval",
    )
    parser.add_argument("--steady-interval", type=float, default=5.0)
    parser.add_argument(
        "--steady-only",
        action="store_true",
        help="only the steady measurement (60 s unless --steady-seconds)",
    )
    args = parser.parse_args(argv)
    if args.steady_only:
        args.skip_reader = args.skip_core = True
        args.steady_seconds = args.steady_seconds or 60.0
    if not 1 <= args.feeds <= 20_000 or not 1 <= args.items <= 1_000:
        parser.error("--feeds must be 1..20000 and --items 1..1000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print("machine:", machine_facts())
    pools = ["prefork", "threads"] if args.pool == "both" else [args.pool]
    tmp = Path(tempfile.mkdtemp(prefix="bench-polling-"))
    embedded = None
    failures: list[str] = []
    try:
        started = time.perf_counter()
        paths = write_feeds(tmp / "www", args.feeds, args.items)
        sizes = [(tmp / "www" / p.lstrip("/")).stat().st_size for p in paths]
        print(
            f"feeds: {args.feeds} x {args.items} items, {statistics.mean(sizes) / 1024:.1f} KiB "
            f"mean ({min(sizes) / 1024:.1f}-{max(sizes) / 1024:.1f}), generated in "
            f"{time.perf_counter() - started:.1f} s"
        )
        embedded = start_embedded(tmp / "redis", appendonly=False)
        print(f"redis: {embedded.binary} ({embedded.url}), AOF off")
        with serve_feeds(tmp / "www", tmp / "nginx", prefer=args.server) as server:
            print(f"feed server: {server.kind} at {server.base_url}")
            entries = source_entries(server.base_url, paths)
            urls = [e["url"] for e in entries]
            cycles = 1 + args.warm_cycles
            rows: list[Row] = []
            common = {"redis_url": embedded.url, "entries": entries, "data_dir": tmp / "data"}
            control = redis.Redis.from_url(embedded.url)
            control.flushall()
            meter = Meter(server, control, embedded.process.pid)
            if not args.skip_core:
                rows += bench_core(
                    "ours: core only, threads", procs=1, threads=args.core_threads,
                    cycles=cycles, meter=meter, **common,
                )  # fmt: skip
            if not args.skip_core and args.core_procs > 1:
                rows += bench_core(
                    "ours: core only, forked procs", procs=args.core_procs,
                    threads=max(1, args.core_threads // args.core_procs),
                    cycles=cycles, meter=meter, **common,
                )  # fmt: skip
            if args.skip_reader:
                none = [Cycle(float("inf"), Counter(), Counter())]
                reader = {p: Row("reader (skipped)", p, none, 0) for p in ("cold", "warm")}
            else:
                cold, warm = bench_reader(
                    urls, tmp / "reader.sqlite", meter, args.reader_workers, args.warm_cycles
                )
                reader = {"cold": cold, "warm": warm}
                rows += [cold, warm]
            if args.profile_dir:
                args.profile_dir.mkdir(parents=True, exist_ok=True)
            steady: dict[str, Steady] = {}
            for pool in pools:
                concurrency = args.workers_concurrency or (2 if pool == "prefork" else 16)
                try:
                    if not args.steady_only:
                        rows += bench_celery(
                            pool=pool, concurrency=concurrency, redis_url=embedded.url,
                            entries=entries, tmp=tmp, meter=meter, cycles=cycles,
                            timeout_s=args.cycle_timeout, profile_dir=args.profile_dir,
                        )  # fmt: skip
                    if args.steady_seconds > 0:
                        steady[pool] = bench_steady(
                            pool=pool, concurrency=concurrency, redis_url=embedded.url,
                            entries=entries, tmp=tmp, server=server,
                            interval_s=args.steady_interval, seconds=args.steady_seconds,
                            timeout_s=args.cycle_timeout,
                        )  # fmt: skip
                except (RuntimeError, TimeoutError) as exc:
                    failures.append(f"worker {pool}: {exc}")
            control.close()
            print(f"feed server: {server.kind}; totals {format_statuses(server.statuses())}")
        print()
        if not args.steady_only:
            print_table(rows, reader)
            print_redis_mix(rows)
            print_verdict(rows, reader, args.feeds)
        print_steady(steady)
        print(f"total run time {time.perf_counter() - started:.0f} s")
        for failure in failures:
            print(f"FAILED {failure}", file=sys.stderr)
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
