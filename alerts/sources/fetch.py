"""HTTP for feeds: one conditional GET with every limit a hostile or broken server needs.

The adapter of the sources stage and the only module in it that imports httpx. It answers the
poller's HTTP questions in one place (Miniflux's ResponseHandler): modified or not, the
validators to send next time, how long the server asks us to wait (Retry-After) or may cache
(Cache-Control max-age). Every failure is a `SourceError` whose kind the health state keys on:

    TIMEOUT       connect/read/write/pool timeout, or the total deadline passed
    NETWORK       connection, protocol or body-decoding failure
    HTTP_STATUS   4xx/5xx other than 429 (503 carries retry_after_s when given)
    RATE_LIMITED  429, with retry_after_s
    TOO_LARGE     declared or decoded body over FetchLimits.max_bytes
    BLOCKED       non-http(s) scheme, redirect loop, too many redirects, redirect to a private,
                  loopback, link-local or reserved address (other than the configured host:port)

Limits are enforced on what we hold, not what the wire carries: the body is decompressed here,
in bounded steps, so a 10 kB gzip or brotli bomb stops at max_bytes instead of inflating to
gigabytes. The total deadline is checked between body chunks by `fetch_feed` with any client,
and inside every socket call by clients from `make_http_client`, so a server that trickles its
headers or body a byte at a time cannot hold a poll past `total_timeout_s`. Redirect targets
are checked before any connection; `make_http_client` clients also re-check the address they
actually connect to, so DNS rebinding cannot slip past the first check.

Messages carry URLs only through `mask_url` (scheme and host), never paths, queries or
credentials.
"""

from __future__ import annotations

import contextvars
import ipaddress
import re
import socket
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpcore
import httpx

from alerts.errors import SourceError, SourceErrorKind
from alerts.redact import mask_url, redact_text

try:
    import brotli
except ImportError:  # pragma: no cover - brotli is a declared dependency
    brotli = None


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Bounds on one fetch. `total_timeout_s` covers every redirect hop and the whole body."""

    connect_timeout_s: float = 5.0
    read_timeout_s: float = 10.0
    total_timeout_s: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = "missile-alerts/0.1 (+https://github.com/missile-alerts)"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The answer to one poll. `not_modified` (304) is a result with an empty body, not an error.

    `etag`/`last_modified` are the validators to send next time (a 304 that omits them keeps
    the ones sent). `max_age_s` is Cache-Control max-age; `retry_after_s` is set on errors only,
    so it is None here and lives on `SourceError.retry_after_s`.
    """

    status: int
    not_modified: bool
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    retry_after_s: float | None
    max_age_s: float | None
    final_url: str
    elapsed_s: float


ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
ACCEPT_ENCODING = "gzip, deflate, br" if brotli is not None else "gzip, deflate"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DECODE_STEP = 64 * 1024  # largest piece of decompressed output held at once

# The fetch running in this thread/context: its monotonic deadline and the configured
# host:port, read by _GuardedBackend (clients from make_http_client) at every socket call.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "missile_alerts_fetch_deadline", default=None
)
_trusted_origin: contextvars.ContextVar[tuple[str, int] | None] = contextvars.ContextVar(
    "missile_alerts_fetch_origin", default=None
)


