"""Discord webhooks: an Alert as one embed plus a short plain line, POSTed with `?wait=true`.

Feed text is never trusted: `allowed_mentions: {"parse": []}` stops every mention from
pinging, and in addition every `@` is followed by a zero-width space and Discord's markdown
characters are backslash-escaped, so a headline can neither mention `@everyone`, a role or a
user, nor add formatting or a masked link. Links are built here only from http(s) URLs.
Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-
limits) are enforced: content 2000, title 256, description 4096, 25 fields of 256/1024,
footer 2048, and 6000 characters over an embed's texts. Times in the description use
Discord's `<t:unix:f>` tokens, shown in each reader's zone.

Status handling is `base.classify_http_status`; a 429 carries Discord's wait, from the
`Retry-After` header or the JSON `retry_after` (seconds, may be fractional), the longer one.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import Any

import httpx

from alerts.models import Alert, AlertKind, Destination, SourceRef
from alerts.notify.base import (
    Transport,
    Wording,
    as_utc,
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
from alerts.redact import redact_text

CHANNEL = "discord"
CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
_FACT_VALUE_SHOWN = 200  # facts are short; keeps room for the description within 6000
_LINK_TEXT_MAX = 200
_URL_MAX = 1000
_SOURCE_LINE_MAX = 600
COLORS = {AlertKind.NEW: 0xD32F2F, AlertKind.UPDATE: 0xF57C00, AlertKind.CORRECTION: 0x1976D2}
TEST_COLOR = 0x9E9E9E
_MARKDOWN_SPECIALS = "\\*_~`|[]<>"


def render(alert: Alert, destination: Destination) -> dict[str, Any]:
    """The webhook body: a one-line `content` and one embed; no mention can fire. Pure.
    Our words are in the destination's language; times are Discord tokens (the reader's
    zone) with the destination's zone beside the first-report time."""
    w = wording_for(destination)
    event_id = re.sub(r"[^A-Za-z0-9.:-]+", "", alert.event_id)[:100]  # footers show text as is
    where = w.gettext("event %(event)s · rev %(revision)s") % {
        "event": event_id,
        "revision": alert.revision,
    }
    footer = f"missile-alerts · {where}"
    embed: dict[str, Any] = {
        "title": _clip(f"🚀 {headline(alert, w)}", TITLE_MAX),
        "color": TEST_COLOR if alert.test else COLORS.get(alert.kind, COLORS[AlertKind.NEW]),
        "timestamp": as_utc(alert.detected_at).isoformat(),
        "footer": {"text": shorten(one_line(footer), 300)},
    }
    url = safe_http_url(alert.url, max_length=_URL_MAX)
    if url:
        embed["url"] = url
    embed["fields"] = _fields(alert, w)
    budget = EMBED_TOTAL_MAX - _embed_size(embed) - 10
    embed["description"] = _description(alert, min(budget, DESCRIPTION_MAX), w)
    return {
        "content": _content(alert, w),
        "embeds": [embed],
        "allowed_mentions": {"parse": []},
    }


def send(payload: dict[str, Any], destination: Destination, transport: Transport) -> None:
    """Execute the webhook (`?wait=true`, so Discord validates before answering 200).

    Raises:
        DeliveryError: a missing or bad URL (not retryable) or a failure classified by status
            (429 with Discord's wait, 5xx retryable, other 4xx final).
    """
    url = webhook_url(destination, channel=CHANNEL)
    body = json.dumps(payload, ensure_ascii=False).encode()
    try:
        target = httpx.URL(url).copy_merge_params({"wait": "true"})  # keeps ?thread_id=
        response = transport.http.post(
            target, content=body, headers={"Content-Type": "application/json"}
        )
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise map_http_exception(exc, channel=CHANNEL, secrets=url_secrets(url)) from None
    answer = _json(response)
    error = classify_http_status(
        response.status_code, response.headers, channel=CHANNEL, detail=_detail(answer, url)
    )
    if error is None:
        return
    wait = answer.get("retry_after")
    if error.retryable and isinstance(wait, int | float) and math.isfinite(wait) and wait >= 0:
        error.retry_after_s = max(float(wait), error.retry_after_s or 0.0)
    raise error


