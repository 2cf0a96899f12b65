"""Email: an Alert as a multipart text + HTML message, sent over SMTP with smtplib.

Every revision of one launch keeps the subject of the first (`Re: ` in front of it), so mail
clients such as Gmail, which thread by subject and references, show one conversation per launch;
the revision ("Update #2", "Correction") and what changed are in the body. The Message-ID is
`<{event_id}.{revision}@{domain}>` and every revision after the first replies to revision 1;
the domain is the sender's (ALERTS_EMAIL_FROM), else this host's name. `Date` is the moment of
sending. Feed text reaches headers only folded to one line (no CR, LF or other control
characters, so it cannot add a header) and reaches the HTML part only escaped. A non-ASCII
subject (Korean, Japanese, Hebrew...) is written as RFC 2047 encoded words cut at character
boundaries, never inside one (the standard library's folding can split an encoded word on
Python 3.11 and readers then see raw `=?utf-8?q?...`).
"""

from __future__ import annotations

import html
import re
import smtplib
import socket
import ssl
from datetime import UTC, datetime
from email import base64mime
from email.headerregistry import BaseHeader, UnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime, parseaddr
from typing import Any

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, Destination
from alerts.notify.base import (
    SmtpConfig,
    Transport,
    Wording,
    change_words,
    check_delivery_note,
    country_name,
    fact_lines,
    headline,
    one_line,
    revision_label,
    wording_for,
)
from alerts.redact import redact_text

CHANNEL = "email"
SUBJECT_PREFIX = "[missile-alert]"
REPLY_PREFIX = "Re: "
_SUBJECT_MAX = 200
_ENCODED_WORD_BYTES = 45  # 60 base64 characters: an encoded word of 72, within RFC 2047's 75
_TITLE_MAX = 1000


class AlertEmail(EmailMessage):
    """An EmailMessage that knows which revision of which event it carries, so `send` can
    stamp the headers that depend on the sender and the moment of sending."""

    def __init__(self, *, event_id: str = "", revision: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # the library also makes the parts with type(self)(policy=)
        self.event_id = event_id
        self.revision = revision


def render(alert: Alert, destination: Destination) -> AlertEmail:
    """The message for one alert revision to the destination's recipients. Pure.

    `From`, `Date`, `Message-ID` and the reply headers are left to `send`: the sender (and so
    the Message-ID domain) is an SMTP setting, and `Date` is the time of sending. Subject and
    body are in the destination's language, times in its time zone; the `[missile-alert]` tag
    stays as it is in every language, for mail filters.
    """
    w = wording_for(destination)
    message = AlertEmail(event_id=alert.event_id, revision=alert.revision)
    message["Subject"] = SubjectHeader("Subject", _subject(alert, w))
    if destination.recipients:
        message["To"] = ", ".join(one_line(r) for r in destination.recipients)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_text_body(alert, w))
    message.add_alternative(_html_body(alert, w), subtype="html")
    return message


def send(payload: EmailMessage, destination: Destination, transport: Transport) -> None:
    """Stamp From, Date and Message-ID (`_stamp`), then send the message to the destination's
    recipients; raise DeliveryError on an SMTP or network failure.

    SMTP_SSL when `smtp.ssl`, else plain SMTP upgraded with STARTTLS when `smtp.starttls`;
    LOGIN/PLAIN when a username is set. If some recipients are refused but others accepted,
    the send counts as done (retrying would repeat the message to the accepted ones).
    """
    smtp = transport.smtp
    if smtp is None or not destination.recipients:
        missing = "no SMTP server configured" if smtp is None else "no recipients"
        raise DeliveryError(
            f"destination {destination.id}: {missing}",
            channel=CHANNEL,
            reason=DeliveryReason.CLIENT_ERROR,
            retryable=False,
        )
    _stamp(payload, sender=smtp.sender, now=datetime.now(UTC))
    password = smtp.password.reveal() if smtp.password else ""
    try:
        client = _connect(smtp)
        try:
            if smtp.username:
                client.login(smtp.username, password)
            client.send_message(
                payload, from_addr=smtp.sender, to_addrs=list(destination.recipients)
            )
        finally:
            _close(client)
    except OSError as exc:  # smtplib.SMTPException and ssl.SSLError are OSErrors
        raise _delivery_error(exc, secrets=[password]) from None


def _connect(smtp: SmtpConfig) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if smtp.ssl:
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_s, context=context)
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    if smtp.starttls:
        try:
            client.starttls(context=context)
        except BaseException:
            client.close()
            raise
    return client


