"""Pure decisions about launch events: which launch a report belongs to, and what alert it makes.

First version (issue 2): reports of the same launching country whose launch times lie within
the event window are one launch. The atomic part (two workers racing on one launch) lives in
store.py's script; this module only prepares the values it compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alerts.models import Alert, AlertKind, Item, SourceRef, Verdict

UNKNOWN_COUNTRY = "XX"


@dataclass(frozen=True, slots=True)
class LaunchReport:
    """A launch-verdict item, ready for the store's match-or-create step."""

    item: Item
    verdict: Verdict
    country: str
    launch_at: datetime  # the stated launch time, else the report's publish time, else now
    candidate: Alert  # the `new` alert to send if this report opens an event


def launch_report(item: Item, verdict: Verdict, *, now: datetime, token: str) -> LaunchReport:
    """Prepare a report; `token` makes the event id unique (random live, fixed in tests)."""
    country = verdict.facts.country or UNKNOWN_COUNTRY
    launch_at = verdict.facts.launch_time or item.published_at or now
    event_id = f"{country.lower()}-{launch_at:%Y%m%d-%H%M}-{token}"
    candidate = Alert(
        event_id=event_id,
        kind=AlertKind.NEW,
        revision=1,
        title=item.title,
        url=item.url,
        facts=verdict.facts,
        confidence=verdict.confidence,
        detected_at=now,
        first_published_at=item.published_at,
        sources=(source_ref(item),),
        reasons=verdict.reasons,
    )
    return LaunchReport(item, verdict, country, launch_at, candidate)


def source_ref(item: Item) -> SourceRef:
    return SourceRef(
        source=item.source,
        item_id=item.id,
        url=item.url,
        title=item.title,
        published_at=item.published_at,
    )


def is_too_old(item: Item, *, now: datetime, max_age_s: float) -> bool:
    """Old news is remembered but never alerted, so a restart or a new feed floods no one."""
    return item.published_at is not None and (now - item.published_at).total_seconds() > max_age_s
