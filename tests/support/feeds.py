"""Real-format feed documents built from entries, for tests that publish news into a local feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Entry:
    guid: str
    title: str
    link: str
    published: datetime
    summary: str = ""


def rss(entries: list[Entry], *, title: str = "Test wire", lang: str = "en") -> bytes:
    """An RSS 2.0 document, newest entry first as outlets publish them."""
    items = "".join(
        f'<item><guid isPermaLink="false">{escape(e.guid)}</guid><title>{escape(e.title)}</title>'
        f"<link>{escape(e.link)}</link><description>{escape(e.summary)}</description>"
        f"<pubDate>{format_datetime(e.published)}</pubDate></item>"
        for e in sorted(entries, key=lambda e: e.published, reverse=True)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link>"
        f"<description>test</description><language>{lang}</language>{items}</channel></rss>"
    ).encode()


def atom(entries: list[Entry], *, title: str = "Test atom", lang: str = "ja") -> bytes:
    """An Atom 1.0 document."""
    body = "".join(
        f"<entry><id>{escape(e.guid)}</id><title>{escape(e.title)}</title>"
        f'<link rel="alternate" href="{escape(e.link)}"/>'
        f"<updated>{e.published.isoformat()}</updated><published>{e.published.isoformat()}"
        f"</published><summary>{escape(e.summary)}</summary></entry>"
        for e in sorted(entries, key=lambda e: e.published, reverse=True)
    )
    updated = max((e.published for e in entries), default=datetime(2026, 1, 1)).isoformat()
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:lang="{lang}"><title>{escape(title)}</title><id>urn:test:{escape(title)}</id>'
        f"<updated>{updated}</updated>{body}</feed>"
    ).encode()
