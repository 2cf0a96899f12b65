"""parse_feed over real-format documents in tests/data/feeds: whole Items, hostile input refused."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest

from alerts.cli import item_from_json, read_items
from alerts.errors import SourceError, SourceErrorKind
from alerts.models import Item
from alerts.sources import parse
from alerts.sources.parse import (
    MAX_FEED_BYTES,
    SUMMARY_MAX_CHARS,
    ParsedFeed,
    RawEntry,
    RawFeed,
    normalise_lang,
    parse_feed,
    parse_xml_feedparser,
    plain_text,
)
from alerts.sources.urls import content_hash

FEEDS = Path(__file__).parents[1] / "data" / "feeds"
RSS_HEAD = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'


def load(name: str, **kwargs: object) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), source="src", **kwargs)  # type: ignore[arg-type]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class TestFormats:
    def test_rss2(self) -> None:
        """RSS 2.0: GUIDs, ttl in minutes, HTML stripped, trackers dropped, zones normalised."""
        feed = load("rss2.xml", url="https://news.example.com/rss.xml")
        assert feed == ParsedFeed(
            title="Defense Wire & Wires",
            ttl_s=300.0,
            items=(
                Item(
                    id="urn:example:news:98765",
                    source="src",
                    title="North Korea fires ballistic missile into East Sea, JCS says",
                    url="https://news.example.com/world/asia/nk-missile-0325?id=42",
                    summary=(
                        "North Korea fired a short-range ballistic missile toward the East Sea "
                        "on Tuesday morning, South Korea\u2019s Joint Chiefs of Staff said."
                    ),
                    published_at=utc(2026, 11, 24, 23, 12),
                    lang="en",
                    published_local="Tue, 25 Nov 2026 08:12:00 +0900",
                ),
                Item(
                    id="https://news.example.com/world/asia/japan-eez",
                    source="src",
                    title="Japan says object likely fell outside its EEZ",
                    url="https://news.example.com/world/asia/japan-eez",
                    summary="Japan's defense ministry & coast guard issued a notice.",
                    published_at=utc(2026, 11, 25, 0, 5),
                    lang="en",
                    published_local="Tue, 25 Nov 2026 00:05:00 GMT",
                ),
            ),
        )

    def test_rss2_without_guids(self) -> None:
        """No GUID: relative links resolve against the feed URL, else the text is hashed."""
        feed = load("rss2_noguid.xml", url="https://wire.example.org/feeds/flash.xml")
        assert feed.ttl_s is None
        assert feed.items == (
            Item(
                id="https://wire.example.org/flash/2026/11/25/iran-launch?ref=home",
                source="src",
                title="FLASH: Iran launches missiles toward Israel - IDF",
                url="https://wire.example.org/flash/2026/11/25/iran-launch?ref=home",
                summary="Sirens sounded across central Israel.",
                published_at=utc(2026, 11, 25, 8, 41, 10),
                lang=None,
                published_local="2026-11-25T03:41:10-05:00",
            ),
            # The exact repeat that follows it in the document is kept once.
            Item(
                id="sha256:"
                + content_hash("Markets steady after launch reports", "Oil prices rose slightly."),
                source="src",
                title="Markets steady after launch reports",
                summary="Oil prices rose slightly.",
            ),
        )

    def test_rss1_rdf(self) -> None:
        """RSS 1.0 (RDF) with dc:date and dc:language."""
        assert load("rss1_rdf.xml").items == (
            Item(
                id="https://rdf.example.jp/articles/1001",
                source="src",
                title="北朝鮮が弾道ミサイルを発射 防衛省",
                url="https://rdf.example.jp/articles/1001",
                summary="防衛省によりますと、北朝鮮から弾道ミサイルの可能性があるものが発射されました。",
                published_at=utc(2026, 11, 24, 22, 58),
                lang="ja",
                published_local="2026-11-25T07:58:00+09:00",
            ),
        )

    def test_rss091_with_netscape_doctype(self) -> None:
        """RSS 0.91's public DOCTYPE declares no entities, so it is read (and never fetched)."""
        feed = load("rss091.xml")
        assert feed == ParsedFeed(
            title="Old Wire",
            ttl_s=None,
            items=(
                Item(
                    id="http://oldwire.example.net/stories/123.html",
                    source="src",
                    title="Missile test reported near Pyongyang",
                    url="http://oldwire.example.net/stories/123.html",
                    summary="Officials in Seoul reported a launch.",
                    lang="en",
                ),
            ),
        )

    def test_atom10(self) -> None:
        """Atom 1.0: html titles stripped, xhtml content when no summary, xml:lang per entry."""
        feed = load("atom10.xml")
        assert feed.title == "Atom Security Feed"
        assert feed.items == (
            Item(
                id="tag:atom.example.com,2026:entry-77",
                source="src",
                title="Houthis claim ballistic missile launch at ship",
                url="https://atom.example.com/2026/11/25/houthi-launch",
                summary="The group said it fired a ballistic missile.",
                published_at=utc(2026, 11, 25, 7, 15, 30),
                lang="en",
                published_local="2026-11-25T10:15:30+03:00",
            ),
            Item(
                id="tag:atom.example.com,2026:entry-78",
                source="src",
                title="Update only",
                url="https://atom.example.com/2026/11/25/update",
                summary="Content only, no summary.",
                published_at=utc(2026, 11, 25, 12, 0),
                lang="ar",
                published_local="2026-11-25T12:00:00Z",
            ),
        )

    def test_atom03(self) -> None:
        """Atom 0.3: `issued` is the publication time."""
        assert load("atom03.xml").items == (
            Item(
                id="tag:legacy.example.com,2026:55",
                source="src",
                title="Pakistan tests ballistic missile",
                url="https://legacy.example.com/posts/55",
                summary="ISPR said the training launch was successful.",
                published_at=utc(2026, 11, 25, 9, 30),
                lang="en",
                published_local="2026-11-25T14:30:00+05:00",
            ),
        )

    def test_json_feed_11(self) -> None:
        """JSON Feed 1.1: item language beats feed language; numeric ids become strings."""
        feed = load("jsonfeed11.json", content_type="application/feed+json")
        assert feed == ParsedFeed(
            title="JSON Security Feed",
            ttl_s=None,
            items=(
                Item(
                    id="2026-11-25-001",
                    source="src",
                    title="Russia launches Iskander missiles & drones",
                    url="https://json.example.com/posts/russia-launch?page=2",
                    summary="Ukraine's air force said two ballistic missiles were fired.",
                    published_at=utc(2026, 11, 25, 3, 20),
                    lang="uk",
                    published_local="2026-11-25T05:20:00+02:00",
                ),
                Item(
                    id="1002",
                    source="src",
                    title="",
                    url="https://other.example.net/story",
                    summary="Plain text only. Second paragraph.",
                    published_at=utc(2026, 11, 25, 6, 0),
                    lang="en",
                    published_local="2026-11-25T06:00:00Z",
                ),
            ),
        )

    def test_json_feed_summary_is_plain_text(self) -> None:
        """JSON Feed `summary` is text: angle brackets in it are kept, not stripped as tags."""
        body = (
            b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1",'
            b' "summary": "range <1,000 km & rising", "content_html": "<p>long</p>"}]}'
        )
        assert parse_feed(body, source="src").items[0].summary == "range <1,000 km & rising"

    def test_json_detected_without_content_type(self) -> None:
        """A body starting with `{` is read as JSON whatever the header claims."""
        body = (FEEDS / "jsonfeed11.json").read_bytes()
        feed = parse_feed(body, source="src", content_type="text/html")
        assert [item.id for item in feed.items] == ["2026-11-25-001", "1002"]


