"""Thin Celery tasks: load by key, call one alerts.pipeline function, translate the outcome.

Task names are explicit and stable so renaming a function never orphans queued messages.
"""

from __future__ import annotations

import contextlib
import random
import socket
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
import structlog
from celery import Task
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from alerts import pipeline
from alerts.bootstrap import Runtime, new_token
from alerts.detection.classify import classify_item
from alerts.errors import DeliveryError
from alerts.models import Alert, AlertKind, Delivery, SourceSpec
from alerts.notify.base import unexpected_error
from alerts.notify.deadletter import DeadLetter
from alerts.notify.routing import MIN_SEND_INTERVAL_S, route_alert
from alerts.redact import redact_text
from alerts.sources import health
from alerts.sources.due import (
    DISPATCH_LEASE_S,
    POLL_LEASE_MARGIN_S,
    Claim,
    host_of,
    poll_lease_s,
)
from alerts.sources.multifetch import FetchRequest, Outcome
from workers import observe
from workers.app import DELIVER_QUEUE, POLL_QUEUE, app
from workers.resources import runtime
from workers.schedule import DISPATCH_INTERVAL_S

log = structlog.get_logger("alerts.tasks")

DELIVERY_BACKOFF_BASE_S = 2.0
DELIVERY_BACKOFF_CAP_S = 600.0  # stays well under the broker visibility timeout
WAIT_S = {
    pipeline.DeliveryOutcome.BUSY: 5.0,
    pipeline.DeliveryOutcome.WAITING: 1.0,
    pipeline.DeliveryOutcome.PACED: 0.0,
}
HOST_BUSY_RETRY_S = 0.5
HOST_SLOT_WAIT_S = 0.01  # a batch whose host has no free slot asks again this often...
HOST_SLOT_PATIENCE_S = 2.0  # ...for this long, then reschedules those sources
CRASH_RETRY_S = 5.0  # a source whose poll crashed (not its feed: ours) is polled again soon
# Taking a batch's claims over, asked again 0.5, 1, 2 and 2 s after Redis fails (a primary that
# refuses writes for a second or two after its host stalled, until its replicas catch up):
# given up, the batch's sources would wait for their dispatch lease (DISPATCH_LEASE_S).
CLAIM_RETRY = Retry(ExponentialBackoff(cap=2.0, base=0.25), retries=4)
# The poll lease runs from the first ask (one lease end for every try: a try whose reply was
# lost took it), so the asks' waits and failed tries come off it. A batch that spent more than
# this of its lease asking is given back to be claimed again in a moment, not polled on what is
# left: its slowest fetch could outlive the lease and be polled twice.
CLAIM_SPENT_LIMIT_S = POLL_LEASE_MARGIN_S / 2
POLL_BATCH_MIN = 25  # sources per poll task at least: amortises Celery's per-task cost
CLAIM_CHUNK = 1_000  # sources claimed by one script call
MAX_CLAIMS_PER_TICK = 20_000  # one tick claims at most this many (80,000 polls/s)
OUTBOX_GRACE_S = 30.0  # an alert still unsent after this long was left by a crashed poll
# One dispatch per tick whatever the number of beats: a little under beat's interval, so the
# dispatches of a single beat, arriving a little early or late, are never skipped.
DISPATCH_TICK_S = DISPATCH_INTERVAL_S * 0.8


def _now() -> datetime:
    return datetime.now(UTC)


