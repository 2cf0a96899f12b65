"""Failure classification and shared wording for every channel (alerts.notify.base)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, AlertKind, Facts
from alerts.notify.base import (
    SmtpConfig,
    Transport,
    change_words,
    classify_http_status,
    escape_markdown,
    fact_lines,
    headline,
    map_http_exception,
    one_line,
    parse_retry_after,
    revision_label,
    safe_http_url,
    shorten,
    url_secrets,
)
from alerts.redact import Secret

SECRET_URL = "https://hooks.slack.com/services/T000/B000/XXXSECRETXXX"
SECRET_PART = "XXXSECRETXXX"
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


def make_alert(**changes: object) -> Alert:
    values: dict[str, object] = {
        "event_id": "kp-1",
        "kind": AlertKind.NEW,
        "revision": 1,
        "title": "N. Korea fires ballistic missile",
        "url": "https://news.example/1",
        "facts": Facts(country="KP"),
        "confidence": 0.9,
        "detected_at": NOW,
        "first_published_at": None,
        "sources": (),
    }
    values.update(changes)
    return Alert(**values)  # type: ignore[arg-type]


def expected_for(status: int) -> tuple[DeliveryReason, bool] | None:
    """The table from the brief, written out independently of the implementation."""
    if 200 <= status < 300:
        return None
    if status == 429:
        return DeliveryReason.RATE_LIMITED, True
    if status == 408:
        return DeliveryReason.TIMEOUT, True
    if status == 425:
        return DeliveryReason.CLIENT_ERROR, True
    if status >= 500:
        return DeliveryReason.SERVER_ERROR, True
    if status in (401, 403):
        return DeliveryReason.AUTH_ERROR, False
    return DeliveryReason.CLIENT_ERROR, False


class TestClassifyHttpStatus:
    @pytest.mark.parametrize("status", range(100, 600))
    def test_every_status(self, status: int) -> None:
        """Each status maps to the documented reason and retryability (Alertmanager RetryTests)."""
        error = classify_http_status(status, {}, channel="webhook")
        expected = expected_for(status)
        if expected is None:
            assert error is None
            return
        assert error is not None
        assert (error.reason, error.retryable, error.channel) == (*expected, "webhook")
        assert str(status) in str(error)

    @pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504, 599])
    def test_retry_after_seconds_is_carried(self, status: int) -> None:
        """A retryable answer carries the server's Retry-After in seconds."""
        error = classify_http_status(status, {"Retry-After": "7"}, channel="slack")
        assert error is not None
        assert error.retry_after_s == 7.0

    def test_retry_after_http_date_and_any_header_case(self) -> None:
        """Retry-After as an HTTP-date becomes seconds from now, whatever the header's case."""
        when = format_datetime(NOW + timedelta(seconds=90), usegmt=True)
        error = classify_http_status(503, {"retry-after": when}, channel="slack", now=NOW)
        assert error is not None
        assert error.retry_after_s == 90.0

    def test_non_retryable_ignores_retry_after(self) -> None:
        """A final refusal does not invite a retry, even with a Retry-After header."""
        error = classify_http_status(400, {"Retry-After": "5"}, channel="slack")
        assert error is not None
        assert (error.retryable, error.retry_after_s) == (False, None)

    def test_detail_is_redacted(self) -> None:
        """Body text in the message has URL paths masked."""
        error = classify_http_status(404, {}, channel="slack", detail=f"no such {SECRET_URL}")
        assert error is not None
        assert SECRET_PART not in str(error)
        assert "hooks.slack.com/***" in str(error)


class TestParseRetryAfter:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (None, None),
            ("", None),
            ("120", 120.0),
            (" 1.5 ", 1.5),
            ("-3", 0.0),
            ("soon", None),
            ("inf", None),
            ("nan", None),
            (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
            ("Wed, 25 Nov 2026 07:00:30 GMT", 30.0),
        ],
    )
    def test_values(self, value: str | None, expected: float | None) -> None:
        """Delta-seconds and HTTP-dates parse; the past is zero; junk is ignored."""
        assert parse_retry_after(value, now=NOW) == expected


def _request() -> httpx.Request:
    return httpx.Request("POST", SECRET_URL)


