"""The pipeline records when each report joined to an event was polled (fakeredis store)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import fakeredis
import pytest

from alerts.events.cluster import MAX_SOURCES, EventPolicy
from alerts.events.keys import Keys
from alerts.events.leadlag import event_lead_lag
from alerts.events.store import EventStore
from alerts.models import Item
from alerts.pipeline import ItemOutcome, Policy, process_items
from tests.support.fakes import fake_classify

LAUNCH = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
POLICY = Policy(max_item_age_s=6 * 3600, min_confidence=0.5,
                events=EventPolicy(min_update_gap_s=0))  # fmt: skip


@pytest.fixture
def store() -> Iterator[EventStore]:
    client = fakeredis.FakeRedis()
    yield EventStore(client, keys=Keys("t:"), seen_ttl_s=86400)
    client.close()


def report(item_id: str, source: str, title: str, *, published_min: float | None) -> Item:
    published = LAUNCH + timedelta(minutes=published_min) if published_min is not None else None
    return Item(item_id, source, title, f"https://{source}.example/{item_id}",
                summary=f"story {item_id}", published_at=published)  # fmt: skip


def poll(store: EventStore, item: Item, *, at_min: float) -> list[ItemOutcome]:
    processed = process_items([item], events=store, classify=fake_classify, policy=POLICY,
                              now=LAUNCH + timedelta(minutes=at_min),
                              new_token=lambda: "tok1")  # fmt: skip
    return [d.outcome for d in processed.decisions]


def test_each_joined_report_carries_the_time_its_poll_saw_it(store: EventStore) -> None:
    assert poll(store, report("a1", "feed-a", "KP FIRES", published_min=1), at_min=4) == [
        ItemOutcome.NEW_EVENT
    ]
    assert poll(store, report("b1", "feed-b", "KP FIRES by=JCS", published_min=2), at_min=6) == [
        ItemOutcome.UPDATE
    ]
    (event_id,) = store.recent_event_ids()
    event = store.load_event(event_id)
    assert event is not None
    seen = {s.source: s.seen_at for s in event.sources}
    assert seen == {
        "feed-a": LAUNCH + timedelta(minutes=4),
        "feed-b": LAUNCH + timedelta(minutes=6),
    }


def test_alerts_carry_the_poll_times_of_their_sources(store: EventStore) -> None:
    item = report("a1", "feed-a", "KP FIRES", published_min=None)
    at = LAUNCH + timedelta(minutes=5)
    processed = process_items([item], events=store, classify=fake_classify, policy=POLICY,
                              now=at, new_token=lambda: "tok1")  # fmt: skip
    (alert,) = processed.alerts
    assert [s.seen_at for s in alert.sources] == [at]
    assert [s.published_at for s in alert.sources] == [None]


def test_an_edited_report_keeps_the_poll_time_of_its_first_sighting(store: EventStore) -> None:
    """The same item, edited and judged again later, does not make its source look slower."""
    poll(store, report("a1", "feed-a", "KP FIRES", published_min=1), at_min=2)
    edited = report("a1", "feed-a", "KP FIRES class=ICBM", published_min=1)
    assert poll(store, edited, at_min=30) == [ItemOutcome.UPDATE]
    (event_id,) = store.recent_event_ids()
    event = store.load_event(event_id)
    assert event is not None
    (ref,) = event.sources
    assert ref.title == "KP FIRES class=ICBM"
    assert ref.seen_at == LAUNCH + timedelta(minutes=2)


def test_a_flood_of_follow_ups_keeps_each_sources_first_report(store: EventStore) -> None:
    """Past MAX_SOURCES reports the oldest go, but not the report that was first: who told
    us first survives a busy day of follow-ups from one wire."""
    poll(store, report("a1", "feed-a", "KP FIRES", published_min=1), at_min=2)
    poll(store, report("b0", "feed-b", "KP FIRES by=JCS", published_min=2), at_min=3)
    follow_ups = [
        report(f"b{n}", "feed-b", f"KP FIRES follow-up {n}", published_min=3 + n / 60)
        for n in range(1, MAX_SOURCES + 5)
    ]
    at = LAUNCH + timedelta(minutes=9)
    processed = process_items(follow_ups, events=store, classify=fake_classify, policy=POLICY,
                              now=at, new_token=lambda: "tok9")  # fmt: skip
    (event_id,) = store.recent_event_ids()
    assert {d.event_id for d in processed.decisions} == {event_id}  # every follow-up joined
    event = store.load_event(event_id)
    assert event is not None
    assert len(event.sources) == MAX_SOURCES
    assert [s.item_id for s in event.sources[:2]] == ["a1", "b0"]
    assert event.sources[-1].item_id == f"b{MAX_SOURCES + 4}"  # the newest stays last
    assert event.sources[2].item_id == "b7"  # the oldest follow-ups went


def test_a_first_report_edited_into_a_doubted_one_keeps_its_source_first(
    store: EventStore,
) -> None:
    """A launch report edited later into one the detector doubts (an analysis) joins as a
    follow-up; its source still told the launch first, so the ref stays a launch report."""
    assert poll(store, report("a1", "feed-a", "KP FIRES", published_min=1), at_min=2) == [
        ItemOutcome.NEW_EVENT
    ]
    poll(store, report("b1", "feed-b", "KP FIRES by=JCS", published_min=10), at_min=12)
    poll(store, report("a1", "feed-a", "KP analysis p=0.3", published_min=1), at_min=60)
    (event_id,) = store.recent_event_ids()
    event = store.load_event(event_id)
    assert event is not None
    assert {s.item_id: s.follow_up for s in event.sources} == {"a1": False, "b1": False}
    assert event_lead_lag(event).first_by_published == ("feed-a",)
    a1 = next(s for s in event.sources if s.item_id == "a1")
    assert a1.title == "KP FIRES"  # as it told the launch, not the edit


def test_the_same_item_id_from_another_feed_is_its_own_follow_up(store: EventStore) -> None:
    """Item ids are a feed's own (GUIDs): another feed's doubted report with the same id is a
    follow-up of that feed, and the first feed's launch report stays one."""
    poll(store, report("x1", "feed-a", "KP FIRES", published_min=1), at_min=2)
    poll(store, report("x1", "feed-c", "KP analysis p=0.3", published_min=120), at_min=121)
    (event_id,) = store.recent_event_ids()
    event = store.load_event(event_id)
    assert event is not None
    assert {(s.source, s.follow_up) for s in event.sources} == {
        ("feed-a", False),
        ("feed-c", True),
    }
    assert [s.source for s in event_lead_lag(event).sources] == ["feed-a"]
