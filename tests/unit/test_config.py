"""Settings: every bad value stops start-up with the variable named and the value never echoed."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from alerts.bootstrap import destinations_from, policy_from, sources_from
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

    def test_event_knobs_reach_the_event_policy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The model-only opening bar is a setting, not a constant buried in the event stage."""
        assert policy_from(load_settings()).events.model_open_confidence == 0.98
        monkeypatch.setenv("ALERTS_MODEL_OPEN_CONFIDENCE", "0.995")
        monkeypatch.setenv("ALERTS_NEW_EVENT_CONFIDENCE", "0.85")
        events = policy_from(load_settings()).events
        assert (events.model_open_confidence, events.open_confidence) == (0.995, 0.85)

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
            ("ALERTS_MODEL_OPEN_CONFIDENCE", "0.2", "ALERTS_MODEL_OPEN_CONFIDENCE:"),
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


WEBHOOK_KEY_24 = "whsec_" + base64.b64encode(b"k" * 24).decode()
WEBHOOK_KEY_23 = "whsec_" + base64.b64encode(b"k" * 23).decode()


def _subscription(**destination: object) -> str:
    return json.dumps([{"name": "desk", "destinations": [destination]}])


class TestAddresses:
    @pytest.mark.parametrize(
        "address",
        ["a@b", "a..b@example.com", "desk@example.org;rm", "Desk <desk@example.org>", "desk@"],
    )
    def test_what_the_old_regex_let_through_is_refused(
        self, monkeypatch: pytest.MonkeyPatch, address: str
    ) -> None:
        """Recipients are checked by email-validator's rules, in ALERTS_EMAIL_TO and in
        subscriptions alike."""
        monkeypatch.setenv("ALERTS_SMTP_HOST", "mail.example.org")
        monkeypatch.setenv("ALERTS_EMAIL_TO", f"ops@example.org, {address}")
        with pytest.raises(ConfigError, match=r"^ALERTS_EMAIL_TO: address #2 is not an email"):
            load_settings()
        monkeypatch.delenv("ALERTS_EMAIL_TO")
        monkeypatch.setenv("ALERTS_SUBSCRIPTIONS", _subscription(type="email", to=[address]))
        with pytest.raises(ConfigError, match=r"^ALERTS_SUBSCRIPTIONS: address #1 is not an email"):
            load_settings()

    def test_real_addresses_pass_as_written(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Korean and plus-addressed recipients pass, unchanged (destination ids hang on them)."""
        recipients = ["관제@example.kr", "duty+alerts@Example.ORG", "o'neil@ops.example.co.uk"]
        monkeypatch.setenv("ALERTS_SMTP_HOST", "mail.example.org")
        monkeypatch.setenv("ALERTS_EMAIL_TO", json.dumps(recipients))
        assert load_settings().email_to == recipients

    @pytest.mark.parametrize(
        ("sender", "accepted"),
        [
            ("missile-alerts@localhost", True),  # the default
            ("alerts@mailhub", True),  # an intranet relay's host name
            ("alerts@example.org", True),
            ("alerts@example.org\r\nBcc: victim@evil.example", False),
            ("Alerts <alerts@example.org>", False),
            ("alerts..desk@example.org", False),
            ("alerts", False),
        ],
    )
    def test_the_sender_is_a_plain_address(
        self, monkeypatch: pytest.MonkeyPatch, sender: str, accepted: bool
    ) -> None:
        """ALERTS_EMAIL_FROM was never checked: a CR/LF in it only failed at send time."""
        monkeypatch.setenv("ALERTS_EMAIL_FROM", sender)
        if accepted:
            assert load_settings().email_from == sender
        else:
            with pytest.raises(ConfigError, match=r"^ALERTS_EMAIL_FROM: "):
                load_settings()


class TestControlCharacters:
    @pytest.mark.parametrize(
        ("variable", "template"),
        [
            ("ALERTS_REDIS_URL", "redis://127.0.0.1:6379/0{bad}"),
            ("ALERTS_SOURCES", json.dumps(["https://a.example/rss?x=1{bad}X-Evil: 1"])),
            ("ALERTS_SLACK_WEBHOOK_URLS", json.dumps(["https://hooks.slack.com/T/B/{bad}"])),
            ("ALERTS_WEBHOOK_URLS", json.dumps(["https://ops.example/hook{bad}"])),
            ("ALERTS_SUBSCRIPTIONS", _subscription(type="webhook", url="https://o.example/{bad}")),
            ("ALERTS_SUBSCRIPTIONS", _subscription(type="email", to=["a@example.org{bad}"])),
            ("ALERTS_SUBSCRIPTIONS", _subscription(type="slack_bot", token="x{bad}", channel="C")),
            ("ALERTS_SUBSCRIPTIONS", _subscription(type="slack_bot", token="x", channel="C{bad}")),
            ("ALERTS_SMTP_HOST", "mail.example.org{bad}"),
            ("ALERTS_SMTP_USERNAME", "alerts{bad}"),
            ("ALERTS_EMAIL_FROM", "alerts@example.org{bad}"),
            ("ALERTS_EMAIL_TO", "desk@example.org{bad}ops@example.org"),
            ("ALERTS_WEB_HOST", "127.0.0.1{bad}"),
            ("ALERTS_WEB_ALLOWED_HOSTS", "alerts{bad}.example.org"),
            ("ALERTS_WEB_TOKEN", "tok{bad}en"),
        ],
    )  # fmt: skip
    @pytest.mark.parametrize("bad", ["\r\n", "\n", "\r", "\t", "\x1b", "\x85", "\u2028"])
    def test_every_url_host_and_address_refuses_them(
        self, monkeypatch: pytest.MonkeyPatch, variable: str, template: str, bad: str
    ) -> None:
        """Refused at start-up with the variable named and the value not echoed (CR/LF turns
        into header or SMTP injection, or a crash, only when an alert is sent)."""
        value = template.replace("{bad}", json.dumps(bad)[1:-1] if template[0] in "[{" else bad)
        monkeypatch.setenv("ALERTS_SMTP_HOST", "mail.example.org")
        monkeypatch.setenv(variable, value)
        with pytest.raises(ConfigError) as info:
            load_settings()
        assert str(info.value).startswith(f"{variable}: ")
        assert "control character" in str(info.value)
        assert "example" not in str(info.value).removeprefix(variable)

    @pytest.mark.parametrize("host", ["smtp://mail.example.org", "mail.example.org:25", "a b"])
    def test_a_host_is_only_a_host(self, monkeypatch: pytest.MonkeyPatch, host: str) -> None:
        monkeypatch.setenv("ALERTS_SMTP_HOST", host)
        with pytest.raises(ConfigError, match=r"^ALERTS_SMTP_HOST: must be a host name"):
            load_settings()

    def test_an_empty_smtp_host_still_means_no_email(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ALERTS_SMTP_HOST", "")
        assert load_settings().smtp_host is None


class TestWebSettings:
    @pytest.mark.parametrize("token", ["", " ", " token-with-spaces "])
    def test_an_empty_token_is_a_configuration_error(
        self, monkeypatch: pytest.MonkeyPatch, token: str
    ) -> None:
        """`ALERTS_WEB_TOKEN=` used to log token_required and then let everyone in."""
        monkeypatch.setenv("ALERTS_WEB_TOKEN", token)
        with pytest.raises(ConfigError, match=r"^ALERTS_WEB_TOKEN: "):
            load_settings()

    def test_allowed_hosts_comma_separated_or_json(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ALERTS_WEB_ALLOWED_HOSTS", "alerts.example.org, 10.0.0.5,[::1]")
        assert load_settings().web_allowed_hosts == ["alerts.example.org", "10.0.0.5", "[::1]"]
        monkeypatch.setenv("ALERTS_WEB_ALLOWED_HOSTS", '["alerts.example.org"]')
        assert load_settings().web_allowed_hosts == ["alerts.example.org"]

    @pytest.mark.parametrize("entry", ["alerts.example.org:8080", "https://alerts.example.org"])
    def test_an_allowed_host_is_a_bare_name(
        self, monkeypatch: pytest.MonkeyPatch, entry: str
    ) -> None:
        monkeypatch.setenv("ALERTS_WEB_ALLOWED_HOSTS", f"ok.example, {entry}")
        with pytest.raises(ConfigError, match=r"^ALERTS_WEB_ALLOWED_HOSTS: entry #2 must be"):
            load_settings()


class TestWebhookSigningSecrets:
    def test_a_short_key_is_refused_at_start_up(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Standard Webhooks keys are 24 to 64 bytes: a 23-byte key stops start-up."""
        monkeypatch.setenv(
            "ALERTS_SUBSCRIPTIONS",
            _subscription(type="webhook", url="https://o.example/h",
                          signing_secrets=[WEBHOOK_KEY_24, WEBHOOK_KEY_23]),
        )  # fmt: skip
        with pytest.raises(ConfigError) as info:
            load_settings()
        assert str(info.value).startswith("ALERTS_SUBSCRIPTIONS: signing secret #2 is 23 bytes")
        assert WEBHOOK_KEY_23.removeprefix("whsec_") not in str(info.value)

    @pytest.mark.parametrize("key", ["whsec_", "whsec_not base64!!", "plain-text"])
    def test_a_malformed_key_is_refused_at_start_up(
        self, monkeypatch: pytest.MonkeyPatch, key: str
    ) -> None:
        monkeypatch.setenv(
            "ALERTS_SUBSCRIPTIONS",
            _subscription(type="webhook", url="https://o.example/h", signing_secrets=[key]),
        )
        with pytest.raises(ConfigError, match="signing secret #1 is not a whsec_<base64> key"):
            load_settings()

    def test_keys_of_24_bytes_and_more_pass(self, monkeypatch: pytest.MonkeyPatch) -> None:
        keys = [WEBHOOK_KEY_24, base64.b64encode(b"k" * 64).decode()]  # the prefix is optional
        monkeypatch.setenv(
            "ALERTS_SUBSCRIPTIONS",
            _subscription(type="webhook", url="https://o.example/h", signing_secrets=keys),
        )
        (subscription,) = load_settings().subscriptions
        assert len(subscription.destinations[0].signing_secrets) == 2


class TestMemoryBounds:
    def test_defaults(self) -> None:
        settings = load_settings()
        assert (settings.max_items_per_poll, settings.max_seen_per_source) == (500, 5000)
        assert settings.redis_maxmemory == "256mb"
        assert settings.redis_maxmemory_bytes == 256 * 1024**2

    @pytest.mark.parametrize(
        ("size", "normalised", "size_bytes"),
        [
            ("1GB", "1gb", 1024**3),
            ("64 mb", "64mb", 64 * 1024**2),
            ("20000000", "20000000", 20_000_000),
            ("100m", "100m", 100_000_000),
        ],
    )
    def test_redis_units(
        self, monkeypatch: pytest.MonkeyPatch, size: str, normalised: str, size_bytes: int
    ) -> None:
        """Redis's own units (k=1000, kb=1024), as redis-server's --maxmemory takes them."""
        monkeypatch.setenv("ALERTS_REDIS_MAXMEMORY", size)
        settings = load_settings()
        assert settings.redis_maxmemory == normalised
        assert settings.redis_maxmemory_bytes == size_bytes

    @pytest.mark.parametrize("size", ["0", "10mb", "lots", "256 megabytes", "-1gb", "1.5gb"])
    def test_no_limit_or_nonsense_is_refused(
        self, monkeypatch: pytest.MonkeyPatch, size: str
    ) -> None:
        monkeypatch.setenv("ALERTS_REDIS_MAXMEMORY", size)
        with pytest.raises(ConfigError, match=r"^ALERTS_REDIS_MAXMEMORY: must be"):
            load_settings()

    @pytest.mark.parametrize(
        ("variable", "value"),
        [("ALERTS_MAX_ITEMS_PER_POLL", "0"), ("ALERTS_MAX_SEEN_PER_SOURCE", "0")],
    )
    def test_caps_are_positive(
        self, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
    ) -> None:
        monkeypatch.setenv(variable, value)
        with pytest.raises(ConfigError, match=f"^{variable}: "):
            load_settings()

    def test_the_seen_cap_holds_at_least_one_poll(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Remembering fewer ids than one poll takes would forget items at once: alerted again."""
        monkeypatch.setenv("ALERTS_MAX_ITEMS_PER_POLL", "600")
        monkeypatch.setenv("ALERTS_MAX_SEEN_PER_SOURCE", "599")
        with pytest.raises(ConfigError, match=r"^ALERTS_MAX_SEEN_PER_SOURCE: must be at least"):
            load_settings()


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
