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
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from http import HTTPStatus
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qsl, urlsplit

from alerts.errors import DeliveryError, DeliveryReason
from alerts.geo.gazetteer import load_gazetteer, name_for, script_of
from alerts.models import Alert, AlertKind, Destination
from alerts.notify.i18n import N_, Translator, translator, zone
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


# ---- wording shared by the human-facing channels, in the destination's language ----


@dataclass(frozen=True)
class Wording:
    """How one destination reads alerts: its language's messages and its time zone.

    Channels word every human-facing text through it (`wording_for(destination)`); feed text
    (report titles, sources, stated places and times) is shown as written, never translated.
    """

    translator: Translator
    zone: tzinfo

    def gettext(self, message: str) -> str:
        return self.translator.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translator.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self.translator.pgettext(context, message)

    def time(self, when: datetime) -> str:
        """`2026-11-25 07:12 UTC` in English and UTC; the zone's abbreviation and offset else."""
        return self.translator.time(when, self.zone)

    def join(self, items: list[str]) -> str:
        return self.translator.join(items)

    def number(self, value: float) -> str:
        return self.translator.number(value)

    @property
    def language(self) -> str:
        return self.translator.language


ENGLISH = Wording(translator("en"), UTC)


def wording_for(destination: Destination) -> Wording:
    """The destination's language and time zone (English and UTC when they are unknown)."""
    return Wording(translator(destination.language), zone(destination.timezone))


