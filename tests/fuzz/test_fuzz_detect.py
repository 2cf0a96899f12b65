"""Fuzz the detector: `classify_item` on arbitrary, mixed-script, control-laden, huge text.

Property: it never raises; the verdict is well formed (confidence in [0, 1], a launch verdict
above the threshold, reasons as strings); facts.country is None or two uppercase letters and
numeric facts are finite; and each call takes under `MAX_CPU_S` of CPU time, which catches
catastrophic regex backtracking (CPU time, not wall time, so a busy CI machine does not flake).
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
from datetime import datetime

from hypothesis import example, given
from hypothesis import strategies as st

from alerts.detection.classify import classify_item
from alerts.models import Facts, Item, Verdict
from tests.fuzz.strategies import INJECTIONS, Property, fuzz_settings, hostile_text, small_text

MAX_CPU_S = 0.5
LANGS = (None, None, "en", "ko", "ja", "zh", "ru", "ar", "he", "fa", "uk", "xx", "EN", "")

# Cue-shaped runs: what a backtracking regex over numbers, lists or spaces chokes on.
_RUN_UNITS = (
    "1", "1,", "1, ", "12.", " ", "\t", "-", "km ", "Mach ", "missile ", "발사 ", "ミサイル",
    "two and ", "at least ", "00:", "+09", "ballistic, ", "a", ".", "(", "'", "\u3000",
)  # fmt: skip
backtracking_runs = st.builds(
    lambda head, unit, times, tail: head + unit * times + tail,
    st.sampled_from(INJECTIONS),
    st.sampled_from(_RUN_UNITS),
    st.integers(min_value=1, max_value=5_000),
    st.sampled_from(["", "!", "x", " km", " missiles", "발사", "発射"]),
)
# Launch-report-shaped text with hostile bits between the cues, so facts extraction (the
# regex-heaviest path, reached only for launch candidates) runs on a good share of inputs.
CUES = (
    "North Korea fires", "N. Korea launches", "Iran fires", "Houthis launch", "Russia fires",
    "북한,", "동해상으로", "탄도미사일", "발사", "北朝鮮が", "弾道ミサイル", "発射", "EEZ外に落下",
    "ballistic missile", "ICBM", "SRBM", "IRBM", "hypersonic missile", "Hwasong-18",
    "Iskander-M", "unidentified projectile", "flew", "apogee", "km", "Mach", "KST", "JST",
    "missiles", "fell outside Japan's EEZ", "inside the EEZ", "JCS said", "Japan MOD says",
    "off Wonsan", "from Pyongyang", "into the East Sea", "at least", "two", "a barrage of",
    "at", "about", "BREAKING:", "(LEAD)", "drill", "cruise", "satellite", "condemns", "again",
)  # fmt: skip
numbers = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.integers(min_value=0, max_value=10**400).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1,000", "6,000", "07:12", "7:12 a.m.", "1.5", "10", "0", "1e999"]),
)
launch_text = st.lists(
    st.one_of(st.sampled_from(CUES), numbers, st.sampled_from(INJECTIONS), small_text),
    min_size=1,
    max_size=30,
).map(" ".join)
ACTORS = (
    "North Korea fires", "N. Korea launches", "Iran fires", "Houthis fire", "Russia launches",
    "북한, 동해상으로 탄도미사일 발사", "北朝鮮が弾道ミサイル発射", "BREAKING: North Korea fires",
)  # fmt: skip
CLASSES = (
    "ballistic missile", "ICBM", "two ballistic missiles", "hypersonic missile", "SRBM",
    "Hwasong-18 ICBM", "탄도미사일", "弾道ミサイル", "a barrage of ballistic missiles",
)  # fmt: skip
FACT_FORMS = (
    "that flew {} km", "apogee {} km", "at Mach {}", "at {} KST", "{} missiles", "{}발",
    "約{}キロ飛行", "高度{}km", "from {} off Wonsan", "landing {} km outside Japan's EEZ",
    "JCS said {}", "{}",
)  # fmt: skip
launch_headline = st.builds(
    lambda actor, cls, facts, noise: f"{actor} {cls} {' '.join(facts)} {noise}",
    st.sampled_from(ACTORS),
    st.sampled_from(CLASSES),
    st.lists(
        st.builds(str.format, st.sampled_from(FACT_FORMS), st.one_of(numbers, small_text)),
        max_size=5,
    ),
    st.one_of(st.just(""), small_text, hostile_text),
)
detector_text = st.one_of(hostile_text, backtracking_runs, launch_text, launch_headline)

items = st.builds(
    Item,
    id=st.just("fuzz-1"),
    source=st.just("fuzz"),
    title=detector_text,
    url=st.just("https://news.example/a"),
    summary=st.one_of(st.just(""), detector_text),
    lang=st.sampled_from(LANGS),
)

NUMERIC_FACTS = ("distance_km", "apogee_km", "speed_mach")


def check_facts(facts: Facts) -> None:
    assert isinstance(facts, Facts)
    assert facts.country is None or re.fullmatch(r"[A-Z]{2}", facts.country), facts.country
    for name in NUMERIC_FACTS:
        value = getattr(facts, name)
        assert value is None or isinstance(value, float | int), name
    assert facts.count is None or isinstance(facts.count, int)
    assert facts.launch_time is None or (
        isinstance(facts.launch_time, datetime) and facts.launch_time.tzinfo is not None
    )
    for field in dataclasses.fields(facts):
        value = getattr(facts, field.name)
        if isinstance(value, str):
            assert len(value) <= 3_000, f"{field.name} of {len(value)} chars"


def check_classify(item: Item) -> None:
    start = time.process_time()
    verdict = classify_item(item)
    spent = time.process_time() - start
    assert spent < MAX_CPU_S, f"classify_item took {spent:.2f} s of CPU"
    assert isinstance(verdict, Verdict)
    assert isinstance(verdict.is_launch, bool)
    assert 0.0 <= verdict.confidence <= 1.0, verdict.confidence
    assert math.isfinite(verdict.confidence)
    if verdict.is_launch:
        assert verdict.confidence >= 0.5
    assert all(isinstance(reason, str) for reason in verdict.reasons)
    assert verdict.category is None or isinstance(verdict.category, str)
    check_facts(verdict.facts)


def check_deterministic(item: Item) -> None:
    """Pure: the same item gives the same verdict."""
    assert classify_item(item) == classify_item(item)


def check_numeric_facts_finite(item: Item) -> None:
    facts = classify_item(item).facts
    for name in NUMERIC_FACTS:
        value = getattr(facts, name)
        assert value is None or math.isfinite(value), f"{name} = {value!r}"


# Launch headlines whose stated numbers are enormous digit strings.
huge_numbers = st.integers(min_value=10**300, max_value=10**400).map(str)
huge_number_headlines = st.builds(
    lambda actor, cls, form, number: f"{actor} {cls} {form.format(number)}",
    st.sampled_from(ACTORS),
    st.sampled_from(CLASSES),
    st.sampled_from((*FACT_FORMS[:4], "約{}キロ飛行", "高度{}km", "{}km 비행", "고도 {}km")),
    huge_numbers,
).map(lambda title: Item("fuzz-1", "fuzz", title))

PROPERTIES: dict[str, Property] = {
    "detect.classify_item": Property(items, check_classify),
    "detect.deterministic": Property(items, check_deterministic),
    "detect.numeric_facts_finite": Property(huge_number_headlines, check_numeric_facts_finite),
}


@fuzz_settings(600)
@given(items)
def test_classify_never_raises_and_stays_bounded(item: Item) -> None:
    check_classify(item)


@fuzz_settings(100)
@given(items)
def test_classify_is_deterministic(item: Item) -> None:
    check_deterministic(item)


@fuzz_settings(50)
@given(huge_number_headlines)
@example(Item("fuzz-1", "fuzz", "North Korea fires 弾道ミサイル 約" + "9" * 400 + "キロ飛行"))
def test_numeric_facts_are_finite(item: Item) -> None:
    check_numeric_facts_finite(item)
