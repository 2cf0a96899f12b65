"""JSON news APIs through a field mapping: GDELT by default, anything else by configuration."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alerts.bootstrap import sources_from
from alerts.config import load_settings
from alerts.errors import SourceError, SourceErrorKind
from alerts.models import JsonApiMapping
from alerts.sources.jsonapi import api_time, parse_json_api

GDELT = (Path(__file__).parents[1] / "data" / "feeds" / "gdelt_artlist.json").read_bytes()


class TestParseJsonApi:
    def test_gdelt_artlist_becomes_items(self) -> None:
        """GDELT records become Items with canonical URLs, UTC times and ISO languages."""
        items = parse_json_api(GDELT, source="gdelt", mapping=JsonApiMapping()).items
        by_lang = {i.lang: i for i in items}
        assert set(by_lang) == {"en", "ko", "ja"}
        english = by_lang["en"]
        assert english.url == (
            "https://www.example-news.com/world/asia/north-korea-missile-20261125.html"
        )
        assert english.id == english.url  # no id path: the canonical URL is the identity
        assert english.published_at == datetime(2026, 11, 25, 0, 15, tzinfo=UTC)
        assert english.published_local == "20261125T001500Z"
        assert english.source == "gdelt"

    def test_custom_mapping_with_nested_paths(self) -> None:
        """Dot paths reach records and fields wherever an API keeps them."""
        body = json.dumps(
            {
                "data": {
                    "results": [
                        {
                            "uuid": "a-1",
                            "headline": "<b>Iran</b> fires missiles",
                            "link": "https://x.example/1",
                            "meta": {"time": 1795000000000, "lang": "en-US"},
                            "lede": "Sirens in Tel Aviv.",
                        }
                    ]
                }
            }
        ).encode()
        mapping = JsonApiMapping(
            items="data.results",
            title="headline",
            url="link",
            id="uuid",
            summary="lede",
            published="meta.time",
            lang="meta.lang",
        )
        [item] = parse_json_api(body, source="api", mapping=mapping).items
        assert (item.id, item.title, item.summary, item.lang) == (
            "a-1",
            "<b>Iran</b> fires missiles",
            "Sirens in Tel Aviv.",
            "en",
        )
        assert item.published_at == datetime.fromtimestamp(1795000000, UTC)

    def test_empty_gdelt_answer_is_no_items(self) -> None:
        """GDELT answers {} when nothing matches: that is an empty result, not an error."""
        assert parse_json_api(b"{}", source="g", mapping=JsonApiMapping()).items == ()

    @pytest.mark.parametrize("body", [b"<html>rate limited</html>", b'{"articles": 5}', b"[1,"])
    def test_mismatch_is_a_parse_error(self, body: bytes) -> None:
        """A response the mapping does not fit marks the source with a parse error."""
        with pytest.raises(SourceError) as info:
            parse_json_api(body, source="g", mapping=JsonApiMapping())
        assert info.value.kind is SourceErrorKind.PARSE

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("20261125T001500Z", datetime(2026, 11, 25, 0, 15, tzinfo=UTC)),
            ("2026-11-25T09:15:00+09:00", datetime(2026, 11, 25, 0, 15, tzinfo=UTC)),
            ("Wed, 25 Nov 2026 00:15:00 GMT", datetime(2026, 11, 25, 0, 15, tzinfo=UTC)),
            (1795000000, datetime.fromtimestamp(1795000000, UTC)),
            ("yesterday", None),
            (None, None),
        ],
    )
    def test_time_formats(self, value: object, expected: datetime | None) -> None:
        """Every common API time format normalises to UTC; nonsense is None."""
        assert api_time(value) == expected


def test_configured_json_api_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """ALERTS_SOURCES accepts a json_api entry with a mapping; a bad mapping key is refused."""
    monkeypatch.setenv(
        "ALERTS_SOURCES",
        json.dumps(
            [
                {
                    "name": "api",
                    "url": "https://api.example/n",
                    "format": "json_api",
                    "mapping": {"items": "data", "title": "headline"},
                }
            ]
        ),
    )
    [spec] = sources_from(load_settings())
    assert spec.json_api == JsonApiMapping(items="data", title="headline")
    monkeypatch.setenv(
        "ALERTS_SOURCES",
        json.dumps(
            [{"url": "https://api.example/n", "format": "json_api", "mapping": {"headlines": "x"}}]
        ),
    )
    with pytest.raises(Exception, match="ALERTS_SOURCES"):
        load_settings()