COUNTRY_NAMES = {
    "KP": N_("North Korea"),
    "KR": N_("South Korea"),
    "JP": N_("Japan"),
    "CN": N_("China"),
    "TW": N_("Taiwan"),
    "RU": N_("Russia"),
    "UA": N_("Ukraine"),
    "IR": N_("Iran"),
    "IQ": N_("Iraq"),
    "SY": N_("Syria"),
    "LB": N_("Lebanon"),
    "YE": N_("Yemen"),
    "IL": N_("Israel"),
    "SA": N_("Saudi Arabia"),
    "PK": N_("Pakistan"),
    "IN": N_("India"),
    "US": N_("United States"),
    "GB": N_("United Kingdom"),
    "FR": N_("France"),
    "AM": N_("Armenia"),
    "AZ": N_("Azerbaijan"),
    "LY": N_("Libya"),
}
MISSILE_CLASS_NAMES = {
    "SRBM": N_("SRBM"),
    "MRBM": N_("MRBM"),
    "IRBM": N_("IRBM"),
    "ICBM": N_("ICBM"),
    "SLBM": N_("SLBM"),
    "hypersonic": N_("hypersonic"),
    "unidentified_ballistic": N_("unidentified ballistic"),
}
# The canonical names the detector gives (detection/cues/*.toml: [authorities], [landing_names]).
AUTHORITY_NAMES = {
    name: name
    for name in (
        N_("South Korea JCS"),
        N_("Japan MOD"),
        N_("Japan Government"),
        N_("Japan Coast Guard"),
        N_("IDF"),
        N_("KCNA"),
        N_("Ukraine Air Force"),
        N_("US INDOPACOM"),
        N_("US CENTCOM"),
        N_("US Air Force Global Strike Command"),
        N_("US military"),
        N_("China MND"),
        N_("Pakistan ISPR"),
        N_("India DRDO"),
        N_("Russia MOD"),
        N_("Houthi military spokesman"),
        N_("Iran IRGC"),
    )
}
LANDING_AREA_NAMES = {
    name: name
    for name in (
        N_("Sea of Japan (East Sea)"),
        N_("Yellow Sea (West Sea)"),
        N_("Pacific Ocean"),
    )
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def country_name(code: str | None, wording: Wording = ENGLISH) -> str | None:
    """`KP` → `North Korea` (`북한`, `北朝鮮`); unknown codes are returned as given."""
    if not code:
        return None
    name = COUNTRY_NAMES.get(code.upper())
    return wording.gettext(name) if name else code


def one_line(text: str) -> str:
    """Feed text with control characters (CR, LF, NUL...) folded to single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def headline(alert: Alert, wording: Wording = ENGLISH) -> str:
    """`Ballistic missile launch — North Korea`, prefixed for updates, corrections and tests."""
    w = wording
    country = country_name(alert.facts.country, w)
    if country:
        text = w.gettext("Ballistic missile launch — %(country)s") % {"country": country}
    else:
        text = w.gettext("Ballistic missile launch")
    if alert.kind == AlertKind.UPDATE:
        text = w.gettext("Update #%(revision)s: %(text)s") % {
            "revision": alert.revision,
            "text": text,
        }
    elif alert.kind == AlertKind.CORRECTION:
        text = w.gettext("Correction: %(text)s") % {"text": text}
    if alert.test:
        text = w.gettext("TEST: %(text)s") % {"text": text}
    return one_line(text)


def check_delivery_note(wording: Wording = ENGLISH) -> tuple[str, str]:
    """(`TEST ALERT`, `sent to check delivery; no launch is reported.`), for channels to mark."""
    return (
        wording.gettext("TEST ALERT"),
        wording.gettext("sent to check delivery; no launch is reported."),
    )


def fact_lines(alert: Alert, wording: Wording = ENGLISH) -> list[tuple[str, str]]:
    """(label, value) pairs for the stated facts, in reading order, in the destination's
    language; times in its time zone."""
    f, w = alert.facts, wording
    country = country_name(f.country, w)
    count = w.pgettext("missile count", "%(count)s") % {"count": f.count}
    lines = [
        (w.gettext("Country"), f"{country} ({f.country})" if country != f.country else country),
        (w.gettext("Class"), _missile_class(f.missile_class, w)),
        (w.gettext("Count"), f.count_text or (count if f.count is not None else None)),
        (w.gettext("Launch time"), _launch_time(alert, w)),
        (w.gettext("Launch site"), stated_place(f.launch_site, w.language)),
        (w.gettext("Apogee / distance"), _apogee_distance(alert, w)),
        (w.gettext("Landing area"), _landing(alert, w)),
        (w.gettext("Speed"), _speed(f.speed_mach, w)),
        (w.gettext("Confirmed by"), _known(f.authority, AUTHORITY_NAMES, w)),
        (w.gettext("Confidence"), f"{alert.confidence:.0%}"),
    ]
    return [(label, one_line(value)) for label, value in lines if value]


def as_utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@lru_cache(maxsize=1024)
def stated_place(text: str | None, lang: str) -> str | None:
    """A place as the report wrote it, named in the reader's language first when the report
    is in another script and the gazetteer knows the place: "Akita Prefecture (秋田県沖)" for
    an English reader, "順安 (순안)" for a Japanese one; as written otherwise."""
    if not text:
        return None
    place = load_gazetteer().find(text)
    if place is None or script_of(text) == {"ko": "hangul", "ja": "cjk"}.get(lang, "latin"):
        return text
    name = name_for(place, lang)
    return f"{name} ({text})" if name and name != text else text


def _known(value: str | None, names: Mapping[str, str], wording: Wording) -> str | None:
    """A canonical name the detector gives, translated; any other text as written."""
    if not value:
        return None
    name = names.get(value)
    return wording.gettext(name) if name else value


def _missile_class(value: str | None, wording: Wording) -> str | None:
    name = MISSILE_CLASS_NAMES.get(value or "")
    return wording.gettext(name) if name else (value or "").replace("_", " ") or None


def _speed(mach: float | None, wording: Wording) -> str | None:
    if mach is None:
        return None
    return wording.gettext("Mach %(mach)s") % {"mach": f"{mach:g}"}


def _launch_time(alert: Alert, wording: Wording) -> str | None:
    f = alert.facts
    parts = [wording.time(f.launch_time) if f.launch_time else None, f.launch_time_text]
    stated = [p for p in parts if p]
    if len(stated) == 2:
        return f"{stated[0]} ({stated[1]})"
    return stated[0] if stated else None


def _apogee_distance(alert: Alert, wording: Wording) -> str | None:
    f, w = alert.facts, wording
    parts = [
        w.gettext("apogee %(km)s km") % {"km": w.number(f.apogee_km)}
        if f.apogee_km is not None
        else None,
        w.gettext("flew %(km)s km") % {"km": w.number(f.distance_km)}
        if f.distance_km is not None
        else None,
    ]
    return w.join([p for p in parts if p]) or None


def _landing(alert: Alert, wording: Wording) -> str | None:
    f, w = alert.facts, wording
    area = _known(f.landing_area, LANDING_AREA_NAMES, w)
    if area == f.landing_area:
        area = stated_place(area, w.language)
    if f.inside_japan_eez is None:
        return area
    eez = (
        w.gettext("inside Japan's EEZ") if f.inside_japan_eez else w.gettext("outside Japan's EEZ")
    )
    return w.gettext("%(area)s (%(eez)s)") % {"area": area, "eez": eez} if area else eez


# ---- wording for updates and corrections, shared by the chat channels ----

CHANGE_WORDS = {
    "country": N_("country"),
    "missile_class": N_("missile class"),
    "count": N_("count"),
    "count_text": N_("count"),
    "launch_time": N_("launch time"),
    "launch_time_text": N_("launch time"),
    "launch_site": N_("launch site"),
    "landing_area": N_("landing area"),
    "inside_japan_eez": N_("Japan EEZ"),
    "distance_km": N_("distance"),
    "apogee_km": N_("apogee"),
    "speed_mach": N_("speed"),
    "authority": N_("confirmed by"),
    "retracted": N_("retracted: not a ballistic missile launch"),
    "another_launch": N_("another launch the same day"),
}


def change_words(alert: Alert, wording: Wording = ENGLISH) -> list[str]:
    """`("missile_class", "apogee_km")` → `["missile class", "apogee"]`, duplicates dropped."""
    words: list[str] = []
    for name in alert.changes:
        known = CHANGE_WORDS.get(name)
        word = wording.gettext(known) if known else one_line(name.replace("_", " "))
        if word and word not in words:
            words.append(word)
    return words


def revision_label(alert: Alert, wording: Wording = ENGLISH) -> str | None:
    """`Update #2` or `Correction` for revisions after the first alert; None for `new`."""
    if alert.kind == AlertKind.UPDATE:
        return wording.gettext("Update #%(revision)s") % {"revision": alert.revision}
    if alert.kind == AlertKind.CORRECTION:
        return wording.gettext("Correction")
    return None


def more_sources(wording: Wording, count: int) -> str:
    """`…and 3 more`: the line that ends a cut list of sources."""
    return wording.ngettext("…and %(count)s more", "…and %(count)s more", count) % {"count": count}


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
