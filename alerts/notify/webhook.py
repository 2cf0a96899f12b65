"""Generic webhooks: an Alert as a documented JSON document, signed per Standard Webhooks.

Headers follow https://www.standardwebhooks.com/ (spec: github.com/standard-webhooks):

- `webhook-id`: `msg_` + 32 hex digits derived from the alert revision and the destination,
  so every retry of one delivery carries the same id and receivers can deduplicate on it;
- `webhook-timestamp`: Unix seconds of this attempt;
- `webhook-signature`: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` for every key in
  `destination.signing_secrets`, space-separated, so keys can be rotated (sign with old and new
  while receivers switch). Keys are `whsec_<base64>` strings (the prefix is optional). Without
  keys the header is left out.

Each POST waits up to `SEND_TIMEOUT` (5 s to connect, 20 s for each read or write): the spec
recommends a request timeout of 15-30 s, so a receiver that takes ten seconds to answer is not
retried (and sent twice) for being slow; it stays inside the shortest delivery claim (30 s).

The body is the exact bytes signed: compact UTF-8 JSON. Its shape is published as JSON Schema
in docs/webhook-payload.schema.json and explained in docs/webhooks.md; `schema_version` grows
only on an incompatible change (fields may be added within a version).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime
from typing import Any

import httpx

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, Destination
from alerts.notify.base import (
    Transport,
    as_utc,
    change_words,
    classify_http_status,
    headline,
    map_http_exception,
    one_line,
    shorten,
    url_secrets,
    webhook_url,
    wording_for,
)
from alerts.signing import SECRET_PREFIX, signing_key_bytes

CHANNEL = "webhook"
EVENT_TYPE = "missile_launch.alert"
SCHEMA_VERSION = 1
SEND_TIMEOUT = httpx.Timeout(20.0, connect=5.0)  # Standard Webhooks: "between 15 and 30s"
_SECRET_PREFIX = SECRET_PREFIX
_TEXT_TITLE_MAX = 1000


def render(alert: Alert, destination: Destination) -> dict[str, Any]:
    """The JSON body for one alert revision. Pure; the schema is docs/webhook-payload.schema.json.

    Shape (times are ISO 8601 UTC strings or null; `facts` holds stated facts only)::

        {
          "schema_version": 1,
          "type": "missile_launch.alert",
          "event_id": "kp-2026-11-25-1",       # stable per launch event
          "kind": "new" | "update" | "correction",
          "revision": 1,                        # 1, 2, ... per event
          "title": "...", "url": "https://...", # the lead report
          "facts": {"country": "KP", "missile_class": "ICBM", "count": 1, ...},
          "changes": ["apogee_km"],             # updates/corrections: fact names that changed
          "confidence": 0.93,
          "sources": [{"source": "yonhap", "item_id": "...", "url": "...", "title": "...",
                       "published_at": "2026-11-25T07:15:00+00:00"}],
          "first_published_at": "...", "detected_at": "...",
          "test": false,                        # true for `alerts test-alert`
          "language": "ja",                     # the language of `text`
          "text": "第2報: 弾道ミサイル発射 — 北朝鮮 (変更: …): <title> <url>"
        }

    Everything but `text` is language-neutral data (codes, enum values, ISO times); `text` is
    one human-readable line in the destination's language, for receivers that just show it.
    Receivers should deduplicate on the `webhook-id` header (or on event_id + revision).
    """
    return {
        "schema_version": SCHEMA_VERSION,
        "type": EVENT_TYPE,
        "event_id": alert.event_id,
        "kind": str(alert.kind),
        "revision": alert.revision,
        "title": alert.title,
        "url": alert.url,
        "facts": _facts(alert),
        "changes": list(alert.changes),
        "confidence": alert.confidence,
        "sources": [
            {
                "source": ref.source,
                "item_id": ref.item_id,
                "url": ref.url,
                "title": ref.title,
                "published_at": _iso(ref.published_at),
            }
            for ref in alert.sources
        ],
        "first_published_at": _iso(alert.first_published_at),
        "detected_at": _iso(alert.detected_at),
        "test": alert.test,
        "language": wording_for(destination).language,
        "text": _text(alert, destination),
    }


def _text(alert: Alert, destination: Destination) -> str:
    """`Ballistic missile launch — North Korea (changed: apogee): <title> <url>`, worded in the
    destination's language (the title is the report's own)."""
    w = wording_for(destination)
    changed = change_words(alert, w)
    note = " " + w.gettext("(changed: %(changes)s)") % {"changes": w.join(changed)}
    title = shorten(one_line(alert.title), _TEXT_TITLE_MAX)  # the whole title is in `title`
    text = f"{headline(alert, w)}{note if changed else ''}: {title}"
    return f"{text} {one_line(alert.url)}".strip()


def send(payload: dict[str, Any], destination: Destination, transport: Transport) -> None:
    """POST the payload as signed JSON with Standard Webhooks headers; raise unless 2xx.

    Raises:
        DeliveryError: a bad URL or signing key (CLIENT_ERROR, not retryable), or the
            transport or status failure classified by `base`.
    """
    url = webhook_url(destination, channel=CHANNEL)
    keys = [
        _signing_key(secret.reveal(), n) for n, secret in enumerate(destination.signing_secrets)
    ]
    msg_id = _webhook_id(f"{payload['event_id']}:{payload['revision']}", destination.id)
    timestamp = str(int(time.time()))
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
    }
    if keys:
        headers["webhook-signature"] = " ".join(_sign(key, msg_id, timestamp, body) for key in keys)
    keys_text = [s.reveal().strip() for s in destination.signing_secrets]
    secrets = [*url_secrets(url), *keys_text, *(k.removeprefix(_SECRET_PREFIX) for k in keys_text)]
    try:
        response = transport.http.post(url, content=body, headers=headers, timeout=SEND_TIMEOUT)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise map_http_exception(exc, channel=CHANNEL, secrets=secrets) from None
    error = classify_http_status(response.status_code, response.headers, channel=CHANNEL)
    if error is not None:
        raise error


def _iso(when: datetime | None) -> str | None:
    """RFC 3339 in UTC (`2026-11-25T07:15:00+00:00`); a naive time is taken as UTC."""
    return as_utc(when).isoformat() if when is not None else None


def _facts(alert: Alert) -> dict[str, Any]:
    facts = alert.facts.as_dict()
    if alert.facts.launch_time is not None:
        facts["launch_time"] = _iso(alert.facts.launch_time)
    return facts


def _webhook_id(alert_key: str, destination_id: str) -> str:
    """`msg_` + 32 hex digits, the same for every attempt of one (alert revision, destination)."""
    digest = hashlib.sha256(f"{alert_key}\x00{destination_id}".encode()).hexdigest()
    return f"msg_{digest[:32]}"


def _signing_key(secret: str, position: int) -> bytes:
    """The key bytes of a `whsec_<base64>` secret; a malformed one is a config error."""
    key = signing_key_bytes(secret)
    if not key:
        raise DeliveryError(
            f"signing secret #{position + 1} is not a whsec_<base64> key",
            channel=CHANNEL,
            reason=DeliveryReason.CLIENT_ERROR,
            retryable=False,
        )
    return key


def _sign(key: bytes, msg_id: str, timestamp: str, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}` (Standard Webhooks, symmetric)."""
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"
