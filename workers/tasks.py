"""Thin Celery tasks: load by key, call one alerts.pipeline function, translate the outcome.

Task names are explicit and stable so renaming a function never orphans queued messages.
"""

from __future__ import annotations

import random
import socket
from datetime import UTC, datetime

import structlog
from celery import Task

from alerts import pipeline
from alerts.bootstrap import Runtime, new_token
from alerts.detection.classify import classify_item
from alerts.errors import DeliveryError
from alerts.models import Alert, Delivery
from alerts.notify.deadletter import DeadLetter
from alerts.redact import redact_text
from workers.app import DELIVER_QUEUE, app
from workers.resources import runtime

log = structlog.get_logger("alerts.tasks")

DELIVERY_BACKOFF_BASE_S = 2.0
DELIVERY_BACKOFF_CAP_S = 600.0  # stays well under the broker visibility timeout
BUSY_RETRY_S = 5.0


def _now() -> datetime:
    return datetime.now(UTC)


@app.task(name="alerts.poll_source", ignore_result=True, acks_late=False)
def poll_source(source_name: str) -> None:
    rt = runtime()
    spec = rt.sources.get(source_name)
    if spec is None:
        log.warning("source.poll.unknown", source=source_name)
        return
    result = pipeline.poll_source(
        spec,
        fetch=rt.fetch,
        states=rt.states,
        events=rt.events,
        classify=classify_item,
        policy=rt.policy,
        now=_now(),
        new_token=new_token,
    )
    _log_poll(result)
    fan_out(rt, result.processed.alerts)


def fan_out(rt: Runtime, alerts: list[Alert]) -> None:
    """One delivery task per (alert, destination); then the alert counts as fanned out."""
    for alert in alerts:
        for destination_id in rt.destinations:
            deliver.apply_async(args=(alert.key, destination_id), queue=DELIVER_QUEUE)
        rt.events.mark_fanned_out(alert)
        log.info(
            "alert.fanned_out",
            event_id=alert.event_id,
            kind=alert.kind,
            revision=alert.revision,
            destinations=len(rt.destinations),
        )


@app.task(name="alerts.deliver", bind=True, ignore_result=True, max_retries=None)
def deliver(self: Task, alert_key: str, destination_id: str) -> None:
    rt = runtime()
    destination = rt.destinations.get(destination_id)
    delivery = Delivery(alert_key, destination_id)
    if destination is None:
        _dead_letter(rt, delivery, "destination no longer configured", "rejected", self)
        return
    try:
        outcome = pipeline.deliver_one(
            delivery,
            destination=destination,
            events=rt.events,
            ledger=rt.ledger,
            send=rt.send,
            owner=f"{socket.gethostname()}:{self.request.id}",
            now=_now,
        )
    except DeliveryError as err:
        attempts = self.request.retries + 1
        if err.retryable and self.request.retries < rt.settings.delivery_max_retries:
            countdown = max(err.retry_after_s or 0.0, _backoff_s(self.request.retries))
            log.warning(
                "delivery.retrying",
                delivery=delivery.key,
                reason=err.reason,
                attempt=attempts,
                countdown_s=round(countdown, 1),
            )
            raise self.retry(countdown=countdown, exc=err) from None
        _dead_letter(rt, delivery, str(err), err.reason, self)
        return
    if outcome is pipeline.DeliveryOutcome.BUSY:
        raise self.retry(countdown=BUSY_RETRY_S)
    log.info(f"delivery.{outcome}", delivery=delivery.key, channel=destination.channel)


def _backoff_s(retries: int) -> float:
    """Exponential with full jitter, capped."""
    ceiling = min(DELIVERY_BACKOFF_CAP_S, DELIVERY_BACKOFF_BASE_S * 2**retries)
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def _dead_letter(rt: Runtime, delivery: Delivery, error: str, reason: str, task: Task) -> None:
    from alerts.bootstrap import secret_values

    letter = DeadLetter(
        alert_key=delivery.alert_key,
        destination_id=delivery.destination_id,
        error=redact_text(error, secret_values(rt.settings)),
        reason=str(reason),
        attempts=task.request.retries + 1,
        failed_at=_now().isoformat(),
    )
    rt.deadletters.push(letter)
    log.error(
        "delivery.dead_lettered",
        delivery=delivery.key,
        reason=str(reason),
        attempts=letter.attempts,
        error=letter.error,
    )


def _log_poll(result: pipeline.PollResult) -> None:
    if result.error is not None:
        log.warning(
            "source.poll.failed",
            source=result.source,
            kind=result.error.kind,
            error=str(result.error),
            health=result.state.health,
            failures=result.state.failures,
        )
        return
    counts: dict[str, int] = {}
    for decision in result.processed.decisions:
        counts[decision.outcome] = counts.get(decision.outcome, 0) + 1
        if decision.verdict is not None and decision.verdict.is_launch:
            log.info(
                "detect.launch",
                source=result.source,
                item=decision.item.id,
                outcome=decision.outcome,
                event_id=decision.event_id,
                confidence=decision.verdict.confidence,
                title=decision.item.title[:200],
            )
    log.info(f"source.poll.{result.status}", source=result.source, items=result.items, **counts)
