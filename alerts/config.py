"""Settings: the only module that reads the environment (prefix `ALERTS_`, `.env` supported).

`load_settings()` turns every validation problem into a `ConfigError` that names the variable
and never echoes its value, so a bad secret cannot leak through a start-up error.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import re
import ssl
from pathlib import Path
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from alerts.errors import ConfigError
from alerts.models import Facts, MissileClass
from alerts.notify.i18n import check_language, check_timezone
from alerts.redisconn import is_sentinel_url, is_tls_url, parse_sentinel_url
from alerts.signing import signing_key_bytes
from alerts.sources.listfile import SourceFileError, looks_like_path, read_source_file

ENV_PREFIX = "ALERTS_"

# C0 and C1 controls (CR, LF, NUL, tab, ...) and the Unicode line and paragraph separators.
_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def refuse_control_characters(text: str) -> str:
    """A URL, host or address holding CR/LF or another control character becomes a header or
    SMTP-command injection (or a crash) only at send time, so it is refused at start-up."""
    if _CONTROL_CHARACTERS.search(text):
        raise ValueError("contains a control character (CR, LF, tab, ...): remove it")
    return text


def _refuse_control_characters_in_secret(secret: SecretStr) -> SecretStr:
    refuse_control_characters(secret.get_secret_value())
    return secret


# A str (or SecretStr) setting that may be a URL, host, address or header value.
CleanStr = Annotated[str, AfterValidator(refuse_control_characters)]
CleanSecretStr = Annotated[SecretStr, AfterValidator(_refuse_control_characters_in_secret)]

_HOST_NAME = re.compile(
    r"(?=.{1,253}\.?$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
    r"(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?",
    re.IGNORECASE,
)


def check_host(host: str) -> str:
    """A bare host name or IP address (IPv6 with or without brackets): no scheme, port or path."""
    refuse_control_characters(host)
    try:
        ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        if not _HOST_NAME.fullmatch(host):
            raise ValueError(
                "must be a host name or IP address (no scheme, port, path or spaces)"
            ) from None
    return host


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

    url: CleanStr
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
    """Recipients: each a deliverable addr-spec by RFC 5321/5322 rules (email-validator), so
    `a@b`, `a..b@example.com` and `desk@example.org;rm` stop start-up instead of a send.
    Returned as written (not normalised): destination ids are derived from them."""
    for position, address in enumerate(addresses, 1):
        refuse_control_characters(address)
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValueError(f"address #{position} is not an email address: {exc}") from None
    return addresses


def check_sender(address: str) -> str:
    """The From address: a plain addr-spec (no display name), whose domain may be a local one
    such as the default `missile-alerts@localhost` or an intranet relay's host name, since only
    the relay and the Message-ID read it. Control characters are refused like everywhere."""
    refuse_control_characters(address)
    local, _, domain = address.rpartition("@")
    # email-validator refuses the special-use name `localhost` outright: check the rest alone.
    probe = f"{local}@localhost.localdomain" if domain.lower() == "localhost" else address
    try:
        validate_email(probe, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not an email address: {exc}") from None
    return address


# Standard Webhooks: "The secret key SHOULD be between 24 bytes (192 bits) and 64 bytes".
MIN_SIGNING_KEY_BYTES = 24


def check_signing_secret(secret: str, position: int) -> None:
    """A `whsec_<base64>` key of at least 24 bytes, or ValueError saying which one is wrong."""
    key = signing_key_bytes(secret)
    if not key:
        raise ValueError(f"signing secret #{position} is not a whsec_<base64> key")
    if len(key) < MIN_SIGNING_KEY_BYTES:
        raise ValueError(
            f"signing secret #{position} is {len(key)} bytes; Standard Webhooks keys are 24 to "
            "64 random bytes (see docs/webhooks.md to generate one)"
        )


FACT_NAMES = tuple(f.name for f in dataclasses.fields(Facts))
MISSILE_CLASSES = tuple(c.value for c in MissileClass)


class DestinationSetting(BaseModel):
    """One destination of a subscription: `type` plus what that channel needs."""

    model_config = {"extra": "forbid"}

    type: Literal["slack", "slack_bot", "webhook", "discord", "teams", "email"]
    url: CleanSecretStr | None = None
    to: list[str] = Field(default_factory=list)
    signing_secrets: list[CleanSecretStr] = Field(default_factory=list)
    token: CleanSecretStr | None = None
    channel: CleanStr | None = None

    @field_validator("signing_secrets")
    @classmethod
    def _signing_keys(cls, secrets: list[SecretStr]) -> list[SecretStr]:
        for position, secret in enumerate(secrets, 1):
            check_signing_secret(secret.get_secret_value(), position)
        return secrets

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
    language: str | None = None  # unset: ALERTS_DEFAULT_LANGUAGE
    timezone: str | None = None  # unset: ALERTS_DEFAULT_TIMEZONE

    @field_validator("language")
    @classmethod
    def _language(cls, language: str | None) -> str | None:
        return None if language is None else check_language(language)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, name: str | None) -> str | None:
        return None if name is None else check_timezone(name)

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
    return _json(text)


def _json(text: str) -> Any:
    """Parsed JSON, or a ValueError saying where it breaks (never quoting the text)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON ({exc.msg} at position {exc.pos})") from None


