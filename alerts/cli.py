"""Celery-free commands: classify, replay, sources, dlq. Mounted under `alerts` by workers/cli.py.

`classify` and `replay` are how operators test rules offline and how detection and
deduplication are measured: they run the exact code the workers run.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import click
import redis

from alerts.bootstrap import policy_from, secret_values
from alerts.config import Settings, load_settings
from alerts.detection.classify import classify_item
from alerts.detection.stream import in_stream
from alerts.embedded import start_embedded
from alerts.events.codec import alert_to_dict
from alerts.events.keys import Keys
from alerts.events.store import EventStore
from alerts.models import Alert, Item, Verdict
from alerts.pipeline import Policy, flush_owed_updates, process_items
from alerts.redact import mask_url, redact_text
from alerts.redisconn import Timeouts, redis_client
from alerts.sources.parse import normalise_lang, plain_text

# Other names news APIs and exports give the same fields (NewsAPI, GDELT, feed-to-JSON tools).
_ALIASES = {
    "title": ("title", "headline"),
    "summary": ("summary", "description", "content", "body", "text"),
    "published": ("published", "published_at", "publishedAt", "pubDate", "date", "datetime",
                  "timestamp"),
    "url": ("url", "link"),
    "source": ("source", "outlet", "publisher", "feed"),
    "lang": ("lang", "language"),
}  # fmt: skip


def _field(obj: dict[str, Any], name: str) -> Any:
    """The first of a field's names the record gives a value to."""
    return next((obj[key] for key in _ALIASES[name] if obj.get(key) not in (None, "")), None)


def _text(value: Any) -> str:
    """A text field's value; a list or an object in its place is no text."""
    return value if isinstance(value, str) else ""


def item_from_json(obj: dict[str, Any], *, line_no: int) -> Item:
    """An Item from one JSON Lines record; only a title is required. Fields go by their own
    names or a news API's (`headline`, `description`, `publishedAt`, `pubDate`, `link`,
    `language`; `_ALIASES`); a time may be ISO 8601, RFC 2822 (a feed's) or seconds since the
    epoch; a source may be `{"name": ...}`. Markup in the title or summary (a news API's HTML
    description) is read as its text, as feeds' is. With no source, the URL's host is the
    source: a second outlet corroborates a report, the same outlet does not, and records
    without either would all be one outlet."""
    title = _field(obj, "title") if isinstance(obj, dict) else None
    if not isinstance(title, str):
        raise ValueError("needs a string 'title'")
    published = _field(obj, "published")
    url = _text(_field(obj, "url"))
    source = _field(obj, "source")
    if isinstance(source, dict):  # NewsAPI: {"id": "reuters", "name": "Reuters"}
        source = source.get("name") or source.get("id")
    source = _text(source)
    lang = _field(obj, "lang")
    return Item(
        id=str(obj.get("id") or f"line-{line_no}"),
        source=str(source or _host(url) or "jsonl"),
        title=plain_text(title),
        url=url,
        summary=plain_text(_text(_field(obj, "summary"))),
        published_at=_parse_time(published) if published is not None else None,
        lang=normalise_lang(lang) if isinstance(lang, str) else None,
        published_local=str(published) if published is not None else None,
    )


_SITE_PREFIX = re.compile(r"^(?:www\d?|m|amp|mobile)\.(?=[^.]+\.)")


def _host(url: str) -> str | None:
    """The outlet of a URL: "www.", "m." and "amp." hosts of one site are one outlet."""
    try:
        host = urlsplit(url).hostname if "//" in url else None
    except ValueError:  # "http://[::1" : no outlet to name, and no reason to drop the record
        return None
    return _SITE_PREFIX.sub("", host) if host else None


_EPOCH_MS = 10**11  # larger epoch numbers are milliseconds (10**11 s is the year 5138)
# Zone names feeds write that RFC 2822 does not know (it knows GMT, UT and the US ones), in
# hours east of UTC: "Wed, 01 May 2024 12:04:05 KST" is 03:04 UTC, not 12:04.
_ZONE_NAMES = {"KST": 9, "JST": 9, "HKT": 8, "SGT": 8, "IST": 5.5, "PKT": 5, "IRST": 3.5,
               "MSK": 3, "EEST": 3, "EET": 2, "CEST": 2, "CET": 1, "BST": 1, "WET": 0}  # fmt: skip