@app.task(name="alerts.dispatch_polls", ignore_result=True, acks_late=False)
def dispatch_polls() -> None:
    """Enqueue polls of every source that is due, in batches (each beat runs this four times a
    second); send deferred updates whose gap has passed; re-send alerts a crashed poll never
    fanned out.

    Any number of beats may send it, from any host: one dispatch a tick does the work (the
    tick gate), the others only show that their beat is alive, so two beats cost what one
    does and either one's dispatches keep every source polled when the other dies."""
    rt = runtime()
    now = time.time()
    pipe = rt.redis.pipeline(transaction=False)
    observe.queue_heartbeat(pipe, rt, beat=True)
    rt.schedule.queue_dispatch_tick(pipe, tick_s=DISPATCH_TICK_S)
    if not pipe.execute()[-1]:
        return  # another beat's dispatch had this tick
    if rt.schedule.sync(list(rt.sources.values()), now=now, digest=rt.sources_digest):
        log.info("sources.schedule.synced", sources=len(rt.sources))
    # Claim in chunks until the due set runs dry (at most MAX_CLAIMS_PER_TICK): one chunk a
    # tick capped the service at 4,000 polls/s (docs/capacity.md).
    claims: list[Claim] = []
    while len(claims) < MAX_CLAIMS_PER_TICK:
        chunk = rt.schedule.claim(now=now, limit=CLAIM_CHUNK)
        claims += chunk
        if len(chunk) < CLAIM_CHUNK:
            break
    size = batch_size(len(claims), rt.settings.worker_concurrency)
    for start in range(0, len(claims), size):
        batch = claims[start : start + size]
        # each name travels with its due time (its next poll counts from it) and its claim
        poll_sources.apply_async(
            args=([c.name for c in batch], [c.due_at for c in batch]),
            kwargs={"leased_until": [c.lease_until for c in batch]},
            queue=POLL_QUEUE, expires=DISPATCH_LEASE_S,
        )  # fmt: skip
    owed = pipeline.flush_owed_updates(events=rt.events, policy=rt.policy, now=_now())
    unsent = rt.events.unsent(older_than=_now() - timedelta(seconds=OUTBOX_GRACE_S))
    if unsent:
        log.warning("alert.outbox.recovered", alerts=unsent)
    fan_out(rt, owed + [rt.events.load_alert(key) for key in unsent])


