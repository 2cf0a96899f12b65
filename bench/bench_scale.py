"""Ten thousand sources on one machine: the real service at its configured rate, and its costs.

Usage:
    python bench/bench_scale.py [--sources 10000] [--interval 10] [--workers 2]
                                [--seconds 60] [--items 20] [--hosts N] [--launches 30]
                                [--changed-fraction 0.1] [--reader-feeds 1000]
                                [--mode split|run] [--log-level INFO] [--env KEY=VALUE ...]
                                [--json out.json] [--cap 900]

Runs, all on loopback:

* N RSS 2.0 feeds (bench/polling_server.write_feeds, --items each) served by nginx on
  127.0.0.1 (ETag / Last-Modified, 304 to conditional GETs; its open-file cache off so a
  rewritten feed is served at once), reached through --hosts distinct host names
  `hNNNNN.localhost` (RFC 6761: libcurl resolves `*.localhost` to loopback itself; reader's
  process maps them to 127.0.0.1), so per-host slots and connections behave as with many
  publishers, not one;
* --latency-feeds more feeds (default 100) on bench_latency's TimedFeedServer, which stamps
  when each poll was answered and which version of its feed it got, and a webhook receiver
  stamping arrivals: launch reports planted there measure the alert latency beyond the wait
  for the next poll (as bench/bench_latency.py does);
* a real Redis (alerts.embedded, the product's AOF everysec; --no-aof to drop it) and the real
  service against it: `alerts worker` (ALERTS_WORKER_CONCURRENCY=--workers) and `alerts beat`
  (--mode split, the compose layout) or `alerts run` (--mode run), with ALERTS_SOURCES the
  path of a JSON file of the N + latency sources, every one at --interval.

Phases, each bounded in time:

1. baseline: lemon24's reader in a separate process polls --reader-feeds of the same nginx
   feeds (cold: every feed new, then warm: every answer a 304), --reader-workers threads;
   its cycle time and CPU per poll are the baseline of the same run.
2. cold pass: the service polls every source for the first time (every item new: parsed,
   classified, remembered). Redis memory is read before and after.
3. window A (--seconds, rounded to whole intervals): unchanged feeds only (304s), and
   --launches launch reports planted at random moments in random latency feeds. Measured:
   polls answered against N/interval, CPU of each process, Redis commands (INFO
   commandstats), sources overdue by more than 1 s, queue depths, and per launch: publish →
   poll answered (wait) → webhook arrival.
4. window B (half as long, whole intervals too; skipped with --changed-fraction 0): each
   interval that fraction of the nginx feeds gains one new item (the oldest drops out), so
   that share of polls is a 200 whose one item is new. Costs per unchanged and per changed
   poll come from solving the two windows' totals (two equations, two unknowns).
5. memory calibration (service stopped), each in a fresh Redis: bytes per item that the
   product's EventStore.remember writes with a short seen index (listpack, 20 items a source)
   and a long one (skiplist, 1,000), and in the layout docs/capacity.md proposes (a hash of
   seen values a source); the per-source cost is what the cold pass added beyond its items.

The machine has 2 cores shared by the service, Redis, nginx and this harness (its own CPU is
printed too): read the ratios to the same-run reader baseline and the per-poll costs, which
do not depend on how busy the machine was, before the absolute rates. Every request goes to
127.0.0.1 (or a `*.localhost` name of it); every wait is bounded; --cap bounds the whole run.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import os
import random
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import polling_server  # noqa: E402
import redis  # noqa: E402
from bench_latency import (  # noqa: E402
    Launch,
    RunResult,
    TimedFeedServer,
    TimedReceiver,
    drive,
    filler,
    latencies,
    pct,
    plan_launches,
    poll_gaps,
    stage_times,
)
from bench_latency import feed_path as latency_path  # noqa: E402
from bench_polling import machine_facts, tree_cpu_s  # noqa: E402
from launch_plan import MAX_ITEM_AGE_S, MAX_LAUNCHES  # noqa: E402
from polling_server import NEW_CONNECTION, FeedServer, feed_path, serve_feeds, write_feeds  # noqa: E402

from alerts.embedded import EmbeddedRedis, start_embedded  # noqa: E402
from alerts.events.keys import Keys  # noqa: E402
from alerts.events.store import EventStore  # noqa: E402
from alerts.models import Item  # noqa: E402
from tests.support.feeds import rss  # noqa: E402
from tests.support.processes import AlertsProcess, wait_until  # noqa: E402

AIM_RATE = 0.98  # of the configured polls a second
AIM_OVERHEAD_P99_S = 0.100
MONITOR_EVERY_S = 0.5
OVERDUE_S = 1.0  # a source due longer ago than this and still not claimed is late
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
REDIS_MAXMEMORY = "8gb"  # the bench must not hit it; the memory figures say what is needed
# The cold pass of the bench feeds has ~0.2% launch titles, all of North Korean launches (bench/
# polling_server.py); a planted North Korean launch could join their event and send no `new`.
COLD_PASS_LAUNCHER = "KP"

# nginx from polling_server, with its open-file cache off (a cached descriptor serves a
# rewritten feed's old content for up to a minute), room for every poller's keep-alive
# connections, and the descriptors they need.
_NGINX_EDITS = {
    "open_file_cache max=10000 inactive=120s;": "open_file_cache off;",
    "worker_connections 1024;": "worker_connections 16384;",
    "worker_processes 1;": "worker_processes 1;\nworker_rlimit_nofile 65536;",
}


def patch_nginx_conf() -> None:
    conf = polling_server._NGINX_CONF
    for old, new in _NGINX_EDITS.items():
        if old not in conf:
            raise RuntimeError(f"bench/polling_server.py's nginx config no longer has {old!r}")
        conf = conf.replace(old, new)
    polling_server._NGINX_CONF = conf


# --- the sources -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where every source is: nginx feeds by index, latency feeds by index."""

    nginx_count: int
    nginx_port: int
    hosts: int
    latency_count: int
    latency_port: int

    def nginx_url(self, i: int) -> str:
        return f"http://h{i % self.hosts:05d}.localhost:{self.nginx_port}{feed_path(i)}"

    def latency_url(self, j: int) -> str:
        return f"http://l{j:04d}.localhost:{self.latency_port}{latency_path(j)}"

    def entries(self, interval_s: float) -> list[dict[str, Any]]:
        nginx = [
            {"name": f"n{i:05d}", "url": self.nginx_url(i), "interval_seconds": interval_s}
            for i in range(self.nginx_count)
        ]
        timed = [
            {"name": f"l{j:04d}", "url": self.latency_url(j), "interval_seconds": interval_s}
            for j in range(self.latency_count)
        ]
        return nginx + timed

    @property
    def total(self) -> int:
        return self.nginx_count + self.latency_count


