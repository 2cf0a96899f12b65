"""Email rendering and SMTP sending (alerts.notify.email), without sockets."""

from __future__ import annotations

import dataclasses
import re
import smtplib
import socket
import ssl
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import httpx
import pytest

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, AlertKind, Destination, Facts, SourceRef
from alerts.notify import email
from alerts.notify.base import SmtpConfig, Transport
from alerts.redact import Secret

PASSWORD = "hunter2-XXXSECRETXXX"
DESTINATION = Destination(
    id="ops-mail", channel="email", recipients=("a@ops.example", "b@ops.example")
)
SMTP = SmtpConfig(
    host="mail.example",
    port=2525,
    username="bot",
    password=Secret(PASSWORD),
    sender="alerts@x.example",
)
T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)
R = DeliveryReason
AuthError = smtplib.SMTPAuthenticationError
NotSupported = smtplib.SMTPNotSupportedError
Refused = smtplib.SMTPRecipientsRefused
SenderRefused = smtplib.SMTPSenderRefused
Disconnected = smtplib.SMTPServerDisconnected


def make_alert(**changes: Any) -> Alert:
    values: dict[str, Any] = {
        "event_id": "kp-20261125-1",
        "kind": AlertKind.NEW,
        "revision": 1,
        "title": "N. Korea fires ballistic missile",
        "url": "https://en.yna.co.kr/view/AEN1?a=1&b=2",
        "facts": Facts(country="KP", missile_class="SRBM", landing_area="East Sea"),
        "confidence": 0.9,
        "detected_at": datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
        "first_published_at": T0,
        "sources": (
            SourceRef("yonhap", "y1", "https://en.yna.co.kr/view/AEN1", "N. Korea fires", T0),
        ),
    }
    values.update(changes)
    return Alert(**values)


