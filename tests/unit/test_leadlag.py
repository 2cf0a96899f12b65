"""Who reported a launch first: per event, and per source over the last 30 days (pure)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from alerts.events.cluster import MAX_SOURCES, _bounded_sources
from alerts.events.leadlag import WINDOW_S, event_lead_lag, source_standings
from alerts.models import Facts, LaunchEvent, SourceRef

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LAUNCH = NOW - timedelta(hours=1)
_UNSET = object()


def ref(
    source: str,
    item_id: str,
    *,
    published: float | None,
    seen: float | object | None = _UNSET,
) -> SourceRef:
    """A report published and seen that many seconds after the launch (seen: 60 s after
    publishing unless told; None: not known)."""
    seen_s = (published or 0) + 60 if seen is _UNSET else seen
    return SourceRef(
        source=source,
        item_id=item_id,
        url=f"https://{source}.example/{item_id}",
        title=f"report {item_id}",
        published_at=LAUNCH + timedelta(seconds=published) if published is not None else None,
        seen_at=LAUNCH + timedelta(seconds=seen_s) if isinstance(seen_s, int | float) else None,
    )


def event(
    *sources: SourceRef, event_id: str = "kp-1", launch_at: datetime = LAUNCH, retracted=False
) -> LaunchEvent:
    return LaunchEvent(
        event_id=event_id,
        country="KP",
        launch_at=launch_at,
        first_published_at=launch_at,
        facts=Facts(country="KP"),
        revision=1,
        title="KP fires",
        url="https://a.example/1",
        sources=sources,
        retracted=retracted,
    )


class TestOneEvent:
    def test_the_earliest_source_is_first_and_the_others_lag_behind_it(self) -> None:
        figures = event_lead_lag(event(ref("b", "b1", published=300), ref("a", "a1", published=0)))
        assert figures.first_by_published == ("a",)
        assert figures.first_by_seen == ("a",)
        a, b = figures.sources
        assert (a.source, a.lag_published_s, a.lag_seen_s) == ("a", 0.0, 0.0)
        assert (b.source, b.lag_published_s, b.lag_seen_s) == ("b", 300.0, 300.0)
        assert a.first_by_published
        assert not b.first_by_published

    def test_the_two_clocks_are_ranked_apart(self) -> None:
        """`a` published first, but we fetched `b` first (a slow poll of `a`)."""
        figures = event_lead_lag(
            event(ref("a", "a1", published=0, seen=900), ref("b", "b1", published=120, seen=200))
        )
        assert figures.first_by_published == ("a",)
        assert figures.first_by_seen == ("b",)
        by_name = {s.source: s for s in figures.sources}
        assert by_name["a"].lag_published_s == 0.0
        assert by_name["a"].lag_seen_s == 700.0
        assert by_name["b"].lag_published_s == 120.0
        assert by_name["b"].lag_seen_s == 0.0
        assert [s.source for s in figures.sources] == ["b", "a"]  # earliest by poll time first

    def test_a_source_counts_by_its_first_report(self) -> None:
        figures = event_lead_lag(
            event(
                ref("a", "a2", published=600),
                ref("b", "b1", published=100),
                ref("a", "a1", published=30),
            )
        )
        a = next(s for s in figures.sources if s.source == "a")
        assert a.reports == 2
        assert a.published_at == LAUNCH + timedelta(seconds=30)
        assert figures.first_by_published == ("a",)
        assert next(s for s in figures.sources if s.source == "b").lag_published_s == 70.0

    def test_ties_are_all_first(self) -> None:
        figures = event_lead_lag(
            event(
                ref("b", "b1", published=0, seen=60),
                ref("a", "a1", published=0, seen=60),
                ref("c", "c1", published=5, seen=61),
            )
        )
        assert figures.first_by_published == ("a", "b")
        assert figures.first_by_seen == ("a", "b")
        assert [s.lag_seen_s for s in figures.sources] == [0.0, 0.0, 1.0]

    def test_reports_without_a_publish_time_are_left_out_of_that_figure_and_counted(
        self,
    ) -> None:
        """An undated report cannot be first by publish time; by poll time it still can."""
        figures = event_lead_lag(
            event(ref("a", "a1", published=None, seen=10), ref("b", "b1", published=50, seen=90))
        )
        a, b = figures.sources
        assert a.source == "a"
        assert a.lag_published_s is None
        assert not a.first_by_published
        assert a.reports_without_published == 1
        assert figures.first_by_published == ("b",)
        assert figures.first_by_seen == ("a",)
        assert b.lag_seen_s == 80.0

    def test_a_dated_report_of_a_source_counts_when_another_of_its_reports_is_undated(
        self,
    ) -> None:
        figures = event_lead_lag(
            event(ref("a", "a1", published=None, seen=10), ref("a", "a2", published=40, seen=50))
        )
        (a,) = figures.sources
        assert a.lag_published_s == 0.0
        assert a.reports_without_published == 1
        assert figures.first_by_published == ("a",)

    def test_events_stored_before_poll_times_have_no_poll_time_figure(self) -> None:
        figures = event_lead_lag(
            event(ref("a", "a1", published=0, seen=None), ref("b", "b1", published=9, seen=None))
        )
        assert figures.first_by_seen == ()
        assert all(s.lag_seen_s is None and s.reports_without_seen == 1 for s in figures.sources)
        assert figures.first_by_published == ("a",)

    def test_an_event_with_no_sources(self) -> None:
        figures = event_lead_lag(event())
        assert figures.sources == ()
        assert figures.first_by_published == figures.first_by_seen == ()


class TestFollowUps:
    """A doubted report joined silently (`SourceRef.follow_up`: a reaction hours later) told
    no launch: it neither makes its source first nor gives it a lag."""

    def test_a_follow_up_does_not_count(self) -> None:
        early_follow_up = dataclasses.replace(ref("b", "b0", published=-30), follow_up=True)
        figures = event_lead_lag(
            event(ref("a", "a1", published=0), early_follow_up, ref("b", "b1", published=120))
        )
        assert figures.first_by_published == ("a",)
        b = next(s for s in figures.sources if s.source == "b")
        assert (b.reports, b.lag_published_s) == (1, 120.0)

    def test_a_source_that_only_followed_up_is_not_in_the_figures(self) -> None:
        reaction = dataclasses.replace(ref("c", "c1", published=5 * 3600), follow_up=True)
        one = event(ref("a", "a1", published=0), reaction)
        assert [s.source for s in event_lead_lag(one).sources] == ["a"]
        assert set(source_standings([one], now=NOW)) == {"a"}

    def test_bounded_sources_drop_follow_ups_before_launch_reports(self) -> None:
        """Past MAX_SOURCES reports, silent follow-ups go first, even newer ones: each is a
        report the detector doubted, and the alert's sources are what it called launches."""
        told = [ref("a", f"a{n}", published=n) for n in range(MAX_SOURCES - 10)]
        follow_ups = [
            dataclasses.replace(ref("b", f"b{n}", published=9000 + n), follow_up=True)
            for n in range(20)
        ]
        newest = ref("c", "c1", published=99999)
        kept = _bounded_sources((*told, *follow_ups, newest))
        assert len(kept) == MAX_SOURCES
        assert [r.item_id for r in kept[: len(told)]] == [r.item_id for r in told]
        assert [r.item_id for r in kept if r.follow_up] == [f"b{n}" for n in range(11, 20)]
        assert kept[-1] == newest


