"""A real HTTP server on 127.0.0.1 for tests, whose routes each test configures.

    with FeedServer() as srv:
        srv.add("/rss", body=feed_bytes, content_type="application/rss+xml", etag=True)
        srv.redirect("/old", "/rss")
        srv.add("/busy", status=429, headers={"Retry-After": "30"})
        httpx.get(srv.url("/rss"))
        srv.set("/rss", body=newer_bytes, etag=True)     # change the feed between polls
        assert srv.requests[-1].headers["if-none-match"] == '"…"'

Routes answer conditional GETs like a well-behaved origin (If-None-Match before
If-Modified-Since, 304 without a body), compress on request (`encoding="gzip"|"br"|"deflate"`),
trickle their bytes slowly (`trickle_s`, optionally the headers too), or stream a generated body
(`stream=`) so a 50 MB response never exists in memory. `gzip_bomb()` and `generated_feed()`
make the classic hostile bodies. Unknown paths are 404.

The server runs in a background thread (stdlib ThreadingHTTPServer), binds an ephemeral port,
and on exit stops within about a second even while a handler is trickling: handlers watch a
stop event between writes.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import brotli

__all__ = ["FeedServer", "RecordedRequest", "Route", "generated_feed", "gzip_bomb"]

_STOP_WAIT_S = 2.0


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the server received. Header names are lowercase."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class Route:
    """How one path answers. Build through FeedServer.add; see its docstring."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    encoding: str | None = None
    stream: Callable[[], Iterable[bytes]] | None = None
    content_length: int | None = None
    trickle_s: float = 0.0
    trickle_headers: bool = False
    chunk_size: int = 1


class FeedServer:
    """A threaded HTTP/1.1 server on 127.0.0.1:<free port>; use as a context manager."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self.stopping = threading.Event()
        self._httpd = _Server((host, 0), _Handler)
        self._httpd.feed_server = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- lifecycle ---

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving, let trickling handlers notice, and release the port."""
        self.stopping.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(_STOP_WAIT_S)
        self._httpd.server_close()
        self._httpd.join_handlers(_STOP_WAIT_S)

    # --- addresses ---

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return f"{self.base_url}{path}"

    # --- routes ---

    def add(
        self,
        path: str,
        body: bytes = b"",
        *,
        status: int = 200,
        content_type: str | None = "application/rss+xml; charset=utf-8",
        headers: dict[str, str] | None = None,
        etag: bool | str = False,
        last_modified: bool | str = False,
        encoding: str | None = None,
        stream: Callable[[], Iterable[bytes]] | None = None,
        content_length: int | None = None,
        trickle_s: float = 0.0,
        trickle_headers: bool = False,
        chunk_size: int = 1,
    ) -> Route:
        """Serve `path`. Replaces any earlier route for it (`set` is the same call).

        Args:
            body: the entity body (before any `encoding`).
            status, content_type, headers: the response line and extra headers.
            etag: True for a strong ETag derived from the body, or the exact header value;
                answered with 304 when If-None-Match matches.
            last_modified: True for a fixed date, or the exact HTTP-date; answered with 304
                when If-Modified-Since is not older (and no If-None-Match was sent).
            encoding: "gzip", "br" or "deflate" to compress `body` as Content-Encoding.
            stream: a callable returning chunks, sent chunked (or with `content_length`).
            trickle_s: pause between chunks of `chunk_size` bytes of the body.
            trickle_headers: trickle the status line and headers as well.
        """
        if etag is True:
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if last_modified is True:
            last_modified = formatdate(1_795_000_000, usegmt=True)
        route = Route(
            body=body,
            status=status,
            content_type=content_type,
            headers=dict(headers or {}),
            etag=etag or None,
            last_modified=last_modified or None,
            encoding=encoding,
            stream=stream,
            content_length=content_length,
            trickle_s=trickle_s,
            trickle_headers=trickle_headers,
            chunk_size=chunk_size,
        )
        with self._lock:
            self._routes[path] = route
        return route

    set = add

    def redirect(self, path: str, to: str, *, status: int = 302) -> Route:
        """Answer `path` with a redirect to `to` (a path on this server or an absolute URL)."""
        return self.add(path, status=status, content_type=None, headers={"Location": to})

    def route(self, path: str) -> Route | None:
        with self._lock:
            return self._routes.get(path)

    # --- request log ---

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def connections(self) -> int:
        """TCP connections accepted so far (keep-alive reuse shows as fewer than requests)."""
        return self._httpd.connections

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)