def _escape(text: str) -> str:
    """Feed text as one line with markdown escaped and `@` unable to mention anyone."""
    return escape_markdown(text, _MARKDOWN_SPECIALS).replace("@", "@\u200b")


def _clip(text: str, limit: int) -> str:
    """Escaped `text` within `limit` characters; a cut never leaves a dangling backslash."""
    text = _escape(shorten(one_line(text), limit))
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + "…"


def _link(url: str, title: str) -> str:
    text = _clip(title or url, _LINK_TEXT_MAX)
    safe = safe_http_url(url, max_length=_URL_MAX)
    return f"[{text}]({safe})" if safe else text


def _time(when: datetime) -> str:
    """`<t:1795590900:f>`: Discord shows it in the reader's zone."""
    return f"<t:{int(as_utc(when).timestamp())}:f>"


def _content(alert: Alert, w: Wording) -> str:
    changed = change_words(alert, w)
    note = " " + w.gettext("(changed: %(changes)s)") % {"changes": w.join(changed)}
    return _clip(f"{headline(alert, w)}{note if changed else ''}: {one_line(alert.title)}", 500)


def _fields(alert: Alert, w: Wording) -> list[dict[str, Any]]:
    fields = [
        {"name": _clip(label, FIELD_NAME_MAX), "value": _clip(value, _FACT_VALUE_SHOWN),
         "inline": True}
        for label, value in fact_lines(alert, w)
    ]  # fmt: skip
    if alert.first_published_at:
        local = _clip(w.time(alert.first_published_at), 100)
        when = f"{_time(alert.first_published_at)} ({local})"
        fields.append({"name": _clip(w.gettext("First reported"), 100), "value": when,
                       "inline": True})  # fmt: skip
    return fields[:FIELDS_MAX]


def _description(alert: Alert, budget: int, w: Wording) -> str:
    lines = []
    label = revision_label(alert, w)
    if alert.test:
        marker, note = check_delivery_note(w)
        lines.append(f"**{_clip(marker, 100)}** — {_clip(note, 300)}")
    if label:
        changed = change_words(alert, w)
        values = {"label": _clip(label, 100), "event": _clip(alert.event_id, 200)}
        if alert.first_published_at:
            values["date"] = _time(alert.first_published_at)
            reference = w.gettext("%(label)s to the alert of %(date)s (event %(event)s)")
        else:
            reference = w.gettext("%(label)s to the alert (event %(event)s)")
        lines.append(_escape(reference) % values)  # our words inert like feed text
        if changed:
            changed_label = _clip(w.gettext("Changed:"), 100)
            lines.append(f"**{changed_label}** {_clip(w.join(changed), 500)}")
    lines.append(f"**{_link(alert.url, alert.title)}**")
    text = "\n".join(lines)
    return _with_sources(text, alert.sources, budget, w) if alert.sources else text[:budget]


def _with_sources(text: str, sources: tuple[SourceRef, ...], budget: int, w: Wording) -> str:
    heading = _clip(w.gettext("Sources"), 100)
    heading = f"**{heading}**"
    lines = [text, "", heading]
    used = len(text) + len("\n\n") + len(heading) + 40  # room for the "…and N more" line
    for shown, ref in enumerate(sources):
        when = f", {_time(ref.published_at)}" if ref.published_at else ""
        line = f"• {_link(ref.url, ref.title)} — {_clip(ref.source, 100)}{when}"
        if len(line) > _SOURCE_LINE_MAX:
            line = f"• {_clip(ref.title, 300)} — {_clip(ref.source, 100)}{when}"
        if used + len(line) + 1 > budget:
            lines.append(_clip(more_sources(w, len(sources) - shown), 100))
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def _embed_size(embed: dict[str, Any]) -> int:
    """Characters Discord counts toward the 6000 limit (title, description, fields, footer)."""
    fields = embed.get("fields", [])
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
        + len(embed.get("footer", {}).get("text", ""))
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return {}
    return answer if isinstance(answer, dict) else {}


def _detail(answer: dict[str, Any], url: str) -> str:
    """Discord's `{"code": 10015, "message": "Unknown Webhook"}` as short, redacted text."""
    code, message = answer.get("code"), answer.get("message")
    if not isinstance(message, str):
        return ""
    text = f"{code} {message}" if isinstance(code, int) else message
    return redact_text(shorten(one_line(text), 120), url_secrets(url))
