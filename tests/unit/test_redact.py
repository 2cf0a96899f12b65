"""Redaction keeps what an operator needs (host, port, a Redis database) and masks what may be
secret (paths of webhook URLs, queries, credentials)."""

from __future__ import annotations

import pytest

from alerts.bootstrap import secret_values
from alerts.config import load_settings
from alerts.logs import as_json_line
from alerts.redact import Secret, mask_url, redact_text


class TestMaskUrl:
    @pytest.mark.parametrize(
        ("url", "shown"),
        [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://localhost:8080/", "http://localhost:8080/"),
            ("http://[::1]:9000", "http://[::1]:9000"),
            ("https://hooks.slack.com/services/T0/B0/XYZ", "https://hooks.slack.com/***"),
            ("https://hooks.example:8443/hook/abc", "https://hooks.example:8443/***"),
            ("https://a.example/rss?apikey=k", "https://a.example/***"),
            ("https://user:pw@a.example", "https://***@a.example"),
        ],
    )
    def test_host_and_port_stay_paths_and_credentials_go(self, url: str, shown: str) -> None:
        """A dashboard address keeps its port; a webhook path or a credential never shows."""
        assert mask_url(url) == shown

    @pytest.mark.parametrize(
        ("url", "shown"),
        [
            ("redis://:hunter2@cache.internal:6380/2", "redis://***@cache.internal:6380/2"),
            (
                "rediss://default:pw@cache:6379/0?ssl_cert_reqs=none",
                "rediss://***@cache:6379/0?***",
            ),
            ("unix:///srv/alerts/redis.sock", "unix:///srv/alerts/redis.sock"),
        ],
    )
    def test_redis_urls_keep_where_not_the_password(self, url: str, shown: str) -> None:
        assert mask_url(url) == shown

    def test_unparseable_url_is_masked_whole(self) -> None:
        assert mask_url("http://host:99999/x") == "***"

    def test_secret_destination_still_shows_only_its_host(self) -> None:
        assert str(Secret("https://hooks.slack.com/services/T0/B0/XYZ")) == (
            "https://hooks.slack.com/***"
        )


class TestRedactText:
    def test_start_up_line_keeps_the_dashboard_port(self) -> None:
        """The log said `http://127.0.0.1/***`: the one thing a new user needs was masked."""
        text = "web.started url=http://127.0.0.1:8080"
        assert redact_text(text) == text

    def test_redis_password_in_an_error_is_masked(self) -> None:
        text = "Error connecting to redis://:canary-redis-pw@10.0.0.5:6379/0: refused"
        assert redact_text(text) == "Error connecting to redis://***@10.0.0.5:6379/0: refused"

    def test_redis_password_is_a_registered_secret(self) -> None:
        """Anywhere it appears, not only inside a URL."""
        settings = load_settings(redis_url="redis://:canary%2Fpw@cache:6379/0")
        secrets = secret_values(settings)
        assert "canary%2Fpw" in secrets
        assert "canary/pw" in secrets
        assert "" not in secrets


class TestAsJsonLine:
    """What `structured_output` does to each line a library prints."""

    def test_json_object_lines_pass_unchanged(self) -> None:
        line = b'{"event": "delivery.sent", "level": "info"}'
        assert as_json_line(line) == line + b"\n"

    def test_other_lines_become_one_redacted_event(self) -> None:
        import json

        out = as_json_line(b"worker: Warm shutdown https://hooks.slack.com/services/T/B/X\r")
        assert out.endswith(b"\n")
        assert out.count(b"\n") == 1
        event = json.loads(out)
        assert event["event"] == "worker: Warm shutdown https://hooks.slack.com/***"
        assert event["logger"] == "stdio"
        assert {"level", "timestamp"} <= event.keys()

    @pytest.mark.parametrize("line", [b"", b"   ", b"\r"])
    def test_blank_lines_are_dropped(self, line: bytes) -> None:
        assert as_json_line(line) == b""

    def test_a_json_array_is_not_an_event(self) -> None:
        import json

        assert json.loads(as_json_line(b"[1, 2]"))["event"] == "[1, 2]"