_RFC2822_ZONES = frozenset({"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT",
                            "PST", "PDT"})  # fmt: skip
_ZONE_NAME = re.compile(r"\s([A-Za-z]{2,5})$")
_CLOCK = re.compile(r"\d:\d\d")


def _parse_time(value: Any) -> datetime:
    """A record's time: ISO 8601, RFC 2822 or epoch seconds (milliseconds when larger; as a
    number or a string of digits); without a zone, UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"published {value!r} is no time")
    try:
        parsed = _epoch(value) if not isinstance(value, str) or value.strip().isdigit() else None
        if parsed is None:
            parsed = _text_time(str(value).strip())
    except OverflowError as exc:
        raise ValueError(f"published {value!r} is out of range") from exc
    if not 1900 <= parsed.year <= 2200:  # no news item's; and days around it must compute
        raise ValueError(f"published {value!r} is out of range")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _epoch(value: float | str) -> datetime:
    number = float(value)
    if not number > 0 or number != number:  # 0, negatives and NaN: no time given
        raise ValueError(f"published {value!r} is no time")
    seconds = number / 1000 if number >= _EPOCH_MS else number
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"published {value!r} is out of range") from exc


def _text_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    zone = _ZONE_NAME.search(text) if _CLOCK.search(text) else None
    name = zone.group(1).upper() if zone else None
    shift = timedelta(0)
    if zone and name in _ZONE_NAMES:
        text, shift = f"{text[: zone.start()]} +0000", timedelta(hours=_ZONE_NAMES[name])
    elif name and name not in _RFC2822_ZONES:
        raise ValueError(f"published {text!r} names a zone not known: {name}")
    try:
        return parsedate_to_datetime(text) - shift
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"published {text!r} is not ISO 8601 or RFC 2822") from exc


def read_items(stream: IO[str]) -> Iterator[tuple[int, Item | None, str | None]]:
    """(line number, item or None, error or None) for every non-blank line, in order."""
    for line_no, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield line_no, item_from_json(json.loads(line), line_no=line_no), None
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            yield line_no, None, f"line {line_no}: {exc}"


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


@click.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option(
    "--alone",
    is_flag=True,
    help="Judge each item alone and write its verdict as soon as it is read (for tail -f).",
)
def classify(file: IO[str], alone: bool) -> None:
    """Classify JSON Lines items; one JSON verdict per input line, in order.

    The input is read as one stream: an item's verdict weighs the launches the items around
    it report (`alerts.detection.stream`); an item alone is judged as it stands. `--alone`
    judges every item so, line by line.
    """
    read: Iterable[tuple[int, Item | None, str | None]] = read_items(file)
    judge: Callable[[Item], Verdict] = classify_item
    if not alone:
        read = list(read)
        judge = _judged_in_stream(read)
    failed = False
    for line_no, item, error in read:
        if item is None:
            failed = True
            _emit({"id": f"line-{line_no}", "error": error})
            continue
        verdict = judge(item)
        _emit(
            {
                "id": item.id,
                "is_launch": verdict.is_launch,
                "confidence": round(verdict.confidence, 4),
                "category": verdict.category,
                "reasons": list(verdict.reasons),
                "facts": verdict.facts.as_dict(),
            }
        )
        sys.stdout.flush()
    if failed:
        raise SystemExit(1)


def _judged_in_stream(
    read: Sequence[tuple[int, Item | None, str | None]],
) -> Callable[[Item], Verdict]:
    """The verdicts of the items read, each against the others (`in_stream`), handed out in
    their order of reading."""
    items = [item for _, item, _ in read if item is not None]
    verdicts = iter(in_stream([(item.published_at, classify_item(item)) for item in items]))
    return lambda _item: next(verdicts)


@click.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
def replay(file: IO[str]) -> None:
    """Run items through detection and deduplication in publish order; print the alerts.

    Each item's publish time is the clock. Runs in a private Redis namespace (an embedded
    server when ALERTS_REDIS_URL is unset) that is deleted afterwards. Delivers nothing.
    """
    settings = load_settings()
    items = []
    for _line_no, item, error in read_items(file):
        if item is None:
            raise click.ClickException(str(error))
        items.append(item)
    with _redis_for(settings) as client:
        store = EventStore(
            client,
            keys=Keys(f"alerts:replay:{uuid.uuid4().hex}:"),
            seen_ttl_s=settings.seen_ttl_seconds,
        )
        try:
            _replay(items, store, policy_from(settings))
        finally:
            store.delete_namespace()


def _replay(items: list[Item], store: EventStore, policy: Policy) -> None:
    clock = datetime.now(UTC)
    timed = sorted(enumerate(items), key=lambda p: (p[1].published_at or clock, p[0]))
    counter = iter(range(1, 1 << 30))
    now = clock
    for _, item in timed:
        now = item.published_at or clock
        _emit_all(flush_owed_updates(events=store, policy=policy, now=now), store)
        processed = process_items([item], events=store, classify=classify_item, policy=policy,
                                  now=now, new_token=lambda: f"r{next(counter):05d}")  # fmt: skip
        _emit_all(processed.alerts, store)
    later = now + timedelta(seconds=policy.events.min_update_gap_s)
    _emit_all(flush_owed_updates(events=store, policy=policy, now=later), store)


def _emit_all(alerts: list[Alert], store: EventStore) -> None:
    for alert in alerts:
        _emit(alert_to_dict(alert))
        store.mark_fanned_out(alert)


@contextlib.contextmanager
def _redis_for(settings: Settings) -> Iterator[redis.Redis[bytes]]:
    if settings.redis_url:
        client = redis_client(settings)
        try:
            yield client
        finally:
            client.close()
        return
    with tempfile.TemporaryDirectory(prefix="alerts-replay-") as tmp:
        server = start_embedded(Path(tmp), appendonly=False)
        client = redis_client(settings, url=server.url)
        try:
            yield client
        finally:
            client.close()
            server.stop()


@click.group(invoke_without_command=True)
@click.pass_context
def sources(ctx: click.Context) -> None:
    """Print every configured source with its health, last success and last error."""
    if ctx.invoked_subcommand is not None:
        return
    from alerts.bootstrap import sources_from
    from alerts.sources.state import SourceStates

    settings = load_settings()
    client = _connect_existing(settings)
    states = SourceStates(client).load_many(s.name for s in sources_from(settings))
    rows = [("SOURCE", "HEALTH", "FAILURES", "LAST SUCCESS", "LAST ERROR")]
    for st in states:
        rows.append(
            (
                st.name,
                st.health,
                str(st.failures),
                st.last_success_at.isoformat(timespec="seconds") if st.last_success_at else "-",
                (st.last_error or "-")[:80],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[4])


@sources.command("export")
@click.option("--opml", "as_opml", is_flag=True, help="OPML 2.0 (the only format so far).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-")
def sources_export(as_opml: bool, output: str) -> None:
    """Write the configured sources as OPML, for a feed reader or for ALERTS_SOURCES=FILE.

    Reads the configuration only (no Redis). JSON news APIs are left out: OPML has no word
    for their field mapping."""
    from alerts.bootstrap import sources_from
    from alerts.sources.listfile import to_opml

    if not as_opml:
        raise click.UsageError("say the format: --opml")
    document = to_opml(sources_from(load_settings()))
    with click.open_file(output, "w", encoding="utf-8") as fh:
        fh.write(document)


@click.group()
def dlq() -> None:
    """The dead-letter list: deliveries that failed after every retry."""


@dlq.command("list")
def dlq_list() -> None:
    """One JSON line per dead letter, oldest first, numbered for `alerts dlq replay`."""
    from alerts.notify.deadletter import DeadLetters

    letters = DeadLetters(_connect_existing(load_settings())).list()
    for number, letter in enumerate(letters, 1):
        _emit({"number": number, **asdict(letter)})
    if not letters:  # said on stderr: stdout stays JSON Lines (here, none) for scripts
        click.echo("the dead-letter list is empty", err=True)


@click.command("test-alert")
@click.option("--destination", "only", multiple=True, help="Destination id(s); default all.")
def test_alert(only: tuple[str, ...]) -> None:
    """Send a clearly marked TEST alert to every destination now and report each result.

    Sends directly (no worker, no Redis, no ledger), so it checks the destinations themselves.
    """
    import httpx

    from alerts.bootstrap import smtp_from, subscriptions_from
    from alerts.errors import DeliveryError
    from alerts.notify.base import Transport
    from alerts.notify.registry import deliver

    settings = load_settings()
    destinations = {d.id: d for s in subscriptions_from(settings) for d in s.destinations}
    chosen = [d for d in destinations.values() if not only or d.id in only]
    if not chosen:
        raise click.ClickException("no destination configured (or none of those ids)")
    failed = 0
    with httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0)) as http:
        transport = Transport(http=http, smtp=smtp_from(settings))
        for destination in chosen:
            row = {"destination": destination.id, "channel": destination.channel}
            try:
                deliver(sample_test_alert(datetime.now(UTC)), destination, transport)
                _emit({**row, "result": "sent"})
            except DeliveryError as err:
                failed += 1
                _emit({**row, "result": "failed", "reason": str(err.reason), "error": str(err)})
    if failed:
        raise SystemExit(1)


def sample_test_alert(now: datetime) -> Alert:
    """A TEST alert that looks like a real one, so every channel renders all its parts."""
    from alerts.models import AlertKind, Facts, SourceRef

    return Alert(
        event_id=f"test-{now:%Y%m%d%H%M%S}",
        kind=AlertKind.NEW,
        revision=1,
        title="TEST ALERT from missile-alerts: this is not a real launch",
        url="https://github.com/missile-alerts",
        facts=Facts(country="XX", missile_class="unidentified_ballistic", count=1),
        confidence=1.0,
        detected_at=now,
        first_published_at=now,
        sources=(
            SourceRef(
                "missile-alerts", "test", "https://github.com/missile-alerts", "Test alert", now
            ),
        ),
        test=True,
    )


def _connect_existing(settings: Settings) -> redis.Redis[bytes]:
    """The configured Redis, or the embedded one a running `alerts run` owns.

    When it does not answer, say which URL was tried (password masked) and why.
    """
    url = settings.redis_url or f"unix://{(settings.data_dir / 'redis.sock').resolve()}"
    try:
        client = redis_client(settings, url=url, timeouts=Timeouts(5.0, 2.0))
        client.ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        hint = (
            "check ALERTS_REDIS_URL"
            if settings.redis_url
            else "start `alerts run` first, or set ALERTS_REDIS_URL"
        )
        reason = redact_text(str(exc) or type(exc).__name__, secret_values(settings))
        raise click.ClickException(
            f"no Redis reachable at {mask_url(url)} ({reason}): {hint}"
        ) from None
    return client


@click.command()
@click.option("--role", type=click.Choice(["any", "worker", "deliver", "beat"]), default="any",
              help="worker: this host's polls; deliver: this host's delivery worker.")  # fmt: skip
@click.option("--max-age", "max_age_s", default=30.0, show_default=True,
              help="Seconds since the last heartbeat that still count as alive.")  # fmt: skip
def health(role: str, max_age_s: float) -> None:
    """Exit 0 when Redis answers and the beat/workers beat recently (container healthchecks)."""
    import socket
    import time

    from alerts.events.keys import Keys

    client = _connect_existing(load_settings())
    keys, now = Keys(), time.time()
    checks: dict[str, bool] = {"redis": True}
    if role in {"any", "beat"}:
        checks["beat"] = _fresh(client.get(keys.heartbeat_beat()), now, max_age_s)
    this_host = {"worker": keys.heartbeat_worker, "deliver": keys.heartbeat_deliver}
    if role in this_host:
        key = this_host[role](socket.gethostname())
        checks[role] = _fresh(client.get(key), now, max_age_s)
    _emit(checks)
    if not all(checks.values()):
        raise SystemExit(1)


def _fresh(value: bytes | None, now: float, max_age_s: float) -> bool:
    return value is not None and now - float(value) <= max_age_s


@click.command()
def metrics() -> None:
    """Print every metric in Prometheus text format (what /metrics serves)."""
    from alerts.metrics import render_metrics

    click.echo(render_metrics(_connect_existing(load_settings())), nl=False)


COMMANDS = [classify, replay, sources, dlq, test_alert, metrics, health]
