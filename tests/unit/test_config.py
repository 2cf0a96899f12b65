"""Settings: every bad value stops start-up with the variable named and the value never echoed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from alerts.bootstrap import destinations_from, sources_from
from alerts.config import load_settings
from alerts.errors import ConfigError


class TestLoadSettings:
    def test_defaults_use_the_catalog(self) -> None:
        """With nothing set, the curated outlets are polled and nothing is delivered."""
        settings = load_settings()
        specs = sources_from(settings)
        assert len(specs) >= 10
        assert any(s.name == "google-news-en" and s.fast for s in specs)
        assert destinations_from(settings) == []

    def test_sources_accept_strings_and_objects(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """ALERTS_SOURCES mixes plain URLs and {name, url, interval_seconds} objects."""
        monkeypatch.setenv(
            "ALERTS_SOURCES",
            '["https://a.example/rss", {"name": "b", "url": "https://b.example/f", '
            '"interval_seconds": 15}]',
        )
        specs = sources_from(load_settings())
        assert [(s.name, s.url, s.interval_s) for s in specs] == [
            ("a-example-rss", "https://a.example/rss", 60.0),
            ("b", "https://b.example/f", 15.0),
        ]

    @pytest.mark.parametrize(
        ("variable", "value", "expected"),
        [
            ("ALERTS_SOURCES", "[not json", "ALERTS_SOURCES: is not valid JSON"),
            ("ALERTS_SOURCES", '["ftp://x"]', "ALERTS_SOURCES: must be an http(s) URL"),
            ("ALERTS_POLL_INTERVAL_SECONDS", "0", "ALERTS_POLL_INTERVAL_SECONDS:"),
            ("ALERTS_SMTP_PORT", "seventy", "ALERTS_SMTP_PORT:"),
            ("ALERTS_REDIS_URL", "http://x", "ALERTS_REDIS_URL:"),
            ("ALERTS_EMAIL_TO", "not-an-address", "ALERTS_EMAIL_TO:"),
            ("ALERTS_LOG_LEVEL", "LOUD", "ALERTS_LOG_LEVEL:"),
            ("ALERTS_DELIVERY_CLAIM_SECONDS", "5", "ALERTS_DELIVERY_CLAIM_SECONDS:"),
            ("ALERTS_EVENT_WINDOW_SECONDS", "60", "ALERTS_EVENT_WINDOW_SECONDS: is no longer"),
            ("ALERTS_NEW_EVENT_CONFIDENCE", "1.5", "ALERTS_NEW_EVENT_CONFIDENCE:"),
        ],
    )
    def test_bad_value_names_the_variable(
        self, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
    ) -> None:
        """The error starts with the variable's name."""
        monkeypatch.setenv(variable, value)
        with pytest.raises(ConfigError) as info:
            load_settings()
        assert str(info.value).startswith(expected)

    def test_secret_never_in_the_error(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A malformed webhook list is reported without echoing the URL in it."""
        monkeypatch.setenv("ALERTS_SLACK_WEBHOOK_URLS", '["https://hooks.slack.com/T/B/SECRET", 5')
        with pytest.raises(ConfigError) as info:
            load_settings()
        assert "SECRET" not in str(info.value)
        assert info.value.variable == "ALERTS_SLACK_WEBHOOK_URLS"

    def test_email_needs_smtp_host(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Recipients without an SMTP server is a configuration error, not a silent no-op."""
        monkeypatch.setenv("ALERTS_EMAIL_TO", "desk@example.org, ops@example.org")
        with pytest.raises(ConfigError, match="ALERTS_EMAIL_TO"):
            load_settings()
        monkeypatch.setenv("ALERTS_SMTP_HOST", "mail.example.org")
        assert load_settings().email_to == ["desk@example.org", "ops@example.org"]


class TestCommandLine:
    def test_bad_setting_exits_2_with_one_line(self) -> None:
        """The `alerts` command prints one line naming the variable and exits with status 2."""
        env = {"PATH": "/usr/bin:/bin", "ALERTS_POLL_INTERVAL_SECONDS": "-5"}
        proc = subprocess.run(
            [sys.executable, "-m", "workers", "run"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1
        assert "ALERTS_POLL_INTERVAL_SECONDS" in lines[0]
