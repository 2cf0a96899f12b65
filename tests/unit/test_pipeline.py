"""The pipeline over fakeredis-backed stores and a fake detector: what is alerted and what not."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import fakeredis
import pytest

from alerts.errors import DeliveryError, SourceError, SourceErrorKind
from alerts.events.cluster import EventPolicy
from alerts.events.keys import Keys
from alerts.events.store import EventStore
from alerts.models import AlertKind, Delivery, Destination, Item, SourceSpec
from alerts.notify.ledger import DeliveryLedger
from alerts.pipeline import (
    DeliveryOutcome,
    ItemOutcome,
    Policy,
    deliver_one,
    flush_owed_updates,
    poll_source,
    process_items,
)
from alerts.sources.health import Health
from alerts.sources.state import SourceStates
from tests.support.fakes import fake_classify

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
POLICY = Policy(
    max_item_age_s=6 * 3600,
    min_confidence=0.5,
    events=EventPolicy(min_update_gap_s=120),
)


def item(
    n: str, title: str, *, source: str = "feed-a", minutes: float = -1, summary: str = ""
) -> Item:
    return Item(
        id=n,
        source=source,
        title=title,
        url=f"https://news.example/{n}",
        summary=summary or f"story {n} {title}",
        published_at=NOW + timedelta(minutes=minutes),
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


def kinds(result) -> list[tuple[str, int]]:
    return [(a.kind.value, a.revision) for a in result.alerts]


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
        """Another outlet's report of the same launch, adding nothing, joins silently."""
        first = run(store, [item("1", "KP FIRES missile", minutes=-10)])
        second = run(store, [item("9", "KP FIRES ballistic missile", source="feed-b")])
        assert second.alerts == []
        assert second.decisions[0].outcome is ItemOutcome.JOINED
        assert second.decisions[0].event_id == first.alerts[0].event_id

    def test_other_country_or_next_day_launch_opens_new_event(self, store: EventStore) -> None:
        """A different launcher, or the same one on a later local day, is a new launch."""
        day_before = NOW - timedelta(hours=26)
        run(store, [item("1", "KP FIRES", minutes=-26 * 60)], now=day_before)
        result = run(store, [item("2", "IR FIRES"), item("3", "KP FIRES")])
        assert [a.facts.country for a in result.alerts] == ["IR", "KP"]
        assert [a.kind for a in result.alerts] == [AlertKind.NEW, AlertKind.NEW]
        assert len({a.event_id for a in result.alerts}) == 2

    def test_same_launcher_same_local_day_is_one_event(self, store: EventStore) -> None:
        """Reports of one launcher's launches on one local day (09:00 and 04:00 KST) are one
        event: the later one joins, whatever hours lie between."""
        [first] = run(
            store, [item("1", "KP FIRES", minutes=-300)], now=NOW - timedelta(hours=5)
        ).alerts
        result = run(store, [item("2", "KP FIRES", source="b")])
        assert result.alerts == []
        assert result.decisions[0].event_id == first.event_id

    def test_follow_up_on_the_next_day_joins_its_event(self, store: EventStore) -> None:
        """A detail report published after midnight at the launch site, stating no time and
        not itself reporting a launch, is a follow-up, not a new launch."""
        late = NOW + timedelta(hours=14)  # 23:00 KST
        [first] = run(store, [item("1", "KP FIRES", minutes=14 * 60)], now=late).alerts
        detail = item("2", "KP missile flew 1,000 km", source="b", minutes=19 * 60)
        verdict = fake_classify(item("x", "KP FIRES class=ICBM"))
        verdict = dataclasses.replace(verdict, reasons=("test:fires",))
        result = process_items([detail], events=store, classify=lambda _: verdict, policy=POLICY,
                               now=late + timedelta(hours=5), new_token=lambda: "t")  # fmt: skip
        assert [a.kind for a in result.alerts] == [AlertKind.UPDATE]
        assert result.alerts[0].event_id == first.event_id

    def test_doubted_report_of_a_launcher_with_an_event_the_day_before_joins_it(
        self, store: EventStore
    ) -> None:
        """A report the model doubted ("Analysts: Hwasong-12 could reach Guam") naming a
        launcher whose launch came hours before is news of it: it joins the event as a source,
        silently. Its facts are a doubted story's (a claimed range, a year's tally): no update
        and no correction comes of them, and "another" launch in it is no further salvo."""
        early = NOW - timedelta(hours=5)
        [first] = run(store, [item("1", "KP FIRES eez=yes", minutes=-300)], now=early).alerts
        doubted = item("2", "KP analysis p=0.3 class=IRBM count=9 eez=no ANOTHER", source="b")
        result = run(store, [doubted])
        [decision] = result.decisions
        assert decision.outcome is ItemOutcome.JOINED
        assert decision.event_id == first.event_id
        assert decision.verdict is not None
        assert decision.verdict.reasons[-1] == "ctx:stream_launch"
        assert result.alerts == []
        event = store.load_event(first.event_id)
        assert event is not None
        assert [s.item_id for s in event.sources] == ["1", "2"]
        assert (event.facts.missile_class, event.facts.count, event.facts.inside_japan_eez) == (
            None, None, True
        )  # fmt: skip

    @pytest.mark.parametrize(
        ("earlier", "title", "why"),
        [
            ("IR FIRES", "KP analysis p=0.3", "another launcher's event"),
            ("KP FIRES", "KP analysis p=0.05", "too unlikely"),
            ("KP FIRES", "KP analysis p=0.3 why=ctx:launcher_guessed", "launcher a guess"),
            (None, "KP analysis p=0.3", "no event at all: it opens none"),
        ],
    )
    def test_doubted_report_stays_out_without_its_launchers_event(
        self, store: EventStore, earlier: str | None, title: str, why: str
    ) -> None:
        if earlier:
            run(store, [item("1", earlier, minutes=-300)], now=NOW - timedelta(hours=5))
        result = run(store, [item("2", title, source="b")])
        assert [d.outcome for d in result.decisions] == [ItemOutcome.NOT_LAUNCH], why
        assert result.alerts == []

    def test_a_sure_copy_of_a_doubted_story_still_brings_its_facts(self, store: EventStore) -> None:
        """The doubted story joins as a source, not as a text: another outlet's copy of it
        that the detector is sure of is no syndicated duplicate, and its facts are sent."""
        run(store, [item("1", "KP FIRES", minutes=-300)], now=NOW - timedelta(hours=5))
        lede = 3 * (
            "Analysts said the new missile fired near Pyongyang on Sunday could reach Guam on a "
            "normal trajectory, about 4,500 km, and showed progress despite sanctions. "
        )
        doubted = item("2", "KP analysis p=0.3 class=IRBM", source="b", summary=lede, minutes=-20)
        sure = item("3", "KP FIRES class=IRBM", source="c", summary=lede, minutes=-10)
        assert [d.outcome for d in run(store, [doubted]).decisions] == [ItemOutcome.JOINED]
        result = run(store, [sure])
        assert [(a.kind, a.facts.missile_class) for a in result.alerts] == [
            (AlertKind.UPDATE, "IRBM")
        ]

    def test_doubted_report_stays_out_of_a_retracted_event(self, store: EventStore) -> None:
        run(store, [item("1", "KP FIRES", minutes=-300)], now=NOW - timedelta(hours=5))
        run(store, [item("2", "KP CORRECTS it was a satellite", minutes=-290)],
            now=NOW - timedelta(hours=4))  # fmt: skip
        result = run(store, [item("3", "KP analysis p=0.3", source="b")])
        assert [d.outcome for d in result.decisions] == [ItemOutcome.NOT_LAUNCH]

    def test_doubted_reports_a_day_apart_in_one_batch_each_read_their_day(
        self, store: EventStore
    ) -> None:
        """A batch spanning days: the launcher's events read around its first doubted report
        answer only for the day after it; a later one reads the store again."""
        run(store, [item("1", "KP FIRES", minutes=-300)], now=NOW - timedelta(hours=5))
        old = item("2", "KP analysis p=0.3 n2", source="b", minutes=-3600)  # 55 h before it
        new = item("3", "KP analysis p=0.3 n3", source="b", minutes=-60)
        patient = dataclasses.replace(POLICY, max_item_age_s=3 * 86400)
        result = process_items([old, new], events=store, classify=fake_classify,
                               policy=patient, now=NOW, new_token=lambda: "t")  # fmt: skip
        assert [d.outcome for d in result.decisions] == [
            ItemOutcome.NOT_LAUNCH,
            ItemOutcome.JOINED,
        ]

    def test_doubted_report_a_day_after_the_launch_stays_out(self, store: EventStore) -> None:
        run(store, [item("1", "KP FIRES", minutes=-25 * 60)], now=NOW - timedelta(hours=25))
        result = run(store, [item("2", "KP analysis p=0.3", source="b")])
        assert [d.outcome for d in result.decisions] == [ItemOutcome.NOT_LAUNCH]

    def test_doubted_report_never_opens_an_event(self, store: EventStore) -> None:
        """Even where the event rules would open one for it (a headline that fires, 20 hours
        after the launcher's last event, under an open bar set as low as it goes)."""
        run(store, [item("1", "KP FIRES", minutes=-20 * 60)], now=NOW - timedelta(hours=20))
        lax = dataclasses.replace(
            POLICY, events=dataclasses.replace(POLICY.events, open_confidence=0.0)
        )
        fresh = item("2", "KP analysis p=0.3 why=ctx:title_fires,ctx:rules_launch", source="b")
        result = process_items([fresh], events=store, classify=fake_classify, policy=lax,
                               now=NOW, new_token=lambda: "t")  # fmt: skip
        assert [d.outcome for d in result.decisions] == [ItemOutcome.NOT_LAUNCH]
        assert result.alerts == []

    def test_doubted_report_stays_out_above_the_operators_confidence_bar(
        self, store: EventStore
    ) -> None:
        """ALERTS_MIN_CONFIDENCE above the decision point keeps such reports out."""
        run(store, [item("1", "KP FIRES", minutes=-300)], now=NOW - timedelta(hours=5))
        strict = dataclasses.replace(POLICY, min_confidence=0.6)
        result = process_items([item("2", "KP analysis p=0.3", source="b")], events=store,
                               classify=fake_classify, policy=strict, now=NOW,
                               new_token=lambda: "t")  # fmt: skip
        assert [d.outcome for d in result.decisions] == [ItemOutcome.NOT_LAUNCH]

    def test_doubted_reports_look_up_a_launcher_once_a_batch(self, store: EventStore) -> None:
        """Doubted reports of a launcher with no event read the store once a batch, until the
        batch opens an event: then the next ones join it."""
        calls: list[str | None] = []
        snapshot = store.snapshot

        def counted(**kwargs: object):  # type: ignore[no-untyped-def]
            calls.append(kwargs.get("country"))  # type: ignore[arg-type]
            return snapshot(**kwargs)  # type: ignore[arg-type]

        store.snapshot = counted  # type: ignore[method-assign]
        batch = [item(str(n), f"KP analysis p=0.3 n{n}", minutes=-60 + n) for n in range(5)]
        batch += [item("f", "KP FIRES", minutes=-50)]
        batch += [item(str(n), f"KP analysis p=0.3 n{n}", minutes=-40 + n) for n in range(5, 8)]
        result = run(store, batch)
        assert [d.outcome for d in result.decisions] == (
            [ItemOutcome.NOT_LAUNCH] * 5 + [ItemOutcome.NEW_EVENT] + [ItemOutcome.JOINED] * 3
        )
        assert calls.count("KP") == 1 + 1 + 3  # the first doubted; the flash; each joining one

    def test_seen_items_are_not_processed_again(self, store: EventStore) -> None:
        """Polling the same feed again produces no alert."""
        run(store, [item("1", "KP FIRES")])
        again = run(store, [item("1", "KP FIRES")])
        assert again.alerts == []
        assert [d.outcome for d in again.decisions] == [ItemOutcome.SEEN]

    def test_alert_stays_in_outbox_until_fanned_out(self, store: EventStore) -> None:
        """A crash between deciding and enqueueing leaves the alert for the dispatcher."""
        [alert] = run(store, [item("1", "KP FIRES")]).alerts
        assert store.unsent(older_than=NOW + timedelta(seconds=1)) == [alert.key]
        store.mark_fanned_out(alert)
        assert store.unsent(older_than=NOW + timedelta(seconds=1)) == []

    def test_old_items_are_remembered_but_never_alerted(self, store: EventStore) -> None:
        """A launch report older than the maximum age is old news."""
        result = run(store, [item("1", "KP FIRES", minutes=-7 * 60)])
        assert result.alerts == []
        assert result.decisions[0].outcome is ItemOutcome.OLD
        assert run(store, [item("1", "KP FIRES", minutes=-7 * 60)]).alerts == []

    def test_undated_items_on_first_poll_are_baseline(self, store: EventStore) -> None:
        """A new feed's undated back catalogue floods no one; undated items later are judged."""
        undated = Item(id="u", source="feed-a", title="KP FIRES")
        assert run(store, [undated], baseline=True).alerts == []
        later = Item(id="u2", source="feed-a", title="KP FIRES")
        assert len(run(store, [later]).alerts) == 1

    def test_items_are_processed_oldest_first(self, store: EventStore) -> None:
        """The event's first source is the earliest report, whatever the feed's order."""
        result = run(
            store, [item("new", "KP FIRES", minutes=-1), item("old", "KP FIRES", minutes=-20)]
        )
        assert result.alerts[0].item_ids == ("old",)


