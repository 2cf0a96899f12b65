"""The `alerts.deliver` task over a real Redis, with real channels: whatever goes wrong ends
in retries and then the dead-letter list with the error, never a delivery left `routed`.

The task runs eagerly in this process (Celery's `apply`, which runs each retry at once instead
of after its countdown); tests/e2e/test_delivery_faults.py shows the same through real workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from alerts.bootstrap import Runtime, build_runtime
from alerts.config import load_settings
from alerts.embedded import EmbeddedRedis
from alerts.models import Delivery, Facts, Item, Verdict
from alerts.notify.base import UNEXPECTED_REASON
from alerts.pipeline import Policy, process_items
from tests.integration.receivers import GarbledAuthSmtp
from workers import tasks

PASSWORD = "pw-canary-XXXSMTPXXX"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def smtp() -> Iterator[GarbledAuthSmtp]:
    with GarbledAuthSmtp() as peer:
        yield peer


@pytest.fixture
def rt(
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    smtp: GarbledAuthSmtp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    settings = load_settings(
        data_dir=tmp_path, smtp_host=smtp.host, smtp_port=smtp.port, smtp_starttls=False,
        smtp_username="bot", smtp_password=PASSWORD, email_to=["ops@example.com"],
        delivery_max_retries=2,
    )  # fmt: skip
    runtime = build_runtime(settings, redis_url=redis_server.url)
    monkeypatch.setattr(tasks, "runtime", lambda: runtime)
    try:
        yield runtime
    finally:
        runtime.close()


def launch_alert_key(rt: Runtime) -> str:
    """A `new` alert stored the way a poll stores it."""
    item = Item(id="kp-1", source="wire", title="North Korea fires ballistic missile",
                url="https://wire.example/kp-1", summary="", published_at=NOW)  # fmt: skip
    verdict = Verdict(True, 0.97, ("ctx:rules_launch", "ctx:title_fires"), Facts(country="KP"))
    [alert] = process_items(
        [item], events=rt.events, classify=lambda _: verdict,
        policy=Policy(max_item_age_s=3600, min_confidence=0.5), now=NOW,
        new_token=lambda: "t1",
    ).alerts  # fmt: skip
    return alert.key


def route_state(rt: Runtime, delivery: Delivery) -> bytes | None:
    """What the ledger says of this revision at this destination: routed, sent or dead."""
    key = rt.events.keys.routed(delivery.event_id, delivery.destination_id)
    value = rt.redis.hget(key, str(delivery.revision))
    return value if isinstance(value, bytes) else None


def test_a_library_exception_is_retried_then_dead_lettered(
    rt: Runtime, smtp: GarbledAuthSmtp
) -> None:
    """The SMTP server's garbled AUTH challenge makes smtplib raise binascii.Error (no
    OSError): three attempts (max retries 2), then a dead letter naming the error; the
    ledger says `dead`, so the event's later revisions are not held behind it."""
    [destination] = rt.destinations.values()
    delivery = Delivery(launch_alert_key(rt), destination.id)
    rt.ledger.note_routed([delivery])
    tasks.deliver.apply(args=(delivery.alert_key, delivery.destination_id))
    assert smtp.auth_attempts == 3
    [letter] = rt.deadletters.list()
    assert (letter.alert_key, letter.destination_id) == (delivery.alert_key, destination.id)
    assert (letter.reason, letter.attempts) == (str(UNEXPECTED_REASON), 3)
    assert letter.error.startswith(f"email {UNEXPECTED_REASON}: unexpected binascii.Error: Inva")
    assert PASSWORD not in letter.error
    assert route_state(rt, delivery) == b"dead"
    later = Delivery(f"{delivery.event_id}:2", destination.id)
    assert not rt.ledger.earlier_unsettled(later)


def test_an_alert_gone_from_redis_is_dead_lettered(rt: Runtime) -> None:
    """An exception raised around the send (the alert expired from Redis: StoreError) takes
    the same road: retried, then dead-lettered with the error."""
    [destination] = rt.destinations.values()
    delivery = Delivery("kp-20261125-0000-gone:1", destination.id)
    rt.ledger.note_routed([delivery])
    tasks.deliver.apply(args=(delivery.alert_key, delivery.destination_id))
    [letter] = rt.deadletters.list()
    assert letter.attempts == 3
    assert "StoreError" in letter.error
    assert "is not in Redis" in letter.error
    assert route_state(rt, delivery) == b"dead"


def test_failures_are_counted_by_celery_when_redis_cannot(
    rt: Runtime, smtp: GarbledAuthSmtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting a failure in Redis failing too does not turn the retry into a lost task:
    Celery's own retry count takes over."""

    def redis_down(delivery_key: str) -> int:
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(rt.ledger, "count_failure", redis_down)
    [destination] = rt.destinations.values()
    delivery = Delivery(launch_alert_key(rt), destination.id)
    rt.ledger.note_routed([delivery])
    tasks.deliver.apply(args=(delivery.alert_key, delivery.destination_id))
    assert smtp.auth_attempts == 3
    [letter] = rt.deadletters.list()
    assert letter.attempts == 3
    assert route_state(rt, delivery) == b"dead"
