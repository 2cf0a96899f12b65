"""Which source reported each launch first, and how far behind the others were.

Pure: events in, figures out; `now` is an argument. Two clocks, always kept apart, because
they answer different questions:

    publish time  the item's own timestamp, as the source states it: who *published* first.
                  Sources' clocks and zones can be wrong, and some items carry no time: a
                  report without one is left out of the publish-time figures and counted
                  (`reports_without_published`).
    poll time     `SourceRef.seen_at`, when our poll fetched the item: who *told us* first.
                  It includes each source's poll interval, which is what an operator tunes.
                  Reports stored before poll times were recorded have none and are counted
                  apart the same way (`reports_without_seen`).

Per event, a source's first report counts: its earliest time by each clock, separately. The
earliest source by a clock is first (lag 0); ties are all first. Every other source's lag is
its time minus the first's. An event only one source reported makes that source first. Only
reports the detector called a launch count: a doubted follow-up joined silently
(`SourceRef.follow_up`: a reaction or an analysis hours later) reported no launch, so a source
that only followed up is not in the event's figures (nor, for it, in its source's standing).

Per source, over the events whose launch time is within the last `window_s` before `now`
(30 days, the events' own lifetime in Redis): events reported, times first by each clock, the
median lag by each clock (over every event it has a time for, its firsts counted as 0), and
how many of its reports lacked a publish (or poll) time. Retracted events are left out of
these figures: a launch that never was says nothing about who is fast (its per-event list is
still available from `event_lead_lag`).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alerts.models import LaunchEvent, SourceRef

WINDOW_S = 30 * 86400  # the figures' window; equal to the events' TTL in Redis (EVENT_TTL_S)


@dataclass(frozen=True, slots=True)
class SourceLag:
    """One source's place in one event. Lags are seconds behind the first source by that
    clock (0 for the first); None when none of its reports has a time by that clock."""

    source: str
    reports: int
    published_at: datetime | None  # its earliest report's publish time
    seen_at: datetime | None  # its earliest report's poll time
    lag_published_s: float | None
    lag_seen_s: float | None
    first_by_published: bool
    first_by_seen: bool
    reports_without_published: int
    reports_without_seen: int


@dataclass(frozen=True, slots=True)
class EventLeadLag:
    """Who was first in one event by each clock (ties: all of them), and every source's lag,
    the earliest by poll time first (then by publish time, then by name)."""

    event_id: str
    first_by_published: tuple[str, ...]
    first_by_seen: tuple[str, ...]
    sources: tuple[SourceLag, ...]


@dataclass(frozen=True, slots=True)
class SourceStanding:
    """One source's figures over the window. Medians are seconds behind the first source,
    over the events it has a time for by that clock; None when it has none."""

    source: str
    events_reported: int
    first_by_published: int
    first_by_seen: int
    median_lag_published_s: float | None
    median_lag_seen_s: float | None
    events_with_published: int  # events it has a publish time in (the publish median's base)
    events_with_seen: int  # events it has a poll time in (the poll median's base)
    reports_without_published: int
    reports_without_seen: int


def event_lead_lag(event: LaunchEvent) -> EventLeadLag:
    """Who reported this event first, by publish time and by poll time, and each source's lag."""
    by_source: dict[str, list[SourceRef]] = {}
    for ref in event.sources:
        if not ref.follow_up:
            by_source.setdefault(ref.source, []).append(ref)
    published = {name: _earliest(r.published_at for r in refs) for name, refs in by_source.items()}
    seen = {name: _earliest(r.seen_at for r in refs) for name, refs in by_source.items()}
    first_published = _earliest(published.values())
    first_seen = _earliest(seen.values())
    lags = [
        SourceLag(
            source=name,
            reports=len(refs),
            published_at=published[name],
            seen_at=seen[name],
            lag_published_s=_lag(published[name], first_published),
            lag_seen_s=_lag(seen[name], first_seen),
            first_by_published=published[name] is not None and published[name] == first_published,
            first_by_seen=seen[name] is not None and seen[name] == first_seen,
            reports_without_published=sum(1 for r in refs if r.published_at is None),
            reports_without_seen=sum(1 for r in refs if r.seen_at is None),
        )
        for name, refs in by_source.items()
    ]
    lags.sort(key=_running_order)
    return EventLeadLag(
        event_id=event.event_id,
        first_by_published=tuple(s.source for s in lags if s.first_by_published),
        first_by_seen=tuple(s.source for s in lags if s.first_by_seen),
        sources=tuple(lags),
    )


def source_standings(
    events: Iterable[LaunchEvent], *, now: datetime, window_s: float = WINDOW_S
) -> dict[str, SourceStanding]:
    """Each source's figures over the events launched within `window_s` before `now`
    (retracted events left out), keyed by source name; sources with no event are absent."""
    since = now - timedelta(seconds=window_s)
    tallies: dict[str, _Tally] = {}
    for event in events:
        if event.retracted or event.launch_at < since:
            continue
        for lag in event_lead_lag(event).sources:
            tallies.setdefault(lag.source, _Tally()).add(lag)
    return {name: tally.standing(name) for name, tally in sorted(tallies.items())}


@dataclass(slots=True)
class _Tally:
    events: int = 0
    first_by_published: int = 0
    first_by_seen: int = 0
    without_published: int = 0
    without_seen: int = 0
    lags_published: list[float] = field(default_factory=list)
    lags_seen: list[float] = field(default_factory=list)

    def add(self, lag: SourceLag) -> None:
        self.events += 1
        self.first_by_published += lag.first_by_published
        self.first_by_seen += lag.first_by_seen
        self.without_published += lag.reports_without_published
        self.without_seen += lag.reports_without_seen
        if lag.lag_published_s is not None:
            self.lags_published.append(lag.lag_published_s)
        if lag.lag_seen_s is not None:
            self.lags_seen.append(lag.lag_seen_s)

    def standing(self, source: str) -> SourceStanding:
        return SourceStanding(
            source=source,
            events_reported=self.events,
            first_by_published=self.first_by_published,
            first_by_seen=self.first_by_seen,
            median_lag_published_s=_median(self.lags_published),
            median_lag_seen_s=_median(self.lags_seen),
            events_with_published=len(self.lags_published),
            events_with_seen=len(self.lags_seen),
            reports_without_published=self.without_published,
            reports_without_seen=self.without_seen,
        )


def _earliest(times: Iterable[datetime | None]) -> datetime | None:
    return min((t for t in times if t is not None), default=None)


def _lag(at: datetime | None, first: datetime | None) -> float | None:
    if at is None or first is None:
        return None
    return round((at - first).total_seconds(), 3)


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _running_order(lag: SourceLag) -> tuple[bool, float, bool, float, str]:
    return (
        lag.lag_seen_s is None,
        lag.lag_seen_s or 0.0,
        lag.lag_published_s is None,
        lag.lag_published_s or 0.0,
        lag.source,
    )
