"""JSON both ways for values kept in Redis and printed by the CLI (a pydantic TypeAdapter each)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from alerts.models import Alert

_ALERT = TypeAdapter(Alert)


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
