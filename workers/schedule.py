"""Beat's one entry: the dispatcher, four times a second.

Per-source timing (intervals with jitter, backoff, surge, gap and cache hints) lives in Redis
(alerts/sources/due.py), not in beat: beat only says "look at what is due now". The dispatch
expires quickly, so a backlog never replays a pile of stale dispatches. A poll waits up to one
tick past its due time, but its next poll counts from the due time (health.next_poll_at), so
the tick delays single polls and never stretches a source's mean interval.

Any number of beats may send this entry at once, from any host (docs/ha.md): the dispatch
claims due sources atomically, and one dispatch a tick does the work (workers.tasks), so a
second beat is a standby that costs nearly nothing and never pauses: killing either one leaves
the other's ticks. Beat itself keeps no state (`alerts beat` schedules in memory).
"""

from __future__ import annotations

from typing import Any

DISPATCH_INTERVAL_S = 0.25


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {
        "dispatch-polls": {
            "task": "alerts.dispatch_polls",
            "schedule": DISPATCH_INTERVAL_S,
            "options": {"expires": 5.0, "queue": "poll"},
        }
    }