def make_http_client(limits: FetchLimits) -> httpx.Client:
    """A client for `fetch_feed`: HTTP/1.1, no automatic redirects, pooled, guarded.

    Its sockets honour the fetch's total deadline on every connect, read and write, and
    connect to hosts other than the configured one only at addresses checked to be public
    (closing the DNS-rebinding gap between the redirect check and the connect).

    Create one per process and reuse it (a new client per request is ~50x slower). Proxy and
    netrc settings from the environment are ignored (`trust_env=False`): they would bypass the
    redirect address checks and add credentials nobody configured.
    """
    pool_limits = httpx.Limits(max_connections=20, max_keepalive_connections=10)
    transport = httpx.HTTPTransport(http1=True, http2=False, limits=pool_limits)
    # httpx exposes no network-backend option, so the pool is rebuilt with the same settings
    # and a backend that clamps every socket timeout to the fetch's total deadline and
    # connects off-origin only to addresses it has checked (see _connectable_address).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=pool_limits.max_connections,
        max_keepalive_connections=pool_limits.max_keepalive_connections,
        keepalive_expiry=pool_limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=_GuardedBackend(httpcore.SyncBackend()),
    )
    return httpx.Client(
        transport=transport,
        follow_redirects=False,
        timeout=_timeout(limits, limits.total_timeout_s),
        headers={"User-Agent": limits.user_agent},
        trust_env=False,
    )


def fetch_feed(
    client: httpx.Client,
    url: str,
    *,
    source: str,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits = FetchLimits(),
    redirected_to: str | None = None,
) -> FetchResult:
    """GET `url` conditionally, following up to `limits.max_redirects` redirects itself.

    Args:
        client: a reused client (see make_http_client); it must not follow redirects.
        url: the configured feed URL; its own host:port is trusted even if private.
        source: the source name, set on errors.
        etag, last_modified: validators from the previous 200, sent as If-None-Match and
            If-Modified-Since.
        limits: timeouts, size and redirect bounds.
        redirected_to: the Location `url` already answered with (the fast path asked it
            first): the fetch starts at that hop, with every redirect check applied.

    Returns:
        FetchResult: 2xx with the decoded body, or 304 with `not_modified=True`.

    Raises:
        SourceError: with a kind (see the module docstring); never with the URL's path,
            query or credentials in its message.
    """
    started = time.monotonic()
    deadline_token = _deadline.set(started + limits.total_timeout_s)
    origin_token = _trusted_origin.set(_origin_of(url))
    try:
        return _follow(client, url, source, etag, last_modified, limits, started, redirected_to)
    except SourceError:
        raise
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, httpx.CookieConflict) as exc:
        raise map_httpx_error(exc, url=url, source=source) from exc
    finally:
        _trusted_origin.reset(origin_token)
        _deadline.reset(deadline_token)


def _follow(
    client: httpx.Client,
    url: str,
    source: str,
    etag: str | None,
    last_modified: str | None,
    limits: FetchLimits,
    started: float,
    redirected_to: str | None = None,
) -> FetchResult:
    current = _checked_url(url, source)
    origin = _host_port(current)
    visited = {current.copy_with(fragment=None)}
    headers = _request_headers(etag, last_modified)
    first_hop = 0
    if redirected_to is not None:
        current = _next_hop(current, redirected_to, visited, origin, source)
        first_hop = 1
    for _hop in range(first_hop, limits.max_redirects + 1):
        remaining = _remaining(started, limits, source, url)
        with client.stream(
            "GET", current, headers=headers, timeout=_timeout(limits, remaining)
        ) as response:
            if response.status_code not in REDIRECT_STATUSES:
                return _result(response, source, etag, last_modified, limits, started)
            location = response.headers.get("location")
        if not location:
            raise no_location(response.status_code, str(current), source)
        current = _next_hop(current, location, visited, origin, source)
    raise SourceError(
        f"more than {limits.max_redirects} redirects from {mask_url(url)}",
        source=source,
        kind=SourceErrorKind.BLOCKED,
    )


def _next_hop(
    current: httpx.URL,
    location: str,
    visited: set[httpx.URL],
    origin: tuple[str, int],
    source: str,
) -> httpx.URL:
    """The URL a redirect points at, refused if it loops or leaves for a private address."""
    target = _checked_url(current.join(location), source)
    if target.copy_with(fragment=None) in visited:
        raise SourceError(
            f"redirect loop at {mask_url(str(target))}",
            source=source,
            kind=SourceErrorKind.BLOCKED,
        )
    visited.add(target.copy_with(fragment=None))
    if _host_port(target) != origin:
        refuse_private_host(target, source=source)
    return target


