"""Redis side of source state: validators for conditional GET and health, one hash per source.

Adapter. `alerts sources` and the dashboard read the same hashes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from alerts.events.keys import Keys
from alerts.sources.health import Health, SourceState

if TYPE_CHECKING:
    import redis

_TIMES = {"last_success_at", "last_error_at", "last_polled_at", "not_before", "last_gap_at"}
_FIELDS = frozenset(f.name for f in dataclasses.fields(SourceState))


class SourceStates:
    def __init__(self, client: redis.Redis[bytes], *, keys: Keys | None = None) -> None:
        self._redis = client
        self._keys = keys or Keys()

    def load(self, name: str) -> SourceState:
        return _decode(name, self._redis.hgetall(self._keys.source_state(name)))

    def load_many(self, names: Iterable[str]) -> list[SourceState]:
        names = list(names)
        pipe = self._redis.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(self._keys.source_state(name))
        return [_decode(n, raw) for n, raw in zip(names, pipe.execute(), strict=True)]

    def save(self, state: SourceState) -> None:
        pipe = self._redis.pipeline(transaction=True)
        self.queue_save(pipe, state)
        pipe.execute()

    def queue_save(
        self,
        pipe: redis.client.Pipeline[bytes],
        state: SourceState,
        *,
        was: SourceState | None = None,
    ) -> None:
        """Queue the writes that make the hash equal `state` (fields now unset are removed;
        given the state as loaded, only those that were set)."""
        key = self._keys.source_state(state.name)
        fields = _encode(state)
        pipe.hset(key, mapping=fields)
        gone = _FIELDS - fields.keys()
        if was is not None:
            gone = frozenset(f for f in gone if getattr(was, f) is not None)
        if gone:
            pipe.hdel(key, *gone)


def _encode(state: SourceState) -> dict[str | bytes, str]:
    out: dict[str | bytes, str] = {}
    for f in dataclasses.fields(state):
        value = getattr(state, f.name)
        if value is None:
            continue
        out[f.name] = value.isoformat() if isinstance(value, datetime) else str(value)
    return out


def _decode(name: str, raw: dict[bytes, bytes]) -> SourceState:
    values = {k.decode(): v.decode() for k, v in raw.items()}
    kwargs: dict[str, object] = {"name": name}
    for key, value in values.items():
        if key in _TIMES:
            kwargs[key] = datetime.fromisoformat(value)
        elif key in {"failures", "gaps"}:
            kwargs[key] = int(value)
        elif key == "health":
            kwargs[key] = Health(value)
        elif key in {"etag", "last_modified", "last_error"}:
            kwargs[key] = value
    return SourceState(**kwargs)  # type: ignore[arg-type]
