"""Many conditional GETs at once on one libcurl multi handle: the poller's fast path.

Why: a poll of an unchanged feed is a 304, and most polls are. Through httpx a 304 costs about
0.6 ms of CPU; through libcurl's multi interface (pycurl) about 0.02 ms, and one thread drives
every transfer of a batch, each finishing on its own time. `sources.fetch` stays the reference
path, and this one keeps its guarantees:

* the same `FetchLimits`: connect timeout, read timeout (no byte for `read_timeout_s`), a
  total deadline per transfer (a server trickling bytes is cut off at `total_timeout_s`), and
  at most `max_bytes` of body, counted on the wire
  (aborting the transfer) and again after decoding, which `sources.fetch`'s bounded decoders
  do in 64 kB steps, so a compression bomb stops at the limit;
* the same errors: every failure is a `SourceError` with the same kinds and masked URLs;
* only the configured URL is fetched here, and its host is trusted as configured. A redirect
  is not followed here: `fallback` (`sources.fetch`) goes on from its Location, with every
  redirect check (loops, hop limit, private addresses, DNS rebinding);
* no proxy from the environment, HTTP/1.1, http and https only, validators carrying CR/LF
  never sent.

pycurl handles are not thread-safe: each thread gets its own multi handle (and so its own
connection cache), created on first use.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import lru_cache

import certifi
import pycurl

from alerts.errors import SourceError, SourceErrorKind
from alerts.redact import mask_url
from alerts.sources.fetch import (
    ACCEPT,
    ACCEPT_ENCODING,
    REDIRECT_STATUSES,
    FetchLimits,
    FetchResult,
    _checked_url,
    _too_large,
    answer,
    decode_body,
    no_location,
)

MAX_PARALLEL = 64  # transfers in flight on one multi handle
FOLLOW_THREADS = 4  # redirects followed at once through the reference path, per fetcher
_SELECT_S = 0.05

# libcurl error codes, as the health table shows them
_TIMEOUT = {pycurl.E_OPERATION_TIMEDOUT}
_TOO_LARGE = {pycurl.E_FILESIZE_EXCEEDED}
_BLOCKED = {pycurl.E_UNSUPPORTED_PROTOCOL, pycurl.E_URL_MALFORMAT}
_REASONS = {
    pycurl.E_COULDNT_RESOLVE_HOST: "could not resolve the host",
    pycurl.E_COULDNT_CONNECT: "connection refused or unreachable",
    pycurl.E_RECV_ERROR: "connection reset while receiving",
    pycurl.E_SEND_ERROR: "connection reset while sending",
    pycurl.E_GOT_NOTHING: "empty reply from server",
    pycurl.E_PARTIAL_FILE: "body shorter than announced",
    pycurl.E_SSL_CONNECT_ERROR: "TLS handshake failed",
    pycurl.E_PEER_FAILED_VERIFICATION: "TLS certificate not trusted",
    pycurl.E_FTP_WEIRD_SERVER_REPLY: "not an HTTP response",  # 8, CURLE_WEIRD_SERVER_REPLY
    pycurl.E_BAD_CONTENT_ENCODING: "could not decode the body",
}


@dataclass(frozen=True, slots=True)
class FetchRequest:
    source: str
    url: str
    etag: str | None = None
    last_modified: str | None = None


Outcome = FetchResult | SourceError
# the reference path, for redirects: (request, the Location the configured URL answered,
# seconds left of the request's total deadline)
Fallback = Callable[[FetchRequest, str, float], FetchResult]


class _Transfer:
    """One request's buffers, filled by libcurl's callbacks."""

    __slots__ = ("chunks", "ended", "headers", "limit", "over", "request", "size", "started")

    def __init__(self, request: FetchRequest, limit: int) -> None:
        self.request = request
        self.started = time.monotonic()
        self.ended = False  # the header block is complete; later lines are trailers
        self.chunks: list[bytes] = []
        self.size = 0
        self.limit = limit
        self.over = False
        self.headers: dict[str, str] = {}  # lower-case names; a repeated header: the last

    def write(self, data: bytes) -> int | None:
        self.size += len(data)
        if self.size > self.limit:
            self.over = True
            return 0  # aborts the transfer (CURLE_WRITE_ERROR)
        self.chunks.append(data)
        return None

    def header(self, line: bytes) -> None:
        if line.startswith(b"HTTP/"):  # a new response (after a 100 Continue): start again
            self.headers = {}
            self.ended = False
            return
        if line in (b"\r\n", b"\n"):
            self.ended = True
            return
        if self.ended:  # a chunked body's trailer: not the response's headers
            return
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            self.headers[name.strip().lower()] = value.strip()


class CurlFetcher:
    """Conditional GETs of many sources at once; see the module docstring.

    `fetch_many` yields the transfers as they finish, a group at a time, so a slow publisher
    delays nobody else's result.
    """

    def __init__(self, limits: FetchLimits, *, fallback: Fallback, per_host: int = 8) -> None:
        self._limits = limits
        self._fallback = fallback
        self._per_host = per_host
        self._local = threading.local()

    def fetch_many(
        self, requests: Iterable[FetchRequest]
    ) -> Iterator[list[tuple[FetchRequest, Outcome]]]:
        """Pass a deque to add requests while iterating (e.g. once a host slot frees up).

        Redirects are followed through `fallback` on a few threads of their own: it blocks,
        and transfers left undriven meanwhile would run out their clocks.
        """
        multi, idle = self._handles()
        pending = requests if isinstance(requests, deque) else deque(requests)
        following: list[Future[tuple[FetchRequest, Outcome]]] = []
        active = 0
        try:
            while pending or active or following:
                started, refused = self._start(multi, idle, pending, MAX_PARALLEL - active)
                active += started
                if refused:
                    yield refused
                status = pycurl.E_CALL_MULTI_PERFORM
                while status == pycurl.E_CALL_MULTI_PERFORM:
                    status, _running = multi.perform()
                done, finished = self._collect(multi, idle, following)
                active -= finished
                ready = [f for f in following if f.done()]
                if ready:
                    following = [f for f in following if f not in ready]
                    done += [f.result() for f in ready]
                if done:
                    yield done
                elif active:
                    multi.select(_SELECT_S)
                elif following:
                    wait(following, timeout=_SELECT_S, return_when=FIRST_COMPLETED)
        finally:
            if active:  # the consumer stopped early: drop what is in flight
                self.close()

    def _start(
        self, multi: pycurl.CurlMulti, idle: list[pycurl.Curl], pending: deque[FetchRequest],
        room: int,
    ) -> tuple[int, list[tuple[FetchRequest, Outcome]]]:  # fmt: skip
        """Add up to `room` pending requests; those refused before sending are answered."""
        started, refused = 0, list[tuple[FetchRequest, Outcome]]()
        while pending and started < room:
            request = pending.popleft()
            easy = idle.pop() if idle else self._easy()
            try:
                multi.add_handle(self._prepare(easy, request))
            except SourceError as err:
                idle.append(easy)
                refused.append((request, err))
                continue
            started += 1
        return started, refused

    def _collect(
        self, multi: pycurl.CurlMulti, idle: list[pycurl.Curl],
        following: list[Future[tuple[FetchRequest, Outcome]]],
    ) -> tuple[list[tuple[FetchRequest, Outcome]], int]:  # fmt: skip
        """Finished transfers' outcomes (redirects handed to `fallback`), and how many."""
        done: list[tuple[FetchRequest, Outcome]] = []
        count = 0
        while True:
            queued, ok, failed = multi.info_read()
            finished: list[tuple[pycurl.Curl, int | None]] = [(easy, None) for easy in ok]
            finished += [(easy, code) for easy, code, _message in failed]
            for easy, code in finished:
                transfer, outcome = self._finish(multi, idle, easy, code)
                if isinstance(outcome, str):
                    following.append(self._followers.submit(self._follow, transfer, outcome))
                else:
                    done.append((transfer.request, outcome))
            count += len(finished)
            if not queued:
                return done, count

    def _follow(self, transfer: _Transfer, location: str) -> tuple[FetchRequest, Outcome]:
        """The reference path goes on from the redirect, within what is left of the deadline."""
        request = transfer.request
        left = transfer.started + self._limits.total_timeout_s - time.monotonic()
        try:
            if left <= 0:
                raise self._timed_out(request)
            return request, self._fallback(request, location, left)
        except SourceError as err:
            return request, err
        except Exception as exc:  # noqa: BLE001 - a bug here must stay this source's problem
            return request, SourceError(
                f"following a redirect failed ({type(exc).__name__})",
                source=request.source,
                kind=SourceErrorKind.NETWORK,
            )

    @functools.cached_property
    def _followers(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(FOLLOW_THREADS, thread_name_prefix="redirect")

    def fetch(
        self, url: str, *, source: str, etag: str | None = None, last_modified: str | None = None
    ) -> Outcome:
        """One transfer (tests, and callers with a single source)."""
        for group in self.fetch_many([FetchRequest(source, url, etag, last_modified)]):
            return group[0][1]
        raise AssertionError("fetch_many yielded nothing")  # pragma: no cover

    def close(self) -> None:
        state = getattr(self._local, "state", None)
        if state is not None:
            multi, idle = state
            for easy in idle:
                easy.close()
            multi.close()
            del self._local.state

    # --- handles ---

    def _handles(self) -> tuple[pycurl.CurlMulti, list[pycurl.Curl]]:
        state = getattr(self._local, "state", None)
        if state is None:
            multi = pycurl.CurlMulti()
            multi.setopt(pycurl.M_MAX_HOST_CONNECTIONS, self._per_host)
            multi.setopt(pycurl.M_MAXCONNECTS, MAX_PARALLEL)
            state = self._local.state = (multi, [])
        return state

    def _easy(self) -> pycurl.Curl:
        limits = self._limits
        easy = pycurl.Curl()
        easy.setopt(pycurl.NOSIGNAL, 1)
        easy.setopt(pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_1_1)
        easy.setopt(pycurl.PROXY, "")  # never a proxy from the environment
        easy.setopt(pycurl.FOLLOWLOCATION, 0)
        easy.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
        easy.setopt(pycurl.HTTP_CONTENT_DECODING, 0)  # decoded here, in bounded steps
        easy.setopt(pycurl.CAINFO, certifi.where())
        easy.setopt(pycurl.CONNECTTIMEOUT_MS, int(limits.connect_timeout_s * 1000))
        easy.setopt(pycurl.TIMEOUT_MS, int(limits.total_timeout_s * 1000))
        # the read timeout: less than a byte a second for that long ends the transfer
        easy.setopt(pycurl.LOW_SPEED_LIMIT, 1)
        easy.setopt(pycurl.LOW_SPEED_TIME, max(1, math.ceil(limits.read_timeout_s)))
        easy.setopt(pycurl.MAXFILESIZE_LARGE, limits.max_bytes)
        easy.setopt(pycurl.USERAGENT, limits.user_agent)
        return easy

    def _prepare(self, easy: pycurl.Curl, request: FetchRequest) -> pycurl.Curl:
        """Point `easy` at the request; a URL the reference path refuses is refused here."""
        url = _curl_url(request.url, request.source)
        transfer = _Transfer(request, self._limits.max_bytes)
        headers = [f"Accept: {ACCEPT}", f"Accept-Encoding: {ACCEPT_ENCODING}"]
        if _safe(request.etag):
            headers.append(f"If-None-Match: {request.etag}")
        if _safe(request.last_modified):
            headers.append(f"If-Modified-Since: {request.last_modified}")
        easy.setopt(pycurl.URL, url)
        easy.setopt(pycurl.HTTPHEADER, headers)
        easy.setopt(pycurl.WRITEFUNCTION, transfer.write)
        easy.setopt(pycurl.HEADERFUNCTION, transfer.header)
        easy.transfer = transfer  # type: ignore[attr-defined]
        return easy

    def _finish(
        self,
        multi: pycurl.CurlMulti,
        idle: list[pycurl.Curl],
        easy: pycurl.Curl,
        code: int | None,
    ) -> tuple[_Transfer, Outcome | str]:
        """The transfer's outcome; for a redirect, its Location."""
        transfer: _Transfer = easy.transfer  # type: ignore[attr-defined]
        status = easy.getinfo(pycurl.RESPONSE_CODE)
        multi.remove_handle(easy)
        easy.transfer = None  # type: ignore[attr-defined]
        idle.append(easy)
        request = transfer.request
        try:
            # an error or redirect whose body was too big to keep still says what it is
            answered = status >= 300 and transfer.ended and code is not None
            if code is not None and not (answered and _capped(code, transfer)):
                return transfer, self._curl_error(request, transfer, code)
            if status in REDIRECT_STATUSES:
                location = transfer.headers.get("location")
                if not location:
                    raise no_location(status, request.url, request.source)
                return transfer, location
            return transfer, answer(
                status,
                transfer.headers,
                lambda: decode_body(
                    transfer.chunks,
                    encoding=transfer.headers.get("content-encoding", ""),
                    source=request.source,
                    limits=self._limits,
                    where=mask_url(request.url),
                ),
                url=request.url,
                source=request.source,
                etag=request.etag,
                last_modified=request.last_modified,
                started=transfer.started,
            )
        except SourceError as err:
            return transfer, err

    def _timed_out(self, request: FetchRequest) -> SourceError:
        limits = self._limits
        return SourceError(
            f"timed out fetching {mask_url(request.url)} (read {limits.read_timeout_s:g} s, "
            f"total {limits.total_timeout_s:g} s)",
            source=request.source,
            kind=SourceErrorKind.TIMEOUT,
        )

    def _curl_error(self, request: FetchRequest, transfer: _Transfer, code: int) -> SourceError:
        where = mask_url(request.url)
        if _capped(code, transfer):
            return _too_large(request.source, self._limits, where)
        if code in _TIMEOUT:
            return self._timed_out(request)
        if code in _BLOCKED:
            return SourceError(
                f"refused URL {where}", source=request.source, kind=SourceErrorKind.BLOCKED
            )
        reason = _REASONS.get(code, f"transfer failed (libcurl error {code})")
        return SourceError(f"{reason}: {where}", source=request.source,
                           kind=SourceErrorKind.NETWORK)  # fmt: skip


def _curl_url(url: str, source: str) -> str:
    """The URL as the reference path sends it (IDNA host, percent-encoded path), checked the
    same way; a fresh SourceError each time (a cached one would grow its traceback)."""
    normalised, refusal = _normalised_url(url)
    if refusal is not None:
        raise SourceError(refusal, source=source, kind=SourceErrorKind.BLOCKED)
    return normalised


@lru_cache(maxsize=4096)
def _normalised_url(url: str) -> tuple[str, str | None]:
    try:
        checked = _checked_url(url, "")
    except SourceError as err:
        return "", str(err).removeprefix(": ")
    text = str(checked)
    if not text.isascii() or not text.isprintable():
        return "", f"URL cannot be sent as given: {mask_url(url)}"
    return text, None


def _safe(value: str | None) -> bool:
    """A validator to send back: printable ASCII only (no CR/LF, nothing pycurl can't encode)."""
    return bool(value) and value.isascii() and value.isprintable()  # type: ignore[union-attr]


def _capped(code: int, transfer: _Transfer) -> bool:
    return transfer.over or code in _TOO_LARGE
