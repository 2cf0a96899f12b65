"""Settings: the only module that reads the environment (prefix `ALERTS_`, `.env` supported).

`load_settings()` turns every validation problem into a `ConfigError` that names the variable
and never echoes its value, so a bad secret cannot leak through a start-up error.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from alerts.errors import ConfigError
from alerts.models import Facts, MissileClass

ENV_PREFIX = "ALERTS_"


class JsonApiMappingSetting(BaseModel):
    """Dot paths to a JSON API's records and fields (defaults: GDELT DOC API artlist)."""

    model_config = {"extra": "forbid"}

    items: str = "articles"
    title: str = "title"
    url: str = "url"
    id: str | None = None
    summary: str | None = None
    published: str | None = "seendate"
    lang: str | None = "language"


class SourceSetting(BaseModel):
    """One entry of ALERTS_SOURCES: a feed (or JSON API) URL with optional name and interval."""

    model_config = {"extra": "forbid"}

    url: str
    name: str = ""
    interval_seconds: float | None = Field(default=None, ge=1)
    fast: bool = False
    honour_cache_hints: bool | None = None
    format: Literal["feed", "json_api"] = "feed"
    mapping: JsonApiMappingSetting | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not is_http_url(url):
            raise ValueError("must be an http(s) URL")
        return url


def is_http_url(url: str) -> bool:
    return bool(re.match(r"^https?://[^\s/]+", url))


def check_addresses(addresses: list[str]) -> list[str]:
    for address in addresses:
        if not re.fullmatch(r"[^@\s,<>]+@[^@\s,<>]+", address):
            raise ValueError(f"{address!r} is not an email address")
    return addresses


FACT_NAMES = tuple(f.name for f in dataclasses.fields(Facts))
MISSILE_CLASSES = tuple(c.value for c in MissileClass)


class DestinationSetting(BaseModel):
    """One destination of a subscription: `type` plus what that channel needs."""

    model_config = {"extra": "forbid"}

    type: Literal["slack", "slack_bot", "webhook", "discord", "teams", "email"]
    url: SecretStr | None = None
    to: list[str] = Field(default_factory=list)
    signing_secrets: list[SecretStr] = Field(default_factory=list)
    token: SecretStr | None = None
    channel: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> DestinationSetting:
        needs_url = self.type in {"slack", "webhook", "discord", "teams"}
        url = self.url.get_secret_value() if self.url else ""
        if needs_url and not is_http_url(url):
            raise ValueError(f"a {self.type} destination needs an http(s) url")
        if self.type == "slack_bot" and (self.token is None or not self.channel):
            raise ValueError("a slack_bot destination needs a token and a channel")
        if self.type == "email" and not self.to:
            raise ValueError("an email destination needs `to` addresses")
        check_addresses(self.to)
        return self


class SubscriptionSetting(BaseModel):
    """A subscriber: destinations and the filters deciding which alerts reach them."""

    model_config = {"extra": "forbid"}

    name: str
    destinations: list[DestinationSetting] = Field(min_length=1)
    countries: list[str] = Field(default_factory=list)
    missile_classes: list[str] = Field(default_factory=list)
    min_confidence: float = Field(default=0.0, ge=0, le=1)
    updates: bool = True
    quiet_fields: list[str] = Field(default_factory=list)

    @field_validator("countries")
    @classmethod
    def _countries(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError(f"{code!r} is not an ISO 3166 alpha-2 code such as KP")
        return codes

    @field_validator("missile_classes")
    @classmethod
    def _classes(cls, classes: list[str]) -> list[str]:
        for name in classes:
            if name not in MISSILE_CLASSES:
                raise ValueError(f"{name!r} is not one of {', '.join(MISSILE_CLASSES)}")
        return classes

    @field_validator("quiet_fields")
    @classmethod
    def _fields(cls, names: list[str]) -> list[str]:
        for name in names:
            if name not in FACT_NAMES:
                raise ValueError(f"{name!r} is not one of {', '.join(FACT_NAMES)}")
        return names


def _subscriptions(value: Any) -> Any:
    """Inline JSON, or the path of a JSON file holding it."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return []
    if not text.startswith("["):
        try:
            text = Path(text).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"cannot read subscriptions file: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON ({exc.msg} at position {exc.pos})") from None


def _source_entries(value: Any) -> Any:
    """Accept plain URL strings beside objects."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not valid JSON ({exc.msg} at position {exc.pos})") from None
    if isinstance(value, list):
        return [{"url": v} if isinstance(v, str) else v for v in value]
    return value


