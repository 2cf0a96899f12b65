"""Slack bot mode: chat.postMessage with threading (alerts.notify.slack_bot)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, AlertKind, Destination, Facts, SourceRef
from alerts.notify import slack, slack_bot
from alerts.notify.base import Transport
from alerts.redact import Secret

TOKEN = "xoxb-0000-XXXTOKENXXX"
DESTINATION = Destination(
    id="ops-bot", channel="slack_bot", token=Secret(TOKEN), target="C0123456789"
)
T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)
ALERT = Alert(
    event_id="kp-20261125-1",
    kind=AlertKind.NEW,
    revision=1,
    title="N. Korea fires ballistic missile",
    url="https://en.yna.co.kr/view/AEN1",
    facts=Facts(country="KP", missile_class="SRBM"),
    confidence=0.92,
    detected_at=datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
    first_published_at=T0,
    sources=(SourceRef("yonhap", "y1", "https://en.yna.co.kr/view/AEN1", "N. Korea fires", T0),),
)
UPDATE = dataclasses.replace(ALERT, kind=AlertKind.UPDATE, revision=2, changes=("count",))
CORRECTION = dataclasses.replace(ALERT, kind=AlertKind.CORRECTION, revision=3)


class FakeThreads:
    """ThreadMemory in a dict, first write wins (like the Redis adapter's SET NX)."""

    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], str] = {}

    def first_message(self, event_id: str, destination_id: str) -> str | None:
        return self.saved.get((event_id, destination_id))

    def remember_first_message(self, event_id: str, destination_id: str, message_id: str) -> None:
        self.saved.setdefault((event_id, destination_id), message_id)


def slack_answer(**fields: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, json=fields)


class Recorder:
    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.seen: list[httpx.Request] = []
        self.threads = FakeThreads()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return self.handler(request)

    def send(self, alert: Alert, destination: Destination = DESTINATION) -> None:
        with httpx.Client(transport=httpx.MockTransport(self)) as client:
            transport = Transport(http=client, threads=self.threads)
            slack_bot.send(slack_bot.render(alert, destination), destination, transport)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.seen]


def failure(handler: Callable[[httpx.Request], httpx.Response]) -> DeliveryError:
    recorder = Recorder(handler)
    with pytest.raises(DeliveryError) as caught:
        recorder.send(ALERT)
    error = caught.value
    for text in (str(error), repr(error), repr(error.args)):
        assert "XXXTOKENXXX" not in text
    assert recorder.threads.saved == {}
    return error


class TestRender:
    def test_same_blocks_as_the_webhook_channel(self) -> None:
        """The bot posts exactly the Block Kit message of the Slack webhook channel."""
        message = slack_bot.render(UPDATE, DESTINATION)
        assert message == slack_bot.BotMessage(
            "kp-20261125-1", AlertKind.UPDATE, slack.render(UPDATE, DESTINATION)
        )
        assert TOKEN not in repr(message)


