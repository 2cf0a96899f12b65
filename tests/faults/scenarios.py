"""Fault scenarios as plain functions: each builds a real stack (embedded Redis, local feeds, a
policy webhook receiver or an SMTP server, real `alerts worker` / `alerts beat` processes),
injects one fault, and returns an Outcome: lost and doubled alerts, raw requests and raw
duplicates seen by the receiver, recovery time. tests/faults/test_faults.py runs each once;
bench/faults.py runs them repeatedly and prints survived/tried.

"Doubled" is judged the way the product promises: more than one distinct `webhook-id` for one
(event_id, revision) at one destination, or one launch alerted as two events (a second `new`).
Raw duplicates are extra 2xx-answered requests carrying a webhook-id already answered 2xx (or
extra emails with a Message-ID already received): a receiver that dedupes drops them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import redis

from alerts.embedded import EmbeddedRedis, start_embedded
from alerts.notify import webhook
from alerts.notify.deadletter import DeadLetters
from alerts.sources.state import SourceStates
from tests.faults.peers import Hit, PolicyHook, PortSmtp, always, free_port
from tests.integration.feed_server import FeedServer
from tests.integration.receivers import Reply
from tests.support.feeds import Entry, rss
from tests.support.processes import AlertsProcess, wait_until

VISIBILITY_S = 10
CLAIM_S = 30  # ALERTS_DELIVERY_CLAIM_SECONDS: its minimum, so recovery waits are short
SETTLE_S = 6.0  # after the last expected delivery: time for a wrong second one to show up
HOOK_A, HOOK_B = "/hooks/a", "/hooks/b"


@dataclass
class Outcome:
    scenario: str
    lost: int = 0
    doubled: int = 0
    raw_requests: int = 0
    raw_duplicates: int = 0
    recovery_s: float | None = None
    problems: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def survived(self) -> bool:
        return self.lost == 0 and self.doubled == 0 and not self.problems

    def summary(self) -> str:
        rec = "-" if self.recovery_s is None else f"{self.recovery_s:.1f}s"
        return (
            f"{self.scenario}: survived={self.survived} lost={self.lost} doubled={self.doubled} "
            f"raw_requests={self.raw_requests} raw_duplicates={self.raw_duplicates} "
            f"recovery={rec} problems={self.problems} notes={self.notes}"
        )


# ---- reports ----


def _ago(seconds: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=seconds)


def _wire(guid: str, title: str, ago_s: float) -> Entry:
    return Entry(guid, title, f"https://wire.example/{guid}", _ago(ago_s))


def kp_flash(guid: str = "kp-flash") -> Entry:
    return _wire(guid, "North Korea fires ballistic missile, JCS says", 90)


def kp_detail(guid: str = "kp-detail") -> Entry:
    title = "North Korea fires two short-range ballistic missiles, Japan's defense ministry says"
    return _wire(guid, title, 60)


def ir_flash(guid: str = "ir-flash") -> Entry:
    return _wire(guid, "Iran fires ballistic missiles at Israel, IDF says", 80)


def ru_flash(guid: str = "ru-flash") -> Entry:
    return _wire(guid, "Russia launches ballistic missile at Ukraine, air force says", 70)


# ---- the stack ----


class Stack:
    """Redis + feeds + receiver + processes for one scenario; `close` tears everything down."""

    def __init__(
        self,
        tmp: Path,
        *,
        appendonly: bool = False,
        sources: tuple[str, ...] = ("wire",),
        hook_paths: tuple[str, ...] = (HOOK_A,),
        env: dict[str, str] | None = None,
    ) -> None:
        self.tmp = tmp
        self.redis_dir = tmp / "redis"
        self.appendonly = appendonly
        self.processes: list[AlertsProcess] = []
        self._exit = contextlib.ExitStack()
        self.redis: EmbeddedRedis = start_embedded(self.redis_dir, appendonly=appendonly)
        self._exit.callback(lambda: self.redis.stop())
        self.feeds = self._exit.enter_context(FeedServer())
        self.hook = self._exit.enter_context(PolicyHook())
        for name in sources:
            self.feeds.add(f"/{name}.rss", rss([]), etag=True)
        self.env = {
            "ALERTS_REDIS_URL": self.redis.url,
            "ALERTS_DATA_DIR": str(tmp / "data"),
            "ALERTS_SOURCES": json.dumps(
                [
                    {"name": n, "url": self.feeds.url(f"/{n}.rss"), "interval_seconds": 1}
                    for n in sources
                ]
            ),
            "ALERTS_WEBHOOK_URLS": json.dumps([self.hook.url(p) for p in hook_paths]),
            "ALERTS_BROKER_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_S),
            "ALERTS_DELIVERY_CLAIM_SECONDS": str(CLAIM_S),
            "ALERTS_DELIVERY_MAX_RETRIES": "30",
            "ALERTS_FETCH_TIMEOUT_SECONDS": "3",
            "ALERTS_PER_HOST_CONCURRENCY": "16",
            "ALERTS_LOG_FORMAT": "json",
            "ALERTS_LOG_LEVEL": "INFO",
            **(env or {}),
        }

    # lifecycle

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for proc in self.processes:
            with contextlib.suppress(Exception):
                proc.stop(timeout_s=10)
            proc.kill_group()
        self._exit.close()

    def start(self, command: str, *args: str) -> AlertsProcess:
        proc = AlertsProcess(
            [command, *args],
            env=self.env,
            cwd=self.tmp,
            log=self.tmp / f"{command}-{len(self.processes)}.log",
        )
        self.processes.append(proc)
        return proc

    def sigkill_group(self, proc: AlertsProcess) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.proc.pid, signal.SIGKILL)
        proc.proc.wait(10)

    # feeds

    def publish(self, source: str, entries: list[Entry]) -> None:
        self.feeds.set(f"/{source}.rss", rss(entries), etag=True)

    def polls(self, source: str) -> int:
        return len(self.feeds.requests_to(f"/{source}.rss"))

    def wait_polls(self, source: str, more: int, timeout_s: float = 30) -> None:
        target = self.polls(source) + more
        wait_until(
            lambda: self.polls(source) >= target,
            timeout_s=timeout_s,
            what=f"{more} more polls of {source}",
        )

    # redis-side checks

    @contextlib.contextmanager
    def client(self) -> Iterator[redis.Redis]:
        client = redis.Redis.from_url(self.redis.url, socket_timeout=5)
        try:
            yield client
        finally:
            client.close()

    def dead_letters(self) -> int:
        with self.client() as client:
            return DeadLetters(client).count()

    def source_state(self, name: str) -> Any:
        with self.client() as client:
            [state] = SourceStates(client).load_many([name])
            return state

    def log_events(self, prefix: str) -> list[dict[str, Any]]:
        return [
            e
            for p in self.processes
            for e in p.events()
            if str(e.get("event", "")).startswith(prefix)
        ]

    # waiting for deliveries

    def wait_delivered(
        self, paths: tuple[str, ...], launches: int, revisions: int, timeout_s: float
    ) -> float:
        """Wait until every expected (path, event, revision) was answered 2xx; its time."""

        def done() -> bool:
            return _accepted_count(self.hook.hits, paths, revisions) >= launches * revisions * len(
                paths
            )

        wait_until(done, timeout_s=timeout_s, what="every expected delivery", interval_s=0.2)
        return max(h.at for h in self.hook.hits if h.ok)


def _accepted_count(hits: list[Hit], paths: tuple[str, ...], revisions: int) -> int:
    seen = {
        (h.path, h.payload.get("event_id"), h.payload.get("revision"))
        for h in hits
        if h.ok and h.path in paths and 1 <= int(h.payload.get("revision") or 0) <= revisions
    }
    return len(seen)


def tally_hooks(
    outcome: Outcome, hits: list[Hit], paths: tuple[str, ...], launches: int, revisions: int
) -> Outcome:
    """Fill lost / doubled / raw counts from what the receiver saw."""
    outcome.raw_requests = len(hits)
    ids: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    news: dict[str, set[str]] = defaultdict(set)
    ok_per_id: Counter[str] = Counter()
    for h in hits:
        if not h.ok:
            continue
        event_id, revision = h.payload.get("event_id"), int(h.payload.get("revision") or 0)
        ids[(h.path, event_id, revision)].add(h.webhook_id)
        ok_per_id[h.webhook_id] += 1
        if h.payload.get("kind") == "new":
            news[h.path].add(event_id)
    outcome.doubled = sum(len(v) - 1 for v in ids.values())
    for path in paths:
        outcome.doubled += max(0, len(news[path]) - launches)
    outcome.raw_duplicates = sum(n - 1 for n in ok_per_id.values())
    accepted = _accepted_count(hits, paths, revisions)
    outcome.lost = max(0, launches * revisions * len(paths) - accepted)
    outcome.notes["accepted"] = sum(ok_per_id.values())
    return outcome


def _finish(stack: Stack, outcome: Outcome) -> Outcome:
    dead = stack.dead_letters()
    if dead:
        outcome.problems.append(f"{dead} dead-lettered")
    for proc in stack.processes:
        text = proc.text()
        if "Unrecoverable error" in text:
            state = "alive" if proc.proc.poll() is None else f"exited {proc.proc.returncode}"
            outcome.notes.setdefault("unrecoverable_error_in", []).append(
                f"{proc.log.name} (process {state}, {proc.args[0]})"
            )
        if "Traceback" in text and "WorkerLostError" not in text:
            outcome.notes.setdefault("tracebacks_in", []).append(proc.log.name)
    return outcome


def _guard(outcome: Outcome, body: Callable[[], None]) -> None:
    """Run the scenario body; a timeout while waiting for deliveries is a problem, not a crash."""
    try:
        body()
    except TimeoutError as err:
        outcome.problems.append(str(err))


# ---- 1. worker SIGKILLed mid-delivery ----


DELIVERER = ("--queues", "deliver", "--hostname", "deliver@%h")


def worker_sigkill(tmp: Path, *, mode: str = "group") -> Outcome:
    """The receiver holds the first request 6 s; the worker (whole group, or only the pool child
    doing the send) is SIGKILLed while it waits. The claim of the dead attempt lives
    CLAIM_S (ALERTS_DELIVERY_CLAIM_SECONDS), so the redelivered task waits that long to send.
    `deliverer`: polls and sends on workers of their own (compose, `alerts run`), and the
    delivery worker, whose threads send, is the one SIGKILLed (its group) and replaced."""
    outcome = Outcome(f"worker_sigkill_{mode}")
    with Stack(tmp) as s:
        # the in-flight request is answered 503 after the kill: the receiver did not take it,
        # so the alert arrives only if the service sends it again
        s.hook.set_policy(lambda n, _t: Reply(503, delay_s=6.0) if n == 1 else Reply(200))
        if mode == "deliverer":
            s.start("worker", "--queues", "poll")
            worker = s.start("worker", *DELIVERER)
        else:
            worker = s.start("worker")
        s.start("beat")

        def body() -> None:
            s.wait_polls("wire", 2)
            s.publish("wire", [kp_flash()])
            wait_until(lambda: s.hook.hits, timeout_s=30, what="the send to be in flight")
            time.sleep(0.5)
            killed_at = time.monotonic()
            if mode in {"group", "deliverer"}:
                s.sigkill_group(worker)
                s.start("worker", *(DELIVERER if mode == "deliverer" else ()))
            else:
                child = _sending_child(worker, s.hook.port)
                outcome.notes["killed_child"] = child is not None
                if child is None:
                    raise TimeoutError("no pool child holds a connection to the receiver")
                os.kill(child, signal.SIGKILL)
            last = s.wait_delivered((HOOK_A,), 1, 1, timeout_s=CLAIM_S + VISIBILITY_S + 40)
            outcome.recovery_s = last - killed_at
            time.sleep(SETTLE_S)

        _guard(outcome, body)
        tally_hooks(outcome, s.hook.hits, (HOOK_A,), 1, 1)
        return _finish(s, outcome)


def _sending_child(worker: AlertsProcess, port: int) -> int | None:
    """The pid of the worker's pool process holding a TCP connection to the receiver."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(worker.proc.pid).children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    for conn in child.net_connections(kind="tcp"):
                        if conn.raddr and conn.raddr.port == port:
                            return child.pid
        time.sleep(0.05)
    return None


