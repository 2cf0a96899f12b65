"""Hostile text, URLs and times for the fuzz properties, and the `Property` record they share.

Feed text is attacker-controlled: it mixes scripts (Hangul, kana, Arabic, Hebrew, emoji),
control characters, every chat platform's mention and link syntax, HTML and markdown, CR/LF
header breaks, and can be enormous. Hypothesis cannot draw 100 KB directly (its buffer is a
few KB), so enormous strings are short hostile units repeated up to `HUGE_CHARS`.

Lone surrogates (`\\ud800`) are left out of these strategies on purpose: a JSON document can
carry one, which is a known bug kept in its own xfail tests (see test_fuzz_parse.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HUGE_CHARS = 100_000

Check = Callable[[Any], None]


@dataclass(frozen=True)
class Property:
    """One fuzz property: values drawn from `strategy` must all pass `check`.

    `context`, when set, is a context manager factory yielding the check (for properties that
    need a live server); `known_bug` is the xfail reason of a property that fails today.
    """

    strategy: st.SearchStrategy[Any]
    check: Check | None = None
    context: Callable[[], contextlib.AbstractContextManager[Check]] | None = None
    known_bug: str | None = None

    @contextlib.contextmanager
    def checker(self) -> Iterator[Check]:
        if self.context is not None:
            with self.context() as check:
                yield check
        else:
            assert self.check is not None
            yield self.check


SUPPRESSED = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.filter_too_much,
]


def fuzz_settings(max_examples: int) -> settings:
    """Deterministic, bounded settings for CI: the same inputs on every run, no example DB."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=SUPPRESSED,
    )


# Each platform's active syntax, markup, header breaks and cue words a detector reacts to.
INJECTIONS = (
    "<!channel>", "<!here>", "<!everyone>", "<@U012AB3CD>", "<@W1>", "<#C024BE7LR>",
    "<!subteam^S123|@team>", "<http://evil.example|click here>", "<https://a.example/?a=1&b=2|x>",
    "<mailto:a@b.example|mail>", "@everyone", "@here", "<@&123>", "<@!123>", "<#123>", "<t:1:R>",
    "[x](http://evil)", "[click](javascript:alert(1))", "![i](http://evil/i.png)", "**b**",
    "__u__", "~~s~~", "`c`", "```\nblock\n```", "||spoiler||", "> quote", "# h", "- li", "1. one",
    "\\", "\\\\*", "\\[", "<script>alert(1)</script>", "<SCRIPT SRC=//evil/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "' onmouseover='alert(1)",
    "javascript:alert(1)", "&lt;script&gt;", "&amp;", "&#60;", "&", "<", ">", "|",
    "&lt;!channel&gt;", "\r\n", "\r\nBcc: victim@example.com", "\nSubject: spoof",
    "\r\n\r\n<html>", "\x00", "\x0b", "\x1b[31m", "\u2028", "\u2029", "\x85", "\u200b",
    "\u202e", "\ufeff", "\U0001f680", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "=?utf-8?q?x?=", "%0d%0a", "북한, 동해상으로 탄도미사일 발사",
    "北朝鮮が弾道ミサイル発射 EEZ外に落下", "ミサイル", "إيران تطلق صاروخا باليستيا",
    "ירי טילים מאיראן", "North Korea fires ballistic missile", "Iran launches ICBM",
    "Houthis fire hypersonic missile at Israel", "apogee 6,000 km", "flew 1,000 km", "Mach 10",
    "at 07:12 KST", "two ballistic missiles", "drill", "cruise", " ", "\t", "\n", ",", ".", "0",
    "1,1,1,1,1", "99999999999999999999",
)  # fmt: skip

_SCRIPT_RANGES = (
    (0x20, 0x7E),  # ASCII
    (0x00, 0x1F),  # C0 controls
    (0x7F, 0x9F),  # DEL and C1 controls
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0x3040, 0x30FF),  # hiragana and katakana
    (0x4E00, 0x4FFF),  # CJK ideographs
    (0x0590, 0x05FF),  # Hebrew
    (0x0600, 0x06FF),  # Arabic
    (0x200B, 0x206F),  # zero-width, bidi controls, line/paragraph separators
    (0x1F300, 0x1FAFF),  # emoji
    (0xFFF0, 0xFFFF),  # specials
)
script_chars = st.one_of(
    [st.characters(min_codepoint=lo, max_codepoint=hi, exclude_categories=["Cs"])
     for lo, hi in _SCRIPT_RANGES]
)  # fmt: skip

_piece = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(script_chars, max_size=12),
    st.text(max_size=8),  # any code point but a surrogate
)

# Up to a few hundred characters of mixed hostile text.
small_text = st.lists(_piece, max_size=25).map("".join)


def _repeat(unit: str, times: int) -> str:
    return (unit * times)[:HUGE_CHARS]


# Short hostile units repeated up to 100 KB: long runs are what catastrophic backtracking and
# missing truncation need.
huge_text = st.builds(
    _repeat,
    st.lists(_piece, min_size=1, max_size=4).map("".join).filter(bool),
    st.integers(min_value=1, max_value=HUGE_CHARS),
)

hostile_text = st.one_of(small_text, small_text, huge_text)

URL_SAMPLES = (
    "https://en.yna.co.kr/view/AEN20261125000100315",
    "http://ok.example/a?b=1&c=2",
    "HTTPS://OK.EXAMPLE/UPPER",
    " https://ok.example/padded ",
    "https://ok.example/<!channel>|x>",
    'https://ok.example/a b)c(d]e[f"g`h\\i',
    "https://ok.example/\r\nBcc: x@example.com",
    "https://ok.example/" + "a" * 3000,
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "//evil.example/x",
    "http://",
    "https://[::1",
    "ftp://files.example/x",
    "mailto:a@b.example",
    "",
)
hostile_url = st.one_of(
    st.sampled_from(URL_SAMPLES),
    st.builds(lambda s, t: s + t, st.sampled_from(["https://ok.example/", "http://"]), small_text),
    small_text,
)

aware_times = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
recent_times = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
