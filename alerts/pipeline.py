"""The flow as plain functions over ports: poll a source, turn its items into alerts, deliver one.

Celery tasks call these and nothing else; `alerts replay` calls `process_items` with each item's
publish time as the clock. Every function takes `now` and returns values describing what it did,
so each decision can be logged with its reason and tested without a clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from alerts.errors import SourceError, SourceErrorKind
from alerts.events.cluster import is_too_old, launch_report
from alerts.models import Alert, Delivery, Destination, Item, SourceSpec, Verdict
from alerts.ports import Classify, EventMemory, Fetch, Fetched, Ledger, Send, SourceStateStore
from alerts.sources import health
from alerts.sources.jsonapi import parse_json_api
from alerts.sources.parse import ParsedFeed, parse_feed


@dataclass(frozen=True, slots=True)
class Policy:
    """The knobs of detection and deduplication, from Settings."""

    max_item_age_s: float
    event_window_s: float
    min_confidence: float


class ItemOutcome(StrEnum):
    SEEN = "seen"
    OLD = "old"
    BASELINE = "baseline"
    NOT_LAUNCH = "not_launch"
    NEW_EVENT = "new_event"
    JOINED = "joined"


@dataclass(frozen=True, slots=True)
class ItemDecision:
    item: Item
    outcome: ItemOutcome
    verdict: Verdict | None = None
    event_id: str | None = None
    alert: Alert | None = None  # the `new` alert, when this item opened an event


@dataclass(frozen=True, slots=True)
class Processed:
    """Alerts to fan out (new ones, and pending ones a crashed poll left behind) and why."""

    alerts: list[Alert] = field(default_factory=list)
    decisions: list[ItemDecision] = field(default_factory=list)


def process_items(
    items: Sequence[Item],
    *,
    events: EventMemory,
    classify: Classify,
    policy: Policy,
    now: datetime,
    new_token: Callable[[], str],
    baseline: bool = False,
) -> Processed:
    """Detect and deduplicate a batch, oldest first. One MGET, one pipeline, one script per launch.

    `baseline` (a source's first successful poll) remembers undated items without alerting, so
    a new feed whose entries carry no dates cannot flood subscribers with its back catalogue.
    """
    ordered = sorted(items, key=lambda i: (i.published_at is None, i.published_at or now))
    result = Processed()
    to_remember: dict[str, list[Item]] = defaultdict(list)
    fanned: set[str] = set()
    for item, prior in zip(ordered, events.recall(ordered), strict=True):
        if prior is not None:
            if prior.startswith("pending:") and prior not in fanned:
                fanned.add(prior)
                result.alerts.append(events.load_alert(prior.removeprefix("pending:")))
            result.decisions.append(ItemDecision(item, ItemOutcome.SEEN))
            continue
        decision = _decide(item, events, classify, policy, now, new_token, baseline)
        result.decisions.append(decision)
        if decision.alert is not None:
            result.alerts.append(decision.alert)
        elif decision.outcome is not ItemOutcome.JOINED:
            to_remember[decision.outcome.value].append(item)
    for status, remembered in to_remember.items():
        events.remember(remembered, status)
    return result


def _decide(
    item: Item,
    events: EventMemory,
    classify: Classify,
    policy: Policy,
    now: datetime,
    new_token: Callable[[], str],
    baseline: bool,
) -> ItemDecision:
    if is_too_old(item, now=now, max_age_s=policy.max_item_age_s):
        return ItemDecision(item, ItemOutcome.OLD)
    if baseline and item.published_at is None:
        return ItemDecision(item, ItemOutcome.BASELINE)
    verdict = classify(item)
    if not verdict.is_launch or verdict.confidence < policy.min_confidence:
        return ItemDecision(item, ItemOutcome.NOT_LAUNCH, verdict)
    report = launch_report(item, verdict, now=now, token=new_token())
    outcome = events.open_or_join(report, window_s=policy.event_window_s)
    if outcome.status == "new":
        alert = report.candidate
        return ItemDecision(item, ItemOutcome.NEW_EVENT, verdict, alert.event_id, alert)
    if outcome.status == "joined":
        return ItemDecision(item, ItemOutcome.JOINED, verdict, outcome.value)
    return ItemDecision(item, ItemOutcome.SEEN, verdict)  # another worker got there first


@dataclass(frozen=True, slots=True)
class PollResult:
    """One source's poll: never raises for a source problem; the error is a value."""

    source: str
    status: str  # "ok" | "not_modified" | "error" | "backing_off"
    state: health.SourceState
    processed: Processed = field(default_factory=Processed)
    items: int = 0
    error: SourceError | None = None
    previous_health: health.Health = health.Health.NEW
    gap: bool = False  # every item was unseen: items may have rotated out between polls
    hint_s: float | None = None  # the feed's own cache hint (max-age or <ttl>)


def poll_source(
    spec: SourceSpec,
    *,
    fetch: Fetch,
    states: SourceStateStore,
    events: EventMemory,
    classify: Classify,
    policy: Policy,
    now: datetime,
    new_token: Callable[[], str],
) -> PollResult:
    """Fetch, parse, detect and deduplicate one source, and record its health."""
    state = states.load(spec.name)
    if not health.is_due(state, now=now):
        return PollResult(spec.name, "backing_off", state, previous_health=state.health)
    try:
        fetched = fetch(
            spec.url, source=spec.name, etag=state.etag, last_modified=state.last_modified
        )
        parsed = None if fetched.not_modified else _parse(spec, fetched)
    except SourceError as err:
        failed = health.after_failure(
            state,
            now=now,
            reason=str(err),
            interval_s=spec.interval_s,
            retry_after_s=err.retry_after_s,
        )
        states.save(failed)
        return PollResult(spec.name, "error", failed, error=err, previous_health=state.health)
    items = parsed.items if parsed else ()
    processed = process_items(
        items,
        events=events,
        classify=classify,
        policy=policy,
        now=now,
        new_token=new_token,
        baseline=not state.ever_succeeded,
    )
    ok = health.after_success(
        state, now=now, etag=fetched.etag, last_modified=fetched.last_modified
    )
    gap = state.ever_succeeded and _is_gap(processed)
    if gap:
        ok = health.after_gap(ok, now=now)
    states.save(ok)
    hints = [h for h in (fetched.max_age_s, parsed.ttl_s if parsed else None) if h]
    return PollResult(
        spec.name,
        "not_modified" if fetched.not_modified else "ok",
        ok,
        processed,
        items=len(items),
        previous_health=state.health,
        gap=gap,
        hint_s=max(hints) if hints else None,
    )


GAP_MIN_ITEMS = 2


def _is_gap(processed: Processed) -> bool:
    """All of a feed's items were new to us: some may have come and gone between polls."""
    decisions = processed.decisions
    return len(decisions) >= GAP_MIN_ITEMS and all(
        d.outcome is not ItemOutcome.SEEN for d in decisions
    )


def _parse(spec: SourceSpec, fetched: Fetched) -> ParsedFeed:
    """The fetched body parsed; relative links resolve against the URL after redirects."""
    try:
        if spec.json_api is not None:
            return parse_json_api(
                fetched.body, source=spec.name, mapping=spec.json_api, url=fetched.final_url
            )
        return parse_feed(
            fetched.body,
            source=spec.name,
            content_type=fetched.content_type,
            url=fetched.final_url or spec.url,
        )
    except SourceError:
        raise
    except Exception as exc:  # a parser bug must mark the source, never kill the worker
        raise SourceError(
            f"parser failed: {type(exc).__name__}", source=spec.name, kind=SourceErrorKind.PARSE
        ) from exc


class DeliveryOutcome(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    BUSY = "busy"  # another attempt holds the claim; try again shortly


def deliver_one(
    delivery: Delivery,
    *,
    destination: Destination,
    events: EventMemory,
    ledger: Ledger,
    send: Send,
    owner: str,
    now: Callable[[], datetime],
) -> DeliveryOutcome:
    """Send one alert revision to one destination once (ledger checked before, written after).

    Raises DeliveryError from the channel; the caller decides between retry and dead letter.
    """
    key = delivery.key
    if ledger.was_sent(key):
        return DeliveryOutcome.ALREADY_SENT
    if not ledger.claim(key, owner):
        return DeliveryOutcome.BUSY
    try:
        send(events.load_alert(delivery.alert_key), destination)
    except BaseException:
        ledger.release(key)
        raise
    ledger.mark_sent(key, now().isoformat())
    return DeliveryOutcome.SENT