EXCEPTION_TABLE: list[tuple[type[Exception], DeliveryReason, bool]] = [
    (httpx.ConnectTimeout, DeliveryReason.TIMEOUT, True),
    (httpx.ReadTimeout, DeliveryReason.TIMEOUT, True),
    (httpx.WriteTimeout, DeliveryReason.TIMEOUT, True),
    (httpx.PoolTimeout, DeliveryReason.TIMEOUT, True),
    (httpx.TimeoutException, DeliveryReason.TIMEOUT, True),
    (httpx.ConnectError, DeliveryReason.NETWORK, True),
    (httpx.ReadError, DeliveryReason.NETWORK, True),
    (httpx.WriteError, DeliveryReason.NETWORK, True),
    (httpx.CloseError, DeliveryReason.NETWORK, True),
    (httpx.NetworkError, DeliveryReason.NETWORK, True),
    (httpx.RemoteProtocolError, DeliveryReason.NETWORK, True),
    (httpx.ProtocolError, DeliveryReason.NETWORK, True),
    (httpx.ProxyError, DeliveryReason.NETWORK, True),
    (httpx.TransportError, DeliveryReason.NETWORK, True),
    (httpx.RequestError, DeliveryReason.NETWORK, True),
    (httpx.HTTPError, DeliveryReason.NETWORK, True),
    (httpx.LocalProtocolError, DeliveryReason.CLIENT_ERROR, False),
    (httpx.UnsupportedProtocol, DeliveryReason.CLIENT_ERROR, False),
    (httpx.TooManyRedirects, DeliveryReason.CLIENT_ERROR, False),
    (httpx.DecodingError, DeliveryReason.SERVER_ERROR, True),
]


def _build(cls: type[Exception]) -> Exception:
    message = f"failed talking to {SECRET_URL}"
    if cls is httpx.HTTPError:
        return cls(message)
    return cls(message, request=_request())  # type: ignore[call-arg]


class TestMapHttpException:
    @pytest.mark.parametrize(("cls", "reason", "retryable"), EXCEPTION_TABLE)
    def test_mapping(self, cls: type[Exception], reason: DeliveryReason, retryable: bool) -> None:
        """Each httpx exception becomes a DeliveryError with the right reason and retryability."""
        error = map_http_exception(_build(cls), channel="slack")  # type: ignore[arg-type]
        assert (error.reason, error.retryable, error.channel) == (reason, retryable, "slack")
        assert cls.__name__ in str(error)

    @pytest.mark.parametrize(("cls", "reason", "retryable"), EXCEPTION_TABLE)
    def test_no_url_in_message(
        self, cls: type[Exception], reason: DeliveryReason, retryable: bool
    ) -> None:
        """Neither str() nor repr() nor a pickled copy holds the webhook URL's secret path."""
        error = map_http_exception(_build(cls), channel="slack")  # type: ignore[arg-type]
        for text in (str(error), repr(error), repr(pickle.loads(pickle.dumps(error)).args)):
            assert SECRET_PART not in text

    def test_every_httpx_error_class_is_in_the_table(self) -> None:
        """A new httpx exception class fails here until the table says how it maps."""
        public = {
            getattr(httpx, name)
            for name in httpx.__all__
            if isinstance(getattr(httpx, name), type)
            and issubclass(getattr(httpx, name), httpx.HTTPError)
        }
        assert public - {cls for cls, _, _ in EXCEPTION_TABLE} == {httpx.HTTPStatusError}

    def test_status_error_is_classified_by_status(self) -> None:
        """An HTTPStatusError maps like its response's status, Retry-After included."""
        response = httpx.Response(429, headers={"Retry-After": "4"}, request=_request())
        exc = httpx.HTTPStatusError(f"429 for {SECRET_URL}", request=_request(), response=response)
        error = map_http_exception(exc, channel="webhook")
        assert (error.reason, error.retryable, error.retry_after_s) == (
            DeliveryReason.RATE_LIMITED,
            True,
            4.0,
        )

    def test_invalid_url_is_final_and_redacted(self) -> None:
        """A malformed URL is a configuration error, and the message does not repeat it."""
        exc = httpx.InvalidURL(f"Invalid URL {SECRET_URL}")
        error = map_http_exception(exc, channel="webhook", secrets=[SECRET_URL])
        assert (error.reason, error.retryable) == (DeliveryReason.CLIENT_ERROR, False)
        assert SECRET_PART not in str(error)


class TestValues:
    def test_smtp_config_hides_password(self) -> None:
        """The SMTP password never shows in the config's repr."""
        config = SmtpConfig(host="mail", username="bot", password=Secret("hunter2"))
        assert "hunter2" not in repr(config)
        assert (config.port, config.starttls, config.ssl, config.timeout_s) == (
            587,
            True,
            False,
            15.0,
        )

    def test_transport_is_frozen(self) -> None:
        """A Transport is an immutable bundle of per-process clients."""
        with httpx.Client() as client:
            transport = Transport(http=client)
            with pytest.raises(AttributeError):
                transport.smtp = SmtpConfig(host="x")  # type: ignore[misc]

    def test_delivery_error_round_trips_through_pickle(self) -> None:
        """Errors cross Celery process boundaries intact."""
        error = classify_http_status(503, {"Retry-After": "2"}, channel="slack")
        assert isinstance(error, DeliveryError)
        copy = pickle.loads(pickle.dumps(error))
        assert (copy.reason, copy.retryable, copy.retry_after_s) == (
            error.reason,
            error.retryable,
            error.retry_after_s,
        )