def with_new_item(doc: bytes, serial: int, now: datetime) -> bytes:
    """The feed with one new item on top and its oldest item gone (a feed as it moves on)."""
    first, last, end = doc.find(b"<item>"), doc.rfind(b"<item>"), doc.rfind(b"</channel>")
    if first < 0 or end < 0:
        return doc
    title = f"Update {serial}: officials comment on the week's talks"
    item = (
        f"<item><title>{escape(title)}</title>"
        f"<link>https://updates.example.com/{serial}.html</link>"
        f'<guid isPermaLink="false">update-{serial}</guid>'
        f"<pubDate>{format_datetime(now)}</pubDate>"
        f"<description>{escape('<p>Talks went on.</p>')}</description></item>\n"
    ).encode()
    return doc[:first] + item + doc[first:last] + doc[end:]


class FeedChanger:
    """Each interval, `fraction` of the nginx feeds gain one item, spread over the interval.

    Files are replaced by rename, so nginx serves either version whole, never a mix.
    """

    def __init__(self, root: Path, count: int, fraction: float, interval_s: float) -> None:
        self._root, self._count = root, count
        self._per_interval = max(1, round(count * fraction)) if fraction > 0 else 0
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feed-changer", daemon=True)
        self.changed = 0

    def __enter__(self) -> FeedChanger:
        if self._per_interval:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    def _run(self) -> None:
        rng = random.Random(5)
        step_s = 0.1
        per_step = self._per_interval * step_s / self._interval_s
        owed = 0.0
        while not self._stop.wait(step_s):
            owed += per_step
            while owed >= 1 and not self._stop.is_set():
                owed -= 1
                self._change(rng.randrange(self._count))

    def _change(self, index: int) -> None:
        path = self._root / feed_path(index).lstrip("/")
        self.changed += 1
        fresh = with_new_item(path.read_bytes(), self.changed, datetime.now(UTC))
        temp = path.with_suffix(".tmp")
        temp.write_bytes(fresh)
        os.replace(temp, path)


# --- the reader baseline ---------------------------------------------------------------------


@dataclass
class ReaderCycle:
    seconds: float
    cpu_s: float
    errors: int


@dataclass
class ReaderResult:
    feeds: int
    workers: int
    cycles: list[ReaderCycle] = field(default_factory=list)
    note: str = ""

    def cpu_ms(self, n: int) -> float:
        return self.cycles[n].cpu_s / self.feeds * 1000 if len(self.cycles) > n else float("nan")

    def rate(self, n: int) -> float:
        return self.feeds / self.cycles[n].seconds if len(self.cycles) > n else float("nan")


