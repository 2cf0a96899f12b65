"""Cue data files: every language fills the whole vocabulary, and the speed-ups applied when
they are compiled never change where a cue matches."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from alerts.detection.classify import classify_item
from alerts.detection.cues import (
    _NOT_LITERAL,
    _QUANTIFIERS,
    CONTEXT_KINDS,
    CUES,
    NEGATIVE_CATEGORIES,
    POSITIVE_KINDS,
    _extract_patterns,
    _top_alternatives,
    cues_for,
    factor_alternatives,
    search_cue,
)
from alerts.models import THEATRE_LAUNCHERS, Item

CUE_DIR = Path(__file__).resolve().parents[2] / "alerts" / "detection" / "cues"
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "detection.jsonl"
OPTIONAL_KINDS = {"hypersonic", "flight", "launch_headline"}  # not every language has them


def cue_sources() -> list[tuple[str, str, str]]:
    """(language, cue name, pattern source) of every positive and negative cue."""
    out = []
    for path in sorted(CUE_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        out += [(data["lang"], kind, src) for kind, src in data["positive"].items()]
        for category, levels in data["negative"].items():
            out += [(data["lang"], f"{category}.{lvl}", src) for lvl, src in levels.items()]
        out += [(data["lang"], f"context.{k}", src) for k, src in data["context"].items()]
    return out


def context_sources() -> list[tuple[str, str, str]]:
    return [s for s in cue_sources() if s[1].startswith("context.")]


class TestCueFiles:
    @pytest.mark.parametrize("lang", ["en", "ko", "ja"])
    def test_each_language_fills_every_kind_and_category(self, lang: str) -> None:
        """A language file names every positive kind and a strong cue for every category."""
        data = tomllib.loads((CUE_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
        assert set(POSITIVE_KINDS) - OPTIONAL_KINDS <= set(data["positive"])
        assert all(data["negative"][c]["strong"] for c in NEGATIVE_CATEGORIES)
        assert lang in CUES

    @pytest.mark.parametrize("lang", ["en", "ko", "ja"])
    def test_each_language_fills_every_context_kind(self, lang: str) -> None:
        """Corrections, further launches and past references are cued in every language."""
        data = tomllib.loads((CUE_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
        assert set(CONTEXT_KINDS) <= set(data["context"])
        assert {"Sea of Japan (East Sea)", "Yellow Sea (West Sea)"} <= set(data["landing_names"])

    @pytest.mark.parametrize(("lang", "name", "source"), context_sources())
    def test_context_alternatives_start_with_a_literal(
        self, lang: str, name: str, source: str
    ) -> None:
        """Context cues are scanned as one union: a group- or class-led alternative would make
        the scan stop everywhere (see factor_alternatives)."""
        for alt in _top_alternatives(source):
            assert alt, (lang, name)
            assert alt[0] not in _NOT_LITERAL, (lang, name, alt)
            assert alt[1:2] not in _QUANTIFIERS, (lang, name, alt)

    def test_cue_alternatives_start_with_a_literal_but_a_known_few(self) -> None:
        """Positive and negative cues run on every item, as one union per segment: each
        alternative led by a group, a class or an escape keeps the union from skipping to the
        characters a cue can start with, which cost the common path a fifth of its speed when
        five crept in (bench/bench_detection.py). These few are measured and kept."""
        known = {
            ("en", "flash", "^"), ("en", "display.strong", "(?:submarine"),
            ("en", "display.strong", "(?:at|during)"), ("en", "cruise.strong", "(?:israeli"),
            ("en", "warning.strong", "\\bset for"), ("en", "warning.strong", "(?:test|launch"),
            ("ko", "flash", "\\["), ("ko", "flash", "\\("), ("ko", "analysis.strong", "\\["),
        }  # fmt: skip
        led = {
            (lang, name, alt)
            for lang, name, source in cue_sources()
            if not name.startswith("context.")
            for alt in _top_alternatives(source)
            if not alt or alt[0] in _NOT_LITERAL or alt[1:2] in _QUANTIFIERS
        }
        unknown = {
            entry for entry in led
            if not any(entry[:2] == k[:2] and entry[2].startswith(k[2]) for k in known)
        }  # fmt: skip
        assert unknown == set()

    def test_unknown_language_falls_back_to_english(self) -> None:
        """A language without a data file uses the English cues."""
        assert cues_for("fr").lang == "en"
        assert cues_for("ko-KR").lang == "ko"

    @pytest.mark.parametrize("path", sorted(CUE_DIR.glob("*.toml")), ids=lambda p: p.name)
    def test_no_nested_unbounded_quantifiers(self, path: Path) -> None:
        """No pattern repeats without bound a group that itself repeats without bound."""
        sources = re.findall(r"'''(.*?)'''", path.read_text(encoding="utf-8"))
        assert sources
        assert [g for src in sources for g in nested_unbounded_groups(src)] == []

    @pytest.mark.parametrize("lang", ["en", "ko", "ja"])
    def test_extract_patterns_expand_their_references(self, lang: str) -> None:
        """`{count_system}` in a pattern is the named systems' pattern: left as it is, the
        braces would match nothing and the count would silently ignore every system."""
        patterns = cues_for(lang).extract
        assert [k for k, p in patterns.items() if re.search(r"\{[a-z_]+\}", p.pattern)] == []
        if lang == "en":
            assert "bulava" in patterns["count"].pattern
        expanded = [g for p in patterns.values() for g in nested_unbounded_groups(p.pattern)]
        assert expanded == []  # what a reference brings in is checked too

    def test_an_unknown_reference_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="count_sytem"):
            _extract_patterns({"count": "(?P<n>\\d+) {count_sytem}"})

    @pytest.mark.parametrize("path", sorted(CUE_DIR.glob("*.toml")), ids=lambda p: p.stem)
    def test_every_region_named_has_its_launchers(self, path: Path) -> None:
        """A region name the event stage does not know would silently join nothing to it."""
        regions = tomllib.loads(path.read_text(encoding="utf-8"))["theatres"]
        assert regions
        assert set(regions) <= set(THEATRE_LAUNCHERS)

    @pytest.mark.parametrize("lang", ["ko", "ja"])
    def test_every_theatre_place_is_broad_or_named_in_english(self, lang: str) -> None:
        """A Korean or Japanese place left out of both would tie no report to an English one
        of the same strike, and a wide one left in would tie unrelated news (Akita, 秋田)."""
        cues = CUES[lang]
        data = tomllib.loads((CUE_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
        for patterns in data["theatres"].values():
            for place in theatre_places(patterns[0]):
                named = place in cues.place_names
                assert named or cues.broad_places.fullmatch(place), (lang, place)

    @pytest.mark.parametrize("lang", sorted(CUES))
    def test_place_names_are_theatre_places_named_in_english(self, lang: str) -> None:
        """A name the theatres never match, or an English name no English report gives, would
        tie no two reports of one strike (`stream.py`'s place lift)."""
        cues, en = CUES[lang], CUES["en"]
        for written, name in cues.place_names.items():
            assert cues.theatres.first(written + " ", cues.word_start), (lang, written)
            assert not cues.broad_places.fullmatch(written), (lang, written)
            assert en.theatres.first(name, True), (lang, name)
            assert name not in en.place_names, (lang, name)

    @pytest.mark.parametrize(("lang", "name", "source"), cue_sources())
    def test_cues_are_written_in_lower_case(self, lang: str, name: str, source: str) -> None:
        """Cues run on lower-cased text, so an upper-case letter in one could never match."""
        unescaped = re.sub(r"\\.", "", source)
        assert unescaped == unescaped.lower(), (lang, name)


def theatre_places(source: str) -> list[str]:
    """The places a theatre pattern lists: its top-level alternatives, lookarounds left out."""
    places, depth, text = [], 0, ""
    for char in source + "|":
        depth += char == "("
        if depth == 0 and char == "|":
            places.append(text)
            text = ""
        elif depth == 0:
            text += char
        depth -= char == ")"
    return places


def corpus_texts() -> list[tuple[str, str]]:
    """(language, lower-cased title) and (language, lower-cased summary) of every corpus item."""
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [(r["lang"], r[field].lower()) for r in rows for field in ("title", "summary")]


def nested_unbounded_groups(source: str) -> list[str]:
    """Groups repeated without bound (`)*`, `)+`, `){n,}`) that themselves contain an unbounded
    quantifier: the shape behind catastrophic backtracking."""
    unescaped = re.sub(r"\\.", "_", source)
    unescaped = re.sub(r"\[[^\]]*\]", "_", unescaped)
    found, stack = [], []
    for i, ch in enumerate(unescaped):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            start = stack.pop()
            after = unescaped[i + 1 : i + 8]
            inner = unescaped[start + 1 : i]
            if re.match(r"[*+]|\{\d+,\}", after) and re.search(r"[*+]|\{\d+,\}", inner):
                found.append(unescaped[start : i + 2])
    return found


class TestCueSet:
    def test_one_scan_finds_the_same_cues_as_one_search_each(self) -> None:
        """The union scan reports exactly the kinds and categories separate searches find."""
        for lang, text in corpus_texts():
            cues = CUES[lang]
            positive = {
                kind
                for kind, pattern in cues.positive.items()
                if search_cue(pattern, text, cues.word_start)
            }
            negative = {
                category
                for category, (strong, weak) in cues.negative.items()
                if search_cue(strong, text, cues.word_start)
                or search_cue(weak, text, cues.word_start)
            }
            assert cues.positive_set.present(text, cues.word_start) == positive, text
            assert cues.negative_set.present(text, cues.word_start) == negative, text


class TestFactorAlternatives:
    def test_groups_alternatives_by_first_character(self) -> None:
        """Alternatives sharing a first character are tried as one branch."""
        assert factor_alternatives("strikers?|stadium|goals?|golf|[ab]x") == (
            "s(?:trikers?|tadium)|g(?:oals?|olf)|[ab]x"
        )

    def test_leaves_groups_and_classes_whole(self) -> None:
        """A "|" inside a group or class is not a top-level alternative."""
        source = "a(?:b|c)|a[|]d|e"
        assert re.fullmatch(factor_alternatives(source), "a|d")
        assert re.fullmatch(factor_alternatives(source), "ac")

    def test_match_starts_are_unchanged_on_the_corpus(self) -> None:
        """On every corpus text, each cue matches first at the same place factored or not."""
        texts = [text for _, text in corpus_texts()]
        for lang, name, source in cue_sources():
            plain, factored = re.compile(source), re.compile(factor_alternatives(source))
            for text in texts:
                a, b = plain.search(text), factored.search(text)
                assert (a and a.start()) == (b and b.start()), (lang, name, text)


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        ("North Korea fires two surface-to-air missiles in drill", "en"),
        ("韓国軍、空対地ミサイル3発をNLL北側へ 北朝鮮の越境弾に対抗", "ja"),
        ('미사일총국 "고공 장거리 반항공미사일 200㎞ 가상목표 명중"', "ko"),
        # North Korea's Pulhwasal ("fire arrow") strategic cruise missiles, in Japanese copy
        ("北朝鮮、「新型戦略巡航ミサイル」プルファサル3-31を初試射と発表", "ja"),
        ("「プルファサル3-31」飛行2時間余り、潜水艦から2発", "ja"),
        # a "winged missile", Japanese copy's word for a cruise missile
        ("フーシ派報道官「夜明けに有翼ミサイルで命中」 サウジ側は確認取れず", "ja"),
    ],
)
def test_air_defence_and_air_launched_missiles_are_not_ballistic(title: str, lang: str) -> None:
    """Surface-to-air, anti-air and air-to-ground missiles (real negatives of tests/corpus/real)
    carry the non-ballistic cue, so the rules never call them launch reports."""
    verdict = classify_item(Item(id="x", source="s", title=title, lang=lang))
    assert "neg:cruise" in verdict.reasons
    assert "ctx:rules_launch" not in verdict.reasons


