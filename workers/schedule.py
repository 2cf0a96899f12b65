"""Beat entries derived from the configured sources: one poll entry per source, at its interval.

Each poll expires after one interval, so a backlog (workers down for a while) never replays a
pile of stale polls when they return.
"""

from __future__ import annotations

from typing import Any

from alerts.models import SourceSpec


def beat_schedule(sources: list[SourceSpec]) -> dict[str, dict[str, Any]]:
    return {
        f"poll:{s.name}": {
            "task": "alerts.poll_source",
            "schedule": s.interval_s,
            "args": (s.name,),
            "options": {"expires": s.interval_s, "queue": "poll"},
        }
        for s in sources
    }
