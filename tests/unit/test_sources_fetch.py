"""fetch_feed through httpx.MockTransport: no sockets, every outcome a poller must tell apart."""

from __future__ import annotations

import dataclasses
import gzip
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator

import brotli
import httpx
import pytest

from alerts.errors import SourceError, SourceErrorKind
from alerts.sources.fetch import (
    HTTPX_ERROR_KINDS,
    FetchLimits,
    FetchResult,
    fetch_feed,
    make_http_client,
    max_age_seconds,
    retry_after_seconds,
)

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
URL = "https://feeds.example.com/rss.xml"
Handler = Callable[[httpx.Request], httpx.Response]


def chunks(data: bytes, size: int = 16_384) -> Iterator[bytes]:
    """The body as a stream of network-sized chunks (bytes content would be pre-decoded)."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes as gzip, built a megabyte at a time (never held whole)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1 << 20)
    return b"".join([compressor.compress(block) for _ in range(size >> 20)] + [compressor.flush()])


def brotli_bomb(size: int) -> bytes:
    """`size` zero bytes as brotli, built a megabyte at a time."""
    compressor = brotli.Compressor(quality=5)
    block = bytes(1 << 20)
    return b"".join([compressor.process(block) for _ in range(size >> 20)] + [compressor.finish()])


def client_for(handler: Handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=False)


def fetch(handler: Handler, url: str = URL, **kwargs: object) -> FetchResult:
    with client_for(handler) as client:
        return fetch_feed(client, url, source="src", **kwargs)  # type: ignore[arg-type]


def fetch_error(handler: Handler, url: str = URL, **kwargs: object) -> SourceError:
    with pytest.raises(SourceError) as caught:
        fetch(handler, url, **kwargs)
    assert caught.value.source == "src"
    return caught.value


def without_elapsed(result: FetchResult) -> FetchResult:
    assert 0 <= result.elapsed_s < 5
    return dataclasses.replace(result, elapsed_s=0.0)


class TestSuccess:
    def test_200_result(self) -> None:
        """A 200 gives the body, its validators and cache lifetime as one value."""

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(
                200,
                content=FEED,
                headers={
                    "Content-Type": "application/rss+xml; charset=utf-8",
                    "ETag": '"v1"',
                    "Last-Modified": "Tue, 25 Nov 2026 08:00:00 GMT",
                    "Cache-Control": "public, max-age=120",
                },
            )

        assert without_elapsed(fetch(handler)) == FetchResult(
            status=200,
            not_modified=False,
            body=FEED,
            content_type="application/rss+xml; charset=utf-8",
            etag='"v1"',
            last_modified="Tue, 25 Nov 2026 08:00:00 GMT",
            retry_after_s=None,
            max_age_s=120.0,
            final_url=URL,
            elapsed_s=0.0,
        )

    def test_conditional_headers_sent(self) -> None:
        """Validators from the last poll go out as If-None-Match and If-Modified-Since."""
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(304)

        fetch(handler, etag='"v1"', last_modified="Tue, 25 Nov 2026 08:00:00 GMT")
        headers = seen[0].headers
        assert headers["if-none-match"] == '"v1"'
        assert headers["if-modified-since"] == "Tue, 25 Nov 2026 08:00:00 GMT"
        assert headers["accept-encoding"] == "gzip, deflate, br"
        assert "application/rss+xml" in headers["accept"]

    def test_304_keeps_validators(self) -> None:
        """A 304 is a result, not an error, and keeps the validators it was asked with."""
        result = fetch(lambda r: httpx.Response(304), etag='"v1"', last_modified="lm")
        assert without_elapsed(result) == FetchResult(
            status=304,
            not_modified=True,
            body=b"",
            content_type=None,
            etag='"v1"',
            last_modified="lm",
            retry_after_s=None,
            max_age_s=None,
            final_url=URL,
            elapsed_s=0.0,
        )

    @pytest.mark.parametrize(
        ("encoding", "encode"),
        [
            ("gzip", gzip.compress),
            ("x-gzip", gzip.compress),
            ("br", brotli.compress),
            ("deflate", zlib.compress),
            ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as IIS sends it
            ("identity", lambda b: b),
            ("gzip, br", lambda b: brotli.compress(gzip.compress(b))),
        ],
    )
    def test_content_encodings_decoded(
        self, encoding: str, encode: Callable[[bytes], bytes]
    ) -> None:
        """Compressed bodies come back decoded."""
        body = FEED * 5_000  # > one decode step
        headers = {"Content-Encoding": encoding}
        result = fetch(lambda r: httpx.Response(200, content=chunks(encode(body)), headers=headers))
        assert result.body == body

    @pytest.mark.parametrize(
        ("encoding", "encode"),
        [("gzip", gzip.compress), ("br", brotli.compress), ("deflate", zlib.compress)],
    )
    def test_highly_compressible_body_decoded_whole(
        self, encoding: str, encode: Callable[[bytes], bytes]
    ) -> None:
        """Bodies inflating ~1000:1, within max_bytes, come back complete."""
        body = b"<rss>" + bytes(4_000_000) + b"</rss>"
        headers = {"Content-Encoding": encoding}
        result = fetch(lambda r: httpx.Response(200, content=chunks(encode(body)), headers=headers))
        assert result.body == body

    def test_redirect_on_same_host_followed(self) -> None:
        """Redirects within the configured host are followed; final_url says where we ended."""

        def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/rss.xml":
                return httpx.Response(301, headers={"Location": "/v2/rss.xml"})
            return httpx.Response(200, content=FEED)

        result = fetch(handler)
        assert result.final_url == "https://feeds.example.com/v2/rss.xml"
        assert result.body == FEED

    def test_redirect_to_public_address_followed(self) -> None:
        """A redirect to another, public host is followed."""
        hosts: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            hosts.append(request.url.host)
            if request.url.host == "feeds.example.com":
                return httpx.Response(302, headers={"Location": "https://93.184.215.14/feed"})
            return httpx.Response(200, content=FEED)

        assert fetch(handler).final_url == "https://93.184.215.14/feed"
        assert hosts == ["feeds.example.com", "93.184.215.14"]

    def test_configured_private_host_is_trusted(self) -> None:
        """The operator's own URL may be private, and so may redirects within its host:port."""

        def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/old":
                return httpx.Response(307, headers={"Location": "http://10.1.2.3:8080/new"})
            return httpx.Response(200, content=FEED)

        assert fetch(handler, "http://10.1.2.3:8080/old").final_url == "http://10.1.2.3:8080/new"