@pytest.mark.parametrize(
    ("text", "lang", "ballistic"),
    [
        ("IDF: surface-to-surface missile from Lebanon intercepted over Tel Aviv", "en", True),
        ("Xinhua: China test-fires new long-range ground-to-ground missile", "en", True),
        ("Hezbollah video says new 'Fateh 1' missile used against Tzrifin base", "en", True),
        ("Iran fires surface-to-surface cruise missile in Gulf drill", "en", False),
        ("Al Fateh 1 Al Nassr 3 as Ronaldo fires hat-trick", "en", False),
        ("Fateh 8th conference opens in Ramallah", "en", False),
        ("中国、新型の長距離地対地ミサイルを発射実験", "ja", True),
        ('중국 "새 장거리 지대지 미사일 쏴 성공"', "ko", True),
        ("북한, 지대지 순항미사일 2발 발사", "ko", False),
    ],
)
def test_surface_to_surface_missiles_are_ballistic(text: str, lang: str, ballistic: bool) -> None:
    """The IDF's word for Hezbollah's and the Houthis' missiles, and Xinhua's for China's, name
    a ballistic missile; a cruise one, a football club or a party congress does not."""
    found = cues_for(lang).positive["ballistic"].search(text.lower())
    assert bool(found) is ballistic


@pytest.mark.parametrize(
    "title",
    [
        "Iranian general says 2,000-km missile was test-fired; defence minister says no such test",
        "Pentagon says no such missile launch took place",
    ],
)
def test_a_test_denied_in_the_headline_is_no_launch(title: str) -> None:
    """A minister's denial in the headline ("no such test") is a warning cue, as "denies
    reports" was: the rules then call it no launch report."""
    verdict = classify_item(Item(id="x", source="s", title=title, lang="en"))
    assert "neg:warning" in verdict.reasons
    assert "ctx:rules_launch" not in verdict.reasons


