"""One conformance suite for every HTTP channel in notify.registry.CHANNELS.

Alertmanager's notify/test habit: each channel that speaks HTTP is held to the same rules, so
adding a channel brings these tests along (a channel missing from CASES fails
`test_every_http_channel_has_a_case`):

- the full status table 100-599: 2xx is success; 408, 425, 429 and 5xx are retryable; every
  other status is a final error;
- Retry-After (seconds or HTTP-date) reaches `retry_after_s`;
- every httpx exception becomes a DeliveryError with the documented retryability;
- the destination's secrets (URL path, bot token, signing key) never appear in str(error),
  repr(error) or the rendered payload, even when the peer or the exception echoes them;
- a 100 KB hostile title is neutralised and fits the channel's limits.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from alerts.errors import DeliveryError
from alerts.models import Alert, AlertKind, Destination, Facts, SourceRef
from alerts.notify import discord, slack, teams
from alerts.notify.base import Transport
from alerts.notify.registry import CHANNELS
from alerts.notify.slack_bot import BotMessage
from alerts.redact import Secret

T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)
ALERT = Alert(
    event_id="kp-20261125-1",
    kind=AlertKind.NEW,
    revision=1,
    title="N. Korea fires ballistic missile",
    url="https://en.yna.co.kr/view/AEN1",
    facts=Facts(country="KP", missile_class="SRBM", count=2),
    confidence=0.92,
    detected_at=datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
    first_published_at=T0,
    sources=(SourceRef("yonhap", "y1", "https://en.yna.co.kr/view/AEN1", "N. Korea fires", T0),),
)
HOSTILE_UNIT = "<!channel> @everyone <@U1> [x](http://evil) **b** \r\nBcc: x "
HOSTILE = (HOSTILE_UNIT * (100_000 // len(HOSTILE_UNIT) + 1))[:100_000]
NOT_HTTP = {"email"}
SIGNING_KEY = "whsec_WFhYU0lHTktFWVhYWC0wMTIzNDU2Nzg5YWJjZGVm"  # "XXXSIGNKEYXXX-0123456789abcdef"


def strings(value: Any) -> Iterator[str]:
    """Every string anywhere inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def json_of(payload: Any) -> Any:
    """The JSON document a rendered payload is sent as."""
    return payload.body if isinstance(payload, BotMessage) else payload


# ---- per-channel rules: what a neutralised text looks like, and the platform's limits ----


def slack_neutral(text: str) -> None:
    ours = re.sub(r"<(https?://[^|<>\s]+\|[^<>]*|!date\^\d+\^[^<>|]*\|[^<>]*)>", "", text)
    assert "<" not in ours, "feed text made a Slack token"
    assert ">" not in ours, "feed text made a Slack token"
    assert "<!channel>" not in text
    assert "<@U1>" not in text


def slack_limits(payload: Any) -> None:
    body = json_of(payload)
    assert len(body["text"]) <= slack.TEXT_MAX
    assert len(body["blocks"]) <= slack.BLOCKS_MAX
    for block in body["blocks"]:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= slack.HEADER_MAX
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= slack.SECTION_MAX
            assert len(block.get("fields", [])) <= slack.FIELDS_MAX
            assert all(len(f["text"]) <= slack.FIELD_MAX for f in block.get("fields", []))
        if block["type"] == "context":
            assert all(len(e["text"]) <= 2000 for e in block["elements"])


def discord_neutral(text: str) -> None:
    assert not re.search("@(?!\u200b)", text), "an @ that could mention"
    assert not re.search(r"(?<!\\)<(?!t:\d+:f>)", text), "an unescaped <"
    assert "[x](" not in text
    assert not re.search(r"(?<!\\)\*\*b", text)


def discord_limits(payload: Any) -> None:
    [embed] = payload["embeds"]
    assert payload["allowed_mentions"] == {"parse": []}
    assert len(payload["content"]) <= discord.CONTENT_MAX
    assert len(embed["title"]) <= discord.TITLE_MAX
    assert len(embed["description"]) <= discord.DESCRIPTION_MAX
    assert len(embed["fields"]) <= discord.FIELDS_MAX
    for field in embed["fields"]:
        assert len(field["name"]) <= discord.FIELD_NAME_MAX
        assert len(field["value"]) <= discord.FIELD_VALUE_MAX
    total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    total += sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert total <= discord.EMBED_TOTAL_MAX


def teams_neutral(text: str) -> None:
    assert "[x](" not in text
    assert not re.search(r"(?<!\\)\*\*b", text)


def teams_limits(payload: Any) -> None:
    assert len(json.dumps(payload).encode()) < 28_000, "over the Teams message size limit"
    for text in strings(payload):
        assert len(text) <= teams.TEXT_MAX


def webhook_neutral(text: str) -> None:
    """Data, not markup: the JSON encoding is the neutralisation; text arrives unchanged."""


def webhook_limits(payload: Any) -> None:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    assert not re.search(r"[\x00-\x1f]", body), "a raw control character in the JSON body"
    assert json.loads(body)["title"] == HOSTILE


