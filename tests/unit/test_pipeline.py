"""The pipeline over fakeredis-backed stores and a fake detector: what is alerted and what not."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import fakeredis
import pytest

from alerts.errors import DeliveryError, SourceError, SourceErrorKind
from alerts.events.keys import Keys
from alerts.events.store import EventStore
from alerts.models import AlertKind, Delivery, Destination, Facts, Item, SourceSpec, Verdict
from alerts.notify.ledger import DeliveryLedger
from alerts.pipeline import (
    DeliveryOutcome,
    ItemOutcome,
    Policy,
    deliver_one,
    poll_source,
    process_items,
)
from alerts.sources.health import Health
from alerts.sources.state import SourceStates

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
POLICY = Policy(max_item_age_s=6 * 3600, event_window_s=3 * 3600, min_confidence=0.5)


def fake_classify(item: Item) -> Verdict:
    """Launch when the title says FIRES; the country is the title's first word."""
    if "FIRES" in item.title:
        return Verdict(True, 0.9, ("test:fires",), Facts(country=item.title.split()[0]))
    return Verdict(False, 0.1, (), category="drill")


def item(n: str, title: str, *, source: str = "feed-a", minutes_ago: float = 1) -> Item:
    return Item(
        id=n,
        source=source,
        title=title,
        url=f"https://news.example/{n}",
        published_at=NOW - timedelta(minutes=minutes_ago),
    )


@pytest.fixture
def store() -> Iterator[EventStore]:
    client = fakeredis.FakeRedis()
    yield EventStore(client, keys=Keys("t:"), seen_ttl_s=86400)
    client.close()


def tokens() -> Iterator[str]:
    n = 0
    while True:
        n += 1
        yield f"tok{n}"


def run(store: EventStore, items: list[Item], *, now: datetime = NOW, baseline: bool = False):
    gen = tokens()
    return process_items(
        items,
        events=store,
        classify=fake_classify,
        policy=POLICY,
        now=now,
        new_token=lambda: next(gen),
        baseline=baseline,
    )


class TestProcessItems:
    def test_first_report_opens_an_event_and_one_new_alert(self, store: EventStore) -> None:
        """A launch report makes exactly one `new` alert carrying its title and link."""
        result = run(store, [item("1", "KP FIRES missile"), item("2", "KR drill")])
        assert [(a.kind, a.revision, a.title, a.url) for a in result.alerts] == [
            (AlertKind.NEW, 1, "KP FIRES missile", "https://news.example/1")
        ]
        assert [d.outcome for d in result.decisions] == [
            ItemOutcome.NEW_EVENT,
            ItemOutcome.NOT_LAUNCH,
        ]

    def test_second_report_of_same_launch_is_joined_not_alerted(self, store: EventStore) -> None:
        """Another outlet's report of the same country's launch within the window adds no alert."""
        first = run(store, [item("1", "KP FIRES missile", minutes_ago=10)])
        store.mark_fanned_out(first.alerts[0])
        second = run(store, [item("9", "KP FIRES ballistic missile: JCS", source="feed-b")])
        assert second.alerts == []
        assert second.decisions[0].outcome is ItemOutcome.JOINED
        assert second.decisions[0].event_id == first.alerts[0].event_id

    def test_other_country_or_later_launch_opens_new_event(self, store: EventStore) -> None:
        """A different launching country, or the same one outside the window, is a new launch."""
        run(store, [item("1", "KP FIRES", minutes_ago=300)], now=NOW - timedelta(minutes=299))
        result = run(store, [item("2", "IR FIRES"), item("3", "KP FIRES")])
        assert [a.facts.country for a in result.alerts] == ["IR", "KP"]
        assert len({a.event_id for a in result.alerts}) == 2

    def test_seen_items_are_not_processed_again(self, store: EventStore) -> None:
        """Polling the same feed again after fan-out produces no alert."""
        first = run(store, [item("1", "KP FIRES")])
        store.mark_fanned_out(first.alerts[0])
        again = run(store, [item("1", "KP FIRES")])
        assert again.alerts == []
        assert [d.outcome for d in again.decisions] == [ItemOutcome.SEEN]

    def test_pending_alert_is_fanned_out_again_after_a_crash(self, store: EventStore) -> None:
        """An alert whose fan-out was never recorded is handed out again by the next poll."""
        first = run(store, [item("1", "KP FIRES")])
        again = run(store, [item("1", "KP FIRES")])
        assert again.alerts == first.alerts

    def test_old_items_are_remembered_but_never_alerted(self, store: EventStore) -> None:
        """A launch report older than the maximum age is old news."""
        result = run(store, [item("1", "KP FIRES", minutes_ago=7 * 60)])
        assert result.alerts == []
        assert result.decisions[0].outcome is ItemOutcome.OLD
        assert run(store, [item("1", "KP FIRES")]).alerts == []

    def test_undated_items_on_first_poll_are_baseline(self, store: EventStore) -> None:
        """A new feed's undated back catalogue floods no one; undated items later are judged."""
        undated = Item(id="u", source="feed-a", title="KP FIRES")
        assert run(store, [undated], baseline=True).alerts == []
        later = Item(id="u2", source="feed-a", title="KP FIRES")
        assert len(run(store, [later]).alerts) == 1

    def test_items_are_processed_oldest_first(self, store: EventStore) -> None:
        """The event's first source is the earliest report, whatever the feed's order."""
        result = run(
            store, [item("new", "KP FIRES", minutes_ago=1), item("old", "KP FIRES", minutes_ago=20)]
        )
        assert result.alerts[0].item_ids == ("old",)