@pytest.mark.parametrize(
    ("title", "strike"),
    [
        (
            "Global Strike Command chief orders cancer review after Minuteman III crews report",
            False,
        ),
        ("Air Force Global Strike Command to test-launch Minuteman III", False),
        ("Russian missile strike hits Odesa port", True),
        ("Iran strikes Israel with ballistic missiles", True),
    ],
)
def test_global_strike_command_is_no_strike(title: str, strike: bool) -> None:
    """The US Air Force's Global Strike Command is a command's name, not a strike: its cancer
    review of missile crews had opened a false `new` alert on three development streams."""
    found = cues_for("en").positive["strike"].search(title.lower())
    assert bool(found) is strike


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        ("Putin claims Russian missile output dwarfs NATO's as he weighs Kyiv targets", "en"),
        ("Putin in Astana: Oreshnik now in serial production, targets being picked", "en"),
        ("Putin says General Staff picking targets for further Oreshnik strikes", "en"),
        ("Putin names Kyiv 'decision-making centres' as possible Oreshnik targets", "en"),
        ("ルカシェンコ氏「プーチン氏はゼレンスキー執務室へのオレシュニク攻撃案を拒否」", "ja"),
    ],
)
def test_targets_still_to_be_chosen_are_a_threat(title: str, lang: str) -> None:
    """Targets weighed, picked or possible, or a plan of attack ("攻撃案"), are a strike to
    come: a warning cue, so the rules call it no launch report (such Oreshnik threats opened
    false `new` alerts on the development split)."""
    verdict = classify_item(Item(id="x", source="s", title=title, lang=lang))
    assert "neg:warning" in verdict.reasons
    assert "ctx:rules_launch" not in verdict.reasons


