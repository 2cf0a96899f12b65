"""What operators see when a poll brings more items than one poll may take
(ALERTS_MAX_ITEMS_PER_POLL): one `source.poll.overflow` event, a warning when the items left
out may hold unseen ones (a gap), plain information when the feed is merely long."""

from __future__ import annotations

from structlog.testing import capture_logs

from alerts.pipeline import PollResult
from alerts.sources.health import SourceState
from workers import observe


def test_items_left_out_that_may_be_new_are_logged_as_a_gap() -> None:
    """A feed with 100,000 new ids a poll: the overflow event says how many went unread."""
    result = PollResult("flood", "ok", SourceState("flood", gaps=3), items=500, overflow=99_500,
                        gap=True)  # fmt: skip
    with capture_logs() as logs:
        observe.log_poll(result)
    [event] = [e for e in logs if e["event"] == "source.poll.overflow"]
    assert event == {
        "event": "source.poll.overflow", "log_level": "warning", "source": "flood",
        "taken": 500, "overflow": 99_500, "gap": True, "gaps": 3,
    }  # fmt: skip
    assert "source.gap.detected" in [e["event"] for e in logs]


def test_a_long_feed_already_seen_logs_its_overflow_as_information() -> None:
    """Items left out of a long feed whose taken items were all seen: no gap, no warning."""
    result = PollResult("archive", "ok", SourceState("archive"), items=500, overflow=100)
    with capture_logs() as logs:
        observe.log_poll(result)
    [event] = [e for e in logs if e["event"] == "source.poll.overflow"]
    assert (event["log_level"], event["overflow"], event["gap"]) == ("info", 100, False)
    assert all(e["log_level"] != "warning" for e in logs)


def test_a_poll_within_the_cap_says_nothing_of_overflow() -> None:
    result = PollResult("quiet", "ok", SourceState("quiet"), items=40)
    with capture_logs() as logs:
        observe.log_poll(result)
    assert [e["event"] for e in logs] == ["source.poll.ok"]
