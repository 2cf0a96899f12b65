"""Alert catalogs (alerts/locale), the translator, localised times, and the language and time
zone settings (ALERTS_DEFAULT_LANGUAGE, ALERTS_DEFAULT_TIMEZONE, a subscription's own)."""

from __future__ import annotations

import gettext
import io
import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from alerts.bootstrap import destinations_from, subscriptions_from
from alerts.config import load_settings
from alerts.errors import ConfigError
from alerts.events.keys import digest
from alerts.models import Alert, AlertKind, Facts
from alerts.notify import base, i18n
from alerts.notify.base import Wording, fact_lines, headline
from alerts.notify.i18n import translator, zone

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "alerts" / "locale"
TEMPLATE = LOCALE / "alerts.pot"
TRANSLATED = ("ko", "ja")
SLACK = {"type": "slack", "url": "https://hooks.slack.com/services/T/B/X"}


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    """(context, msgid) of every message but the header; a plural by its singular."""
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog if m.id}


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "alerts.po"


class TestCatalogs:
    def test_template_holds_every_message_of_the_code(self) -> None:
        """`pybabel extract` of alerts/notify gives exactly the template's messages: a message
        added to (or dropped from) the code without updating the catalogs fails here."""
        extracted = {
            (context, msgid[0] if isinstance(msgid, tuple) else msgid)
            for _, _, msgid, _, context in extract_from_dir(
                ROOT / "alerts" / "notify", keywords=DEFAULT_KEYWORDS
            )
        }
        assert extracted == keys(read_catalog(TEMPLATE))

    @pytest.mark.parametrize("language", TRANSLATED)
    def test_catalog_translates_every_message(self, language: str) -> None:
        """Every template message has a non-empty, non-fuzzy translation, with the same
        placeholders (Babel's python-format check), and nothing obsolete."""
        catalog = read_catalog(po_path(language))
        assert keys(catalog) == keys(read_catalog(TEMPLATE))
        assert not catalog.fuzzy
        assert not catalog.obsolete
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), f"{language}: {message.id!r} is not translated"
            assert "fuzzy" not in message.flags, f"{language}: {message.id!r} is fuzzy"
        problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
        assert problems == []

    @pytest.mark.parametrize("language", TRANSLATED)
    def test_shipped_mo_is_compiled_from_the_po(self, language: str) -> None:
        """The .mo beside each .po holds exactly what compiling the .po gives: run
        `pybabel compile -d alerts/locale -D alerts` after editing a .po file."""
        compiled = io.BytesIO()
        write_mo(compiled, read_catalog(po_path(language)))
        compiled.seek(0)
        expected = gettext.GNUTranslations(compiled)
        with (LOCALE / language / "LC_MESSAGES" / "alerts.mo").open("rb") as file:
            shipped = gettext.GNUTranslations(file)
        assert shipped._catalog == expected._catalog  # type: ignore[attr-defined]

    def test_languages_are_english_and_the_catalogs(self) -> None:
        """Adding a language is adding a catalog: the languages are those found on disk."""
        assert i18n.available_languages() == ("en", "ja", "ko")

    def test_package_data_ships_the_catalogs(self) -> None:
        """pyproject.toml's package data covers every catalog file, so wheels carry them."""
        project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        patterns = project["tool"]["setuptools"]["package-data"]["alerts"]
        shipped = {path for pattern in patterns for path in (ROOT / "alerts").glob(pattern)}
        catalogs = {*LOCALE.glob("*/LC_MESSAGES/alerts.*"), TEMPLATE}
        assert len(catalogs) == 2 * len(TRANSLATED) + 1
        assert catalogs <= shipped