# ---- 2. Redis restarted (AOF) in the middle of a stream ----


def redis_restart(tmp: Path, *, during_send: bool = True, spare_worker: bool = False) -> Outcome:
    """Reports of one launch keep arriving while Redis is stopped (SIGTERM, AOF) and started
    again on the same data dir; with `during_send` the first send is in flight when Redis goes
    away, else Redis restarts before the launch is reported (between polls). `spare_worker`
    starts a second worker after the restart (what a supervisor replacing a stuck one does)."""
    name = "redis_restart" if during_send else "redis_restart_idle"
    outcome = Outcome(name + ("_spare_worker" if spare_worker else ""))
    with Stack(
        tmp, appendonly=True, sources=("wire", "wire2"), env={"ALERTS_MIN_UPDATE_GAP_SECONDS": "0"}
    ) as s:
        s.hook.set_policy(lambda n, _t: Reply(200, delay_s=2.0) if n == 1 else Reply(200))
        s.start("worker")
        s.start("beat")

        def body() -> None:
            s.wait_polls("wire", 2)
            s.wait_polls("wire2", 1)
            if during_send:
                s.publish("wire", [kp_flash()])
                wait_until(lambda: s.hook.hits, timeout_s=30, what="the first send")
            s.redis.stop()
            s.publish("wire2", [kp_flash("kp-flash-2")])  # another outlet, while Redis is down
            time.sleep(3.0)
            s.redis = start_embedded(s.redis_dir, appendonly=True)
            restarted_at = time.monotonic()
            if spare_worker:
                s.start("worker")
            s.publish("wire", [kp_flash(), kp_detail()])  # adds facts: revision 2
            last = s.wait_delivered((HOOK_A,), 1, 2, timeout_s=CLAIM_S + VISIBILITY_S + 40)
            outcome.recovery_s = last - restarted_at
            time.sleep(SETTLE_S)

        _guard(outcome, body)
        tally_hooks(outcome, s.hook.hits, (HOOK_A,), 1, 2)
        outcome.notes["revisions"] = sorted(
            {(h.payload.get("kind"), h.payload.get("revision")) for h in s.hook.hits if h.ok}
        )
        return _finish(s, outcome)


