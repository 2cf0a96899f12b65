"""Slack Block Kit rendering and incoming-webhook sending (alerts.notify.slack)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, AlertKind, Destination, Facts, SourceRef
from alerts.notify import slack
from alerts.notify.base import Transport
from alerts.redact import Secret

WEBHOOK_URL = "https://hooks.slack.com/services/T000/B000/XXXSECRETXXX"
DESTINATION = Destination(id="ops-slack", channel="slack", url=Secret(WEBHOOK_URL))
INJECTION = "<!channel> <@U1> <http://evil|click> &"
T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)


def make_alert(**changes: Any) -> Alert:
    values: dict[str, Any] = {
        "event_id": "kp-20261125-1",
        "kind": AlertKind.NEW,
        "revision": 1,
        "title": "N. Korea fires ballistic missile into East Sea",
        "url": "https://en.yna.co.kr/view/AEN1?section=nk&x=1",
        "facts": Facts(country="KP", missile_class="SRBM", count=2, authority="South Korea JCS"),
        "confidence": 0.92,
        "detected_at": datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
        "first_published_at": T0,
        "sources": (
            SourceRef("yonhap", "y1", "https://en.yna.co.kr/view/AEN1", "N. Korea fires", T0),
        ),
    }
    values.update(changes)
    return Alert(**values)


def strings(value: Any) -> Iterator[str]:
    """Every string anywhere inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def text_objects(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for block in payload["blocks"]:
        if "text" in block:
            yield block["text"]
        yield from block.get("fields", [])
        yield from block.get("elements", [])


OUR_TOKEN = re.compile(
    r"<(https?://[^|<>\s]+\|[^<>]*|!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*)>"
)


class TestRender:
    def test_whole_payload(self) -> None:
        """A new alert renders as header, linked report with fact fields, sources and times."""
        payload = slack.render(make_alert(), DESTINATION)
        link = "<https://en.yna.co.kr/view/AEN1?section=nk&amp;x=1|N. Korea fires ballistic"
        date = "<!date^1795590900^{date_short_pretty} {time}|2026-11-25 07:15 UTC>"
        assert payload == {
            "text": (
                "Ballistic missile launch — North Korea: N. Korea fires ballistic missile into "
                "East Sea https://en.yna.co.kr/view/AEN1?section=nk&amp;x=1"
            ),
            "blocks": [
                {
                    "type": "header",
                    "text": {
                        "type": "plain_text",
                        "text": "🚀 Ballistic missile launch — North Korea",
                        "emoji": True,
                    },
                },
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": f"*{link} missile into East Sea>*"},
                    "fields": [
                        {"type": "mrkdwn", "text": "*Country*\nNorth Korea (KP)"},
                        {"type": "mrkdwn", "text": "*Class*\nSRBM"},
                        {"type": "mrkdwn", "text": "*Count*\n2"},
                        {"type": "mrkdwn", "text": "*Confirmed by*\nSouth Korea JCS"},
                        {"type": "mrkdwn", "text": "*Confidence*\n92%"},
                    ],
                },
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": (
                            "*Sources*\n• <https://en.yna.co.kr/view/AEN1|N. Korea fires> "
                            f"— yonhap, {date}"
                        ),
                    },
                },
                {
                    "type": "context",
                    "elements": [
                        {
                            "type": "mrkdwn",
                            "text": (
                                f"First reported {date} · detected "
                                "<!date^1795590960^{date_short_pretty} {time}|2026-11-25 07:16 UTC>"
                                " · event `kp-20261125-1` rev 1"
                            ),
                        }
                    ],
                },
            ],
        }

    @pytest.mark.parametrize(
        ("changes", "header"),
        [
            ({"kind": AlertKind.UPDATE, "revision": 2}, "🚀 Update #2: Ballistic missile launch"),
            ({"kind": AlertKind.CORRECTION, "revision": 3}, "🚀 Correction: Ballistic missile"),
            ({"test": True}, "🚀 TEST: Ballistic missile launch"),
        ],
    )
    def test_header_marks_kind_and_test(self, changes: dict[str, Any], header: str) -> None:
        """Updates, corrections and test alerts say so in the header."""
        payload = slack.render(make_alert(**changes), DESTINATION)
        assert payload["blocks"][0]["text"]["text"].startswith(header)

    def test_update_refers_to_the_first_alert_and_lists_changes(self) -> None:
        """An update says which alert it updates (first-report time, event) and what changed."""
        alert = make_alert(
            kind=AlertKind.UPDATE, revision=2, changes=("missile_class", "apogee_km", "authority")
        )
        payload = slack.render(alert, DESTINATION)
        assert payload["blocks"][1] == {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": (
                        "Update #2 to the alert of "
                        "<!date^1795590900^{date_short_pretty} {time}|2026-11-25 07:15 UTC> "
                        "(event `kp-20261125-1`) · *Changed:* missile class, apogee, confirmed by"
                    ),
                }
            ],
        }
        assert payload["text"].startswith(
            "Update #2: Ballistic missile launch — North Korea "
            "(changed: missile class, apogee, confirmed by): N. Korea fires"
        )

    def test_correction_without_first_report_time(self) -> None:
        """A retraction says so in words; without a first-report time the event id is named."""
        alert = make_alert(
            kind=AlertKind.CORRECTION, revision=3, changes=("retracted",), first_published_at=None
        )
        payload = slack.render(alert, DESTINATION)
        assert payload["blocks"][1]["elements"][0]["text"] == (
            "Correction to the earlier alert of event `kp-20261125-1` · "
            "*Changed:* retracted: not a ballistic missile launch"
        )

    def test_new_alert_has_no_reference_line(self) -> None:
        """Only updates and corrections carry the reference to the first alert."""
        payload = slack.render(make_alert(changes=("count",)), DESTINATION)
        assert [b["type"] for b in payload["blocks"]] == ["header", "section", "section", "context"]

    def test_test_alert_is_marked_everywhere_a_reader_looks(self) -> None:
        """A test alert says TEST in the notification text and in a context line."""
        payload = slack.render(make_alert(test=True), DESTINATION)
        assert payload["text"].startswith("TEST: ")
        assert "TEST ALERT" in payload["blocks"][1]["elements"][0]["text"]

    def test_fallback_text_always_has_title_and_url(self) -> None:
        """The plain fallback carries the report title and URL even for a huge title."""
        huge = make_alert(title="T" * 100_000)
        text = slack.render(huge, DESTINATION)["text"]
        assert text.startswith("Ballistic missile launch — North Korea: TTTT")
        assert text.endswith("… https://en.yna.co.kr/view/AEN1?section=nk&amp;x=1")
        assert len(text) <= slack.TEXT_MAX

    def test_limits_hold_for_oversized_input(self) -> None:
        """A 100 KB title, long facts and 300 sources stay within Block Kit limits."""
        big = "Ünïcode & <tag> " * 6_500  # ~100 KB
        facts = Facts(
            country=big,
            missile_class=big,
            count_text=big,
            launch_time_text=big,
            launch_site=big,
            landing_area=big,
            apogee_km=1.0,
            speed_mach=3.0,
            authority=big,
            inside_japan_eez=True,
        )
        sources = tuple(
            SourceRef(big, f"i{n}", f"https://ex.example/{n}?" + "q" * 5000, big, T0)
            for n in range(300)
        )
        alert = make_alert(title=big, facts=facts, sources=sources, event_id=big, test=True)
        payload = slack.render(alert, DESTINATION)
        blocks = payload["blocks"]
        assert len(blocks) <= 50
        assert len(payload["text"]) <= 3000
        assert len(blocks[0]["text"]["text"]) <= 150
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
                assert len(block.get("fields", [])) <= 10
                assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        assert "…and " in blocks[3]["text"]["text"]
        assert len(json.dumps(payload)) < 40_000
        for text in strings(payload):
            assert not re.search(r"&[a-z]*$|&[a-z]*…", text), "truncation split an entity"

    def test_long_titles_keep_their_links(self) -> None:
        """A huge title is shortened inside its link, so the link itself survives."""
        sources = (SourceRef("yonhap", "y1", "https://ok.example/s", "S" * 100_000, T0),)
        payload = slack.render(make_alert(title="T" * 100_000, sources=sources), DESTINATION)
        report = payload["blocks"][1]["text"]["text"]
        assert report.startswith("*<https://en.yna.co.kr/view/AEN1?section=nk&amp;x=1|TTT")
        assert report.endswith("T…>*")
        assert len(report) < 400
        assert payload["blocks"][2]["text"]["text"].startswith(
            "*Sources*\n• <https://ok.example/s|SSS"
        )

    @pytest.mark.parametrize("length", [490, 600, 999])
    def test_a_long_source_url_falls_back_to_the_title(self, length: int) -> None:
        """A source whose link cannot fit its line (news aggregators' URLs reach ~500
        characters) shows its title and outlet without the link, never a bare "• …"."""
        url = "https://news.aggregator.example/articles?u=" + "x" * length
        sources = (SourceRef("aggregator", "a1", url, "N. Korea fires ICBM, Japan says", T0),)
        payload = slack.render(make_alert(sources=sources), DESTINATION)
        [line] = payload["blocks"][-2]["text"]["text"].splitlines()[1:]
        assert line.startswith("• N. Korea fires ICBM, Japan says — aggregator, <!date^")
        assert url not in line

    def test_injection_is_neutralised_in_every_text(self) -> None:
        """Feed text cannot mention @channel, a user, or smuggle a link into any text field."""
        facts = Facts(
            country=INJECTION,
            missile_class=INJECTION,
            count_text=INJECTION,
            launch_time_text=INJECTION,
            launch_site=INJECTION,
            landing_area=INJECTION,
            authority=INJECTION,
        )
        sources = (SourceRef(INJECTION, "i", "https://ok.example/a", INJECTION, T0),)
        alert = make_alert(
            title=INJECTION, facts=facts, sources=sources, event_id=INJECTION, test=True
        )
        payload = slack.render(alert, DESTINATION)
        texts = list(strings(payload))
        assert len(list(text_objects(payload))) >= 10
        for text in texts:
            assert "<!channel>" not in text
            assert "<@U1>" not in text
            assert "<http://evil" not in text
            assert OUR_TOKEN.sub("", text).count("<") == 0, text
            assert re.search(r"&(?!amp;|lt;|gt;)", text) is None, text
        assert any(
            "&lt;!channel&gt; &lt;@U1&gt; &lt;http://evil|click&gt; &amp;" in t for t in texts
        )

    @pytest.mark.parametrize(
        "url",
        ["javascript:alert(1)", "ftp://x.example/a", "", "https://ok.example/a b|c>d<e"],
    )
    def test_only_http_urls_become_links(self, url: str) -> None:
        """Non-http(s) URLs are shown as text; http(s) URLs are encoded to stay one token."""
        payload = slack.render(make_alert(url=url, title="Report"), DESTINATION)
        section = payload["blocks"][1]["text"]["text"]
        if url.startswith("https://"):
            assert section == "*<https://ok.example/a%20b%7Cc%3Ed%3Ce|Report>*"
        else:
            assert section == "*Report*"

    def test_naive_and_missing_times(self) -> None:
        """A naive time is read as UTC; without a first-report time only detection is shown."""
        alert = make_alert(
            first_published_at=None, detected_at=datetime(2026, 11, 25, 7, 16), sources=()
        )
        payload = slack.render(alert, DESTINATION)
        assert payload["blocks"][-1]["elements"][0]["text"].startswith(
            "detected <!date^1795590960^"
        )
        assert [b["type"] for b in payload["blocks"]] == ["header", "section", "context"]

    def test_render_is_pure(self) -> None:
        """Rendering twice gives equal payloads and never reveals the webhook URL."""
        first = slack.render(make_alert(), DESTINATION)
        assert first == slack.render(make_alert(), DESTINATION)
        assert "XXXSECRETXXX" not in json.dumps(first)


