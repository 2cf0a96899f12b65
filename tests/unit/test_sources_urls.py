"""Canonical URLs and item identity: two spellings of one article are one item."""

from __future__ import annotations

import pytest

from alerts.sources.urls import canonical_url, content_hash, item_identity


class TestCanonicalUrl:
    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("HTTPS://News.Example.COM/World/Story", "https://news.example.com/World/Story"),
            ("https://example.com/a#comments", "https://example.com/a"),
            ("https://example.com", "https://example.com/"),
            ("http://example.com:80/a", "http://example.com/a"),
            ("https://example.com:443/a", "https://example.com/a"),
            ("https://example.com:8443/a", "https://example.com:8443/a"),
            ("  https://example.com/a  ", "https://example.com/a"),
            (
                "https://e.com/a?utm_source=rss&id=7&utm_medium=feed&page=2",
                "https://e.com/a?id=7&page=2",
            ),
            ("https://e.com/a?fbclid=IwAR0&gclid=x&mc_cid=1&mc_eid=2", "https://e.com/a"),
            ("https://e.com/a?UTM_Campaign=x&q=missile", "https://e.com/a?q=missile"),
            ("https://e.com/a?b=2&a=1", "https://e.com/a?b=2&a=1"),
            ("https://e.com/a?q=%ED%95%9C", "https://e.com/a?q=%ED%95%9C"),
            ("https://e.com/a?flag&x=", "https://e.com/a?flag&x="),
            ("https://example.com./a", "https://example.com/a"),
            ("https://user:Pw@Example.com/a", "https://user:Pw@example.com/a"),
            ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        ],
    )
    def test_canonical_spelling(self, url: str, expected: str) -> None:
        """Case of scheme and host, default ports, fragments and trackers do not matter."""
        assert canonical_url(url) == expected

    @pytest.mark.parametrize("text", ["", "not a url", "/relative/path", "https://[::1/a"])
    def test_non_urls_come_back_stripped(self, text: str) -> None:
        """Text that is not an absolute URL is returned as it was, minus outer spaces."""
        assert canonical_url(f" {text} ") == text

    def test_idempotent(self) -> None:
        """Canonicalising twice changes nothing."""
        url = "HTTP://Example.com:80/a?utm_source=x&b=1#f"
        assert canonical_url(canonical_url(url)) == canonical_url(url) == "http://example.com/a?b=1"


class TestItemIdentity:
    def test_guid_wins_and_is_opaque(self) -> None:
        """A GUID is the id as written, even when it looks like a URL."""
        assert item_identity(" HTTP://E.com/A?utm_source=x ", "https://e.com/b", "t", "c") == (
            "HTTP://E.com/A?utm_source=x"
        )

    def test_url_when_no_guid(self) -> None:
        """Without a GUID the canonical link is the id."""
        assert item_identity(None, "HTTPS://E.com/a?utm_source=x#top", "t", "c") == (
            "https://e.com/a"
        )
        assert item_identity("  ", "https://e.com/a", "t", "c") == "https://e.com/a"

    def test_hash_when_nothing_else(self) -> None:
        """Without GUID or link the id hashes the text, ignoring whitespace differences."""
        one = item_identity(None, None, "Missile  launch", "North Korea\nfired")
        two = item_identity(None, "", " Missile launch ", "North Korea fired")
        assert one == two == f"sha256:{content_hash('Missile launch', 'North Korea fired')}"
        assert one.startswith("sha256:")
        assert len(one) == len("sha256:") + 32
        assert item_identity(None, None, "Missile launch", "other text") != one
