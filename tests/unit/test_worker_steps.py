"""The delivery heartbeat step joins only workers that take the deliver queue: a polling-only
worker writing it would make /readyz and `alerts health --role deliver` say sends are handled
when nothing consumes them. Celery's own queue selection, as `alerts worker --queues` sets it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from celery import Celery

from workers.steps import DeliverHeartbeat


@pytest.mark.parametrize(
    ("queues", "included"),
    [(["deliver"], True), (["poll", "deliver"], True), (["poll"], False)],
)
def test_only_a_worker_taking_deliveries_beats_for_them(queues: list[str], included: bool) -> None:
    app = Celery("steps-test", set_as_current=False)
    app.amqp.queues.select(queues)
    worker = SimpleNamespace(app=app)
    assert (
        DeliverHeartbeat.include_if(DeliverHeartbeat.__new__(DeliverHeartbeat), worker) is included
    )
