"""Every channel, in every language, with every fact: no English left in Korean or Japanese.

Each registered channel renders an alert that states every fact, as a new alert, an update,
a correction and a test, with more sources than any channel shows (so "…and N more" is
written too), for an English, a Korean and a Japanese destination. The feed text in it (the
report titles, source names, launch site, stated launch time) holds no Latin letters and the
URLs are cut out, so any Latin word left in the Korean or Japanese text is ours:

- no word of an English msgid (or of the English rendering of the same alert) may appear,
  unless the language's own catalog uses it too (`ICBM`, `EEZ`, `km`);
- every message the channels look up is in the template (a string built where extraction
  cannot see it fails), and the renderings exercise every message that is not a name table.
"""

from __future__ import annotations

import dataclasses
import email.policy
import gettext
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from alerts.models import Alert, AlertKind, Destination, Facts, SourceRef
from alerts.notify import base, i18n
from alerts.notify.registry import CHANNELS
from alerts.notify.slack_bot import BotMessage
from alerts.redact import Secret

LOCALE = Path(__file__).resolve().parents[2] / "alerts" / "locale"
ZONES = {"en": "Asia/Seoul", "ko": "Asia/Seoul", "ja": "Asia/Tokyo"}
T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)
# Words that are not English to translate: the product's tag and footer, zone abbreviations,
# the reply prefix of mail clients, the country code shown beside the name.
NOT_WORDS = {"missile-alert", "missile-alerts", "KST", "JST", "UTC", "Re", "KP"}
LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
URL = re.compile(r"https?://[^\s|<>()\[\]\"']+")
SLACK_DATE = re.compile(r"<!date\^\d+\^\{date_short_pretty\} \{time\}\|")
DISCORD_TIME = re.compile(r"<t:\d+:f>")
PLACEHOLDER = re.compile(r"%\(\w+\)s")

FACTS = Facts(
    country="KP",
    missile_class="ICBM",
    count=2,
    launch_time=datetime(2026, 11, 25, 7, 12, tzinfo=UTC),
    launch_time_text="16:12",
    launch_site="순안",
    landing_area="Sea of Japan (East Sea)",
    inside_japan_eez=True,
    distance_km=1000.0,
    apogee_km=6000.0,
    speed_mach=11.0,
    authority="Japan MOD",
)
SOURCES = tuple(
    SourceRef(f"통신{n}", f"i{n}", f"https://news.example/{n}", f"북한 미사일 {n:02d} " * 12, T0)
    for n in range(70)
)


def make_alert(kind: AlertKind, *, test: bool = False, first_seen: bool = True) -> Alert:
    return Alert(
        event_id="20261125-1",
        kind=kind,
        revision=1 if kind is AlertKind.NEW else 2,
        title="북한 탄도미사일 발사",
        url="https://news.example/lead",
        facts=FACTS,
        confidence=0.93,
        detected_at=datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
        first_published_at=T0 if first_seen else None,
        sources=SOURCES,
        changes=() if kind is AlertKind.NEW else tuple(base.CHANGE_WORDS),
        test=test,
    )


VARIANTS = {
    "new": make_alert(AlertKind.NEW),
    "update": make_alert(AlertKind.UPDATE),
    "correction": make_alert(AlertKind.CORRECTION),
    "test": make_alert(AlertKind.NEW, test=True),
    "update-unseen": make_alert(AlertKind.UPDATE, first_seen=False),
    "correction-test-unseen": make_alert(AlertKind.CORRECTION, test=True, first_seen=False),
    # no country, nothing changed, outside the EEZ at no named area, an untitled source
    "sparse": dataclasses.replace(
        make_alert(AlertKind.UPDATE),
        facts=Facts(inside_japan_eez=False, count=1),
        changes=(),
        sources=(SourceRef("통신", "i", "https://news.example/x", ""),),
    ),
}


def destination(channel: str, language: str) -> Destination:
    return Destination(
        f"{channel}-{language}",
        channel,
        url=Secret("https://hooks.example/in/abc"),
        recipients=("desk@example.org",),
        token=Secret("xoxb-1"),
        target="C1",
        language=language,
        timezone=ZONES[language],
    )


# ---- the human text of each channel's payload ---------------------------------------------