# ---- 3. webhook receiver failing, then recovering ----


SLOW_S = (webhook.SEND_TIMEOUT.read or 20.0) + 1.0  # past the webhook client's read timeout


def webhook_flaky(tmp: Path) -> Outcome:
    """500, 500, 429 (Retry-After: 2), an answer slower than the client timeout, then 200s."""
    outcome = Outcome("webhook_flaky")
    script = [
        Reply(500, body="down"),
        Reply(500, body="down"),
        Reply(429, headers={"Retry-After": "2"}, body="slow down"),
        Reply(200, delay_s=SLOW_S),
    ]

    def policy(n: int, _t: float) -> Reply:
        return script[n - 1] if n <= len(script) else Reply(200)

    with Stack(tmp) as s:
        s.hook.set_policy(policy)
        s.start("worker")
        s.start("beat")

        def body() -> None:
            s.wait_polls("wire", 2)
            s.publish("wire", [kp_flash()])
            wait_until(
                lambda: len(s.hook.hits) > len(script), timeout_s=90, what="the receiver to recover"
            )
            last = s.wait_delivered((HOOK_A,), 1, 1, timeout_s=30)
            outcome.recovery_s = last - s.hook.hits[0].at  # first failure to delivery
            time.sleep(SETTLE_S)

        _guard(outcome, body)
        # the slow 200 was never seen by the client: it is a failed attempt, not a delivery
        hits = [h for h in s.hook.hits if h.delay_s < SLOW_S]
        tally_hooks(outcome, hits, (HOOK_A,), 1, 1)
        outcome.raw_requests = len(s.hook.hits)
        outcome.notes["statuses"] = [h.status for h in s.hook.hits]
        return _finish(s, outcome)


