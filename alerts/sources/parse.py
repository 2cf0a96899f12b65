"""Feed documents to Items. Pure: bytes in, values out; no network, no clock.

    parse_feed(body) ─▶ size + hostile-XML guard ─▶ backend (XML: feedparser; JSON Feed: json)
                     ─▶ RawFeed ─▶ normalise (text, canonical URL, UTC time, language, identity)
                     ─▶ ParsedFeed(title, items, ttl_s)

Backends only translate a document into `RawFeed`/`RawEntry` (the publisher's values, HTML
still in); everything the pipeline relies on is decided once, here, in `normalise_feed`. A faster
XML backend can therefore be swapped in through `parse_feed(..., xml_backend=...)` and held to
the same tests.

Safety: documents larger than `MAX_FEED_BYTES` are refused; a DOCTYPE that declares entities
(billion laughs, XXE) is refused before any parser sees the document; feedparser is given
bytes only, so it never opens a URL or a file, and it never resolves external entities.
"""

from __future__ import annotations

import codecs
import json
import re
import xml.sax
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import defusedxml.ElementTree as DefusedET
import feedparser

try:  # optional speed-up; feedparser alone is the fallback everywhere
    import feedparser_rs
except ImportError:  # pragma: no cover - exercised where the wheel is unavailable
    feedparser_rs = None  # type: ignore[assignment]
from defusedxml import DefusedXmlException

from alerts.errors import SourceError, SourceErrorKind
from alerts.models import Item
from alerts.sources.urls import canonical_url, content_hash, item_identity

MAX_FEED_BYTES = 10_000_000
SUMMARY_MAX_CHARS = 4_000
TITLE_MAX_CHARS = 1_000


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """One parsed document: its title, its entries as Items, and RSS <ttl> in seconds."""

    title: str
    items: tuple[Item, ...]
    ttl_s: float | None


@dataclass(frozen=True, slots=True)
class RawEntry:
    """An entry as the document states it; what a backend returns. HTML is not yet stripped."""

    guid: str | None = None
    link: str | None = None
    title: str = ""
    title_is_html: bool = False
    summary: str = ""
    summary_is_html: bool = True
    published_at: datetime | None = None  # aware UTC, when the backend could read the date
    date_text: str | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class RawFeed:
    """A document as its backend read it."""

    title: str = ""
    ttl_text: str | None = None  # RSS <ttl>: minutes
    lang: str | None = None
    entries: tuple[RawEntry, ...] = field(default_factory=tuple)


class FeedFormatError(ValueError):
    """A backend could not read the document as a feed; the message says why."""


# (body, content_type, url) -> RawFeed; raises FeedFormatError.
FeedBackend = Callable[[bytes, str | None, str], RawFeed]


def parse_feed(
    body: bytes,
    *,
    source: str,
    content_type: str | None = None,
    url: str = "",
    xml_backend: FeedBackend | None = None,
) -> ParsedFeed:
    """Parse an RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed 1.x document into Items.

    Args:
        body: the document as received (decoded of any Content-Encoding).
        source: the source name; set on every Item and on errors.
        content_type: the Content-Type header, if any; its charset is honoured.
        url: the document's URL, to resolve relative links.
        xml_backend: the XML parser to use (default: feedparser).

    Raises:
        SourceError: kind PARSE when the document is not a feed, is malformed beyond
            recovery, or declares entities; kind TOO_LARGE above MAX_FEED_BYTES.
    """
    if len(body) > MAX_FEED_BYTES:
        raise SourceError(
            f"document of {len(body)} bytes is over the {MAX_FEED_BYTES} byte limit",
            source=source,
            kind=SourceErrorKind.TOO_LARGE,
        )
    try:
        if _looks_like_json(body, content_type):
            raw = parse_json_feed(body, content_type, url)
        else:
            refuse_hostile_xml(body)
            raw = (xml_backend or parse_xml_fast)(body, content_type, url)
    except FeedFormatError as exc:
        raise SourceError(str(exc), source=source, kind=SourceErrorKind.PARSE) from exc
    return normalise_feed(raw, source=source, base_url=url)


