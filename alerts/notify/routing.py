"""Which destinations receive an alert: each subscriber's filters, applied per revision. Pure.

A subscriber filters by launching country, missile class and detector confidence, chooses
whether to receive updates, and can name quiet fields (an update that changes only those is
not sent). Corrections always reach a subscriber whose filters the event passes: a wrong alert
left uncorrected is worse than one more message. A class filter lets a launch of still unknown
class through: the first flash rarely knows the class, and missing an ICBM costs more than an
extra message. Destinations shared by subscribers are delivered to once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from alerts.models import Alert, AlertKind, Destination, MissileClass

# Sends per destination are spaced by at least this much (Slack: one message per second).
MIN_SEND_INTERVAL_S = {"slack": 1.0, "slack_bot": 1.0, "discord": 0.5, "teams": 0.5}


@dataclass(frozen=True, slots=True)
class Subscription:
    name: str
    destinations: tuple[Destination, ...]
    countries: frozenset[str] = frozenset()  # empty: every country
    missile_classes: frozenset[str] = frozenset()  # empty: every class
    min_confidence: float = 0.0
    updates: bool = True
    quiet_fields: frozenset[str] = frozenset()


def route_alert(alert: Alert, subscriptions: Iterable[Subscription]) -> list[Destination]:
    """The destinations this alert goes to, each once, in subscription order."""
    chosen: dict[str, Destination] = {}
    for subscription in subscriptions:
        if wants(subscription, alert):
            for destination in subscription.destinations:
                chosen.setdefault(destination.id, destination)
    return list(chosen.values())


def wants(subscription: Subscription, alert: Alert) -> bool:
    """Whether this subscriber wants this revision of this event."""
    if alert.test:
        return True
    facts = alert.facts
    if subscription.countries and (facts.country or "XX") not in subscription.countries:
        return False
    known_class = facts.missile_class not in (None, MissileClass.UNIDENTIFIED)
    if (
        subscription.missile_classes
        and known_class
        and (facts.missile_class not in subscription.missile_classes)
    ):
        return False
    if alert.kind is AlertKind.CORRECTION:
        return True
    if alert.confidence < subscription.min_confidence:
        return False
    if alert.kind is AlertKind.UPDATE:
        if not subscription.updates:
            return False
        if alert.changes and set(alert.changes) <= subscription.quiet_fields:
            return False
    return True