def transport_answering(
    handler: Callable[[httpx.Request], httpx.Response],
) -> tuple[Transport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return Transport(http=httpx.Client(transport=httpx.MockTransport(record))), seen


def send_and_catch(handler: Callable[[httpx.Request], httpx.Response]) -> DeliveryError:
    transport, _ = transport_answering(handler)
    with transport.http, pytest.raises(DeliveryError) as caught:
        slack.send(slack.render(make_alert(), DESTINATION), DESTINATION, transport)
    error = caught.value
    for text in (str(error), repr(error), repr(error.args)):
        assert "XXXSECRETXXX" not in text
        assert "/services/" not in text
    return error


class TestSend:
    def test_success_posts_json_to_the_webhook(self) -> None:
        """A 200 "ok" is success; the body is the rendered payload as JSON."""
        transport, seen = transport_answering(lambda r: httpx.Response(200, text="ok"))
        payload = slack.render(make_alert(), DESTINATION)
        with transport.http:
            assert slack.send(payload, DESTINATION, transport) is None
        [request] = seen
        assert (request.method, str(request.url)) == ("POST", WEBHOOK_URL)
        assert request.headers["content-type"].startswith("application/json")
        assert json.loads(request.content) == payload

    @pytest.mark.parametrize(
        ("status", "body", "headers", "reason", "retryable", "retry_after_s"),
        [
            (429, "rate_limited", {"Retry-After": "30"}, DeliveryReason.RATE_LIMITED, True, 30.0),
            (500, "rollup_error", {}, DeliveryReason.SERVER_ERROR, True, None),
            (503, "<html>busy</html>", {}, DeliveryReason.SERVER_ERROR, True, None),
            (400, "invalid_payload", {}, DeliveryReason.CLIENT_ERROR, False, None),
            (400, "no_text", {}, DeliveryReason.CLIENT_ERROR, False, None),
            (410, "channel_is_archived", {}, DeliveryReason.REJECTED, False, None),
            (404, "channel_not_found", {}, DeliveryReason.REJECTED, False, None),
            (403, "action_prohibited", {}, DeliveryReason.REJECTED, False, None),
            (404, "no_service", {}, DeliveryReason.AUTH_ERROR, False, None),
            (403, "invalid_token", {}, DeliveryReason.AUTH_ERROR, False, None),
            (302, "", {"Location": "https://elsewhere.example/"}, DeliveryReason.CLIENT_ERROR,
             False, None),
        ],
    )  # fmt: skip
    def test_failures(
        self,
        status: int,
        body: str,
        headers: dict[str, str],
        reason: DeliveryReason,
        retryable: bool,
        retry_after_s: float | None,
    ) -> None:
        """Slack's answers map to reasons a worker can act on; the error code is kept."""
        error = send_and_catch(lambda r: httpx.Response(status, text=body, headers=headers))
        assert (error.channel, error.reason, error.retryable, error.retry_after_s) == (
            "slack",
            reason,
            retryable,
            retry_after_s,
        )
        if re.fullmatch(r"[a-z_]+", body):
            assert body in str(error)

    @pytest.mark.parametrize(
        ("exc", "reason"),
        [
            (httpx.ConnectError, DeliveryReason.NETWORK),
            (httpx.ReadTimeout, DeliveryReason.TIMEOUT),
            (httpx.ConnectTimeout, DeliveryReason.TIMEOUT),
            (httpx.RemoteProtocolError, DeliveryReason.NETWORK),
        ],
    )
    def test_transport_exceptions_are_retryable(
        self, exc: type[httpx.TransportError], reason: DeliveryReason
    ) -> None:
        """Connection failures and timeouts are retryable, and never name the URL."""

        def fail(request: httpx.Request) -> httpx.Response:
            raise exc(f"boom at {request.url}", request=request)

        error = send_and_catch(fail)
        assert (error.reason, error.retryable) == (reason, True)

    def test_missing_url_is_a_configuration_error(self) -> None:
        """A destination without a URL fails at once, not retryable."""
        transport, seen = transport_answering(lambda r: httpx.Response(200))
        with transport.http, pytest.raises(DeliveryError) as caught:
            slack.send({}, Destination(id="d", channel="slack"), transport)
        assert (caught.value.reason, caught.value.retryable, seen) == (
            DeliveryReason.CLIENT_ERROR,
            False,
            [],
        )