class TestTranslator:
    def test_unknown_language_falls_back_to_english(self) -> None:
        """A hand-built destination in a language without a catalog still gets its alert."""
        assert translator("xx").language == "en"
        assert translator("xx").gettext("Ballistic missile launch") == "Ballistic missile launch"

    @pytest.mark.parametrize(
        ("language", "zone_name", "expected"),
        [
            ("en", "UTC", "2026-11-25 07:12 UTC"),
            ("en", "Asia/Seoul", "2026-11-25 16:12 KST (UTC+9)"),
            ("ko", "Asia/Seoul", "2026년 11월 25일 16:12 KST (UTC+9)"),
            ("ja", "Asia/Tokyo", "2026年11月25日 16:12 JST (UTC+9)"),
            ("ja", "UTC", "2026年11月25日 07:12 UTC"),
            ("en", "Asia/Kolkata", "2026-11-25 12:42 IST (UTC+5:30)"),
            ("en", "America/New_York", "2026-11-25 02:12 EST (UTC-5)"),
            ("en", "Europe/Istanbul", "2026-11-25 10:12 UTC+3"),  # no abbreviation: the offset
        ],
    )
    def test_times_in_the_zone_with_its_abbreviation(
        self, language: str, zone_name: str, expected: str
    ) -> None:
        when = datetime(2026, 11, 25, 7, 12, tzinfo=UTC)
        assert translator(language).time(when, zone(zone_name)) == expected

    def test_times_at_the_ends_of_the_calendar_stay_in_utc(self) -> None:
        """A garbled year-9999 time cannot move east of UTC: shown in UTC, not a crash."""
        latest = datetime.max.replace(tzinfo=UTC)
        assert translator("en").time(latest, zone("Asia/Seoul")) == "9999-12-31 23:59 UTC"
        earliest = datetime.min.replace(tzinfo=UTC)
        assert translator("ja").time(earliest, zone("America/New_York")) == "0001年1月1日 00:00 UTC"

    def test_naive_time_is_utc(self) -> None:
        assert translator("en").time(datetime(2026, 1, 2, 3, 4), zone("UTC")) == (
            "2026-01-02 03:04 UTC"
        )

    def test_numbers_and_lists(self) -> None:
        assert translator("en").number(6000.0) == "6,000"
        assert translator("ja").join(["a", "b"]) == "a、b"
        assert translator("ko").join(["a", "b"]) == "a, b"

    def test_plural_uses_the_catalogs_plural_rule(self) -> None:
        """Korean and Japanese have one plural form: ngettext must not fall back to English."""
        for language, expected in (("ko", "…외 3건"), ("ja", "…ほか3件")):
            w = Wording(translator(language), UTC)
            assert base.more_sources(w, 3) == expected
            assert base.more_sources(w, 1) == expected.replace("3", "1")


def alert(**changes: Any) -> Alert:
    values: dict[str, Any] = {
        "event_id": "kp-1",
        "kind": AlertKind.NEW,
        "revision": 1,
        "title": "N. Korea fires ballistic missile",
        "url": "https://news.example/1",
        "facts": Facts(country="KP"),
        "confidence": 0.9,
        "detected_at": datetime(2026, 11, 25, 7, 16, tzinfo=UTC),
        "first_published_at": None,
        "sources": (),
    }
    values.update(changes)
    return Alert(**values)


class TestWording:
    @pytest.mark.parametrize(
        ("language", "changes", "expected"),
        [
            ("ko", {}, "탄도미사일 발사 — 북한"),
            ("ja", {}, "弾道ミサイル発射 — 北朝鮮"),
            ("ja", {"kind": AlertKind.UPDATE, "revision": 2}, "第2報: 弾道ミサイル発射 — 北朝鮮"),
            ("ko", {"kind": AlertKind.CORRECTION, "revision": 3}, "정정: 탄도미사일 발사 — 북한"),
            ("ja", {"test": True, "facts": Facts()}, "テスト: 弾道ミサイル発射"),
        ],
    )
    def test_headline(self, language: str, changes: dict[str, Any], expected: str) -> None:
        assert headline(alert(**changes), Wording(translator(language), UTC)) == expected

    def test_japanese_facts(self) -> None:
        """Known canonical names (landing area, authority, class) are translated, a place the
        gazetteer knows is named in Japanese before the report's own words, times are in the
        destination's zone."""
        facts = Facts(
            country="KP",
            missile_class="unidentified_ballistic",
            count=2,
            launch_time=datetime(2026, 11, 25, 7, 12, tzinfo=UTC),
            launch_site="Sunan",
            apogee_km=6000.0,
            distance_km=1000.0,
            landing_area="Sea of Japan (East Sea)",
            inside_japan_eez=True,
            speed_mach=11.0,
            authority="Japan MOD",
        )
        lines = fact_lines(alert(facts=facts), Wording(translator("ja"), zone("Asia/Tokyo")))
        assert lines == [
            ("国", "北朝鮮 (KP)"),
            ("ミサイルの種類", "種類不明の弾道ミサイル"),
            ("発射数", "2発"),
            ("発射時刻", "2026年11月25日 16:12 JST (UTC+9)"),
            ("発射場所", "順安 (Sunan)"),
            ("最高高度・飛行距離", "最高高度6,000km、飛行距離1,000km"),
            ("落下地点", "日本海、日本の排他的経済水域(EEZ)内"),
            ("速度", "マッハ11"),
            ("発表元", "防衛省"),
            ("確度", "90%"),
        ]

    def test_unknown_names_stay_as_written(self) -> None:
        """A landing area or authority the detector did not canonicalise is feed text; a
        place in it that the gazetteer knows is named in the reader's language first."""
        facts = Facts(landing_area="off Wonsan", inside_japan_eez=False, authority="Some Agency")
        lines = dict(fact_lines(alert(facts=facts), Wording(translator("ko"), UTC)))
        assert lines["낙하 지점"] == "원산 (off Wonsan), 일본 배타적경제수역(EEZ) 밖"
        assert lines["확인 기관"] == "Some Agency"
        facts = Facts(landing_area="an open area", launch_site="동해상 미상 지점")
        lines = dict(fact_lines(alert(facts=facts), Wording(translator("en"), UTC)))
        assert lines["Landing area"] == "an open area"
        assert lines["Launch site"] == "Sea of Japan (동해상 미상 지점)"
        same_script = dict(fact_lines(alert(facts=facts), Wording(translator("ko"), UTC)))
        assert same_script["발사 장소"] == "동해상 미상 지점"


