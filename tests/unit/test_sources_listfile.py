"""Source lists in files (issue 14): JSON and OPML in, OPML out, bad files named clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.models import SourceSpec
from alerts.sources.listfile import SourceFileError, looks_like_path, read_source_file, to_opml

FEED_READER_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Asia" title="Asia">
      <outline type="rss" text="Yonhap" title="Yonhap English"
               xmlUrl="https://en.yna.co.kr/RSS/nk.xml" htmlUrl="https://en.yna.co.kr"/>
      <outline text="NHK" type="rss" xmlUrl="https://www3.nhk.or.jp/rss/news/cat6.xml"/>
    </outline>
    <outline text="A bookmark, not a feed" htmlUrl="https://example.org/"/>
    <outline type="rss" title="Fast wire" xmlUrl="https://wire.example/feed"
             alertsInterval="15" alertsFast="true"/>
  </body>
</opml>
"""


def test_opml_outlines_at_any_depth_become_sources(tmp_path: Path) -> None:
    path = tmp_path / "subs.opml"
    path.write_text(FEED_READER_EXPORT, encoding="utf-8")
    assert read_source_file(path) == [
        {"url": "https://en.yna.co.kr/RSS/nk.xml", "name": "Yonhap English"},
        {"url": "https://www3.nhk.or.jp/rss/news/cat6.xml", "name": "NHK"},
        {"url": "https://wire.example/feed", "name": "Fast wire", "interval_seconds": 15.0,
         "fast": True},
    ]  # fmt: skip


def test_json_list_file_takes_urls_and_objects(tmp_path: Path) -> None:
    path = tmp_path / "sources.json"
    path.write_text('["https://a.example/rss", {"url": "https://b.example/atom", "fast": true}]')
    assert read_source_file(path) == [
        {"url": "https://a.example/rss"},
        {"url": "https://b.example/atom", "fast": True},
    ]


def test_export_reads_back_the_same_sources(tmp_path: Path) -> None:
    specs = [
        SourceSpec(
            name="yonhap & co", url="https://en.yna.co.kr/RSS/nk.xml?a=1&b=2", interval_s=30
        ),
        SourceSpec(name="wire", url="https://wire.example/feed", interval_s=10, fast=True),
    ]
    path = tmp_path / "out.opml"
    path.write_text(to_opml(specs), encoding="utf-8")
    assert read_source_file(path) == [
        {"url": "https://en.yna.co.kr/RSS/nk.xml?a=1&b=2", "name": "yonhap & co",
         "interval_seconds": 30.0},
        {"url": "https://wire.example/feed", "name": "wire", "interval_seconds": 10.0,
         "fast": True},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("<opml><body><outline xmlUrl='x'", "bad OPML"),
        ("<rss version='2.0'></rss>", "not <opml>"),
        ('{"url": 1', "bad JSON"),
        ("just words", "neither a JSON list nor an OPML"),
        ("[1, 2]", "entry 1 is neither"),
        (
            "<opml><body><outline xmlUrl='https://a/' alertsInterval='soon'/></body></opml>",
            "alertsInterval 'soon'",
        ),
        ('<!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body>&a;</body></opml>', "bad OPML"),
    ],
)
def test_bad_files_say_where_and_why(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "bad.opml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceFileError, match=str(path)) as err:
        read_source_file(path)
    assert says in str(err.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="cannot read"):
        read_source_file(tmp_path / "nope.opml")


def test_paths_are_told_from_inline_json() -> None:
    assert looks_like_path("/etc/alerts/sources.opml")
    assert looks_like_path("sources.json")
    assert not looks_like_path('["https://a.example/rss"]')
    assert not looks_like_path("https://a.example/rss")
    assert not looks_like_path("  ")


def test_cli_export_then_import_keeps_every_source(tmp_path: Path, monkeypatch) -> None:
    """`alerts sources export --opml` of the curated catalog, read back through ALERTS_SOURCES,
    configures the same feeds with the same names, intervals and fast flags."""
    from click.testing import CliRunner

    from alerts.bootstrap import sources_from
    from alerts.cli import sources
    from alerts.config import Settings

    for name in [k for k in __import__("os").environ if k.startswith("ALERTS_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    out = tmp_path / "export.opml"
    result = CliRunner().invoke(sources, ["export", "--opml", "-o", str(out)])
    assert result.exit_code == 0, result.output
    catalog = [s for s in sources_from(Settings()) if s.json_api is None]
    monkeypatch.setenv("ALERTS_SOURCES", str(out))
    again = sources_from(Settings())
    assert [(s.name, s.url, s.interval_s, s.fast) for s in again] == [
        (s.name, s.url, s.interval_s, s.fast) for s in catalog
    ]
    assert len(again) >= 10


def test_a_bad_source_file_stops_start_up_naming_the_variable(tmp_path: Path, monkeypatch) -> None:
    from alerts.config import load_settings
    from alerts.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALERTS_SOURCES", str(tmp_path / "missing.opml"))
    with pytest.raises(ConfigError, match=r"ALERTS_SOURCES: .*missing\.opml: cannot read"):
        load_settings()