class TestLanguagesAndEncodings:
    def test_yonhap_korean_utf8(self) -> None:
        """Korean text survives; <language>ko</language> gives lang "ko"."""
        assert load("yonhap_ko.xml").items == (
            Item(
                id="https://www.yna.co.kr/view/AKR20261125012300504",
                source="src",
                title='[속보] 합참 "북한, 동해상으로 탄도미사일 발사"',
                url="https://www.yna.co.kr/view/AKR20261125012300504?input=1195m",
                summary=(
                    "(서울=연합뉴스) 북한이 25일 오전 동해상으로 탄도미사일을 발사했다고 "
                    "합동참모본부가 밝혔다."
                ),
                published_at=utc(2026, 11, 24, 23, 3, 11),
                lang="ko",
                published_local="Tue, 25 Nov 2026 08:03:11 +0900",
            ),
        )

    def test_euc_kr_reads_like_utf8(self) -> None:
        """The same feed in EUC-KR gives the same items."""
        assert load("yonhap_ko_euckr.xml").items == load("yonhap_ko.xml").items

    def test_nhk_shift_jis(self) -> None:
        """A Shift_JIS feed decodes, full-width spaces collapse, <ttl>15</ttl> is 900 s."""
        feed = load("nhk_ja_sjis.xml")
        assert feed.title == "NHKニュース"
        assert feed.ttl_s == 900.0
        assert feed.items == (
            Item(
                id="http://www3.nhk.or.jp/news/html/20261125/k10014651234000.html",
                source="src",
                title="北朝鮮 弾道ミサイルの可能性があるもの発射 防衛省",
                url="http://www3.nhk.or.jp/news/html/20261125/k10014651234000.html",
                summary=(
                    "防衛省によりますと、午前7時58分ごろ、北朝鮮から弾道ミサイルの可能性が"
                    "あるものが東の方向に発射されました。"
                ),
                published_at=utc(2026, 11, 24, 23, 1),
                lang="ja",
                published_local="Tue, 25 Nov 2026 08:01:00 +0900",
            ),
        )

    def test_shift_jis_with_charsetless_text_xml_header(self) -> None:
        """`text/xml` without a charset does not force US-ASCII on a Shift_JIS document."""
        feed = load("nhk_ja_sjis.xml", content_type="text/xml")
        assert feed.items[0].title == "北朝鮮 弾道ミサイルの可能性があるもの発射 防衛省"

    def test_header_charset_is_honoured(self) -> None:
        """A charset in Content-Type overrides the document's declaration (RFC 7303)."""
        body = (FEEDS / "yonhap_ko.xml").read_bytes().replace(b'"UTF-8"', b'"ISO-8859-1"')
        feed = parse_feed(body, source="src", content_type="application/rss+xml; charset=utf-8")
        assert feed.title == "연합뉴스 최신기사"

    def test_utf8_mislabelled_as_latin1(self) -> None:
        """UTF-8 bytes declared as ISO-8859-1 are read as UTF-8, not as mojibake."""
        feed = load("wrong_encoding.xml")
        assert feed.title == "Nachrichten – Überblick"
        assert feed.items == (
            Item(
                id="nachrichten-2026-11-25-rakete",
                source="src",
                title="Nordkorea feuert ballistische Rakete ab – Südkorea berichtet",
                url="https://nachrichten.example.de/artikel/rakete",
                summary="Laut Generalstab in Seoul flog die Rakete rund 800 Kilometer weit.",
                published_at=utc(2026, 11, 25, 0, 10),
                lang="de",
                published_local="Tue, 25 Nov 2026 01:10:00 +0100",
            ),
        )

    def test_utf8_mislabelled_by_header(self) -> None:
        """A server default `charset=ISO-8859-1` on a UTF-8 feed does not cause mojibake."""
        body = (FEEDS / "yonhap_ko.xml").read_bytes()
        feed = parse_feed(body, source="src", content_type="text/xml; charset=ISO-8859-1")
        assert feed.title == "연합뉴스 최신기사"

    def test_real_latin1_stays_latin1(self) -> None:
        """Genuine ISO-8859-1 bytes (not valid UTF-8) are decoded as declared."""
        body = (FEEDS / "wrong_encoding.xml").read_text("utf-8").encode("iso-8859-1", "replace")
        assert parse_feed(body, source="src").title == "Nachrichten ? Überblick"

    @pytest.mark.parametrize(
        ("tag", "expected"),
        [
            ("ko", "ko"),
            ("ko-KR", "ko"),
            ("EN_us", "en"),
            (" ja ", "ja"),
            ("eng", None),
            ("x-klingon", None),
            ("", None),
            (None, None),
        ],
    )
    def test_language_tags(self, tag: str | None, expected: str | None) -> None:
        """Language tags reduce to a lowercase two-letter code or None."""
        assert normalise_lang(tag) == expected


