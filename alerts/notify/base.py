"""What every channel shares: the transport it is handed, failure classification, wording.

Pure: nothing here opens a socket. Send functions (`slack.send`, `webhook.send`, `email.send`)
receive a `Transport` built once per process by the composition root, and turn every failure
into a `DeliveryError` with these helpers, so the worker decides retry or dead letter from
`err.retryable` and `err.retry_after_s` alone (Alertmanager's `Retrier` + `Reason`).

    status          reason          retryable  retry_after_s
    2xx             -> None (success)
    408             TIMEOUT         yes        from Retry-After
    425             CLIENT_ERROR    yes        from Retry-After
    429             RATE_LIMITED    yes        from Retry-After
    401, 403        AUTH_ERROR      no
    other 1xx-4xx   CLIENT_ERROR    no         (3xx: the configured URL moved; fix the config)
    5xx and above   SERVER_ERROR    yes        from Retry-After
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qsl, urlsplit

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, AlertKind, Destination
from alerts.redact import Secret, redact_text

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """How to reach the outgoing mail server. `ssl` is implicit TLS (465); else STARTTLS."""

    host: str
    port: int = 587
    username: str | None = None
    password: Secret | None = None
    starttls: bool = True
    ssl: bool = False
    sender: str = "missile-alerts@localhost"
    timeout_s: float = 15.0


@dataclass(frozen=True)
class Transport:
    """The clients send functions need, built once per process (timeouts live on `http`)."""

    http: httpx.Client
    smtp: SmtpConfig | None = None
    threads: ThreadMemory | None = None  # where threaded channels remember their first message


class ThreadMemory(Protocol):
    """Remembers the id of the first message posted for an event at a destination (a Slack
    `ts`), so updates and corrections can be posted as replies in its thread."""

    def first_message(self, event_id: str, destination_id: str) -> str | None: ...
    def remember_first_message(
        self, event_id: str, destination_id: str, message_id: str
    ) -> None: ...


_RETRYABLE_4XX = {
    408: DeliveryReason.TIMEOUT,
    425: DeliveryReason.CLIENT_ERROR,
    429: DeliveryReason.RATE_LIMITED,
}
_MAX_DETAIL = 200


def classify_http_status(
    status: int,
    headers: Mapping[str, str],
    *,
    channel: str,
    detail: str = "",
    now: datetime | None = None,
) -> DeliveryError | None:
    """The failure a final HTTP status means, or None when it is a success (2xx).

    Args:
        status: the response status code.
        headers: response headers; only Retry-After is read (case-insensitively).
        channel: the channel name the error carries.
        detail: optional short text from the body (Slack's "channel_is_archived"), redacted.
        now: the current time, for Retry-After given as an HTTP-date; defaults to the clock.
    """
    if 200 <= status < 300:
        return None
    if status in _RETRYABLE_4XX or status >= 500:
        reason = _RETRYABLE_4XX.get(status, DeliveryReason.SERVER_ERROR)
        retry_after_s = parse_retry_after(_header(headers, "retry-after"), now=now)
        return DeliveryError(
            _status_message(status, detail),
            channel=channel,
            reason=reason,
            retryable=True,
            retry_after_s=retry_after_s,
        )
    reason = DeliveryReason.AUTH_ERROR if status in (401, 403) else DeliveryReason.CLIENT_ERROR
    return DeliveryError(
        _status_message(status, detail), channel=channel, reason=reason, retryable=False
    )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


# httpx is imported only for typing, so exceptions are recognised by their class names
# along the MRO (httpx's tree is public API: httpx/_exceptions.py).
_EXCEPTION_MAP: tuple[tuple[str, DeliveryReason, bool], ...] = (
    ("TimeoutException", DeliveryReason.TIMEOUT, True),
    ("NetworkError", DeliveryReason.NETWORK, True),
    ("RemoteProtocolError", DeliveryReason.NETWORK, True),
    ("ProxyError", DeliveryReason.NETWORK, True),
    ("LocalProtocolError", DeliveryReason.CLIENT_ERROR, False),
    ("UnsupportedProtocol", DeliveryReason.CLIENT_ERROR, False),
    ("TooManyRedirects", DeliveryReason.CLIENT_ERROR, False),
    ("InvalidURL", DeliveryReason.CLIENT_ERROR, False),
    ("DecodingError", DeliveryReason.SERVER_ERROR, True),
)


def map_http_exception(
    exc: httpx.HTTPError | httpx.InvalidURL, *, channel: str, secrets: Iterable[str] = ()
) -> DeliveryError:
    """The DeliveryError an httpx exception means. The message never holds a URL or secret.

    Timeouts are TIMEOUT and network or protocol failures NETWORK, both retryable; a bad
    scheme or URL, a redirect loop or a malformed request is CLIENT_ERROR, not retryable; an
    `HTTPStatusError` is classified by its status. Pass the revealed URL in `secrets`.
    """
    response = getattr(exc, "response", None) if _is_a(exc, "HTTPStatusError") else None
    if response is not None:
        error = classify_http_status(response.status_code, response.headers, channel=channel)
        if error is not None:
            return error
    message = f"{type(exc).__name__}: {_clean(str(exc), secrets)}".rstrip(": ")
    for name, reason, retryable in _EXCEPTION_MAP:
        if _is_a(exc, name):
            return DeliveryError(message, channel=channel, reason=reason, retryable=retryable)
    return DeliveryError(message, channel=channel, reason=DeliveryReason.NETWORK, retryable=True)


# An exception no channel expected (a library's ValueError, a bug of ours): retried like a
# network failure, then dead-lettered with its type and message. Our side of the exchange
# failed, hence CLIENT_ERROR, but retryable: the cause may be passing (a library hiccup).
UNEXPECTED_REASON = DeliveryReason.UNEXPECTED


def unexpected_error(exc: Exception, *, channel: str, secrets: Iterable[str] = ()) -> DeliveryError:
    """A retryable DeliveryError for an exception no channel maps, so the worker retries it
    and then dead-letters it with this text, never leaving the delivery half done. The text
    is the exception's type and message, one line, with `secrets` and URL paths masked."""
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    text = _clean(str(exc), secrets)
    message = f"unexpected {name}: {text}" if text else f"unexpected {name}"
    return DeliveryError(message, channel=channel, reason=UNEXPECTED_REASON, retryable=True)


def destination_secrets(destination: Destination, transport: Transport) -> list[str]:
    """Every secret a send to this destination handles: URL (and its token-like pieces), bot
    token, signing keys (with and without `whsec_`), SMTP password."""
    values = url_secrets(destination.url.reveal()) if destination.url is not None else []
    for secret in (destination.token, *destination.signing_secrets):
        if secret is not None:
            values += [secret.reveal(), secret.reveal().strip().removeprefix("whsec_")]
    if transport.smtp is not None and transport.smtp.password is not None:
        values.append(transport.smtp.password.reveal())
    return [value for value in values if value]


def webhook_url(destination: Destination, *, channel: str) -> str:
    """The destination's revealed http(s) URL; a missing or other URL is a config error."""
    url = destination.url.reveal() if destination.url is not None else ""
    if not re.match(r"(?i)https?://[^/\s]", url):
        problem = "has no webhook URL" if not url else "has a webhook URL that is not http(s)"
        raise DeliveryError(
            f"destination {destination.id} {problem}",
            channel=channel,
            reason=DeliveryReason.CLIENT_ERROR,
            retryable=False,
        )
    return url


def _is_a(exc: BaseException, class_name: str) -> bool:
    return any(
        cls.__name__ == class_name and cls.__module__.startswith("httpx")
        for cls in type(exc).__mro__
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _status_message(status: int, detail: str) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown Status"
    message = f"HTTP {status} {phrase}"
    detail = _clean(detail)
    return f"{message}: {detail}" if detail else message


def _clean(text: str, secrets: Iterable[str] = ()) -> str:
    """One short line with secrets and URL paths masked, for error messages."""
    text = redact_text(" ".join(text.split()), secrets)
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


# ---- wording shared by the human-facing channels (Slack, email) ----

COUNTRY_NAMES = {
    "KP": "North Korea",
    "KR": "South Korea",
    "JP": "Japan",
    "CN": "China",
    "TW": "Taiwan",
    "RU": "Russia",
    "UA": "Ukraine",
    "IR": "Iran",
    "IQ": "Iraq",
    "SY": "Syria",
    "LB": "Lebanon",
    "YE": "Yemen",
    "IL": "Israel",
    "SA": "Saudi Arabia",
    "PK": "Pakistan",
    "IN": "India",
    "US": "United States",
    "GB": "United Kingdom",
    "FR": "France",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def country_name(code: str | None) -> str | None:
    """`KP` → `North Korea`; unknown codes are returned as given."""
    if not code:
        return None
    return COUNTRY_NAMES.get(code.upper(), code)


def one_line(text: str) -> str:
    """Feed text with control characters (CR, LF, NUL...) folded to single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def headline(alert: Alert, *, dash: str = " — ") -> str:
    """`Ballistic missile launch — North Korea`, prefixed for updates, corrections and tests."""
    country = country_name(alert.facts.country)
    text = f"Ballistic missile launch{dash}{country}" if country else "Ballistic missile launch"
    if alert.kind == AlertKind.UPDATE:
        text = f"Update #{alert.revision}: {text}"
    elif alert.kind == AlertKind.CORRECTION:
        text = f"Correction: {text}"
    if alert.test:
        text = f"TEST: {text}"
    return one_line(text)


def fact_lines(alert: Alert) -> list[tuple[str, str]]:
    """(label, value) pairs for the stated facts, in reading order; times are given as UTC."""
    f = alert.facts
    country = country_name(f.country)
    lines = [
        ("Country", f"{country} ({f.country})" if country != f.country else country),
        ("Class", (f.missile_class or "").replace("_", " ") or None),
        ("Count", f.count_text or (str(f.count) if f.count is not None else None)),
        ("Launch time", _launch_time(alert)),
        ("Launch site", f.launch_site),
        ("Apogee / distance", _apogee_distance(alert)),
        ("Landing area", _landing(alert)),
        ("Speed", f"Mach {f.speed_mach:g}" if f.speed_mach is not None else None),
        ("Confirmed by", f.authority),
        ("Confidence", f"{alert.confidence:.0%}"),
    ]
    return [(label, one_line(value)) for label, value in lines if value]


def format_utc(when: datetime) -> str:
    """`2026-11-25 07:12 UTC` for an aware (or naive-as-UTC) datetime."""
    return as_utc(when).strftime("%Y-%m-%d %H:%M UTC")


def as_utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _launch_time(alert: Alert) -> str | None:
    f = alert.facts
    parts = [format_utc(f.launch_time) if f.launch_time else None, f.launch_time_text]
    stated = [p for p in parts if p]
    if len(stated) == 2:
        return f"{stated[0]} ({stated[1]})"
    return stated[0] if stated else None


def _apogee_distance(alert: Alert) -> str | None:
    f = alert.facts
    parts = [
        f"apogee {f.apogee_km:,.0f} km" if f.apogee_km is not None else None,
        f"flew {f.distance_km:,.0f} km" if f.distance_km is not None else None,
    ]
    return ", ".join(p for p in parts if p) or None


def _landing(alert: Alert) -> str | None:
    f = alert.facts
    if f.inside_japan_eez is None:
        return f.landing_area
    eez = "inside Japan's EEZ" if f.inside_japan_eez else "outside Japan's EEZ"
    return f"{f.landing_area} ({eez})" if f.landing_area else eez


# ---- wording for updates and corrections, shared by the chat channels ----

CHANGE_WORDS = {
    "country": "country",
    "missile_class": "missile class",
    "count": "count",
    "count_text": "count",
    "launch_time": "launch time",
    "launch_time_text": "launch time",
    "launch_site": "launch site",
    "landing_area": "landing area",
    "inside_japan_eez": "Japan EEZ",
    "distance_km": "distance",
    "apogee_km": "apogee",
    "speed_mach": "speed",
    "authority": "confirmed by",
    "retracted": "retracted: not a ballistic missile launch",
    "another_launch": "another launch the same day",
}


def change_words(alert: Alert) -> list[str]:
    """`("missile_class", "apogee_km")` → `["missile class", "apogee"]`, duplicates dropped."""
    words: list[str] = []
    for name in alert.changes:
        word = CHANGE_WORDS.get(name) or one_line(name.replace("_", " "))
        if word and word not in words:
            words.append(word)
    return words


def revision_label(alert: Alert) -> str | None:
    """`Update #2` or `Correction` for revisions after the first alert; None for `new`."""
    if alert.kind == AlertKind.UPDATE:
        return f"Update #{alert.revision}"
    if alert.kind == AlertKind.CORRECTION:
        return "Correction"
    return None


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…" if limit > 0 else ""


_URL_ENCODE = {" ": "%20", "<": "%3C", ">": "%3E", "|": "%7C", "(": "%28", ")": "%29",
               '"': "%22", "\\": "%5C", "`": "%60", "[": "%5B", "]": "%5D"}  # fmt: skip


def safe_http_url(url: str, *, max_length: int = 2000) -> str | None:
    """An http(s) URL safe inside markup (`[text](url)`, `<url|text>`), or None.

    Control characters are folded away; spaces, brackets, parentheses, quotes, `|`, `<` and
    `>` are percent-encoded, so the URL stays one token; other schemes and over-long URLs
    give None (show the text without a link).
    """
    url = one_line(url)
    if not re.match(r"(?i)https?://[^\s/?#]", url) or len(url) > max_length:
        return None
    return "".join(_URL_ENCODE.get(char, char) for char in url)


_LEADING_MARKER = re.compile(r"^([-+#>]|\d+(?=[.)]))")


def escape_markdown(text: str, specials: str = "\\*_~`[]") -> str:
    """Feed text on one line with markdown inert: `specials` and a leading list, heading or
    quote marker (`- `, `# `, `> `, `1. `) are backslash-escaped."""
    pattern = "([" + re.escape(specials) + "])"
    text = re.sub(pattern, r"\\\1", one_line(text))
    return _LEADING_MARKER.sub(lambda m: m[1] + "\\" if m[1][0].isdigit() else "\\" + m[1], text)


def url_secrets(url: str) -> list[str]:
    """The URL and each of its longer path segments and query values: the pieces of a
    webhook URL that carry its token, which a peer or an exception may echo on their own."""
    parts = urlsplit(url)
    pieces = [*parts.path.split("/"), *(value for _, value in parse_qsl(parts.query))]
    return [url, *(piece for piece in pieces if len(piece) >= 8)]
