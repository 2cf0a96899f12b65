"""Subscriptions: who receives which revision, configured from ALERTS_SUBSCRIPTIONS."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alerts.bootstrap import subscriptions_from
from alerts.config import load_settings
from alerts.errors import ConfigError
from alerts.models import Alert, AlertKind, Destination, Facts
from alerts.notify.routing import Subscription, route_alert

NOW = datetime(2026, 11, 25, tzinfo=UTC)
A, B = Destination(id="slack-a", channel="slack"), Destination(id="email-b", channel="email")


def alert(
    kind: AlertKind = AlertKind.NEW,
    *,
    country: str = "KP",
    cls: str | None = None,
    confidence: float = 0.9,
    changes: tuple[str, ...] = (),
) -> Alert:
    return Alert(event_id="e", kind=kind, revision=1 if kind is AlertKind.NEW else 2,
                 title="t", url="u", facts=Facts(country=country, missile_class=cls),
                 confidence=confidence, detected_at=NOW, first_published_at=NOW, sources=(),
                 changes=changes)  # fmt: skip


class TestRouteAlert:
    @pytest.mark.parametrize(
        ("subscription", "sent"),
        [
            (Subscription("all", (A,)), True),
            (Subscription("kp", (A,), countries=frozenset({"KP"})), True),
            (Subscription("iran", (A,), countries=frozenset({"IR"})), False),
            (Subscription("icbm", (A,), missile_classes=frozenset({"ICBM"})), True),  # unknown
            (Subscription("sure", (A,), min_confidence=0.95), False),
        ],
    )
    def test_new_alert_filters(self, subscription: Subscription, sent: bool) -> None:
        """Country, class and confidence filters; an unknown class passes a class filter."""
        assert route_alert(alert(), [subscription]) == ([A] if sent else [])

    def test_class_filter_applies_once_known(self) -> None:
        """An update revealing an SRBM does not reach an ICBM-only subscriber."""
        icbm = Subscription("icbm", (A,), missile_classes=frozenset({"ICBM"}))
        srbm = alert(AlertKind.UPDATE, cls="SRBM", changes=("missile_class",))
        assert route_alert(srbm, [icbm]) == []
        assert route_alert(dataclasses.replace(srbm, facts=Facts(missile_class="ICBM")),
                           [icbm]) == [A]  # fmt: skip

    def test_updates_and_quiet_fields(self) -> None:
        """No-updates subscribers skip updates; quiet fields alone do not make an update."""
        quiet = Subscription("q", (A,), quiet_fields=frozenset({"apogee_km", "distance_km"}))
        no_updates = Subscription("n", (B,), updates=False)
        flight = alert(AlertKind.UPDATE, changes=("apogee_km",))
        assert route_alert(flight, [quiet, no_updates]) == []
        klass = alert(AlertKind.UPDATE, changes=("apogee_km", "missile_class"))
        assert route_alert(klass, [quiet, no_updates]) == [A]

    def test_corrections_always_reach_subscribers_of_the_event(self) -> None:
        """A correction goes even to subscribers who take no updates or set a high bar."""
        strict = Subscription("s", (A,), updates=False, min_confidence=0.99)
        assert route_alert(alert(AlertKind.CORRECTION, confidence=0.2), [strict]) == [A]

    def test_shared_destination_once(self) -> None:
        """A destination in two subscriptions receives the alert once."""
        assert route_alert(alert(), [Subscription("x", (A, B)), Subscription("y", (A,))]) == [A, B]


class TestSubscriptionSettings:
    def test_inline_json_and_default_subscription(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Subscriptions come with their filters; the simple variables add a default one."""
        monkeypatch.setenv(
            "ALERTS_SLACK_WEBHOOK_URLS", '["https://hooks.slack.com/services/T/B/x"]'
        )
        monkeypatch.setenv("ALERTS_SUBSCRIPTIONS", json.dumps([{
            "name": "tokyo", "countries": ["KP"], "quiet_fields": ["apogee_km"],
            "destinations": [{"type": "discord", "url": "https://discord.com/api/webhooks/1/y"},
                             {"type": "webhook", "url": "https://hooks.example/z",
                              "signing_secrets": ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]}],
        }]))  # fmt: skip
        default, tokyo = subscriptions_from(load_settings())
        assert default.name == "default"
        assert [d.channel for d in default.destinations] == ["slack"]
        assert tokyo.countries == frozenset({"KP"})
        assert [d.channel for d in tokyo.destinations] == ["discord", "webhook"]
        assert len(tokyo.destinations[1].signing_secrets) == 1
        assert "whsec" not in repr(tokyo)

    def test_file_path(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """ALERTS_SUBSCRIPTIONS may name a JSON file instead."""
        path = tmp_path / "subs.json"
        path.write_text(json.dumps([{"name": "ops", "destinations": [
            {"type": "slack_bot", "token": "xoxb-1", "channel": "C1"}]}]))  # fmt: skip
        monkeypatch.setenv("ALERTS_SUBSCRIPTIONS", str(path))
        [ops] = subscriptions_from(load_settings())
        assert ops.destinations[0].target == "C1"

    @pytest.mark.parametrize(
        "value",
        [
            "/nonexistent/subs.json",
            '[{"name": "x", "destinations": []}]',
            '[{"name": "x", "destinations": [{"type": "slack"}]}]',
            '[{"name": "x", "destinations": [{"type": "pager"}]}]',
            '[{"name": "x", "countries": ["North Korea"], "destinations": [{"type": "email", '
            '"to": ["a@b.c"]}]}]',
            '[{"name": "x", "destinations": [{"type": "email", "to": ["a@b.c"]}]}]',  # no SMTP
        ],
    )
    def test_bad_subscriptions_name_the_variable(
        self, monkeypatch: pytest.MonkeyPatch, value: str
    ) -> None:
        """Every mistake in a subscription stops start-up naming ALERTS_SUBSCRIPTIONS."""
        monkeypatch.setenv("ALERTS_SUBSCRIPTIONS", value)
        with pytest.raises(ConfigError) as info:
            load_settings()
        assert info.value.variable == "ALERTS_SUBSCRIPTIONS" or str(info.value).startswith(
            "ALERTS_SUBSCRIPTIONS"
        )