class TestBlocked:
    @pytest.mark.parametrize(
        "target",
        [
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/",
            "http://172.16.5.4/",
            "http://192.168.1.1/admin",
            "http://100.64.0.1/",
            "http://127.0.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://localhost:8080/",
            "http://224.0.0.1/",
            "http://240.0.0.1/",
        ],
    )
    def test_redirect_to_non_public_address_refused(self, target: str) -> None:
        """A feed cannot steer the poller at metadata services, the LAN or localhost."""
        hosts: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            hosts.append(request.url.host)
            return httpx.Response(302, headers={"Location": target})

        error = fetch_error(handler)
        assert error.kind is SourceErrorKind.BLOCKED
        assert "non-public address" in str(error)
        assert hosts == ["feeds.example.com"]  # no request ever went to the target

    def test_same_host_other_port_is_checked(self) -> None:
        """Trust covers the configured host:port only, not other ports on that host."""
        error = fetch_error(
            lambda r: httpx.Response(302, headers={"Location": "http://127.0.0.1:6379/"}),
            "http://127.0.0.1:8000/feed",
        )
        assert error.kind is SourceErrorKind.BLOCKED

    @pytest.mark.parametrize(
        "url", ["ftp://feeds.example.com/rss", "file:///etc/passwd", "gopher://x/", "feeds.com/x"]
    )
    def test_non_http_schemes_refused(self, url: str) -> None:
        """Only http and https are fetched."""
        assert fetch_error(lambda r: httpx.Response(200), url).kind is SourceErrorKind.BLOCKED

    def test_redirect_to_file_scheme_refused(self) -> None:
        """A redirect cannot switch to file:// either."""
        error = fetch_error(
            lambda r: httpx.Response(302, headers={"Location": "file:///etc/passwd"})
        )
        assert error.kind is SourceErrorKind.BLOCKED

    def test_redirect_loop(self) -> None:
        """A → B → A is detected as a loop at the first repeat."""
        calls: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            calls.append(request.url.path)
            other = "/b" if request.url.path == "/a" else "/a"
            return httpx.Response(302, headers={"Location": other})

        error = fetch_error(handler, "https://feeds.example.com/a")
        assert error.kind is SourceErrorKind.BLOCKED
        assert "loop" in str(error)
        assert calls == ["/a", "/b"]

    def test_too_many_redirects(self) -> None:
        """Following stops after max_redirects hops."""
        calls: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            calls.append(request.url.path)
            return httpx.Response(302, headers={"Location": f"/{len(calls)}"})

        error = fetch_error(handler, limits=FetchLimits(max_redirects=3))
        assert error.kind is SourceErrorKind.BLOCKED
        assert len(calls) == 4

    def test_redirect_without_location(self) -> None:
        """A 3xx without Location is an HTTP_STATUS failure."""
        assert fetch_error(lambda r: httpx.Response(302)).kind is SourceErrorKind.HTTP_STATUS


