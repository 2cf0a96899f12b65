"""The fast XML backend (feedparser-rs) agrees with feedparser, and defers to it when unsure."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.sources import parse

FEEDS = Path(__file__).parents[1] / "data" / "feeds"
# rss2_noguid.xml has relative links: feedparser-rs resolves them against the channel link,
# our feedparser path against the feed URL (both are defensible; noted in parse_xml_fast).
PLAIN = ["atom03.xml", "atom10.xml", "rss091.xml", "rss1_rdf.xml", "rss2.xml", "yonhap_ko.xml"]


@pytest.mark.parametrize("name", PLAIN)
def test_same_items_as_feedparser(name: str) -> None:
    """On clean UTF-8 documents both backends yield identical Items."""
    body = (FEEDS / name).read_bytes()
    fast = parse.parse_feed(body, source="s", url="https://x.example/feed")
    slow = parse.parse_feed(body, source="s", url="https://x.example/feed",
                            xml_backend=parse.parse_xml_feedparser)  # fmt: skip
    assert fast == slow


@pytest.mark.parametrize("name", ["malformed.xml", "wrong_encoding.xml", "nhk_ja_sjis.xml"])
def test_doubtful_documents_go_to_feedparser(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Malformed or non-UTF-8 documents get feedparser's recovery, with the same result."""
    body = (FEEDS / name).read_bytes()
    used: list[str] = []
    real = parse.parse_xml_feedparser

    def spy(*args: object) -> parse.RawFeed:
        used.append("feedparser")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(parse, "parse_xml_feedparser", spy)
    items = parse.parse_feed(body, source="s").items
    assert used == ["feedparser"]
    assert items


def test_plain_feed_skips_feedparser(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean UTF-8 feed never reaches the slow parser."""
    monkeypatch.setattr(parse, "parse_xml_feedparser", lambda *a: pytest.fail("slow path"))
    assert parse.parse_feed((FEEDS / "rss2.xml").read_bytes(), source="s").items
