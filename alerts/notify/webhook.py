"""Generic webhooks: an Alert as a documented JSON document, POSTed with Standard Webhooks ids.

Headers follow https://www.standardwebhooks.com/ so receivers can deduplicate: `webhook-id` is
derived from the alert revision and the destination, hence identical on every retry of one
delivery, and `webhook-timestamp` is the time of the attempt. The `webhook-signature` header
of that spec needs a per-subscription secret; it is added when subscription config carries one
(the Destination value has no secret field today), so bodies are sent unsigned for now.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import httpx

from alerts.models import Alert, Destination
from alerts.notify.base import Transport, classify_http_status, map_http_exception, webhook_url

CHANNEL = "webhook"
EVENT_TYPE = "missile_launch.alert"


def render(alert: Alert, destination: Destination) -> dict[str, Any]:
    """The JSON body for one alert revision. Pure.

    Shape (times are ISO 8601 UTC strings or null; `facts` holds stated facts only)::

        {
          "type": "missile_launch.alert",
          "event_id": "kp-2026-11-25-1",       # stable per launch event
          "kind": "new" | "update" | "correction",
          "revision": 1,                        # 1, 2, ... per event
          "title": "...", "url": "https://...", # the lead report
          "facts": {"country": "KP", "missile_class": "ICBM", "count": 1, ...},
          "confidence": 0.93,
          "sources": [{"source": "yonhap", "item_id": "...", "url": "...", "title": "...",
                       "published_at": "2026-11-25T07:15:00+00:00"}],
          "first_published_at": "...", "detected_at": "...",
          "test": false                         # true for `alerts test-alert`
        }

    Receivers should deduplicate on the `webhook-id` header (or on event_id + revision).
    """
    return {
        "type": EVENT_TYPE,
        "event_id": alert.event_id,
        "kind": str(alert.kind),
        "revision": alert.revision,
        "title": alert.title,
        "url": alert.url,
        "facts": alert.facts.as_dict(),
        "confidence": alert.confidence,
        "sources": [
            {
                "source": ref.source,
                "item_id": ref.item_id,
                "url": ref.url,
                "title": ref.title,
                "published_at": ref.published_at.isoformat() if ref.published_at else None,
            }
            for ref in alert.sources
        ],
        "first_published_at": (
            alert.first_published_at.isoformat() if alert.first_published_at else None
        ),
        "detected_at": alert.detected_at.isoformat(),
        "test": alert.test,
    }


def send(payload: dict[str, Any], destination: Destination, transport: Transport) -> None:
    """POST the payload as JSON with `webhook-id`/`webhook-timestamp`; raise unless 2xx."""
    url = webhook_url(destination, channel=CHANNEL)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": _webhook_id(f"{payload['event_id']}:{payload['revision']}", destination.id),
        "webhook-timestamp": str(int(time.time())),
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    try:
        response = transport.http.post(url, content=body, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise map_http_exception(exc, channel=CHANNEL, secrets=[url]) from None
    error = classify_http_status(response.status_code, response.headers, channel=CHANNEL)
    if error is not None:
        raise error


def _webhook_id(alert_key: str, destination_id: str) -> str:
    """`msg_` + 32 hex digits, the same for every attempt of one (alert revision, destination)."""
    digest = hashlib.sha256(f"{alert_key}\x00{destination_id}".encode()).hexdigest()
    return f"msg_{digest[:32]}"
