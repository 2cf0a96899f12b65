"""Who reports launches first: `/api/sources`, `/api/events/{id}` and the dashboard's sources
table, over events the real pipeline stored in a real redis-server, served by the real app."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from alerts.bootstrap import Runtime
from alerts.models import Item
from alerts.pipeline import process_items
from alerts.web import create_app
from tests.support.fakes import fake_classify
from tests.web.server import http_client

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Planted:
    kp_event: str
    ir_event: str


def _poll(rt: Runtime, item: Item, at: datetime, tokens: Iterator[str]) -> str | None:
    """One poll of one item at `at`, through the pipeline the workers run."""
    processed = process_items([item], events=rt.events, classify=fake_classify, policy=rt.policy,
                              now=at, new_token=lambda: next(tokens))  # fmt: skip
    (decision,) = processed.decisions
    return decision.event_id


def _plant(rt: Runtime, day: datetime) -> Planted:
    """Two launches, each reported by feed-a and feed-b.

    KP (12:00 KST): feed-a published first (60 s vs 120 s after the launch) but we fetched
    feed-b first (180 s vs 300 s). IR (11:30 IRST): feed-a published and was fetched first
    (30 s); feed-b's report has no publish time and was fetched 90 s after the launch.
    """
    tokens = (f"tok{n}" for n in itertools.count(1))
    kp, ir = day + timedelta(hours=3), day + timedelta(hours=8)
    s = timedelta(seconds=1)

    def item(item_id: str, source: str, title: str, published: datetime | None) -> Item:
        return Item(item_id, source, title, f"https://{source}.example/{item_id}",
                    summary=f"wire story {item_id} {source}", published_at=published)  # fmt: skip

    kp_event = _poll(
        rt, item("b1", "feed-b", "KP FIRES by=JCS", kp + 120 * s), kp + 180 * s, tokens
    )
    assert _poll(rt, item("a1", "feed-a", "KP FIRES class=ICBM", kp + 60 * s), kp + 300 * s,
                 tokens) == kp_event  # fmt: skip
    ir_event = _poll(rt, item("a2", "feed-a", "IR FIRES count=3", ir), ir + 30 * s, tokens)
    assert _poll(rt, item("b2", "feed-b", "IR FIRES by=IRGC", None), ir + 90 * s,
                 tokens) == ir_event  # fmt: skip
    assert kp_event is not None
    assert ir_event is not None
    assert kp_event != ir_event
    return Planted(kp_event, ir_event)


@pytest.fixture
def yesterday() -> datetime:
    """Midnight UTC a day ago: the planted launches fall on one local day each, in the past,
    within the last 3 days."""
    return (datetime.now(UTC) - timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                          microsecond=0)  # fmt: skip


@pytest.fixture
def client(runtime: Runtime) -> Iterator[httpx.Client]:
    with http_client(create_app(runtime)) as client:
        yield client


class TestApiSources:
    def test_first_counts_and_median_lags_by_each_clock(
        self, runtime: Runtime, client: httpx.Client, yesterday: datetime
    ) -> None:
        _plant(runtime, yesterday)
        by_name = {s["name"]: s for s in client.get("/api/sources").json()}
        a, b, c = by_name["feed-a"], by_name["feed-b"], by_name["feed-c"]
        assert (a["events_reported"], b["events_reported"], c["events_reported"]) == (2, 2, 0)
        # by publish time: feed-a first in both (feed-b's undated IR report is left out)
        assert (a["first_count_published"], b["first_count_published"]) == (2, 0)
        assert a["median_lag_published_s"] == 0.0
        assert b["median_lag_published_s"] == 60.0
        assert (a["reports_without_published"], b["reports_without_published"]) == (0, 1)
        assert (a["events_with_published"], b["events_with_published"]) == (2, 1)
        assert (a["events_with_seen"], b["events_with_seen"]) == (2, 2)
        # by poll time: feed-b first in KP (feed-a 120 s behind), feed-a in IR (feed-b 60 s)
        assert (a["first_count_seen"], b["first_count_seen"]) == (1, 1)
        assert a["median_lag_seen_s"] == 60.0  # lags 120 and 0
        assert b["median_lag_seen_s"] == 30.0  # lags 0 and 60
        assert c["median_lag_published_s"] is None
        assert c["median_lag_seen_s"] is None

    def test_a_retracted_launch_is_left_out(
        self, runtime: Runtime, client: httpx.Client, yesterday: datetime
    ) -> None:
        planted = _plant(runtime, yesterday)
        at = yesterday + timedelta(hours=8, minutes=30)
        retraction = Item("c1", "feed-c", "IR CORRECTS", "https://feed-c.example/c1",
                          summary="not a missile after all", published_at=at)  # fmt: skip
        assert _poll(runtime, retraction, at, iter(["x"])) == planted.ir_event
        by_name = {s["name"]: s for s in client.get("/api/sources").json()}
        assert by_name["feed-a"]["events_reported"] == 1
        assert by_name["feed-b"]["first_count_seen"] == 1  # only the KP launch counts
        assert by_name["feed-c"]["events_reported"] == 0

    def test_the_openapi_document_names_the_basis_of_each_figure(
        self, client: httpx.Client
    ) -> None:
        props = client.get("/openapi.json").json()["components"]["schemas"]["SourceView"][
            "properties"
        ]
        assert "publish time" in props["median_lag_published_s"]["description"]
        assert "poll time" in props["median_lag_seen_s"]["description"]

    def test_events_older_than_three_days_still_count(
        self, runtime: Runtime, client: httpx.Client, yesterday: datetime
    ) -> None:
        old_day = yesterday - timedelta(days=9)
        at = old_day + timedelta(hours=3)
        old = Item("c0", "feed-c", "KP FIRES", "https://feed-c.example/c0", published_at=at)
        assert _poll(runtime, old, at + timedelta(seconds=20), iter(["old"]))
        _plant(runtime, yesterday)
        by_name = {s["name"]: s for s in client.get("/api/sources").json()}
        assert by_name["feed-c"]["events_reported"] == 1


class TestApiEvent:
    def test_one_event_lists_who_was_first_and_each_lag(
        self, runtime: Runtime, client: httpx.Client, yesterday: datetime
    ) -> None:
        planted = _plant(runtime, yesterday)
        kp = client.get(f"/api/events/{planted.kp_event}").json()["lead_lag"]
        assert kp["first_by_published"] == ["feed-a"]
        assert kp["first_by_seen"] == ["feed-b"]
        lags = {s["source"]: s for s in kp["sources"]}
        assert [s["source"] for s in kp["sources"]] == ["feed-b", "feed-a"]
        assert (lags["feed-a"]["lag_published_s"], lags["feed-a"]["lag_seen_s"]) == (0.0, 120.0)
        assert (lags["feed-b"]["lag_published_s"], lags["feed-b"]["lag_seen_s"]) == (60.0, 0.0)
        assert lags["feed-b"]["seen_at"] is not None

        ir = client.get(f"/api/events/{planted.ir_event}").json()["lead_lag"]
        assert ir["first_by_published"] == ["feed-a"]
        b = next(s for s in ir["sources"] if s["source"] == "feed-b")
        assert b["lag_published_s"] is None
        assert b["reports_without_published"] == 1
        assert b["lag_seen_s"] == 60.0

    def test_a_follow_up_is_listed_as_one_and_left_out_of_the_lags(
        self, runtime: Runtime, client: httpx.Client, yesterday: datetime
    ) -> None:
        """A reaction the detector doubted, joined silently hours later: among the event's
        sources marked `follow_up`, on the dashboard too, and no lag for its outlet."""
        planted = _plant(runtime, yesterday)
        at = yesterday + timedelta(hours=5)
        reaction = Item("c1", "feed-c", "KP analysis p=0.3", "https://feed-c.example/c1",
                        summary="an analyst's view", published_at=at)  # fmt: skip
        assert _poll(runtime, reaction, at + timedelta(seconds=30), iter(["c"])) == planted.kp_event
        event = client.get(f"/api/events/{planted.kp_event}").json()
        follow = {s["source"]: s["follow_up"] for s in event["sources"]}
        assert follow == {"feed-a": False, "feed-b": False, "feed-c": True}
        assert {s["source"] for s in event["lead_lag"]["sources"]} == {"feed-a", "feed-b"}
        assert "(follow-up)" in client.get("/").text


class TestDashboard:
    def test_sources_table_shows_first_and_median_lag_by_each_clock(
        self, runtime: Runtime, client: httpx.Client, yesterday: datetime
    ) -> None:
        _plant(runtime, yesterday)
        html = client.get("/").text
        row = re.search(r"<tr>\s*<td data-label=\"Source\"><div>feed-b.*?</tr>", html, re.S)
        assert row is not None
        text = re.sub(r"<[^>]+>", " ", row.group(0))
        text = re.sub(r"\s+", " ", text)
        assert "0 of 2 by publish time 1 of 2 by poll time" in text
        assert "60 s by publish time 30 s by poll time" in text
        assert "1 report(s) without a publish time" in text
        assert "<th>First" in html
        assert "<th>Median lag</th>" in html
