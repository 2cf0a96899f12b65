"""Alert wording in the subscriber's language: a gettext translator per language. Pure.

Messages are gettext catalogs under `alerts/locale/<lang>/LC_MESSAGES/alerts.po`, compiled to
`alerts.mo` beside them (both shipped as package data). English is the source language: the
msgids are the English text, so English needs no catalog. Adding a language is adding a
catalog; `available_languages()` finds it, and settings accept it from then on.

Catalog upkeep (Babel's `pybabel`, from the repository root)::

    pybabel extract --no-location -c Translators: -o alerts/locale/alerts.pot alerts/notify
    pybabel update -i alerts/locale/alerts.pot -d alerts/locale -D alerts
    pybabel compile -d alerts/locale -D alerts          # after editing a .po file

A new language: `pybabel init -i alerts/locale/alerts.pot -d alerts/locale -D alerts -l fr`,
translate, compile. tests/unit/test_i18n.py fails when the template misses a message of the
code, a catalog misses a translation, or a shipped .mo file is older than its .po file.

Times are shown in the destination's time zone with a date pattern from the catalog (an LDML
pattern, formatted by Babel) and the zone's abbreviation and UTC offset; numbers are grouped
by the language's CLDR rules.
"""

from __future__ import annotations

import functools
import gettext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from babel.numbers import get_group_symbol

DOMAIN = "alerts"
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_TIMEZONE = "UTC"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention extraction tools look for
    """Mark a constant for extraction; it is translated where it is shown."""
    return message


@functools.cache
def available_languages() -> tuple[str, ...]:
    """English plus every language with a compiled catalog, sorted."""
    found = {path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return tuple(sorted(found | {SOURCE_LANGUAGE}))


@dataclass(frozen=True)
class Translator:
    """One language's messages, and its number and date formats (Babel, CLDR data)."""

    language: str
    catalog: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self.catalog.pgettext(context, message)

    def number(self, value: float) -> str:
        """`6000.0` → `6,000`: rounded to a whole number, grouped with the language's group
        symbol (CLDR). Any finite float works (Babel's own formatting fails on 1e308)."""
        return f"{value:,.0f}".replace(",", _group_symbol(self.language))

    def join(self, items: list[str]) -> str:
        """Items joined with the language's list separator (`, `; Japanese `、`)."""
        return self.pgettext("list separator", ", ").join(items)

    def time(self, when: datetime, zone: tzinfo) -> str:
        """`2026-11-25 07:12 UTC`, `2026年11月25日 16:12 JST (UTC+9)`: the instant in `zone`,
        with the zone's abbreviation and offset (the offset alone when the zone has no
        abbreviation). A naive datetime is taken as UTC."""
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
        try:
            local = when.astimezone(zone)
        except OverflowError:  # a year-9999 time from a garbled feed: shown in UTC
            local, zone = when.astimezone(UTC), UTC
        # Translators: an LDML date pattern (https://unicode.org/reports/tr35/tr35-dates.html)
        pattern = self.pgettext("date and time pattern", "yyyy-MM-dd HH:mm")
        text = format_datetime(local, pattern, tzinfo=zone, locale=self.language)
        return f"{text} {zone_label(local)}"


@functools.cache
def _group_symbol(language: str) -> str:
    return get_group_symbol(locale=language)


def zone_label(local: datetime) -> str:
    """`UTC`, `KST (UTC+9)`, `IST (UTC+5:30)`, or `UTC+3` for a zone without an abbreviation."""
    offset = local.utcoffset() or timedelta(0)
    name = local.tzname() or ""
    if name == "UTC" and not offset:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    return f"{name} ({utc})" if name.isalpha() else utc


@functools.cache
def translator(language: str) -> Translator:
    """The translator for `language`; English (the msgids) for a language without a catalog,
    so an alert is still sent, in English, rather than not at all."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if language == SOURCE_LANGUAGE or language not in available_languages():
        return Translator(SOURCE_LANGUAGE, gettext.NullTranslations())
    with path.open("rb") as file:
        return Translator(language, gettext.GNUTranslations(file))


def check_language(language: str) -> str:
    """The language (`ko`; `KO` is taken as `ko`) when a catalog exists for it, else
    ValueError listing those that do."""
    language = language.strip().lower()
    if language not in available_languages():
        raise ValueError(
            f"language {language!r} has no catalog; use one of {', '.join(available_languages())}"
        )
    return language


def check_timezone(name: str) -> str:
    """An IANA time zone name (`Asia/Seoul`, `UTC`), else ValueError."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"time zone {name!r} is not an IANA name such as Asia/Tokyo") from None
    return name


def zone(name: str) -> tzinfo:
    """The time zone called `name`; UTC for an unknown name (settings refuse those)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return ZoneInfo(DEFAULT_TIMEZONE)
