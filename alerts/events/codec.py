"""JSON both ways for values kept in Redis and printed by the CLI (a pydantic TypeAdapter each).

Stored values outlive code versions (events live 30 days): a field added to a model must
have a default, so JSON written before it existed still loads (e.g. `SourceRef.seen_at`,
None in events and alerts stored before poll times were recorded).
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from alerts.models import Alert, HeldReport, LaunchEvent

_ALERT = TypeAdapter(Alert)
_EVENT = TypeAdapter(LaunchEvent)
_HELD = TypeAdapter(HeldReport)


def event_to_json(event: LaunchEvent) -> bytes:
    return _EVENT.dump_json(event)


def event_from_json(data: bytes | str) -> LaunchEvent:
    return _EVENT.validate_json(data)


def held_to_json(held: HeldReport) -> bytes:
    return _HELD.dump_json(held)


def held_from_json(data: bytes | str) -> HeldReport:
    return _HELD.validate_json(data)


def alert_to_json(alert: Alert) -> bytes:
    return _ALERT.dump_json(alert)


def alert_from_json(data: bytes | str) -> Alert:
    return _ALERT.validate_json(data)


def alert_to_dict(alert: Alert) -> dict[str, Any]:
    """Plain JSON-ready mapping: only the stated facts, `item_ids` of every report joined so far
    (the opening report first) and `trigger_item_id`, the report that caused this revision."""
    out: dict[str, Any] = _ALERT.dump_python(alert, mode="json")
    out["facts"] = alert.facts.as_dict()
    out["item_ids"] = list(alert.item_ids)
    out["trigger_item_id"] = alert.item_ids[-1] if alert.item_ids else None
    return out
