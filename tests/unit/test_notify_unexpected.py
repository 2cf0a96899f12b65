"""Whatever a channel raises, the pipeline gets a retryable DeliveryError (issue 13).

A channel maps the failures it expects (HTTP statuses, httpx and smtplib exceptions) to
DeliveryErrors; anything else (a library's ValueError, a bug of ours) used to escape the
Celery task as "raised unexpected": neither retried nor dead-lettered, its ledger entry left
`routed`, so every later revision to that destination waited forever. notify.registry.deliver
now turns it into a retryable DeliveryError naming the exception, with secrets masked.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import httpx
import pytest

from alerts.errors import DeliveryError
from alerts.models import Alert, AlertKind, Destination, Facts, SourceRef
from alerts.notify import registry
from alerts.notify.base import UNEXPECTED_REASON, SmtpConfig, Transport
from alerts.notify.registry import CHANNELS, Channel, deliver
from alerts.redact import Secret

T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)
ALERT = Alert(
    event_id="kp-20261125-1",
    kind=AlertKind.UPDATE,
    revision=2,
    title="N. Korea fires ballistic missile",
    url="https://en.yna.co.kr/view/AEN1",
    facts=Facts(country="KP"),
    confidence=0.9,
    detected_at=T0,
    first_published_at=T0,
    sources=(SourceRef("yonhap", "y1", "https://en.yna.co.kr/view/AEN1", "N. Korea fires", T0),),
)
URL_SECRET = "XXXURLSECRETXXX"
TOKEN = "xoxb-XXXTOKENXXX"
KEY = "whsec_" + base64.b64encode(b"unit-key-XXXKEYXXX").decode()
PASSWORD = "XXXPASSWORDXXX"
DESTINATIONS = {
    "slack": Destination("s", "slack", url=Secret(f"https://hooks.slack.com/T/B/{URL_SECRET}")),
    "slack_bot": Destination("b", "slack_bot", token=Secret(TOKEN), target="C0123"),
    "webhook": Destination("w", "webhook", url=Secret(f"https://hooks.example/{URL_SECRET}"),
                           signing_secrets=(Secret(KEY),)),
    "discord": Destination("d", "discord", url=Secret(f"https://discord.com/api/webhooks/1/{URL_SECRET}")),
    "teams": Destination("t", "teams", url=Secret(f"https://x.webhook.office.com/{URL_SECRET}")),
    "email": Destination("e", "email", recipients=("ops@example.com",)),
}  # fmt: skip
OWN_SECRETS = {  # what a send to each destination handles, and so may see echoed
    "slack": (URL_SECRET,),
    "slack_bot": (TOKEN,),
    "webhook": (URL_SECRET, KEY, KEY.removeprefix("whsec_")),
    "discord": (URL_SECRET,),
    "teams": (URL_SECRET,),
    "email": (PASSWORD,),
}


class Surprise(Exception):  # noqa: N818 - named for what it is in these tests
    """An exception no channel knows."""


def raising_http(channel: str) -> httpx.Client:
    """An httpx client whose every request raises an exception httpx itself never raises,
    its text echoing the destination's secrets."""

    def explode(request: httpx.Request) -> httpx.Response:
        raise Surprise(f"went wrong near {' '.join(OWN_SECRETS[channel])} at {request.url}")

    return httpx.Client(transport=httpx.MockTransport(explode))


def assert_retryable_surprise(error: DeliveryError, channel: str, name: str) -> None:
    assert (error.channel, error.reason, error.retryable) == (channel, UNEXPECTED_REASON, True)
    assert f"unexpected {name}" in str(error)
    for secret in OWN_SECRETS[channel]:
        assert secret not in str(error) + repr(error)


def test_every_channel_is_covered() -> None:
    assert set(DESTINATIONS) == set(CHANNELS)


@pytest.mark.parametrize("channel", sorted(set(CHANNELS) - {"email"}))
def test_an_unexpected_exception_while_sending_is_a_retryable_delivery_error(
    channel: str,
) -> None:
    """The HTTP channels' client raising something no channel maps: retryable, named, and
    without any of the destination's secrets even though the exception text holds them."""
    with raising_http(channel) as client, pytest.raises(DeliveryError) as caught:
        deliver(ALERT, DESTINATIONS[channel], Transport(http=client))
    assert_retryable_surprise(caught.value, channel, "tests.unit.test_notify_unexpected.Surprise")
    assert isinstance(caught.value.__cause__, Surprise)  # for the worker's log, redacted there


def test_email_library_refusing_the_sender_is_a_retryable_delivery_error() -> None:
    """The issue's case: a From with CR/LF makes the email library raise ValueError at send
    time. It is retried and then dead-lettered, not lost; nothing is connected to."""
    smtp = SmtpConfig(host="127.0.0.1", port=9, starttls=False, password=Secret(PASSWORD),
                      sender="alerts@x.example\r\nBcc: everyone@example.com")  # fmt: skip
    with httpx.Client() as client, pytest.raises(DeliveryError) as caught:
        deliver(ALERT, DESTINATIONS["email"], Transport(http=client, smtp=smtp))
    assert_retryable_surprise(caught.value, "email", "ValueError")


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_an_unexpected_exception_while_rendering_is_a_retryable_delivery_error(
    channel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in a renderer is caught the same way (and nothing is sent)."""

    def broken_render(alert: Alert, destination: Destination) -> object:
        raise KeyError("facts")

    def no_send(payload: object, destination: Destination, transport: Transport) -> None:
        raise AssertionError("nothing may be sent")

    monkeypatch.setitem(registry.CHANNELS, channel, Channel(broken_render, no_send))
    with httpx.Client() as client, pytest.raises(DeliveryError) as caught:
        deliver(ALERT, DESTINATIONS[channel], Transport(http=client))
    assert_retryable_surprise(caught.value, channel, "KeyError")


def test_expected_delivery_errors_pass_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """A channel's own DeliveryError keeps its reason and retryability."""
    final = DeliveryError("HTTP 404 Not Found", channel="slack", retryable=False)

    def refuse(payload: object, destination: Destination, transport: Transport) -> None:
        raise final

    monkeypatch.setitem(registry.CHANNELS, "slack", Channel(CHANNELS["slack"].render, refuse))
    with httpx.Client() as client, pytest.raises(DeliveryError) as caught:
        deliver(ALERT, DESTINATIONS["slack"], Transport(http=client))
    assert caught.value is final
