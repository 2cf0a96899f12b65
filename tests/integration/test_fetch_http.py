"""fetch_feed (and parse_feed) against a real HTTP server on 127.0.0.1, through real sockets.

Every test runs twice: through `sources.fetch` (httpx) and through the poller's fast path
(`sources.multifetch`, libcurl), which must give the same answers and errors.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from alerts.errors import SourceError, SourceErrorKind
from alerts.sources.fetch import FetchLimits, FetchResult, fetch_feed, make_http_client
from alerts.sources.multifetch import CurlFetcher, FetchRequest
from alerts.sources.parse import parse_feed
from tests.integration.feed_server import FeedServer, generated_feed, gzip_bomb

FEEDS = Path(__file__).parents[1] / "data" / "feeds"
RSS = (FEEDS / "rss2.xml").read_bytes()
LIMITS = FetchLimits(connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=1.5)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture(params=["httpx", "curl"])
def client(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    with make_http_client(LIMITS) as http_client:
        http_client.via = request.param  # type: ignore[attr-defined]
        yield http_client


def fetch(client: httpx.Client, url: str, **kwargs: Any) -> FetchResult:
    limits = kwargs.pop("limits", LIMITS)
    if getattr(client, "via", "httpx") == "httpx":
        return fetch_feed(client, url, source="src", limits=limits, **kwargs)

    def fallback(r: FetchRequest, location: str, left_s: float) -> FetchResult:
        return fetch_feed(client, r.url, source=r.source, etag=r.etag,
                          last_modified=r.last_modified, redirected_to=location,
                          limits=dataclasses.replace(limits, total_timeout_s=left_s))  # fmt: skip

    fetcher = CurlFetcher(limits, fallback=fallback)
    try:
        outcome = fetcher.fetch(url, source="src", **kwargs)
    finally:
        fetcher.close()
    if isinstance(outcome, SourceError):
        raise outcome
    return outcome


def fetch_error(client: httpx.Client, url: str, **kwargs: Any) -> SourceError:
    with pytest.raises(SourceError) as caught:
        fetch(client, url, **kwargs)
    return caught.value


class TestConditionalGet:
    def test_200_then_304_then_changed(self, server: FeedServer, client: httpx.Client) -> None:
        """The second poll sends both validators and gets 304; a changed feed is a new 200."""
        server.add("/rss", RSS, etag=True, last_modified=True)
        first = fetch(client, server.url("/rss"))
        assert (first.status, first.not_modified, first.body) == (200, False, RSS)
        assert first.etag
        assert first.last_modified

        second = fetch(
            client, server.url("/rss"), etag=first.etag, last_modified=first.last_modified
        )
        assert (second.status, second.not_modified, second.body) == (304, True, b"")
        assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
        sent = server.requests_to("/rss")[-1].headers
        assert sent["if-none-match"] == first.etag
        assert sent["if-modified-since"] == first.last_modified

        newer = RSS.replace(b"Defense Wire", b"Defence Wire")
        server.set("/rss", newer, etag=True, last_modified=True)
        third = fetch(
            client, server.url("/rss"), etag=second.etag, last_modified=second.last_modified
        )
        assert (third.status, third.body) == (200, newer)
        assert third.etag != first.etag

    def test_last_modified_alone(self, server: FeedServer, client: httpx.Client) -> None:
        """A server with only Last-Modified also answers 304."""
        server.add("/rss", RSS, last_modified="Tue, 25 Nov 2026 08:00:00 GMT")
        first = fetch(client, server.url("/rss"))
        assert first.etag is None
        again = fetch(client, server.url("/rss"), last_modified=first.last_modified)
        assert again.not_modified

    def test_parsed_end_to_end(self, server: FeedServer, client: httpx.Client) -> None:
        """What fetch returns is what parse_feed takes."""
        server.add("/rss", RSS, content_type="application/rss+xml; charset=utf-8")
        result = fetch(client, server.url("/rss"))
        feed = parse_feed(
            result.body, source="src", content_type=result.content_type, url=result.final_url
        )
        assert feed.ttl_s == 300.0
        assert [item.id for item in feed.items] == [
            "urn:example:news:98765",
            "https://news.example.com/world/asia/japan-eez",
        ]


class TestEncodingsAndTypes:
    @pytest.mark.parametrize("encoding", ["gzip", "br", "deflate"])
    def test_compressed(self, server: FeedServer, client: httpx.Client, encoding: str) -> None:
        """Compressed responses are offered for and decoded."""
        server.add("/rss", RSS, encoding=encoding)
        assert fetch(client, server.url("/rss")).body == RSS
        assert server.requests[-1].headers["accept-encoding"] == "gzip, deflate, br"

    @pytest.mark.parametrize(
        "content_type", ["text/html; charset=utf-8", "application/octet-stream"]
    )
    def test_wrong_content_type_still_parsed(
        self, server: FeedServer, client: httpx.Client, content_type: str
    ) -> None:
        """A feed served with a wrong Content-Type is still a feed."""
        server.add("/rss", RSS, content_type=content_type)
        result = fetch(client, server.url("/rss"))
        feed = parse_feed(result.body, source="src", content_type=result.content_type)
        assert feed.title == "Defense Wire & Wires"

    def test_html_page_is_a_parse_error(self, server: FeedServer, client: httpx.Client) -> None:
        """An HTML page fetches fine and then fails parsing with kind PARSE."""
        server.add("/rss", (FEEDS / "html_page.html").read_bytes(), content_type="text/html")
        result = fetch(client, server.url("/rss"))
        with pytest.raises(SourceError) as caught:
            parse_feed(result.body, source="src", content_type=result.content_type)
        assert caught.value.kind is SourceErrorKind.PARSE


class TestParserNeverFetches:
    def test_external_dtd_and_entities_never_requested(self, server: FeedServer) -> None:
        """Neither an external DTD nor an external entity is ever fetched while parsing."""
        server.add("/evil.dtd", b'<!ENTITY leak "LEAKED">', content_type="application/xml-dtd")
        item = b"<item><title>t &leak;</title><guid>1</guid></item>"
        channel = b'<rss version="2.0"><channel><title>x</title>' + item + b"</channel></rss>"
        dtd_url = server.url("/evil.dtd").encode()
        external_dtd = b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "' + dtd_url + b'">' + channel
        external_entity = (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY leak SYSTEM "'
            + dtd_url
            + b'">]>'
            + channel
        )
        feed = parse_feed(external_dtd, source="src")
        assert "LEAKED" not in feed.items[0].title
        with pytest.raises(SourceError) as caught:
            parse_feed(external_entity, source="src")
        assert caught.value.kind is SourceErrorKind.PARSE
        assert server.requests == []


class TestLimits:
    def test_50_mb_body_refused_quickly(self, server: FeedServer, client: httpx.Client) -> None:
        """A 50 MB streamed body stops at max_bytes, fast and without holding 50 MB."""
        server.add("/huge", stream=generated_feed(50_000_000))
        started = time.monotonic()
        tracemalloc.start()
        try:
            error = fetch_error(client, server.url("/huge"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert error.kind is SourceErrorKind.TOO_LARGE
        assert time.monotonic() - started < 3.0
        assert peak < 3 * LIMITS.max_bytes

    def test_declared_huge_body_refused_unread(
        self, server: FeedServer, client: httpx.Client
    ) -> None:
        """A Content-Length over the limit is refused from the headers."""
        server.add("/huge", stream=generated_feed(50_000_000), content_length=50_000_000)
        assert fetch_error(client, server.url("/huge")).kind is SourceErrorKind.TOO_LARGE

    def test_gzip_bomb(self, server: FeedServer, client: httpx.Client) -> None:
        """300 MB of zeros in ~300 kB of gzip stops at max_bytes of decoded data."""
        server.add("/bomb", gzip_bomb(300_000_000), headers={"Content-Encoding": "gzip"})
        tracemalloc.start()
        try:
            error = fetch_error(client, server.url("/bomb"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert error.kind is SourceErrorKind.TOO_LARGE
        assert peak < 3 * LIMITS.max_bytes

    def test_trickled_body_hits_total_deadline(
        self, server: FeedServer, client: httpx.Client
    ) -> None:
        """One byte every 50 ms never trips the read timeout but cannot pass the deadline."""
        server.add("/slow", RSS, trickle_s=0.05)
        started = time.monotonic()
        error = fetch_error(client, server.url("/slow"))
        elapsed = time.monotonic() - started
        assert error.kind is SourceErrorKind.TIMEOUT
        assert LIMITS.total_timeout_s - 0.1 < elapsed < LIMITS.total_timeout_s + 1.0

    def test_stalled_body_hits_read_timeout_before_deadline(
        self, server: FeedServer, client: httpx.Client
    ) -> None:
        """A server that goes quiet for longer than the read timeout is cut off then."""
        server.add("/stall", RSS, trickle_s=4.0)
        limits = FetchLimits(connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=8.0)
        started = time.monotonic()
        error = fetch_error(client, server.url("/stall"), limits=limits)
        assert error.kind is SourceErrorKind.TIMEOUT
        assert time.monotonic() - started < 3.5

    def test_trickled_headers_hit_total_deadline(
        self, server: FeedServer, client: httpx.Client
    ) -> None:
        """Even headers sent a byte at a time stop at the deadline (make_http_client's clamp)."""
        server.add("/slow", RSS, trickle_s=0.05, trickle_headers=True)
        started = time.monotonic()
        error = fetch_error(client, server.url("/slow"))
        assert error.kind is SourceErrorKind.TIMEOUT
        assert time.monotonic() - started < LIMITS.total_timeout_s + 1.0

    def test_connection_refused(self, client: httpx.Client) -> None:
        """Nothing listening is a NETWORK failure."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        error = fetch_error(client, f"http://127.0.0.1:{port}/rss")
        assert error.kind is SourceErrorKind.NETWORK


class TestRedirects:
    def test_followed_on_same_server(self, server: FeedServer, client: httpx.Client) -> None:
        """Redirects within the configured host:port are followed."""
        server.redirect("/old", "/new", status=301)
        server.add("/new", RSS)
        result = fetch(client, server.url("/old"))
        assert (result.final_url, result.body) == (server.url("/new"), RSS)

    def test_loop_blocked(self, server: FeedServer, client: httpx.Client) -> None:
        """A redirect loop is BLOCKED after one round."""
        server.redirect("/a", "/b")
        server.redirect("/b", "/a")
        error = fetch_error(client, server.url("/a"))
        assert error.kind is SourceErrorKind.BLOCKED
        assert [r.path for r in server.requests] == ["/a", "/b"]  # each URL asked once

    @pytest.mark.parametrize(
        "target",
        ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[fd00::1]/"],
    )
    def test_private_target_blocked_before_connecting(
        self,
        server: FeedServer,
        client: httpx.Client,
        monkeypatch: pytest.MonkeyPatch,
        target: str,
    ) -> None:
        """A redirect to a private address is refused and no socket ever connects to it."""
        connected: list[object] = []
        real_connect = socket.socket.connect

        def guarded_connect(sock: socket.socket, address: Any) -> None:
            connected.append(address[0])
            if address[0] not in ("127.0.0.1", "::1"):
                raise AssertionError(f"connection attempted to {address!r}")
            real_connect(sock, address)

        monkeypatch.setattr(socket.socket, "connect", guarded_connect)
        server.redirect("/rss", target)
        error = fetch_error(client, server.url("/rss"))
        assert error.kind is SourceErrorKind.BLOCKED
        assert connected == _python_connects(client)

    def test_dns_rebinding_blocked_at_connect(
        self, server: FeedServer, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A name that is public when checked and private when connected is still refused."""
        answers = iter(["93.184.215.14", "10.0.0.1"])
        real_getaddrinfo = socket.getaddrinfo
        connected: list[object] = []
        real_connect = socket.socket.connect

        def rebinding_getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
            if host == "rebind.example":
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
            return real_getaddrinfo(host, port, *args, **kwargs)

        def guarded_connect(sock: socket.socket, address: Any) -> None:
            connected.append(address[0])
            if address[0] != "127.0.0.1":
                raise AssertionError(f"connection attempted to {address!r}")
            real_connect(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", guarded_connect)
        server.redirect("/rss", "http://rebind.example/feed")
        error = fetch_error(client, server.url("/rss"))
        assert error.kind is SourceErrorKind.BLOCKED
        assert "10.0.0.1" in str(error)
        assert connected == _python_connects(client)


def _python_connects(client: httpx.Client) -> list[str]:
    """Sockets Python opened for a redirect refused at its first hop: the httpx path opened one
    to the configured server; libcurl (the fast path) opens its own in C, unseen here, and the
    refused hop is never connected by either."""
    return [] if client.via == "curl" else ["127.0.0.1"]  # type: ignore[attr-defined]


class TestStatuses:
    def test_429_with_retry_after(self, server: FeedServer, client: httpx.Client) -> None:
        """429 is RATE_LIMITED with the server's Retry-After."""
        server.add("/rss", status=429, headers={"Retry-After": "30"})
        error = fetch_error(client, server.url("/rss"))
        assert (error.kind, error.retry_after_s) == (SourceErrorKind.RATE_LIMITED, 30.0)

    def test_500(self, server: FeedServer, client: httpx.Client) -> None:
        """500 is HTTP_STATUS, and the message hides the path and query."""
        server.add("/rss", status=500, body=b"oops")
        error = fetch_error(client, server.url("/rss") + "?key=SECRET")
        assert error.kind is SourceErrorKind.HTTP_STATUS
        assert "SECRET" not in str(error)
        assert "HTTP 500" in str(error)

    def test_unknown_path_404(self, server: FeedServer, client: httpx.Client) -> None:
        """Unconfigured paths are 404 → HTTP_STATUS."""
        assert fetch_error(client, server.url("/missing")).kind is SourceErrorKind.HTTP_STATUS


class TestFeedServer:
    def test_stops_promptly_while_trickling(self, client: httpx.Client) -> None:
        """Closing the server mid-trickle returns in well under its handler timeouts."""
        srv = FeedServer().__enter__()
        srv.add("/slow", RSS, trickle_s=0.2)
        with pytest.raises(SourceError):
            fetch(client, srv.url("/slow"), limits=FetchLimits(total_timeout_s=0.3))
        started = time.monotonic()
        srv.close()
        assert time.monotonic() - started < 1.5


def test_unchanged_polls_reuse_one_connection() -> None:
    """304 answers leave the connection open for the next poll: no handshake per poll."""
    from alerts.sources.fetch import FetchLimits, fetch_feed, make_http_client
    from tests.integration.feed_server import FeedServer as _FeedServer

    with _FeedServer() as srv:
        srv.add("/rss", b"<rss version='2.0'><channel><title>t</title></channel></rss>",
                etag=True)  # fmt: skip
        client = make_http_client(FetchLimits())
        try:
            first = fetch_feed(client, srv.url("/rss"), source="s")
            for _ in range(20):
                again = fetch_feed(client, srv.url("/rss"), source="s", etag=first.etag)
                assert again.not_modified
        finally:
            client.close()
        assert len(srv.requests_to("/rss")) == 21
        assert srv.connections <= 2


@pytest.mark.parametrize(
    "etag",
    [
        '"v1"\r\nX-Injected: 1',  # the server's text replayed: CR/LF could add headers
        '"caf\u00e9"',  # headers are read as Latin-1: pycurl could not encode it
    ],
)
def test_fast_path_never_sends_a_validator_it_should_not(etag: str) -> None:
    """Such an ETag is dropped: an unconditional GET, not injected headers or a crash."""
    with FeedServer() as srv:
        srv.add("/rss", RSS)
        fetcher = CurlFetcher(LIMITS, fallback=lambda r, _loc, _left: pytest.fail("no redirect"))
        try:
            result = fetcher.fetch(srv.url("/rss"), source="s", etag=etag)
        finally:
            fetcher.close()
    assert not isinstance(result, SourceError)
    assert result.status == 200
    sent = srv.requests[-1].headers
    assert "x-injected" not in sent
    assert "if-none-match" not in sent


class TestAwkwardAnswers:
    def test_error_with_a_huge_body_keeps_its_kind(
        self, server: FeedServer, client: httpx.Client
    ) -> None:
        """A 429 whose body is over the size cap is still RATE_LIMITED, with its Retry-After."""
        server.add("/rss", b"x" * 5000, status=429, headers={"Retry-After": "30"})
        limits = dataclasses.replace(LIMITS, max_bytes=1000)
        error = fetch_error(client, server.url("/rss"), limits=limits)
        assert (error.kind, error.retry_after_s) == (SourceErrorKind.RATE_LIMITED, 30.0)

    def test_url_with_a_space_is_sent_percent_encoded(
        self, server: FeedServer, client: httpx.Client
    ) -> None:
        server.add("/a%20b", RSS)
        assert fetch(client, server.url("/a b")).body == RSS


def test_fast_path_ignores_chunked_trailers() -> None:
    """A trailer after a chunked body is not a response header: it cannot replace the ETag
    or the cache hint the headers gave."""
    body = RSS
    response = (
        b'HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: "real"\r\n'
        b"Transfer-Encoding: chunked\r\nTrailer: ETag, Cache-Control\r\nConnection: close\r\n\r\n"
        + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n"
        b'ETag: "trailer"\r\nCache-Control: max-age=999999\r\n\r\n'
    )  # fmt: skip
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(response)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        fetcher = CurlFetcher(LIMITS, fallback=lambda r, _loc, _left: pytest.fail("no redirect"))
        try:
            result = fetcher.fetch(f"http://127.0.0.1:{port}/rss", source="s")
        finally:
            fetcher.close()
        thread.join(5)
    assert not isinstance(result, SourceError)
    assert (result.body, result.etag, result.max_age_s) == (RSS, '"real"', None)
