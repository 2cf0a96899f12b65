"""The flow as plain functions over ports: poll a source, turn its items into alerts, deliver one.

Celery tasks call these and nothing else; `alerts replay` calls `process_items` with each item's
publish time as the clock. Every function takes `now` and returns values describing what it did,
so each decision can be logged with its reason and tested without a clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from alerts.detection.stream import LIFT_AFTER, lift, may_lift
from alerts.errors import SourceError, SourceErrorKind, StoreError
from alerts.events.cluster import (
    Action,
    Decision,
    EventPolicy,
    decide,
    flush_owed_update,
    is_too_old,
    make_report,
    new_event_id,
)
from alerts.events.identity import text_hash as hash_text
from alerts.models import (
    Alert,
    Delivery,
    Destination,
    Facts,
    Item,
    LaunchEvent,
    SourceSpec,
    Verdict,
)
from alerts.ports import Classify, EventMemory, Fetch, Fetched, Ledger, Send, SourceStateStore
from alerts.sources import health
from alerts.sources.jsonapi import parse_json_api
from alerts.sources.parse import ParsedFeed, parse_feed

DEFAULT_MAX_ITEMS_PER_POLL = 500  # Settings.max_items_per_poll (ALERTS_MAX_ITEMS_PER_POLL)


@dataclass(frozen=True, slots=True)
class Policy:
    """The knobs of detection and deduplication, from Settings.

    `max_items_per_poll` bounds what one poll of one source may cost (its newest items are
    taken, None: all of them); a feed minting new ids on every poll can then add no more than
    that many seen keys a poll, and the store's per-source cap bounds the total.
    """

    max_item_age_s: float
    min_confidence: float
    events: EventPolicy = field(default_factory=EventPolicy)
    max_items_per_poll: int | None = DEFAULT_MAX_ITEMS_PER_POLL


class ItemOutcome(StrEnum):
    SEEN = "seen"
    OLD = "old"
    BASELINE = "baseline"
    NOT_LAUNCH = "not_launch"
    NEW_EVENT = "new"
    UPDATE = "update"
    DEFER = "defer"
    CORRECTION = "correction"
    JOINED = "join"
    DUPLICATE = "duplicate"
    IGNORED = "ignore"
    WAITING = "wait"


@dataclass(frozen=True, slots=True)
class ItemDecision:
    item: Item
    outcome: ItemOutcome
    verdict: Verdict | None = None
    event_id: str | None = None
    alert: Alert | None = None  # the alert this item caused, if any
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Processed:
    """Alerts to fan out, and what became of each item."""

    alerts: list[Alert] = field(default_factory=list)
    decisions: list[ItemDecision] = field(default_factory=list)


MAX_COMMIT_ATTEMPTS = 25


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
    """Detect and deduplicate a batch, oldest first: one MGET and one pipeline for the batch,
    plus a snapshot and a commit script per launch report (and a snapshot per report the
    detector doubted that names its launcher, at most one a launcher a day while the batch
    commits no event: `_join_follow_up`).

    An item already seen with the same text is skipped; an edited item is judged again (an
    edit that adds nothing joins silently). `baseline` (a source's first successful poll)
    remembers undated items without alerting, so a new feed's back catalogue floods no one.
    """
    ordered = sorted(items, key=lambda i: (i.published_at is None, i.published_at or now))
    result = Processed()
    marks: list[tuple[Item, str]] = []
    quiet: dict[str, tuple[datetime, list[datetime]]] = {}  # see _join_follow_up
    for item, prior in zip(ordered, events.recall(ordered), strict=True):
        text_hash = hash_text(item.title, item.summary)
        if prior is not None and _same_text(prior, text_hash):
            result.decisions.append(ItemDecision(item, ItemOutcome.SEEN))
            continue
        decision, verdict = _judge(item, policy, now, baseline, classify)
        if decision is None and verdict is not None:  # a launch report or a correction
            decision = _decide_event(item, verdict, text_hash, events, policy, now, new_token)
            assert decision is not None  # nothing vetoes it
            quiet.clear()
        else:
            assert decision is not None
            joined = _join_follow_up(decision, text_hash, events, policy, now, quiet)
            if joined is None:
                marks.append((item, f"{decision.outcome}|{text_hash}"))
            decision = joined or decision
        result.decisions.append(decision)
        if decision.alert is not None:
            result.alerts.append(decision.alert)
    events.remember(marks)
    return result


def _same_text(prior: str, text_hash: str) -> bool:
    _, sep, seen_hash = prior.partition("|")
    return not sep or seen_hash == text_hash


def _judge(
    item: Item, policy: Policy, now: datetime, baseline: bool, classify: Classify
) -> tuple[ItemDecision | None, Verdict | None]:
    """The decisions that need no event lookup; (None, verdict) when the item needs one."""
    if is_too_old(item, now=now, max_age_s=policy.max_item_age_s):
        return ItemDecision(item, ItemOutcome.OLD), None
    if baseline and item.published_at is None:
        return ItemDecision(item, ItemOutcome.BASELINE), None
    verdict = classify(item)
    launch = verdict.is_launch and verdict.confidence >= policy.min_confidence
    if not launch and not verdict.corrects:
        return ItemDecision(item, ItemOutcome.NOT_LAUNCH, verdict), verdict
    return None, verdict


def _join_follow_up(
    decision: ItemDecision,
    text_hash: str,
    events: EventMemory,
    policy: Policy,
    now: datetime,
    quiet: dict[str, tuple[datetime, list[datetime]]],
) -> ItemDecision | None:
    """A report the detector doubted that names its launcher (not a guess among the states it
    names), when that launcher has an event launched in the day before it (not retracted):
    news of that launch after all (`alerts.detection.stream`: a reaction, an analysis, a
    claim). It joins that event silently, as a source: its facts are a doubted story's (a
    claimed range, a year's tally), never sent as an update or a correction, and it opens or
    holds nothing. None when it joins nothing (it stays `not_launch`).

    `quiet` keeps, per launcher, the launch times of its events read around an earlier item
    of the batch (enough for a day after it); the caller clears it when the batch commits an
    event.
    """
    verdict = decision.verdict
    if (
        decision.outcome is not ItemOutcome.NOT_LAUNCH
        or verdict is None
        or not may_lift(verdict)
        or "ctx:launcher_guessed" in verdict.reasons
        or lift(verdict).confidence < policy.min_confidence
    ):
        return None
    country = verdict.facts.country or ""
    published = decision.item.published_at or now
    read = quiet.get(country)
    if (
        read is not None
        and read[0] <= published <= read[0] + LIFT_AFTER
        and not _launched_the_day_before(published, read[1])
    ):
        return None
    follow_up = dataclasses.replace(lift(verdict), facts=Facts(country=country), another=False)

    def joined(candidates: Sequence[LaunchEvent], found: Decision) -> Decision | None:
        launches = [e.launch_at for e in candidates if e.country == country and not e.retracted]
        quiet[country] = (published, launches)
        event = found.event
        if (
            found.action not in (Action.JOIN, Action.DUPLICATE)
            or event is None
            or event.retracted
            or not _launched_the_day_before(published, [event.launch_at])
        ):
            return None
        # A source only: not its fingerprint, or a later copy of its story that the detector
        # is sure of would be taken for a syndicated copy and its facts lost.
        before = next(e for e in candidates if e.event_id == event.event_id)
        # A report the event took as a launch report and now reads as doubted (edited into an
        # analysis) stays as it was: its source told the launch then, with that title and
        # time (events/leadlag.py, and the headline of an owed update).
        report = (decision.item.source, decision.item.id)
        if any((r.source, r.item_id) == report and not r.follow_up for r in before.sources):
            sources = before.sources
        else:
            sources = tuple(
                dataclasses.replace(ref, follow_up=True)
                if (ref.source, ref.item_id) == report
                else ref
                for ref in event.sources
            )
        return dataclasses.replace(
            found,
            event=dataclasses.replace(event, fingerprints=before.fingerprints, sources=sources),
        )

    # It opens no event: the token of a new one is never used.
    return _decide_event(decision.item, follow_up, text_hash, events, policy, now,
                         lambda: "follow-up", accept=joined)  # fmt: skip


def _launched_the_day_before(published: datetime, launches: list[datetime]) -> bool:
    return any(timedelta(0) <= published - at <= LIFT_AFTER for at in launches)


def _decide_event(
    item: Item,
    verdict: Verdict,
    text_hash: str,
    events: EventMemory,
    policy: Policy,
    now: datetime,
    new_token: Callable[[], str],
    accept: Callable[[Sequence[LaunchEvent], Decision], Decision | None] | None = None,
) -> ItemDecision | None:
    """The report's event decision, committed; `accept` may amend it, or veto it (None: then
    nothing is committed and None is returned), given the snapshot it was made from."""
    report = make_report(item, verdict, now=now)
    span = policy.events.retrospective_window_s
    for _ in range(MAX_COMMIT_ATTEMPTS):
        version, candidates, held = events.snapshot(
            around=report.launch_at, span_s=span, now=now, country=report.country
        )
        decision = decide(report, candidates, now=now, policy=policy.events, held=held,
                          event_id=new_event_id(report, new_token()))  # fmt: skip
        if accept is not None:
            accepted = accept(candidates, decision)
            if accepted is None:
                return None
            decision = accepted
        status = events.commit(
            decision, version=version, now=now, item=item,
            text_hash=text_hash, owed_at=_owed_at(decision, policy),
        )  # fmt: skip
        if status == "seen":
            return ItemDecision(item, ItemOutcome.SEEN, verdict)
        if status == "ok":
            event_id = decision.event.event_id if decision.event else None
            return ItemDecision(item, ItemOutcome(decision.action.value), verdict, event_id,
                                decision.alert, decision.reason)  # fmt: skip
    raise StoreError(f"event commit for item {item.id} kept conflicting")


def _owed_at(decision: Decision, policy: Policy) -> datetime | None:
    event = decision.event
    if event is None or not event.pending_update or event.last_alert_at is None:
        return None
    return event.last_alert_at + timedelta(seconds=policy.events.min_update_gap_s)


def flush_owed_updates(*, events: EventMemory, policy: Policy, now: datetime) -> list[Alert]:
    """Send the deferred updates whose minimum gap has passed (the dispatcher calls this)."""
    alerts = []
    for event_id in events.owed_updates(now=now):
        for _ in range(MAX_COMMIT_ATTEMPTS):
            event = events.load_event(event_id)
            if event is None:
                break
            version, candidates = events.candidates(around=event.launch_at, span_s=1)
            current = next((e for e in candidates if e.event_id == event_id), event)
            decision = flush_owed_update(current, now=now, policy=policy.events)
            if decision is None:
                decision = Decision(Action.JOIN, "nothing owed", current)
            status = events.commit(decision, version=version, now=now)
            if status == "ok":
                if decision.alert is not None:
                    alerts.append(decision.alert)
                break
    return alerts


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
    gap: bool = False  # items may have gone unseen: rotated out between polls, or capped
    hint_s: float | None = None  # the feed's own cache hint (max-age or <ttl>)
    overflow: int = 0  # items past the per-poll cap (the oldest), never looked at


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
    outcome: Fetched | SourceError
    try:
        outcome = fetch(
            spec.url, source=spec.name, etag=state.etag, last_modified=state.last_modified
        )
    except SourceError as err:
        outcome = err
    result = finish_poll(spec, state, outcome, events=events, classify=classify, policy=policy,
                         now=now, new_token=new_token)  # fmt: skip
    states.save(result.state)
    return result


def finish_poll(
    spec: SourceSpec,
    state: health.SourceState,
    outcome: Fetched | SourceError,
    *,
    events: EventMemory,
    classify: Classify,
    policy: Policy,
    now: datetime,
    new_token: Callable[[], str],
) -> PollResult:
    """What one fetch's outcome does: parse, detect, deduplicate, and the source's next state.

    The caller saves `result.state` (the batch poller saves many in one round trip).
    """
    try:
        if isinstance(outcome, SourceError):
            raise outcome
        fetched = outcome
        parsed = None if fetched.not_modified else _parse(spec, fetched)
    except SourceError as err:
        failed = health.after_failure(
            state,
            now=now,
            reason=str(err),
            interval_s=spec.interval_s,
            retry_after_s=err.retry_after_s,
        )
        return PollResult(spec.name, "error", failed, error=err, previous_health=state.health)
    items, overflow = newest_items(parsed.items if parsed else (), policy.max_items_per_poll)
    processed = (
        process_items(
            items,
            events=events,
            classify=classify,
            policy=policy,
            now=now,
            new_token=new_token,
            baseline=not state.ever_succeeded,
        )
        if items
        else Processed()
    )
    ok = health.after_success(
        state, now=now, etag=fetched.etag, last_modified=fetched.last_modified
    )
    gap = state.ever_succeeded and (
        _is_gap(processed) or _overflow_may_hide_items(processed, items, overflow)
    )
    if gap:
        ok = health.after_gap(ok, now=now)
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
        overflow=overflow,
    )


GAP_MIN_ITEMS = 2


def _is_gap(processed: Processed) -> bool:
    """All of a feed's items were new to us: some may have come and gone between polls."""
    decisions = processed.decisions
    return len(decisions) >= GAP_MIN_ITEMS and all(
        d.outcome is not ItemOutcome.SEEN for d in decisions
    )


