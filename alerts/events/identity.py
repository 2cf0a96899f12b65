"""Text identity of reports: an exact text hash (edits) and a SimHash (syndicated copies).

Pure. Wire copy republished by many outlets differs by a dateline, a byline or punctuation;
SimHash puts such near-copies a few bits apart while different reports land far apart.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata

FINGERPRINT_BITS = 64
NEAR_DUPLICATE_BITS = 6

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# "SEOUL, Nov. 25 (Yonhap) -- ", "TOKYO (AP) — ", "(서울=연합뉴스) 홍길동 기자 = "
_DATELINE_RE = re.compile(
    r"^\s*(?:[A-Z][A-Za-z .'-]{1,40}(?:, [A-Z][a-z]{2,8}\.? \d{1,2})?\s*)?"
    r"\([^()]{1,40}\)\s*[-—–=]+\s*"
    r"|^\s*\([^()]{1,20}=[^()]{1,20}\)\s*(?:\S{1,10}\s+기자\s*=\s*)?"
)
_BOILERPLATE_RE = re.compile(
    r"^\W*(?:\(|\[|【|〈)?(?:urgent|lead|update|속보|2보|1보|速報)\W*", re.I
)


def normalise_text(text: str) -> str:
    """Case-, width- and punctuation-insensitive text, flash tags such as (LEAD) removed."""
    text = _DATELINE_RE.sub("", unicodedata.normalize("NFKC", text))
    return _BOILERPLATE_RE.sub("", text.lower()).strip()


def text_hash(title: str, summary: str) -> str:
    """Exact identity of what an item says: changes when its title or summary is edited."""
    text = f"{normalise_text(title)}\n{normalise_text(summary)}"
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def fingerprint(title: str, summary: str = "") -> int:
    """64-bit SimHash over word bigrams (character bigrams for CJK text)."""
    weights = [0] * FINGERPRINT_BITS
    for token in _shingles(f"{normalise_text(title)} {normalise_text(summary)}"):
        h = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(FINGERPRINT_BITS):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit, w in enumerate(weights) if w > 0)


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def is_near_duplicate(a: int, others: tuple[int, ...], *, bits: int = NEAR_DUPLICATE_BITS) -> bool:
    return any(hamming(a, b) <= bits for b in others)


def _shingles(text: str) -> list[str]:
    words = _WORD_RE.findall(text)
    tokens: list[str] = []
    for word in words:
        if _CJK_RE.search(word) and len(word) > 1:
            tokens.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            tokens.append(word)
    if len(tokens) < 2:
        return tokens
    return [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