def gzip_bomb(decoded_bytes: int = 1_000_000_000) -> bytes:
    """A gzip member that inflates to `decoded_bytes` zero bytes (1 GB is ~1 MB compressed)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(decoded_bytes >> 20)]
    parts.append(compressor.compress(bytes(decoded_bytes & ((1 << 20) - 1))))
    parts.append(compressor.flush())
    return b"".join(parts)


def generated_feed(total_bytes: int, chunk_bytes: int = 64 * 1024) -> Callable[[], Iterator[bytes]]:
    """A stream factory for an RSS document of about `total_bytes`, generated as it is sent."""
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>'
    item = b"<item><title>filler</title><description>" + b"x" * 900 + b"</description></item>"

    def chunks() -> Iterator[bytes]:
        yield head
        sent = len(head)
        per_chunk = item * max(1, chunk_bytes // len(item))
        while sent < total_bytes:
            yield per_chunk
            sent += len(per_chunk)
        yield b"</channel></rss>"

    return chunks


# --- server internals ----------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    feed_server: FeedServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._active: set[socket.socket] = set()
        self._active_lock = threading.Condition()
        self.connections = 0  # TCP connections accepted so far

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._active_lock:
            self.connections += 1
            self._active.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._active_lock:
                self._active.discard(request)
                self._active_lock.notify_all()

    def join_handlers(self, timeout_s: float) -> None:
        """Hang up on open connections (idle keep-alives, trickles), then wait for handlers."""
        with self._active_lock:
            for sock in self._active:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._active_lock.wait_for(lambda: not self._active, timeout_s)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-response is what these tests do; stay quiet about it."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""

    def do_GET(self) -> None:
        feed_server = self.server.feed_server
        headers = {name.lower(): value for name, value in self.headers.items()}
        feed_server._record(RecordedRequest("GET", self.path, headers))
        route = feed_server.route(self.path.split("?", 1)[0])
        if route is None:
            self._respond(Route(status=404, content_type="text/plain", body=b"not found"))
        elif _not_modified(route, headers):
            self._respond(Route(status=304, content_type=None, headers=_validators(route)))
        else:
            self._respond(route)

    def _respond(self, route: Route) -> None:
        body = _encode(route.body, route.encoding)
        head = [f"HTTP/1.1 {route.status} {self.responses.get(route.status, ('',))[0]}"]
        head.append(f"Date: {formatdate(time.time(), usegmt=True)}")
        if route.content_type:
            head.append(f"Content-Type: {route.content_type}")
        if route.encoding:
            head.append(f"Content-Encoding: {route.encoding}")
        head.extend(f"{k}: {v}" for k, v in {**route.headers, **_validators(route)}.items())
        if route.stream is not None and route.content_length is None:
            head.append("Transfer-Encoding: chunked")
        elif route.status != 304:
            length = route.content_length if route.stream is not None else len(body)
            head.append(f"Content-Length: {length}")
        raw_head = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if route.trickle_headers:
            self._trickle(raw_head, route)
        else:
            self.wfile.write(raw_head)
        if route.status == 304:
            return
        if route.stream is not None:
            self._send_stream(route)
        elif route.trickle_s:
            self._trickle(body, route)
        else:
            self.wfile.write(body)

    def _send_stream(self, route: Route) -> None:
        chunked = route.content_length is None
        for chunk in route.stream() if route.stream else ():
            if self.server.feed_server.stopping.is_set():
                return
            if chunked:
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            else:
                self.wfile.write(chunk)
            if route.trickle_s:
                time.sleep(route.trickle_s)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _trickle(self, data: bytes, route: Route) -> None:
        stopping = self.server.feed_server.stopping
        for start in range(0, len(data), route.chunk_size):
            if stopping.wait(route.trickle_s):
                return
            self.wfile.write(data[start : start + route.chunk_size])
            self.wfile.flush()


def _validators(route: Route) -> dict[str, str]:
    out = {}
    if route.etag:
        out["ETag"] = route.etag
    if route.last_modified:
        out["Last-Modified"] = route.last_modified
    return out


def _not_modified(route: Route, headers: dict[str, str]) -> bool:
    """RFC 9110 13.2.2: If-None-Match is evaluated first; If-Modified-Since only without it."""
    if route.status != 200:
        return False
    if "if-none-match" in headers:
        tags = [t.strip() for t in headers["if-none-match"].split(",")]
        return route.etag is not None and (route.etag in tags or "*" in tags)
    since = headers.get("if-modified-since")
    if since and route.last_modified:
        try:
            return parsedate_to_datetime(route.last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _encode(body: bytes, encoding: str | None) -> bytes:
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "br":
        return brotli.compress(body)
    if encoding == "deflate":
        return zlib.compress(body)
    return body
