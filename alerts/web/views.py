"""What the dashboard and the JSON API show, read from Redis into plain response models.

Adapter (reads only, plus the dead-letter replay). The same functions feed the HTML page and
the API, so both always agree. Error texts pass through redaction once more before they leave
the process: the web app is the one place where they cross the network.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from pydantic import BaseModel, Field

from alerts.bootstrap import Runtime
from alerts.events import leadlag
from alerts.models import Delivery, LaunchEvent
from alerts.notify.deadletter import DeadLetter
from alerts.redact import redact_text
from alerts.sources.due import host_of

BEAT_FRESH_S = 10.0  # beat ticks every half second: twenty missed ticks means it is gone
WORKER_FRESH_S = 30.0
# The source figures read at most this many events of their window, newest first: one
# ZREVRANGEBYSCORE and one MGET, however long the window (launches are a few a day at most).
LAG_EVENTS_CAP = 500


class SourceReport(BaseModel):
    """One report joined to a launch event; `follow_up`: one the detector doubted, joined
    silently (a reaction hours later), which the lead/lag figures leave out."""

    source: str
    item_id: str
    url: str
    title: str
    published_at: datetime | None
    follow_up: bool = False


class DeliveryRecord(BaseModel):
    """What became of each revision of an event at one destination."""

    destination_id: str
    channel: str
    revisions: dict[str, str]  # "1" → "routed" | "sent" | "dead"


class SourceLagView(BaseModel):
    """One source's place in one event: its earliest report by each clock and its lag behind
    the first source by that clock (0: it was first; null: no report of it has that time)."""

    source: str
    reports: int
    published_at: datetime | None = Field(description="its earliest report's publish time")
    seen_at: datetime | None = Field(description="when our poll first fetched one of its reports")
    lag_published_s: float | None = Field(description="seconds behind the first, by publish time")
    lag_seen_s: float | None = Field(description="seconds behind the first, by poll time")
    first_by_published: bool
    first_by_seen: bool
    reports_without_published: int
    reports_without_seen: int


class LeadLagView(BaseModel):
    """Who reported an event first, by publish time and by poll time (ties: all of them)."""

    first_by_published: list[str]
    first_by_seen: list[str]
    sources: list[SourceLagView]  # earliest by poll time first


class EventView(BaseModel):
    event_id: str
    country: str
    launch_at: datetime
    first_published_at: datetime | None
    revision: int
    title: str
    url: str
    facts: dict[str, Any]
    sources: list[SourceReport]
    retracted: bool
    pending_update: bool
    last_alert_at: datetime | None
    deliveries: list[DeliveryRecord]
    lead_lag: LeadLagView


class SourceView(BaseModel):
    """A configured source and its health. Only the host of its URL is shown (it may hold a key)."""

    name: str
    host: str
    interval_s: float
    fast: bool
    health: str
    failures: int
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    poll_lag_s: float | None  # how long a due poll has been waiting; 0 when not yet due
    # Who is first, over the launch events of the last 30 days (retracted ones left out):
    events_reported: int = Field(0, description="launch events it reported, last 30 days")
    first_count_published: int = Field(
        0, description="events it reported first, by the items' publish times"
    )
    first_count_seen: int = Field(0, description="events it reported first, by our poll times")
    median_lag_published_s: float | None = Field(
        None, description="median seconds behind the first source, by publish time (first = 0)"
    )
    median_lag_seen_s: float | None = Field(
        None, description="median seconds behind the first source, by poll time (first = 0)"
    )
    events_with_published: int = Field(
        0, description="events it has a publish time in: the publish-time median's base"
    )
    events_with_seen: int = Field(
        0, description="events it has a poll time in: the poll median's base"
    )
    reports_without_published: int = Field(
        0, description="its reports with no publish time: left out of the publish-time figures"
    )
    reports_without_seen: int = Field(
        0, description="its reports stored before poll times were recorded: left out likewise"
    )


class DeadLetterView(BaseModel):
    number: int  # 1-based, oldest first, as `alerts dlq list` numbers them
    alert_key: str
    destination_id: str
    delivery_key: str
    error: str
    reason: str
    attempts: int
    failed_at: str


class Check(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    status: str  # "ready" | "not ready"
    failed: list[str]
    checks: dict[str, Check]


# --- events ---


def recent_events(rt: Runtime, *, limit: int) -> list[EventView]:
    """The newest `limit` launch events, newest first, with what was delivered where."""
    return event_views(rt, rt.events.recent_events(limit))


def one_event(rt: Runtime, event_id: str) -> EventView | None:
    event = rt.events.load_event(event_id)
    return event_views(rt, [event])[0] if event else None


def event_views(rt: Runtime, events: Sequence[LaunchEvent]) -> list[EventView]:
    """One pipeline of HGETALLs: every event at every configured destination."""
    keys = rt.events.keys
    destinations = list(rt.destinations.values())
    pipe = rt.redis.pipeline(transaction=False)
    for event in events:
        for destination in destinations:
            pipe.hgetall(keys.routed(event.event_id, destination.id))
    routed = iter(pipe.execute()) if events and destinations else iter(())
    views = []
    for event in events:
        deliveries = []
        for destination in destinations:
            states = next(routed)
            if states:
                revisions = {_text(k): _text(v) for k, v in states.items()}
                ordered = dict(sorted(revisions.items(), key=lambda kv: _revision(kv[0])))
                deliveries.append(
                    DeliveryRecord(
                        destination_id=destination.id,
                        channel=destination.channel,
                        revisions=ordered,
                    )
                )
        views.append(_event_view(event, deliveries))
    return views


def _event_view(event: LaunchEvent, deliveries: list[DeliveryRecord]) -> EventView:
    return EventView(
        event_id=event.event_id,
        country=event.country,
        launch_at=event.launch_at,
        first_published_at=event.first_published_at,
        revision=event.revision,
        title=event.title,
        url=event.url,
        facts=event.facts.as_dict(),
        sources=[
            SourceReport(
                source=s.source,
                item_id=s.item_id,
                url=s.url,
                title=s.title,
                published_at=s.published_at,
                follow_up=s.follow_up,
            )
            for s in event.sources
        ],
        retracted=event.retracted,
        pending_update=event.pending_update,
        last_alert_at=event.last_alert_at,
        deliveries=deliveries,
        lead_lag=_lead_lag_view(leadlag.event_lead_lag(event)),
    )


def _lead_lag_view(figures: leadlag.EventLeadLag) -> LeadLagView:
    return LeadLagView(
        first_by_published=list(figures.first_by_published),
        first_by_seen=list(figures.first_by_seen),
        sources=[SourceLagView.model_validate(s, from_attributes=True) for s in figures.sources],
    )


# --- sources ---


def source_views(
    rt: Runtime,
    *,
    secrets: Sequence[str],
    now: float,
    events: Sequence[LaunchEvent] | None = None,
) -> list[SourceView]:
    """Every configured source, in configuration order, with its health, poll timing and
    who-is-first figures. `events`: launch events already read for this request (the
    dashboard's), newest first; None reads the window's newest `LAG_EVENTS_CAP` itself.
    Either way only the events of the last 30 days count."""
    at = datetime.fromtimestamp(now, UTC)
    if events is None:
        since = at - timedelta(seconds=leadlag.WINDOW_S)
        events = rt.events.recent_events(LAG_EVENTS_CAP, since=since)
    standings = leadlag.source_standings(events[:LAG_EVENTS_CAP], now=at)
    specs = list(rt.sources.values())
    states = rt.states.load_many(s.name for s in specs)
    due = {
        _text(name): score
        for name, score in rt.redis.zrange(rt.events.keys.poll_due(), 0, -1, withscores=True)
    }
    views = []
    for spec, state in zip(specs, states, strict=True):
        due_at = due.get(spec.name)
        views.append(
            SourceView(
                name=spec.name,
                host=host_of(spec.url),
                interval_s=spec.interval_s,
                fast=spec.fast,
                health=str(state.health),
                failures=state.failures,
                last_success_at=state.last_success_at,
                last_error=redact_text(state.last_error, secrets) if state.last_error else None,
                last_error_at=state.last_error_at,
                last_polled_at=state.last_polled_at,
                next_poll_at=datetime.fromtimestamp(due_at, UTC) if due_at is not None else None,
                poll_lag_s=round(max(0.0, now - due_at), 3) if due_at is not None else None,
                **_standing_fields(standings.get(spec.name)),
            )
        )
    return views


def _standing_fields(standing: leadlag.SourceStanding | None) -> dict[str, Any]:
    if standing is None:
        return {}
    return {
        "events_reported": standing.events_reported,
        "first_count_published": standing.first_by_published,
        "first_count_seen": standing.first_by_seen,
        "median_lag_published_s": standing.median_lag_published_s,
        "median_lag_seen_s": standing.median_lag_seen_s,
        "events_with_published": standing.events_with_published,
        "events_with_seen": standing.events_with_seen,
        "reports_without_published": standing.reports_without_published,
        "reports_without_seen": standing.reports_without_seen,
    }


# --- dead letters ---


def dead_letter_views(rt: Runtime, *, secrets: Sequence[str]) -> list[DeadLetterView]:
    return [
        DeadLetterView(
            number=n,
            alert_key=letter.alert_key,
            destination_id=letter.destination_id,
            delivery_key=Delivery(letter.alert_key, letter.destination_id).key,
            error=redact_text(letter.error, secrets),
            reason=letter.reason,
            attempts=letter.attempts,
            failed_at=letter.failed_at,
        )
        for n, letter in enumerate(rt.deadletters.list(), 1)
    ]


def find_dead_letter(
    rt: Runtime, *, number: int | None = None, delivery_key: str | None = None
) -> DeadLetter | None:
    """The dead letter at `number` (1-based), or the first one for `delivery_key`."""
    letters = rt.deadletters.list()
    if delivery_key is not None:
        return next(
            (x for x in letters if Delivery(x.alert_key, x.destination_id).key == delivery_key),
            None,
        )
    if number is not None and 0 < number <= len(letters):
        return letters[number - 1]
    return None


def replay_dead_letter(
    rt: Runtime, letter: DeadLetter, enqueue_delivery: Callable[[str, str], None]
) -> Delivery:
    """Send a dead letter again, as `alerts dlq replay` does: reopen, enqueue, then remove.

    If the enqueue fails the ledger is put back to `dead` and the letter stays, so nothing is
    lost and the revision does not block later ones at that destination.
    """
    delivery = Delivery(letter.alert_key, letter.destination_id)
    rt.ledger.reopen(delivery)
    try:
        enqueue_delivery(delivery.alert_key, delivery.destination_id)
    except Exception:
        rt.ledger.mark_dead(delivery)
        raise
    rt.deadletters.remove(letter)
    return delivery


# --- readiness ---


def readiness(rt: Runtime, *, now: float | None = None) -> Readiness:
    """Redis answers, the beat ticked within 10 s, and within 30 s at least one worker beat
    (polls) and one worker that takes deliveries did."""
    now = time.time() if now is None else now
    checks: dict[str, Check] = {}
    try:
        rt.redis.ping()
    except (redis.RedisError, OSError) as exc:
        checks["redis"] = Check(ok=False, detail=f"unreachable: {type(exc).__name__}")
        checks["beat"] = Check(ok=False, detail="unknown: Redis unreachable")
        checks["workers"] = Check(ok=False, detail="unknown: Redis unreachable")
        checks["deliveries"] = Check(ok=False, detail="unknown: Redis unreachable")
        return _verdict(checks)
    checks["redis"] = Check(ok=True, detail="PONG")
    keys = rt.events.keys
    checks["beat"] = _fresh("beat", _epoch(rt.redis.get(keys.heartbeat_beat())), now, BEAT_FRESH_S)
    beats = _heartbeats(rt, keys.heartbeat_worker("*"))
    alive = sum(1 for b in beats if now - b <= WORKER_FRESH_S)
    checks["workers"] = _fresh("worker", max(beats, default=None), now, WORKER_FRESH_S)
    if alive:
        checks["workers"] = Check(ok=True, detail=f"{alive} alive")
    senders = _heartbeats(rt, keys.heartbeat_deliver("*"))
    checks["deliveries"] = _fresh("delivery worker", max(senders, default=None), now,
                                  WORKER_FRESH_S)  # fmt: skip
    return _verdict(checks)


def _heartbeats(rt: Runtime, match: str) -> list[float]:
    """The epochs of every heartbeat key matching `match` (one per host)."""
    found = list(rt.redis.scan_iter(match=match, count=100))
    beats = [_epoch(v) for v in rt.redis.mget(found)] if found else []
    return [b for b in beats if b is not None]


def _fresh(what: str, seen_at: float | None, now: float, limit_s: float) -> Check:
    if seen_at is None:
        return Check(ok=False, detail=f"no {what} heartbeat seen")
    age = now - seen_at
    if age > limit_s:
        return Check(
            ok=False, detail=f"last {what} heartbeat {age:.0f} s ago (limit {limit_s:.0f})"
        )
    return Check(ok=True, detail=f"last {what} heartbeat {max(age, 0):.1f} s ago")


def _verdict(checks: dict[str, Check]) -> Readiness:
    failed = [name for name, check in checks.items() if not check.ok]
    return Readiness(status="not ready" if failed else "ready", failed=failed, checks=checks)


def _epoch(value: bytes | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _revision(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
