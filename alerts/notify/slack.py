"""Slack incoming webhooks: an Alert as a Block Kit message, POSTed to the destination's URL.

Feed text is never trusted: `&`, `<` and `>` are escaped in every text object, so a headline
cannot carry `<!channel>`, `<@U123>` or a disguised `<http://evil|link>`; links are built here
only from http(s) URLs. Slack's limits are enforced by truncating with an ellipsis:
https://api.slack.com/reference/block-kit/blocks (header 150, section 3000, 10 fields of 2000,
50 blocks) and ~3000 characters for the top-level fallback `text` we send.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import httpx

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, Destination, SourceRef
from alerts.notify.base import (
    Transport,
    Wording,
    as_utc,
    change_words,
    check_delivery_note,
    classify_http_status,
    fact_lines,
    headline,
    map_http_exception,
    more_sources,
    one_line,
    revision_label,
    url_secrets,
    webhook_url,
    wording_for,
)

CHANNEL = "slack"
HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_MAX = 10
BLOCKS_MAX = 50
TEXT_MAX = 3000
_SOURCE_LINE_MAX = 600
_URL_MAX = 1000
_LINK_TEXT_MAX = 300

# Error bodies of incoming webhooks that a person must fix (docs: "Handling errors").
_AUTH_CODES = frozenset(
    {"invalid_token", "no_service", "no_service_id", "no_team", "team_disabled"}
)
_REJECTED_CODES = frozenset(
    {
        "channel_is_archived",
        "channel_not_found",
        "action_prohibited",
        "posting_to_general_channel_denied",
        "user_not_found",
        "too_many_attachments",
    }
)
_CODE = re.compile(r"[a-z_]{1,64}")


def render(alert: Alert, destination: Destination) -> dict[str, Any]:
    """The JSON body for one alert: Block Kit blocks plus a plain `text` fallback.

    Pure. Blocks: a header (headline, "TEST" and update/correction marked); for updates and
    corrections a context line referring to the first alert (its first-report time and event
    id) with the facts that changed; a section linking the report with its key facts as
    fields, a section listing the sources, and a context line with the first-report and
    detection times as Slack date tokens (shown in the reader's zone, with a fallback).
    The fallback `text` always holds the report title and URL, and what changed. Our words
    are in the destination's language, its times (fallbacks of the date tokens) in its zone.
    """
    w = wording_for(destination)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _header_text(alert, w), "emoji": True},
        }
    ]
    if alert.test:
        marker, note = check_delivery_note(w)
        blocks.append(_context(f"*{_escape(marker)}* — {_escape(note)}"))
    reference = _reference_text(alert, w)
    if reference:
        blocks.append(_context(reference))
    blocks.append(_facts_section(alert, w))
    if alert.sources:
        blocks.append(_section(_sources_text(alert.sources, w)))
    blocks.append(_context(_times_text(alert, w)))
    return {"text": _fallback_text(alert, w), "blocks": blocks[:BLOCKS_MAX]}


def send(payload: dict[str, Any], destination: Destination, transport: Transport) -> None:
    """POST the payload to the destination's webhook URL; raise DeliveryError unless 2xx.

    Slack answers 200 `ok`; errors come as a short code in a text body (`invalid_payload`,
    `channel_is_archived`, `no_service`), which the error carries. 429 and 5xx are retryable.
    """
    url = webhook_url(destination, channel=CHANNEL)
    body = json.dumps(payload, ensure_ascii=False).encode()
    try:
        response = transport.http.post(
            url, content=body, headers={"Content-Type": "application/json; charset=utf-8"}
        )
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise map_http_exception(exc, channel=CHANNEL, secrets=url_secrets(url)) from None
    code = response.text.strip()
    code = code if _CODE.fullmatch(code) else ""
    error = classify_http_status(
        response.status_code, response.headers, channel=CHANNEL, detail=code
    )
    if error is None:
        return
    if not error.retryable and code in _AUTH_CODES | _REJECTED_CODES:
        reason = DeliveryReason.AUTH_ERROR if code in _AUTH_CODES else DeliveryReason.REJECTED
        raise DeliveryError(error.args[0], channel=CHANNEL, reason=reason, retryable=False)
    raise error


def _escape(text: str) -> str:
    """Slack's three control characters as entities, so text can hold no mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis, never inside an entity or <token>."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    if cut.rfind("&") > cut.rfind(";"):
        cut = cut[: cut.rfind("&")]
    return cut + "…"


def _link(url: str, title: str) -> str:
    """`<url|title>` for an http(s) URL, else the escaped title alone (cut to a readable size)."""
    text = one_line(title) or one_line(url)
    if len(text) > _LINK_TEXT_MAX:
        text = text[: _LINK_TEXT_MAX - 1] + "…"
    text = _escape(text)
    safe = _safe_url(url)
    return f"<{safe}|{text}>" if safe else text


def _date_token(when: datetime, w: Wording) -> str:
    """A Slack date token, shown in the reader's time zone, falling back to the time in the
    destination's zone."""
    unix = int(as_utc(when).timestamp())
    return f"<!date^{unix}^{{date_short_pretty}} {{time}}|{_escape(w.time(when))}>"


def _safe_url(url: str) -> str | None:
    url = one_line(url)
    if not re.match(r"(?i)https?://[^\s/]", url) or len(url) > _URL_MAX:
        return None
    for char, code in (("|", "%7C"), ("<", "%3C"), (">", "%3E"), (" ", "%20")):
        url = url.replace(char, code)
    return _escape(url)


def _header_text(alert: Alert, w: Wording) -> str:
    return _truncate(_escape(f"🚀 {headline(alert, w)}"), HEADER_MAX)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _truncate(text, SECTION_MAX)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _truncate(text, 2000)}]}