class TestUpdatesAndCorrections:
    def test_new_fact_sends_an_update_with_merged_facts(self, store: EventStore) -> None:
        """A later report stating the class sends revision 2 of the same event."""
        [new] = run(
            store, [item("1", "KP FIRES", minutes=-10)], now=NOW - timedelta(minutes=9)
        ).alerts
        update = run(store, [item("2", "KP FIRES class=ICBM by=JCS", source="b")]).alerts
        assert kinds(update_result := run(store, [])) == []
        assert update_result.alerts == []
        [u] = update
        assert (u.kind, u.revision, u.event_id) == (AlertKind.UPDATE, 2, new.event_id)
        assert u.facts.missile_class == "ICBM"
        assert set(u.changes) == {"missile_class", "authority"}
        assert u.item_ids == ("1", "2")

    def test_updates_inside_the_gap_are_merged_into_one(self, store: EventStore) -> None:
        """Facts arriving within the minimum gap are owed, then sent once as one update."""
        run(store, [item("1", "KP FIRES")], now=NOW)
        soon = NOW + timedelta(seconds=30)
        r1 = run(store, [item("2", "KP FIRES class=SRBM", source="b", minutes=0.5)], now=soon)
        r2 = run(store, [item("3", "KP FIRES count=2", source="c", minutes=0.6)], now=soon)
        assert r1.alerts == r2.alerts == []
        assert [d.outcome for d in r1.decisions + r2.decisions] == [ItemOutcome.DEFER] * 2
        assert flush_owed_updates(events=store, policy=POLICY, now=soon) == []
        [owed] = flush_owed_updates(events=store, policy=POLICY, now=NOW + timedelta(seconds=121))
        assert (owed.kind, owed.revision) == (AlertKind.UPDATE, 2)
        assert (owed.facts.missile_class, owed.facts.count) == ("SRBM", 2)
        assert flush_owed_updates(events=store, policy=POLICY, now=NOW + timedelta(hours=1)) == []

    def test_an_owed_update_is_headed_by_the_report_that_owed_it(self, store: EventStore) -> None:
        """A doubted follow-up ("KP analysis p=0.05" naming a ballistic missile) joining
        silently inside the gap is the event's latest source, but no headline: the owed update
        is headed by the report the detector called a launch."""
        run(store, [item("1", "KP FIRES")], now=NOW)
        soon = NOW + timedelta(seconds=30)
        run(store, [item("2", "KP FIRES class=SRBM", source="b", minutes=0.5)], now=soon)
        doubted = item("3", "KP analysis p=0.05 why=en:ballistic", source="c", minutes=0.6)
        assert [d.outcome for d in run(store, [doubted], now=soon).decisions] == [
            ItemOutcome.JOINED
        ]
        [owed] = flush_owed_updates(events=store, policy=POLICY, now=NOW + timedelta(seconds=121))
        assert (owed.title, owed.url) == ("KP FIRES class=SRBM", "https://news.example/2")
        assert [(s.item_id, s.follow_up) for s in owed.sources][-1] == ("3", True)

    def test_retraction_sends_a_correction(self, store: EventStore) -> None:
        """'It was a satellite' after a launch alert corrects that event."""
        [new] = run(store, [item("1", "KP FIRES")], now=NOW).alerts
        [fix] = run(
            store,
            [item("2", "KP CORRECTS it was a satellite", minutes=5)],
            now=NOW + timedelta(minutes=6),
        ).alerts
        assert (fix.kind, fix.event_id, fix.revision) == (AlertKind.CORRECTION, new.event_id, 2)
        assert fix.changes == ("retracted",)
        later = run(
            store, [item("3", "KP FIRES class=SRBM", minutes=20)], now=NOW + timedelta(minutes=21)
        )
        assert later.alerts == []  # a retracted event sends no further updates

    def test_repeated_retraction_is_joined_not_resent(self, store: EventStore) -> None:
        """Five outlets repeating 'it was a satellite' make one correction, not five."""
        run(store, [item("1", "KP FIRES")], now=NOW)
        first = run(store, [item("2", "KP CORRECTS satellite", minutes=5)],
                    now=NOW + timedelta(minutes=6))  # fmt: skip
        again = run(store, [item("3", "KP CORRECTS satellite again", source="b", minutes=7)],
                    now=NOW + timedelta(minutes=8))  # fmt: skip
        assert kinds(first) == [("correction", 2)]
        assert again.alerts == []
        assert again.decisions[0].outcome is ItemOutcome.JOINED

    def test_first_correction_without_fact_change_is_sent_once(self, store: EventStore) -> None:
        """'It did not fly over Japan after all' corrects though no modelled fact changes."""
        run(store, [item("1", "KP FIRES class=ICBM")], now=NOW)
        later = NOW + timedelta(minutes=10)
        first = run(store, [item("2", "KP FIRES FIXES no overflight", minutes=9)], now=later)
        again = run(store, [item("3", "KP FIRES FIXES no overflight (2)", source="b",
                                 minutes=9.5)], now=later)  # fmt: skip
        assert kinds(first) == [("correction", 2)]
        assert again.alerts == []

    def test_correction_of_unknown_launch_is_ignored(self, store: EventStore) -> None:
        """A correction with no alerted launch to correct sends nothing."""
        result = run(store, [item("1", "KP CORRECTS nothing to see")])
        assert result.alerts == []
        assert result.decisions[0].outcome is ItemOutcome.IGNORED

    def test_eez_walk_back_is_a_correction(self, store: EventStore) -> None:
        """Landing inside the EEZ, then outside after all: a correction."""
        run(store, [item("1", "KP FIRES eez=yes")], now=NOW)
        [fix] = run(
            store,
            [item("2", "KP FIRES eez=no", source="b", minutes=10)],
            now=NOW + timedelta(minutes=11),
        ).alerts
        assert fix.kind is AlertKind.CORRECTION
        assert fix.facts.inside_japan_eez is False

    def test_another_launch_the_same_day_is_an_update_in_the_thread(
        self, store: EventStore
    ) -> None:
        """'Fires another missile, second launch today' an hour later: an update of the same
        event saying so; a second copy of that story adds nothing."""
        [first] = run(store, [item("1", "KP FIRES")], now=NOW).alerts
        [second] = run(
            store,
            [item("2", "KP FIRES ANOTHER TODAY", source="b", minutes=60)],
            now=NOW + timedelta(minutes=61),
        ).alerts
        assert second.kind is AlertKind.UPDATE
        assert second.event_id == first.event_id
        assert "another_launch" in second.changes
        copy = run(store, [item("3", "KP FIRES ANOTHER TODAY", source="c", minutes=65)],
                   now=NOW + timedelta(minutes=66))  # fmt: skip
        assert copy.alerts == []

    def test_another_launch_the_next_day_is_a_new_event(self, store: EventStore) -> None:
        [first] = run(store, [item("1", "KP FIRES")], now=NOW).alerts
        [second] = run(
            store,
            [item("2", "KP FIRES ANOTHER", source="b", minutes=24 * 60)],
            now=NOW + timedelta(hours=24, minutes=1),
        ).alerts
        assert second.kind is AlertKind.NEW
        assert second.event_id != first.event_id

    def test_syndicated_copy_is_a_duplicate(self, store: EventStore) -> None:
        """The same wire story from another outlet (dateline added) adds nothing."""
        text = (
            "North Korea fired a ballistic missile toward the East Sea on Tuesday, South "
            "Korea's Joint Chiefs of Staff said. The missile was launched from the Pyongyang "
            "area at around 7:10 a.m. and flew about 350 kilometers, the JCS said."
        )
        run(store, [item("1", "KP FIRES class=SRBM into East Sea: JCS", summary=text)], now=NOW)
        copy = item(
            "2",
            "KP FIRES class=SRBM into East Sea: JCS",
            source="b",
            summary="SEOUL, Nov. 25 (Yonhap) -- " + text,
            minutes=1,
        )
        result = run(store, [copy], now=NOW + timedelta(minutes=3))
        assert result.alerts == []
        assert result.decisions[0].outcome is ItemOutcome.DUPLICATE

    def test_edited_item_is_judged_again(self, store: EventStore) -> None:
        """An item edited in place to add the class sends an update; an unchanged one nothing."""
        run(store, [item("1", "KP FIRES", summary="flash")], now=NOW)
        same = run(store, [item("1", "KP FIRES", summary="flash")], now=NOW + timedelta(minutes=5))
        assert same.decisions[0].outcome is ItemOutcome.SEEN
        edited = run(
            store,
            [item("1", "KP FIRES class=IRBM", summary="flash, updated")],
            now=NOW + timedelta(minutes=5),
        )
        assert kinds(edited) == [("update", 2)]


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

    def test_recovery_clears_the_backoff_in_the_stored_state(self, store: EventStore) -> None:
        """Fields a success unsets (not_before) leave the Redis hash, not just the value."""
        states = SourceStates(fakeredis.FakeRedis(), keys=Keys("t:"))

        def fail(url: str, **_: object):
            raise SourceError("HTTP 503", source="feed-a", kind=SourceErrorKind.HTTP_STATUS,
                              retry_after_s=5)  # fmt: skip

        self.poll(store, states, fail)
        assert states.load("feed-a").not_before is not None
        later = NOW + timedelta(seconds=60)
        assert self.poll(store, states, lambda url, **_: Fetched(body=RSS), later).status == "ok"
        assert states.load("feed-a").not_before is None
        assert states.load("feed-a").health is Health.HEALTHY

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
        assert deliver_one(delivery, **kwargs).outcome is DeliveryOutcome.SENT
        assert deliver_one(delivery, **kwargs).outcome is DeliveryOutcome.ALREADY_SENT
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
        assert outcome.outcome is DeliveryOutcome.BUSY


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


