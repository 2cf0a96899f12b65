"""Helpers for the high-availability tests (tests/e2e/test_ha_beats.py, test_worker_groups.py).

`TimedFeeds` serves one RSS feed per source from 127.0.0.1 and notes when each poll arrived,
so a test can read every source's poll intervals (and the gaps around a SIGKILL) from the
publisher's side, as an outlet would see them. It answers conditional GETs (ETag), and can
hold each answer a while (`delay_s`) so polls are in flight when a worker is killed.

`HeldHook` is a webhook receiver that holds each request `hold_s` before answering, so sends
are in flight when a worker is killed, and refuses (503) every request held while the test
kills a host (`refusing`), and never counts as taken a request whose sender has gone by the
time of the answer (`CLIENT_GONE`): what the dead host was sending counts as delivered only if
the service sends it again. Both note the client port of each request in flight, so a test
can tell which process (`ports_of`) was polling or sending at the moment of a kill.

`HaStack` is one real Redis, those feeds, that receiver and any number of real `alerts`
processes with per-process environment, as if on several hosts: each process gets its own
data dir and HOSTNAME.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import signal
import socket
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

import psutil

from alerts.embedded import EmbeddedRedis, start_embedded
from tests.support.feeds import Entry, rss
from tests.support.processes import AlertsProcess, wait_until

LOCALHOST = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Poll:
    """One request for a source's feed: when it arrived (time.monotonic) and which source."""

    at: float
    source: str


class _LoopbackServer:
    """A threading HTTP server on 127.0.0.1 that subclasses give a handler (`_handler`):
    port, start, close and the context manager, once for both servers here."""

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self) -> Self:
        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False
            request_queue_size = 128

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a poller or sender killed mid-answer resets its connection: expected

        self._server = Server((LOCALHOST, 0), self._handler())
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class TimedFeeds(_LoopbackServer):
    """`/<source>.rss` for each source added; every request noted with its arrival time."""

    def __init__(self, *, delay_s: float = 0.0) -> None:
        super().__init__()
        self.delay_s = delay_s
        self._bodies: dict[str, bytes] = {}
        self._polls: list[Poll] = []
        self.in_flight: dict[int, str] = {}  # client port -> source, while answering
        self._lock = threading.Lock()

    def set(self, source: str, entries: list[Entry]) -> None:
        with self._lock:
            self._bodies[source] = rss(entries)

    def url(self, source: str) -> str:
        return f"http://{LOCALHOST}:{self.port}/{source}.rss"

    def polls(self, since: float = 0.0, until: float = float("inf")) -> list[Poll]:
        with self._lock:
            return [p for p in self._polls if since <= p.at < until]

    def count(self, source: str | None = None) -> int:
        with self._lock:
            return sum(1 for p in self._polls if source is None or p.source == source)

    def times_by_source(self) -> dict[str, list[float]]:
        by_source: dict[str, list[float]] = defaultdict(list)
        for poll in self.polls():
            by_source[poll.source].append(poll.at)
        return dict(by_source)

    def _answer(self, path: str, if_none_match: str | None) -> tuple[int, bytes, str]:
        source = path.strip("/").removesuffix(".rss")
        with self._lock:
            body = self._bodies.get(source)
            if body is not None:
                self._polls.append(Poll(time.monotonic(), source))
        if body is None:
            return 404, b"", ""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'  # noqa: S324 - a cache key
        return (304, b"", etag) if if_none_match == etag else (200, body, etag)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        feeds = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                status, body, etag = feeds._answer(self.path, self.headers.get("If-None-Match"))
                port = self.client_address[1]
                with feeds._lock:
                    feeds.in_flight[port] = self.path.strip("/").removesuffix(".rss")
                try:
                    if feeds.delay_s:
                        time.sleep(feeds.delay_s)
                    self._reply(status, body, etag)
                finally:
                    with feeds._lock:
                        feeds.in_flight.pop(port, None)

            def _reply(self, status: int, body: bytes, etag: str) -> None:
                with contextlib.suppress(OSError):
                    self.send_response(status)
                    if etag:
                        self.send_header("ETag", etag)
                    self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler


