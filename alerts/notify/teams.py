"""Microsoft Teams: an Alert as an Adaptive Card, POSTed to an incoming webhook or a Workflow.

Both Teams endpoints take a `message` whose attachment is an Adaptive Card. It declares version
1.4 and uses only what the official 1.4 schema allows (not 1.5's `TextBlock.style`; tests
validate every card against the vendored schema): a large bold title, for updates and
corrections a line referring to the first alert and what changed, the linked report, the facts
as a FactSet, the sources as markdown links, and the times in the destination's time zone
(Adaptive Cards have no reader-local time token), all worded in its language. TextBlocks render
a markdown subset (bold, italic, lists, links), so feed text is folded to one line, its
emphasis, code and link characters are backslash-escaped, and a leading list, heading or quote
marker is escaped too; links are built here only from http(s) URLs. Cards stay well under the
28 KB message limit.

Teams answers 200 (`1`) or 202 (Workflows). The legacy connector also answers 200 with a body
`Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429
…` (MicrosoftDocs/msteams-docs#7425); that status is classified as if Teams had sent it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from alerts.models import Alert, Destination, SourceRef
from alerts.notify.base import (
    Transport,
    Wording,
    change_words,
    check_delivery_note,
    classify_http_status,
    escape_markdown,
    fact_lines,
    headline,
    map_http_exception,
    more_sources,
    one_line,
    revision_label,
    safe_http_url,
    shorten,
    url_secrets,
    webhook_url,
    wording_for,
)

CHANNEL = "teams"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
TITLE_MAX = 200
TEXT_MAX = 2000
FACT_VALUE_MAX = 300
SOURCES_MAX = 20
_LINK_TEXT_MAX = 200
_URL_MAX = 1000
_WRAPPED_STATUS = re.compile(r"returned HTTP error (\d{3})")


def render(alert: Alert, destination: Destination) -> dict[str, Any]:
    """The message body: one Adaptive Card attachment. Pure."""
    w = wording_for(destination)
    body: list[dict[str, Any]] = [
        _text(_clip(f"🚀 {headline(alert, w)}", TITLE_MAX), size="Large", weight="Bolder"),
    ]
    if alert.test:
        marker, note = check_delivery_note(w)
        body.append(_text(f"**{_clip(marker, 100)}**: {_clip(note, 300)}"))
    reference = _reference(alert, w)
    if reference:
        body.append(_text(reference, isSubtle=True))
    body.append(_text(f"**{_link(alert.url, alert.title)}**"))
    body.append(
        {
            "type": "FactSet",
            "facts": [
                {"title": label, "value": _clip(value, FACT_VALUE_MAX)}
                for label, value in fact_lines(alert, w)
            ],
        }
    )
    if alert.sources:
        body.append(_text(_sources(alert.sources, w)))
    body.append(_text(_times(alert, w), isSubtle=True, size="Small"))
    card = {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": CARD_VERSION, "body": body}
    safe = safe_http_url(alert.url, max_length=_URL_MAX)
    if safe:
        title = w.gettext("Open report")
        card["actions"] = [{"type": "Action.OpenUrl", "title": title, "url": safe}]
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_TYPE, "contentUrl": None, "content": card}],
    }


def send(payload: dict[str, Any], destination: Destination, transport: Transport) -> None:
    """POST the card; raise DeliveryError unless Teams accepted it (2xx without a wrapped error).

    Raises:
        DeliveryError: a missing or bad URL (not retryable) or a failure classified by status
            (429 and 5xx retryable, other 4xx final), also when wrapped in a 200 body.
    """
    url = webhook_url(destination, channel=CHANNEL)
    body = json.dumps(payload, ensure_ascii=False).encode()
    try:
        response = transport.http.post(
            url, content=body, headers={"Content-Type": "application/json"}
        )
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise map_http_exception(exc, channel=CHANNEL, secrets=url_secrets(url)) from None
    status = response.status_code
    wrapped = _WRAPPED_STATUS.search(response.text[:1000]) if 200 <= status < 300 else None
    if wrapped and not 200 <= int(wrapped.group(1)) < 300:
        status = int(wrapped.group(1))
    error = classify_http_status(status, response.headers, channel=CHANNEL)
    if error is not None:
        raise error


def _clip(text: str, limit: int) -> str:
    """Escaped `text` within `limit` characters; a cut never leaves a dangling backslash."""
    text = escape_markdown(shorten(one_line(text), limit))
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if (len(cut) - len(cut.rstrip("\\"))) % 2:
        cut = cut[:-1]
    return cut + "…"


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _link(url: str, title: str) -> str:
    text = _clip(title or url, _LINK_TEXT_MAX)
    safe = safe_http_url(url, max_length=_URL_MAX)
    return f"[{text}]({safe})" if safe else text


def _reference(alert: Alert, w: Wording) -> str | None:
    label = revision_label(alert, w)
    if label is None:
        return None
    values = {"label": _clip(label, 100), "event": _clip(alert.event_id, 200)}
    if alert.first_published_at:
        values["date"] = _clip(w.time(alert.first_published_at), 100)
        reference = w.gettext("%(label)s to the alert of %(date)s (event %(event)s)")
    else:
        reference = w.gettext("%(label)s to the alert (event %(event)s)")
    text = escape_markdown(reference) % values
    changed = change_words(alert, w)
    if changed:
        values = {"reference": text, "changes": _clip(w.join(changed), 500)}
        text = escape_markdown(w.gettext("%(reference)s. Changed: %(changes)s")) % values
    return text


def _sources(sources: tuple[SourceRef, ...], w: Wording) -> str:
    """`**Sources**` and one linked line per source, at most SOURCES_MAX within TEXT_MAX."""
    heading = _clip(w.gettext("Sources"), 100)
    lines = [f"**{heading}**"]
    used = len(lines[0]) + 40  # room for the "…and N more" line
    for shown, ref in enumerate(sources):
        when = f", {_clip(w.time(ref.published_at), 100)}" if ref.published_at else ""
        line = f"- {_link(ref.url, ref.title)} ({_clip(ref.source, 100)}{when})"
        if shown == SOURCES_MAX or used + len(line) + 1 > TEXT_MAX:
            lines.append(_clip(more_sources(w, len(sources) - shown), 100))
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def _times(alert: Alert, w: Wording) -> str:
    parts = []
    if alert.first_published_at:
        first = _clip(w.time(alert.first_published_at), 100)
        parts.append(escape_markdown(w.gettext("First reported %(time)s")) % {"time": first})
    detected = _clip(w.time(alert.detected_at), 100)
    parts.append(escape_markdown(w.gettext("detected %(time)s")) % {"time": detected})
    event = {"event": _clip(alert.event_id, 200), "revision": alert.revision}
    parts.append(escape_markdown(w.gettext("event %(event)s rev %(revision)s")) % event)
    return " · ".join(parts)