def _localhost_names_to_loopback() -> None:
    """As libcurl does (RFC 6761): any `*.localhost` name is the loopback address."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]


def _reader_child(urls: list[str], db: str, workers: int, cycles: int, out: Connection) -> None:
    """In a process of its own, so its CPU is its own: add the feeds, update them `cycles`
    times, send (seconds, CPU seconds, errors) of each cycle."""
    _localhost_names_to_loopback()
    from reader import make_reader

    rd = make_reader(db)
    for url in urls:
        rd.add_feed(url)
    for _ in range(cycles):
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        results = list(rd.update_feeds_iter(scheduled=False, workers=workers))
        elapsed = time.perf_counter() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        errors = sum(isinstance(r.value, Exception) for r in results)
        out.send((elapsed, cpu, errors))
    rd.close()
    out.close()


def reader_baseline(
    urls: list[str], tmp: Path, workers: int, cycles: int, timeout_s: float
) -> ReaderResult:
    result = ReaderResult(len(urls), workers)
    if not urls:
        result.note = "skipped"
        return result
    ctx = get_context("fork")  # before any thread of ours exists
    theirs, ours = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_reader_child,
        args=(urls, str(tmp / "reader.sqlite"), workers, cycles, ours),
        daemon=True,
    )
    child.start()
    ours.close()
    deadline = time.monotonic() + timeout_s
    try:
        while len(result.cycles) < cycles:
            if not theirs.poll(max(0.0, deadline - time.monotonic())):
                result.note = f"stopped after {timeout_s:.0f} s"
                break
            seconds, cpu, errors = theirs.recv()
            result.cycles.append(ReaderCycle(seconds, cpu, errors))
    except EOFError:
        result.note = f"reader exited early ({child.exitcode})"
    finally:
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join(5)
    return result


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Snapshot:
    wall: float
    cpu: dict[str, float]
    commands: Counter[str]
    nginx: Counter[int]
    timed_polls: int
    used_memory: int
    own: Counter[str]  # Redis commands this harness sent (the monitor's), by name


@dataclass
class Monitor:
    """Samples, every MONITOR_EVERY_S, sources overdue by more than OVERDUE_S and queue depths."""

    client: redis.Redis
    due_key: str
    samples: list[tuple[float, int, int, int]] = field(default_factory=list)
    sent: Counter[str] = field(default_factory=Counter)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(MONITOR_EVERY_S):
            now = time.time()
            pipe = self.client.pipeline(transaction=False)
            pipe.zcount(self.due_key, "-inf", now - OVERDUE_S)
            pipe.llen("poll")
            pipe.llen("deliver")
            with contextlib.suppress(redis.RedisError):
                overdue, poll, deliver = pipe.execute()
                with self._lock:
                    self.samples.append((now, int(overdue), int(poll), int(deliver)))
                    self.sent.update({"zcount": 1, "llen": 2})

    def own(self) -> Counter[str]:
        with self._lock:
            return Counter(self.sent)

    def between(self, start: float, end: float) -> list[tuple[float, int, int, int]]:
        with self._lock:
            return [s for s in self.samples if start <= s[0] <= end]


@dataclass
class Probe:
    """Everything a window needs at its two ends."""

    client: redis.Redis
    pids: dict[str, int]  # role -> root pid (its whole process tree is counted)
    nginx: FeedServer
    timed: TimedFeedServer
    monitor: Monitor

    def snapshot(self) -> Snapshot:
        cpu = {role: tree_cpu_s(pid) for role, pid in self.pids.items()}
        mine = os.times()
        cpu["harness"] = mine.user + mine.system  # this process only, all its threads
        stats = self.client.info("commandstats")
        commands = Counter({k.removeprefix("cmdstat_"): v["calls"] for k, v in stats.items()})
        memory = int(self.client.info("memory")["used_memory"])
        timed = sum(len(v) for v in self.timed.served.values())
        return Snapshot(
            time.time(), cpu, commands, self.nginx.statuses(), timed, memory, self.monitor.own()
        )


@dataclass
class Window:
    """What happened between two snapshots."""

    name: str
    seconds: float
    configured_rate: float
    polls: int
    changed: int  # 200s with new content
    errors: int  # answers other than 200/304
    new_connections: int
    cpu_s: dict[str, float]
    commands: Counter[str]
    used_memory: int
    load: float = 0.0  # the machine's 1-minute load average at the window's end
    overdue_max: int = 0
    overdue_mean: float = 0.0
    poll_queue_max: int = 0
    deliver_queue_max: int = 0

    @property
    def rate(self) -> float:
        return self.polls / self.seconds if self.seconds else 0.0

    @property
    def held(self) -> float:
        return self.rate / self.configured_rate if self.configured_rate else 0.0

    @property
    def redis_commands(self) -> int:
        return sum(self.commands.values())

    def per_poll_ms(self, role: str) -> float:
        return self.cpu_s.get(role, 0.0) / self.polls * 1000 if self.polls else float("nan")


def window(
    name: str,
    after: Snapshot,
    before: Snapshot,
    configured_rate: float,
    timed_changed: int,
    monitor: Monitor,
) -> Window:
    """The window between two snapshots; `timed_changed` latency-feed polls were 200s."""
    nginx = Counter({k: after.nginx[k] - before.nginx.get(k, 0) for k in after.nginx})
    served = sum(n for status, n in nginx.items() if status != NEW_CONNECTION)
    timed_polls = after.timed_polls - before.timed_polls
    commands = Counter(
        {k: after.commands[k] - before.commands.get(k, 0) for k in after.commands if k != "info"}
    )
    commands.subtract(after.own - before.own)
    commands = +commands  # drop what was only the monitor's
    samples = monitor.between(before.wall, after.wall)
    result = Window(
        name=name,
        seconds=after.wall - before.wall,
        configured_rate=configured_rate,
        polls=served + timed_polls,
        changed=nginx.get(200, 0) + timed_changed,
        errors=sum(n for s, n in nginx.items() if s not in {200, 304, NEW_CONNECTION}),
        new_connections=nginx.get(NEW_CONNECTION, 0),
        cpu_s={k: after.cpu.get(k, 0.0) - before.cpu.get(k, 0.0) for k in after.cpu},
        commands=commands,
        used_memory=after.used_memory,
        load=os.getloadavg()[0],
    )
    if samples:
        result.overdue_max = max(s[1] for s in samples)
        result.overdue_mean = statistics.mean(s[1] for s in samples)
        result.poll_queue_max = max(s[2] for s in samples)
        result.deliver_queue_max = max(s[3] for s in samples)
    return result


def split_costs(
    a: Window, b: Window | None, value: Callable[[Window], float]
) -> tuple[float, float]:
    """(cost of an unchanged poll, cost of a changed poll) from two windows' totals:
    value = unchanged * c304 + changed * c200 in each. Without a second window, every poll
    of the first is taken as unchanged (its changed share is the few planted launches)."""
    if b is None or b.changed == 0:
        return (value(a) / a.polls if a.polls else float("nan"), float("nan"))
    a1, b1, y1 = a.polls - a.changed, a.changed, value(a)
    a2, b2, y2 = b.polls - b.changed, b.changed, value(b)
    det = a1 * b2 - a2 * b1
    if abs(det) < 1e-9:
        return (float("nan"), float("nan"))
    return ((y1 * b2 - y2 * b1) / det, (a1 * y2 - a2 * y1) / det)


# --- memory ----------------------------------------------------------------------------------


def count_keys(client: redis.Redis, match: str) -> int:
    return sum(1 for _ in client.scan_iter(match=match, count=2000))


def bytes_per_item(tmp: Path, *, sources: int, per_source: int) -> float:
    """used_memory added per seen item that the product's own EventStore.remember writes,
    `per_source` items for each of `sources` sources, in a fresh Redis of its own (in the
    service's Redis a fill crossing a power of two doubles the key tables and reads as
    hundreds of bytes an item). Amortised over the fill: tables, key, value, TTL, index."""
    server = start_embedded(tmp, appendonly=False, maxmemory="2gb")
    client = redis.Redis.from_url(server.url)
    try:
        store = EventStore(client, seen_ttl_s=14 * 86400, max_seen_per_source=per_source)
        before = int(client.info("memory")["used_memory"])
        for s in range(sources):
            source = f"calibration-{s:05d}"
            items = [
                Item(f"https://calibration.example/{s}/{n}", source, "t") for n in range(per_source)
            ]
            store.remember([(item, "not_launch|0123456789abcdef") for item in items])
        after = int(client.info("memory")["used_memory"])
    finally:
        client.close()
        server.stop()
    return (after - before) / (sources * per_source)


def bytes_per_item_hashed(tmp: Path, *, sources: int, per_source: int) -> float:
    """The same items in the layout docs/capacity.md proposes: a source's seen values as
    fields of one hash (no key, no TTL of their own), its index as today. Raw commands, not
    product code: evidence for the proposal only."""
    server = start_embedded(tmp, appendonly=False, maxmemory="2gb")
    client = redis.Redis.from_url(server.url)
    try:
        before = int(client.info("memory")["used_memory"])
        for s in range(sources):
            members = [
                Keys.seen_member(f"calibration-{s:05d}", f"item-{n}") for n in range(per_source)
            ]
            pipe = client.pipeline(transaction=False)
            pipe.hset(
                f"seen-hash:{s}", mapping=dict.fromkeys(members, "not_launch|0123456789abcdef")
            )
            pipe.expire(f"seen-hash:{s}", 14 * 86400)
            pipe.zadd(f"seen-index:{s}", {m: time.time() * 1e6 + n for n, m in enumerate(members)})
            pipe.expire(f"seen-index:{s}", 14 * 86400)
            pipe.execute()
        after = int(client.info("memory")["used_memory"])
    finally:
        client.close()
        server.stop()
    return (after - before) / (sources * per_source)


# --- the service -----------------------------------------------------------------------------


def service_env(
    args: argparse.Namespace, redis_url: str, sources_file: Path, tmp: Path, hook: str
) -> dict[str, str]:
    env = {
        "ALERTS_REDIS_URL": redis_url,
        "ALERTS_DATA_DIR": str(tmp / "data"),
        "ALERTS_SOURCES": str(sources_file),
        "ALERTS_POLL_INTERVAL_SECONDS": str(args.interval),
        "ALERTS_WEBHOOK_URLS": json.dumps([hook]),
        "ALERTS_MAX_ITEM_AGE_SECONDS": str(MAX_ITEM_AGE_S),
        "ALERTS_WORKER_CONCURRENCY": str(args.workers),
        "ALERTS_LOG_LEVEL": args.log_level,
        "ALERTS_LOG_FORMAT": "json",
        "ALERTS_WEB_PORT": str(polling_server.free_port()),
    }
    for pair in args.env:
        key, _, value = pair.partition("=")
        env[key] = value
    return env


@contextlib.contextmanager
def service(
    args: argparse.Namespace, env: dict[str, str], tmp: Path
) -> Iterator[dict[str, AlertsProcess]]:
    """`alerts worker` + `alerts beat` (split) or `alerts run`, stopped on exit."""
    roles = {"worker": ["worker"], "beat": ["beat"]} if args.mode == "split" else {"run": ["run"]}
    processes: dict[str, AlertsProcess] = {}
    try:
        for role, argv in roles.items():
            processes[role] = AlertsProcess(argv, env=env, cwd=tmp, log=tmp / f"{role}.log")
        yield processes
    finally:
        for process in reversed(list(processes.values())):
            process.stop(timeout_s=STOP_TIMEOUT_S)
            process.kill_group()


def dead(processes: dict[str, AlertsProcess]) -> list[str]:
    return [role for role, p in processes.items() if p.proc.poll() is not None]


def log_tail(process: AlertsProcess, lines: int = 20) -> str:
    return "\n".join(process.text().splitlines()[-lines:])


_STAGE_EVENTS = ('"detect.launch"', '"alert.fanned_out"', '"delivery.sent"')


def stage_events(processes: dict[str, AlertsProcess]) -> list[dict[str, Any]]:
    """The log lines bench_latency's stage split reads (the rest, a line a poll, skipped)."""
    events = []
    for process in processes.values():
        for line in process.text().splitlines():
            if line.startswith("{") and any(e in line for e in _STAGE_EVENTS):
                with contextlib.suppress(json.JSONDecodeError):
                    events.append(json.loads(line))
    return events