# --- guard -------------------------------------------------------------------------------

_DOCTYPE_RE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_ENTITY_RE = re.compile(r"<!ENTITY", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def refuse_hostile_xml(body: bytes) -> None:
    """Raise FeedFormatError if the document's DOCTYPE declares entities.

    Entity declarations are how billion-laughs and XXE documents work, and no news feed needs
    them. Checked twice: a scan of the text (any ASCII-compatible encoding, UTF-16/32), and
    defusedxml's expat parser, which stops at the first declaration before anything expands.
    A DOCTYPE without declarations (RSS 0.91's Netscape DTD) is fine; external DTDs are never
    fetched by either parser.
    """
    text = _markup_text(body)
    doctype = _DOCTYPE_RE.search(text)
    if doctype is None:
        return
    if _ENTITY_RE.search(text, doctype.end()):
        raise FeedFormatError("refused: the DOCTYPE declares entities (entity expansion / XXE)")
    try:
        DefusedET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedFormatError(f"refused: {type(exc).__name__} in the DOCTYPE") from exc
    except Exception:  # malformed, or an encoding expat lacks: the backend decides
        pass


def _markup_text(body: bytes) -> str:
    """The document as text good enough to find markup in, whatever its encoding."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    head = body[:4]
    if head in (b"<\x00\x00\x00", b"\x00\x00\x00<"):  # UTF-32 without a byte-order mark
        return body.decode("utf-32-le" if head[0] else "utf-32-be", errors="replace")
    if head in (b"<\x00?\x00", b"<\x00!\x00"):
        return body.decode("utf-16-le", errors="replace")
    if head in (b"\x00<\x00?", b"\x00<\x00!"):
        return body.decode("utf-16-be", errors="replace")
    return body.decode("latin-1")


# --- XML backend: feedparser ---------------------------------------------------------------

_XML_DECL_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)""")
_SINGLE_BYTE_WESTERN = re.compile(r"^(us-?ascii|ascii|iso-?8859-\d+|latin-?1|(windows|cp)-?125\d)$")
_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)
_HTML_START_RE = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.I | re.S)


