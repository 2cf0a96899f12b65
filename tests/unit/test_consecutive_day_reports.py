"""Real headlines of a habitual launcher's next-day launch, told beside the day before's, through
the shipped detector and the event stage: each opens its own event. Review helpers found changes
that merged such reports into the day before's launch (a launch missed to save a duplicate)."""

from __future__ import annotations

from datetime import datetime

import fakeredis
import pytest

from alerts.detection.classify import classify_item
from alerts.events.cluster import EventPolicy
from alerts.events.keys import Keys
from alerts.events.store import EventStore
from alerts.models import Item
from alerts.pipeline import ItemDecision, ItemOutcome, Policy, process_items

POLICY = Policy(max_item_age_s=6 * 3600, min_confidence=0.5, events=EventPolicy())

# (first day's flash, its time), (next day's report: title, lede, language, time)
CASES = {
    "houthis": (
        ("Missile launched from Yemen towards Israel, military says", "2025-05-27T16:00:00+00:00"),
        ("Houthis say they fired hypersonic ballistic missile at Ben Gurion airport",
         "Yemen's Houthis said on Wednesday they fired a hypersonic ballistic missile at Ben "
         "Gurion airport. The day before, Israel intercepted a missile launched from Yemen.",
         "en", "2025-05-28T14:00:00+00:00"),
    ),
    "iran": (
        ("Iran fires ballistic missiles at Israel", "2025-06-13T20:00:00+00:00"),
        ("Iran's Revolutionary Guards say they launched new missile attack on Israel",
         "The IRGC said on Saturday it fired ballistic missiles at Tel Aviv and Haifa. The "
         "previous night, Iranian missiles struck central Israel.",
         "en", "2025-06-14T19:00:00+00:00"),
    ),
    "russia-en": (
        ("Russia strikes Kyiv with ballistic missiles", "2025-05-27T03:00:00+00:00"),
        ("Russian ballistic missile strike on Dnipro kills four, Ukraine says",
         "Russian ballistic missiles hit Dnipro on Wednesday, killing four. The day before, "
         "Russia fired ballistic missiles at Kyiv.",
         "en", "2025-05-28T09:00:00+00:00"),
    ),
    "russia-ko": (
        ("러, 키이우에 탄도미사일 공격", "2025-05-27T03:00:00+00:00"),
        ("러 탄도미사일, 드니프로 강타…4명 사망",
         "러시아군은 28일 드니프로에 탄도미사일을 발사해 4명이 숨졌다. 러시아는 전날 키이우에도 "
         "탄도미사일을 쐈다.",
         "ko", "2025-05-28T09:00:00+00:00"),
    ),
    "russia-ja": (
        ("ロシア、キーウに弾道ミサイル攻撃", "2025-05-27T03:00:00+00:00"),
        ("ロシアの弾道ミサイル、ドニプロ直撃　4人死亡",
         "ロシア軍は28日、ドニプロに弾道ミサイルを発射し4人が死亡した。前日にはキーウにも"
         "弾道ミサイルが撃ち込まれた。",
         "ja", "2025-05-28T09:00:00+00:00"),
    ),
    "north-korea": (
        ("北, 동해상으로 탄도미사일 발사", "2025-05-26T23:30:00+00:00"),
        ("北, 이틀 연속 탄도미사일 발사",
         "합참은 북한이 28일 오전 동해상으로 탄도미사일 1발을 발사했다고 밝혔다. 북한은 전날에도 "
         "탄도미사일을 쐈다.",
         "ko", "2025-05-27T23:40:00+00:00"),
    ),
}  # fmt: skip


def _feed(store: EventStore, n: str, title: str, summary: str, lang: str, at: str) -> ItemDecision:
    published = datetime.fromisoformat(at)
    item = Item(id=n, source=f"s{n}", title=title, url=f"https://x/{n}", summary=summary,
                lang=lang, published_at=published)  # fmt: skip
    result = process_items(
        [item], events=store, classify=classify_item, policy=POLICY, now=published,
        new_token=lambda: f"ev{n}",
    )  # fmt: skip
    [decision] = result.decisions
    return decision


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_next_day_launch_told_beside_the_day_befores_opens_its_own_event(case: str) -> None:
    (flash, flash_at), (title, summary, lang, at) = CASES[case]
    client = fakeredis.FakeRedis()
    store = EventStore(client, keys=Keys("t:"), seen_ttl_s=5 * 86400)
    try:
        first = _feed(store, "1", flash, "", lang, flash_at)
        later = _feed(store, "2", title, summary, lang, at)
    finally:
        client.close()
    assert first.outcome is ItemOutcome.NEW_EVENT
    assert later.outcome is ItemOutcome.NEW_EVENT, later.reason
    assert later.event_id != first.event_id
