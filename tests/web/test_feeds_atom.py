"""The Atom feeds as a feed reader sees them (parsed by feedparser, and by lxml's strict parser
for well-formedness): one entry per revision, threaded by event, links to the source report
and the CAP message; and the conditional-GET decision."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from lxml import etree

from alerts.models import Alert, AlertKind, Facts, SourceRef
from alerts.web.feeds import (
    entry_id,
    last_modified,
    not_modified,
    render_alerts_feed,
    render_cap_index,
)

BASE = "https://alerts.example.org"
NOW = datetime(2026, 12, 2, 8, 10, 5, 250000, tzinfo=UTC)
HOSTILE = 'IR FIRES <script>alert("x")</script> &amp; ]]> \x00\x08\x0b\x1b[2J\x7f\x9b end'


def revision(event_id: str, number: int, kind: AlertKind, minutes: int, **changes: object) -> Alert:
    base = Alert(
        event_id=event_id,
        kind=kind,
        revision=number,
        title=f"{event_id} report {number}",
        url=f"https://news.example/{event_id}/{number}",
        facts=Facts(country="KP", missile_class="ICBM", count=2, authority="JCS"),
        confidence=0.9,
        detected_at=NOW + timedelta(minutes=minutes),
        first_published_at=NOW,
        sources=(SourceRef("feed-a", "a1", "https://news.example/a1", "t", NOW),),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def stream() -> list[Alert]:
    """Two events, newest revision first: kp has new, update, retraction; ir only new."""
    return [
        revision("kp-1", 3, AlertKind.CORRECTION, 30, changes=("retracted",), url="javascript:x"),
        revision("ir-1", 1, AlertKind.NEW, 20, facts=Facts(country="IR")),
        revision("kp-1", 2, AlertKind.UPDATE, 10, changes=("count",)),
        revision("kp-1", 1, AlertKind.NEW, 0),
    ]


def parsed(xml: bytes) -> feedparser.FeedParserDict:
    etree.fromstring(xml)  # strict: raises on anything not well-formed
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def tags(entry: feedparser.FeedParserDict, scheme: str) -> list[str]:
    return [t["term"] for t in entry.get("tags", []) if t["scheme"] == scheme]


class TestAlertsFeed:
    def test_one_entry_per_revision_newest_first_with_stable_ids(self) -> None:
        feed = parsed(render_alerts_feed(stream(), base_url=BASE))
        assert [e.id for e in feed.entries] == [
            entry_id(k) for k in ("kp-1:3", "ir-1:1", "kp-1:2", "kp-1:1")
        ]
        assert all(e.id.startswith("urn:uuid:") for e in feed.entries)
        again = parsed(render_alerts_feed(stream()[1:], base_url="http://other:1"))
        assert [e.id for e in again.entries] == [e.id for e in feed.entries[1:]]
        assert feed.feed.updated == "2026-12-02T08:40:05Z"
        assert feed.feed.links[0] == {
            "rel": "self",
            "type": "application/atom+xml",
            "href": f"{BASE}/feeds/alerts.atom",
        }

    def test_entries_say_what_happened(self) -> None:
        retraction, ir, update, new = parsed(render_alerts_feed(stream(), base_url=BASE)).entries
        assert new.title == "Ballistic missile launch — North Korea"
        assert update.title == "Update #2: Ballistic missile launch — North Korea"
        assert retraction.title == "Correction: Ballistic missile launch — North Korea"
        assert ir.title == "Ballistic missile launch — Iran"
        assert new.updated == "2026-12-02T08:10:05Z"
        assert new.summary == "kp-1 report 1"
        assert "Class: ICBM" in new.content[0].value
        assert "Confirmed by: JCS" in new.content[0].value
        assert "Update #2: count" in update.content[0].value
        assert "retracted" in retraction.content[0].value

    def test_links_to_the_source_report_and_to_the_cap_message(self) -> None:
        retraction, _, _, new = parsed(render_alerts_feed(stream(), base_url=BASE)).entries
        assert new.link == "https://news.example/kp-1/1"
        assert {"rel": "alternate", "type": "application/cap+xml",
                "href": f"{BASE}/feeds/cap/kp-1-r1.xml"} in new.links  # fmt: skip
        # a javascript: source link is left out; the CAP link stays
        assert [link["href"] for link in retraction.links] == [f"{BASE}/feeds/cap/kp-1-r3.xml"]

    def test_threaded_by_event(self) -> None:
        """Later revisions reply to the event's first entry (RFC 4685); every entry names its
        event in a category."""
        retraction, ir, update, new = parsed(render_alerts_feed(stream(), base_url=BASE)).entries
        assert retraction["thr_in-reply-to"]["ref"] == new.id
        assert update["thr_in-reply-to"]["ref"] == new.id
        assert "thr_in-reply-to" not in new
        assert "thr_in-reply-to" not in ir
        assert tags(update, "urn:missile-alerts:event") == ["kp-1"]
        assert tags(ir, "urn:missile-alerts:event") == ["ir-1"]
        assert tags(retraction, "urn:missile-alerts:kind") == ["correction"]

    def test_hostile_text_yields_well_formed_xml(self) -> None:
        hostile = revision(
            "ir-2",
            1,
            AlertKind.NEW,
            0,
            title=HOSTILE,
            url='https://x.example/?q="><script>\x00',
            facts=Facts(country='I"R<&>\x00', landing_area=HOSTILE, authority=HOSTILE),
        )
        for render in (render_alerts_feed, render_cap_index):
            xml = render([hostile], base_url=BASE)
            assert not any(ch in xml.decode() for ch in "\x00\x08\x0b\x1b\x7f\x9b")
            (entry,) = parsed(xml).entries
            assert 'IR FIRES <script>alert("x")</script> &amp; ]]>' in entry.summary
            assert entry.title == 'Ballistic missile launch — I"R<&>'

    def test_no_alerts_is_a_valid_empty_feed(self) -> None:
        feed = parsed(render_alerts_feed([], base_url=BASE))
        assert feed.entries == []
        assert feed.feed.updated == "1970-01-01T00:00:00Z"
        assert last_modified([]) is None


class TestCapIndex:
    def test_each_entry_links_to_its_cap_message(self) -> None:
        feed = parsed(render_cap_index(stream(), base_url=BASE))
        assert [e.links for e in feed.entries][-1] == [
            {"rel": "alternate", "type": "application/cap+xml",
             "href": f"{BASE}/feeds/cap/kp-1-r1.xml"}
        ]  # fmt: skip
        retraction = feed.entries[0]
        assert retraction.cap_identifier == "kp-1-r3"
        assert retraction.cap_msgtype == "Cancel"
        assert retraction.cap_sent == "2026-12-02T08:40:05+00:00"
        assert feed.entries[-1].cap_msgtype == "Alert"
        assert feed.entries[-1].cap_certainty == "Observed"
        assert retraction["thr_in-reply-to"]["ref"] == feed.entries[-1].id
        assert {e.id for e in feed.entries}.isdisjoint(
            e.id for e in parsed(render_alerts_feed(stream(), base_url=BASE)).entries
        )


class TestConditionalGet:
    ETAG = '"abc"'
    MODIFIED = datetime(2026, 12, 2, 8, 10, 5, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("if_none_match", "expected"),
        [('"abc"', True), ('W/"abc"', True), ('"x", "abc"', True), ("*", True),
         ('"abd"', False), ("", False)],
    )  # fmt: skip
    def test_if_none_match(self, if_none_match: str, expected: bool) -> None:
        assert not_modified(etag=self.ETAG, modified=self.MODIFIED, if_none_match=if_none_match,
                            if_modified_since=None) is expected  # fmt: skip

    @pytest.mark.parametrize(
        ("if_modified_since", "expected"),
        [("Wed, 02 Dec 2026 08:10:05 GMT", True), ("Wed, 02 Dec 2026 09:00:00 GMT", True),
         ("Wed, 02 Dec 2026 08:10:04 GMT", False), ("yesterday", False), ("", False)],
    )  # fmt: skip
    def test_if_modified_since(self, if_modified_since: str, expected: bool) -> None:
        assert not_modified(etag=self.ETAG, modified=self.MODIFIED, if_none_match=None,
                            if_modified_since=if_modified_since) is expected  # fmt: skip

    def test_if_none_match_wins_over_if_modified_since(self) -> None:
        assert not not_modified(etag=self.ETAG, modified=self.MODIFIED, if_none_match='"old"',
                                if_modified_since="Wed, 02 Dec 2026 09:00:00 GMT")  # fmt: skip

    def test_last_modified_is_the_newest_revision_to_the_second(self) -> None:
        assert last_modified(stream()) == datetime(2026, 12, 2, 8, 40, 5, tzinfo=UTC)