def _facts_section(alert: Alert, w: Wording) -> dict[str, Any]:
    block = _section(f"*{_link(alert.url, alert.title)}*")
    block["fields"] = [
        {"type": "mrkdwn", "text": _truncate(f"*{label}*\n{_escape(value)}", FIELD_MAX)}
        for label, value in fact_lines(alert, w)[:FIELDS_MAX]
    ]
    return block


def _sources_text(sources: tuple[SourceRef, ...], w: Wording) -> str:
    heading = _escape(w.gettext("Sources"))
    lines = [f"*{heading}*"]
    budget = SECTION_MAX - len(lines[0]) - 40  # room for the "…and N more" line
    for shown, ref in enumerate(sources):
        when = f", {_date_token(ref.published_at, w)}" if ref.published_at else ""
        origin = f" — {_escape(one_line(ref.source))}{when}"
        line = f"• {_link(ref.url, ref.title)}{origin}"
        if len(line) > _SOURCE_LINE_MAX:
            # a long link (news aggregators' reach ~500 characters) cannot be cut without
            # breaking its <url|title> token: show the title without the link instead
            line = f"• {_link('', ref.title)}{origin}"
        line = _truncate(line, _SOURCE_LINE_MAX)
        if len(line) + 1 > budget:
            lines.append(_escape(more_sources(w, len(sources) - shown)))
            break
        lines.append(line)
        budget -= len(line) + 1
    return "\n".join(lines)


def _times_text(alert: Alert, w: Wording) -> str:
    parts = []
    if alert.first_published_at:
        first = _date_token(alert.first_published_at, w)
        parts.append(_escape(w.gettext("First reported %(time)s")) % {"time": first})
    detected = _date_token(alert.detected_at, w)
    parts.append(_escape(w.gettext("detected %(time)s")) % {"time": detected})
    event = f"`{_escape(one_line(alert.event_id))}`"
    parts.append(
        _escape(w.gettext("event %(event)s rev %(revision)s"))
        % {"event": event, "revision": alert.revision}
    )
    return " · ".join(parts)


def _reference_text(alert: Alert, w: Wording) -> str | None:
    """`Update #2 to the alert of <date> (event `id`) · *Changed:* apogee, count`, or None."""
    label = revision_label(alert, w)
    if label is None:
        return None
    values = {
        "label": _escape(label),
        "event": f"`{_escape(_truncate(one_line(alert.event_id), 200))}`",
    }
    if alert.first_published_at:
        values["date"] = _date_token(alert.first_published_at, w)
        text = _escape(w.gettext("%(label)s to the alert of %(date)s (event %(event)s)")) % values
    else:
        text = _escape(w.gettext("%(label)s to the earlier alert of event %(event)s")) % values
    changed = change_words(alert, w)
    if changed:
        changed_label = _escape(w.gettext("Changed:"))
        text += f" · *{changed_label}* {_escape(w.join(changed))}"
    return text


def _fallback_text(alert: Alert, w: Wording) -> str:
    changed = change_words(alert, w)
    note = " " + w.gettext("(changed: %(changes)s)") % {"changes": w.join(changed)}
    start = _escape(headline(alert, w) + (_truncate(note, 300) if changed else "")) + ": "
    url = _truncate(_escape(one_line(alert.url)), _URL_MAX)
    budget = max(TEXT_MAX - len(start) - len(url) - 1, 20)
    return _truncate(f"{start}{_truncate(_escape(one_line(alert.title)), budget)} {url}", TEXT_MAX)