# --- launches --------------------------------------------------------------------------------


def plan(count: int, span_s: float, feeds: list[int], rng: random.Random) -> list[Launch]:
    """`count` distinct launch events (bench/launch_plan.py), none by the cold pass's launcher."""
    for total in range(count, MAX_LAUNCHES + 1):
        kept = [
            x
            for x in plan_launches(total, span_s, feeds, [], rng, "scale")
            if x.code != COLD_PASS_LAUNCHER
        ]
        if len(kept) >= count:
            return kept[:count]
    raise ValueError(f"at most {MAX_LAUNCHES} launches with the cold pass's launcher left out")


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Measured:
    """Everything the report prints."""

    configured: float
    sources: int
    roles: list[str]
    cold: Window
    cold_complete: bool
    items: int
    memory_empty: int
    memory_cold: int
    memory_end: int
    win_a: Window
    win_b: Window | None
    launches: list[Launch]
    lat: dict[str, list[float]]
    gaps: list[float]
    stages: dict[str, list[float]]
    notes: list[str]


@dataclass
class Peers:
    """What the service polls and reports to, and the Redis it runs on."""

    tmp: Path
    nginx: FeedServer
    timed: TimedFeedServer
    receiver: TimedReceiver
    embedded: EmbeddedRedis
    client: redis.Redis


