"""Email: an Alert as a multipart text + HTML message, sent over SMTP with smtplib.

Revisions of one launch thread together: the Message-ID is `<{event_id}.{revision}@missile-
alerts>`, and every revision after the first replies to revision 1. Feed text reaches headers
only folded to one line (no CR, LF or other control characters, so it cannot add a header) and
reaches the HTML part only escaped.
"""

from __future__ import annotations

import html
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, Destination
from alerts.notify.base import (
    SmtpConfig,
    Transport,
    as_utc,
    fact_lines,
    format_utc,
    headline,
    one_line,
)
from alerts.redact import redact_text

CHANNEL = "email"
SUBJECT_PREFIX = "[missile-alert]"
MESSAGE_ID_DOMAIN = "missile-alerts"
_SUBJECT_MAX = 200
_TITLE_MAX = 1000
_TEST_NOTE = "TEST ALERT: sent to check delivery; no launch is reported."


def render(alert: Alert, destination: Destination) -> EmailMessage:
    """The message for one alert revision to the destination's recipients. Pure.

    `From` is left unset: the sender is an SMTP setting, so `send` fills it in from
    `transport.smtp.sender` (a `From` set by the caller is kept).
    """
    message = EmailMessage()
    message["Subject"] = _subject(alert)
    if destination.recipients:
        message["To"] = ", ".join(one_line(r) for r in destination.recipients)
    message["Date"] = format_datetime(as_utc(alert.detected_at), usegmt=True)
    message["Message-ID"] = _message_id(alert.event_id, alert.revision)
    if alert.revision > 1:
        message["In-Reply-To"] = _message_id(alert.event_id, 1)
        message["References"] = _message_id(alert.event_id, 1)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_text_body(alert))
    message.add_alternative(_html_body(alert), subtype="html")
    return message


def send(payload: EmailMessage, destination: Destination, transport: Transport) -> None:
    """Send the message to the destination's recipients; raise DeliveryError on failure.

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
    if "From" not in payload:
        payload["From"] = smtp.sender
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


def _message_id(event_id: str, revision: int) -> str:
    return f"<{re.sub(r'[^A-Za-z0-9._-]', '-', event_id)}.{revision}@{MESSAGE_ID_DOMAIN}>"


def _subject(alert: Alert) -> str:
    subject = f"{SUBJECT_PREFIX} {headline(alert, dash=': ')}"
    if not alert.facts.country:
        subject += f": {one_line(alert.title)}"
    subject = one_line(subject)
    return subject if len(subject) <= _SUBJECT_MAX else subject[: _SUBJECT_MAX - 1] + "…"


def _title(text: str) -> str:
    text = one_line(text)
    return text if len(text) <= _TITLE_MAX else text[: _TITLE_MAX - 1] + "…"


def _source_lines(alert: Alert) -> list[tuple[str, str, str]]:
    """(title, "source, time", url) per source."""
    return [
        (
            _title(ref.title) or "(untitled)",
            ", ".join(
                [one_line(ref.source)]
                + ([format_utc(ref.published_at)] if ref.published_at else [])
            ),
            one_line(ref.url),
        )
        for ref in alert.sources
    ]


def _times(alert: Alert) -> str:
    first = alert.first_published_at
    seen = f"First reported {format_utc(first)}; detected " if first else "Detected "
    return (
        f"{seen}{format_utc(alert.detected_at)}. Event {alert.event_id}, revision {alert.revision}."
    )


def _text_body(alert: Alert) -> str:
    lines = [_TEST_NOTE, ""] if alert.test else []
    lines += [headline(alert), "", _title(alert.title), one_line(alert.url), ""]
    lines += [f"{label}: {value}" for label, value in fact_lines(alert)]
    if alert.sources:
        lines += ["", "Sources:"]
        for title, origin, url in _source_lines(alert):
            lines += [f"- {title} ({origin})", f"  {url}"]
    lines += ["", one_line(_times(alert)), ""]
    return "\n".join(lines)


def _html_body(alert: Alert) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><th align='left'>{e(label)}</th><td>{e(value)}</td></tr>"
        for label, value in fact_lines(alert)
    )
    sources = "".join(
        f"<li>{_html_link(url, title)} ({e(origin)})</li>"
        for title, origin, url in _source_lines(alert)
    )
    parts = [
        f"<p><strong>{e(_TEST_NOTE)}</strong></p>" if alert.test else "",
        f"<h2>{e(headline(alert))}</h2>",
        f"<p>{_html_link(one_line(alert.url), _title(alert.title))}</p>",
        f"<table>{rows}</table>",
        f"<h3>Sources</h3><ul>{sources}</ul>" if sources else "",
        f"<p><small>{e(one_line(_times(alert)))}</small></p>",
    ]
    return f"<!DOCTYPE html><html><body>{''.join(parts)}</body></html>\n"


def _html_link(url: str, text: str) -> str:
    """An anchor for http(s) URLs only; the text and URL escaped either way."""
    if re.match(r"(?i)https?://", url):
        return f'<a href="{html.escape(url)}">{html.escape(text or url)}</a>'
    return html.escape(f"{text} {url}".strip())