def _close(client: smtplib.SMTP) -> None:
    """QUIT politely; a failure here must not turn an accepted message into a retry."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _delivery_error(exc: OSError, *, secrets: list[str]) -> DeliveryError:
    """Map smtplib/socket failures: 5xx refusals are final, 4xx and network trouble retry."""
    reason, retryable = DeliveryReason.NETWORK, True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        retryable = bool(codes) and all(400 <= code < 500 for code in codes)
        reason = DeliveryReason.REJECTED
        text = f"{len(codes)} recipient(s) refused with {sorted(set(codes))}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        text = f"SMTP {code} {_decode(exc.smtp_error)}"
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            reason, retryable = DeliveryReason.AUTH_ERROR, 400 <= code < 500
        elif code >= 500:
            reason, retryable = DeliveryReason.REJECTED, False
        elif code >= 400:
            reason = DeliveryReason.SERVER_ERROR
    else:
        text = f"{type(exc).__name__}: {exc.strerror or exc}"
        if isinstance(exc, smtplib.SMTPNotSupportedError | ssl.SSLCertVerificationError):
            reason, retryable = DeliveryReason.CLIENT_ERROR, False
        elif isinstance(exc, TimeoutError):
            reason = DeliveryReason.TIMEOUT
    text = redact_text(one_line(text), secrets)[:300]
    return DeliveryError(text, channel=CHANNEL, reason=reason, retryable=retryable)


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _stamp(message: EmailMessage, *, sender: str, now: datetime) -> None:
    """Set `From` (unless the caller set one), `Date` (now) and, for an AlertEmail, its
    `Message-ID` and the reply headers that thread revisions 2, 3... under revision 1."""
    if "From" not in message:
        message["From"] = sender
    del message["Date"]
    message["Date"] = format_datetime(now.astimezone(UTC), usegmt=True)
    if not isinstance(message, AlertEmail) or not message.event_id:
        return
    domain = _message_id_domain(sender)
    for name in ("Message-ID", "In-Reply-To", "References"):
        del message[name]
    message["Message-ID"] = _message_id(message.event_id, message.revision, domain)
    if message.revision > 1:
        message["In-Reply-To"] = _message_id(message.event_id, 1, domain)
        message["References"] = _message_id(message.event_id, 1, domain)


def _message_id(event_id: str, revision: int, domain: str) -> str:
    """`<kp-20261125-0712-ab12.2@alerts.example>`: the same for every attempt of a revision."""
    return f"<{re.sub(r'[^A-Za-z0-9._-]', '-', event_id)}.{revision}@{domain}>"


def _message_id_domain(sender: str) -> str:
    """The domain of the sender's address, else (none, or `localhost`) this host's name;
    reduced to letters, digits, dots and hyphens so it is a valid Message-ID right part."""
    address = parseaddr(one_line(sender))[1]
    domain = address.rpartition("@")[2] if "@" in address else ""
    if not domain or domain.lower() == "localhost":
        domain = socket.gethostname()
    domain = re.sub(r"[^A-Za-z0-9.-]+", "-", domain).strip(".-")
    return domain or "localhost"


def _subject(alert: Alert, w: Wording) -> str:
    """The same subject for every revision of an event, `Re: ` before it after the first.

    `[missile-alert] Ballistic missile launch: North Korea`: the launching country never
    changes within an event (cluster.merge_facts keeps it); without one (a test alert), the
    opening report's title.
    """
    country = country_name(alert.facts.country, w)
    if country is None:
        country = alert.sources[0].title if alert.sources else alert.title
    text = w.gettext("Ballistic missile launch: %(country)s") % {"country": country}
    if alert.test:
        text = w.gettext("TEST: %(text)s") % {"text": text}
    text = one_line(f"{SUBJECT_PREFIX} {text}")
    text = text if len(text) <= _SUBJECT_MAX else text[: _SUBJECT_MAX - 1] + "…"
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot be sent
    return f"{REPLY_PREFIX}{text}" if alert.revision > 1 else text


class SubjectHeader(UnstructuredHeader, BaseHeader):
    """An unstructured header folded safely: what needs encoding becomes whole encoded words.

    Python 3.11's folding (email._header_value_parser) can cut an RFC 2047 encoded word in
    two, or drop the space between two; readers then see `=?utf-8?q?=D7=8D=D7=` or words run
    together (even ASCII can gain a leading space). Leading plain words (short printable
    ASCII, nothing like `=?`) are kept as they are; the rest (non-ASCII text, or text a reader
    could take for an encoded word) is base64 encoded words of whole UTF-8 characters, one
    per folded line, which readers join back without the line breaks (RFC 2047, 6.2).
    """

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        """The value as given: the library's parser would decode `=?…?=` found in feed text
        (and with it CR, LF or anything else the encoded word holds)."""
        kwds["parse_tree"] = cls.value_parser(value)
        kwds["decoded"] = value

    def fold(self, *, policy: Policy) -> str:
        utf8 = bool(getattr(policy, "utf8", False))  # SMTPUTF8: raw UTF-8 may stay as it is
        words = str(self).split(" ")
        max_length = policy.max_line_length or 78
        lines = [f"{self.name}:"]
        plain = 0
        while plain < len(words) and _plain_word(words[plain], utf8=utf8):
            plain += 1
        rest = _utf8_chunks(" ".join(words[plain:]), _ENCODED_WORD_BYTES)
        tokens = [w for w in words[:plain] if w]
        tokens += [base64mime.header_encode(chunk, "utf-8") for chunk in rest]
        for token in tokens:
            if len(lines[-1]) + 1 + len(token) > max_length:
                lines.append("")
            lines[-1] += f" {token}"
        return policy.linesep.join(lines) + policy.linesep


def _plain_word(word: str, *, utf8: bool) -> bool:
    """A word a reader shows as it is: short, printable, ASCII unless the message is sent as
    UTF-8, and nothing a reader could take for an encoded word."""
    return (
        (utf8 or word.isascii())
        and word.isprintable()
        and "=?" not in word
        and len(word.encode("utf-8", "replace")) < 60
    )


def _utf8_chunks(text: str, max_bytes: int) -> list[bytes]:
    """`text` as UTF-8, cut between characters into pieces of at most `max_bytes`."""
    chunks: list[bytes] = []
    current = b""
    for char in text:
        encoded = char.encode("utf-8", "replace")
        if current and len(current) + len(encoded) > max_bytes:
            chunks.append(current)
            current = b""
        current += encoded
    if current:
        chunks.append(current)
    return chunks


def _title(text: str) -> str:
    text = one_line(text)
    return text if len(text) <= _TITLE_MAX else text[: _TITLE_MAX - 1] + "…"


def _source_lines(alert: Alert, w: Wording) -> list[tuple[str, str, str]]:
    """(title, "source, time", url) per source."""
    return [
        (
            _title(ref.title) or w.gettext("(untitled)"),
            w.join(
                [one_line(ref.source)] + ([w.time(ref.published_at)] if ref.published_at else [])
            ),
            one_line(ref.url),
        )
        for ref in alert.sources
    ]


def _times(alert: Alert, w: Wording) -> str:
    first = alert.first_published_at
    values = {
        "first": w.time(first) if first else "",
        "detected": w.time(alert.detected_at),
        "event": alert.event_id,
        "revision": alert.revision,
    }
    if first:
        return (
            w.gettext(
                "First reported %(first)s; detected %(detected)s. "
                "Event %(event)s, revision %(revision)s."
            )
            % values
        )
    return w.gettext("Detected %(detected)s. Event %(event)s, revision %(revision)s.") % values


def _test_note(w: Wording) -> str:
    """`TEST ALERT: sent to check delivery; no launch is reported.`"""
    marker, note = check_delivery_note(w)
    return f"{marker}: {note}"


def _revision_note(alert: Alert, w: Wording) -> str | None:
    """`Update #2 to the first alert of this launch. Changed: missile class, apogee.`"""
    label = revision_label(alert, w)
    if label is None:
        return None
    changed = change_words(alert, w)
    values = {"label": label, "changes": w.join(changed)}
    if changed:
        return w.gettext("%(label)s to the first alert of this launch. Changed: %(changes)s.") % (
            values
        )
    return w.gettext("%(label)s to the first alert of this launch.") % values


def _text_body(alert: Alert, w: Wording) -> str:
    lines = [_test_note(w), ""] if alert.test else []
    lines += [headline(alert, w), ""]
    note = _revision_note(alert, w)
    if note:
        lines += [note, ""]
    lines += [_title(alert.title), one_line(alert.url), ""]
    lines += [f"{label}: {value}" for label, value in fact_lines(alert, w)]
    if alert.sources:
        lines += ["", w.gettext("Sources") + ":"]
        for title, origin, url in _source_lines(alert, w):
            lines += [f"- {title} ({origin})", f"  {url}"]
    lines += ["", one_line(_times(alert, w)), ""]
    return "\n".join(lines)


def _html_body(alert: Alert, w: Wording) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><th align='left'>{e(label)}</th><td>{e(value)}</td></tr>"
        for label, value in fact_lines(alert, w)
    )
    sources = "".join(
        f"<li>{_html_link(url, title)} ({e(origin)})</li>"
        for title, origin, url in _source_lines(alert, w)
    )
    sources_heading = w.gettext("Sources")
    parts = [
        f"<p><strong>{e(_test_note(w))}</strong></p>" if alert.test else "",
        f"<h2>{e(headline(alert, w))}</h2>",
        f"<p>{e(note)}</p>" if (note := _revision_note(alert, w)) else "",
        f"<p>{_html_link(one_line(alert.url), _title(alert.title))}</p>",
        f"<table>{rows}</table>",
        f"<h3>{e(sources_heading)}</h3><ul>{sources}</ul>" if sources else "",
        f"<p><small>{e(one_line(_times(alert, w)))}</small></p>",
    ]
    return f"<!DOCTYPE html><html><body>{''.join(parts)}</body></html>\n"


def _html_link(url: str, text: str) -> str:
    """An anchor for http(s) URLs only; the text and URL escaped either way."""
    if re.match(r"(?i)https?://", url):
        return f'<a href="{html.escape(url)}">{html.escape(text or url)}</a>'
    return html.escape(f"{text} {url}".strip())
