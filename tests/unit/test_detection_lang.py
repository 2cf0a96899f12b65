"""Language detection by script, used when a feed does not state an item's language."""

from __future__ import annotations

import pytest

from alerts.detection.lang import detect_lang


class TestDetectLang:
    @pytest.mark.parametrize(
        ("text", "lang"),
        [
            ("North Korea fires ballistic missile into East Sea: JCS", "en"),
            ("북한, 동해상으로 미상 탄도미사일 발사", "ko"),
            ("北, 동해상으로 ICBM 발사", "ko"),
            ("北朝鮮が弾道ミサイルの可能性があるものを発射", "ja"),
            ("北朝鮮弾道弾発射", "ja"),
            ("朝鲜发射弹道导弹", "zh"),
            ("Россия нанесла удар баллистическими ракетами", "ru"),
            ("", "en"),
        ],
    )
    def test_script_decides_language(self, text: str, lang: str) -> None:
        """Hangul is Korean, kana or kana-less kanji Japanese, simplified Han Chinese."""
        assert detect_lang(text) == lang

    def test_english_quote_in_korean_copy_stays_korean(self) -> None:
        """A Korean item quoting English acronyms is still Korean."""
        assert detect_lang('합참 "北, ICBM 1발 발사…JCS·USFK 공동 평가"') == "ko"

    def test_japanese_with_some_hangul_names_stays_japanese(self) -> None:
        """Japanese copy that quotes a Hangul word is still Japanese when kana dominate."""
        text = "韓国軍は「합참」の発表として、北朝鮮がミサイルを発射したと伝えました"
        assert detect_lang(text) == "ja"
