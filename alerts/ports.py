"""What the pipeline needs from the outside world, as Protocols. Adapters implement them; unit
tests hand in fakes or fakeredis-backed adapters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from alerts.events.cluster import Decision
from alerts.models import Alert, Delivery, Destination, HeldReport, Item, LaunchEvent, Verdict
from alerts.sources.health import SourceState


class Fetched(Protocol):
    """The parts of a fetch result the pipeline reads (sources.fetch.FetchResult)."""

    @property
    def not_modified(self) -> bool: ...
    @property
    def body(self) -> bytes: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def etag(self) -> str | None: ...
    @property
    def last_modified(self) -> str | None: ...
    @property
    def final_url(self) -> str: ...
    @property
    def max_age_s(self) -> float | None: ...


class Fetch(Protocol):
    def __call__(
        self, url: str, *, source: str, etag: str | None, last_modified: str | None
    ) -> Fetched: ...


class EventMemory(Protocol):
    def recall(self, items: Sequence[Item]) -> list[str | None]: ...
    def remember(self, marks: Sequence[tuple[Item, str]]) -> None: ...
    def candidates(
        self, *, around: datetime, span_s: float, now: datetime | None = None
    ) -> tuple[str, list[LaunchEvent]]: ...
    def snapshot(
        self,
        *,
        around: datetime,
        span_s: float,
        now: datetime | None = None,
        country: str | None = None,
    ) -> tuple[str, list[LaunchEvent], list[HeldReport]]: ...
    def commit(
        self,
        decision: Decision,
        *,
        version: str,
        now: datetime,
        item: Item | None = None,
        text_hash: str = "",
        owed_at: datetime | None = None,
    ) -> str: ...
    def load_event(self, event_id: str) -> LaunchEvent | None: ...
    def owed_updates(self, *, now: datetime) -> list[str]: ...
    def load_alert(self, alert_key: str) -> Alert: ...
    def mark_fanned_out(self, alert: Alert) -> None: ...


class SourceStateStore(Protocol):
    def load(self, name: str) -> SourceState: ...
    def save(self, state: SourceState) -> None: ...


class Ledger(Protocol):
    def was_sent(self, delivery_key: str) -> bool: ...
    def earlier_unsettled(self, delivery: Delivery) -> bool: ...
    def claim(self, delivery_key: str, owner: str) -> bool: ...
    def take_send_slot(self, destination_id: str, interval_s: float) -> float: ...
    def release(self, delivery_key: str) -> None: ...
    def mark_sent(self, delivery: Delivery, sent_at_iso: str) -> None: ...


Classify = Callable[[Item], Verdict]
Send = Callable[[Alert, Destination], None]
