"""Poll times survive the trip through Redis, and events stored before them still load."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import fakeredis
from pydantic import TypeAdapter

from alerts.events.codec import alert_from_json, alert_to_json, event_from_json, event_to_json
from alerts.events.keys import Keys
from alerts.events.store import EventStore
from alerts.models import Alert, AlertKind, Facts, LaunchEvent, SourceRef

T0 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
REFS = (
    SourceRef(
        "yonhap", "y1", "https://y.example/1", "N. Korea fires", T0, T0 + timedelta(seconds=40)
    ),
    SourceRef(
        "nhk", "n1", "https://n.example/1", "北朝鮮 弾道ミサイル", None, T0 + timedelta(minutes=2)
    ),
)
EVENT = LaunchEvent(
    event_id="kp-20261125-0300-tok1",
    country="KP",
    launch_at=T0,
    first_published_at=T0,
    facts=Facts(country="KP"),
    revision=1,
    title="N. Korea fires",
    url="https://y.example/1",
    sources=REFS,
)
ALERT = Alert(
    event_id=EVENT.event_id,
    kind=AlertKind.NEW,
    revision=1,
    title="N. Korea fires",
    url="https://y.example/1",
    facts=Facts(country="KP"),
    confidence=0.9,
    detected_at=T0,
    first_published_at=T0,
    sources=REFS,
)


def _without_seen_at(data: bytes) -> bytes:
    """The JSON as the code before `seen_at` wrote it."""
    value = json.loads(data)
    for ref in value["sources"]:
        del ref["seen_at"]
    return json.dumps(value).encode()


class TestRoundTrip:
    def test_event_keeps_poll_times(self) -> None:
        data = event_to_json(EVENT)
        assert b'"seen_at":"2026-11-25T03:00:40Z"' in data
        assert event_from_json(data) == EVENT

    def test_alert_keeps_poll_times(self) -> None:
        assert alert_from_json(alert_to_json(ALERT)) == ALERT


class TestOlderStoredValues:
    def test_an_event_stored_without_poll_times_loads_with_none(self) -> None:
        old = _without_seen_at(event_to_json(EVENT))
        assert b"seen_at" not in old
        loaded = event_from_json(old)
        assert [s.seen_at for s in loaded.sources] == [None, None]
        assert loaded == dataclasses.replace(
            EVENT, sources=tuple(dataclasses.replace(s, seen_at=None) for s in REFS)
        )

    def test_an_alert_stored_without_poll_times_loads(self) -> None:
        loaded = alert_from_json(_without_seen_at(alert_to_json(ALERT)))
        assert [s.seen_at for s in loaded.sources] == [None, None]

    def test_the_store_loads_an_event_written_before_poll_times(self) -> None:
        client = fakeredis.FakeRedis()
        store = EventStore(client, keys=Keys("t:"), seen_ttl_s=60)
        client.set(store.keys.event(EVENT.event_id), _without_seen_at(event_to_json(EVENT)))
        loaded = store.load_event(EVENT.event_id)
        assert loaded is not None
        assert loaded.sources[0].published_at == T0
        assert loaded.sources[0].seen_at is None
        client.close()

    def test_code_without_poll_times_reads_events_that_have_them(self) -> None:
        """A worker of the previous version, during a rolling deploy, ignores the new field."""

        @dataclasses.dataclass(frozen=True)
        class PreviousSourceRef:
            source: str
            item_id: str
            url: str
            title: str
            published_at: datetime | None = None

        ref = TypeAdapter(PreviousSourceRef).validate_json(
            json.dumps(json.loads(event_to_json(EVENT))["sources"][0])
        )
        assert ref == PreviousSourceRef("yonhap", "y1", "https://y.example/1", "N. Korea fires", T0)