def whole_intervals(seconds: float, interval_s: float) -> float:
    """The window rounded to whole intervals: each source is polled once an interval, so only
    a whole number of them counts every source alike (sources' phases are not uniform after
    the cold pass: a window of 1.5 intervals read 109% one run)."""
    return max(1, round(seconds / interval_s)) * interval_s


def run_service(args: argparse.Namespace, peers: Peers, cap_at: float) -> Measured:
    """Cold pass, window A (unchanged, launches planted), window B (changed)."""
    nginx, timed, client = peers.nginx, peers.timed, peers.client
    port = int(nginx.base_url.rsplit(":", 1)[1])
    layout = Layout(args.sources, port, args.hosts, args.latency_feeds, timed.port)
    rng = random.Random(1)
    docs = {j: filler(j, datetime.now(UTC), rng) for j in range(args.latency_feeds)}
    for j, entries in docs.items():
        timed.publish(latency_path(j), rss(entries))
    sources_file = peers.tmp / "sources.json"
    sources_file.write_text(json.dumps(layout.entries(args.interval)))
    env = service_env(
        args, peers.embedded.url, sources_file, peers.tmp, peers.receiver.url("/hook")
    )
    configured = layout.total / args.interval
    client.flushall()
    memory_empty = int(client.info("memory")["used_memory"])
    monitor = Monitor(redis.Redis.from_url(peers.embedded.url), Keys().poll_due())
    notes: list[str] = []
    with service(args, env, peers.tmp) as processes:
        pids = {role: p.proc.pid for role, p in processes.items()}
        pids["redis"] = peers.embedded.process.pid
        if nginx.pid:
            pids["nginx"] = nginx.pid
        probe = Probe(client, pids, nginx, timed, monitor)
        monitor.start()
        roles = [*pids, "harness"]
        print(
            f"service: {args.mode} ({', '.join(processes)}), {args.workers} worker processes, "
            f"{layout.total:,} sources every {args.interval:g} s = {configured:,.0f} polls/s "
            f"configured, log level {args.log_level}",
            flush=True,
        )

        # cold pass: every source polled once, every item new
        cold0 = probe.snapshot()

        def cold_done() -> bool:
            answered = nginx.statuses().get(200, 0) - cold0.nginx.get(200, 0)
            return bool(dead(processes)) or (
                answered >= args.sources and timed.polled_paths() >= args.latency_feeds
            )

        with contextlib.suppress(TimeoutError):
            wait_until(
                cold_done,
                timeout_s=min(args.cold_timeout, cap_at - time.monotonic() - 60),
                what="the cold pass",
                interval_s=0.2,
            )
        cold = window("cold pass", probe.snapshot(), cold0, configured, args.latency_feeds, monitor)
        items = count_keys(client, Keys().seen_prefix() + "*")
        memory_cold = int(client.info("memory")["used_memory"])
        if dead(processes):
            role = dead(processes)[0]
            raise RuntimeError(f"{role} exited:\n{log_tail(processes[role])}")
        print(
            f"cold pass: {cold.polls:,} polls in {cold.seconds:.1f} s, {items:,} items remembered",
            flush=True,
        )

        # settle: a whole interval with nothing overdue and the poll queue empty (bounded),
        # so window A does not count the catch-up of the cold pass's backlog
        def settled() -> bool:
            now = time.time()
            recent = monitor.between(now - args.interval, now)
            enough = len(recent) >= 0.8 * args.interval / MONITOR_EVERY_S
            return enough and all(overdue == 0 and poll == 0 for _, overdue, poll, _ in recent)

        try:
            wait_until(settled, timeout_s=args.interval * 8, what="the service to settle",
                       interval_s=MONITOR_EVERY_S)  # fmt: skip
        except TimeoutError:
            notes.append("window A began before the cold pass's backlog was cleared")

        # window A: unchanged feeds; launches planted at random moments
        span = max(1.0, args.seconds - args.interval - 5)
        feeds = list(range(args.latency_feeds))
        launches = plan(args.launches, span, feeds, rng) if args.launches else []
        drive_deadline = time.monotonic() + args.seconds + args.interval * 1.2 + 20
        driver = threading.Thread(
            target=drive,
            daemon=True,
            args=(timed, peers.receiver, launches, docs, span, drive_deadline, args.interval),
        )
        a0 = probe.snapshot()
        driver.start()
        time.sleep(whole_intervals(args.seconds, args.interval))
        a1 = probe.snapshot()
        published = sum(1 for x in launches if x.published and a0.wall <= x.published <= a1.wall)
        win_a = window("window A (unchanged)", a1, a0, configured, published, monitor)
        driver.join(max(1.0, drive_deadline - time.monotonic()))

        # window B: a share of the feeds gains an item every interval
        win_b = None
        if args.changed_fraction > 0 and time.monotonic() + args.seconds < cap_at:
            changer = FeedChanger(
                peers.tmp / "www", args.sources, args.changed_fraction, args.interval
            )
            with changer:
                time.sleep(args.interval)  # the first changes reach their polls
                b0 = probe.snapshot()
                time.sleep(whole_intervals(args.seconds / 2, args.interval))
                b1 = probe.snapshot()
            win_b = window("window B (changed)", b1, b0, configured, 0, monitor)
        monitor.stop()
        notes += [f"{role} exited" for role in dead(processes)]
        notes += [
            f"{r} logged a traceback" for r, p in processes.items() if "Traceback" in p.text()
        ]
        result = RunResult(
            args.interval,
            launches,
            win_a.polls,
            args.latency_feeds,
            served={k: list(v) for k, v in timed.served.items()},
        )
        result.window, result.plain = (a0.wall, a1.wall), feeds
        result.log_events = stage_events(processes)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for role, p in processes.items():
                (args.keep / f"{role}.log").write_text(p.text())
    return Measured(
        configured=configured,
        sources=layout.total,
        roles=roles,
        cold=cold,
        cold_complete=cold.changed >= layout.total,
        items=items,
        memory_empty=memory_empty,
        memory_cold=memory_cold,
        memory_end=int(client.info("memory")["used_memory"]),
        win_a=win_a,
        win_b=win_b,
        launches=launches,
        lat=latencies(result),
        gaps=poll_gaps(result),
        stages=dict(stage_times(result)),
        notes=notes,
    )


