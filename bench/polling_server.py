"""Feeds for bench_polling.py: N generated RSS 2.0 documents and a local server for them.

`write_feeds` writes N distinct feeds of M items (realistic titles, links, GUIDs, pubDates and
HTML descriptions, ~20-30 KB each) into a directory. `serve_feeds` serves that directory on
127.0.0.1 with ETag and Last-Modified, answering conditional GETs with 304: nginx (its own temp
config, started and stopped here) when an `nginx` binary is on PATH, else a threaded Python
server (slower; it may become the bottleneck at 1,000+ requests/s on 2 cores). Both count the
status of every response, so a phase can check what the server actually answered.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

START_TIMEOUT_S = 10.0
NEW_CONNECTION = 0  # key in FeedServer.statuses(): requests that opened a TCP connection (nginx)

_PLACES = [
    "Seoul", "Tokyo", "Washington", "Kyiv", "Brussels", "Taipei", "Manila", "Canberra",
    "New Delhi", "Jakarta", "Hanoi", "Ottawa", "Berlin", "Paris", "Nairobi", "Cairo",
    "Brasília", "Mexico City", "Bangkok", "Singapore", "Wellington", "Oslo", "Ankara",
]  # fmt: skip
_SUBJECTS = [
    "Central bank", "Finance minister", "Opposition leader", "Port workers", "Regulators",
    "Health officials", "Election commission", "Tech giant", "Farmers", "Prime minister",
    "Supreme court", "Coast guard", "Energy ministry", "Teachers' union", "Airline",
    "Weather agency", "Police", "Trade negotiators", "Climate envoy", "Parliament",
]  # fmt: skip
_VERBS = [
    "announces", "weighs", "rejects", "delays", "approves", "warns over", "unveils",
    "probes", "backs", "scraps", "extends", "cuts", "defends", "signs", "criticises",
]  # fmt: skip
_OBJECTS = [
    "interest rate decision", "budget plan", "new port deal", "vaccine rollout", "tax reform",
    "rail strike talks", "chip export rules", "flood relief package", "pension overhaul",
    "fishing quota", "data privacy bill", "wage agreement", "grain shipments", "power tariffs",
    "border checks", "housing subsidy", "drought measures", "bond sale", "merger review",
]  # fmt: skip
_LAUNCHES = [
    "North Korea fires ballistic missile into East Sea, JCS says",
    "N. Korea launches short-range ballistic missile toward Sea of Japan",
    "Japan says North Korean ballistic missile landed outside its EEZ",
    "South Korea military: North fired ballistic missile from Pyongyang area",
]
_KO = [
    "정부, 내년도 예산안 발표", "서울 아파트값 상승세 둔화", "국회, 개정안 본회의 통과",
    "한국은행 기준금리 동결", "수출 3개월 연속 증가", "태풍 북상에 남부 지방 비상",
]  # fmt: skip
_JA = [
    "政府、来年度予算案を閣議決定", "日銀、金融政策を据え置き", "東京株式市場、続伸",
    "台風が九州に接近、交通に影響", "円相場、一時1ドル150円台", "国会で補正予算が成立",
]  # fmt: skip
_WORDS = [
    "officials", "said", "on", "the", "matter", "while", "analysts", "expected", "further",
    "talks", "next", "week", "as", "markets", "reacted", "cautiously", "to", "the", "statement",
    "and", "local", "media", "reported", "mixed", "responses", "from", "groups", "across",
    "region", "amid", "concerns", "over", "costs", "supply", "timing", "of", "measures",
]  # fmt: skip


def _description(rng: random.Random, title: str) -> str:
    """An HTML summary (escaped in the XML) of ~120-220 characters."""
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 18)))
    return f"<p><b>{title}</b>. {words.capitalize()}.</p>"


def _title(rng: random.Random, lang: str, launch: bool) -> str:
    if launch:
        return rng.choice(_LAUNCHES)
    if lang == "ko":
        return f"{rng.choice(_KO)}…{rng.choice(_PLACES)} {rng.randint(2, 99)}건"
    if lang == "ja":
        return f"{rng.choice(_JA)} {rng.choice(_PLACES)}で{rng.randint(2, 99)}件"
    return (
        f"{rng.choice(_PLACES)}: {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} "
        f"{rng.choice(_OBJECTS)} ({rng.randint(2, 99)})"
    )


def feed_document(index: int, items: int, *, now: datetime, seed: int = 1) -> bytes:
    """One RSS 2.0 feed: `items` entries, newest first, published over the last ~5 hours.

    Dates stay inside the product's default 6-hour item age so every item is classified; about
    one item in 500 reports a missile launch, so the event path runs too.
    """
    rng = random.Random(seed * 1_000_003 + index)
    lang = "ko" if index % 10 == 7 else "ja" if index % 10 == 8 else "en"
    host = f"news{index:05d}.example.com"
    entries = []
    for n in range(items):
        published = now - timedelta(seconds=60 + n * (17_000 / max(items, 1)) + rng.random() * 60)
        title = _title(rng, lang, launch=rng.random() < 0.002)
        slug = f"{published:%Y/%m/%d}/{rng.getrandbits(48):012x}"
        link = f"https://{host}/{slug}.html?utm_source=rss&utm_medium=feed"
        entries.append(
            f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{host}-{index}-{n}-{rng.getrandbits(32):08x}</guid>'
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f"<dc:creator>Staff {rng.randint(1, 40)}</dc:creator>"
            f"<category>{escape(rng.choice(_OBJECTS))}</category>"
            f"<description>{escape(_description(rng, escape(title)))}</description></item>\n"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel>\n'
        f"<title>Newswire {index:05d}</title><link>https://{host}/</link>"
        f"<description>Latest headlines from newswire {index:05d}</description>"
        f"<language>{lang}</language><lastBuildDate>{format_datetime(now)}</lastBuildDate>"
        f'<atom:link href="https://{host}/rss.xml" rel="self" type="application/rss+xml"/>\n'
        + "".join(entries)
        + "</channel></rss>\n"
    ).encode()


def feed_path(index: int) -> str:
    return f"/feeds/f{index:05d}.xml"


def write_feeds(root: Path, count: int, items: int, *, seed: int = 1) -> list[str]:
    """Write `count` feeds under root/feeds; return their URL paths. Sizes go in the docs."""
    (root / "feeds").mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(microsecond=0)
    paths = []
    for i in range(count):
        path = feed_path(i)
        (root / path.lstrip("/")).write_bytes(feed_document(i, items, now=now, seed=seed))
        paths.append(path)
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class FeedServer:
    """A running server: its base URL, what it is, and a running count of response statuses."""

    base_url: str
    kind: str
    pid: int | None = None  # a separate server process (nginx master), for CPU accounting
    _statuses: Counter[int] = field(default_factory=Counter)
    _access_log: Path | None = None
    _log_offset: int = 0

    def statuses(self) -> Counter[int]:
        """Statuses answered so far, and (nginx only) under key 0 the connections opened.

        nginx logs `$status $connection_requests` per request; 1 means a new connection.
        """
        if self._access_log is None:
            return Counter(self._statuses)
        with contextlib.suppress(FileNotFoundError), self._access_log.open("rb") as f:
            f.seek(self._log_offset)
            data = f.read()
            cut = data.rfind(b"\n") + 1
            self._log_offset += cut
            for line in data[:cut].splitlines():
                status, _, requests_on_connection = line.partition(b" ")
                self._statuses[int(status)] += 1
                if requests_on_connection == b"1":  # the first request of a new TCP connection
                    self._statuses[NEW_CONNECTION] += 1
        return Counter(self._statuses)


def _wait_listening(port: int, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {START_TIMEOUT_S:.0f} s")


_NGINX_CONF = """\
{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  types {{ application/rss+xml xml; }}
  default_type application/octet-stream;
  log_format st '$status $connection_requests';
  access_log {tmp}/access.log st;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_requests 100000; keepalive_timeout 120s;
  etag on; if_modified_since exact;
  open_file_cache max=10000 inactive=120s;
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    root {root};
    location / {{ }}
  }}
}}
"""


@contextlib.contextmanager
def nginx_server(root: Path, tmp: Path) -> Iterator[FeedServer]:
    """nginx with a private config on a free 127.0.0.1 port, stopped on exit."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the 0700 temp dirs
    conf = tmp / "nginx.conf"
    conf.write_text(_NGINX_CONF.format(user=user, tmp=tmp, port=port, root=root.resolve()))
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [binary, "-e", str(tmp / "error.log"), "-p", str(tmp), "-c", str(conf),
         "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        _wait_listening(port, proc)
        yield FeedServer(
            f"http://127.0.0.1:{port}", "nginx", proc.pid, _access_log=tmp / "access.log"
        )
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)  # graceful: master waits for its worker
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _PyServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        entry = self.server.files.get(self.path.split("?", 1)[0])
        if entry is None:
            self._answer(404, b"", {})
            return
        body, etag, modified = entry
        validators = {"ETag": etag, "Last-Modified": modified}
        inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        if (inm is not None and etag in inm) or (inm is None and ims == modified):
            self._answer(304, b"", validators)
        else:
            self._answer(200, body, {**validators, "Content-Type": "application/rss+xml"})

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        with self.server.lock:
            self.server.counts[status] += 1

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


class _PyServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, port: int, files: dict[str, tuple[bytes, str, str]]) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.files = files
        self.counts: Counter[int] = Counter()
        self.lock = threading.Lock()


@contextlib.contextmanager
def python_server(root: Path) -> Iterator[FeedServer]:
    """The fallback: ThreadingHTTPServer over the same files, held in memory."""
    files = {}
    for path in sorted((root / "feeds").iterdir()):
        body = path.read_bytes()
        mtime = path.stat().st_mtime
        etag = f'"{int(mtime):x}-{len(body):x}"'
        files[f"/feeds/{path.name}"] = (body, etag, formatdate(mtime, usegmt=True))
    port = free_port()
    httpd = _PyServer(port, files)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        _wait_listening(port)
        server = FeedServer(f"http://127.0.0.1:{port}", "python ThreadingHTTPServer")
        server._statuses = httpd.counts  # live view, read under the GIL
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


@contextlib.contextmanager
def serve_feeds(root: Path, tmp: Path, *, prefer: str = "nginx") -> Iterator[FeedServer]:
    """nginx when available (and preferred), else the Python server."""
    if prefer == "nginx" and (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        with nginx_server(root, tmp) as server:
            yield server
    else:
        with python_server(root) as server:
            yield server
