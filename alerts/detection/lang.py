"""Guess an item's language from its script when the feed does not say.

Pure and cheap: one pass over the first few hundred characters. Script is a strong signal for
the languages that matter first (a Korean or Japanese flash precedes English by minutes), and
needs no dictionary: Hangul means Korean; any kana means Japanese; Han-only text (headlines such
as "北朝鮮弾道弾発射") is Japanese unless it carries simplified-Chinese-only characters.
"""

from __future__ import annotations

_SAMPLE_CHARS = 400

# (first code point, last code point, script) for the scripts told apart here.
_RANGES = (
    (0x1100, 0x11FF, "hangul"),
    (0x3130, 0x318F, "hangul"),
    (0xAC00, 0xD7A3, "hangul"),
    (0x3040, 0x30FF, "kana"),
    (0x31F0, 0x31FF, "kana"),
    (0xFF66, 0xFF9D, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0x0400, 0x04FF, "ru"),
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "ar"),
)
# Characters that occur in simplified Chinese but not in Japanese kanji: enough to tell a
# Chinese headline ("朝鲜发射弹道导弹") from a kana-less Japanese one.
_SIMPLIFIED_ONLY = frozenset("鲜发弹导们这说时国对为从来让实进过还么")


def _script(ch: str) -> str | None:
    code = ord(ch)
    if code < 0x0370:
        return None
    for first, last, script in _RANGES:
        if first <= code <= last:
            return script
    return None


def detect_lang(text: str) -> str:
    """Return "ko", "ja", "zh", "ru", "he" or "ar" by script, else "en".

    Args:
        text: any text; only its first few hundred characters are read.

    Returns:
        A lower-case language code. Latin text is "en": the detector's cue data decides later
        whether anything matches, so a French headline costs nothing but misses cues.
    """
    counts: dict[str, int] = {}
    for ch in text[:_SAMPLE_CHARS]:
        script = _script(ch)
        if script:
            counts[script] = counts.get(script, 0) + 1
    if counts.get("hangul", 0) and counts["hangul"] >= counts.get("kana", 0):
        return "ko"
    if counts.get("kana"):
        return "ja"
    if counts.get("han"):
        return "zh" if _SIMPLIFIED_ONLY.intersection(text[:_SAMPLE_CHARS]) else "ja"
    for script in ("ru", "ar", "he"):
        if counts.get(script):
            return script
    return "en"