# --- report ----------------------------------------------------------------------------------


def ms(value: float) -> str:
    return "n/a" if value != value else f"{value:.3f}"  # noqa: PLR0124 - NaN check


def describe_window(w: Window, roles: list[str]) -> list[str]:
    cpu = ", ".join(f"{r} {w.per_poll_ms(r):.3f}" for r in roles)
    mix = " ".join(
        f"{k}={v / w.polls:.2f}"
        for k, v in w.commands.most_common(14)
        if w.polls and v / w.polls >= 0.01
    )
    return [
        f"{w.name}: {w.polls:,} polls in {w.seconds:.1f} s = {w.rate:,.1f}/s against "
        f"{w.configured_rate:,.1f}/s configured: {w.held:.1%} "
        f"({'meets' if w.held >= AIM_RATE else 'MISSES'} {AIM_RATE:.0%}); {w.changed:,} changed "
        f"(200), {w.errors} errors, {w.new_connections:,} new TCP connections; load average "
        f"{w.load:.1f}",
        f"  CPU ms per poll: {cpu}",
        f"  Redis: {w.redis_commands / max(w.polls, 1):.2f} commands per poll "
        f"({w.redis_commands / w.seconds:,.0f}/s); {mix}",
        f"  sources overdue > {OVERDUE_S:g} s: max {w.overdue_max:,}, mean {w.overdue_mean:,.0f};"
        f" queue depth max: poll {w.poll_queue_max}, deliver {w.deliver_queue_max}",
    ]


def report_costs(m: Measured, baseline: ReaderResult, mode: str) -> dict[str, tuple[float, float]]:
    worker_roles = ["worker"] if mode == "split" else ["run"]

    def cpu_of(roles: list[str]) -> Callable[[Window], float]:
        return lambda w: sum(w.cpu_s.get(r, 0.0) for r in roles) * 1000

    costs = {
        "worker CPU ms": split_costs(m.win_a, m.win_b, cpu_of(worker_roles)),
        "beat CPU ms": split_costs(m.win_a, m.win_b, cpu_of(["beat"])),
        "redis CPU ms": split_costs(m.win_a, m.win_b, cpu_of(["redis"])),
        "nginx CPU ms": split_costs(m.win_a, m.win_b, cpu_of(["nginx"])),
        "redis commands": split_costs(m.win_a, m.win_b, lambda w: float(w.redis_commands)),
    }
    print("per poll (the two windows solved for an unchanged and a changed poll):")
    for label, (c304, c200) in costs.items():
        print(
            f"  {label:<15} unchanged (304) {ms(c304):>8}   changed (200, one new item of "
            f"the feed's) {ms(c200):>8}"
        )
    # the cold pass also polls, warm, the sources it reached first: take those 304s out
    cold = m.cold
    warm_polls = cold.polls - cold.changed

    def first_poll(value: float, per_304: float) -> float:
        return (value - warm_polls * per_304) / cold.changed if cold.changed else float("nan")

    cold_costs = {
        "worker CPU ms": first_poll(cpu_of(worker_roles)(cold), costs["worker CPU ms"][0]),
        "redis CPU ms": first_poll(cpu_of(["redis"])(cold), costs["redis CPU ms"][0]),
        "redis commands": first_poll(float(cold.redis_commands), costs["redis commands"][0]),
    }
    print(
        f"  first poll (all {m.items // max(m.sources, 1)}-odd items new): "
        + ", ".join(f"{k} {ms(v)}" for k, v in cold_costs.items())
        + f" ({cold.polls:,} polls, {cold.changed:,} of them first polls, in "
        f"{cold.seconds:.0f} s{'' if m.cold_complete else ', INCOMPLETE'})"
    )
    costs["first poll"] = (cold_costs["worker CPU ms"], cold_costs["redis CPU ms"])
    if len(baseline.cycles) > 1:
        warm, first = baseline.cpu_ms(1), baseline.cpu_ms(0)
        ours = costs["worker CPU ms"][0]
        print(
            f"  against reader (same run, same feeds), CPU a poll: unchanged {ms(warm)} ms, "
            f"{warm / ours:.1f}x ours; first poll {ms(first)} ms, "
            f"{first / cold_costs['worker CPU ms']:.1f}x ours"
        )
    return costs