def _dated_rss(*guids_and_minutes: tuple[str, int]) -> bytes:
    """RSS whose items carry dates `minutes` before NOW, in the order given."""
    items = "".join(
        f"<item><guid>{g}</guid><title>story {g}</title><link>https://n.example/{g}</link>"
        f"<pubDate>{format_datetime(NOW - timedelta(minutes=m), usegmt=True)}</pubDate></item>"
        for g, m in guids_and_minutes
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    return f"{head}{items}</channel></rss>".encode()


class TestBoundedPolls:
    """What one source can cost: items taken per poll, and ids remembered per source."""

    spec = SourceSpec(name="feed-a", url="https://n.example/rss", interval_s=30)
    policy = dataclasses.replace(POLICY, max_items_per_poll=5)

    def poll(self, store: EventStore, states: SourceStates, body: bytes, n: int = 0):
        return poll_source(
            self.spec,
            fetch=lambda url, **_: Fetched(body=body),
            states=states,
            events=store,
            classify=fake_classify,
            policy=self.policy,
            now=NOW + timedelta(seconds=30 * n),
            new_token=lambda: "t",
        )

    def test_a_poll_takes_the_newest_items_and_counts_the_rest(self, store: EventStore) -> None:
        """Past the cap, the newest items by date are taken whatever the feed's order; the
        left-out ones are counted, never looked at (not even remembered)."""
        states = SourceStates(fakeredis.FakeRedis(), keys=Keys("t:"))
        body = _dated_rss(*[(f"g{m}", m) for m in (7, 3, 1, 8, 2, 6, 4, 5)])
        result = self.poll(store, states, body)
        assert sorted(d.item.id for d in result.processed.decisions) == [
            "g1", "g2", "g3", "g4", "g5"
        ]  # fmt: skip
        assert (result.items, result.overflow) == (5, 3)
        newest, oldest = (Item(id=g, source="feed-a", title="") for g in ("g1", "g8"))
        assert store.recall([newest, oldest])[1] is None
        assert store.recall([newest])[0] is not None

    def test_overflow_is_a_gap_only_when_it_may_hide_new_items(self, store: EventStore) -> None:
        """A long feed whose taken items were all seen before has nothing hidden: no gap. When
        the oldest item taken is new, the ones just past the cap may be new too: a gap, even
        though newer items were seen (the all-unseen rule alone misses it)."""
        states = SourceStates(fakeredis.FakeRedis(), keys=Keys("t:"))
        long_feed = [(f"g{m}", m) for m in range(1, 9)]
        first = self.poll(store, states, _dated_rss(*long_feed))
        again = self.poll(store, states, _dated_rss(*long_feed), 1)
        backdated = self.poll(store, states, _dated_rss(("late", 5), *long_feed), 2)
        assert [r.overflow for r in (first, again, backdated)] == [3, 3, 4]
        assert [r.gap for r in (first, again, backdated)] == [False, False, True]
        assert [d.outcome for d in backdated.processed.decisions].count(ItemOutcome.SEEN) == 4
        assert states.load("feed-a").gaps == 1

    def test_a_feed_minting_new_ids_every_poll_keeps_a_bounded_memory(self) -> None:
        """Every poll carries 40 items with ids never seen: Redis keys stop growing once the
        source's remembered ids reach their cap; each poll adds at most the per-poll cap."""
        client = fakeredis.FakeRedis()
        store = EventStore(client, keys=Keys("t:"), seen_ttl_s=86400, max_seen_per_source=12)
        states = SourceStates(client, keys=Keys("t:"))
        keys_after = []
        for n in range(10):
            body = _dated_rss(*[(f"p{n}-i{i}", i % 50) for i in range(40)])
            result = self.poll(store, states, body, n)
            assert (result.items, result.overflow) == (5, 35)
            keys_after.append(client.dbsize())
        assert len(client.keys("t:seen:*")) == 12
        assert keys_after[3:] == [keys_after[3]] * 7, keys_after
        newest = [Item(id=f"p9-i{i}", source="feed-a", title="") for i in range(5)]
        assert None not in store.recall(newest)  # the latest poll's items are remembered


class TestEventRetention:
    def test_an_event_days_old_stays_listed_but_is_no_longer_joined(
        self, store: EventStore
    ) -> None:
        """The events index keeps 30 days (dashboard history, source figures), but a report
        stating a launch four days back must not revive that event: only the last
        EVENT_RETENTION_S are joinable."""
        first = run(store, [item("1", "KP FIRES missile")])
        old_id = first.alerts[0].event_id
        later = NOW + timedelta(days=4)
        assert store.recent_event_ids(10) == [old_id]
        assert [e.event_id for e in store.recent_events(10)] == [old_id]
        assert store.recent_events(10, since=later - timedelta(days=1)) == []
        _, found = store.candidates(around=NOW, span_s=3600, now=later)
        assert found == []
        _, found = store.candidates(around=NOW, span_s=3600)
        assert [e.event_id for e in found] == [old_id]
        run(store, [item("2", "KP FIRES missile", minutes=5)], now=later)
        assert old_id in store.recent_event_ids(10)