def parse_xml_feedparser(body: bytes, content_type: str | None, url: str) -> RawFeed:
    """Read an XML feed with feedparser (robust: recovers malformed XML, odd encodings)."""
    charset = _effective_charset(body, content_type)
    headers = {"content-type": f"application/xml; charset={charset}"} if charset else {}
    # No content-location: feedparser would resolve non-URL GUIDs against it, making identity
    # depend on the feed's address. Links are resolved in `_item`. HTML is stripped to text
    # later, so feedparser's sanitiser and URI resolver are wasted work.
    try:
        doc = feedparser.parse(
            body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as exc:
        # feedparser crashes on some hostile bytes (a non-UTF-8 encoding name in the XML
        # declaration raises UnicodeDecodeError); any crash on untrusted input is a PARSE error.
        raise FeedFormatError(f"unreadable document ({type(exc).__name__})") from exc
    if not doc.get("version") and not doc.entries:
        if _HTML_START_RE.match(body[:4096]):
            raise FeedFormatError("not a feed: the document is an HTML page")
        reason = doc.get("bozo_exception")
        detail = f" ({type(reason).__name__}: {reason})" if reason else ""
        raise FeedFormatError(f"not a feed: no RSS, Atom or RDF structure found{detail}")
    reason = doc.get("bozo_exception")
    if not doc.entries and isinstance(reason, xml.sax.SAXParseException):
        # e.g. a body cut off inside the channel header: a broken document, not an empty feed
        raise FeedFormatError(f"malformed XML and no items read (truncated?): {reason}")
    feed = doc.feed
    return RawFeed(
        title=_detail_text(feed, "title"),
        ttl_text=feed.get("ttl"),
        lang=feed.get("language") or None,
        entries=tuple(_feedparser_entry(entry, feed.get("language")) for entry in doc.entries),
    )


def parse_xml_fast(body: bytes, content_type: str | None, url: str) -> RawFeed:
    """Read an XML feed with feedparser-rs (a Rust parser with feedparser's result shape,
    about 20x faster), and hand anything it is unsure of to feedparser.

    A clean, well-formed feed in UTF-8 (the common case) never touches feedparser; a document
    feedparser-rs flags (malformed XML, odd encodings, no entries where some are written)
    gets feedparser's recovery, so speed costs no robustness.
    """
    if feedparser_rs is None or not _plainly_utf8(body, content_type):
        return parse_xml_feedparser(body, content_type, url)
    try:
        doc = feedparser_rs.parse(body)
    except Exception:  # a crash on untrusted input: let the robust parser try
        return parse_xml_feedparser(body, content_type, url)
    looks_empty = not doc.entries and (b"<item" in body or b"<entry" in body)
    if doc.get("bozo") or not doc.get("version") or looks_empty:
        return parse_xml_feedparser(body, content_type, url)
    feed = doc.feed
    return RawFeed(
        title=unescape(_detail_text(feed, "title")),
        ttl_text=feed.get("ttl"),
        lang=feed.get("language") or None,
        entries=tuple(_feedparser_entry(entry, feed.get("language")) for entry in doc.entries),
    )


def _plainly_utf8(body: bytes, content_type: str | None) -> bool:
    """Header and XML declaration both say UTF-8 (or ASCII) or nothing: no encoding doubt."""
    header = _CHARSET_RE.search(content_type or "")
    declared = _XML_DECL_ENCODING_RE.match(body[:512])
    labels = [
        header.group(1) if header else "",
        declared.group(1).decode("ascii") if declared else "",
    ]
    utf8 = {"", "utf8", "usascii", "ascii"}
    return not body.startswith((b"\xff\xfe", b"\xfe\xff")) and all(
        label.lower().replace("-", "") in utf8 for label in labels
    )


def _effective_charset(body: bytes, content_type: str | None) -> str | None:
    """The charset to impose on feedparser, or None to let the document's own say decide.

    A header charset wins (RFC 7303), with one exception: a body that is valid non-ASCII
    UTF-8 but labelled (by header or XML declaration) with a single-byte western encoding is
    UTF-8 mislabelled, a common server default. Decoding it as labelled would give mojibake,
    and real latin-1 text is practically never valid UTF-8.
    """
    header = _CHARSET_RE.search(content_type or "")
    declared = _XML_DECL_ENCODING_RE.match(body[:512])
    label = header.group(1) if header else (declared.group(1).decode("ascii") if declared else "")
    if label and _SINGLE_BYTE_WESTERN.match(label.lower()) and _is_non_ascii_utf8(body):
        return "utf-8"
    return header.group(1) if header else None


def _is_non_ascii_utf8(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _feedparser_entry(entry: Any, feed_lang: str | None) -> RawEntry:
    summary_key = "summary" if entry.get("summary") else None
    summary, summary_type = "", "text/html"
    if summary_key:
        summary = entry.get("summary", "")
        summary_type = entry.get("summary_detail", {}).get("type", "text/html")
    elif entry.get("content"):
        summary = entry.content[0].get("value", "")
        summary_type = entry.content[0].get("type", "text/html")
    # The first date feedparser could read, else the first date text there is.
    date_keys = ("published", "updated", "created")
    date_key = next((k for k in date_keys if entry.get(f"{k}_parsed")), None) or next(
        (k for k in date_keys if entry.get(k)), None
    )
    title_detail = entry.get("title_detail", {})
    return RawEntry(
        guid=entry.get("id") or None,
        link=entry.get("link") or None,
        title=entry.get("title", ""),
        title_is_html="html" in title_detail.get("type", "text/plain"),
        summary=summary,
        summary_is_html="html" in summary_type,
        published_at=_struct_time_utc(entry.get(f"{date_key}_parsed")) if date_key else None,
        date_text=entry.get(date_key) if date_key else None,
        lang=title_detail.get("language") or feed_lang,
    )


def _detail_text(node: Any, key: str) -> str:
    value = node.get(key, "")
    is_html = "html" in node.get(f"{key}_detail", {}).get("type", "text/plain")
    return _text(value, is_html=is_html, limit=TITLE_MAX_CHARS)


def _struct_time_utc(value: Any) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime (None if absent or out of range)."""
    if value is None:
        return None
    try:
        year, month, day, hour, minute, second = value[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


# --- JSON Feed backend ---------------------------------------------------------------------


def _looks_like_json(body: bytes, content_type: str | None) -> bool:
    start = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"{"):
        return True
    return "json" in (content_type or "").lower() and not start.startswith(b"<")


def parse_json_feed(body: bytes, content_type: str | None, url: str) -> RawFeed:
    """Read a JSON Feed 1.0/1.1 document (https://jsonfeed.org/version/1.1)."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedFormatError(f"malformed JSON: {exc}") from exc
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise FeedFormatError("not a feed: JSON without a jsonfeed.org version")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedFormatError("malformed JSON Feed: `items` is not a list")
    feed_lang = _str_or_none(doc.get("language"))
    return RawFeed(
        title=_str_or_none(doc.get("title")) or "",
        lang=feed_lang,
        entries=tuple(_json_entry(item, feed_lang) for item in items if isinstance(item, dict)),
    )


def _json_entry(item: dict[str, Any], feed_lang: str | None) -> RawEntry:
    # JSON Feed's `summary` is plain text; prefer it, like an RSS description, then content.
    text = _str_or_none(item.get("summary"))
    html = None if text else _str_or_none(item.get("content_html"))
    text = text or _str_or_none(item.get("content_text"))
    date_text = _str_or_none(item.get("date_published")) or _str_or_none(item.get("date_modified"))
    guid = item.get("id")
    return RawEntry(
        guid=str(guid) if isinstance(guid, str | int) and str(guid).strip() else None,
        link=_str_or_none(item.get("url")) or _str_or_none(item.get("external_url")),
        title=_str_or_none(item.get("title")) or "",
        title_is_html=False,
        summary=html or text or "",
        summary_is_html=html is not None,
        published_at=_iso_datetime_utc(date_text),
        date_text=date_text,
        lang=_str_or_none(item.get("language")) or feed_lang,
    )


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _iso_datetime_utc(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # "0001-01-01T00:00+01:00" has no UTC equivalent
        return None


# --- normalisation -------------------------------------------------------------------------

_SPACE_RE = re.compile(r"\s+")
_LANG_RE = re.compile(r"^([A-Za-z]{2})(?:$|[-_])")


def normalise_feed(raw: RawFeed, *, source: str, base_url: str) -> ParsedFeed:
    """Items from a backend's RawFeed: text, canonical URLs, UTC times, languages, ids."""
    # an entry with no title, text or link (the tail of a truncated body) says nothing
    items = [
        _item(entry, source=source, base_url=base_url)
        for entry in raw.entries
        if entry.title.strip() or entry.summary.strip() or (entry.link or "").strip()
    ]
    return ParsedFeed(
        title=_text(raw.title, is_html=False, limit=TITLE_MAX_CHARS),
        items=_disambiguate(items),
        ttl_s=_ttl_seconds(raw.ttl_text),
    )


def _item(entry: RawEntry, *, source: str, base_url: str) -> Item:
    title = _text(entry.title, is_html=entry.title_is_html, limit=TITLE_MAX_CHARS)
    full_summary = _text(entry.summary, is_html=entry.summary_is_html, limit=None)
    url = _safe_link(base_url, entry.link)
    return Item(
        id=item_identity(entry.guid, url or None, title, full_summary),
        source=source,
        title=title,
        url=url,
        summary=_truncate(full_summary, SUMMARY_MAX_CHARS),
        published_at=entry.published_at,
        lang=normalise_lang(entry.lang),
        published_local=entry.date_text.strip() if entry.date_text else None,
    )


def _disambiguate(items: Iterable[Item]) -> tuple[Item, ...]:
    """Make ids unique inside one document, the same way on every poll.

    Of the entries sharing an id, the earliest published (on a tie, the last in document order,
    which in newest-first feeds is the one seen first) keeps it; the others get
    `id#<content hash>`, so a reused GUID on a new story still reads as new. Exact repeats
    (same id, same text) are kept once.
    """
    items = list(items)
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        groups.setdefault(item.id, []).append(index)
    keep: list[Item | None] = list(items)
    for indices in groups.values():
        if len(indices) == 1:
            continue
        owner = min(indices, key=lambda i: (_sort_time(items[i]), -i))
        seen = {items[owner].id}
        for i in indices:
            if i == owner:
                continue
            new_id = f"{items[i].id}#{content_hash(items[i].title, items[i].summary)[:12]}"
            if new_id in seen or _same_text(items[i], items[owner]):
                keep[i] = None
                continue
            seen.add(new_id)
            keep[i] = _with_id(items[i], new_id)
    return tuple(item for item in keep if item is not None)


def _sort_time(item: Item) -> datetime:
    return item.published_at or datetime.max.replace(tzinfo=UTC)


def _same_text(a: Item, b: Item) -> bool:
    return (a.title, a.summary, a.url) == (b.title, b.summary, b.url)


def _with_id(item: Item, new_id: str) -> Item:
    return Item(
        id=new_id,
        source=item.source,
        title=item.title,
        url=item.url,
        summary=item.summary,
        published_at=item.published_at,
        lang=item.lang,
        published_local=item.published_local,
    )


def _ttl_seconds(text: str | None) -> float | None:
    """RSS <ttl> is in minutes; a missing, non-numeric or non-positive value is None."""
    if not text:
        return None
    try:
        minutes = float(text.strip())
    except ValueError:
        return None
    return minutes * 60.0 if minutes > 0 and minutes < 1e7 else None


def normalise_lang(tag: str | None) -> str | None:
    """`ko-KR` → `ko`, `EN_us` → `en`; anything without a two-letter primary subtag → None."""
    match = _LANG_RE.match(tag.strip()) if tag else None
    return match.group(1).lower() if match else None


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment: entities unescaped, script/style dropped."""

    _SKIP = frozenset({"script", "style", "template", "noscript"})
    _BREAK = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BREAK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _safe_link(base_url: str, link: str | None) -> str:
    """The entry's canonical absolute link; "" for one no URL parser accepts ("http://[x]/"),
    so a single hostile link cannot make the whole feed unreadable."""
    if not link:
        return ""
    try:
        return canonical_url(urljoin(base_url, link.strip()))
    except ValueError:
        return ""


# Signs that a caller's text is HTML (a news API's description): a closing tag, a tag with
# attributes, a line break, image or paragraph tag, or a comment. A bare "<b>" or "<Hwasong-18>"
# alone is text.
_MARKUP_RE = re.compile(
    r"</[a-zA-Z][a-zA-Z0-9]*\s*>|<[a-zA-Z][a-zA-Z0-9]*\s+[a-zA-Z_:-]+\s*=|<(?:br|hr|img|p)\s*/?>|<!--",
    re.I,
)


def plain_text(value: str) -> str:
    """Text given by a caller that may hold markup (a news API's description): tags stripped
    when it holds some ("range < 500 km" keeps its "<"), entities unescaped and whitespace
    collapsed either way."""
    return _text(value, is_html=bool(_MARKUP_RE.search(value)), limit=None)


def _text(value: str, *, is_html: bool, limit: int | None) -> str:
    """Plain text: tags stripped (for HTML), entities unescaped, whitespace collapsed."""
    if not value:
        return ""
    if is_html:
        extractor = _TextExtractor()
        extractor.feed(value)
        extractor.close()
        value = "".join(extractor.parts)
    elif "&" in value:
        value = unescape(value)
    value = _SPACE_RE.sub(" ", value).strip()
    if not value.isascii():  # lone surrogates (JSON "\ud800") cannot be stored or sent
        value = value.encode("utf-8", "replace").decode("utf-8")
    return _truncate(value, limit) if limit else value


def _truncate(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary when one is near, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"
