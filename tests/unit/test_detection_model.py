"""The model's view of an item (alerts/detection/model.py): what it scores and what it ignores."""

from __future__ import annotations

import pytest

from alerts.detection.model import features

TITLE = '합참 "북한, 동해상으로 탄도미사일 발사"'
LEDE = "합동참모본부는 북한이 오전 탄도미사일을 발사했다고 밝혔다."


@pytest.mark.parametrize(
    "tagged",
    [
        f"(속보) {TITLE}",
        f"[속보] {TITLE}",
        f"{TITLE}(종합)",
        f"[종합2보] {TITLE}",
        f"【速報】{TITLE}",
        f"(LEAD) {TITLE}",
        f"(2nd LD) {TITLE}",
        f"BREAKING: {TITLE}",
        f"BREAKING— {TITLE}",
        f"Breaking — {TITLE}",
        f"Update 2-{TITLE}",
    ],
)
def test_a_wire_tag_is_no_launch_word(tagged: str) -> None:
    """Desks tag any breaking story; the corpus's writers tagged launch flashes only, so a
    model that saw the tag would learn it as a launch word."""
    plain = features(TITLE, LEDE, ["ko:ballistic"])
    assert features(tagged, LEDE, ["ko:ballistic", "ko:flash", "ctx:breaking"]) == plain
    assert features(tagged, LEDE, ["ko:ballistic"], placed=["p:t:flash", "p:t:ballistic"]) == (
        plain | {"p:t:ballistic"}
    )


@pytest.mark.parametrize(
    ("title", "word"),
    [
        ("Flash floods hit Pyongyang", "t:flash"),
        ("Lead author of UN report", "t:lead"),
        ("Flash-flood warning for Hamgyong", "t:flash"),
        ("Urgent-care clinics in Kyiv", "t:urgent"),
    ],
)
def test_words_that_only_look_like_tags_stay(title: str, word: str) -> None:
    assert word in features(title, "", [])


def test_a_headline_with_no_lede_is_marked_as_such() -> None:
    assert "x:nosum" in features(TITLE, "", [])
    assert "x:nosum" in features(TITLE, "  ", [])
    assert "x:nosum" not in features(TITLE, LEDE, [])
