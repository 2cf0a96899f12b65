"""Discord webhook embeds (alerts.notify.discord)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from alerts.errors import DeliveryError, DeliveryReason
from alerts.models import Alert, AlertKind, Destination, Facts, SourceRef
from alerts.notify import discord
from alerts.notify.base import Transport
from alerts.redact import Secret

WEBHOOK_URL = "https://discord.com/api/webhooks/123456/XXXSECRETXXX"
DESTINATION = Destination(id="ops-discord", channel="discord", url=Secret(WEBHOOK_URL))
T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)
ALERT = Alert(
    event_id="kp-20261125-1",
    kind=AlertKind.NEW,
    revision=1,
    title="N. Korea fires ballistic missile into East Sea",
    url="https://en.yna.co.kr/view/AEN1",
    facts=Facts(country="KP", missile_class="SRBM", count=2),
    confidence=0.92,
    detected_at=datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
    first_published_at=T0,
    sources=(SourceRef("yonhap", "y1", "https://en.yna.co.kr/view/AEN2", "N. Korea fires", T0),),
)
HOSTILE = "@everyone @here <@123> <@&456> <#789> [x](http://evil) **b** __u__ ||s|| `c` \r\n# H"


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def embed_size(embed: dict[str, Any]) -> int:
    return (
        len(embed["title"])
        + len(embed["description"])
        + len(embed["footer"]["text"])
        + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    )


class TestRender:
    def test_whole_payload(self) -> None:
        """A new alert is a short line plus one red embed with facts, sources and times."""
        when = "<t:1795590900:f>"
        assert discord.render(ALERT, DESTINATION) == {
            "content": (
                "Ballistic missile launch — North Korea: "
                "N. Korea fires ballistic missile into East Sea"
            ),
            "embeds": [
                {
                    "title": "🚀 Ballistic missile launch — North Korea",
                    "url": "https://en.yna.co.kr/view/AEN1",
                    "color": 0xD32F2F,
                    "timestamp": "2026-11-25T07:16:00+00:00",
                    "footer": {"text": "missile-alerts · event kp-20261125-1 · rev 1"},
                    "description": (
                        "**[N. Korea fires ballistic missile into East Sea]"
                        "(https://en.yna.co.kr/view/AEN1)**\n\n**Sources**\n"
                        f"• [N. Korea fires](https://en.yna.co.kr/view/AEN2) — yonhap, {when}"
                    ),
                    "fields": [
                        {"name": "Country", "value": "North Korea (KP)", "inline": True},
                        {"name": "Class", "value": "SRBM", "inline": True},
                        {"name": "Count", "value": "2", "inline": True},
                        {"name": "Confidence", "value": "92%", "inline": True},
                        {
                            "name": "First reported",
                            "value": f"{when} (2026-11-25 07:15 UTC)",
                            "inline": True,
                        },
                    ],
                }
            ],
            "allowed_mentions": {"parse": []},
        }

    def test_update_refers_to_the_first_alert(self) -> None:
        """An update is orange, says which alert it updates, and lists what changed."""
        update = dataclasses.replace(
            ALERT, kind=AlertKind.UPDATE, revision=2, changes=("apogee_km", "landing_area")
        )
        payload = discord.render(update, DESTINATION)
        embed = payload["embeds"][0]
        assert embed["color"] == 0xF57C00
        assert embed["title"].startswith("🚀 Update #2: Ballistic missile launch")
        assert embed["description"].startswith(
            "Update #2 to the alert of <t:1795590900:f> (event kp-20261125-1)\n"
            "**Changed:** apogee, landing area\n"
        )
        assert payload["content"].startswith(
            "Update #2: Ballistic missile launch — North Korea (changed: apogee, landing area):"
        )

    @pytest.mark.parametrize(
        ("changes", "color"),
        [({"kind": AlertKind.CORRECTION, "revision": 3}, 0x1976D2), ({"test": True}, 0x9E9E9E)],
    )
    def test_colour_by_kind(self, changes: dict[str, Any], color: int) -> None:
        """Corrections are blue and test alerts grey."""
        embed = discord.render(dataclasses.replace(ALERT, **changes), DESTINATION)["embeds"][0]
        assert embed["color"] == color

    def test_no_mention_can_fire_and_no_markup_survives(self) -> None:
        """Feed text cannot ping anyone, format text or add a masked link anywhere."""
        facts = Facts(country=HOSTILE, launch_site=HOSTILE, authority=HOSTILE)
        sources = (SourceRef(HOSTILE, "i", "https://ok.example/a", HOSTILE, T0),)
        alert = dataclasses.replace(
            ALERT, title=HOSTILE, facts=facts, sources=sources, event_id=HOSTILE
        )
        payload = discord.render(alert, DESTINATION)
        assert payload["allowed_mentions"] == {"parse": []}
        for text in strings(payload):
            assert not re.search("@(?!\u200b)|(?<!\\\\)<", re.sub(r"<t:\d+:f>", "", text)), text
            assert "[x](" not in text
            assert not re.search(r"(?<!\\)\*\*b|(?<!\\)__u|(?<!\\)\|\|s|(?<!\\)`c", text), text
            assert "\r" not in text
            assert not re.search(r"^#", text, re.M)
        assert "\\[x\\](http://evil)" in payload["embeds"][0]["description"]

    def test_limits_hold_for_oversized_input(self) -> None:
        """A 100 KB title, huge facts and 300 sources stay inside every Discord limit."""
        big = "Ünïcode **&** <tag> " * 5_000
        facts = Facts(
            country=big, missile_class=big, count_text=big, launch_time_text=big,
            launch_site=big, landing_area=big, apogee_km=1.0, speed_mach=3.0, authority=big,
        )  # fmt: skip
        sources = tuple(
            SourceRef(big, f"i{n}", f"https://ex.example/{n}?" + "q" * 5000, big, T0)
            for n in range(300)
        )
        alert = dataclasses.replace(
            ALERT, title=big, facts=facts, sources=sources, event_id=big, url="https://x.example/"
        )
        payload = discord.render(alert, DESTINATION)
        embed = payload["embeds"][0]
        assert len(payload["content"]) <= discord.CONTENT_MAX
        assert len(embed["title"]) <= 256
        assert len(embed["description"]) <= 4096
        assert len(embed["footer"]["text"]) <= 2048
        assert len(embed["fields"]) <= 25
        assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in embed["fields"])
        assert embed_size(embed) <= 6000
        assert "…and " in embed["description"]
        for text in strings(payload):
            assert not re.search(r"(?<!\\)(\\\\)*\\…", text), "a cut left a dangling escape"

    @pytest.mark.parametrize("url", ["javascript:alert(1)", "", "https://ok.example/a b)c"])
    def test_only_http_urls_become_links(self, url: str) -> None:
        """Non-http(s) URLs give no embed URL or link; http(s) ones are encoded to stay whole."""
        embed = discord.render(dataclasses.replace(ALERT, url=url), DESTINATION)["embeds"][0]
        if url.startswith("https://"):
            assert embed["url"] == "https://ok.example/a%20b%29c"
            assert "(https://ok.example/a%20b%29c)**" in embed["description"]
        else:
            assert "url" not in embed
            assert embed["description"].startswith("**N. Korea fires ballistic")

    def test_render_is_pure_and_secret_free(self) -> None:
        """Rendering twice gives equal payloads without the webhook token."""
        first = discord.render(ALERT, DESTINATION)
        assert first == discord.render(ALERT, DESTINATION)
        assert "XXXSECRETXXX" not in json.dumps(first)


def send(
    handler: Callable[[httpx.Request], httpx.Response],
) -> tuple[list[httpx.Request], DeliveryError | None]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    error = None
    with httpx.Client(transport=httpx.MockTransport(record)) as client:
        try:
            discord.send(discord.render(ALERT, DESTINATION), DESTINATION, Transport(http=client))
        except DeliveryError as caught:
            error = caught
    assert "XXXSECRETXXX" not in str(error) + repr(error)
    return seen, error


class TestSend:
    def test_success_posts_with_wait(self) -> None:
        """The embed is POSTed as JSON to the webhook with ?wait=true."""
        seen, error = send(lambda r: httpx.Response(200, json={"id": "1"}))
        [request] = seen
        assert error is None
        assert str(request.url) == WEBHOOK_URL + "?wait=true"
        assert json.loads(request.content) == discord.render(ALERT, DESTINATION)

    def test_existing_query_is_kept(self) -> None:
        """A thread_id in the configured URL survives the added wait parameter."""
        destination = Destination("d", "discord", url=Secret(WEBHOOK_URL + "?thread_id=42"))
        seen: list[httpx.Request] = []

        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(204)

        with httpx.Client(transport=httpx.MockTransport(answer)) as client:
            transport = Transport(http=client)
            discord.send(discord.render(ALERT, destination), destination, transport)
        assert dict(seen[0].url.params) == {"thread_id": "42", "wait": "true"}

    @pytest.mark.parametrize(
        ("response", "retry_after_s"),
        [
            (httpx.Response(429, headers={"Retry-After": "2"}, json={"retry_after": 1.5}), 2.0),
            (httpx.Response(429, json={"message": "rate limited", "retry_after": 0.75}), 0.75),
            (httpx.Response(429, headers={"Retry-After": "0.25"}), 0.25),
            (httpx.Response(429, json={"retry_after": "soon"}), None),
        ],
    )
    def test_rate_limits_carry_discords_wait(
        self, response: httpx.Response, retry_after_s: float | None
    ) -> None:
        """A 429 is retryable after the longer of Retry-After and the JSON retry_after."""
        _, error = send(lambda r: response)
        assert error is not None
        assert (error.reason, error.retryable, error.retry_after_s) == (
            DeliveryReason.RATE_LIMITED,
            True,
            retry_after_s,
        )

    def test_client_error_names_discords_code(self) -> None:
        """A 404 Unknown Webhook is final and says why, never echoing the URL."""
        body = {"code": 10015, "message": f"Unknown Webhook {WEBHOOK_URL}"}
        _, error = send(lambda r: httpx.Response(404, json=body))
        assert error is not None
        assert (error.reason, error.retryable) == (DeliveryReason.CLIENT_ERROR, False)
        assert "10015 Unknown Webhook" in str(error)
