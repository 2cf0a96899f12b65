"""JSON news APIs (GDELT DOC API and the like) to Items, through a field mapping. Pure.

An API response is not a feed, so an operator says where its records and fields are
(`JsonApiMapping`: dot paths); the records then go through the same normalisation as feed
entries (text, canonical URL, UTC time, language, stable identity).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from alerts.errors import SourceError, SourceErrorKind
from alerts.models import JsonApiMapping
from alerts.sources.parse import MAX_FEED_BYTES, ParsedFeed, RawEntry, RawFeed, normalise_feed

# Language names some APIs use (GDELT says "English", "Korean"...), to ISO 639-1.
LANGUAGE_NAMES = {
    "english": "en", "korean": "ko", "japanese": "ja", "chinese": "zh", "russian": "ru",
    "arabic": "ar", "hebrew": "he", "persian": "fa", "ukrainian": "uk", "french": "fr",
    "german": "de", "spanish": "es", "hindi": "hi", "urdu": "ur",
}  # fmt: skip

_COMPACT_FORMATS = ("%Y%m%dT%H%M%SZ", "%Y%m%d%H%M%S")


def parse_json_api(
    body: bytes, *, source: str, mapping: JsonApiMapping, url: str = ""
) -> ParsedFeed:
    """Items from a JSON API response; SourceError(PARSE) when the mapping does not fit it."""
    if len(body) > MAX_FEED_BYTES:
        raise SourceError(
            f"response of {len(body)} bytes is over the {MAX_FEED_BYTES} byte limit",
            source=source,
            kind=SourceErrorKind.TOO_LARGE,
        )
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(
            f"malformed JSON: {exc}", source=source, kind=SourceErrorKind.PARSE
        ) from None
    records = lookup(doc, mapping.items)
    if records is None and isinstance(doc, dict) and not doc:
        records = []  # GDELT answers {} when nothing matches
    if not isinstance(records, list):
        raise SourceError(
            f"no list at {mapping.items!r} in the response",
            source=source,
            kind=SourceErrorKind.PARSE,
        )
    entries = tuple(_entry(r, mapping) for r in records if isinstance(r, dict))
    return normalise_feed(RawFeed(entries=entries), source=source, base_url=url)


def lookup(doc: Any, path: str | None) -> Any:
    """The value at a dot path (`data.items`, `articles`); None where any step is missing."""
    if not path:
        return None
    value = doc
    for step in path.split("."):
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def _entry(record: dict[str, Any], mapping: JsonApiMapping) -> RawEntry:
    link = _text(lookup(record, mapping.url))
    date_value = lookup(record, mapping.published)
    return RawEntry(
        guid=_text(lookup(record, mapping.id)) if mapping.id else None,
        link=link,
        title=_text(lookup(record, mapping.title)) or "",
        title_is_html=False,
        summary=_text(lookup(record, mapping.summary)) or "",
        summary_is_html=True,
        published_at=api_time(date_value),
        date_text=str(date_value) if date_value is not None else None,
        lang=api_language(_text(lookup(record, mapping.lang))),
    )


def api_time(value: Any) -> datetime | None:
    """ISO 8601, RFC 2822, GDELT's `20261125T001000Z`, or epoch seconds/milliseconds → UTC."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = _text(value)
    if not text:
        return None
    for fmt in _COMPACT_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:  # the first or last day of the calendar, shifted out of range
        return None


def api_language(value: str | None) -> str | None:
    """`English` → `en`; codes pass through to the feed normaliser."""
    if not value:
        return None
    return LANGUAGE_NAMES.get(value.strip().lower(), value)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None