def newest_items(items: Sequence[Item], limit: int | None) -> tuple[Sequence[Item], int]:
    """At most `limit` items, newest first, and how many were left out.

    Dated items rank by their date, newest first, then undated ones in feed order (feeds list
    newest first). Under the limit the items come back as they are.
    """
    if limit is None or len(items) <= limit:
        return items, 0
    ranked = sorted(
        range(len(items)),
        key=lambda i: (items[i].published_at is None, -_epoch(items[i].published_at), i),
    )
    return [items[i] for i in ranked[:limit]], len(items) - limit


def _epoch(at: datetime | None) -> float:
    return at.timestamp() if at is not None else 0.0


def _overflow_may_hide_items(processed: Processed, taken: Sequence[Item], overflow: int) -> bool:
    """Items were left out and the oldest one taken was new to us: the items just older than
    it, which this poll never looked at, may be new too. (When it was seen already, the ones
    older still were most likely seen before as well: a large feed that is merely long.)"""
    if not overflow or not taken:
        return False
    boundary = taken[-1]
    return any(
        d.item is boundary and d.outcome is not ItemOutcome.SEEN for d in processed.decisions
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
    WAITING = "waiting"  # an earlier revision to this destination is still on its way
    PACED = "paced"  # the destination's rate limit: try again after `wait_s`


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    outcome: DeliveryOutcome
    wait_s: float = 0.0
    alert: Alert | None = None  # what was sent, when it was


def deliver_one(
    delivery: Delivery,
    *,
    destination: Destination,
    events: EventMemory,
    ledger: Ledger,
    send: Send,
    owner: str,
    now: Callable[[], datetime],
    min_interval_s: float = 0.0,
) -> DeliveryResult:
    """Send one alert revision to one destination: once (ledger checked before, written after),
    after every earlier revision routed there, and no faster than the destination's pace.

    Raises DeliveryError from the channel; the caller decides between retry and dead letter.
    """
    key = delivery.key
    # Claim first, then look at the sent record: checking before claiming let a second copy
    # of the message pass the check while the first was sending, then claim and send again.
    if not ledger.claim(key, owner):
        return DeliveryResult(DeliveryOutcome.BUSY)
    if ledger.was_sent(key):
        ledger.release(key)
        return DeliveryResult(DeliveryOutcome.ALREADY_SENT)
    if ledger.earlier_unsettled(delivery):
        ledger.release(key)
        return DeliveryResult(DeliveryOutcome.WAITING)
    wait_s = ledger.take_send_slot(destination.id, min_interval_s)
    if wait_s > 0:
        ledger.release(key)
        return DeliveryResult(DeliveryOutcome.PACED, wait_s)
    try:
        alert = events.load_alert(delivery.alert_key)
        send(alert, destination)
    except BaseException:
        ledger.release(key)
        raise
    ledger.mark_sent(delivery, now().isoformat())
    return DeliveryResult(DeliveryOutcome.SENT, alert=alert)