class TestWording:
    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({}, "Ballistic missile launch — North Korea"),
            ({"facts": Facts()}, "Ballistic missile launch"),
            ({"facts": Facts(country="ZZ")}, "Ballistic missile launch — ZZ"),
            (
                {"kind": AlertKind.UPDATE, "revision": 2},
                "Update #2: Ballistic missile launch — North Korea",
            ),
            (
                {"kind": AlertKind.CORRECTION, "revision": 3},
                "Correction: Ballistic missile launch — North Korea",
            ),
            ({"test": True}, "TEST: Ballistic missile launch — North Korea"),
        ],
    )
    def test_headline(self, changes: dict[str, object], expected: str) -> None:
        """The headline names the country and marks updates, corrections and tests."""
        assert headline(make_alert(**changes)) == expected

    def test_fact_lines(self) -> None:
        """Stated facts come out labelled, in reading order, each on one line."""
        facts = Facts(
            country="KP",
            missile_class="unidentified_ballistic",
            count_text="at least two",
            launch_time=datetime(2026, 11, 25, 7, 12, tzinfo=UTC),
            launch_time_text="16:12 KST",
            apogee_km=50.0,
            distance_km=350.0,
            landing_area="East Sea\r\nBcc: x@evil",
            inside_japan_eez=False,
            speed_mach=5.0,
            authority="South Korea JCS",
        )
        assert fact_lines(make_alert(facts=facts, confidence=0.875)) == [
            ("Country", "North Korea (KP)"),
            ("Class", "unidentified ballistic"),
            ("Count", "at least two"),
            ("Launch time", "2026-11-25 07:12 UTC (16:12 KST)"),
            ("Apogee / distance", "apogee 50 km, flew 350 km"),
            ("Landing area", "East Sea Bcc: x@evil (outside Japan's EEZ)"),
            ("Speed", "Mach 5"),
            ("Confirmed by", "South Korea JCS"),
            ("Confidence", "88%"),
        ]

    def test_one_line_removes_controls(self) -> None:
        """CR, LF, NUL and Unicode line separators fold to single spaces."""
        assert one_line(" a\r\nb\x00c\u2028d\te ") == "a b c d e"


class TestChatHelpers:
    def test_change_words(self) -> None:
        """Fact names become words a reader knows; synonyms and repeats collapse."""
        alert = make_alert(
            changes=("missile_class", "count", "count_text", "apogee_km", "landing_area",
                     "authority", "retracted", "another_launch", "new_field")
        )  # fmt: skip
        assert change_words(alert) == [
            "missile class",
            "count",
            "apogee",
            "landing area",
            "confirmed by",
            "retracted: not a ballistic missile launch",
            "another launch the same day",
            "new field",
        ]

    @pytest.mark.parametrize(
        ("kind", "label"),
        [
            (AlertKind.NEW, None),
            (AlertKind.UPDATE, "Update #3"),
            (AlertKind.CORRECTION, "Correction"),
        ],
    )
    def test_revision_label(self, kind: AlertKind, label: str | None) -> None:
        """Only revisions after the first alert are labelled."""
        assert revision_label(make_alert(kind=kind, revision=3)) == label

    def test_shorten(self) -> None:
        """Text is cut to the limit with an ellipsis, and left alone when it fits."""
        assert (shorten("abcdef", 4), shorten("abc", 4), shorten("abc", 0)) == ("abc…", "abc", "")

    @pytest.mark.parametrize(
        ("url", "safe"),
        [
            ("https://ok.example/a b(c)[d]|e<f>",
             "https://ok.example/a%20b%28c%29%5Bd%5D%7Ce%3Cf%3E"),
            ("HTTP://ok.example/\r\nx", "HTTP://ok.example/%20x"),
            ("javascript:alert(1)", None),
            ("https:///nohost", None),
            ("ftp://x.example/", None),
            ("https://x.example/" + "a" * 3000, None),
        ],
    )  # fmt: skip
    def test_safe_http_url(self, url: str, safe: str | None) -> None:
        """Only http(s) URLs with a host pass, encoded so markup cannot end them early."""
        assert safe_http_url(url) == safe

    @pytest.mark.parametrize(
        ("text", "escaped"),
        [
            ("**b** _i_ [x](http://e) `c` ~s~ \\",
             "\\*\\*b\\*\\* \\_i\\_ \\[x\\](http://e) \\`c\\` \\~s\\~ \\\\"),
            ("- item", "\\- item"),
            ("# heading", "\\# heading"),
            ("> quote", "\\> quote"),
            ("12. point", "12\\. point"),
            ("3-4 missiles", "3-4 missiles"),
            ("line\r\n- two", "line - two"),
        ],
    )  # fmt: skip
    def test_escape_markdown(self, text: str, escaped: str) -> None:
        """Emphasis, code, links and leading block markers are made literal."""
        assert escape_markdown(text) == escaped

    def test_url_secrets(self) -> None:
        """The URL, its long path segments and query values are all treated as secret."""
        url = "https://discord.com/api/webhooks/123456789/XXXSECRETXXX?token=abcdefgh1&x=1"
        assert url_secrets(url) == [url, "webhooks", "123456789", "XXXSECRETXXX", "abcdefgh1"]