# ---- 4. SMTP down, then up ----


def smtp_down_then_up(tmp: Path, *, down_s: float = 10.0) -> Outcome:
    outcome = Outcome("smtp_down_then_up")
    port = free_port()  # nothing listens here yet: connection refused
    env = {
        "ALERTS_WEBHOOK_URLS": "[]",
        "ALERTS_SMTP_HOST": "127.0.0.1",
        "ALERTS_SMTP_PORT": str(port),
        "ALERTS_SMTP_STARTTLS": "false",
        "ALERTS_EMAIL_FROM": "alerts@example.org",
        "ALERTS_EMAIL_TO": "desk@example.org",
    }
    with Stack(tmp, env=env) as s:
        smtp = PortSmtp(port)
        s.start("worker")
        s.start("beat")

        def body() -> None:
            s.wait_polls("wire", 2)
            s.publish("wire", [kp_flash()])
            wait_until(
                lambda: s.log_events("delivery.retrying"),
                timeout_s=30,
                what="a failed email attempt",
            )
            time.sleep(down_s)
            smtp.start()
            up_at = time.monotonic()
            smtp.wait_for(1, timeout=60)
            outcome.recovery_s = time.monotonic() - up_at
            time.sleep(SETTLE_S)

        try:
            _guard(outcome, body)
            messages = smtp.messages
        finally:
            smtp.close()
        ids = Counter(str(m["Message-ID"]) for m in messages)
        outcome.raw_requests = len(messages)
        outcome.lost = 0 if ids else 1
        outcome.doubled = max(0, len(ids) - 1)
        outcome.raw_duplicates = sum(n - 1 for n in ids.values())
        outcome.notes["failed_attempts"] = len(s.log_events("delivery.retrying"))
        return _finish(s, outcome)


