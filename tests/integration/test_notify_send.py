"""Real sends from every channel to local receivers (tests/integration/receivers.py)."""

from __future__ import annotations

import base64
import dataclasses
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
import pytest
import redis
from standardwebhooks.webhooks import Webhook

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, AlertKind, Destination, Facts, SourceRef
from alerts.notify import slack_bot, webhook
from alerts.notify.base import SmtpConfig, Transport
from alerts.notify.registry import deliver
from alerts.notify.threads import RedisThreads
from alerts.redact import Secret
from tests.integration.receivers import Reply, SmtpReceiver, WebhookReceiver

T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)
ALERT = Alert(
    event_id="kp-20261125-1",
    kind=AlertKind.NEW,
    revision=1,
    title="N. Korea fires ballistic missile into East Sea",
    url="https://en.yna.co.kr/view/AEN1",
    facts=Facts(country="KP", missile_class="SRBM", count=2),
    confidence=0.92,
    detected_at=datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
    first_published_at=T0,
    sources=(SourceRef("yonhap", "y1", "https://en.yna.co.kr/view/AEN1", "N. Korea fires", T0),),
)
UPDATE = dataclasses.replace(ALERT, kind=AlertKind.UPDATE, revision=2)
SECRET_PATH = "/services/T000/B000/XXXSECRETXXX"
PASSWORD = "s3cret-XXXPASSXXX"
RECIPIENTS = ("ops@example.com", "duty@example.com")


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(2.0)) as client:
        yield client


@pytest.fixture
def hooks() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def closed_port() -> int:
    """A local port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_no_secret(error: DeliveryError, *secrets: str) -> None:
    for text in (str(error), repr(error)):
        for secret in secrets:
            assert secret not in text


class TestSlack:
    def test_message_arrives_with_title_and_link(
        self, hooks: WebhookReceiver, http: httpx.Client
    ) -> None:
        """One Slack message arrives at the webhook path with the report title and link."""
        destination = Destination("ops", "slack", url=Secret(hooks.url(SECRET_PATH)))
        deliver(ALERT, destination, Transport(http=http))
        [request] = hooks.wait_for(1)
        assert (request.method, request.path) == ("POST", SECRET_PATH)
        assert request.headers["content-type"].startswith("application/json")
        body = request.json
        assert ALERT.title in body["text"]
        assert ALERT.url in body["text"]
        assert body["blocks"][0]["text"]["text"] == "🚀 Ballistic missile launch — North Korea"
        assert f"<{ALERT.url}|{ALERT.title}>" in body["blocks"][1]["text"]["text"]

    def test_slack_error_codes_are_final(self, hooks: WebhookReceiver, http: httpx.Client) -> None:
        """An archived channel is a final rejection that names Slack's code, not the URL."""
        hooks.reply_with(Reply(410, body="channel_is_archived"))
        destination = Destination("ops", "slack", url=Secret(hooks.url(SECRET_PATH)))
        with pytest.raises(DeliveryError) as caught:
            deliver(ALERT, destination, Transport(http=http))
        error = caught.value
        assert (error.reason, error.retryable) == (DeliveryReason.REJECTED, False)
        assert "channel_is_archived" in str(error)
        assert_no_secret(error, "XXXSECRETXXX", str(hooks.port))