@dataclasses.dataclass(frozen=True)
class Case:
    destination: Destination
    secrets: tuple[str, ...]
    ok_body: Callable[[], dict[str, Any]]  # what the peer says on 2xx
    neutral: Callable[[str], None]
    limits: Callable[[Any], None]

    @property
    def channel(self) -> str:
        return self.destination.channel


CASES = {
    "slack": Case(
        Destination(
            "c-slack", "slack", url=Secret("https://hooks.slack.com/services/T/B/XXXS1XXX")
        ),
        ("XXXS1XXX",),
        lambda: {"text": "ok"},
        slack_neutral,
        slack_limits,
    ),
    "slack_bot": Case(
        Destination(
            "c-bot",
            "slack_bot",
            url=Secret("https://slack.example/api/chat.postMessage"),
            token=Secret("xoxb-XXXS2XXX"),
            target="C0123",
        ),
        (),
        lambda: {"json": {"ok": True, "ts": "1.1"}},
        slack_neutral,
        slack_limits,
    ),
    "webhook": Case(
        Destination(
            "c-hook",
            "webhook",
            url=Secret("https://hooks.example.com/in/XXXS3XXX?token=XXXS4XXX"),
            signing_secrets=(Secret(SIGNING_KEY),),
        ),
        ("XXXS3XXX", "XXXS4XXX", SIGNING_KEY, SIGNING_KEY.removeprefix("whsec_")),
        lambda: {"text": ""},
        webhook_neutral,
        webhook_limits,
    ),
    "discord": Case(
        Destination("c-disc", "discord", url=Secret("https://discord.com/api/webhooks/1/XXXS5XXX")),
        ("XXXS5XXX",),
        lambda: {"json": {"id": "1"}},
        discord_neutral,
        discord_limits,
    ),
    "teams": Case(
        Destination(
            "c-teams",
            "teams",
            url=Secret("https://x.webhook.office.com/webhookb2/a@b/IncomingWebhook/XXXS6XXX/c"),
        ),
        ("XXXS6XXX",),
        lambda: {"text": "1"},
        teams_neutral,
        teams_limits,
    ),
}
CHANNEL_NAMES = sorted(CASES)


def test_every_http_channel_has_a_case() -> None:
    """Each registered channel is either in this suite or known not to speak HTTP."""
    assert set(CASES) == set(CHANNELS) - NOT_HTTP


# ---- helpers ----


def revealed(case: Case) -> list[str]:
    d = case.destination
    values = [s.reveal() for s in (d.url, d.token, *d.signing_secrets) if s is not None]
    return [*values, *case.secrets]


def run(case: Case, handler: Callable[[httpx.Request], httpx.Response]) -> DeliveryError | None:
    """Render ALERT for the case and send it through a MockTransport answering with handler."""
    channel = CHANNELS[case.channel]
    payload = channel.render(ALERT, case.destination)
    error = None
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        try:
            channel.send(payload, case.destination, Transport(http=client))
        except DeliveryError as caught:
            error = caught
    if error is not None:
        assert error.channel == case.channel
        for text in (str(error), repr(error), repr(error.args)):
            for secret in revealed(case):
                assert secret not in text, f"{case.channel} leaked a secret: {text}"
    return error