def reparsed(message: EmailMessage) -> EmailMessage:
    """The message as a receiving server would parse it from the wire."""
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(message: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


class TestRender:
    def test_whole_message(self) -> None:
        """A new alert is a multipart/alternative message; From, Date and Message-ID are left
        to send (they depend on the sender and the moment of sending)."""
        message = reparsed(email.render(make_alert(), DESTINATION))
        headers = {
            k: str(v) for k, v in message.items() if k not in ("Content-Type", "MIME-Version")
        }
        assert headers == {
            "Subject": "[missile-alert] Ballistic missile launch: North Korea",
            "To": "a@ops.example, b@ops.example",
            "Auto-Submitted": "auto-generated",
        }
        assert message.get_content_type() == "multipart/alternative"
        body = parts(message)
        assert list(body) == ["text/plain", "text/html"]
        assert body["text/plain"] == (
            "Ballistic missile launch — North Korea\n"
            "\n"
            "N. Korea fires ballistic missile\n"
            "https://en.yna.co.kr/view/AEN1?a=1&b=2\n"
            "\n"
            "Country: North Korea (KP)\n"
            "Class: SRBM\n"
            "Landing area: East Sea\n"
            "Confidence: 90%\n"
            "\n"
            "Sources:\n"
            "- N. Korea fires (yonhap, 2026-11-25 07:15 UTC)\n"
            "  https://en.yna.co.kr/view/AEN1\n"
            "\n"
            "First reported 2026-11-25 07:15 UTC; detected 2026-11-25 07:16 UTC. "
            "Event kp-20261125-1, revision 1.\n"
        )
        html = body["text/html"]
        assert (
            '<a href="https://en.yna.co.kr/view/AEN1?a=1&amp;b=2">N. Korea fires ballistic' in html
        )
        assert "<th align='left'>Country</th><td>North Korea (KP)</td>" in html

    def test_one_subject_per_event(self) -> None:
        """Every revision keeps the first one's subject (`Re: ` before it), so Gmail shows one
        thread per launch; the revision and what changed are in the body."""
        first = make_alert()
        revisions = [
            make_alert(kind=AlertKind.UPDATE, revision=2, title="Japan: it flew 1,000 km",
                       facts=Facts(country="KP", missile_class="ICBM", distance_km=1000.0),
                       changes=("missile_class", "distance_km")),
            make_alert(kind=AlertKind.CORRECTION, revision=3, changes=("retracted",)),
        ]  # fmt: skip
        subject = email.render(first, DESTINATION)["Subject"]
        assert subject == "[missile-alert] Ballistic missile launch: North Korea"
        for revision in revisions:
            message = email.render(revision, DESTINATION)
            assert message["Subject"] == f"Re: {subject}"
        text = parts(email.render(revisions[0], DESTINATION))["text/plain"]
        assert text.startswith("Update #2: Ballistic missile launch — North Korea\n\n"
                               "Update #2 to the first alert of this launch. "
                               "Changed: missile class, distance.\n")  # fmt: skip
        html = parts(email.render(revisions[1], DESTINATION))["text/html"]
        assert "<h2>Correction: Ballistic missile launch — North Korea</h2>" in html
        assert "Changed: retracted: not a ballistic missile launch." in html

    @pytest.mark.parametrize(
        ("changes", "subject"),
        [
            ({"test": True}, "[missile-alert] TEST: Ballistic missile launch: North Korea"),
            ({"facts": Facts()}, "[missile-alert] Ballistic missile launch: N. Korea fires"),
            (
                {"facts": Facts(), "kind": AlertKind.UPDATE, "revision": 2, "title": "Later"},
                "Re: [missile-alert] Ballistic missile launch: N. Korea fires",
            ),
        ],
    )
    def test_subjects(self, changes: dict[str, Any], subject: str) -> None:
        """Tests are marked; without a country the subject names the opening report."""
        assert email.render(make_alert(**changes), DESTINATION)["Subject"] == subject

    @pytest.mark.parametrize(
        "title",
        [
            "북한, 동해상으로 탄도미사일 발사…합참 “비행거리 약 1000km” 일본 EEZ 밖 낙하 추정",
            # the standard library's folding loses the spaces in 일본 정부 and 합참 “동해상…
            "12:30 일본 정부 · 북한 탄도미사일 발사 합참 “동해상으로 1000km 비행”",
            "北朝鮮が弾道ミサイル発射 防衛省 “日本のEEZ外に落下” 政府が情報収集を急ぐ",
            # a title the standard library's folding cuts inside an encoded word
            "aaaaaaaaaaaaaa a\u05df\u059da\xb7\U000485d8\xe7\u05ee\U0001f78d\u05b0 "
            "\u05cd\u05d4 \u059d",
            "Ракетный пуск: " + "длинный заголовок " * 12,
            # ASCII the standard library's folding gives a leading space, or reads as encoded
            ",./;'[]\\-=<>?:\"{}|_+!@#$%^&*()`~",
            "a title quoting =?utf-8?q?x?=y literally",
        ],
    )
    def test_non_latin_subjects_reach_readers_intact(self, title: str) -> None:
        """A Korean (or any non-Latin) subject is sent as whole encoded words on lines of at
        most 78 characters, and a mail client shows exactly the subject that was set."""
        message = email.render(make_alert(title=title, facts=Facts(), sources=()), DESTINATION)
        wire = message.as_bytes(policy=policy.SMTP)
        header = wire.split(b"\r\n\r\n")[0].decode("ascii")
        subject_lines = header.split("Subject:")[1].split("\r\nTo:")[0].split("\r\n")
        assert all(len(line) <= 78 for line in ["Subject:" + subject_lines[0], *subject_lines])
        shown = message_from_bytes(wire, policy=policy.default)["Subject"]
        assert shown == f"[missile-alert] Ballistic missile launch: {title}"[:199].rstrip() + (
            "…" if len(title) > 157 else ""
        )
        assert "=?" not in shown or "=?" in title

    def test_test_alert_says_so_in_both_parts(self) -> None:
        """A test alert is marked in the text and HTML bodies."""
        body = parts(email.render(make_alert(test=True), DESTINATION))
        assert body["text/plain"].startswith("TEST ALERT")
        assert "TEST ALERT" in body["text/html"]

    @pytest.mark.parametrize(
        "evil",
        [
            "Launch\r\nBcc: victim@evil.example\r\nX-Injected: 1",
            "Launch\nBcc: victim@evil.example",
            "Launch\rBcc: victim@evil.example",
            "Launch\x00\x0bBcc: victim@evil.example\u2028X-Injected: 1",
        ],
    )
    def test_header_injection_is_impossible(self, evil: str) -> None:
        """CR/LF or control characters in feed text cannot add a header."""
        alert = make_alert(title=evil, facts=Facts(country=evil), event_id="e\r\nBcc: x@evil")
        message = reparsed(email.render(alert, DESTINATION))
        assert message["Bcc"] is None
        assert message["X-Injected"] is None
        assert "\n" not in message["Subject"]
        assert "\r" not in message["Subject"]
        assert "Bcc: victim@evil.example" in message["Subject"]

    def test_html_is_escaped(self) -> None:
        """Feed text in the HTML part is escaped, and only http(s) URLs become links."""
        sources = (
            SourceRef("<b>src</b>", "i", "javascript:alert(1)", "<img src=x onerror=alert(1)>", T0),
            SourceRef("ok", "j", 'https://x.example/"><script>alert(2)</script>', "fine", T0),
        )
        alert = make_alert(
            title="<script>alert(0)</script>",
            url="https://x.example/?q=<script>",
            facts=Facts(country="KP", landing_area="<iframe src=//evil>", authority="A & B"),
            sources=sources,
        )
        html = parts(email.render(alert, DESTINATION))["text/html"]
        tags = set(re.findall(r"<([a-zA-Z0-9!]+)", html))
        assert tags <= {"!DOCTYPE", "html", "body", "h2", "h3", "p", "a", "table", "tr", "th", "td",
                        "ul", "li", "strong", "small"}  # fmt: skip
        assert all(href.startswith("https://") for href in re.findall(r'href="([^"]*)"', html))
        assert "&lt;script&gt;alert(0)&lt;/script&gt;" in html
        assert "&lt;iframe src=//evil&gt;" in html
        assert "A &amp; B" in html
        assert 'href="https://x.example/&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in html
        assert "&lt;img src=x onerror=alert(1)&gt; javascript:alert(1)" in html

    def test_huge_title_stays_a_valid_message(self) -> None:
        """A 100 KB title gives a short subject and a message with no over-long lines."""
        alert = make_alert(title="Ü" * 100_000, facts=Facts(), sources=())
        message = email.render(alert, DESTINATION)
        assert len(message["Subject"]) <= 200
        assert message["Subject"].endswith("…")
        assert max(len(line) for line in message.as_bytes().splitlines()) <= 998

    def test_from_is_left_to_send(self) -> None:
        """render is pure: the sender is an SMTP setting, so From is unset."""
        assert email.render(make_alert(), DESTINATION)["From"] is None


class FakeSMTP:
    """Stands in for smtplib.SMTP / SMTP_SSL: records calls, raises what a test scripts."""

    calls: ClassVar[list[tuple[Any, ...]]] = []
    failures: ClassVar[dict[str, BaseException]] = {}
    sent: ClassVar[list[EmailMessage]] = []

    def __init__(self, host: str, port: int, timeout: float, **kwargs: Any) -> None:
        self._step("connect", type(self).__name__, host, port, timeout)

    def _step(self, name: str, *args: Any) -> None:
        self.calls.append((name, *args))
        if name in self.failures:
            raise self.failures[name]

    def starttls(self, context: ssl.SSLContext) -> None:
        self._step("starttls")

    def login(self, username: str, password: str) -> None:
        self._step("login", username, password)

    def send_message(
        self, message: EmailMessage, from_addr: str, to_addrs: list[str]
    ) -> dict[str, Any]:
        self._step("send_message", message["From"], from_addr, to_addrs)
        self.sent.append(reparsed(message))
        return {}

    def quit(self) -> None:
        self._step("quit")

    def close(self) -> None:
        self.calls.append(("close",))


class FakeSMTPSSL(FakeSMTP):
    pass


@pytest.fixture
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    monkeypatch.setattr(FakeSMTP, "calls", [])
    monkeypatch.setattr(FakeSMTP, "failures", {})
    monkeypatch.setattr(FakeSMTP, "sent", [])
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTPSSL)
    return FakeSMTP