class TestSend:
    def test_new_alert_posts_top_level_and_remembers_its_ts(self) -> None:
        """A new alert is a top-level post with the bearer token; its ts is remembered."""
        recorder = Recorder(slack_answer(ok=True, channel="C0123456789", ts="1795590960.000100"))
        recorder.send(ALERT)
        [request] = recorder.seen
        assert (request.method, str(request.url)) == ("POST", slack_bot.SLACK_API_URL)
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["content-type"] == "application/json; charset=utf-8"
        assert recorder.bodies() == [{"channel": "C0123456789", **slack.render(ALERT, DESTINATION)}]
        assert recorder.threads.saved == {("kp-20261125-1", "ops-bot"): "1795590960.000100"}

    def test_updates_and_corrections_reply_in_the_thread(self) -> None:
        """After the new alert, an update and a correction carry thread_ts of the first post."""
        answers = iter(["111.1", "222.2", "333.3"])
        recorder = Recorder(lambda r: httpx.Response(200, json={"ok": True, "ts": next(answers)}))
        recorder.send(ALERT)
        recorder.send(UPDATE)
        recorder.send(CORRECTION)
        first, update, correction = recorder.bodies()
        assert "thread_ts" not in first
        assert (update["thread_ts"], correction["thread_ts"]) == ("111.1", "111.1")
        assert recorder.threads.saved == {("kp-20261125-1", "ops-bot"): "111.1"}

    def test_a_correction_is_broadcast_to_the_channel(self) -> None:
        """A correction replies in the thread and is shown in the channel too (reply_broadcast):
        whoever read the first alert must see that it was wrong. An update stays in the thread."""
        answers = iter(["111.1", "222.2", "333.3"])
        recorder = Recorder(lambda r: httpx.Response(200, json={"ok": True, "ts": next(answers)}))
        for alert in (ALERT, UPDATE, CORRECTION):
            recorder.send(alert)
        first, update, correction = recorder.bodies()
        assert correction["reply_broadcast"] is True
        assert "reply_broadcast" not in first
        assert "reply_broadcast" not in update

    def test_update_without_known_thread_starts_one(self) -> None:
        """An update whose first message is unknown posts top level and becomes the thread."""
        recorder = Recorder(slack_answer(ok=True, ts="999.9"))
        recorder.send(UPDATE)
        assert "thread_ts" not in recorder.bodies()[0]
        assert recorder.threads.saved == {("kp-20261125-1", "ops-bot"): "999.9"}

    def test_threads_are_per_destination(self) -> None:
        """Another destination's first message is never used as this one's thread."""
        recorder = Recorder(slack_answer(ok=True, ts="555.5"))
        recorder.threads.saved[("kp-20261125-1", "other")] = "123.4"
        recorder.send(UPDATE)
        assert "thread_ts" not in recorder.bodies()[0]

    def test_without_thread_memory_posts_top_level(self) -> None:
        """A transport without ThreadMemory still delivers every revision."""
        seen: list[httpx.Request] = []

        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json={"ok": True, "ts": "1.1"})

        with httpx.Client(transport=httpx.MockTransport(answer)) as client:
            payload = slack_bot.render(UPDATE, DESTINATION)
            slack_bot.send(payload, DESTINATION, Transport(http=client))
        assert "thread_ts" not in json.loads(seen[0].content)

    def test_destination_url_overrides_the_api_url(self) -> None:
        """A destination URL (proxy, test receiver) replaces SLACK_API_URL."""
        recorder = Recorder(slack_answer(ok=True, ts="1.1"))
        url = "https://slack-proxy.example/api/chat.postMessage"
        recorder.send(ALERT, dataclasses.replace(DESTINATION, url=Secret(url)))
        assert str(recorder.seen[0].url) == url

    def test_module_api_url_can_be_patched(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Tests and deployments may point SLACK_API_URL elsewhere."""
        monkeypatch.setattr(slack_bot, "SLACK_API_URL", "http://127.0.0.1:9/api/chat.postMessage")
        recorder = Recorder(slack_answer(ok=True, ts="1.1"))
        recorder.send(ALERT)
        assert str(recorder.seen[0].url) == "http://127.0.0.1:9/api/chat.postMessage"

    @pytest.mark.parametrize(
        ("code", "reason"),
        [
            ("invalid_auth", DeliveryReason.AUTH_ERROR),
            ("not_authed", DeliveryReason.AUTH_ERROR),
            ("token_revoked", DeliveryReason.AUTH_ERROR),
            ("account_inactive", DeliveryReason.AUTH_ERROR),
            ("missing_scope", DeliveryReason.AUTH_ERROR),
            ("channel_not_found", DeliveryReason.REJECTED),
            ("not_in_channel", DeliveryReason.REJECTED),
            ("is_archived", DeliveryReason.REJECTED),
            ("msg_too_long", DeliveryReason.REJECTED),
            ("no_text", DeliveryReason.REJECTED),
            ("invalid_blocks", DeliveryReason.REJECTED),
            ("invalid_arguments", DeliveryReason.CLIENT_ERROR),
        ],
    )
    def test_ok_false_codes_are_final(self, code: str, reason: DeliveryReason) -> None:
        """Slack's 200 {"ok": false} answers a person must fix are final, naming the code."""
        error = failure(slack_answer(ok=False, error=code))
        assert (error.channel, error.reason, error.retryable) == ("slack_bot", reason, False)
        assert code in str(error)

    @pytest.mark.parametrize(
        ("response", "reason", "retry_after_s"),
        [
            (
                httpx.Response(429, headers={"Retry-After": "30"}, json={"ok": False,
                               "error": "ratelimited"}),
                DeliveryReason.RATE_LIMITED,
                30.0,
            ),
            (httpx.Response(200, json={"ok": False, "error": "ratelimited"}),
             DeliveryReason.RATE_LIMITED, None),
            (httpx.Response(200, json={"ok": False, "error": "internal_error"}),
             DeliveryReason.SERVER_ERROR, None),
            (httpx.Response(503, text="<html>down</html>"), DeliveryReason.SERVER_ERROR, None),
            (httpx.Response(200, text="<html>proxy</html>"), DeliveryReason.SERVER_ERROR, None),
        ],
    )  # fmt: skip
    def test_transient_answers_are_retryable(
        self, response: httpx.Response, reason: DeliveryReason, retry_after_s: float | None
    ) -> None:
        """Rate limits, Slack's own failures and non-API answers are retried."""
        error = failure(lambda r: response)
        assert (error.reason, error.retryable, error.retry_after_s) == (
            reason,
            True,
            retry_after_s,
        )

    def test_http_401_with_slack_code_is_auth(self) -> None:
        """A non-2xx status with a token code is still an AUTH_ERROR."""
        error = failure(lambda r: httpx.Response(401, json={"ok": False, "error": "invalid_auth"}))
        assert (error.reason, error.retryable) == (DeliveryReason.AUTH_ERROR, False)

    def test_hostile_error_code_is_not_echoed(self) -> None:
        """An error value that is not a Slack code (here: the token) never reaches the text."""
        error = failure(slack_answer(ok=False, error=f"bad {TOKEN}"))
        assert (error.reason, error.retryable) == (DeliveryReason.CLIENT_ERROR, False)

    def test_transport_failure_never_shows_the_token(self) -> None:
        """An exception text holding the token and URL is redacted."""

        def fail(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError(f"{request.url} {request.headers['authorization']}")

        error = failure(fail)
        assert (error.reason, error.retryable) == (DeliveryReason.NETWORK, True)

    @pytest.mark.parametrize(
        "changes",
        [
            {"token": None},
            {"token": Secret("  ")},
            {"target": None},
            {"url": Secret("ftp://slack.example/x")},
        ],
    )
    def test_incomplete_destination_is_a_configuration_error(self, changes: dict[str, Any]) -> None:
        """No token, no target channel or a non-http URL fails at once without a request."""
        recorder = Recorder(slack_answer(ok=True, ts="1.1"))
        with pytest.raises(DeliveryError) as caught:
            recorder.send(ALERT, dataclasses.replace(DESTINATION, **changes))
        assert (caught.value.reason, caught.value.retryable, recorder.seen) == (
            DeliveryReason.CLIENT_ERROR,
            False,
            [],
        )
