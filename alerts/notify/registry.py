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
from alerts.notify.base import Transport


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
        DeliveryError: the send failed (see `err.retryable`), or the channel is unknown
            (CLIENT_ERROR, not retryable).
    """
    channel = CHANNELS.get(destination.channel)
    if channel is None:
        raise DeliveryError(
            f"destination {destination.id}: unknown channel {destination.channel!r}",
            channel=destination.channel,
            reason=DeliveryReason.CLIENT_ERROR,
            retryable=False,
        )
    channel.send(channel.render(alert, destination), destination, transport)
