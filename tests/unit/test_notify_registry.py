"""The channel registry and `deliver` (alerts.notify.registry)."""

from __future__ import annotations

import dataclasses
import inspect
import json
from datetime import UTC, datetime

import httpx
import pytest

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, AlertKind, Destination, Facts
from alerts.notify import discord, email, registry, slack, slack_bot, teams, webhook
from alerts.notify.base import Transport
from alerts.notify.registry import CHANNELS, Channel, deliver
from alerts.redact import Secret

ALERT = Alert(
    event_id="kp-1",
    kind=AlertKind.NEW,
    revision=1,
    title="N. Korea fires ballistic missile",
    url="https://news.example/1",
    facts=Facts(country="KP"),
    confidence=0.9,
    detected_at=datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
    first_published_at=None,
    sources=(),
)


class TestRegistry:
    def test_channels(self) -> None:
        """Every channel is registered with its own module's render and send."""
        assert {
            "slack": Channel(slack.render, slack.send),
            "slack_bot": Channel(slack_bot.render, slack_bot.send),
            "webhook": Channel(webhook.render, webhook.send),
            "discord": Channel(discord.render, discord.send),
            "teams": Channel(teams.render, teams.send),
            "email": Channel(email.render, email.send),
        } == CHANNELS

    @pytest.mark.parametrize("module", [slack, slack_bot, webhook, discord, teams, email])
    def test_channel_modules_expose_exactly_render_and_send(self, module: object) -> None:
        """Every channel module has the same two public functions and nothing else."""
        public = {
            name
            for name, value in inspect.getmembers(module, inspect.isfunction)
            if value.__module__ == module.__name__ and not name.startswith("_")  # type: ignore[attr-defined]
        }
        assert public == {"render", "send"}

    def test_channel_is_frozen(self) -> None:
        """A registry entry cannot be altered at run time."""
        with pytest.raises(dataclasses.FrozenInstanceError):
            CHANNELS["slack"].send = webhook.send  # type: ignore[misc]


class TestDeliver:
    @pytest.mark.parametrize("channel", ["slack", "webhook", "discord", "teams"])
    def test_renders_and_sends_through_the_named_channel(self, channel: str) -> None:
        """deliver posts the channel's own rendering of the alert to the destination."""
        seen: list[httpx.Request] = []

        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, text="ok")

        destination = Destination(id="d1", channel=channel, url=Secret("https://h.example/x"))
        with httpx.Client(transport=httpx.MockTransport(answer)) as client:
            deliver(ALERT, destination, Transport(http=client))
        [request] = seen
        expected = CHANNELS[channel].render(ALERT, destination)
        assert json.loads(request.content) == expected

    def test_slack_bot_posts_the_rendered_blocks_to_its_target(self) -> None:
        """deliver posts the bot message with the destination's channel and token."""
        seen: list[httpx.Request] = []

        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json={"ok": True, "ts": "1.2"})

        destination = Destination(
            id="d1",
            channel="slack_bot",
            url=Secret("https://slack.example/api/chat.postMessage"),
            token=Secret("xoxb-1"),
            target="C1",
        )
        with httpx.Client(transport=httpx.MockTransport(answer)) as client:
            deliver(ALERT, destination, Transport(http=client))
        [request] = seen
        assert json.loads(request.content) == {
            "channel": "C1",
            **CHANNELS["slack_bot"].render(ALERT, destination).body,
        }
        assert request.headers["authorization"] == "Bearer xoxb-1"

    def test_unknown_channel_is_a_final_error(self) -> None:
        """A destination naming no registered channel fails without retry."""
        destination = Destination(id="d1", channel="carrier-pigeon")
        with httpx.Client() as client, pytest.raises(DeliveryError) as caught:
            registry.deliver(ALERT, destination, Transport(http=client))
        error = caught.value
        assert (error.channel, error.reason, error.retryable) == (
            "carrier-pigeon",
            DeliveryReason.CLIENT_ERROR,
            False,
        )