class Settings(BaseSettings):
    """Every setting, with its default. README's variable table is checked against this class."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        extra="ignore",
        validate_default=True,
    )

    redis_url: str | None = Field(
        default=None, description="Redis URL; unset starts an embedded Redis server."
    )
    data_dir: Path = Field(
        default=Path(".alerts-data"), description="Where the embedded Redis and beat keep state."
    )
    sources: list[SourceSetting] | None = Field(
        default=None,
        description="JSON list of feed URLs or {name, url, interval_seconds, fast} objects; "
        "unset uses the curated catalog.",
    )
    poll_interval_seconds: float = Field(default=60.0, ge=1, description="Default poll interval.")
    fast_poll_interval_seconds: float = Field(
        default=30.0, ge=1, description="Interval for sources marked fast."
    )
    poll_jitter: float = Field(
        default=0.1, ge=0, le=0.5, description="Random spread of each poll interval (fraction)."
    )
    honour_cache_hints: bool = Field(
        default=False,
        description="Let a feed's Cache-Control max-age or RSS <ttl> lengthen its interval "
        "(never for fast sources).",
    )
    max_cache_hint_seconds: float = Field(
        default=3600, ge=1, description="Longest interval a cache hint may impose."
    )
    surge_interval_seconds: float = Field(
        default=10, ge=1, description="Poll interval of fast sources just after a launch."
    )
    surge_duration_seconds: float = Field(
        default=1800, ge=0, description="How long the surge lasts after a launch is detected."
    )
    per_host_concurrency: int = Field(
        default=2, ge=1, le=100, description="Polls of one host at the same time, at most."
    )
    fetch_timeout_seconds: float = Field(
        default=20, ge=1, le=300, description="Total time one poll may take."
    )
    fetch_max_bytes: int = Field(
        default=5_000_000, ge=10_000, description="Largest feed body accepted."
    )
    max_item_age_seconds: float = Field(
        default=6 * 3600, ge=60, description="Older items are remembered but never alerted."
    )
    event_follow_up_seconds: float = Field(
        default=36 * 3600,
        ge=60,
        description=(
            "A launch report stating no launch time, published on a later local day than its "
            "launcher's latest launch event but within this many seconds of it, is a follow-up "
            "of that event rather than a new launch (unless its headline itself reports a "
            "launch of a habitual launcher, 8 hours or more after that event's)."
        ),
    )
    min_update_gap_seconds: float = Field(
        default=120, ge=0, description="At most one update alert per launch per this many seconds."
    )
    seen_ttl_seconds: int = Field(
        default=14 * 86400, ge=3600, description="How long an item id is remembered as seen."
    )
    min_confidence: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Detector confidence needed for a report to join a launch event.",
    )
    new_event_confidence: float = Field(
        default=0.85,
        ge=0,
        le=1,
        description=(
            "Detector confidence needed for a report to open a launch event (a `new` alert); "
            "reports between the two thresholds only join events already open."
        ),
    )
    slack_webhook_urls: list[SecretStr] = Field(
        default_factory=list, description="JSON list of Slack incoming-webhook URLs (secret)."
    )
    webhook_urls: list[SecretStr] = Field(
        default_factory=list, description="JSON list of generic JSON webhook URLs (secret)."
    )
    subscriptions: Annotated[list[SubscriptionSetting], NoDecode] = Field(
        default_factory=list,
        description="Subscribers with their own destinations and filters: JSON, or a file path.",
    )
    smtp_host: str | None = Field(default=None, description="SMTP server host; unset = no email.")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP server port.")
    smtp_username: str | None = Field(default=None, description="SMTP login user.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password (secret).")
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP session with STARTTLS.")
    smtp_ssl: bool = Field(default=False, description="Implicit TLS (SMTPS, usually port 465).")
    email_from: str = Field(
        default="missile-alerts@localhost", description="From address of alert emails."
    )
    email_to: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Recipients: a JSON list or comma-separated addresses."
    )
    delivery_max_retries: int = Field(
        default=8, ge=0, le=50, description="Send attempts after the first before dead-lettering."
    )
    broker_visibility_timeout_seconds: int = Field(
        default=900,
        ge=5,
        le=86400,
        description="A message a dead worker held is redelivered after this long.",
    )
    delivery_claim_seconds: int = Field(
        default=120,
        ge=30,
        le=3600,
        description="How long one send attempt holds a delivery. Longer than any send can "
        "take (the channels' timeouts), since a copy redelivered meanwhile waits it out; "
        "after a worker dies mid-send, the alert is retried this much later.",
    )
    worker_pool: str = Field(
        default="prefork", description="Celery pool: prefork (processes), threads or solo."
    )
    worker_concurrency: int = Field(
        default=2, ge=1, le=256, description="Worker processes (or threads for `threads`)."
    )
    poll_threads: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Fetch threads per worker process (each polls a batch at once).",
    )
    web_host: str = Field(default="127.0.0.1", description="Address the web service binds.")
    web_port: int = Field(default=8080, ge=1, le=65535, description="Port of the web service.")
    web_token: SecretStr | None = Field(
        default=None, description="Bearer token for the API and the dashboard's actions (secret)."
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_format: str = Field(
        default="auto", description="json, console, or auto (console on a TTY)."
    )

    @field_validator("sources", mode="before")
    @classmethod
    def _sources(cls, value: Any) -> Any:
        return _source_entries(value)

    @field_validator("subscriptions", mode="before")
    @classmethod
    def _subs(cls, value: Any) -> Any:
        return _subscriptions(value)

    @field_validator("slack_webhook_urls", "webhook_urls")
    @classmethod
    def _webhook_urls(cls, urls: list[SecretStr]) -> list[SecretStr]:
        for i, url in enumerate(urls):
            if not is_http_url(url.get_secret_value()):
                raise ValueError(f"entry {i} is not an http(s) URL")
        return urls

    @field_validator("email_to", mode="before")
    @classmethod
    def _recipients(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("email_to")
    @classmethod
    def _addresses(cls, addresses: list[str]) -> list[str]:
        return check_addresses(addresses)

    @field_validator("log_level")
    @classmethod
    def _level(cls, level: str) -> str:
        if level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level.upper()

    @field_validator("worker_pool")
    @classmethod
    def _pool(cls, pool: str) -> str:
        if pool not in {"prefork", "threads", "solo"}:
            raise ValueError("must be prefork, threads or solo")
        return pool

    @field_validator("log_format")
    @classmethod
    def _format(cls, fmt: str) -> str:
        if fmt not in {"auto", "json", "console"}:
            raise ValueError("must be auto, json or console")
        return fmt

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^(redis|rediss|unix|redis\+socket)://", url):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return url or None

    @model_validator(mode="after")
    def _email_needs_smtp(self) -> Settings:
        if self.email_to and not self.smtp_host:
            raise ValueError("ALERTS_EMAIL_TO: recipients are set but ALERTS_SMTP_HOST is not")
        emails = any(d.type == "email" for s in self.subscriptions for d in s.destinations)
        if emails and not self.smtp_host:
            raise ValueError("ALERTS_SUBSCRIPTIONS: email destinations need ALERTS_SMTP_HOST")
        if self.smtp_ssl and self.smtp_starttls:
            self.smtp_starttls = False  # implicit TLS already encrypts; STARTTLS would fail
        return self


# Variables that no longer mean anything: set, they would be ignored without a word.
RETIRED = {
    "ALERTS_EVENT_WINDOW_SECONDS": "launch events are now one launcher's launches on one local "
    "day; see ALERTS_EVENT_FOLLOW_UP_SECONDS",
}


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment (and overrides), or ConfigError naming the variable."""
    for name, why in RETIRED.items():
        if name in os.environ:
            raise ConfigError(f"is no longer used ({why}); unset it", variable=name)
    try:
        return Settings(**overrides)
    except SettingsError as exc:
        match = re.search(r'field "(\w+)"', str(exc))
        name = match.group(1) if match else ""
        raise ConfigError("is not valid JSON", variable=_env_name(name)) from None
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = error.get("loc") or ()
        field = str(loc[0]) if loc else ""
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        if field:
            where = ".".join(map(str, loc[1:]))
            raise ConfigError(
                f"{message} (at {where})" if where else message, variable=_env_name(field)
            ) from None
        variable, _, rest = message.partition(": ")
        raise ConfigError(rest or message, variable=variable if rest else "") from None


def _env_name(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}" if field else ""
