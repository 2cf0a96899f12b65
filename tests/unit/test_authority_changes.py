"""Which confirming authority is news: a new government is, another body of one already
known is not (events.cluster.fact_changes), while every name is still kept (merge_facts)."""

from __future__ import annotations

import pytest

from alerts.events.cluster import fact_changes, merge_facts
from alerts.models import Facts


@pytest.mark.parametrize(
    ("known", "reported", "news"),
    [
        ("Japan MOD", "Japan Government", False),
        ("South Korea JCS; Japan MOD", "Japan Coast Guard", False),
        ("US INDOPACOM", "US military", False),
        ("South Korea JCS", "Japan MOD", True),
        ("Japan MOD", "South Korea JCS", True),
        ("KCNA", "IDF", True),
        ("Japan MOD", "japan mod", False),
        (None, "Japan MOD", True),
    ],
)
def test_authority_is_news_only_from_a_new_government(
    known: str | None, reported: str, news: bool
) -> None:
    changes = fact_changes(Facts(authority=known), Facts(authority=reported))
    assert ("authority" in changes) is news


def test_every_confirming_body_is_kept() -> None:
    merged = merge_facts(Facts(authority="Japan MOD"), Facts(authority="Japan Government"))
    assert merged.authority == "Japan MOD; Japan Government"


@pytest.mark.parametrize(
    ("reported", "kept"),
    [
        ("its east coast", "Sea of Japan (East Sea)"),
        ("waters between the Korean Peninsula and Japan", "Sea of Japan (East Sea)"),
        ("奥尻島沖EEZ外", "奥尻島沖EEZ外"),  # a nearer place is news
        ("Yellow Sea (West Sea)", "Yellow Sea (West Sea)"),
        (None, "Sea of Japan (East Sea)"),
    ],
)
def test_a_named_sea_is_kept_over_a_phrase_placing_it_off_a_coast(
    reported: str | None, kept: str
) -> None:
    """ "North Korea fires two ballistic missiles off east coast, Seoul says" had turned a
    known "Sea of Japan (East Sea)" into "its east coast" (a review's cycle of 28 Sept 2022)."""
    known = Facts(landing_area="Sea of Japan (East Sea)")
    assert merge_facts(known, Facts(landing_area=reported)).landing_area == kept
