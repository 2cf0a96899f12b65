"""Per-destination order and pace: an update never overtakes its `new`; Slack gets 1/s."""

from __future__ import annotations

from datetime import UTC, datetime

import fakeredis
import pytest

from alerts.events.keys import Keys
from alerts.models import Delivery, Destination
from alerts.notify.ledger import DeliveryLedger
from alerts.pipeline import DeliveryOutcome, deliver_one

NOW = datetime(2026, 11, 25, tzinfo=UTC)
DEST = Destination(id="slack-1", channel="slack")


class FakeEvents:
    def load_alert(self, key: str) -> str:
        return key


@pytest.fixture
def ledger() -> DeliveryLedger:
    return DeliveryLedger(fakeredis.FakeRedis(), keys=Keys("t:"))


def send_with(ledger: DeliveryLedger, delivery: Delivery, sent: list, pace: float = 0.0):
    return deliver_one(delivery, destination=DEST, events=FakeEvents(), ledger=ledger,
                       send=lambda a, d: sent.append(a), owner="w", now=lambda: NOW,
                       min_interval_s=pace)  # fmt: skip


class TestOrder:
    def test_update_waits_for_its_new(self, ledger: DeliveryLedger) -> None:
        """Revision 2 waits while revision 1 to the same destination is unsent."""
        new, update = Delivery("ev:1", DEST.id), Delivery("ev:2", DEST.id)
        ledger.note_routed([new, update])
        sent: list[str] = []
        assert send_with(ledger, update, sent).outcome is DeliveryOutcome.WAITING
        assert send_with(ledger, new, sent).outcome is DeliveryOutcome.SENT
        assert send_with(ledger, update, sent).outcome is DeliveryOutcome.SENT
        assert sent == ["ev:1", "ev:2"]

    def test_dead_lettered_revision_does_not_block_later_ones(self, ledger) -> None:
        """A revision given up on (dead-lettered) lets the next one through."""
        new, update = Delivery("ev:1", DEST.id), Delivery("ev:2", DEST.id)
        ledger.note_routed([new, update])
        ledger.mark_dead(new)
        assert send_with(ledger, update, []).outcome is DeliveryOutcome.SENT

    def test_revision_not_routed_here_does_not_block(self, ledger) -> None:
        """An update to a destination the `new` was filtered from goes straight out."""
        update = Delivery("ev:2", DEST.id)
        ledger.note_routed([Delivery("ev:1", "other-destination"), update])
        assert send_with(ledger, update, []).outcome is DeliveryOutcome.SENT


def test_pace_spaces_sends_to_one_destination(ledger: DeliveryLedger) -> None:
    """A second message within the pace waits, without consuming the delivery."""
    first, second = Delivery("a:1", DEST.id), Delivery("b:1", DEST.id)
    assert send_with(ledger, first, [], pace=1.0).outcome is DeliveryOutcome.SENT
    result = send_with(ledger, second, [], pace=1.0)
    assert result.outcome is DeliveryOutcome.PACED
    assert 0 < result.wait_s <= 1.0
    assert ledger.claim(second.key, "other")  # the claim was released


def test_claim_lives_the_configured_time() -> None:
    """ALERTS_DELIVERY_CLAIM_SECONDS: how long a dead attempt blocks the retry."""
    client = fakeredis.FakeRedis()
    keys = Keys("t:")
    ledger = DeliveryLedger(client, keys=keys, claim_ttl_s=45)
    assert ledger.claim("ev:1@slack-1", "worker-a")
    assert not ledger.claim("ev:1@slack-1", "worker-b")
    assert client.ttl(keys.delivery_claim("ev:1@slack-1")) == 45
