"""The composition root: Settings → real clients and adapters, bundled as a Runtime.

The only module (besides workers/) that constructs httpx clients; Redis clients, whatever
the form of ALERTS_REDIS_URL (Sentinel, TLS, ACL), come from alerts.redisconn. Built once per
process (per Celery pool child), never at import time.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import redis

from alerts.config import DestinationSetting, Settings, SubscriptionSetting
from alerts.events.cluster import EventPolicy
from alerts.events.keys import Keys, digest
from alerts.events.store import EventStore
from alerts.metrics import Metrics
from alerts.models import Alert, Destination, SourceSpec
from alerts.notify import registry
from alerts.notify.base import SmtpConfig, Transport
from alerts.notify.deadletter import DeadLetters
from alerts.notify.ledger import DeliveryLedger
from alerts.notify.routing import Subscription
from alerts.notify.threads import RedisThreads
from alerts.pipeline import Policy
from alerts.redact import Secret
from alerts.redisconn import redis_client
from alerts.sources.catalog import load_catalog, source_specs
from alerts.sources.due import PollSchedule, config_digest
from alerts.sources.fetch import FetchLimits, FetchResult, fetch_feed, make_http_client
from alerts.sources.health import PollTiming
from alerts.sources.multifetch import CurlFetcher
from alerts.sources.state import SourceStates


def sources_from(settings: Settings) -> list[SourceSpec]:
    entries = (
        [s.model_dump(exclude_none=True) for s in settings.sources]
        if settings.sources is not None
        else load_catalog()
    )
    return source_specs(
        entries,
        default_interval_s=settings.poll_interval_seconds,
        fast_interval_s=settings.fast_poll_interval_seconds,
    )


def destinations_from(settings: Settings) -> list[Destination]:
    """The default subscription's destinations: ALERTS_SLACK_WEBHOOK_URLS and friends, in
    ALERTS_DEFAULT_LANGUAGE and ALERTS_DEFAULT_TIMEZONE."""
    reader = Reader(settings.default_language, settings.default_timezone)
    out = [
        _destination(DestinationSetting(type="slack", url=u), reader)
        for u in settings.slack_webhook_urls
    ]
    out += [
        _destination(DestinationSetting(type="webhook", url=u), reader)
        for u in settings.webhook_urls
    ]
    if settings.email_to:
        out.append(_destination(DestinationSetting(type="email", to=settings.email_to), reader))
    return out


def subscriptions_from(settings: Settings) -> list[Subscription]:
    """ALERTS_SUBSCRIPTIONS, plus a default subscription of the simple destination variables."""
    subscriptions = [
        Subscription(
            name=s.name,
            destinations=tuple(_destination(d, _reader(s, settings)) for d in s.destinations),
            countries=frozenset(s.countries),
            missile_classes=frozenset(s.missile_classes),
            min_confidence=s.min_confidence,
            updates=s.updates,
            quiet_fields=frozenset(s.quiet_fields),
        )
        for s in settings.subscriptions
    ]
    default = destinations_from(settings)
    if default:
        subscriptions.insert(0, Subscription(name="default", destinations=tuple(default)))
    return subscriptions


@dataclass(frozen=True, slots=True)
class Reader:
    """The language and time zone a subscription's alerts are written for."""

    language: str = "en"
    timezone: str = "UTC"


def _reader(subscription: SubscriptionSetting, settings: Settings) -> Reader:
    """The subscription's own language and zone, else ALERTS_DEFAULT_LANGUAGE / _TIMEZONE."""
    return Reader(
        subscription.language or settings.default_language,
        subscription.timezone or settings.default_timezone,
    )


def _destination(setting: DestinationSetting, reader: Reader) -> Destination:
    """A Destination whose id is stable, safe to log, and derived from where it sends.

    A language or time zone other than English and UTC is part of the id: one Slack URL in
    two subscriptions, in English and in Korean, is two destinations (two messages), while
    the ids of destinations read in English and UTC stay what they always were (the sent
    log and Slack threads are keyed by them).
    """
    url = setting.url.get_secret_value() if setting.url else ""
    token = setting.token.get_secret_value() if setting.token else ""
    identity = url or ",".join(setting.to) or f"{token}|{setting.channel}"
    if reader != Reader():
        identity += f"|{reader.language}|{reader.timezone}"
    return Destination(
        id=f"{setting.type}-{digest(setting.type + identity)[:10]}",
        channel=setting.type,
        url=Secret(url) if url else None,
        recipients=tuple(setting.to),
        signing_secrets=tuple(Secret(k.get_secret_value()) for k in setting.signing_secrets),
        token=Secret(token) if token else None,
        target=setting.channel,
        language=reader.language,
        timezone=reader.timezone,
    )


def smtp_from(settings: Settings) -> SmtpConfig | None:
    if not settings.smtp_host:
        return None
    password = settings.smtp_password
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=Secret(password.get_secret_value()) if password else None,
        starttls=settings.smtp_starttls,
        ssl=settings.smtp_ssl,
        sender=settings.email_from,
    )


def policy_from(settings: Settings) -> Policy:
    return Policy(
        max_item_age_s=settings.max_item_age_seconds,
        min_confidence=settings.min_confidence,
        max_items_per_poll=settings.max_items_per_poll,
        events=EventPolicy(
            open_confidence=settings.new_event_confidence,
            model_open_confidence=settings.model_open_confidence,
            follow_up_s=settings.event_follow_up_seconds,
            min_update_gap_s=settings.min_update_gap_seconds,
        ),
    )


def timing_from(settings: Settings) -> PollTiming:
    return PollTiming(
        jitter=settings.poll_jitter,
        surge_interval_s=settings.surge_interval_seconds,
        honour_cache_hints=settings.honour_cache_hints,
        max_hint_s=settings.max_cache_hint_seconds,
    )