# ---- 5. beat killed and restarted ----


def _rate(stack: Stack, sources: tuple[str, ...], window_s: float) -> float:
    before = sum(stack.polls(n) for n in sources)
    time.sleep(window_s)
    return (sum(stack.polls(n) for n in sources) - before) / window_s


def beat_restart(tmp: Path) -> Outcome:
    """SIGKILL the beat group while a launch is being published; start a new beat."""
    outcome = Outcome("beat_restart")
    sources = ("wire", "wire2")
    with Stack(tmp, sources=sources) as s:
        s.start("worker")
        beat = s.start("beat")

        def body() -> None:
            s.wait_polls("wire", 2)
            before = _rate(s, sources, 5.0)
            s.publish("wire", [kp_flash()])
            s.sigkill_group(beat)
            time.sleep(3.0)
            s.start("beat")
            restarted = time.monotonic()
            s.wait_polls("wire", 1)
            after = _rate(s, sources, 5.0)
            outcome.notes["polls_per_s"] = (round(before, 2), round(after, 2))
            if after <= 0 or after > before * 1.5 + 1:
                outcome.problems.append(f"poll rate {before:.2f}/s before, {after:.2f}/s after")
            last = s.wait_delivered((HOOK_A,), 1, 1, timeout_s=30)
            outcome.recovery_s = max(0.0, last - restarted)
            time.sleep(SETTLE_S)

        _guard(outcome, body)
        tally_hooks(outcome, s.hook.hits, (HOOK_A,), 1, 1)
        return _finish(s, outcome)


# ---- 6. a source that starts returning garbage ----

GARBAGE = (
    (
        "html",
        b"<!doctype html><html><head><title>Moved</title></head><body><p>hi</body></html>",
        "text/html",
    ),
    # cut inside the channel header: the parser recovers it as an empty, healthy feed
    ("truncated", rss([kp_flash("trunc")])[:150], "application/rss+xml"),
    ("binary", bytes(range(256)) * 8, "application/octet-stream"),
)


def garbage_source(tmp: Path) -> Outcome:
    """`flaky` serves HTML, truncated XML, then binary; `good` reports a launch meanwhile; then
    `flaky` is fixed and reports another launch."""
    outcome = Outcome("garbage_source")
    with Stack(tmp, sources=("good", "flaky")) as s:
        s.start("worker")
        s.start("beat")

        def body() -> None:
            s.wait_polls("flaky", 2)
            s.publish("good", [kp_flash()])  # a launch on the good source while flaky breaks
            for name, content, ctype in GARBAGE:
                s.feeds.set("/flaky.rss", content, content_type=ctype)
                s.wait_polls("flaky", 2)  # the first poll of this body has been processed
                state = s.source_state("flaky")
                outcome.notes[f"flaky_{name}"] = f"{state.health}: {(state.last_error or '')[:50]}"
                if str(state.health) == "healthy":
                    outcome.problems.append(f"flaky still healthy while serving {name}")
            wait_until(
                lambda: _accepted_count(s.hook.hits, (HOOK_A,), 1) >= 1,
                timeout_s=20,
                what="the good source's alert",
            )
            if str(s.source_state("good").health) != "healthy":
                outcome.problems.append("the good source is not healthy")
            s.publish("flaky", [ir_flash()])
            fixed = time.monotonic()
            # six failures at a 1 s interval back off to 32 s: the fix is seen within that
            wait_until(
                lambda: str(s.source_state("flaky").health) == "healthy",
                timeout_s=60,
                what="flaky to recover",
            )
            last = s.wait_delivered((HOOK_A,), 2, 1, timeout_s=30)
            outcome.recovery_s = last - fixed
            time.sleep(SETTLE_S)

        _guard(outcome, body)
        tally_hooks(outcome, s.hook.hits, (HOOK_A,), 2, 1)
        return _finish(s, outcome)