def report_memory(m: Measured, per_item: dict[str, float]) -> float:
    added = m.memory_cold - m.memory_empty
    per_source = (added - m.items * per_item["short"]) / m.sources
    print(
        f"Redis memory: {m.memory_empty / 1e6:.1f} MB empty, {m.memory_cold / 1e6:.1f} MB after "
        f"the cold pass ({m.sources:,} sources, {m.items:,} items: {added / m.items:.0f} B an "
        f"item, all keys included), {m.memory_end / 1e6:.1f} MB at the end"
    )
    print(
        f"  EventStore.remember alone, fresh Redis: {per_item['short']:.0f} B an item with 20 a "
        f"source (listpack index), {per_item['long']:.0f} B with 1,000 a source (skiplist); "
        f"so a source costs {per_source:,.0f} B (state, due entry, index key, metrics)"
    )
    print(
        f"  seen values as fields of one hash a source (proposed): {per_item['hashed_short']:.0f}"
        f" B an item (20 a source), {per_item['hashed_long']:.0f} B (1,000 a source)"
    )
    return per_source


def report_latency(m: Measured) -> None:
    arrived = sum(1 for x in m.launches if x.arrived is not None)
    print(f"alert latency: {arrived} of {len(m.launches)} planted launches alerted")
    rows = [
        ("wait", "publish → poll answered (the wait)"),
        ("overhead", "poll answered → webhook (beyond the wait)"),
        ("e2e", "publish → webhook"),
    ]
    for key, label in rows:
        if values := m.lat.get(key):
            print(
                f"  {label:<44} p50 {pct(values, 50) * 1000:7.0f} ms  p99 "
                f"{pct(values, 99) * 1000:7.0f} ms  max {max(values) * 1000:7.0f} ms"
            )
    for stage, values in m.stages.items():
        print(
            f"    {stage:<42} p50 {pct(values, 50) * 1000:7.0f} ms  p99 "
            f"{pct(values, 99) * 1000:7.0f} ms"
        )
    if m.lat.get("overhead"):
        p99 = pct(m.lat["overhead"], 99)
        print(
            f"  aim p99 beyond the wait < {AIM_OVERHEAD_P99_S * 1000:.0f} ms: "
            f"{'met' if p99 < AIM_OVERHEAD_P99_S else 'NOT met'}"
        )
    if m.gaps:
        print(
            f"  poll period - interval (latency feeds, window A): mean "
            f"{statistics.mean(m.gaps) * 1000:.0f} ms, p99 {pct(m.gaps, 99) * 1000:.0f} ms"
        )


def report_baseline(baseline: ReaderResult) -> None:
    print(
        f"baseline: lemon24/reader, {baseline.feeds:,} of the same feeds, {baseline.workers} "
        f"workers, a process of its own {baseline.note}"
    )
    for n, phase in enumerate(["cold", "warm"][: len(baseline.cycles)]):
        c = baseline.cycles[n]
        print(
            f"  {phase}: cycle {c.seconds:.2f} s = {baseline.rate(n):,.0f} polls/s, CPU "
            f"{baseline.cpu_ms(n):.3f} ms a poll, {c.errors} errors",
            flush=True,
        )