class TestStatuses:
    def test_429_seconds(self) -> None:
        """429 is RATE_LIMITED and carries Retry-After in seconds."""
        error = fetch_error(lambda r: httpx.Response(429, headers={"Retry-After": "7"}))
        assert (error.kind, error.retry_after_s) == (SourceErrorKind.RATE_LIMITED, 7.0)

    def test_429_http_date_against_server_date(self) -> None:
        """An HTTP-date Retry-After is measured from the response's Date header."""
        headers = {
            "Date": "Tue, 25 Nov 2026 08:00:00 GMT",
            "Retry-After": "Tue, 25 Nov 2026 08:02:00 GMT",
        }
        error = fetch_error(lambda r: httpx.Response(429, headers=headers))
        assert error.retry_after_s == 120.0

    def test_503_keeps_retry_after(self) -> None:
        """503 is HTTP_STATUS but still tells the poller how long to wait."""
        error = fetch_error(lambda r: httpx.Response(503, headers={"Retry-After": "30"}))
        assert (error.kind, error.retry_after_s) == (SourceErrorKind.HTTP_STATUS, 30.0)

    @pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 500, 502, 504, 300, 204 - 104])
    def test_other_statuses(self, status: int) -> None:
        """4xx/5xx and unexpected codes are HTTP_STATUS, naming the code."""
        error = fetch_error(lambda r: httpx.Response(status))
        assert error.kind is SourceErrorKind.HTTP_STATUS
        assert f"HTTP {status}" in str(error)
        assert error.retry_after_s is None

    def test_messages_hide_path_query_and_credentials(self) -> None:
        """Errors name scheme and host only, never tokens in the path, query or userinfo."""
        url = "https://user:hunter2@feeds.example.com/private/KEY123/rss?token=SECRET"
        for handler in (
            lambda r: httpx.Response(500),
            lambda r: httpx.Response(429),
            lambda r: httpx.Response(302, headers={"Location": "http://10.0.0.1/?token=SECRET"}),
        ):
            text = str(fetch_error(handler, url))
            assert "feeds.example.com" in text or "10.0.0.1" in text
            for secret in ("hunter2", "KEY123", "SECRET", "user"):
                assert secret not in text


class TestRetryAfterAndCacheControl:
    @pytest.mark.parametrize(
        ("headers", "expected"),
        [
            ({}, None),
            ({"Retry-After": "0"}, 0.0),
            ({"Retry-After": "3600"}, 3600.0),
            ({"Retry-After": "soon"}, None),
            (
                {
                    "Retry-After": "Tue, 25 Nov 2026 07:00:00 GMT",
                    "Date": "Tue, 25 Nov 2026 08:00:00 GMT",
                },
                0.0,
            ),
        ],
    )
    def test_retry_after(self, headers: dict[str, str], expected: float | None) -> None:
        """Seconds or HTTP-dates; past dates mean now; junk means unknown."""
        assert retry_after_seconds(httpx.Headers(headers)) == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("max-age=300", 300.0),
            ("public, max-age=60, must-revalidate", 60.0),
            ('max-age="90"', 90.0),
            ("s-maxage=10", None),
            ("no-cache", None),
        ],
    )
    def test_max_age(self, value: str, expected: float | None) -> None:
        """Cache-Control max-age, not s-maxage."""
        assert max_age_seconds(httpx.Headers({"Cache-Control": value})) == expected