class TestStandings:
    def test_counts_firsts_and_medians_per_source_by_each_clock(self) -> None:
        events = [
            event(ref("a", "a1", published=0), ref("b", "b1", published=60), event_id="e1"),
            event(ref("a", "a2", published=0), ref("b", "b2", published=300), event_id="e2"),
            event(
                ref("a", "a3", published=100, seen=1000),
                ref("b", "b3", published=0, seen=100),
                event_id="e3",
            ),
        ]
        standings = source_standings(events, now=NOW)
        a, b = standings["a"], standings["b"]
        assert (a.events_reported, b.events_reported) == (3, 3)
        assert (a.first_by_published, b.first_by_published) == (2, 1)
        assert (a.first_by_seen, b.first_by_seen) == (2, 1)
        assert a.median_lag_published_s == 0.0  # lags 0, 0, 100
        assert b.median_lag_published_s == 60.0  # lags 60, 300, 0
        assert a.median_lag_seen_s == 0.0  # lags 0, 0, 900
        assert b.median_lag_seen_s == 60.0

    def test_median_of_an_even_count_is_the_mean_of_the_middle_two(self) -> None:
        events = [
            event(ref("a", f"a{n}", published=0), ref("b", f"b{n}", published=lag),
                  event_id=f"e{n}")
            for n, lag in enumerate((10, 20, 40, 1000))
        ]  # fmt: skip
        assert source_standings(events, now=NOW)["b"].median_lag_published_s == 30.0

    def test_undated_reports_are_counted_and_left_out_of_the_publish_median(self) -> None:
        events = [
            event(ref("a", "a1", published=0), ref("b", "b1", published=None, seen=30),
                  event_id="e1"),
            event(ref("a", "a2", published=0), ref("b", "b2", published=50), event_id="e2"),
        ]  # fmt: skip
        b = source_standings(events, now=NOW)["b"]
        assert b.events_reported == 2
        assert b.reports_without_published == 1
        assert b.events_with_published == 1
        assert b.median_lag_published_s == 50.0
        assert b.events_with_seen == 2
        assert b.first_by_seen == 1  # seen 30 s after the launch, `a` 60 s

    def test_retracted_events_are_left_out(self) -> None:
        events = [
            event(ref("a", "a1", published=0), ref("b", "b1", published=60), event_id="e1"),
            event(ref("b", "b2", published=0), event_id="e2", retracted=True),
        ]
        standings = source_standings(events, now=NOW)
        assert standings["b"].events_reported == 1
        assert standings["b"].first_by_published == 0

    @pytest.mark.parametrize(
        ("age_s", "counted"), [(WINDOW_S - 1, True), (WINDOW_S, True), (WINDOW_S + 1, False)]
    )
    def test_only_events_launched_in_the_last_30_days_count(
        self, age_s: float, counted: bool
    ) -> None:
        launched = NOW - timedelta(seconds=age_s)
        old = event(ref("a", "a1", published=0), event_id="old", launch_at=launched)
        standings = source_standings([old], now=NOW)
        assert ("a" in standings) is counted

    def test_a_source_with_no_event_is_absent(self) -> None:
        assert source_standings([], now=NOW) == {}