def _result(
    response: httpx.Response,
    source: str,
    etag: str | None,
    last_modified: str | None,
    limits: FetchLimits,
    started: float,
) -> FetchResult:
    if response.status_code == 304:
        # Drain the (empty) body so the connection returns to the pool: otherwise every
        # unchanged poll pays a new TCP (and TLS) handshake.
        response.read()
    return answer(
        response.status_code,
        response.headers,
        lambda: read_body(response, source=source, limits=limits),
        url=str(response.url),
        source=source,
        etag=etag,
        last_modified=last_modified,
        started=started,
    )


def answer(
    status: int,
    headers: Mapping[str, str],
    body: Callable[[], bytes],
    *,
    url: str,
    source: str,
    etag: str | None,
    last_modified: str | None,
    started: float,
) -> FetchResult:
    """What a final (non-redirect) response means, whichever client fetched it: an error
    with its kind, or the result. `body` is read only for a 2xx; `headers` is httpx.Headers
    or a dict with lower-case names; `started` is the fetch's monotonic start."""
    where = mask_url(url)
    if status == 429:
        raise SourceError(
            f"HTTP 429 Too Many Requests from {where}",
            source=source,
            kind=SourceErrorKind.RATE_LIMITED,
            retry_after_s=retry_after_seconds(headers),
        )
    if not (200 <= status < 300 or status == 304):
        raise SourceError(
            f"HTTP {status} from {where}",
            source=source,
            kind=SourceErrorKind.HTTP_STATUS,
            retry_after_s=retry_after_seconds(headers) if status == 503 else None,
        )
    not_modified = status == 304
    return FetchResult(
        status=status,
        not_modified=not_modified,
        body=b"" if not_modified else body(),
        content_type=headers.get("content-type"),
        etag=headers.get("etag") or (etag if not_modified else None),
        last_modified=headers.get("last-modified") or (last_modified if not_modified else None),
        retry_after_s=None,
        max_age_s=max_age_seconds(headers),
        final_url=url,
        elapsed_s=time.monotonic() - started,
    )


def no_location(status: int, url: str, source: str) -> SourceError:
    return SourceError(
        f"HTTP {status} without a Location from {mask_url(url)}",
        source=source,
        kind=SourceErrorKind.HTTP_STATUS,
    )