class TestSizeAndTime:
    def test_declared_length_over_limit(self) -> None:
        """A Content-Length over max_bytes is refused before reading the body."""

        def never_read() -> Iterator[bytes]:
            raise AssertionError("the body was read")
            yield b""  # pragma: no cover

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(
                200, headers={"Content-Length": "999999999"}, content=never_read()
            )

        assert fetch_error(handler).kind is SourceErrorKind.TOO_LARGE

    def test_undeclared_body_over_limit(self) -> None:
        """A chunked body is counted as it arrives and cut off at max_bytes."""

        def endless() -> Iterator[bytes]:
            while True:
                yield b"x" * 65_536

        error = fetch_error(
            lambda r: httpx.Response(200, content=endless()),
            limits=FetchLimits(max_bytes=1_000_000),
        )
        assert error.kind is SourceErrorKind.TOO_LARGE

    @pytest.mark.parametrize(
        ("encoding", "bomb"),
        [("gzip", lambda: gzip_bomb(200_000_000)), ("br", lambda: brotli_bomb(500_000_000))],
    )
    def test_decompression_bombs_stop_at_limit(
        self, encoding: str, bomb: Callable[[], bytes]
    ) -> None:
        """Decoded bytes are what count, and memory stays near max_bytes while refusing."""
        payload = bomb()
        assert len(payload) < 1_000_000
        handler = lambda r: httpx.Response(  # noqa: E731
            200, content=chunks(payload, 65_536), headers={"Content-Encoding": encoding}
        )
        tracemalloc.start()
        try:
            error = fetch_error(handler, limits=FetchLimits(max_bytes=1_000_000))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert error.kind is SourceErrorKind.TOO_LARGE
        assert peak < 8_000_000

    def test_corrupt_compressed_body(self) -> None:
        """A body that does not decode is a NETWORK failure."""
        error = fetch_error(
            lambda r: httpx.Response(
                200, content=chunks(b"not gzip"), headers={"Content-Encoding": "gzip"}
            )
        )
        assert error.kind is SourceErrorKind.NETWORK

    def test_unknown_content_encoding(self) -> None:
        """An encoding we did not offer is refused, not passed on as garbage."""
        error = fetch_error(
            lambda r: httpx.Response(
                200, content=chunks(b"x"), headers={"Content-Encoding": "zstd"}
            )
        )
        assert error.kind is SourceErrorKind.NETWORK

    def test_total_deadline_while_streaming(self) -> None:
        """A body that keeps arriving, slowly, is cut off at total_timeout_s."""

        def slow() -> Iterator[bytes]:
            while True:
                time.sleep(0.02)
                yield b"<"

        started = time.monotonic()
        error = fetch_error(
            lambda r: httpx.Response(200, content=slow()), limits=FetchLimits(total_timeout_s=0.3)
        )
        assert error.kind is SourceErrorKind.TIMEOUT
        assert time.monotonic() - started < 1.0


def _instance(cls: type[Exception]) -> Exception:
    request = httpx.Request("GET", "https://feeds.example.com/rss?token=SECRET")
    message = "failed for https://feeds.example.com/rss?token=SECRET"
    if cls is httpx.HTTPStatusError:
        return cls(message, request=request, response=httpx.Response(500, request=request))
    if issubclass(cls, httpx.StreamError):
        return cls() if cls is not httpx.StreamError else cls(message)
    if issubclass(cls, httpx.RequestError):
        return cls(message, request=request)
    return cls(message)


HTTPX_EXCEPTIONS = sorted(
    (
        obj
        for obj in vars(httpx).values()
        if isinstance(obj, type)
        and issubclass(obj, Exception)
        and obj.__module__.startswith("httpx")
    ),
    key=lambda cls: cls.__name__,
)


class TestHttpxExceptionMapping:
    def test_every_httpx_exception_is_mapped(self) -> None:
        """Each exception class httpx exports has an explicit kind (an upgrade adding one fails)."""
        assert len(HTTPX_EXCEPTIONS) > 20
        assert set(HTTPX_EXCEPTIONS) <= set(HTTPX_ERROR_KINDS)

    @pytest.mark.parametrize("cls", HTTPX_EXCEPTIONS, ids=lambda cls: cls.__name__)
    def test_raised_exception_becomes_source_error(self, cls: type[Exception]) -> None:
        """Whatever httpx raises comes out as a SourceError of the mapped kind, scrubbed."""
        exc = _instance(cls)

        def handler(request: httpx.Request) -> httpx.Response:
            raise exc

        error = fetch_error(handler, "https://feeds.example.com/rss?token=SECRET")
        assert error.kind is HTTPX_ERROR_KINDS[cls]
        assert "SECRET" not in str(error)
        assert error.__cause__ is exc

    @pytest.mark.parametrize(
        ("cls", "kind"),
        [
            (httpx.ConnectTimeout, SourceErrorKind.TIMEOUT),
            (httpx.ReadTimeout, SourceErrorKind.TIMEOUT),
            (httpx.PoolTimeout, SourceErrorKind.TIMEOUT),
            (httpx.ConnectError, SourceErrorKind.NETWORK),
            (httpx.RemoteProtocolError, SourceErrorKind.NETWORK),
            (httpx.UnsupportedProtocol, SourceErrorKind.BLOCKED),
        ],
    )
    def test_kinds_that_matter(self, cls: type[Exception], kind: SourceErrorKind) -> None:
        """Timeouts are TIMEOUT, connection trouble NETWORK, odd schemes BLOCKED."""
        assert HTTPX_ERROR_KINDS[cls] is kind


class TestMakeHttpClient:
    def test_configuration(self) -> None:
        """The client never follows redirects itself, ignores proxy env, and sends our UA."""
        limits = FetchLimits(connect_timeout_s=2.0, read_timeout_s=3.0, total_timeout_s=4.0)
        with make_http_client(limits) as client:
            assert client.follow_redirects is False
            assert client.trust_env is False
            assert client.headers["user-agent"] == limits.user_agent
            assert client.timeout == httpx.Timeout(connect=2.0, read=3.0, write=3.0, pool=2.0)