@dataclass
class Fetched:
    not_modified: bool = False
    body: bytes = b""
    content_type: str | None = "application/rss+xml"
    etag: str | None = '"v1"'
    last_modified: str | None = None
    final_url: str = "https://n.example/rss"
    max_age_s: float | None = None


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><guid>g1</guid><title>KP FIRES missile</title><link>https://n.example/1</link>
<pubDate>Tue, 24 Nov 2026 23:59:00 GMT</pubDate></item></channel></rss>"""


class TestPollSource:
    spec = SourceSpec(name="feed-a", url="https://n.example/rss", interval_s=30)

    def poll(self, store: EventStore, states: SourceStates, fetch, now: datetime = NOW):
        return poll_source(
            self.spec,
            fetch=fetch,
            states=states,
            events=store,
            classify=fake_classify,
            policy=POLICY,
            now=now,
            new_token=lambda: "tok",
        )

    def test_success_records_validators_and_health(self, store: EventStore) -> None:
        """A 200 stores the ETag for the next conditional GET and marks the source healthy."""
        states = SourceStates(fakeredis.FakeRedis(), keys=Keys("t:"))
        sent: list[tuple[str | None, str | None]] = []

        def fetch(url: str, *, source: str, etag: str | None, last_modified: str | None):
            sent.append((etag, last_modified))
            return Fetched(body=RSS) if etag is None else Fetched(not_modified=True, etag=None)

        first = self.poll(store, states, fetch)
        second = self.poll(store, states, fetch, NOW + timedelta(seconds=30))
        assert (first.status, len(first.processed.alerts)) == ("ok", 1)
        assert second.status == "not_modified"
        assert sent == [(None, None), ('"v1"', None)]
        assert states.load("feed-a").health is Health.HEALTHY
        assert states.load("feed-a").etag == '"v1"'

    def test_failure_is_a_value_and_backs_off(self, store: EventStore) -> None:
        """A failing source is marked with the reason and not polled again before its backoff."""
        states = SourceStates(fakeredis.FakeRedis(), keys=Keys("t:"))

        def fetch(url: str, **_: object):
            raise SourceError("connection refused", source="feed-a", kind=SourceErrorKind.NETWORK)

        result = self.poll(store, states, fetch)
        assert result.status == "error"
        assert result.state.health is Health.DEGRADED
        assert "connection refused" in (result.state.last_error or "")
        assert self.poll(store, states, fetch, NOW + timedelta(seconds=1)).status == "backing_off"

    def test_parser_crash_marks_source_not_worker(self, store: EventStore) -> None:
        """Garbage in a feed is a parse error on that source."""
        states = SourceStates(fakeredis.FakeRedis(), keys=Keys("t:"))
        result = self.poll(store, states, lambda url, **_: Fetched(body=b"<html>nope</html>"))
        assert result.status == "error"
        assert result.error is not None
        assert result.error.kind is SourceErrorKind.PARSE


class TestDeliverOne:
    dest = Destination(id="slack-1", channel="slack")

    def test_sends_once_and_records_after_success(self, store: EventStore) -> None:
        """A delivery is sent once; a redelivered task finds it in the ledger and sends nothing."""
        alert = run(store, [item("1", "KP FIRES")]).alerts[0]
        ledger = DeliveryLedger(fakeredis.FakeRedis(), keys=Keys("t:"))
        sent: list[str] = []
        kwargs: dict = {
            "destination": self.dest,
            "events": store,
            "ledger": ledger,
            "send": lambda a, d: sent.append(a.key),
            "owner": "w1",
            "now": lambda: NOW,
        }
        delivery = Delivery(alert.key, self.dest.id)
        assert deliver_one(delivery, **kwargs) is DeliveryOutcome.SENT
        assert deliver_one(delivery, **kwargs) is DeliveryOutcome.ALREADY_SENT
        assert sent == [alert.key]

    def test_failure_releases_the_claim_and_records_nothing(self, store: EventStore) -> None:
        """A failed send can be retried at once by the next attempt."""
        alert = run(store, [item("1", "KP FIRES")]).alerts[0]
        ledger = DeliveryLedger(fakeredis.FakeRedis(), keys=Keys("t:"))

        def failing(a, d):
            raise DeliveryError("boom", channel="slack")

        delivery = Delivery(alert.key, self.dest.id)
        with pytest.raises(DeliveryError):
            deliver_one(
                delivery,
                destination=self.dest,
                events=store,
                ledger=ledger,
                send=failing,
                owner="w1",
                now=lambda: NOW,
            )
        assert not ledger.was_sent(delivery.key)
        assert ledger.claim(delivery.key, "w2")

    def test_concurrent_attempt_is_busy(self, store: EventStore) -> None:
        """While one worker holds the claim, another does not send."""
        alert = run(store, [item("1", "KP FIRES")]).alerts[0]
        ledger = DeliveryLedger(fakeredis.FakeRedis(), keys=Keys("t:"))
        delivery = Delivery(alert.key, self.dest.id)
        assert ledger.claim(delivery.key, "w1")
        outcome = deliver_one(
            delivery,
            destination=self.dest,
            events=store,
            ledger=ledger,
            send=lambda a, d: None,
            owner="w2",
            now=lambda: NOW,
        )
        assert outcome is DeliveryOutcome.BUSY


class TestGapDetection:
    spec = SourceSpec(name="feed-a", url="https://n.example/rss", interval_s=30)

    def test_all_new_items_after_first_poll_is_a_gap(self, store: EventStore) -> None:
        """When every item of a known feed is unseen, items may have rotated out: say so."""
        states = SourceStates(fakeredis.FakeRedis(), keys=Keys("t:"))
        bodies = iter([_rss("a", "b"), _rss("c", "d"), _rss("c", "d", "e")])

        def fetch(url: str, **_: object) -> Fetched:
            return Fetched(body=next(bodies))

        results = [
            poll_source(
                self.spec,
                fetch=fetch,
                states=states,
                events=store,
                classify=fake_classify,
                policy=POLICY,
                now=NOW + timedelta(seconds=30 * n),
                new_token=lambda: "t",
            )
            for n in range(3)
        ]
        assert [r.gap for r in results] == [False, True, False]
        assert states.load("feed-a").gaps == 1


def _rss(*guids: str) -> bytes:
    items = "".join(
        f"<item><guid>{g}</guid><title>story {g}</title><link>https://n.example/{g}</link>"
        "<pubDate>Tue, 24 Nov 2026 23:59:00 GMT</pubDate></item>"
        for g in guids
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    return f"{head}{items}</channel></rss>".encode()