class TestSettings:
    def subscriptions(self, **extra: Any) -> str:
        return json.dumps([{"name": "tokyo", "destinations": [SLACK], **extra}])

    def test_defaults_are_english_and_utc(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("ALERTS_DEFAULT_LANGUAGE", raising=False)
        monkeypatch.delenv("ALERTS_DEFAULT_TIMEZONE", raising=False)
        settings = load_settings(slack_webhook_urls=[SLACK["url"]])
        assert (settings.default_language, settings.default_timezone) == ("en", "UTC")
        [destination] = destinations_from(settings)
        assert (destination.language, destination.timezone) == ("en", "UTC")

    def test_default_variables_reach_the_default_destinations(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("ALERTS_DEFAULT_LANGUAGE", "ko")
        monkeypatch.setenv("ALERTS_DEFAULT_TIMEZONE", "Asia/Seoul")
        settings = load_settings(
            slack_webhook_urls=[SLACK["url"]], subscriptions=self.subscriptions()
        )
        [default, tokyo] = subscriptions_from(settings)
        assert [(d.language, d.timezone) for d in default.destinations] == [("ko", "Asia/Seoul")]
        assert [(d.language, d.timezone) for d in tokyo.destinations] == [("ko", "Asia/Seoul")]

    def test_a_subscription_sets_its_own(self) -> None:
        settings = load_settings(
            subscriptions=self.subscriptions(language="ja", timezone="Asia/Tokyo")
        )
        [tokyo] = subscriptions_from(settings)
        [destination] = tokyo.destinations
        assert (destination.language, destination.timezone) == ("ja", "Asia/Tokyo")

    def test_language_is_part_of_the_destination_id_unless_english_utc(self) -> None:
        """English/UTC destinations keep the ids they always had (sent log, Slack threads);
        one URL read in two languages is two destinations, each sent its own message."""
        settings = load_settings(
            slack_webhook_urls=[SLACK["url"]],
            subscriptions=json.dumps(
                [
                    {"name": "en", "destinations": [SLACK]},
                    {"name": "ko", "destinations": [SLACK], "language": "ko"},
                ]
            ),
        )
        default, english, korean = subscriptions_from(settings)
        unchanged = f"slack-{digest('slack' + SLACK['url'])[:10]}"  # the id before languages
        assert default.destinations[0].id == english.destinations[0].id == unchanged
        assert korean.destinations[0].id != english.destinations[0].id

    @pytest.mark.parametrize(
        ("overrides", "variable", "words"),
        [
            ({"default_language": "fr"}, "ALERTS_DEFAULT_LANGUAGE", "'fr'"),
            ({"default_timezone": "Mars/Olympus"}, "ALERTS_DEFAULT_TIMEZONE", "Mars/Olympus"),
            ({"default_timezone": "../../etc/passwd"}, "ALERTS_DEFAULT_TIMEZONE", "IANA"),
        ],
    )
    def test_bad_default_stops_start_up(
        self, overrides: dict[str, str], variable: str, words: str
    ) -> None:
        with pytest.raises(ConfigError) as caught:
            load_settings(**overrides)
        assert caught.value.variable == variable
        assert words in str(caught.value)

    @pytest.mark.parametrize(
        ("extra", "field"),
        [({"language": "de"}, "language"), ({"timezone": "Asia/Atlantis"}, "timezone")],
    )
    def test_bad_subscription_value_names_the_field(
        self, extra: dict[str, str], field: str
    ) -> None:
        with pytest.raises(ConfigError) as caught:
            load_settings(subscriptions=self.subscriptions(**extra))
        assert caught.value.variable == "ALERTS_SUBSCRIPTIONS"
        assert f"0.{field}" in str(caught.value)

    def test_language_case_is_forgiven(self) -> None:
        settings = load_settings(
            default_language="KO", subscriptions=self.subscriptions(language="Ja")
        )
        [tokyo] = subscriptions_from(settings)
        assert settings.default_language == "ko"
        assert tokyo.destinations[0].language == "ja"
