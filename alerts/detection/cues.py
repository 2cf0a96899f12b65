"""Per-language cue data, loaded once at import from `cues/*.toml` into compiled regexes.

A language is one data file: its words for each cue kind and negative category, its country
names, missile classes, number words, extraction patterns and confirming authorities. The kinds
and categories themselves are the fixed vocabulary of `classify.py`, so adding a language never
touches code. Patterns are written without nested unbounded quantifiers (see the file headers):
items come from the open internet and must not be able to stall a worker.

Speed: the cue patterns ([positive], [negative.*]) run on every item, so they are matched
case-sensitively against lower-cased text, and in languages with `word_start = true` the "starts
a word" test is done here rather than by a leading `\b` in each alternative. Both keep Python's
regex engine able to skip quickly to the characters an alternative can start with, which is
several times faster than `re.IGNORECASE` with `\b`-led alternations (bench/bench_detection.py).
Alternatives are also grouped by first character when compiled (`factor_alternatives`), and the
cues of a segment are found in one scan of their union (`CueSet`).
Facts patterns and country names follow the same rule (lower-case, on lower-cased text); only
`site`, which needs capitals to find a place name, reads the original text.

Who launched is data too: [markers] say from the words around a country whether it is the
launcher ("from", "Iranian ballistic missile", "イエメンから"), the target ("at", "Israel
intercepts", "이스라엘에") or the speaker ("Japan says", 日 "..."); [launch_areas] name places
missiles come from (Crimea, Belgorod: RU), [systems] the state fielding a named system, and
[target_areas] the usual attacker of a place under attack (a Ukrainian city: RU), [held_areas]
places of that attacker's own its target strikes back at (Sevastopol, Donetsk: RU), [theatres]
the region a place belongs to (a report naming no launcher joins only that region's launches),
[places] `broad` those of them too wide to tie two reports to one strike (a state, a sea, a
capital that speaks: "Seoul", "Red Sea"; `classify._places`) and [place_names] the English name
of the others, so that two spellings or languages name one place ("Kiev", "키이우": "kyiv").
[context] holds the cues of Verdict.corrects/another/retrospective, [landing_names] one
canonical name per sea for every language. A facts pattern may have an `<key>_anchor`: a cheap
pattern whose matches bound a short window for the full one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

POSITIVE_KINDS = (
    "ballistic",
    "hypersonic",
    "projectile",
    "missile",
    "launch_verb",
    "launch_headline",
    "flight",
    "strike",
    "launch_noun",
    "flash",
    "alert",
    "incoming",
    "blast",
)
NEGATIVE_CATEGORIES = (
    "drill",
    "cruise",
    "artillery",
    "space",
    "engine_test",
    "diplomacy",
    "warning",
    "analysis",
    "arms_deal",
    "sports",
    "metaphor",
    "reaction",
    "display",
)
# Context cues ([context] in a cue file): what a launch report says about the launch.
#   corrects: it retracts or revises an earlier report ("was not an ICBM", "정정", "訂正"),
#     read in the title only: a lede's "not two" or "아닌" is mostly background
#   corrects_lede: the words that say so outright ("corrected", "정정", "訂正"), read in the
#     lede too (Japan's ministry titles its revisions "（続報）" and corrects in the text)
#   not_ballistic: the revision says no ballistic missile flew ("cruise missiles, not ballistic")
#   another: a further launch ("fires another", "second launch today", "また発射")
#   retrospective: tells of a launch hours ago ("overnight", "전날", "前日"), anywhere
#   retrospective_title: the same, read in the title only (state-media style headlines,
#     weekdays, claims by the launcher): too common in flash summaries to trust there
#   told: a headline telling a firing in the past tense ("CENTCOM: Houthis fired...")
#   breaking: a first flash's tag in the title ("(속보)", "【速報】", "BREAKING"), not an
#     update's ("(LEAD)", "[종합]", "【続報】"), which the positive "flash" kind also counts
#   upcoming: a headline of a launch still to come ("Tonight's Minuteman III test launch",
#     "발사 임박", "発射準備の兆候"): no launch yet, whatever its other words
#   struck_arsenal: a headline of a strike on missiles where they are kept or fired from
#     ("CENTCOM destroys three Houthi missile launchers", "미사일 기지 공습", "ミサイル工場を
#     破壊"): war news about missiles, seldom of their launch; a feature for the model only
#   celebrates: a headline celebrating a launch: a rally, honours, a banquet or a stamp for it
#     ("Provincial rallies hail Hwasong-15 test-fire", "공로자에 표창", "試射成功祝う軍民交歓大会")
#   unfired: missiles struck or readied before they flew ("destroyed ... before it could be
#     fired", "sitting on launch rails", "발사 대기 중이던", "発射準備中だった"), a threat of
#     readiness ("ready to fire"), or a launch denied ("JCS denies reports of North Korean
#     launch", "발사 보도 사실무근", "発射報道を否定")
#   called_off: a headline of a launch called off or only simulated ("Minuteman III test
#     launch scrubbed", "electronic launches", "시험발사 돌연 취소", "模擬発射"): `unfired` too,
#     unless the headline tells it flew after all ("...scrubbed, then launched hours later")
#   unveils: a missile shown ("Iran presents...", "신형 탄도미사일 공개", "ミサイルを公開"), not
#     a launch's pictures or data made public ("발사 사진 공개", "映像を公開")
#   tested: a test named in the headline ("test", "시험", "試験"): a missile shown in a test
#     is a launch's news
#   The five above, celebrates to tested, are the event stage's (`classify._no_launch_of_now`),
#   read in the title.
#   cruise_named: a cruise missile named in the headline ("Russia fires cruise missiles at
#     Kyiv", "순항미사일", "巡航ミサイル"), for the event stage (`classify._event_cues`)
#   strikes_with: a headline striking with missiles ("Russia strikes Ukraine with
#     intercontinental ballistic missile"), for the event stage: it fires
#   space_announced: the launch is the satellite launch its launcher announced ("弾道ミサイル
#     技術を使用した発射", "had notified Japan of a satellite launch window", "위성 발사 예고
#     기간"): Tokyo's first words for it are a ballistic missile's, its news is no launch's
CONTEXT_KINDS = (
    "corrects", "corrects_lede", "not_ballistic", "another", "another_today", "another_day",
    "retrospective", "retrospective_title", "told", "breaking", "upcoming", "struck_arsenal",
    "celebrates", "unfired", "called_off", "unveils", "tested", "cruise_named", "strikes_with",
    "space_announced",
)  # fmt: skip
# Cue kinds telling of a firing, not only of a missile: a launch verb or noun, a strike, an
# alert or an incoming missile, blasts beside a ballistic alert, a flash's tag.
FIRING_KINDS = ("launch_verb", "launch_noun", "launch_headline", "strike", "alert", "incoming",
                "blast", "flash")  # fmt: skip
_NEVER = re.compile(r"(?!)")
_NOT_LITERAL = frozenset("\\([.^$|?*+{)")
_QUANTIFIERS = frozenset("?*+{")


def _top_alternatives(source: str) -> list[str]:
    """The top-level alternatives of a pattern (not split inside groups or classes)."""
    alternatives, start, depth, in_class, i = [], 0, 0, False, 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i += 1 if source[i + 1 : i + 2] != "]" else 2  # "[]...]" keeps its "]"
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            alternatives.append(source[start:i])
            start = i + 1
        i += 1
    alternatives.append(source[start:])
    return alternatives


def factor_alternatives(source: str, depth: int = 2) -> str:
    """The same pattern with alternatives grouped by their first literal character:
    "strikers?|stadium|goals?" becomes "s(?:trikers?|tadium)|goals?".

    Python's engine tries every alternative at every position; grouped, it tries one per first
    character. Where a match starts, and whether there is one, does not change (alternatives
    with different first characters cannot match at the same place), which is all cue matching
    uses; the alternative chosen within a group keeps its order.
    """
    alternatives = _top_alternatives(source)
    if depth == 0 or len(alternatives) < 3:
        return source
    groups: dict[str, list[str]] = {}
    others: list[str] = []
    for alt in alternatives:
        if alt and alt[0] not in _NOT_LITERAL and alt[1:2] not in _QUANTIFIERS:
            groups.setdefault(alt[0], []).append(alt[1:])
        else:
            others.append(alt)
    parts = []
    for first, rests in groups.items():
        if len(rests) == 1:
            parts.append(re.escape(first) + rests[0])
        else:
            inner = factor_alternatives("|".join(rests), depth - 1)
            parts.append(f"{re.escape(first)}(?:{inner})")
    return "|".join(parts + others)


@dataclass(frozen=True, slots=True)
class NamedPatterns:
    """Named patterns searched as one alternation, so a text is scanned once, then told apart
    by which pattern matches where the alternation did (the first in order, as in the scan)."""

    names: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    combined: re.Pattern[str]

    def finditer(self, folded: str, word_start: bool) -> Iterator[tuple[str, int, int]]:
        """(name, start, end) of each non-overlapping match, left to right."""
        pos = 0
        while m := self.combined.search(folded, pos):
            if word_start and m.start() and folded[m.start() - 1].isalnum():
                pos = m.start() + 1
                continue
            pos = max(m.end(), m.start() + 1)
            yield self._name_at(folded, m.start()), m.start(), m.end()

    def first(self, folded: str, word_start: bool) -> str | None:
        """Name of the leftmost match, or None."""
        for name, _, _ in self.finditer(folded, word_start):
            return name
        return None

    def _name_at(self, folded: str, start: int) -> str:
        for name, pattern in zip(self.names, self.patterns, strict=True):
            if pattern.match(folded, start):
                return name
        return self.names[0]


@dataclass(frozen=True, slots=True)
class CueSet:
    """Named cue patterns checked together: one scan of their union finds every place where
    any of them matches, and only there is each tried. Same answers as searching each pattern
    on its own (overlapping matches included), several times faster."""

    names: tuple[str, ...]
    union: re.Pattern[str]
    # The cues worth trying where a match starts with a given character, and those whose first
    # character is not a plain literal (tried everywhere).
    by_first: dict[str, tuple[tuple[str, re.Pattern[str]], ...]]
    anywhere: tuple[tuple[str, re.Pattern[str]], ...]

    def present(self, folded: str, word_start: bool) -> frozenset[str]:
        """Names of the cues that match somewhere in lower-cased `folded`."""
        found: set[str] = set()
        pos = 0
        while len(found) < len(self.names) and (m := self.union.search(folded, pos)):
            start = pos = m.start()
            pos += 1
            if word_start and start and folded[start - 1].isalnum():
                continue
            for name, pattern in self.by_first.get(folded[start], self.anywhere):
                if name not in found and pattern.match(folded, start):
                    found.add(name)
        return frozenset(found)


def _first_characters(source: str) -> frozenset[str] | None:
    """The characters every match of `source` may start with, or None if not plain literals."""
    firsts = set()
    for alt in _top_alternatives(source):
        if not alt or alt[0] in _NOT_LITERAL or alt[1:2] in _QUANTIFIERS:
            return None
        firsts.add(alt[0])
    return frozenset(firsts)


def _cue_set(sources: dict[str, str | None]) -> CueSet:
    items = [(name, src, _compile(src, 0)) for name, src in sources.items() if src]
    firsts = {name: _first_characters(src) for name, src, _ in items}
    anywhere = tuple((name, p) for name, _, p in items if firsts[name] is None)
    chars = set().union(*(f for f in firsts.values() if f))
    by_first = {
        ch: tuple((n, p) for n, _, p in items if firsts[n] is None or ch in (firsts[n] or ()))
        for ch in chars
    }
    return CueSet(
        names=tuple(name for name, _, _ in items),
        union=_compile("|".join(src for _, src, _ in items), 0),
        by_first=by_first,
        anywhere=anywhere,
    )


def _named(sources: dict[str, Any]) -> NamedPatterns:
    items = [(n, "|".join(s) if isinstance(s, list) else s) for n, s in sources.items() if s]
    return NamedPatterns(
        names=tuple(n for n, _ in items),
        patterns=tuple(re.compile(src) for _, src in items),
        combined=_compile("|".join(src for _, src in items), 0),
    )


def _named_union(*tables: dict[str, Any]) -> NamedPatterns:
    """Several name -> patterns tables as one (a name may repeat: each pattern keeps its own)."""
    items = [
        (n, "|".join(s) if isinstance(s, list) else s)
        for table in tables
        for n, s in table.items()
        if s
    ]
    return NamedPatterns(
        names=tuple(n for n, _ in items),
        patterns=tuple(re.compile(src) for _, src in items),
        combined=_compile("|".join(src for _, src in items), 0),
    )


@dataclass(frozen=True, slots=True)
class LangCues:
    """Compiled cues of one language. Missing kinds compile to a pattern that never matches."""

    lang: str
    word_start: bool  # cue matches must start a word (not for Korean/Japanese compounds)
    positive: dict[str, re.Pattern[str]]
    positive_set: CueSet  # the same, checked in one scan
    negative: dict[str, tuple[re.Pattern[str], re.Pattern[str]]]  # category -> (strong, weak)
    negative_set: CueSet  # each category's strong-or-weak pattern, checked in one scan
    countries: NamedPatterns  # named by ISO 3166-1 alpha-2 code
    target_before: re.Pattern[str]
    source_before: re.Pattern[str]
    target_after: re.Pattern[str]
    speaker_after: re.Pattern[str]  # the country speaks ("Japan says", "日 \"...\"")
    weapon_after: re.Pattern[str]  # the country's weapon ("Iranian ballistic missile")
    cause_before: re.Pattern[str]  # ...but an earlier cause ("fires missiles after US strikes")
    struck_name: re.Pattern[str]  # ...nor a bare name of a state often struck ("Ukraine missile")
    source_after: re.Pattern[str]  # the country is where it came from ("イエメンから")
    response: re.Pattern[str]  # a launch in answer to another's ("in response to", "대응")
    launch_areas: NamedPatterns  # places missiles come from, named by the launcher's code
    launchers: NamedPatterns  # countries and launch areas together, found in one scan
    target_areas: NamedPatterns  # places attacked, named by their usual attacker's code
    held_areas: NamedPatterns  # the attacker's own places its target strikes back at
    systems: NamedPatterns  # named missile systems, by the code of the state that fields them
    compared_before: re.Pattern[str]  # ...not one named for comparison ("similar to the ATACMS")
    compared_after: re.Pattern[str]  # ...("ATACMSに類似", "이스칸데르와 유사")
    yesterday: re.Pattern[str]  # a word for the day before ("yesterday", "전날", "前日")
    overnight: re.Pattern[str]  # a word for the night just past ("overnight", "밤사이", "未明")
    live_alert: re.Pattern[str]  # a headline's alert where it sounds ("중부 경보", "中部で警報")
    theatres: NamedPatterns  # places of a region of launches, by region (THEATRE_LAUNCHERS)
    broad_places: re.Pattern[str]  # ...those too wide to tie two reports to one strike
    place_names: dict[str, str]  # ...and each one's English name, as written: "키이우" -> "kyiv"
    context: dict[str, re.Pattern[str]]  # CONTEXT_KINDS
    context_set: CueSet  # the same, checked in one scan
    landing_names: NamedPatterns  # canonical landing-area names and their local aliases
    classes: NamedPatterns  # range and type words by class ("IRBM", "중거리", "短距離")
    system_classes: NamedPatterns  # named systems by class (extract._find_class reads both)
    numbers: dict[str, int]
    extract: dict[str, re.Pattern[str]]  # only the keys the file defines
    authorities: NamedPatterns


def _compile(pattern: str | None, flags: int) -> re.Pattern[str]:
    return re.compile(factor_alternatives(pattern), flags) if pattern else _NEVER


def _either(sources: dict[str, str]) -> str:
    return "|".join(p for p in (sources.get("strong"), sources.get("weak")) if p)


def _build(data: dict[str, Any]) -> LangCues:
    """Compile one parsed cue file."""
    flags = re.IGNORECASE if data.get("ignore_case", True) else 0
    pos = data.get("positive", {})
    neg = data.get("negative", {})
    markers = data.get("markers", {})
    return LangCues(
        lang=data["lang"],
        word_start=bool(data.get("word_start", False)),
        positive={kind: _compile(pos.get(kind), 0) for kind in POSITIVE_KINDS},
        positive_set=_cue_set({kind: pos.get(kind) for kind in POSITIVE_KINDS}),
        negative={
            cat: (
                _compile(neg.get(cat, {}).get("strong"), 0),
                _compile(neg.get(cat, {}).get("weak"), 0),
            )
            for cat in NEGATIVE_CATEGORIES
        },
        negative_set=_cue_set({cat: _either(neg.get(cat, {})) for cat in NEGATIVE_CATEGORIES}),
        countries=_named(data.get("countries", {})),
        target_before=_compile(markers.get("target_before"), flags),
        source_before=_compile(markers.get("source_before"), flags),
        target_after=_compile(markers.get("target_after"), flags),
        speaker_after=_compile(markers.get("speaker_after"), flags),
        weapon_after=_compile(markers.get("weapon_after"), flags),
        cause_before=_compile(markers.get("cause_before"), flags),
        struck_name=_compile(markers.get("struck_name"), flags),
        source_after=_compile(markers.get("source_after"), flags),
        response=_compile(markers.get("response"), flags),
        launch_areas=_named(data.get("launch_areas", {})),
        launchers=_named_union(data.get("countries", {}), data.get("launch_areas", {})),
        target_areas=_named(data.get("target_areas", {})),
        held_areas=_named(data.get("held_areas", {})),
        systems=_named(data.get("systems", {})),
        compared_before=_compile(markers.get("compared_before"), flags),
        compared_after=_compile(markers.get("compared_after"), flags),
        yesterday=_compile(markers.get("yesterday"), flags),
        overnight=_compile(markers.get("overnight"), flags),
        live_alert=_compile(markers.get("live_alert"), flags),
        theatres=_named(data.get("theatres", {})),
        broad_places=_compile(data.get("places", {}).get("broad"), 0),
        place_names={k.lower(): v for k, v in data.get("place_names", {}).items()},
        context={kind: _compile(data.get("context", {}).get(kind), 0) for kind in CONTEXT_KINDS},
        context_set=_cue_set({kind: data.get("context", {}).get(kind) for kind in CONTEXT_KINDS}),
        landing_names=_named(data.get("landing_names", {})),
        classes=_named(data.get("classes", {})),
        system_classes=_named(data.get("system_classes", {})),
        numbers={k.lower(): int(v) for k, v in data.get("numbers", {}).items()},
        extract=_extract_patterns(data.get("extract", {})),
        authorities=_named(data.get("authorities", {})),
    )


def _extract_patterns(sources: dict[str, str]) -> dict[str, re.Pattern[str]]:
    """The [extract] patterns, `{key}` in one standing for the pattern of that key (a list of
    named systems used three times in a count is written once)."""

    def expand(source: str) -> str:
        return re.sub(r"\{([a-z_]+)\}", lambda m: f"(?:{referenced(m[1])})", source)

    def referenced(key: str) -> str:
        if key not in sources:
            raise ValueError(f"[extract] refers to {{{key}}}, which it does not define")
        return sources[key]

    return {key: re.compile(expand(p)) for key, p in sources.items() if p}


def search_cue(pattern: re.Pattern[str], folded: str, word_start: bool) -> re.Match[str] | None:
    """First match of a cue pattern in lower-cased text, starting a word when asked."""
    m = pattern.search(folded)
    if not word_start:
        return m
    while m and m.start() and folded[m.start() - 1].isalnum():
        m = pattern.search(folded, m.start() + 1)
    return m


def _load_all() -> dict[str, LangCues]:
    """Read every `cues/*.toml` shipped with the package."""
    loaded: dict[str, LangCues] = {}
    for entry in resources.files("alerts.detection").joinpath("cues").iterdir():
        if entry.name.endswith(".toml"):
            cues = _build(tomllib.loads(entry.read_text(encoding="utf-8")))
            loaded[cues.lang] = cues
    return loaded


CUES: dict[str, LangCues] = _load_all()
FALLBACK_LANG = "en"


def cues_for(lang: str | None) -> LangCues:
    """Cues of `lang`, or English ones for a language without a data file (Latin-script news
    often quotes English wire copy; a script we cannot read simply matches nothing)."""
    if lang and lang in CUES:
        return CUES[lang]
    base = (lang or "").split("-")[0].lower()
    return CUES.get(base, CUES[FALLBACK_LANG])