def limits_from(settings: Settings) -> FetchLimits:
    return FetchLimits(
        total_timeout_s=settings.fetch_timeout_seconds,
        read_timeout_s=min(10.0, settings.fetch_timeout_seconds),
        connect_timeout_s=min(5.0, settings.fetch_timeout_seconds),
        max_bytes=settings.fetch_max_bytes,
    )


def secret_values(settings: Settings) -> list[str]:
    """Every configured secret, for the log redaction layer."""
    values = [u.get_secret_value() for u in settings.slack_webhook_urls + settings.webhook_urls]
    if settings.smtp_password:
        values.append(settings.smtp_password.get_secret_value())
    if settings.web_token:
        values.append(settings.web_token.get_secret_value())
    if settings.redis_url:
        values += _url_passwords(settings.redis_url)
    if settings.redis_sentinel_password:
        values.append(settings.redis_sentinel_password.get_secret_value())
    for subscription in subscriptions_from(settings):
        for d in subscription.destinations:
            values += [s.reveal() for s in (d.url, d.token, *d.signing_secrets) if s is not None]
    return sorted(v for v in set(values) if v)


def _url_passwords(url: str) -> list[str]:
    """The password in a Redis URL (`redis://:pw@host`, `sentinel://user:pw@h1,h2/0?...`), as
    written, percent-decoded and percent-encoded (the broker URL of a Sentinel set-up is
    rebuilt with it encoded)."""
    try:
        password = urllib.parse.urlsplit(url).password or ""
    except ValueError:
        return []
    plain = urllib.parse.unquote(password)
    return [password, plain, urllib.parse.quote(plain, safe="")]


def new_token() -> str:
    return uuid.uuid4().hex[:8]


@dataclass
class Runtime:
    """Per-process clients and adapters; what Celery tasks and CLI commands work with."""

    settings: Settings
    redis: redis.Redis[bytes]
    http: httpx.Client
    events: EventStore
    states: SourceStates
    ledger: DeliveryLedger
    deadletters: DeadLetters
    schedule: PollSchedule
    metrics: Metrics
    sources: dict[str, SourceSpec]
    subscriptions: list[Subscription]
    destinations: dict[str, Destination]
    transport: Transport
    policy: Policy
    timing: PollTiming = field(default_factory=PollTiming)
    limits: FetchLimits = field(default_factory=FetchLimits)

    @functools.cached_property
    def sources_digest(self) -> str:
        """The configured sources' digest, once a process: the dispatcher compares it each
        tick, and sources only change with a restart."""
        return config_digest(self.sources.values())

    def fetch(
        self, url: str, *, source: str, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        return fetch_feed(
            self.http,
            url,
            source=source,
            etag=etag,
            last_modified=last_modified,
            limits=self.limits,
        )

    @functools.cached_property
    def fetcher(self) -> CurlFetcher:
        """The batch poller's fetcher (libcurl); redirects go through `fetch` (httpx)."""
        return CurlFetcher(
            self.limits,
            fallback=lambda r, location, left_s: fetch_feed(
                self.http,
                r.url,
                source=r.source,
                etag=r.etag,
                last_modified=r.last_modified,
                limits=dataclasses.replace(self.limits, total_timeout_s=left_s),
                redirected_to=location,
            ),
            per_host=self.settings.per_host_concurrency,
        )

    def send(self, alert: Alert, destination: Destination) -> None:
        registry.deliver(alert, destination, self.transport)

    @functools.cached_property
    def poll_slots(self) -> threading.BoundedSemaphore:
        """Poll batches in flight in this process, at most twice the fetch threads."""
        return threading.BoundedSemaphore(self.settings.poll_threads * 2)

    @functools.cached_property
    def poll_threads(self) -> ThreadPoolExecutor:
        """This process's fetch threads (created on first use, after any fork)."""
        return ThreadPoolExecutor(self.settings.poll_threads, thread_name_prefix="poll")

    def close(self) -> None:
        if "poll_threads" in self.__dict__:
            self.poll_threads.shutdown(wait=False, cancel_futures=True)
        self.http.close()
        self.transport.http.close()
        self.redis.close()


def build_runtime(
    settings: Settings, *, redis_url: str | None = None, keys: Keys | None = None
) -> Runtime:
    url = redis_url or settings.redis_url
    if not url:
        raise ValueError("a Redis URL is needed to build the runtime")
    client = redis_client(settings, url=url)
    keys = keys or Keys()
    limits = limits_from(settings)
    subscriptions = subscriptions_from(settings)
    http = make_http_client(limits)
    notify_http = httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0), follow_redirects=False)
    return Runtime(
        settings=settings,
        redis=client,
        http=http,
        events=EventStore(
            client,
            keys=keys,
            seen_ttl_s=settings.seen_ttl_seconds,
            max_seen_per_source=settings.max_seen_per_source,
        ),
        states=SourceStates(client, keys=keys),
        ledger=DeliveryLedger(client, keys=keys, claim_ttl_s=settings.delivery_claim_seconds),
        deadletters=DeadLetters(client, keys=keys),
        schedule=PollSchedule(client, keys=keys),
        metrics=Metrics(client, keys=keys),
        sources={s.name: s for s in sources_from(settings)},
        subscriptions=subscriptions,
        destinations={d.id: d for s in subscriptions for d in s.destinations},
        transport=Transport(
            http=notify_http, smtp=smtp_from(settings), threads=RedisThreads(client, keys=keys)
        ),
        policy=policy_from(settings),
        timing=timing_from(settings),
        limits=limits,
    )