class TestWebhook:
    def test_retry_carries_the_same_webhook_id(
        self, hooks: WebhookReceiver, http: httpx.Client
    ) -> None:
        """A 500 is retryable, and the retry repeats the webhook-id and body."""
        hooks.reply_with(Reply(500, body="oops"))
        destination = Destination("partner", "webhook", url=Secret(hooks.url("/in/XXXSECRETXXX")))
        transport = Transport(http=http)
        with pytest.raises(DeliveryError) as caught:
            deliver(ALERT, destination, transport)
        assert (caught.value.reason, caught.value.retryable) == (
            DeliveryReason.SERVER_ERROR,
            True,
        )
        assert_no_secret(caught.value, "XXXSECRETXXX")
        deliver(ALERT, destination, transport)
        first, second = hooks.wait_for(2)
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert first.json == second.json
        assert second.json["type"] == "missile_launch.alert"
        assert int(second.headers["webhook-timestamp"]) > 0

    def test_rate_limit_carries_retry_after(
        self, hooks: WebhookReceiver, http: httpx.Client
    ) -> None:
        """A 429 with Retry-After tells the worker how long to wait."""
        hooks.reply_with(Reply(429, headers={"Retry-After": "17"}))
        destination = Destination("partner", "webhook", url=Secret(hooks.url("/in")))
        with pytest.raises(DeliveryError) as caught:
            deliver(ALERT, destination, Transport(http=http))
        assert (caught.value.reason, caught.value.retryable, caught.value.retry_after_s) == (
            DeliveryReason.RATE_LIMITED,
            True,
            17.0,
        )

    def test_slow_receiver_is_a_retryable_timeout(
        self, hooks: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A receiver slower than the webhook timeout gives a retryable TIMEOUT."""
        monkeypatch.setattr(webhook, "SEND_TIMEOUT", httpx.Timeout(0.2))
        hooks.reply_with(Reply(200, delay_s=1.0))
        destination = Destination("partner", "webhook", url=Secret(hooks.url("/slow")))
        with httpx.Client() as client, pytest.raises(DeliveryError) as caught:
            deliver(ALERT, destination, Transport(http=client))
        assert (caught.value.reason, caught.value.retryable) == (DeliveryReason.TIMEOUT, True)

    def test_a_receiver_answering_within_the_spec_timeout_is_not_retried(
        self, hooks: WebhookReceiver
    ) -> None:
        """Standard Webhooks advises a 15-30 s request timeout: a receiver that takes longer
        than the shared notification client's timeout (here 0.3 s) but well within that
        is a success, sent once, not a timeout retried into a duplicate."""
        read_timeout = webhook.SEND_TIMEOUT.read
        assert read_timeout is not None
        assert 15 <= read_timeout <= 30
        hooks.reply_with(Reply(200, delay_s=1.0))
        destination = Destination("partner", "webhook", url=Secret(hooks.url("/slow")))
        with httpx.Client(timeout=0.3) as client:
            deliver(ALERT, destination, Transport(http=client))
        assert len(hooks.wait_for(1)) == 1

    @pytest.mark.parametrize("channel", ["webhook", "slack", "discord", "teams"])
    def test_closed_port_is_a_retryable_network_error(
        self, http: httpx.Client, channel: str
    ) -> None:
        """Nothing listening is a retryable NETWORK error that does not name the URL."""
        url = f"http://127.0.0.1:{closed_port()}/in/XXXSECRETXXX"
        with pytest.raises(DeliveryError) as caught:
            deliver(ALERT, Destination("d", channel, url=Secret(url)), Transport(http=http))
        assert (caught.value.reason, caught.value.retryable) == (DeliveryReason.NETWORK, True)
        assert_no_secret(caught.value, "XXXSECRETXXX")


KEY_OLD = "whsec_" + base64.b64encode(b"integration-old-key-XXXKEY1XXX").decode()
KEY_NEW = "whsec_" + base64.b64encode(b"integration-new-key-XXXKEY2XXX").decode()


class TestSignedWebhook:
    def test_rotated_keys_each_verify_and_retries_keep_the_id(
        self, hooks: WebhookReceiver, http: httpx.Client
    ) -> None:
        """Both keys verify what arrived, on the first attempt and on its retry."""
        hooks.reply_with(Reply(503, body="busy"))
        destination = Destination(
            "partner",
            "webhook",
            url=Secret(hooks.url("/in/XXXSECRETXXX")),
            signing_secrets=(Secret(KEY_OLD), Secret(KEY_NEW)),
        )
        transport = Transport(http=http)
        with pytest.raises(DeliveryError) as caught:
            deliver(UPDATE, destination, transport)
        assert caught.value.retryable
        assert_no_secret(caught.value, "XXXSECRETXXX", KEY_OLD, KEY_NEW)
        deliver(UPDATE, destination, transport)
        first, second = hooks.wait_for(2)
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        for request in (first, second):
            assert len(request.headers["webhook-signature"].split(" ")) == 2
            for key in (KEY_OLD, KEY_NEW):
                payload = Webhook(key).verify(request.body, request.headers)
                assert (payload["event_id"], payload["kind"], payload["revision"]) == (
                    UPDATE.event_id,
                    "update",
                    2,
                )
                assert payload["schema_version"] == 1


DISCORD_PATH = "/api/webhooks/123/XXXSECRETXXX"


class TestDiscord:
    def test_embed_arrives_with_wait_and_no_mentions(
        self, hooks: WebhookReceiver, http: httpx.Client
    ) -> None:
        """The webhook is executed with ?wait=true and an embed that mentions nobody."""
        hooks.reply_with(Reply.json({"id": "1", "channel_id": "2"}))
        destination = Destination("ops-d", "discord", url=Secret(hooks.url(DISCORD_PATH)))
        deliver(ALERT, destination, Transport(http=http))
        [request] = hooks.wait_for(1)
        assert (request.method, request.path) == ("POST", DISCORD_PATH + "?wait=true")
        body = request.json
        assert body["allowed_mentions"] == {"parse": []}
        [embed] = body["embeds"]
        assert embed["title"] == "🚀 Ballistic missile launch — North Korea"
        assert embed["url"] == ALERT.url
        assert f"[{ALERT.title}]({ALERT.url})" in embed["description"]

    def test_rate_limit_uses_discords_fractional_wait(
        self, hooks: WebhookReceiver, http: httpx.Client
    ) -> None:
        """A 429 with Retry-After and a JSON retry_after is retryable after the longer wait."""
        hooks.reply_with(
            Reply.json({"message": "You are being rate limited.", "retry_after": 2.5,
                        "global": False}, 429, {"Retry-After": "2"})
        )  # fmt: skip
        destination = Destination("ops-d", "discord", url=Secret(hooks.url(DISCORD_PATH)))
        with pytest.raises(DeliveryError) as caught:
            deliver(ALERT, destination, Transport(http=http))
        assert (caught.value.reason, caught.value.retryable, caught.value.retry_after_s) == (
            DeliveryReason.RATE_LIMITED,
            True,
            2.5,
        )
        assert_no_secret(caught.value, "XXXSECRETXXX")


TEAMS_PATH = "/webhookb2/abc@def/IncomingWebhook/XXXSECRETXXX/ghi"


class TestTeams:
    def test_adaptive_card_arrives(self, hooks: WebhookReceiver, http: httpx.Client) -> None:
        """A Workflow's 202 accepts a message holding one Adaptive Card."""
        hooks.reply_with(Reply(202, body=""))
        destination = Destination("ops-t", "teams", url=Secret(hooks.url(TEAMS_PATH)))
        deliver(ALERT, destination, Transport(http=http))
        [request] = hooks.wait_for(1)
        body = request.json
        assert body["type"] == "message"
        [attachment] = body["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        card = attachment["content"]
        assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
        assert card["body"][0]["text"] == "🚀 Ballistic missile launch — North Korea"
        assert any(block["type"] == "FactSet" for block in card["body"])

    def test_error_wrapped_in_200_is_retryable(
        self, hooks: WebhookReceiver, http: httpx.Client
    ) -> None:
        """The legacy connector's 200 "...returned HTTP error 429..." is a rate limit."""
        text = (
            "Webhook message delivery failed with error: Microsoft Teams endpoint returned "
            "HTTP error 429 with ContextId tcid=0,server=msgapi,cv=x.."
        )
        hooks.reply_with(Reply(200, body=text))
        destination = Destination("ops-t", "teams", url=Secret(hooks.url(TEAMS_PATH)))
        with pytest.raises(DeliveryError) as caught:
            deliver(ALERT, destination, Transport(http=http))
        assert (caught.value.reason, caught.value.retryable) == (
            DeliveryReason.RATE_LIMITED,
            True,
        )
        assert_no_secret(caught.value, "XXXSECRETXXX")


BOT_TOKEN = "xoxb-1-XXXTOKENXXX"


def bot(url: str | None) -> Destination:
    return Destination(
        "ops-bot",
        "slack_bot",
        url=Secret(url) if url else None,
        token=Secret(BOT_TOKEN),
        target="C0123456789",
    )


class TestSlackBot:
    def test_update_is_a_thread_reply_to_the_new_alert(
        self, hooks: WebhookReceiver, http: httpx.Client, redis_client: redis.Redis
    ) -> None:
        """new → top level; its ts is kept in Redis; the update replies in that thread."""
        hooks.reply_with(
            Reply.json({"ok": True, "channel": "C0123456789", "ts": "1795590960.000100"}),
            Reply.json({"ok": True, "channel": "C0123456789", "ts": "1795591020.000200"}),
        )
        transport = Transport(http=http, threads=RedisThreads(redis_client))
        destination = bot(hooks.url("/api/chat.postMessage"))
        deliver(ALERT, destination, transport)
        deliver(UPDATE, destination, transport)
        first, second = hooks.wait_for(2)
        for request in (first, second):
            assert (request.method, request.path) == ("POST", "/api/chat.postMessage")
            assert request.headers["authorization"] == f"Bearer {BOT_TOKEN}"
            assert request.json["channel"] == "C0123456789"
        assert "thread_ts" not in first.json
        assert second.json["thread_ts"] == "1795590960.000100"
        assert second.json["blocks"][0]["text"]["text"].startswith("🚀 Update #2:")
        threads = RedisThreads(redis_client)
        assert threads.first_message(ALERT.event_id, "ops-bot") == "1795590960.000100"

    def test_api_url_constant_points_at_the_receiver(
        self, hooks: WebhookReceiver, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without a destination URL the bot posts to SLACK_API_URL."""
        monkeypatch.setattr(slack_bot, "SLACK_API_URL", hooks.url("/api/chat.postMessage"))
        hooks.reply_with(Reply.json({"ok": True, "ts": "1.1"}))
        deliver(ALERT, bot(None), Transport(http=http))
        [request] = hooks.wait_for(1)
        assert request.path == "/api/chat.postMessage"

    @pytest.mark.parametrize(
        ("reply", "reason", "retryable"),
        [
            (Reply.json({"ok": False, "error": "invalid_auth"}), DeliveryReason.AUTH_ERROR, False),
            (Reply.json({"ok": False, "error": "not_in_channel"}), DeliveryReason.REJECTED,
             False),
            (Reply.json({"ok": False, "error": "ratelimited"}, 429, {"Retry-After": "3"}),
             DeliveryReason.RATE_LIMITED, True),
        ],
    )  # fmt: skip
    def test_api_errors(
        self,
        hooks: WebhookReceiver,
        http: httpx.Client,
        reply: Reply,
        reason: DeliveryReason,
        retryable: bool,
    ) -> None:
        """Slack's ok:false codes and 429 map to reasons; the token never shows."""
        hooks.reply_with(reply)
        with pytest.raises(DeliveryError) as caught:
            deliver(ALERT, bot(hooks.url("/api/chat.postMessage")), Transport(http=http))
        assert (caught.value.reason, caught.value.retryable) == (reason, retryable)
        assert_no_secret(caught.value, BOT_TOKEN, "XXXTOKENXXX")

    def test_closed_port_is_a_retryable_network_error(self, http: httpx.Client) -> None:
        """Nothing listening is a retryable NETWORK error naming neither URL nor token."""
        url = f"http://127.0.0.1:{closed_port()}/api/chat.postMessage"
        with pytest.raises(DeliveryError) as caught:
            deliver(ALERT, bot(url), Transport(http=http))
        assert (caught.value.reason, caught.value.retryable) == (DeliveryReason.NETWORK, True)
        assert_no_secret(caught.value, "XXXTOKENXXX")


def smtp_transport(http: httpx.Client, smtp: SmtpReceiver, **changes: object) -> Transport:
    config = SmtpConfig(host=smtp.host, port=smtp.port, starttls=False, timeout_s=5.0)
    return Transport(http=http, smtp=dataclasses.replace(config, **changes))  # type: ignore[arg-type]


EMAIL = Destination("ops-mail", "email", recipients=RECIPIENTS)


class TestEmail:
    def test_revisions_arrive_threaded_with_both_parts(self, http: httpx.Client) -> None:
        """Revision 1 and 2 arrive as text+HTML messages under one subject; 2 replies to 1,
        with Message-IDs in the sender's domain and Dates of when they were sent."""
        with SmtpReceiver() as smtp:
            transport = smtp_transport(http, smtp, sender="alerts@missile.example")
            before = datetime.now(UTC).replace(microsecond=0)
            deliver(ALERT, EMAIL, transport)
            deliver(UPDATE, EMAIL, transport)
            first, second = smtp.wait_for(2)
            envelope = smtp.received[0]
        assert (envelope.mail_from, envelope.rcpt_tos, envelope.login) == (
            "alerts@missile.example",
            RECIPIENTS,
            None,
        )
        assert first["From"] == "alerts@missile.example"
        assert first["Subject"] == "[missile-alert] Ballistic missile launch: North Korea"
        assert first["Message-ID"] == "<kp-20261125-1.1@missile.example>"
        assert before <= parsedate_to_datetime(first["Date"]) <= datetime.now(UTC)
        assert first["In-Reply-To"] is None
        parts = {p.get_content_type(): p.get_content() for p in first.iter_parts()}
        assert set(parts) == {"text/plain", "text/html"}
        assert all(ALERT.title in body for body in parts.values())
        assert second["Subject"] == f"Re: {first['Subject']}"
        assert second.get_body(("plain",)).get_content().startswith("Update #2: Ballistic")
        assert (second["Message-ID"], second["In-Reply-To"], second["References"]) == (
            "<kp-20261125-1.2@missile.example>",
            "<kp-20261125-1.1@missile.example>",
            "<kp-20261125-1.1@missile.example>",
        )

    def test_smtp_auth(self, http: httpx.Client) -> None:
        """With credentials the message is sent after AUTH; a wrong password is a final error."""
        with SmtpReceiver(username="bot", password=PASSWORD) as smtp:
            good = smtp_transport(http, smtp, username="bot", password=Secret(PASSWORD))
            deliver(ALERT, EMAIL, good)
            smtp.wait_for(1)
            wrong = smtp_transport(http, smtp, username="bot", password=Secret("nope-XXXBADXXX"))
            with pytest.raises(DeliveryError) as caught:
                deliver(ALERT, EMAIL, wrong)
            anonymous = smtp_transport(http, smtp)
            with pytest.raises(DeliveryError) as refused:
                deliver(ALERT, EMAIL, anonymous)
            assert [mail.login for mail in smtp.received] == ["bot"]
        assert (caught.value.reason, caught.value.retryable) == (DeliveryReason.AUTH_ERROR, False)
        assert_no_secret(caught.value, "XXXBADXXX", PASSWORD)
        assert (refused.value.reason, refused.value.retryable) == (DeliveryReason.REJECTED, False)

    @pytest.mark.parametrize(
        ("reply", "reason", "retryable"),
        [
            ("451 4.3.0 Try again later", DeliveryReason.SERVER_ERROR, True),
            ("554 5.7.1 Message rejected", DeliveryReason.REJECTED, False),
        ],
    )
    def test_server_refusals(
        self, http: httpx.Client, reply: str, reason: DeliveryReason, retryable: bool
    ) -> None:
        """A 4xx answer to DATA is retryable; a 5xx answer is final."""
        with SmtpReceiver(replies=[reply]) as smtp:
            with pytest.raises(DeliveryError) as caught:
                deliver(ALERT, EMAIL, smtp_transport(http, smtp))
            deliver(ALERT, EMAIL, smtp_transport(http, smtp))
            assert len(smtp.wait_for(1)) == 1
        assert (caught.value.reason, caught.value.retryable) == (reason, retryable)

    def test_starttls_unsupported_is_a_configuration_error(self, http: httpx.Client) -> None:
        """Asking for STARTTLS from a server without it fails without retry."""
        with SmtpReceiver() as smtp, pytest.raises(DeliveryError) as caught:
            deliver(ALERT, EMAIL, smtp_transport(http, smtp, starttls=True))
        assert (caught.value.reason, caught.value.retryable) == (
            DeliveryReason.CLIENT_ERROR,
            False,
        )

    def test_closed_port_is_a_retryable_network_error(self, http: httpx.Client) -> None:
        """Nothing listening on the SMTP port is a retryable NETWORK error."""
        config = SmtpConfig(host="127.0.0.1", port=closed_port(), starttls=False, timeout_s=2.0)
        with pytest.raises(DeliveryError) as caught:
            deliver(ALERT, EMAIL, Transport(http=http, smtp=config))
        assert (caught.value.reason, caught.value.retryable) == (DeliveryReason.NETWORK, True)


class TestReceivers:
    def test_webhook_receiver_scripts_records_and_closes(self, http: httpx.Client) -> None:
        """Replies follow the script then default to 200 ok; closing frees the port."""
        with WebhookReceiver(Reply(503, headers={"Retry-After": "1"}, body="busy")) as receiver:
            first = http.put(receiver.url("a"), json={"n": 1})
            second = http.get(receiver.url("/b?q=1"), headers={"X-Test": "yes"})
            url = receiver.url("/c")
            with pytest.raises(TimeoutError):
                receiver.wait_for(3, timeout=0.1)
            recorded = receiver.wait_for(2)
        assert (first.status_code, first.headers["retry-after"], first.text) == (503, "1", "busy")
        assert (second.status_code, second.text) == (200, "ok")
        assert [(r.method, r.path) for r in recorded] == [("PUT", "/a"), ("GET", "/b?q=1")]
        assert recorded[0].json == {"n": 1}
        assert recorded[1].headers["x-test"] == "yes"
        with pytest.raises(httpx.ConnectError):
            http.post(url)

    def test_smtp_receiver_wait_for_times_out(self) -> None:
        """Waiting for mail that never comes fails fast with a clear error."""
        with SmtpReceiver() as smtp, pytest.raises(TimeoutError, match="expected 1 messages"):
            smtp.wait_for(1, timeout=0.1)