def echoing(case: Case, status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    """A peer answer that echoes every secret back, as a hostile or careless peer might."""
    if 200 <= status < 300:
        return httpx.Response(status, headers=headers, **case.ok_body())
    echo = " ".join(revealed(case))
    return httpx.Response(
        status, headers=headers, json={"ok": False, "error": echo, "message": echo, "code": 1}
    )


def expected_retryable(status: int) -> bool | None:
    """None: success. The shared table of base.classify_http_status."""
    if 200 <= status < 300:
        return None
    return status in (408, 425, 429) or status >= 500


# ---- the suite ----


@pytest.mark.parametrize("name", CHANNEL_NAMES)
class TestStatusTable:
    def test_every_status_from_100_to_599(self, name: str) -> None:
        """2xx succeeds; 408/425/429 and 5xx are retryable; all else is final."""
        case = CASES[name]
        wrong = {}
        for status in range(100, 600):
            error = run(case, lambda request, s=status: echoing(case, s))
            got = None if error is None else error.retryable
            if got != expected_retryable(status):
                wrong[status] = got
        assert wrong == {}

    @pytest.mark.parametrize("status", [408, 429, 503])
    def test_retry_after_seconds_is_honoured(self, name: str, status: int) -> None:
        """Retry-After in seconds becomes the error's retry_after_s."""
        case = CASES[name]
        error = run(case, lambda r: echoing(case, status, {"Retry-After": "7"}))
        assert error is not None
        assert (error.retryable, error.retry_after_s) == (True, 7.0)

    def test_retry_after_date_is_honoured(self, name: str) -> None:
        """Retry-After as an HTTP-date gives the seconds until then."""
        case = CASES[name]
        when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
        error = run(case, lambda r: echoing(case, 429, {"Retry-After": when}))
        assert error is not None
        assert error.retry_after_s is not None
        assert 100 <= error.retry_after_s <= 121


def httpx_exception_classes() -> list[type[Exception]]:
    """httpx's public exception classes a request can raise (the HTTPError tree and
    InvalidURL; StreamError and CookieConflict are programming errors, not send failures)."""
    found: set[type[Exception]] = {httpx.InvalidURL}
    todo: list[type[Exception]] = [httpx.HTTPError]
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("httpx") and hasattr(httpx, cls.__name__):
            found.add(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


RETRYABLE_BY_BASE = {
    httpx.TimeoutException: True,
    httpx.NetworkError: True,
    httpx.RemoteProtocolError: True,
    httpx.ProxyError: True,
    httpx.DecodingError: True,
    httpx.LocalProtocolError: False,
    httpx.UnsupportedProtocol: False,
    httpx.TooManyRedirects: False,
    httpx.InvalidURL: False,
    httpx.HTTPStatusError: True,  # raised here with a 503 response
}


def exception_for(cls: type[Exception], request: httpx.Request, text: str) -> Exception:
    if cls is httpx.HTTPStatusError:
        return cls(text, request=request, response=httpx.Response(503, request=request))
    if issubclass(cls, httpx.RequestError):
        return cls(text, request=request)
    return cls(text)


def expected_for(cls: type[Exception]) -> bool:
    for base in cls.__mro__:
        if base in RETRYABLE_BY_BASE:
            return RETRYABLE_BY_BASE[base]
    return True  # generic HTTPError/RequestError/TransportError: a network failure


@pytest.mark.parametrize("name", CHANNEL_NAMES)
@pytest.mark.parametrize("cls", httpx_exception_classes(), ids=lambda c: c.__name__)
def test_every_httpx_exception_becomes_a_delivery_error(name: str, cls: type[Exception]) -> None:
    """Each httpx exception, even one whose text holds the URL and secrets, is mapped."""
    case = CASES[name]

    def fail(request: httpx.Request) -> httpx.Response:
        text = f"failed {request.url} {request.headers.get('authorization', '')} "
        raise exception_for(cls, request, text + " ".join(revealed(case)))

    error = run(case, fail)
    assert isinstance(error, DeliveryError)
    assert error.retryable is expected_for(cls)
    assert error.__cause__ is None or not isinstance(error.__cause__, httpx.HTTPError)


@pytest.mark.parametrize("name", CHANNEL_NAMES)
class TestSecretsAndHostileText:
    def test_rendered_payload_holds_no_secret(self, name: str) -> None:
        """The payload a channel renders never carries its destination's secrets."""
        case = CASES[name]
        payload = CHANNELS[name].render(ALERT, case.destination)
        dumped = json.dumps(json_of(payload), ensure_ascii=False) + repr(payload)
        for secret in revealed(case):
            assert secret not in dumped

    def test_unconfigured_destination_fails_without_a_request(self, name: str) -> None:
        """A destination without URL (or token) is a final configuration error."""
        seen: list[httpx.Request] = []
        bare = CASES[name].destination
        bare = dataclasses.replace(bare, url=None, token=None, signing_secrets=())
        if name == "slack_bot":
            bare = dataclasses.replace(bare, url=Secret("https://slack.example/api"))
        case = dataclasses.replace(CASES[name], destination=bare)
        error = run(case, lambda request: seen.append(request) or httpx.Response(200))
        assert error is not None
        assert (error.retryable, seen) == (False, [])

    @pytest.mark.parametrize("kind", [AlertKind.NEW, AlertKind.UPDATE, AlertKind.CORRECTION])
    def test_hostile_100kb_title_is_neutralised_and_fits(self, name: str, kind: AlertKind) -> None:
        """Mentions, links, markdown and CR/LF from a feed cannot act; limits hold."""
        case = CASES[name]
        hostile = dataclasses.replace(
            ALERT,
            kind=kind,
            revision=1 if kind == AlertKind.NEW else 2,
            title=HOSTILE,
            url="https://ok.example/" + "a" * 3000,
            facts=Facts(country=HOSTILE, launch_site=HOSTILE, authority=HOSTILE),
            sources=tuple(
                SourceRef(HOSTILE, f"i{n}", f"https://ok.example/{n}", HOSTILE, T0)
                for n in range(50)
            ),
            changes=("apogee_km", HOSTILE[:500]),
        )
        payload = CHANNELS[name].render(hostile, case.destination)
        case.limits(payload)
        for text in strings(json_of(payload)):
            if name != "webhook":
                assert "\r" not in text
                assert not re.search(r"(?m)^Bcc:", text), "feed text started a line"
            case.neutral(text)
        assert run(case, lambda r: echoing(case, 200)) is None


def test_channel_modules_take_no_hidden_arguments() -> None:
    """render(alert, destination) and send(payload, destination, transport) everywhere."""
    for channel in CHANNELS.values():
        assert list(inspect.signature(channel.render).parameters) == ["alert", "destination"]
        assert list(inspect.signature(channel.send).parameters) == [
            "payload",
            "destination",
            "transport",
        ]