# ---- 7a. a retry countdown longer than the visibility timeout ----


def long_countdown(tmp: Path, *, retry_after_s: int = 30) -> Outcome:
    """503 with Retry-After: 30 while visibility is 10 s: the retry message comes back (to
    either of two workers) while its countdown runs; only one send may succeed."""
    outcome = Outcome("long_countdown")
    with Stack(tmp) as s:
        s.hook.set_policy(
            lambda n, _t: (
                Reply(503, headers={"Retry-After": str(retry_after_s)}, body="later")
                if n == 1
                else Reply(200)
            )
        )
        s.start("worker")
        s.start("worker")
        s.start("beat")

        def body() -> None:
            s.wait_polls("wire", 2)
            s.publish("wire", [kp_flash()])
            wait_until(lambda: s.hook.hits, timeout_s=30, what="the first attempt")
            first = s.hook.hits[0].at
            last = s.wait_delivered((HOOK_A,), 1, 1, timeout_s=retry_after_s + 40)
            outcome.recovery_s = last - first
            time.sleep(VISIBILITY_S + SETTLE_S)  # let every redelivered copy run out

        _guard(outcome, body)
        tally_hooks(outcome, s.hook.hits, (HOOK_A,), 1, 1)
        outcome.notes["executions"] = Counter(
            str(e.get("event")) for e in s.log_events("delivery.")
        )
        return _finish(s, outcome)


# ---- 7b. duplicate delivery after a worker restart ----


def worker_restart_queued(tmp: Path) -> Outcome:
    """Three launches to two destinations (six deliveries); two attempts answer 503 with
    Retry-After so retries wait with an ETA; the worker is stopped (SIGTERM) while deliveries
    are running, reserved and waiting, and a new one started."""
    outcome = Outcome("worker_restart_queued")
    paths = (HOOK_A, HOOK_B)

    def policy(n: int, _t: float) -> Reply:
        if n <= 2:
            return Reply(503, headers={"Retry-After": "4"}, body="later")
        return Reply(200, delay_s=1.5)

    with Stack(tmp, hook_paths=paths) as s:
        s.hook.set_policy(policy)
        worker = s.start("worker")
        s.start("beat")

        def body() -> None:
            s.wait_polls("wire", 2)
            s.publish("wire", [kp_flash(), ir_flash(), ru_flash()])
            wait_until(lambda: len(s.hook.hits) >= 3, timeout_s=30, what="deliveries running")
            worker.stop(signal.SIGTERM)
            s.start("worker")
            restarted = time.monotonic()
            last = s.wait_delivered(paths, 3, 1, timeout_s=60)
            outcome.recovery_s = max(0.0, last - restarted)
            time.sleep(VISIBILITY_S + SETTLE_S)

        _guard(outcome, body)
        tally_hooks(outcome, s.hook.hits, paths, 3, 1)
        return _finish(s, outcome)


SCENARIOS: dict[str, Callable[[Path], Outcome]] = {
    "worker_sigkill_group": lambda tmp: worker_sigkill(tmp, mode="group"),
    "worker_sigkill_child": lambda tmp: worker_sigkill(tmp, mode="child"),
    "worker_sigkill_deliverer": lambda tmp: worker_sigkill(tmp, mode="deliverer"),
    "redis_restart": redis_restart,
    "redis_restart_idle": lambda tmp: redis_restart(tmp, during_send=False),
    "redis_restart_spare_worker": lambda tmp: redis_restart(tmp, spare_worker=True),
    "webhook_flaky": webhook_flaky,
    "smtp_down_then_up": smtp_down_then_up,
    "beat_restart": beat_restart,
    "garbage_source": garbage_source,
    "long_countdown": long_countdown,
    "worker_restart_queued": worker_restart_queued,
}

__all__ = ["SCENARIOS", "Outcome", "always"]