def batch_size(due: int, processes: int) -> int:
    """Sources per poll task: about two tasks per worker process, so a burst (start-up, a
    surge) keeps every process busy while each batch shares one multi handle; at least
    POLL_BATCH_MIN. (bench/bench_polling.py, 1,000 unchanged feeds, 2 processes: 0.20 s a
    cycle in batches of 100, 0.15 s in batches of 250: fewer threads contend for the GIL.)"""
    return max(POLL_BATCH_MIN, -(-due // (2 * max(1, processes))))


@app.task(name="alerts.poll_sources", ignore_result=True, acks_late=False)
def poll_sources(
    source_names: list[str],
    due_at: list[float] | None = None,
    leased_until: list[float] | None = None,
) -> None:
    """Hand a batch of sources to one of this process's fetch threads and return at once.

    The worker process is free again for dispatches and deliveries however slow a publisher
    is; each source's alerts go out as soon as its own transfer is done. Batches in flight per
    process are capped (twice the threads): past that this task waits, which is backpressure,
    not a stall. A poll lost with its process comes back when its schedule lease runs out.
    `due_at` (one epoch per name) is when each source was due: its next poll counts from
    there. `leased_until` is the dispatcher's claim on each: the batch polls only the sources
    whose claim still stands when it starts (alerts.sources.due). Both are absent from
    messages an older dispatcher queued.
    """
    rt = runtime()
    observe.heartbeat(rt)
    rt.poll_slots.acquire()
    future = rt.poll_threads.submit(_poll_batch, rt, source_names, due_at, leased_until)
    future.add_done_callback(lambda f: _batch_done(rt, f))


def _batch_done(rt: Runtime, future: Future[None]) -> None:
    rt.poll_slots.release()
    _log_crash(future)


def _log_crash(future: Future[None]) -> None:
    if (exc := future.exception()) is not None:
        log.error("source.poll.crashed", error=f"{type(exc).__name__}: {exc}")


@dataclass(slots=True)
class _Poll:
    spec: SourceSpec
    state: health.SourceState
    host: str = ""
    token: str = ""
    started: float = 0.0  # monotonic
    started_at: float = 0.0  # wall clock
    due_at: float | None = None  # when the schedule had it due (epoch), if the message says


def _poll_batch(
    rt: Runtime,
    source_names: list[str],
    due_at: Sequence[float] | None = None,
    leased_until: Sequence[float] | None = None,
) -> None:
    """Poll a batch: state, host slots and the end of every poll in a few round trips, and
    every transfer at once on one libcurl multi handle (sources.multifetch). A source whose
    host has no free slot waits in the batch for one; if none frees up, it is rescheduled.
    Whatever goes wrong, a source of the batch not settled is rescheduled soon, its slot
    given back; one source's crash is that source's alone. With `leased_until`, a source is
    polled only if its claim still stands (else another poll has it), under a poll lease that
    brings it back soon if this process dies."""
    names = list(dict.fromkeys(source_names))  # a name twice would be polled twice at once
    due_by_name = dict(zip(source_names, due_at or (), strict=False))
    if leased_until is not None:
        names = _take_over_claims(rt, names, dict(zip(source_names, leased_until, strict=False)))
    known = [n for n in names if n in rt.sources]
    for name in set(names) - set(known):
        log.warning("source.poll.unknown", source=name)
    now = _now()
    polls = [_Poll(rt.sources[n], st, due_at=due_by_name.get(n))
             for n, st in zip(known, rt.states.load_many(known), strict=True)]  # fmt: skip
    backing_off = {
        p.spec.name: time.time() + health.retry_delay_s(p.state, now=now)
        for p in polls
        if not health.is_due(p.state, now=now)
    }
    if backing_off:
        rt.schedule.reschedule(backing_off)
    waiting = [p for p in polls if p.spec.name not in backing_off]
    for poll in waiting:
        poll.host, poll.token = host_of(poll.spec.url), new_token()
    going: dict[str, _Poll] = {}
    queue: deque[FetchRequest] = deque()
    give_up_at = time.monotonic() + HOST_SLOT_PATIENCE_S
    try:
        waiting = _start(rt, waiting, going, queue)
        while True:
            for group in rt.fetcher.fetch_many(queue):
                _finish_group(rt, group, going)
                if waiting:
                    waiting = _start(rt, waiting, going, queue)
            if not waiting or time.monotonic() > give_up_at:
                break
            time.sleep(HOST_SLOT_WAIT_S)  # slots are held by other batches' short transfers
            waiting = _start(rt, waiting, going, queue)
        if waiting:
            log.debug("source.poll.host_busy", sources=[p.spec.name for p in waiting])
    finally:
        _retry_soon(rt, [*going.values(), *waiting], HOST_BUSY_RETRY_S)


def _take_over_claims(rt: Runtime, names: list[str], claims: dict[str, float]) -> list[str]:
    """The names whose dispatch claim still stands, now under a poll lease; the others are
    dropped (logged): a later claim, after this message's lease ran out, has them."""
    lease_s = poll_lease_s(rt.settings.fetch_timeout_seconds, HOST_SLOT_PATIENCE_S)
    wanted = [(n, claims[n]) for n in names if n in claims]
    now = time.time()  # one lease end for every try: a try whose reply was lost took it
    held = set(
        CLAIM_RETRY.call_with_retry(
            lambda: rt.schedule.start_polls(wanted, now=now, lease_s=lease_s),
            lambda err: log.warning("source.poll.claims_failed", error=str(err)),
        )
    )
    stale = [n for n, _ in wanted if n not in held]
    if stale:
        log.info("source.poll.claim_lost", sources=stale[:50], count=len(stale))
    if held and (spent := time.time() - now) > CLAIM_SPENT_LIMIT_S:
        log.warning("source.poll.lease_spent", sources=len(held), spent_s=round(spent, 1))
        if _reschedule_soon(rt, sorted(held), HOST_BUSY_RETRY_S):
            with contextlib.suppress(redis.RedisError):  # a count lost, not a poll
                observe.count_given_back(rt, held)
        held = set()
    return [n for n in names if n in held or n not in claims]


def _finish_group(
    rt: Runtime, group: list[tuple[FetchRequest, Outcome]], going: dict[str, _Poll]
) -> None:
    done, crashed = [], []
    for request, outcome in group:
        poll = going.pop(request.source)
        try:
            result = pipeline.finish_poll(
                poll.spec, poll.state, outcome, events=rt.events, classify=classify_item,
                policy=rt.policy, now=_now(), new_token=new_token,
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - e.g. the event store failing: state is
            # not advanced (the same items come again), the source is polled again soon
            log.error("source.poll.crashed", source=poll.spec.name,
                      error=f"{type(exc).__name__}: {exc}")  # fmt: skip
            crashed.append(poll)
            continue
        done.append((poll, result))
    _retry_soon(rt, crashed, CRASH_RETRY_S)
    _settle(rt, done)


def _retry_soon(rt: Runtime, polls: list[_Poll], delay_s: float) -> None:
    """Reschedule these sources in about `delay_s` and give back any host slot they hold."""
    if polls:
        _reschedule_soon(rt, [p.spec.name for p in polls], delay_s,
                         release=[(p.host, p.token) for p in polls if p.token])  # fmt: skip


def _reschedule_soon(
    rt: Runtime, names: list[str], delay_s: float, *, release: Sequence[tuple[str, str]] = ()
) -> bool:
    """Sources due again in about `delay_s` (jittered), host slots given back; best effort
    (Redis may be what failed): their schedule lease brings them back anyway. Whether it
    worked."""
    try:
        rt.schedule.reschedule(
            {n: time.time() + delay_s * (1 + random.random()) for n in names},
            release=release,
        )
    except redis.RedisError as err:
        log.error("source.poll.reschedule_failed", sources=len(names), error=str(err))
        return False
    return True


def _start(
    rt: Runtime, waiting: list[_Poll], going: dict[str, _Poll], queue: deque[FetchRequest]
) -> list[_Poll]:
    """Queue the polls whose host has a free slot; the others, still waiting."""
    granted = rt.schedule.take_host_slots(
        [(p.host, p.token) for p in waiting], now=time.time(),
        limit=rt.settings.per_host_concurrency, lease_s=rt.settings.fetch_timeout_seconds + 10,
    )  # fmt: skip
    still = []
    for poll, ok in zip(waiting, granted, strict=True):
        if not ok:
            still.append(poll)
            continue
        poll.started, poll.started_at = time.monotonic(), time.time()
        going[poll.spec.name] = poll
        queue.append(FetchRequest(poll.spec.name, poll.spec.url, poll.state.etag,
                                  poll.state.last_modified))  # fmt: skip
    return still


def _settle(rt: Runtime, done: list[tuple[_Poll, pipeline.PollResult]]) -> None:
    """The end of a group of polls: alerts out first, then state, next poll times and host
    slots in one round trip, then logs and metrics."""
    for _poll, result in done:
        if result.processed.alerts:
            fan_out(rt, result.processed.alerts)
    surge = rt.schedule.surge_active()
    pipe = rt.redis.pipeline(transaction=False)
    next_at = {}
    for poll, result in done:
        rt.states.queue_save(pipe, result.state, was=poll.state)
        # from when this poll was due (or, failing, started): neither the dispatcher's tick
        # nor a slow answer stretches the source's interval
        ok = result.status in {"ok", "not_modified"}
        next_at[poll.spec.name] = health.next_poll_at(
            due_at=poll.due_at if ok else None, started_at=poll.started_at,
            delay_s=_next_delay_s(rt, poll.spec, result, surge=surge), now=time.time(),
        )  # fmt: skip
    rt.schedule.settle(pipe, next_at=next_at, release=[(p.host, p.token) for p, _ in done])
    pipe.execute()
    ended = time.monotonic()
    for _poll, result in done:
        observe.log_poll(result)
    observe.count_polls(rt, [(result, ended - poll.started) for poll, result in done])


def _next_delay_s(
    rt: Runtime, spec: SourceSpec, result: pipeline.PollResult, *, surge: bool
) -> float:
    if result.status in {"error", "backing_off"}:
        return health.retry_delay_s(result.state, now=_now())
    return health.next_poll_delay_s(
        spec.interval_s,
        fast=spec.fast,
        timing=rt.timing,
        rand=random.random(),  # noqa: S311
        surge=surge,
        gap=result.gap,
        hint_s=result.hint_s,
        honour_hints=spec.honour_cache_hints,
    )


def fan_out(rt: Runtime, alerts: list[Alert]) -> None:
    """One delivery task per (alert, routed destination); then the alert counts as fanned out.

    A new launch starts a surge: fast sources are polled at the surge interval for a while,
    starting now, to catch follow-ups and corrections.
    """
    for alert in alerts:
        destinations = route_alert(alert, rt.subscriptions)
        deliveries = [Delivery(alert.key, d.id) for d in destinations]
        rt.ledger.note_routed(deliveries)
        for delivery in deliveries:
            deliver.apply_async(args=(delivery.alert_key, delivery.destination_id),
                                queue=DELIVER_QUEUE)  # fmt: skip
        rt.events.mark_fanned_out(alert)
        log.info(
            "alert.fanned_out", event_id=alert.event_id, kind=alert.kind,
            revision=alert.revision, destinations=[d.id for d in destinations],
            changes=list(alert.changes),
        )  # fmt: skip
    if any(a.kind is AlertKind.NEW for a in alerts):
        rt.schedule.start_surge(duration_s=rt.settings.surge_duration_seconds)
        fast = [s.name for s in rt.sources.values() if s.fast]
        rt.schedule.pull_in(fast, at=time.time() + 1.0)
        log.info(
            "sources.surge.started",
            fast_sources=len(fast),
            duration_s=rt.settings.surge_duration_seconds,
        )


@app.task(name="alerts.deliver", bind=True, ignore_result=True, max_retries=None)
def deliver(self: Task[..., None], alert_key: str, destination_id: str) -> None:
    """Send one alert revision to one destination. Every failure, expected (DeliveryError)
    or not (a bug, Redis, a library), is retried with backoff and then dead-lettered with its
    error: a delivery never ends as a failed task with its ledger entry left `routed`."""
    rt = runtime()
    destination = rt.destinations.get(destination_id)
    delivery = Delivery(alert_key, destination_id)
    if destination is None:
        _dead_letter(rt, delivery, "destination no longer configured", "rejected", 0)
        return
    try:
        result = pipeline.deliver_one(
            delivery,
            destination=destination,
            events=rt.events,
            ledger=rt.ledger,
            send=rt.send,
            owner=f"{socket.gethostname()}:{self.request.id}",
            now=_now,
            min_interval_s=MIN_SEND_INTERVAL_S.get(destination.channel, 0.0),
        )
    except Exception as exc:  # noqa: BLE001 - this task is the edge that retries or dead-letters
        err = _as_delivery_error(rt, exc, destination.channel)
        _retry_or_dead_letter(self, rt, delivery, destination.channel, err)
        return
    outcome = result.outcome
    if outcome in WAIT_S:
        # not a failure: another attempt, an earlier revision or the pace comes first
        raise self.retry(countdown=max(result.wait_s, WAIT_S[outcome]), max_retries=None)
    if outcome is pipeline.DeliveryOutcome.SENT:
        observe.count_delivery(rt, destination.channel, "sent", result.alert)
    log.info(f"delivery.{outcome}", delivery=delivery.key, channel=destination.channel)


def _as_delivery_error(rt: Runtime, exc: Exception, channel: str) -> DeliveryError:
    """A channel's DeliveryError as it is; anything else (raised around the send: loading the
    alert, the ledger, a bug) as a retryable one naming the exception, secrets masked. A
    surprise (not a DeliveryError, or one wrapping another exception) is logged with its
    traceback, which the log pipeline redacts."""
    from alerts.bootstrap import secret_values

    if isinstance(exc, DeliveryError):
        err, surprise = exc, exc.__cause__
    else:
        err = unexpected_error(exc, channel=channel, secrets=secret_values(rt.settings))
        surprise = exc
    if surprise is not None:
        log.error("delivery.unexpected_error", channel=channel, error=str(err), exc_info=surprise)
    return err


def _retry_or_dead_letter(
    task: Task[..., None], rt: Runtime, delivery: Delivery, channel: str, err: DeliveryError
) -> None:
    """Retry a retryable failure with backoff while attempts remain; else dead-letter it."""
    try:
        attempts = rt.ledger.count_failure(delivery.key)
    except redis.RedisError:  # Redis itself is failing: count by Celery's own retries
        attempts = task.request.retries + 1
    with contextlib.suppress(redis.RedisError):  # a metric is not worth losing the retry for
        observe.count_delivery(rt, channel, "failed", None)
    if err.retryable and attempts <= rt.settings.delivery_max_retries:
        countdown = max(err.retry_after_s or 0.0, _backoff_s(attempts - 1))
        log.warning(
            "delivery.retrying",
            delivery=delivery.key,
            reason=err.reason,
            attempt=attempts,
            countdown_s=round(countdown, 1),
            error=str(err),  # channel errors hold no secret; the log pipeline redacts again
        )
        raise task.retry(countdown=countdown, exc=err) from None
    _dead_letter(rt, delivery, str(err), err.reason, attempts)


def _backoff_s(retries: int) -> float:
    """Exponential with full jitter, capped."""
    ceiling = min(DELIVERY_BACKOFF_CAP_S, DELIVERY_BACKOFF_BASE_S * 2**retries)
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def _dead_letter(rt: Runtime, delivery: Delivery, error: str, reason: str, attempts: int) -> None:
    from alerts.bootstrap import secret_values

    letter = DeadLetter(
        alert_key=delivery.alert_key,
        destination_id=delivery.destination_id,
        error=redact_text(error, secret_values(rt.settings)),
        reason=str(reason),
        attempts=attempts,
        failed_at=_now().isoformat(),
    )
    rt.deadletters.push(letter)
    rt.ledger.mark_dead(delivery)
    rt.metrics.inc("alerts_deliveries_total", {"channel": delivery.destination_id.split("-")[0],
                                               "outcome": "dead_lettered"})  # fmt: skip
    log.error("destination.failing", destination=delivery.destination_id, reason=str(reason),
              dead_letters=rt.deadletters.count())  # fmt: skip
    log.error(
        "delivery.dead_lettered",
        delivery=delivery.key,
        reason=str(reason),
        attempts=letter.attempts,
        error=letter.error,
    )