def summary(
    m: Measured,
    costs: dict[str, tuple[float, float]],
    per_item: dict[str, float],
    per_source: float,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """The figures as JSON (docs/capacity.md's tables are built from these)."""

    def plain(w: Window | None) -> dict[str, Any] | None:
        if w is None:
            return None
        fields = {f.name: getattr(w, f.name) for f in dataclasses.fields(w)}
        fields["commands"] = dict(w.commands)  # asdict would count a Counter's pairs
        return {**fields, "rate": w.rate, "held": w.held, "redis_commands": w.redis_commands}

    return {
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine": machine_facts(),
        "cold": plain(m.cold),
        "window_a": plain(m.win_a),
        "window_b": plain(m.win_b),
        "costs": {k: {"unchanged": a, "changed": b} for k, (a, b) in costs.items()},
        "memory": {
            "empty": m.memory_empty,
            "cold": m.memory_cold,
            "end": m.memory_end,
            "items": m.items,
            "per_item": per_item,
            "per_source": per_source,
        },
        "latency": {k: v for k, v in m.lat.items() if k in {"wait", "overhead", "e2e"}},
        "launches": {
            "planted": len(m.launches),
            "arrived": sum(1 for x in m.launches if x.arrived is not None),
        },
        "notes": m.notes,
    }


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = parser.add_argument
    add("--sources", type=int, default=10_000, help="nginx feeds")
    add("--interval", type=float, default=10.0, help="every source's interval")
    add("--workers", type=int, default=2, help="worker processes (ALERTS_WORKER_CONCURRENCY)")
    add("--seconds", type=float, default=60.0, help="window A (window B is half as long)")
    add("--items", type=int, default=20, help="items per nginx feed")
    add("--hosts", type=int, default=0, help="host names (default: sources / 5)")
    add("--latency-feeds", type=int, default=100)
    add("--launches", type=int, default=30)
    add(
        "--changed-fraction",
        type=float,
        default=0.1,
        help="of the nginx feeds, changed each interval in window B (0 skips it)",
    )
    add("--reader-feeds", type=int, default=1000, help="0 skips the baseline")
    add("--reader-workers", type=int, default=8)
    add("--mode", choices=["split", "run"], default="split")
    add("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING"])
    add("--no-aof", action="store_true", help="Redis without its AOF")
    add("--env", action="append", default=[], help="KEY=VALUE for the service (repeatable)")
    add("--cold-timeout", type=float, default=300.0)
    add("--cap", type=float, default=900.0, help="seconds for the whole run, at most")
    add("--json", type=Path, default=None, help="write the figures here")
    add("--keep", type=Path, default=None, help="copy the service's logs here")
    args = parser.parse_args(argv)
    if not 1 <= args.sources <= 99_999 or not 1 <= args.items <= 500:
        parser.error("--sources 1..99999, --items 1..500")
    if args.latency_feeds < 1 or args.launches > min(args.latency_feeds, MAX_LAUNCHES - 3):
        parser.error(f"--launches: at most {MAX_LAUNCHES - 3}, and at most --latency-feeds")
    if args.interval < 1 or args.seconds < args.interval:
        parser.error("--interval >= 1 and --seconds >= --interval")
    args.hosts = args.hosts or max(1, args.sources // 5)
    return args


def code_version() -> str:
    """The commit, and a digest of what the work tree changes in alerts/ and workers/ (the
    figures are of the code as it is on disk, committed or not)."""

    def git(*argv: str) -> str:
        try:
            return subprocess.run(
                ["git", *argv], cwd=REPO, capture_output=True, text=True, timeout=10, check=False
            ).stdout  # noqa: S603, S607
        except (OSError, subprocess.SubprocessError):
            return ""

    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    diff = git("diff", "HEAD", "--", "alerts", "workers")
    digest = hashlib.sha256(diff.encode()).hexdigest()[:10] if diff else "clean"
    return f"{head} + work tree {digest}"


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwind: stop the service, Redis, nginx


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    started = time.monotonic()
    cap_at = started + args.cap
    print("$", " ".join(shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv]))
    print("machine:", machine_facts(), flush=True)
    print("code:", code_version(), flush=True)
    patch_nginx_conf()
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    embedded: EmbeddedRedis | None = None
    try:
        t0 = time.perf_counter()
        write_feeds(tmp / "www", args.sources, args.items)
        sizes = [p.stat().st_size for p in (tmp / "www" / "feeds").iterdir()]
        print(
            f"feeds: {args.sources:,} x {args.items} items ({statistics.mean(sizes) / 1024:.1f} "
            f"KiB mean) on nginx over {args.hosts:,} host names, + {args.latency_feeds} latency "
            f"feeds; generated in {time.perf_counter() - t0:.0f} s"
        )
        embedded = start_embedded(
            tmp / "redis", appendonly=not args.no_aof, maxmemory=REDIS_MAXMEMORY
        )
        print(f"redis: {embedded.binary}, AOF {'off' if args.no_aof else 'everysec'}")
        client = redis.Redis.from_url(embedded.url)
        with serve_feeds(tmp / "www", tmp / "nginx", prefer="nginx") as nginx:
            port = int(nginx.base_url.rsplit(":", 1)[1])
            print(f"feed server: {nginx.kind} at 127.0.0.1:{port}")
            sample = [
                Layout(args.sources, port, args.hosts, 0, 0).nginx_url(i)
                for i in range(min(args.reader_feeds, args.sources))
            ]
            # before any thread of this process exists: the baseline's process is forked
            baseline = reader_baseline(
                sample, tmp, args.reader_workers, 2, timeout_s=max(30.0, args.cap / 4)
            )
            if baseline.cycles:
                report_baseline(baseline)
            with TimedFeedServer() as timed, TimedReceiver() as receiver:
                peers = Peers(tmp, nginx, timed, receiver, embedded, client)
                measured = run_service(args, peers, cap_at)
        client.close()
        per_item = {
            "short": bytes_per_item(tmp / "calibration-short", sources=5000, per_source=20),
            "long": bytes_per_item(tmp / "calibration-long", sources=100, per_source=1000),
            "hashed_short": bytes_per_item_hashed(
                tmp / "hashed-short", sources=5000, per_source=20
            ),
            "hashed_long": bytes_per_item_hashed(tmp / "hashed-long", sources=100, per_source=1000),
        }
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    for w in [measured.win_a, *([measured.win_b] if measured.win_b else [])]:
        print("\n".join(describe_window(w, measured.roles)))
    costs = report_costs(measured, baseline, args.mode)
    per_source = report_memory(measured, per_item)
    report_latency(measured)
    for note in measured.notes:
        print(f"  note: {note}")
    if args.json:
        figures = summary(measured, costs, per_item, per_source, args)
        args.json.write_text(json.dumps(figures, default=str, indent=1))
    print(
        f"total run time {time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.2f}"
    )
    arrived = any(x.arrived for x in measured.launches) or not measured.launches
    return 0 if measured.cold_complete and arrived and not measured.notes else 1


if __name__ == "__main__":
    raise SystemExit(main())