@dataclass
class HookHit:
    """One request to the receiver: when it arrived, and the status it was finally given."""

    at: float
    path: str
    headers: dict[str, str]
    payload: dict[str, Any]
    status: int = 0  # 0 while held
    answered_at: float = 0.0  # when the status was given

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


CLIENT_GONE = 499  # the sender closed or died while its request was held: nobody took the answer


def _peer_gone(sock: socket.socket) -> bool:
    """Whether the client has closed its end: a SIGKILLed sender's socket is closed by its
    kernel, and a request still read after that (written just before the kill, read late on a
    loaded machine) must not count as taken by a sender that can no longer record it."""
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False  # open, nothing more sent: the sender is waiting for the answer
    except OSError:
        return True  # reset


class HeldHook(_LoopbackServer):
    """A webhook receiver on 127.0.0.1 answering 200 after `hold_s`, or 503 to the requests
    held while a host is killed (`refusing`)."""

    def __init__(self, *, hold_s: float = 0.0) -> None:
        super().__init__()
        self.hold_s = hold_s
        self._hits: list[HookHit] = []
        self.in_flight: dict[int, HookHit] = {}  # client port -> hit, while held
        self._refused: set[int] = set()  # ids of hits to refuse
        self._refusing = False  # every hold that ends now is refused
        self._lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://{LOCALHOST}:{self.port}{path}"

    @property
    def hits(self) -> list[HookHit]:
        with self._lock:
            return list(self._hits)

    @contextlib.contextmanager
    def refusing(self) -> Iterator[None]:
        """Every request held on entry, sent inside the block, or whose hold ends inside it is
        answered 503: its sender may die in the block (a host is killed there), and an answer
        given then would count as taken what no live sender will record. Refusing from before
        the kill to after it closes the gap in which a dead sender's request was answered 200;
        one read only after the block, from a sender already dead, finds its client gone."""
        with self._lock:
            self._refusing = True
            self._refused.update(id(h) for h in self.in_flight.values())
        try:
            yield
        finally:
            with self._lock:
                self._refusing = False

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    payload = json.loads(body) if body else {}
                except ValueError:
                    payload = {}
                headers = {k.lower(): v for k, v in self.headers.items()}
                hit = HookHit(time.monotonic(), self.path, headers, payload)
                port = self.client_address[1]
                with hook._lock:
                    hook._hits.append(hit)
                    hook.in_flight[port] = hit
                    if hook._refusing:  # sent in the block, perhaps by the host being killed
                        hook._refused.add(id(hit))
                time.sleep(hook.hold_s)
                gone = _peer_gone(self.connection)
                with hook._lock:
                    hook.in_flight.pop(port, None)
                    refused = hook._refusing or id(hit) in hook._refused
                    hit.status = CLIENT_GONE if gone else 503 if refused else 200
                    hit.answered_at = time.monotonic()
                with contextlib.suppress(OSError):
                    self.send_response(hit.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler


def ports_of(pid: int, remote_port: int) -> set[int]:
    """Local ports of the TCP connections that `pid` and its children hold to `remote_port`
    on 127.0.0.1: which requests in flight came from that process group."""
    ports: set[int] = set()
    with contextlib.suppress(psutil.Error):
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                for conn in proc.net_connections(kind="tcp"):
                    if conn.raddr and conn.raddr.port == remote_port:
                        ports.add(conn.laddr.port)
    return ports


# ---- reading poll times ----


def intervals(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


def mean_interval_s(by_source: dict[str, list[float]], since: float, until: float) -> float:
    """Mean time between consecutive polls of a source, over every source, within a window."""
    spans = [(t[-1] - t[0], len(t) - 1)
             for t in ([x for x in times if since <= x < until] for times in by_source.values())
             if len(t) > 1]  # fmt: skip
    return sum(s for s, _ in spans) / max(1, sum(n for _, n in spans))


def shortest_interval_s(by_source: dict[str, list[float]], since: float = 0.0) -> float:
    """The shortest time between two polls of one source: a source polled twice shows here."""
    gaps = [g for times in by_source.values() for g in intervals([t for t in times if t >= since])]
    return min(gaps, default=float("inf"))


def longest_wait_s(by_source: dict[str, list[float]], since: float, until: float) -> float:
    """The longest any source went unpolled within [since, until): the gaps between its polls,
    and from `since` to its first poll in the window."""
    worst = 0.0
    for times in by_source.values():
        inside = [t for t in times if since <= t < until]
        before = [t for t in times if t < since]
        marks = ([before[-1]] if before else [since]) + inside
        gaps = [*intervals(marks), until - marks[-1]]
        worst = max(worst, *gaps)
    return worst


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ---- the stack ----


class HaStack:
    """Redis, feeds, a webhook receiver and `alerts` processes as if on several hosts."""

    def __init__(
        self,
        tmp: Path,
        *,
        sources: int,
        interval_s: float,
        hooks: tuple[str, ...],
        feed_delay_s: float = 0.0,
        hold_s: float = 0.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self.tmp = tmp
        self.processes: list[AlertsProcess] = []
        self._exit = contextlib.ExitStack()
        self.redis: EmbeddedRedis = start_embedded(tmp / "redis", appendonly=False)
        self._exit.callback(self.redis.stop)
        self.feeds = self._exit.enter_context(TimedFeeds(delay_s=feed_delay_s))
        self.hook = self._exit.enter_context(HeldHook(hold_s=hold_s))
        self.sources = [f"s{n:03d}" for n in range(sources)]
        for name in self.sources:
            self.feeds.set(name, [])
        self.hook_paths = hooks
        self.env = {
            "ALERTS_REDIS_URL": self.redis.url,
            "ALERTS_SOURCES": json.dumps(
                [
                    {"name": n, "url": self.feeds.url(n), "interval_seconds": interval_s}
                    for n in self.sources
                ]
            ),
            "ALERTS_WEBHOOK_URLS": json.dumps([self.hook.url(p) for p in hooks]),
            "ALERTS_POLL_JITTER": "0",
            "ALERTS_PER_HOST_CONCURRENCY": "64",
            "ALERTS_LOG_FORMAT": "json",
            "ALERTS_LOG_LEVEL": "INFO",
            **(env or {}),
        }

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for proc in self.processes:
            with contextlib.suppress(Exception):
                proc.stop(timeout_s=10)
            proc.kill_group()
        self._exit.close()

    def start(self, host: str, *args: str) -> AlertsProcess:
        """`alerts <args>` as if on host `host`: its own HOSTNAME and data dir."""
        data_dir = self.tmp / host / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        env = {**self.env, "HOSTNAME": host, "ALERTS_DATA_DIR": str(data_dir)}
        proc = AlertsProcess(list(args), env=env, cwd=self.tmp / host,
                             log=self.tmp / f"{host}-{args[0]}.log")  # fmt: skip
        self.processes.append(proc)
        return proc

    @staticmethod
    def sigkill(proc: AlertsProcess) -> float:
        """SIGKILL the process and its children at once, as when its host dies; the moment."""
        at = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.proc.pid, signal.SIGKILL)
        proc.proc.wait(10)
        return at

    def wait_every_source_polled(self, times: int, timeout_s: float) -> None:
        wait_until(
            lambda: all(self.feeds.count(n) >= times for n in self.sources),
            timeout_s=timeout_s,
            what=f"every source polled {times} times",
            interval_s=0.1,
        )

    def log_events(self, name: str) -> list[dict[str, Any]]:
        return [e for p in self.processes for e in p.events() if e.get("event") == name]