def _source_entries(value: Any) -> Any:
    """Accept plain URL strings beside objects, and the path of a JSON or OPML file of them
    (ten thousand sources do not fit in an environment variable)."""
    if isinstance(value, str) and looks_like_path(value):
        try:
            value = read_source_file(Path(value.strip()).expanduser())
        except SourceFileError as exc:
            raise ValueError(str(exc)) from None
    elif isinstance(value, str):
        value = _json(value)
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

    redis_url: CleanStr | None = Field(
        default=None,
        description="Redis URL (redis://, rediss://, unix://, or sentinel:// / sentinels:// "
        "with ?master=NAME); unset starts an embedded Redis server.",
    )
    redis_ca_file: Path | None = Field(
        default=None,
        description="PEM file of the CAs that signed the certificates of Redis and its "
        "sentinels (rediss:// and sentinels:// URLs); unset trusts the system's CAs.",
    )
    redis_cert_file: Path | None = Field(
        default=None,
        description="Client certificate (PEM, may hold the key too) for a Redis that "
        "requires one (tls-auth-clients).",
    )
    redis_key_file: Path | None = Field(
        default=None, description="Private key (PEM) of ALERTS_REDIS_CERT_FILE, if apart."
    )
    redis_sentinel_username: CleanStr | None = Field(
        default=None,
        description="ACL user of the sentinels themselves, if they require one (the Redis "
        "servers' user and password go in ALERTS_REDIS_URL).",
    )
    redis_sentinel_password: CleanSecretStr | None = Field(
        default=None, description="Password of the sentinels themselves (secret)."
    )
    redis_maxmemory: str = Field(
        default="256mb",
        description="maxmemory of the embedded Redis (and docker-compose.yml's), such as 256mb "
        "or 1gb; with the noeviction policy a full Redis refuses new writes rather than evict "
        "queued work or the delivery ledger.",
    )
    data_dir: Path = Field(
        default=Path(".alerts-data"), description="Where the embedded Redis and beat keep state."
    )
    sources: list[SourceSetting] | None = Field(
        default=None,
        description="JSON list of feed URLs or {name, url, interval_seconds, fast} objects, or "
        "the path of a file holding such a list or an OPML subscription list; unset uses the "
        "curated catalog.",
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
    max_items_per_poll: int = Field(
        default=500,
        ge=1,
        le=100_000,
        description="Items taken from one poll of one source, newest first; the rest are "
        "logged as a gap.",
    )
    max_seen_per_source: int = Field(
        default=5000,
        ge=1,
        le=10_000_000,
        description="Item ids remembered per source; past it the oldest are forgotten first.",
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
        default=0.95,
        ge=0,
        le=1,
        description=(
            "Detector confidence needed for a report to open a launch event (a `new` alert) "
            "on its own (0.05 less for a headline that fires, is a flash or has no lede); "
            "less sure reports join events already open, or open one when another "
            "source's report of the same launcher corroborates them (events/cluster.py)."
        ),
    )
    model_open_confidence: float = Field(
        default=0.98,
        ge=0.5,
        le=1,
        description=(
            "Detector confidence needed for a first report that the hand-written rules do not "
            "call a launch to open a launch event on the learned model's word alone (a habitual "
            "launcher named for sure, or a state testing on its own ranges with a ballistic "
            "missile named; missiles in the headline, no launch to come or denied, no state "
            "media's or launcher's account; events/cluster.py). Lower alerts some launches "
            "hours earlier at the cost of false alerts, down to the opening bar "
            "(ALERTS_NEW_EVENT_CONFIDENCE, 0.05 less for a headline that fires, is a flash or "
            "has no lede), which every opening report needs too; 1 opens only on a certain model."
        ),
    )
    slack_webhook_urls: list[CleanSecretStr] = Field(
        default_factory=list, description="JSON list of Slack incoming-webhook URLs (secret)."
    )
    webhook_urls: list[CleanSecretStr] = Field(
        default_factory=list, description="JSON list of generic JSON webhook URLs (secret)."
    )
    subscriptions: Annotated[list[SubscriptionSetting], NoDecode] = Field(
        default_factory=list,
        description="Subscribers with their own destinations and filters: JSON, or a file path.",
    )
    default_language: str = Field(
        default="en",
        description="Language of alerts for subscriptions that set none, and for the simple "
        "destination variables: en, ko or ja (a catalog in alerts/locale).",
    )
    default_timezone: str = Field(
        default="UTC",
        description="IANA time zone (Asia/Seoul, Asia/Tokyo...) alert times are shown in for "
        "subscriptions that set none.",
    )
    smtp_host: str | None = Field(default=None, description="SMTP server host; unset = no email.")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP server port.")
    smtp_username: CleanStr | None = Field(default=None, description="SMTP login user.")
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
    deliver_concurrency: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Sends at once in a delivery worker, one thread each (a send waits on its "
        "receiver, not on the CPU).",
    )
    poll_threads: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Fetch threads per worker process (each polls a batch at once).",
    )
    web_host: str = Field(default="127.0.0.1", description="Address the web service binds.")
    web_port: int = Field(default=8080, ge=1, le=65535, description="Port of the web service.")
    web_token: CleanSecretStr | None = Field(
        default=None,
        description="Token for the API, the API docs and the dashboard (secret); never empty.",
    )
    web_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names the web service answers to besides localhost, 127.0.0.1 and "
        "::1: comma-separated or a JSON list (DNS-rebinding guard).",
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

    @field_validator("email_to", "web_allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return _json(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("default_language")
    @classmethod
    def _default_language(cls, language: str) -> str:
        return check_language(language)

    @field_validator("default_timezone")
    @classmethod
    def _default_timezone(cls, name: str) -> str:
        return check_timezone(name)

    @field_validator("email_from")
    @classmethod
    def _sender(cls, address: str) -> str:
        return check_sender(address)

    @field_validator("smtp_host", "web_host")
    @classmethod
    def _host(cls, host: str | None, info: ValidationInfo) -> str | None:
        if info.field_name == "smtp_host" and not host:
            return None  # `ALERTS_SMTP_HOST=` in a .env means no email, as unset does
        return check_host(host or "")

    @field_validator("web_allowed_hosts")
    @classmethod
    def _allowed_hosts(cls, hosts: list[str]) -> list[str]:
        for position, host in enumerate(hosts, 1):
            try:
                check_host(host)
            except ValueError as exc:
                raise ValueError(f"entry #{position} {exc}") from None
        return hosts

    @field_validator("web_token")
    @classmethod
    def _token(cls, token: SecretStr | None) -> SecretStr | None:
        if token is None:
            return None
        text = token.get_secret_value()
        if not text:
            raise ValueError("is empty, which would let everyone in: set a token or unset it")
        if text != text.strip():
            raise ValueError("has leading or trailing spaces, which no client sends")
        return token

    @field_validator("redis_maxmemory")
    @classmethod
    def _maxmemory(cls, size: str) -> str:
        memory_bytes(size)
        return re.sub(r"\s+", "", size.lower())  # as redis-server's --maxmemory takes it

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
        if url and not re.match(r"^(redis|rediss|unix|redis\+socket|sentinels?)://", url, re.I):
            raise ValueError(
                "must start with redis://, rediss://, unix://, sentinel:// or sentinels://"
            )
        if url and is_sentinel_url(url):
            parse_sentinel_url(url)  # its ValueError names what is wrong, never the password
        return url or None

    @field_validator(
        "redis_ca_file", "redis_cert_file", "redis_key_file", "redis_sentinel_username",
        "redis_sentinel_password", mode="before",
    )  # fmt: skip
    @classmethod
    def _unset_when_empty(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("redis_ca_file", "redis_cert_file", "redis_key_file")
    @classmethod
    def _readable_file(cls, path: Path | None) -> Path | None:
        if path is not None:
            check_readable_file(path)
        return path

    @model_validator(mode="after")
    def _redis_tls_and_sentinel(self) -> Settings:
        """TLS files without a TLS URL, or sentinel credentials without sentinels, would be
        ignored without a word: refused, like a CA file that holds no certificate."""
        url = self.redis_url or ""
        for name in ("redis_ca_file", "redis_cert_file", "redis_key_file"):
            if getattr(self, name) is not None and not is_tls_url(url):
                raise ValueError(
                    f"{_env_name(name)}: is set, but ALERTS_REDIS_URL is not a TLS URL "
                    "(rediss:// or sentinels://), so it would be ignored"
                )
        for name in ("redis_sentinel_username", "redis_sentinel_password"):
            if getattr(self, name) is not None and not is_sentinel_url(url):
                raise ValueError(
                    f"{_env_name(name)}: is set, but ALERTS_REDIS_URL is not a sentinel:// or "
                    "sentinels:// URL, so it would be ignored"
                )
        if self.redis_key_file is not None and self.redis_cert_file is None:
            raise ValueError("ALERTS_REDIS_KEY_FILE: is set without ALERTS_REDIS_CERT_FILE")
        check_tls_files(self.redis_ca_file, self.redis_cert_file, self.redis_key_file)
        return self

    @model_validator(mode="after")
    def _seen_holds_a_poll(self) -> Settings:
        if self.max_seen_per_source < self.max_items_per_poll:
            raise ValueError(
                "ALERTS_MAX_SEEN_PER_SOURCE: must be at least ALERTS_MAX_ITEMS_PER_POLL "
                f"({self.max_items_per_poll}), or items of one poll would be forgotten at once "
                "and alerted again"
            )
        return self

    @property
    def redis_maxmemory_bytes(self) -> int:
        """ALERTS_REDIS_MAXMEMORY in bytes (Redis units: k=1000, kb=1024, ...)."""
        return memory_bytes(self.redis_maxmemory)

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


def check_readable_file(path: Path) -> None:
    """A file this process can read, or ValueError saying why not."""
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ValueError(f"cannot read {path} ({exc.strerror or exc})") from None


def check_tls_files(ca_file: Path | None, cert_file: Path | None, key_file: Path | None) -> None:
    """Load the CA file and the client certificate as the TLS handshake will, so a wrong
    file stops start-up naming its variable instead of failing every connection later."""
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (ssl.SSLError, ValueError):
            raise ValueError(
                "ALERTS_REDIS_CA_FILE: holds no PEM certificate (a CA bundle is expected)"
            ) from None
    if cert_file is not None:
        try:
            # no pass phrase: OpenSSL would otherwise ask for one on the terminal
            context.load_cert_chain(
                str(cert_file), str(key_file) if key_file else None, password=lambda: b""
            )
        except (ssl.SSLError, ValueError):
            raise ValueError(
                "ALERTS_REDIS_CERT_FILE: is not a PEM certificate with its private key "
                "(in the same file or in ALERTS_REDIS_KEY_FILE, not encrypted), or they do "
                "not match"
            ) from None


# Redis's own units for memory sizes (redis.conf: "1k => 1000 bytes, 1kb => 1024 bytes").
_MEMORY_UNITS = {
    "": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3,
}  # fmt: skip
MIN_REDIS_MAXMEMORY_BYTES = 16 * 1024**2


def memory_bytes(size: str) -> int:
    """A Redis memory size (`256mb`, `1gb`, `300000000`) in bytes; at least 16 MB, since Redis
    needs a few MB of its own and 0 would mean no limit at all."""
    match = re.fullmatch(r"\s*(\d{1,15})\s*([a-z]*)\s*", size.lower())
    if match is None or match.group(2) not in _MEMORY_UNITS:
        raise ValueError("must be a Redis memory size such as 256mb or 1gb")
    amount = int(match.group(1)) * _MEMORY_UNITS[match.group(2)]
    if amount < MIN_REDIS_MAXMEMORY_BYTES:
        raise ValueError("must be at least 16mb (0, no limit, lets Redis grow without bound)")
    return amount


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