class TestRecoveryAndRefusal:
    def test_body_cut_inside_the_channel_header_is_a_parse_error(self) -> None:
        """Not a healthy feed with 0 items: the source is marked with the reason."""
        cut = RSS_HEAD + b"<link>https://wire.example.com/</li"
        with pytest.raises(SourceError) as caught:
            parse_feed(cut, source="src", content_type="application/rss+xml")
        assert caught.value.kind is SourceErrorKind.PARSE
        assert "truncated" in str(caught.value)

    def test_body_cut_inside_an_item_keeps_the_whole_items(self) -> None:
        """The complete items are read; the cut-off tail with nothing in it is dropped."""
        cut = (RSS_HEAD + b"<item><title>Missile launch reported</title>"
               b"<link>https://wire.example.com/a</link></item><item><title>Sec")  # fmt: skip
        feed = parse_feed(cut, source="src", content_type="application/rss+xml")
        assert [i.title for i in feed.items] == ["Missile launch reported"]

    def test_malformed_xml_is_recovered(self) -> None:
        """Bare ampersands and a missing </rss> still yield every item (feedparser's loose mode)."""
        feed = load("malformed.xml", url="https://broken.example.com/rss")
        assert feed.title == "Broken Wire & Co"
        assert feed.items == (
            Item(
                id="broken-1",
                source="src",
                title="Missile launch reported & confirmed",
                url="https://broken.example.com/a?x=1&y=2",
                summary="Unescaped ampersand & an unclosed bold tag.",
            ),
            Item(
                id="broken-2",
                source="src",
                title="Second story",
                url="https://broken.example.com/b",
            ),
        )

    def test_html_page_is_not_a_feed(self) -> None:
        """An HTML page (a bot wall, an error page) is a PARSE error that says so."""
        with pytest.raises(SourceError) as caught:
            load("html_page.html", content_type="text/html; charset=utf-8")
        assert caught.value.kind is SourceErrorKind.PARSE
        assert caught.value.source == "src"
        assert "HTML page" in str(caught.value)

    @pytest.mark.parametrize(
        "body",
        [b"", b"just some text", b"<note><to>x</to></note>", b"\x00\xff\xfe garbage"],
    )
    def test_non_feeds_are_parse_errors(self, body: bytes) -> None:
        """Documents with no RSS, Atom or RDF structure are refused with kind PARSE."""
        with pytest.raises(SourceError) as caught:
            parse_feed(body, source="src")
        assert caught.value.kind is SourceErrorKind.PARSE
        assert "not a feed" in str(caught.value)

    @pytest.mark.parametrize(
        "body",
        [b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', b"{not json", b"{}"],
    )
    def test_bad_json_feeds(self, body: bytes) -> None:
        """Broken or foreign JSON is a PARSE error."""
        with pytest.raises(SourceError) as caught:
            parse_feed(body, source="src", content_type="application/json")
        assert caught.value.kind is SourceErrorKind.PARSE

    @pytest.mark.parametrize(
        "name", ["billion_laughs.xml", "xxe.xml", "xxe_parameter.xml", "xxe_utf16.xml"]
    )
    def test_entity_declarations_are_refused_before_parsing(
        self, name: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Entity bombs and external entities never reach a parser."""
        called: list[bytes] = []

        def spy_backend(body: bytes, content_type: str | None, url: str) -> RawFeed:
            called.append(body)
            return RawFeed()

        with pytest.raises(SourceError) as caught:
            load(name, xml_backend=spy_backend)
        assert caught.value.kind is SourceErrorKind.PARSE
        assert "refused" in str(caught.value)
        assert called == []

    @pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml", "xxe_parameter.xml"])
    def test_feedparser_alone_never_expands_entities(self, name: str) -> None:
        """Behind the guard, feedparser still neither expands nor resolves entities."""
        raw = parse_xml_feedparser((FEEDS / name).read_bytes(), None, "")
        text = " ".join(f"{e.title} {e.summary}" for e in raw.entries)
        assert "root:" not in text
        assert "lollol" not in text
        assert len(text) < 100

    def test_parser_crash_is_a_parse_error(self) -> None:
        """Bytes that crash feedparser itself (a non-UTF-8 encoding name) give kind PARSE."""
        body = b'<?xml version="1.0" encoding="\xfatf-8"?><rss version="2.0"><channel/></rss>'
        with pytest.raises(SourceError) as caught:
            parse_feed(body, source="src")
        assert caught.value.kind is SourceErrorKind.PARSE

    def test_oversized_documents_are_refused(self) -> None:
        """Bodies over MAX_FEED_BYTES are TOO_LARGE without being parsed."""
        with pytest.raises(SourceError) as caught:
            parse_feed(b" " * (MAX_FEED_BYTES + 1), source="src")
        assert caught.value.kind is SourceErrorKind.TOO_LARGE


class TestNormalisation:
    def test_summary_truncated_at_a_word(self) -> None:
        """Long summaries stop near SUMMARY_MAX_CHARS, at a word boundary, with an ellipsis."""
        words = " ".join(["launch"] * 2_000)
        body = (
            '<rss version="2.0"><channel><title>t</title><item><guid>g</guid><title>x</title>'
            f"<description>{words}</description></item></channel></rss>"
        ).encode()
        summary = parse_feed(body, source="src").items[0].summary
        assert len(summary) <= SUMMARY_MAX_CHARS
        assert len(summary) > SUMMARY_MAX_CHARS - 10
        assert summary.endswith("launch…")

    def test_colliding_guids_are_disambiguated_deterministically(self) -> None:
        """A reused GUID stays with the earliest story; the newer one gets a derived id."""
        body = b"""<rss version="2.0"><channel><title>t</title>
          <item><guid>same</guid><title>New launch</title>
            <pubDate>Tue, 25 Nov 2026 09:00:00 GMT</pubDate></item>
          <item><guid>same</guid><title>Old story</title>
            <pubDate>Mon, 24 Nov 2026 09:00:00 GMT</pubDate></item>
        </channel></rss>"""
        first = parse_feed(body, source="src")
        assert [item.id for item in first.items] == [
            f"same#{content_hash('New launch', '')[:12]}",
            "same",
        ]
        assert parse_feed(body, source="src") == first

    def test_backend_is_swappable(self) -> None:
        """Any backend returning RawFeed gets the same normalisation."""

        def backend(body: bytes, content_type: str | None, url: str) -> RawFeed:
            return RawFeed(
                title=" Fake ",
                ttl_text="2",
                lang="ko-KR",
                entries=(
                    RawEntry(
                        link="HTTPS://E.com/a#x",
                        title="<b>Bold</b> &amp; co",
                        title_is_html=True,
                        summary="<p>Hi</p>",
                        lang="ko-KR",
                    ),
                ),
            )

        feed = parse_feed(b"<rss/>", source="src", xml_backend=backend)
        assert feed == ParsedFeed(
            title="Fake",
            ttl_s=120.0,
            items=(
                Item(
                    id="https://e.com/a",
                    source="src",
                    title="Bold & co",
                    url="https://e.com/a",
                    summary="Hi",
                    lang="ko",
                ),
            ),
        )

    def test_default_backend_is_feedparser(self) -> None:
        """parse_feed uses feedparser unless told otherwise."""
        assert parse_feed.__kwdefaults__["xml_backend"] is None
        assert parse.parse_xml_feedparser is parse_xml_feedparser


@pytest.mark.parametrize(
    ("given", "text"),
    [
        ("<p>N. Korea fires <b>ballistic</b> missile</p>", "N. Korea fires ballistic missile"),
        ("北 미사일 &quot;발사&quot;<br/>합참", '北 미사일 "발사" 합참'),
        ("range < 500 km and > 300 km", "range < 500 km and > 300 km"),  # no markup: as given
        ("AT&amp;T", "AT&T"),
        ("a <b and c> d", "a <b and c> d"),  # no tag's attributes: text
        ("grade <b> students", "grade <b> students"),  # a bare tag alone is text
        ('<time datetime="x">Jan 1</time> N. Korea', "Jan 1 N. Korea"),  # any tag, once HTML
        ("<cite>Yonhap</cite> missile", "Yonhap missile"),
    ],
)
def test_text_given_by_a_caller_is_read_as_text(given: str, text: str) -> None:
    assert plain_text(given) == text


def test_a_json_lines_item_with_an_html_description_is_read_as_its_text() -> None:
    """`alerts classify` and `replay` take news APIs' records, whose descriptions are HTML."""
    item = item_from_json(
        {
            "title": "Iran fires &amp; claims hits",
            "summary": '<p>IRGC fires <a href="x">missiles</a></p>',
        },
        line_no=1,
    )
    assert (item.title, item.summary) == ("Iran fires & claims hits", "IRGC fires missiles")


@pytest.mark.parametrize(
    ("record", "source"),
    [
        ({"title": "t", "url": "https://www.yna.co.kr/view/AKR1"}, "yna.co.kr"),
        ({"title": "t", "url": "https://en.yna.co.kr/view/AEN1", "source": "yonhap"}, "yonhap"),
        ({"title": "t", "url": "https://m.yna.co.kr/view/AKR1"}, "yna.co.kr"),  # mobile site
        ({"title": "t", "url": "https://amp.cnn.com/x"}, "cnn.com"),
        ({"title": "t", "url": "http://[::1"}, "jsonl"),  # no outlet to name; the record stays
        ({"title": "t"}, "jsonl"),
    ],
)
def test_a_json_lines_item_without_a_source_is_its_url_host(record: dict, source: str) -> None:
    """Corroboration needs a second outlet: records naming none would all be one."""
    assert item_from_json(record, line_no=1).source == source


@pytest.mark.parametrize(
    "record",
    [
        {"title": "t", "summary": "s", "published": "2024-05-01T03:04:05Z", "lang": "en"},
        {"headline": "t", "description": "s", "publishedAt": "2024-05-01T03:04:05Z",
         "language": "en-US"},
        {"title": "t", "content": "s", "pubDate": "Wed, 01 May 2024 12:04:05 +0900", "lang": "EN"},
        {"title": "t", "body": "s", "timestamp": 1714532645},
        {"title": "t", "text": "s", "date": 1714532645000, "summary": ""},
    ],
)  # fmt: skip
def test_a_json_lines_record_may_use_a_news_apis_field_names_and_times(record: dict) -> None:
    """News APIs and feed exports name the same fields otherwise and give feeds' RFC 2822
    times or epoch seconds: a record they write is read, not dropped as malformed."""
    item = item_from_json(record, line_no=1)
    assert (item.title, item.summary) == ("t", "s")
    assert item.published_at == utc(2024, 5, 1, 3, 4, 5)
    assert item.lang in ("en", None)


def test_a_news_api_source_object_names_the_outlet() -> None:
    record = {
        "title": "t",
        "source": {"id": "reuters", "name": "Reuters"},
        "link": "https://x.io/a",
    }
    item = item_from_json(record, line_no=1)
    assert (item.source, item.url) == ("Reuters", "https://x.io/a")


@pytest.mark.parametrize(
    "published",
    ["yesterday", "2024-13-45", True, 10**20, "Mon, 99 Foo", 0, -5, 10**400, [1], {"a": 1},
     "Wed, 01 May 99999999999999999999 12:04:05 +0900", "Wed, 01 May 2024 12:04:05 XYZ",
     float("nan"), float("inf")],
)  # fmt: skip
def test_a_json_lines_time_that_is_no_time_is_a_clear_error(published: object) -> None:
    with pytest.raises(ValueError, match="published"):
        item_from_json({"title": "t", "published": published}, line_no=1)


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("Wed, 01 May 2024 12:04:05 KST", utc(2024, 5, 1, 3, 4, 5)),  # a zone named, not UTC
        ("Wed, 01 May 2024 12:04:05 JST", utc(2024, 5, 1, 3, 4, 5)),
        ("Wed, 01 May 2024 06:04:05 MSK", utc(2024, 5, 1, 3, 4, 5)),
        ("Tue, 30 Apr 2024 23:04:05 EDT", utc(2024, 5, 1, 3, 4, 5)),
        ("1714532645", utc(2024, 5, 1, 3, 4, 5)),  # epoch seconds as a string of digits
    ],
)
def test_a_json_lines_time_keeps_its_zone(published: str, expected: datetime) -> None:
    assert item_from_json({"title": "t", "published": published}, line_no=1).published_at == (
        expected
    )


def test_a_json_lines_field_of_the_wrong_type_is_absent() -> None:
    """A list or an object where text belongs is no text: it is not written out as one."""
    record = {"title": "t", "summary": ["a"], "url": {"x": 1}, "source": 3, "lang": 7}
    item = item_from_json(record, line_no=1)
    assert (item.summary, item.url, item.source, item.lang) == ("", "", "jsonl", None)


def test_a_json_lines_line_that_overflows_is_reported_not_raised() -> None:
    lines = StringIO('{"title": "t", "published": 1e400}\n{"title": "ok"}\n')
    read = list(read_items(lines))
    assert read[0][1] is None
    assert "line 1" in str(read[0][2])
    assert read[1][1] is not None
    assert read[1][1].title == "ok"


def test_a_json_lines_line_nested_too_deep_is_reported_not_raised() -> None:
    read = list(read_items(StringIO("[" * 100_000 + "\n" + '{"title": "ok"}\n')))
    assert read[0][1] is None
    assert read[1][1] is not None