@pytest.fixture
def transport() -> Any:
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500))) as client:
        yield Transport(http=client, smtp=SMTP)


def send(transport: Transport, destination: Destination = DESTINATION) -> None:
    email.send(email.render(make_alert(), destination), destination, transport)


def sent_from(sender: str, *alerts: Alert) -> list[EmailMessage]:
    """The messages as sent (through a FakeSMTP) for these alerts with this sender."""
    smtp = dataclasses.replace(SMTP, sender=sender)
    with httpx.Client() as client:
        for alert in alerts:
            email.send(email.render(alert, DESTINATION), DESTINATION, Transport(client, smtp))
    return list(FakeSMTP.sent)


@pytest.mark.usefixtures("fake_smtp")
class TestHeadersStampedAtSend:
    """From, Date, Message-ID and the reply headers depend on the sender and the moment of
    sending, so send sets them."""

    def test_revisions_thread_to_the_first(self) -> None:
        """Revision 2 replies to revision 1 so mail clients thread the launch."""
        [first, second] = sent_from(
            "Launch desk <alerts@x.example>",
            make_alert(),
            make_alert(kind=AlertKind.UPDATE, revision=2),
        )
        assert (first["Message-ID"], first["In-Reply-To"]) == ("<kp-20261125-1.1@x.example>", None)
        assert (second["Message-ID"], second["In-Reply-To"], second["References"]) == (
            "<kp-20261125-1.2@x.example>",
            "<kp-20261125-1.1@x.example>",
            "<kp-20261125-1.1@x.example>",
        )

    @pytest.mark.parametrize(
        ("sender", "domain"),
        [
            ("alerts@desk.example.org", "desk.example.org"),
            ("Launch desk <alerts@desk.example.org>", "desk.example.org"),
            ("alerts@localhost", "relay-7.internal"),
            ("alerts", "relay-7.internal"),
        ],
    )
    def test_message_id_domain_is_the_senders_else_the_host_name(
        self, monkeypatch: pytest.MonkeyPatch, sender: str, domain: str
    ) -> None:
        """The Message-ID's right part is ALERTS_EMAIL_FROM's domain, else this host's name,
        never a fixed word."""
        monkeypatch.setattr(socket, "gethostname", lambda: "relay-7.internal")
        [message] = sent_from(sender, make_alert())
        assert message["Message-ID"] == f"<kp-20261125-1.1@{domain}>"

    def test_host_name_is_made_a_valid_message_id_part(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(socket, "gethostname", lambda: "my_box (dev)")
        [message] = sent_from("alerts@localhost", make_alert())
        assert message["Message-ID"] == "<kp-20261125-1.1@my-box-dev>"

    def test_feed_text_cannot_break_the_message_id(self) -> None:
        [message] = sent_from("a@x.example", make_alert(event_id="e\r\nBcc: x@evil"))
        assert message["Message-ID"] == "<e--Bcc--x-evil.1@x.example>"
        assert message["Bcc"] is None

    def test_date_is_the_time_of_sending(self) -> None:
        """Date is when the message is sent, not when the launch was detected; sending the
        same message again (a retry) replaces it instead of adding a second one."""
        message = email.render(make_alert(), DESTINATION)
        before = datetime.now(UTC).replace(microsecond=0)
        with httpx.Client() as client:
            for _ in range(2):
                email.send(message, DESTINATION, Transport(client, SMTP))
        after = datetime.now(UTC)
        for sent in FakeSMTP.sent:
            [date] = sent.get_all("Date")
            assert before <= parsedate_to_datetime(date) <= after
            assert len(sent.get_all("Message-ID")) == 1
            assert sent["From"] == "alerts@x.example"


class TestSend:
    def test_starttls_login_send_quit(
        self, fake_smtp: type[FakeSMTP], transport: Transport
    ) -> None:
        """A send connects, upgrades with STARTTLS, logs in, sends to every recipient, quits."""
        send(transport)
        assert fake_smtp.calls == [
            ("connect", "FakeSMTP", "mail.example", 2525, 15.0),
            ("starttls",),
            ("login", "bot", PASSWORD),
            (
                "send_message",
                "alerts@x.example",
                "alerts@x.example",
                ["a@ops.example", "b@ops.example"],
            ),
            ("quit",),
        ]

    def test_implicit_tls_without_login(self, fake_smtp: type[FakeSMTP]) -> None:
        """ssl=True uses SMTP_SSL and no STARTTLS; no username means no login."""
        config = SmtpConfig(host="mx", port=465, ssl=True, starttls=True, timeout_s=3.0)
        with httpx.Client() as client:
            send(Transport(http=client, smtp=config))
        assert [c[0] for c in fake_smtp.calls] == ["connect", "send_message", "quit"]
        assert fake_smtp.calls[0] == ("connect", "FakeSMTPSSL", "mx", 465, 3.0)

    def test_a_from_set_by_the_caller_is_kept(
        self, fake_smtp: type[FakeSMTP], transport: Transport
    ) -> None:
        """send fills From only when the message has none."""
        message = email.render(make_alert(), DESTINATION)
        message["From"] = "Launch desk <desk@x.example>"
        email.send(message, DESTINATION, transport)
        assert fake_smtp.calls[3][1] == "Launch desk <desk@x.example>"

    def test_failed_quit_after_acceptance_is_success(
        self, fake_smtp: type[FakeSMTP], transport: Transport
    ) -> None:
        """Once the server accepted the message, a failing QUIT must not cause a resend."""
        fake_smtp.failures["quit"] = smtplib.SMTPServerDisconnected("gone")
        send(transport)
        assert fake_smtp.calls[-1] == ("close",)

    @pytest.mark.parametrize(
        ("step", "exc", "reason", "retryable"),
        [
            (
                "login",
                AuthError(535, f"5.7.8 bad credentials {PASSWORD}".encode()),
                R.AUTH_ERROR,
                False,
            ),
            ("login", AuthError(454, b"4.7.0 temporary auth failure"), R.AUTH_ERROR, True),
            ("login", NotSupported("SMTP AUTH extension not supported"), R.CLIENT_ERROR, False),
            ("starttls", NotSupported("STARTTLS extension not supported"), R.CLIENT_ERROR, False),
            ("starttls", ssl.SSLCertVerificationError(1, "verify failed"), R.CLIENT_ERROR, False),
            (
                "send_message",
                Refused({"a@ops.example": (550, b"5.1.1 no user")}),
                R.REJECTED,
                False,
            ),
            (
                "send_message",
                Refused({"a@ops.example": (450, b"4.2.0 greylisted")}),
                R.REJECTED,
                True,
            ),
            ("send_message", SenderRefused(553, b"5.7.1 not allowed", "a@x"), R.REJECTED, False),
            ("send_message", smtplib.SMTPDataError(554, b"5.7.1 spam"), R.REJECTED, False),
            ("send_message", smtplib.SMTPDataError(451, b"4.3.0 try later"), R.SERVER_ERROR, True),
            ("send_message", Disconnected("Connection unexpectedly closed"), R.NETWORK, True),
            ("connect", smtplib.SMTPConnectError(421, b"4.3.2 too busy"), R.SERVER_ERROR, True),
            ("connect", smtplib.SMTPConnectError(554, b"5.7.1 go away"), R.REJECTED, False),
            ("connect", ConnectionRefusedError(111, "Connection refused"), R.NETWORK, True),
            ("connect", socket.gaierror(-2, "Name or service not known"), R.NETWORK, True),
            ("connect", TimeoutError("timed out"), R.TIMEOUT, True),
            ("send_message", TimeoutError("timed out"), R.TIMEOUT, True),
        ],
    )
    def test_failures(
        self,
        fake_smtp: type[FakeSMTP],
        transport: Transport,
        step: str,
        exc: BaseException,
        reason: DeliveryReason,
        retryable: bool,
    ) -> None:
        """smtplib and socket failures map to reasons; the password never appears."""
        fake_smtp.failures[step] = exc
        with pytest.raises(DeliveryError) as caught:
            send(transport)
        error = caught.value
        assert (error.channel, error.reason, error.retryable) == ("email", reason, retryable)
        assert PASSWORD not in str(error) + repr(error) + repr(error.args)
        assert error.__cause__ is None
        if step != "connect":
            assert fake_smtp.calls[-1][0] in ("quit", "close")

    @pytest.mark.parametrize(
        ("smtp", "recipients"),
        [(None, ("a@ops.example",)), (SMTP, ())],
    )
    def test_configuration_errors(
        self, fake_smtp: type[FakeSMTP], smtp: SmtpConfig | None, recipients: tuple[str, ...]
    ) -> None:
        """No SMTP settings or no recipients fail at once, not retryable, without connecting."""
        destination = Destination(id="d", channel="email", recipients=recipients)
        with httpx.Client() as client, pytest.raises(DeliveryError) as caught:
            send(Transport(http=client, smtp=smtp), destination)
        assert (caught.value.reason, caught.value.retryable) == (DeliveryReason.CLIENT_ERROR, False)
        assert fake_smtp.calls == []