@pytest.mark.parametrize(
    ("title", "warning"),
    [
        ("Houthis say missile fired on May 9 hit Ben Gurion area", False),
        ("Tel Aviv alarms on 9 May end with interception of Yemen missile", False),
        ("US tests Minuteman III in early May, second shot this year", False),
        ("North Korea may fire another missile soon, Seoul says", True),
    ],
)
def test_the_month_of_may_is_no_warning(title: str, warning: bool) -> None:
    """ "May 9", "9 May", "in early May": a month, not the modal verb of a launch still to come
    (90 development items, about half of them launch reports, carried a warning cue for their
    date)."""
    verdict = classify_item(Item(id="x", source="s", title=title, lang="en"))
    assert ("neg:warning" in verdict.reasons) is warning


def test_a_target_chosen_in_the_past_is_no_threat() -> None:
    """ "Kyiv chooses its targets" (a reaction to a strike) stays a launch report's wording."""
    verdict = classify_item(
        Item(id="x", source="s", title="Pentagon says Kyiv chooses its targets", lang="en")
    )
    assert "neg:warning" not in verdict.reasons


@pytest.mark.parametrize(
    "text",
    ["seoul says no such test failure occurred", "the north has made no such launch in a year"],
)
def test_no_such_failure_or_lull_is_no_denial(text: str) -> None:
    """ "No such test" denies a test; "no such test failure" or "no such launch in a year"
    denies no launch."""
    strong, _weak = cues_for("en").negative["warning"]
    assert not re.search(r"no such", "".join(m.group() for m in strong.finditer(text)))
