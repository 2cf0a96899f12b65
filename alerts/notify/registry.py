"""Channel name → its (render, send) pair, and `deliver`, the one call the pipeline makes.

Adding a channel is one module with `render(alert, destination)` and
`send(payload, destination, transport)`, plus one line in `CHANNELS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, Destination
from alerts.notify import discord, email, slack, slack_bot, teams, webhook
from alerts.notify.base import Transport, destination_secrets, unexpected_error


@dataclass(frozen=True, slots=True)
class Channel:
    """One notification channel: a pure `render` and the `send` adapter that takes its output."""

    render: Callable[[Alert, Destination], Any]
    send: Callable[[Any, Destination, Transport], None]


CHANNELS: dict[str, Channel] = {
    "slack": Channel(slack.render, slack.send),
    "slack_bot": Channel(slack_bot.render, slack_bot.send),
    "webhook": Channel(webhook.render, webhook.send),
    "discord": Channel(discord.render, discord.send),
    "teams": Channel(teams.render, teams.send),
    "email": Channel(email.render, email.send),
}


def deliver(alert: Alert, destination: Destination, transport: Transport) -> None:
    """Render the alert for the destination's channel and send it.

    Raises:
        DeliveryError: the send failed (see `err.retryable`); the channel is unknown
            (CLIENT_ERROR, not retryable); or rendering or sending raised anything else (a
            library's ValueError, a bug): `base.unexpected_error`, retryable, its text the
            exception's type and redacted message, the exception its `__cause__` (for the
            worker's log). Whatever goes wrong, the caller gets a DeliveryError and so
            retries, then dead-letters: no delivery is left half done.
    """
    channel = CHANNELS.get(destination.channel)
    if channel is None:
        raise DeliveryError(
            f"destination {destination.id}: unknown channel {destination.channel!r}",
            channel=destination.channel,
            reason=DeliveryReason.CLIENT_ERROR,
            retryable=False,
        )
    try:
        channel.send(channel.render(alert, destination), destination, transport)
    except DeliveryError:
        raise
    except Exception as exc:  # noqa: BLE001 - the edge that can act on it: retry, dead letter
        secrets = destination_secrets(destination, transport)
        raise unexpected_error(exc, channel=destination.channel, secrets=secrets) from exc
