"""Slack bot mode: the Slack Block Kit message posted with chat.postMessage, threaded.

A Slack app's bot token (`destination.token`, `xoxb-…`) posts to `destination.target` (a
channel id). The first (`new`) alert of an event is posted at the top level and its `ts` is
remembered (`transport.threads`); updates and corrections are posted as replies in that thread
(`thread_ts`); a correction in a thread is also broadcast to the channel (`reply_broadcast`),
so nobody who read the first alert misses that it was wrong. An update whose first message
is unknown is posted at the top level and becomes the thread for later revisions.

The endpoint is `SLACK_API_URL` (https://slack.com/api/chat.postMessage); a destination with
`url` set posts there instead (a proxy, an Enterprise Grid gateway, a local test receiver).

The Web API answers HTTP 200 with `{"ok": false, "error": "<code>"}` on failure
(https://api.slack.com/methods/chat.postMessage): codes a person must fix are final
(token → AUTH_ERROR, channel or message → REJECTED, others CLIENT_ERROR); `ratelimited`
(HTTP 429 + Retry-After) and Slack's own failures are retryable. The token never reaches an
error message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, AlertKind, Destination
from alerts.notify import slack
from alerts.notify.base import Transport, classify_http_status, map_http_exception, url_secrets

CHANNEL = "slack_bot"
SLACK_API_URL = "https://slack.com/api/chat.postMessage"

_AUTH_CODES = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
        "not_allowed_token_type",
        "no_permission",
        "ekm_access_denied",
    }
)
_REJECTED_CODES = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_blocks_format",
        "too_many_attachments",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "cannot_reply_to_message",
        "duplicate_channel_not_found",
    }
)
_RETRYABLE_CODES = {
    "ratelimited": DeliveryReason.RATE_LIMITED,
    "rate_limited": DeliveryReason.RATE_LIMITED,
    "internal_error": DeliveryReason.SERVER_ERROR,
    "fatal_error": DeliveryReason.SERVER_ERROR,
    "service_unavailable": DeliveryReason.SERVER_ERROR,
    "request_timeout": DeliveryReason.TIMEOUT,
}
_CODE = re.compile(r"[a-z_]{1,64}")


@dataclass(frozen=True, slots=True)
class BotMessage:
    """A rendered bot message: Slack's `text` + `blocks`, and what threading needs."""

    event_id: str
    kind: AlertKind
    body: dict[str, Any]


def render(alert: Alert, destination: Destination) -> BotMessage:
    """The same Block Kit blocks and fallback text as the webhook channel. Pure."""
    return BotMessage(alert.event_id, alert.kind, slack.render(alert, destination))


def send(payload: BotMessage, destination: Destination, transport: Transport) -> None:
    """Post with chat.postMessage; updates and corrections reply in the first alert's thread,
    corrections broadcast to the channel as well.

    Raises:
        DeliveryError: no token or target (CLIENT_ERROR, not retryable), an HTTP or transport
            failure, or Slack's `ok: false` classified as in the module docstring.
    """
    url, token = _endpoint(destination)
    threads = transport.threads
    thread_ts = None
    if payload.kind != AlertKind.NEW and threads is not None:
        thread_ts = threads.first_message(payload.event_id, destination.id)
    body: dict[str, Any] = {"channel": destination.target, **payload.body}
    if thread_ts:
        body["thread_ts"] = thread_ts
        if payload.kind == AlertKind.CORRECTION:
            body["reply_broadcast"] = True
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json; charset=utf-8",
    }
    content = json.dumps(body, ensure_ascii=False).encode()
    try:
        response = transport.http.post(url, content=content, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise map_http_exception(exc, channel=CHANNEL, secrets=[*url_secrets(url), token]) from None
    ts = _message_ts(response)
    if threads is not None and thread_ts is None and ts:
        threads.remember_first_message(payload.event_id, destination.id, ts)


def _endpoint(destination: Destination) -> tuple[str, str]:
    token = destination.token.reveal().strip() if destination.token is not None else ""
    url = destination.url.reveal() if destination.url is not None else SLACK_API_URL
    problem = None
    if not token:
        problem = "has no bot token"
    elif not destination.target:
        problem = "has no target channel"
    elif not re.match(r"(?i)https?://[^/\s]", url):
        problem = "has an API URL that is not http(s)"
    if problem:
        raise DeliveryError(
            f"destination {destination.id} {problem}",
            channel=CHANNEL,
            reason=DeliveryReason.CLIENT_ERROR,
            retryable=False,
        )
    return url, token


def _message_ts(response: httpx.Response) -> str | None:
    """The posted message's `ts`; raise DeliveryError for any failed answer."""
    answer = _json(response)
    code = answer.get("error")
    code = code if isinstance(code, str) and _CODE.fullmatch(code) else ""
    error = classify_http_status(
        response.status_code, response.headers, channel=CHANNEL, detail=code
    )
    if error is not None:
        if error.retryable or code not in _AUTH_CODES | _REJECTED_CODES:
            raise error
        raise _final(code)
    if answer.get("ok") is True:
        ts = answer.get("ts")
        return ts if isinstance(ts, str) else None
    if code in _RETRYABLE_CODES:
        raise DeliveryError(
            f"Slack API error: {code}",
            channel=CHANNEL,
            reason=_RETRYABLE_CODES[code],
            retryable=True,
        )
    if not answer:
        raise DeliveryError(
            f"HTTP {response.status_code} without a Slack API answer",
            channel=CHANNEL,
            reason=DeliveryReason.SERVER_ERROR,
            retryable=True,
        )
    raise _final(code or "unknown_error")


def _final(code: str) -> DeliveryError:
    if code in _AUTH_CODES:
        reason = DeliveryReason.AUTH_ERROR
    elif code in _REJECTED_CODES:
        reason = DeliveryReason.REJECTED
    else:
        reason = DeliveryReason.CLIENT_ERROR
    return DeliveryError(
        f"Slack API error: {code}", channel=CHANNEL, reason=reason, retryable=False
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return {}
    return answer if isinstance(answer, dict) else {}
