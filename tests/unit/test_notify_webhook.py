"""Generic JSON webhooks with Standard Webhooks ids (alerts.notify.webhook)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, AlertKind, Destination, Facts, SourceRef
from alerts.notify import webhook
from alerts.notify.base import Transport
from alerts.redact import Secret

WEBHOOK_URL = "https://hooks.example.com/in/XXXSECRETXXX?token=abc"
DESTINATION = Destination(id="partner-1", channel="webhook", url=Secret(WEBHOOK_URL))
T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)


def make_alert(**changes: Any) -> Alert:
    values: dict[str, Any] = {
        "event_id": "kp-20261125-1",
        "kind": AlertKind.UPDATE,
        "revision": 2,
        "title": "N. Korea fires <b>ICBM</b>",
        "url": "https://en.yna.co.kr/view/AEN1",
        "facts": Facts(country="KP", missile_class="ICBM", launch_time=T0, apogee_km=6000.0),
        "confidence": 0.97,
        "detected_at": datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
        "first_published_at": T0,
        "sources": (
            SourceRef("yonhap", "y1", "https://en.yna.co.kr/view/AEN1", "N. Korea fires", T0),
            SourceRef("nhk", "n1", "https://nhk.example/1", "北朝鮮 弾道ミサイル"),
        ),
    }
    values.update(changes)
    return Alert(**values)


class TestRender:
    def test_whole_payload(self) -> None:
        """The body is the documented JSON document, times as ISO 8601 strings."""
        assert webhook.render(make_alert(), DESTINATION) == {
            "type": "missile_launch.alert",
            "event_id": "kp-20261125-1",
            "kind": "update",
            "revision": 2,
            "title": "N. Korea fires <b>ICBM</b>",
            "url": "https://en.yna.co.kr/view/AEN1",
            "facts": {
                "country": "KP",
                "missile_class": "ICBM",
                "launch_time": "2026-11-25T07:15:00+00:00",
                "apogee_km": 6000.0,
            },
            "confidence": 0.97,
            "sources": [
                {
                    "source": "yonhap",
                    "item_id": "y1",
                    "url": "https://en.yna.co.kr/view/AEN1",
                    "title": "N. Korea fires",
                    "published_at": "2026-11-25T07:15:00+00:00",
                },
                {
                    "source": "nhk",
                    "item_id": "n1",
                    "url": "https://nhk.example/1",
                    "title": "北朝鮮 弾道ミサイル",
                    "published_at": None,
                },
            ],
            "first_published_at": "2026-11-25T07:15:00+00:00",
            "detected_at": "2026-11-25T07:16:00+00:00",
            "test": False,
        }

    def test_payload_is_plain_json(self) -> None:
        """The payload round-trips through JSON unchanged (no enums or datetimes left)."""
        payload = webhook.render(make_alert(first_published_at=None, test=True), DESTINATION)
        assert json.loads(json.dumps(payload)) == payload
        assert (payload["first_published_at"], payload["test"]) == (None, True)
        assert type(payload["kind"]) is str


def transport_answering(
    handler: Callable[[httpx.Request], httpx.Response],
) -> tuple[Transport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return Transport(http=httpx.Client(transport=httpx.MockTransport(record))), seen


def send(alert: Alert, destination: Destination, transport: Transport) -> None:
    webhook.send(webhook.render(alert, destination), destination, transport)


class TestSend:
    def test_headers_and_body(self) -> None:
        """A delivery is a JSON POST carrying webhook-id and webhook-timestamp headers."""
        transport, seen = transport_answering(lambda r: httpx.Response(204))
        before = int(time.time())
        with transport.http:
            send(make_alert(), DESTINATION, transport)
        [request] = seen
        assert (request.method, str(request.url)) == ("POST", WEBHOOK_URL)
        assert request.headers["content-type"] == "application/json"
        assert re.fullmatch(r"msg_[0-9a-f]{32}", request.headers["webhook-id"])
        assert before <= int(request.headers["webhook-timestamp"]) <= int(time.time())
        assert json.loads(request.content) == webhook.render(make_alert(), DESTINATION)

    def test_webhook_id_is_stable_per_revision_and_destination(self) -> None:
        """Retries repeat the id; another revision or destination gets another id."""
        transport, seen = transport_answering(lambda r: httpx.Response(200))
        other = Destination(id="partner-2", channel="webhook", url=Secret(WEBHOOK_URL))
        with transport.http:
            send(make_alert(), DESTINATION, transport)
            send(make_alert(), DESTINATION, transport)
            send(make_alert(revision=3), DESTINATION, transport)
            send(make_alert(), other, transport)
        ids = [request.headers["webhook-id"] for request in seen]
        assert ids[0] == ids[1]
        assert len(set(ids)) == 3

    @pytest.mark.parametrize(
        ("status", "headers", "reason", "retryable", "retry_after_s"),
        [
            (429, {"Retry-After": "12"}, DeliveryReason.RATE_LIMITED, True, 12.0),
            (500, {}, DeliveryReason.SERVER_ERROR, True, None),
            (503, {"Retry-After": "2"}, DeliveryReason.SERVER_ERROR, True, 2.0),
            (400, {}, DeliveryReason.CLIENT_ERROR, False, None),
            (401, {}, DeliveryReason.AUTH_ERROR, False, None),
            (410, {}, DeliveryReason.CLIENT_ERROR, False, None),
        ],
    )
    def test_status_failures(
        self,
        status: int,
        headers: dict[str, str],
        reason: DeliveryReason,
        retryable: bool,
        retry_after_s: float | None,
    ) -> None:
        """Non-2xx answers raise a DeliveryError classified by status, without the URL."""
        transport, _ = transport_answering(
            lambda r: httpx.Response(status, headers=headers, text=f"bad {WEBHOOK_URL}")
        )
        with transport.http, pytest.raises(DeliveryError) as caught:
            send(make_alert(), DESTINATION, transport)
        error = caught.value
        assert (error.channel, error.reason, error.retryable, error.retry_after_s) == (
            "webhook",
            reason,
            retryable,
            retry_after_s,
        )
        assert "XXXSECRETXXX" not in str(error) + repr(error)

    @pytest.mark.parametrize(
        ("exc", "reason"),
        [(httpx.ConnectError, DeliveryReason.NETWORK), (httpx.ReadTimeout, DeliveryReason.TIMEOUT)],
    )
    def test_transport_exceptions(
        self, exc: type[httpx.TransportError], reason: DeliveryReason
    ) -> None:
        """Network failures and timeouts are retryable and never name the URL."""

        def fail(request: httpx.Request) -> httpx.Response:
            raise exc(f"failed for {request.url}", request=request)

        transport, _ = transport_answering(fail)
        with transport.http, pytest.raises(DeliveryError) as caught:
            send(make_alert(), DESTINATION, transport)
        assert (caught.value.reason, caught.value.retryable) == (reason, True)
        assert "XXXSECRETXXX" not in str(caught.value) + repr(caught.value)
        assert caught.value.__cause__ is None

    def test_bad_url_is_not_retryable(self) -> None:
        """A URL httpx cannot use is a configuration error."""
        transport, _ = transport_answering(lambda r: httpx.Response(200))
        bad = Destination(id="d", channel="webhook", url=Secret("hooks.example.com/XXXSECRETXXX"))
        with transport.http, pytest.raises(DeliveryError) as caught:
            send(make_alert(), bad, transport)
        assert (caught.value.reason, caught.value.retryable) == (
            DeliveryReason.CLIENT_ERROR,
            False,
        )
        assert "XXXSECRETXXX" not in str(caught.value)