def _values(value: Any, wanted: frozenset[str]) -> Iterator[str]:
    """String values under the keys `wanted`, anywhere in a JSON-like value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in wanted and isinstance(item, str):
                yield item
            else:
                yield from _values(item, wanted)
    elif isinstance(value, list):
        for item in value:
            yield from _values(item, wanted)


def human_text(channel: str, payload: Any) -> str:
    """What a reader sees: message texts, titles, field names and values; not JSON keys,
    enum values, URLs or the markup of date tokens."""
    if isinstance(payload, BotMessage):
        payload = payload.body
    if isinstance(payload, EmailMessage):
        parts = [str(payload["Subject"])]
        for part in payload.walk():
            if part.get_content_maintype() == "text":
                parts.append(html.unescape(re.sub(r"<[^>]+>", " ", part.get_content())))
        texts = parts
    elif channel == "webhook":
        texts = [payload["text"]]
    else:
        texts = list(_values(payload, frozenset({"text", "title", "name", "value", "content",
                                                 "description"})))  # fmt: skip
    text = "\n".join(texts)
    return DISCORD_TIME.sub(" ", SLACK_DATE.sub(" ", URL.sub(" ", text)))


def words(text: str) -> set[str]:
    return set(LATIN_WORD.findall(text))


# ---- catalogs ---------------------------------------------------------------------------


def catalog_words(language: str) -> tuple[set[str], set[str]]:
    """(words of the msgids, words of this language's translations), placeholders and the
    date pattern left out."""
    with (LOCALE / language / "LC_MESSAGES" / "alerts.po").open("rb") as file:
        catalog = read_po(file)
    english: set[str] = set()
    translated: set[str] = set()
    for message in catalog:
        if not message.id or message.context == "date and time pattern":
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english |= words(PLACEHOLDER.sub(" ", " ".join(ids)))
        translated |= words(PLACEHOLDER.sub(" ", " ".join(strings)))
    return english, translated


def render(channel: str, alert: Alert, language: str) -> str:
    return human_text(channel, CHANNELS[channel].render(alert, destination(channel, language)))


CASES = [(c, v) for c in sorted(CHANNELS) for v in VARIANTS]


@pytest.mark.parametrize("language", ["ko", "ja"])
@pytest.mark.parametrize(("channel", "variant"), CASES)
def test_no_english_left(channel: str, variant: str, language: str) -> None:
    """Korean and Japanese renderings hold no English word of ours."""
    alert = VARIANTS[variant]
    english_msgids, translated = catalog_words(language)
    english_render = words(render(channel, alert, "en"))
    assert english_render - NOT_WORDS, "the English rendering should hold English words"
    forbidden = (english_msgids | english_render) - translated - NOT_WORDS
    text = render(channel, alert, language)
    leaked = sorted(words(text) & forbidden)
    assert leaked == [], f"{channel}/{variant}/{language}: untranslated {leaked} in {text!r}"


@pytest.mark.parametrize("language", ["ko", "ja"])
def test_renderings_say_it_in_the_language(language: str) -> None:
    """The headline and the Japan EEZ wording reach every channel in the language."""
    launch = {"ko": "탄도미사일 발사 — 북한", "ja": "弾道ミサイル発射 — 北朝鮮"}[language]
    eez = {"ko": "일본 배타적경제수역(EEZ) 안", "ja": "日本の排他的経済水域(EEZ)内"}[language]
    for channel in CHANNELS:
        text = render(channel, VARIANTS["new"], language)
        assert launch in text, channel
        if channel != "webhook":  # its `text` is the headline line only
            assert eez in text, channel


@pytest.mark.parametrize("channel", sorted(set(CHANNELS) - {"webhook"}))
def test_english_in_another_zone(channel: str) -> None:
    """An English destination in Seoul keeps the English words and reads times in KST."""
    text = render(channel, VARIANTS["update"], "en")
    assert "Ballistic missile launch — North Korea" in text
    assert "2026-11-25 16:12 KST (UTC+9)" in text  # the launch time, 07:12 UTC
    assert "07:12 UTC" not in text


class _Recording(gettext.NullTranslations):
    """A catalog that notes every message looked up, then answers from the real one."""

    def __init__(self, real: gettext.NullTranslations, seen: set[tuple[str | None, str]]) -> None:
        super().__init__()
        self.real, self.seen = real, seen

    def gettext(self, message: str) -> str:
        self.seen.add((None, message))
        return self.real.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self.seen.add((None, singular))
        return self.real.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        self.seen.add((context, message))
        return self.real.pgettext(context, message)


def test_every_message_looked_up_is_in_the_catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Channels only look up messages the template holds (so extraction saw them all), and
    the renderings above use every message besides the name tables."""
    seen: set[tuple[str | None, str]] = set()

    def recording(language: str) -> i18n.Translator:
        real = i18n.translator(language)
        return i18n.Translator(real.language, _Recording(real.catalog, seen))

    monkeypatch.setattr(base, "translator", recording)
    for channel, variant in CASES:
        render(channel, VARIANTS[variant], "ja")
    with (LOCALE / "alerts.pot").open("rb") as file:
        template = {
            (m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in read_po(file) if m.id
        }
    assert seen <= template, f"looked up but not in the template: {sorted(seen - template)}"
    tables = [base.COUNTRY_NAMES, base.MISSILE_CLASS_NAMES, base.AUTHORITY_NAMES,
              base.LANDING_AREA_NAMES, base.CHANGE_WORDS]  # fmt: skip
    names = {(None, name) for table in tables for name in table.values()}
    assert names <= template
    assert template - names - seen == set(), "messages no rendering used"


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("ko", "Re: [missile-alert] 탄도미사일 발사: 북한"),
        ("ja", "Re: [missile-alert] 弾道ミサイル発射: 北朝鮮"),
    ],
)
def test_email_subject_reaches_the_reader_in_the_language(language: str, subject: str) -> None:
    """The translated subject survives RFC 2047 encoding and folding, tag and `Re:` kept."""
    message = CHANNELS["email"].render(VARIANTS["update"], destination("email", language))
    data = message.as_bytes(policy=email.policy.SMTP)
    assert email.message_from_bytes(data, policy=email.policy.default)["Subject"] == subject


def test_webhook_text_cuts_a_long_title_that_title_carries_whole() -> None:
    long_title = "가" * 5000
    alert = dataclasses.replace(VARIANTS["new"], title=long_title)
    payload = CHANNELS["webhook"].render(alert, destination("webhook", "ko"))
    assert payload["title"] == long_title
    assert payload["language"] == "ko"
    assert payload["text"].startswith("탄도미사일 발사 — 북한: 가")
    assert len(payload["text"]) < 1100
