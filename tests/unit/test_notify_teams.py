"""Microsoft Teams Adaptive Cards (alerts.notify.teams)."""

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
from alerts.notify import teams
from alerts.notify.base import Transport
from alerts.redact import Secret

WEBHOOK_URL = "https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/XXXSECRETXXX"
DESTINATION = Destination(id="ops-teams", channel="teams", url=Secret(WEBHOOK_URL))
T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)
ALERT = Alert(
    event_id="kp-20261125-1",
    kind=AlertKind.NEW,
    revision=1,
    title="N. Korea fires ballistic missile",
    url="https://en.yna.co.kr/view/AEN1",
    facts=Facts(country="KP", count=2),
    confidence=0.92,
    detected_at=datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
    first_published_at=T0,
    sources=(SourceRef("yonhap", "y1", "https://en.yna.co.kr/view/AEN2", "N. Korea fires", T0),),
)


def card(payload: dict[str, Any]) -> dict[str, Any]:
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


class TestRender:
    def test_whole_card(self) -> None:
        """A message with one Adaptive Card: heading, linked report, facts, sources, times."""
        assert teams.render(ALERT, DESTINATION) == {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [
                            {
                                "type": "TextBlock",
                                "text": "🚀 Ballistic missile launch — North Korea",
                                "wrap": True,
                                "size": "Large",
                                "weight": "Bolder",
                            },
                            {
                                "type": "TextBlock",
                                "text": (
                                    "**[N. Korea fires ballistic missile]"
                                    "(https://en.yna.co.kr/view/AEN1)**"
                                ),
                                "wrap": True,
                            },
                            {
                                "type": "FactSet",
                                "facts": [
                                    {"title": "Country", "value": "North Korea (KP)"},
                                    {"title": "Count", "value": "2"},
                                    {"title": "Confidence", "value": "92%"},
                                ],
                            },
                            {
                                "type": "TextBlock",
                                "text": (
                                    "**Sources**\n- [N. Korea fires](https://en.yna.co.kr/view/"
                                    "AEN2) (yonhap, 2026-11-25 07:15 UTC)"
                                ),
                                "wrap": True,
                            },
                            {
                                "type": "TextBlock",
                                "text": (
                                    "First reported 2026-11-25 07:15 UTC · detected "
                                    "2026-11-25 07:16 UTC · event kp-20261125-1 rev 1"
                                ),
                                "wrap": True,
                                "isSubtle": True,
                                "size": "Small",
                            },
                        ],
                        "actions": [
                            {
                                "type": "Action.OpenUrl",
                                "title": "Open report",
                                "url": "https://en.yna.co.kr/view/AEN1",
                            }
                        ],
                    },
                }
            ],
        }

    def test_update_refers_to_the_first_alert(self) -> None:
        """An update names the first alert's time and event and what changed."""
        update = dataclasses.replace(
            ALERT, kind=AlertKind.UPDATE, revision=2, changes=("count", "launch_site")
        )
        body = card(teams.render(update, DESTINATION))["body"]
        assert body[0]["text"] == "🚀 Update #2: Ballistic missile launch — North Korea"
        assert body[1]["text"] == (
            "Update #2 to the alert of 2026-11-25 07:15 UTC (event kp-20261125-1). "
            "Changed: count, launch site"
        )

    def test_feed_markdown_is_escaped(self) -> None:
        """Feed text cannot add links, emphasis, code, lists or headings to the card."""
        hostile = "- [x](http://evil) **b** _i_ `c` \\ \r\n# H"
        alert = dataclasses.replace(
            ALERT,
            title=hostile,
            facts=Facts(country=hostile, authority="1. first"),
            sources=(SourceRef(hostile, "i", "https://ok.example/a", hostile, T0),),
        )
        content = card(teams.render(alert, DESTINATION))
        report = content["body"][1]["text"]
        assert report == (
            "**[\\- \\[x\\](http://evil) \\*\\*b\\*\\* \\_i\\_ \\`c\\` \\\\ # H]"
            "(https://en.yna.co.kr/view/AEN1)**"
        )
        facts = {f["title"]: f["value"] for f in content["body"][2]["facts"]}
        assert facts["Confirmed by"] == "1\\. first"
        for text in strings(content):
            assert "[x](" not in text
            assert "\r" not in text
            assert not re.search(r"(?<!\\)\*\*b", text)

    def test_sources_are_capped(self) -> None:
        """Hundreds of sources list the first 20 and say how many more there are."""
        sources = tuple(SourceRef("s", str(n), f"https://s.example/{n}", "t") for n in range(300))
        payload = teams.render(dataclasses.replace(ALERT, sources=sources), DESTINATION)
        text = card(payload)["body"][3]["text"]
        assert text.count("\n- ") == 20
        assert text.endswith("…and 280 more")
        assert len(json.dumps(payload).encode()) < 28_000


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
            teams.send(teams.render(ALERT, DESTINATION), DESTINATION, Transport(http=client))
        except DeliveryError as caught:
            error = caught
    assert "XXXSECRETXXX" not in str(error) + repr(error)
    return seen, error


class TestSend:
    @pytest.mark.parametrize("response", [httpx.Response(200, text="1"), httpx.Response(202)])
    def test_connector_and_workflow_answers_are_success(self, response: httpx.Response) -> None:
        """The connector's 200 "1" and a Workflow's 202 Accepted both mean delivered."""
        seen, error = send(lambda r: response)
        assert error is None
        assert json.loads(seen[0].content) == teams.render(ALERT, DESTINATION)
        assert str(seen[0].url) == WEBHOOK_URL

    @pytest.mark.parametrize(
        ("code", "reason", "retryable"),
        [
            ("429", DeliveryReason.RATE_LIMITED, True),
            ("413", DeliveryReason.CLIENT_ERROR, False),
            ("400", DeliveryReason.CLIENT_ERROR, False),
            ("502", DeliveryReason.SERVER_ERROR, True),
        ],
    )
    def test_errors_wrapped_in_a_200_are_failures(
        self, code: str, reason: DeliveryReason, retryable: bool
    ) -> None:
        """The connector's 200 "…returned HTTP error 429…" body is classified by that status."""
        text = (
            "Webhook message delivery failed with error: Microsoft Teams endpoint returned "
            f"HTTP error {code} with ContextId tcid=0,server=msgapi,cv=x.."
        )
        _, error = send(lambda r: httpx.Response(200, text=text))
        assert error is not None
        assert (error.channel, error.reason, error.retryable) == ("teams", reason, retryable)

    def test_rate_limit_with_retry_after(self) -> None:
        """A real 429 carries its Retry-After."""
        _, error = send(lambda r: httpx.Response(429, headers={"Retry-After": "15"}))
        assert error is not None
        assert (error.reason, error.retryable, error.retry_after_s) == (
            DeliveryReason.RATE_LIMITED,
            True,
            15.0,
        )