def _request_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {"Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _timeout(limits: FetchLimits, remaining: float) -> httpx.Timeout:
    return httpx.Timeout(
        connect=min(limits.connect_timeout_s, remaining),
        read=min(limits.read_timeout_s, remaining),
        write=min(limits.read_timeout_s, remaining),
        pool=min(limits.connect_timeout_s, remaining),
    )


def _remaining(started: float, limits: FetchLimits, source: str, url: str) -> float:
    remaining = started + limits.total_timeout_s - time.monotonic()
    if remaining <= 0:
        raise SourceError(
            f"total deadline of {limits.total_timeout_s:g} s passed fetching {mask_url(url)}",
            source=source,
            kind=SourceErrorKind.TIMEOUT,
        )
    return remaining


# --- URLs and addresses --------------------------------------------------------------------


def _checked_url(url: str | httpx.URL, source: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise SourceError("invalid URL", source=source, kind=SourceErrorKind.BLOCKED) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise SourceError(
            f"refused URL scheme {parsed.scheme or '(none)'!r}: only http and https are fetched",
            source=source,
            kind=SourceErrorKind.BLOCKED,
        )
    return parsed


def _host_port(url: httpx.URL) -> tuple[str, int]:
    return url.host.lower(), url.port or (443 if url.scheme == "https" else 80)


def _origin_of(url: str) -> tuple[str, int] | None:
    try:
        return _host_port(httpx.URL(url))
    except httpx.InvalidURL:
        return None


def refuse_private_host(url: httpx.URL, *, source: str) -> None:
    """Raise BLOCKED unless every address `url`'s host resolves to is globally routable.

    Called before a redirect is followed to a host other than the configured one, so a feed
    cannot steer the poller at cloud metadata (169.254.169.254), the LAN or localhost.
    IP literals are checked without any lookup.
    """
    host = url.host
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = _resolve(host, _host_port(url)[1], source)
    for address in addresses:
        if not is_public_address(address):
            raise SourceError(
                f"refused redirect to a non-public address ({address}) at {mask_url(str(url))}",
                source=source,
                kind=SourceErrorKind.BLOCKED,
            )


def _resolve(
    host: str, port: int, source: str
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise SourceError(
            f"could not resolve redirect host {host!r}", source=source, kind=SourceErrorKind.NETWORK
        ) from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for globally routable unicast addresses (IPv4-mapped IPv6 judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


# --- body ----------------------------------------------------------------------------------


def read_body(response: httpx.Response, *, source: str, limits: FetchLimits) -> bytes:
    """The decoded body, refusing more than `limits.max_bytes` of it and stopping at the deadline.

    Decompression happens here in steps of at most 64 kB of output, so memory stays bounded
    whatever the compression ratio (httpx's own decoders inflate a whole network chunk at once).
    """
    where = mask_url(str(response.url))
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise _too_large(source, limits, where)
    if response.is_stream_consumed:  # read and decoded already (a test's MockTransport)
        if len(response.content) > limits.max_bytes:
            raise _too_large(source, limits, where)
        return response.content
    return decode_body(
        response.iter_raw(),
        encoding=response.headers.get("content-encoding", ""),
        source=source,
        limits=limits,
        where=where,
        deadline=_deadline.get(),
    )


def decode_body(
    raw_chunks: Iterable[bytes],
    *,
    encoding: str,
    source: str,
    limits: FetchLimits,
    where: str,
    deadline: float | None = None,
) -> bytes:
    """Body bytes as received, decoded (Content-Encoding) in bounded steps and refused past
    `limits.max_bytes` of output; `deadline` (monotonic) is checked between chunks."""
    decoders = _decoders(encoding, source)
    chunks: list[bytes] = []
    size = 0
    for raw in raw_chunks:
        for piece in _decode_all(decoders, raw, source):
            size += len(piece)
            if size > limits.max_bytes:
                raise _too_large(source, limits, where)
            chunks.append(piece)
        if deadline is not None and time.monotonic() > deadline:
            raise SourceError(
                f"total deadline of {limits.total_timeout_s:g} s passed reading {where}",
                source=source,
                kind=SourceErrorKind.TIMEOUT,
            )
    return b"".join(chunks)


def _too_large(source: str, limits: FetchLimits, where: str) -> SourceError:
    return SourceError(
        f"body from {where} is over the {limits.max_bytes} byte limit",
        source=source,
        kind=SourceErrorKind.TOO_LARGE,
    )


class _ZlibDecoder:
    """gzip, zlib or raw deflate, inflated at most _DECODE_STEP bytes at a time."""

    def __init__(self, wbits: int, *, raw_fallback: bool = False) -> None:
        self._inflater = zlib.decompressobj(wbits)
        self._raw_fallback = raw_fallback

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._raw_fallback and data:
            # "deflate" is often sent raw, without the zlib header RFC 9110 asks for.
            self._raw_fallback = False
            if len(data) < 2 or (data[0] & 0x0F) != 8 or int.from_bytes(data[:2], "big") % 31:
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        while not self._inflater.eof:
            out = self._inflater.decompress(data, _DECODE_STEP)
            if out:
                yield out
            data = self._inflater.unconsumed_tail
            if not data and len(out) < _DECODE_STEP:  # a full step may leave output pending
                break


class _BrotliDecoder:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        decompressor = self._decompressor
        out = decompressor.process(data, output_buffer_limit=_DECODE_STEP)
        yield out
        # A full buffer may leave output pending even when more input could be accepted.
        while not decompressor.can_accept_more_data() or (
            len(out) >= _DECODE_STEP and not decompressor.is_finished()
        ):
            out = decompressor.process(b"", output_buffer_limit=_DECODE_STEP)
            yield out
            if not out and decompressor.can_accept_more_data():
                break


class _Identity:
    def decode(self, data: bytes) -> Iterator[bytes]:
        yield data


_Decoder = _ZlibDecoder | _BrotliDecoder | _Identity
_DECODE_ERRORS: tuple[type[Exception], ...] = (zlib.error,) + (
    (brotli.error,) if brotli is not None else ()
)


def _decoders(header: str, source: str) -> list[_Decoder]:
    """Decoders in the order to apply them (the reverse of the header's order)."""
    decoders: list[_Decoder] = []
    for coding in reversed([c.strip().lower() for c in header.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip"):
            decoders.append(_ZlibDecoder(zlib.MAX_WBITS | 16))
        elif coding == "deflate":
            decoders.append(_ZlibDecoder(zlib.MAX_WBITS, raw_fallback=True))
        elif coding == "br" and brotli is not None:
            decoders.append(_BrotliDecoder())
        elif coding != "identity":
            raise SourceError(
                f"unsupported Content-Encoding {coding!r}",
                source=source,
                kind=SourceErrorKind.NETWORK,
            )
    return decoders or [_Identity()]


def _decode_all(decoders: list[_Decoder], data: bytes, source: str) -> Iterator[bytes]:
    try:
        yield from _decode_chain(decoders, data)
    except _DECODE_ERRORS as exc:
        raise SourceError(
            f"could not decode the body: {type(exc).__name__}",
            source=source,
            kind=SourceErrorKind.NETWORK,
        ) from exc


def _decode_chain(decoders: list[_Decoder], data: bytes) -> Iterator[bytes]:
    if not decoders:
        if data:
            yield data
        return
    head, rest = decoders[0], decoders[1:]
    for piece in head.decode(data):
        if piece:
            yield from _decode_chain(rest, piece)


# --- headers -------------------------------------------------------------------------------

_MAX_AGE_RE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date (RFC 9110 10.2.3).
    `headers`: httpx.Headers, or a dict with lower-case names.

    A date is measured against the response's own Date header when there is one, so a server
    with a skewed clock still means what it says; past dates give 0.
    """
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    when = http_date(value)
    if when is None:
        return None
    now = http_date(headers.get("date", "")) or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def http_date(value: str) -> datetime | None:
    """An HTTP-date header value (RFC 9110 5.6.7) as an aware datetime, or None if malformed."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def max_age_seconds(headers: Mapping[str, str]) -> float | None:
    """Cache-Control max-age in seconds, or None."""
    match = _MAX_AGE_RE.search(headers.get("cache-control", ""))
    return float(match.group(1)) if match else None


# --- errors --------------------------------------------------------------------------------

# Every exception class httpx exports, with the kind it becomes. A test asserts this covers them
# all, so an httpx upgrade that adds one fails loudly instead of escaping as a crash.
HTTPX_ERROR_KINDS: dict[type[Exception], SourceErrorKind] = {
    httpx.ConnectTimeout: SourceErrorKind.TIMEOUT,
    httpx.ReadTimeout: SourceErrorKind.TIMEOUT,
    httpx.WriteTimeout: SourceErrorKind.TIMEOUT,
    httpx.PoolTimeout: SourceErrorKind.TIMEOUT,
    httpx.TimeoutException: SourceErrorKind.TIMEOUT,
    httpx.ConnectError: SourceErrorKind.NETWORK,
    httpx.ReadError: SourceErrorKind.NETWORK,
    httpx.WriteError: SourceErrorKind.NETWORK,
    httpx.CloseError: SourceErrorKind.NETWORK,
    httpx.NetworkError: SourceErrorKind.NETWORK,
    httpx.LocalProtocolError: SourceErrorKind.NETWORK,
    httpx.RemoteProtocolError: SourceErrorKind.NETWORK,
    httpx.ProtocolError: SourceErrorKind.NETWORK,
    httpx.ProxyError: SourceErrorKind.NETWORK,
    httpx.UnsupportedProtocol: SourceErrorKind.BLOCKED,
    httpx.TransportError: SourceErrorKind.NETWORK,
    httpx.DecodingError: SourceErrorKind.NETWORK,
    httpx.TooManyRedirects: SourceErrorKind.BLOCKED,
    httpx.RequestError: SourceErrorKind.NETWORK,
    httpx.HTTPStatusError: SourceErrorKind.HTTP_STATUS,
    httpx.HTTPError: SourceErrorKind.NETWORK,
    httpx.InvalidURL: SourceErrorKind.BLOCKED,
    httpx.CookieConflict: SourceErrorKind.NETWORK,
    httpx.StreamConsumed: SourceErrorKind.NETWORK,
    httpx.StreamClosed: SourceErrorKind.NETWORK,
    httpx.ResponseNotRead: SourceErrorKind.NETWORK,
    httpx.RequestNotRead: SourceErrorKind.NETWORK,
    httpx.StreamError: SourceErrorKind.NETWORK,
}


def map_httpx_error(exc: Exception, *, url: str, source: str) -> SourceError:
    """The SourceError for an httpx exception, its message scrubbed of URLs' paths and queries."""
    kind = next(
        (HTTPX_ERROR_KINDS[cls] for cls in type(exc).__mro__ if cls in HTTPX_ERROR_KINDS),
        SourceErrorKind.NETWORK,
    )
    if isinstance(exc.__cause__, _BlockedAddress):
        kind = SourceErrorKind.BLOCKED
    detail = redact_text(str(exc), secrets=(url,))
    message = f"{type(exc).__name__} fetching {mask_url(url)}"
    return SourceError(f"{message}: {detail}" if detail else message, source=source, kind=kind)


# --- deadline-aware network backend --------------------------------------------------------


def _clamped(timeout: float | None, expired: type[Exception]) -> float | None:
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise expired("total fetch deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read/write waits no longer than the fetch deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: object, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context,  # type: ignore[arg-type]
            server_hostname,
            _clamped(timeout, httpcore.ConnectTimeout),
        )
        return _DeadlineStream(stream)

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class _BlockedAddress(httpcore.ConnectError):
    """A connection refused by _GuardedBackend; fetch_feed reports it as BLOCKED."""


def _connectable_address(host: str, port: int) -> str:
    """The address to connect to: `host` itself for the configured origin, else a checked IP.

    Outside the configured host:port, the name is resolved here and the checked address is
    what the socket connects to, so a DNS answer that changes between the redirect check
    and the connect (DNS rebinding) still cannot reach a private address.
    """
    origin = _trusted_origin.get()
    if origin is None or (host.lower(), port) == origin:
        return host
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise httpcore.ConnectError(f"could not resolve {host!r}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    blocked = [a for a in addresses if not is_public_address(a)]
    if blocked or not addresses:
        shown = blocked[0] if blocked else "none"
        raise _BlockedAddress(f"refused connection to a non-public address ({shown})")
    return str(addresses[0])


class _GuardedBackend(httpcore.NetworkBackend):
    """Clamps socket timeouts to the fetch deadline and connects only to checked addresses."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: object = None,
    ) -> httpcore.NetworkStream:
        address = _connectable_address(host, port)
        stream = self._backend.connect_tcp(
            address,
            port,
            _clamped(timeout, httpcore.ConnectTimeout),
            local_address,
            socket_options,  # type: ignore[arg-type]
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: object = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path,
            _clamped(timeout, httpcore.ConnectTimeout),
            socket_options,  # type: ignore[arg-type]
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
