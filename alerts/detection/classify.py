"""Decide whether an item reports a ballistic missile launch that has just happened.

Pure and deterministic: an `Item` in, a `Verdict` out, no clock, no I/O. The decision is a small
additive score over cues found by per-language data (`cues/*.toml`):

- a *missile* cue (ballistic type or named system > hypersonic/unidentified projectile > plain
  "missile", the last two lifted where the launcher habitually fires ballistic ones) and
- a *launch* cue (a finite launch verb or a headline-final 発射/발사 > alert or sirens, a flight
  or fall ("fell outside the EEZ", "落下") > interception > strike verbs > the bare noun
  "launch") must both be present;
- each negative category (drill, cruise, artillery, space, engine_test, diplomacy, warning,
  analysis, arms_deal, sports, metaphor, reaction) subtracts, strongly for defining phrases and
  weakly for incidental words.

The title is the report; the summary counts for less, for cues either way, because ledes carry
background ("...days after joint drills", "...in response to North Korea's launches"), and a
title with no cue at all costs points (an empty title or a bare "BREAKING" does not).

Rules that are choices, applied to the labelled corpus too:
- Cruise, artillery and space words weigh little when the same segment names a ballistic missile
  ("ballistic and cruise missiles", "Kinzhal ... along with cruise missiles").
- A reaction or diplomatic item (condemns, protests, Security Council) is not a launch report
  when the launch appears only as a noun ("condemns North Korea's launch"); it is one when the
  same headline states the launch as a finite clause ("Japan protests as North Korea fires a
  ballistic missile", "...missile landed in its EEZ, lodges protest"): such a headline is how
  many outlets first carry the news.
- A drill in which ballistic missiles are really fired (Russia's Yars in strategic exercises,
  South Korea's Hyunmoo response drill) is a launch; missile-*defence* drills are not.

What the report says about its launch, for the event stage (cue data `[context]`, read for
launch reports; other missile items are read only for a not-ballistic reclassification):
- `corrects`: it retracts or revises an earlier report: the headline says so, or the lede
  in words that say it outright ("訂正します", "correcting its earlier count"); a lede's bare
  negation ("not 400 km", "아닌") is background. When it says no ballistic missile flew
  ("cruise missiles, not ballistic", "탄도미사일 아닌 방사포") the verdict is no launch, with
  `category` the weapon it names; it retracts the launch only when the headline says so (a
  lede's "rather than ballistic" or a launcher's denial is no retraction), and it must name
  the launcher, as the event stage finds the launch by country; otherwise (ICBM -> IRBM,
  one not two, outside the EEZ, did not fly over Japan) it is a launch report that corrects.
  Facts are read for both.
- `retrospective`: it tells of a launch hours ago: state-media headlines (KCNA style), past
  references in the title ("yesterday", "전날", "前日", a weekday), overnight tallies
  ("4 Iskander-M ... and 87 drones", "downed four of the six"), casualty reports, a launcher
  speaking of its own launch ("Houthis say..."), and every correction.
- `another`: the title announces a further launch ("fires another", "second launch today",
  "또 발사", "再び", "second straight night"); a count of the year ("올해 두번째", "今年3回目")
  and a follow-up on "the second launch" are not. Not set on a retrospective report: a morning
  tally of "the second straight night" is about a launch already flashed, and the event stage
  would open a new event for it. `ctx:another_today` beside it: the launch it follows was
  earlier the same day ("second launch today", "11시간 만에", "きょう2回目"), and not on
  another day too ("today, a day after ICBM launch", "이틀 연속…오늘 오전"); without it, a
  report joining a launch is no second salvo ("이틀 연속", "2日連続", "again").

The learned model (`model.py`) has the final say on every item with a missile or launch cue:
the cues above, the rules' own verdict ("ctx:rules_launch"), a stated date or weekday of older
news ("ctx:title_dated_days_ago") and how far back the title and the lede date their news are
its features beside words and character n-grams. Items with
no such cue never reach it: they are most of any feed, and the cue scan settles them. Facts
are read when the rules could still call a launch, or once the model has.

For speed, facts are extracted only for items that could still be launches, and the summary's
negative cues are read only when they could change the verdict or name the category.

`Verdict.confidence` is the model's probability rescaled to read 0.5 at its threshold (the
rules' score squashed the same way when no model runs), at most 0.45 for a negative verdict:
higher means more likely a launch report. `reasons` names every cue that fired
("en:ballistic", "ko:launch_headline", "neg:drill", "ctx:likely_launcher", "ctx:title_silent",
"fact:distance", "model:0.93"), and `ctx:headline_alone` for a headline with a cue and no lede
(added after the model scored: not one of its features).
"""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import UTC, datetime
from typing import Any

from alerts.detection.cues import (
    FIRING_KINDS,
    NEGATIVE_CATEGORIES,
    LangCues,
    cues_for,
    search_cue,
)
from alerts.detection.dates import (
    WEEKDAYS,
    dates_only_the_saying,
    days_since_strike,
    stated_day_gaps,
    stated_day_offsets,
)
from alerts.detection.extract import extract_facts
from alerts.detection.lang import detect_lang
from alerts.detection.model import ScoringModel, default_model, features
from alerts.detection.stream import LIFT_PROBABILITY, LIFT_PROBABILITY_BALLISTIC
from alerts.furniture import strip_furniture
from alerts.launch_sites import launch_site_zone
from alerts.models import HABITUAL_LAUNCHERS, Facts, Item, MissileClass, Verdict

TITLE_CHARS = 600
SUMMARY_CHARS = 3000
THRESHOLD = 3.0
_SUMMARY_POS = 0.7  # weight of a positive cue seen only in the summary
_SUMMARY_NEG = 0.5  # weight of a negative cue seen only in the summary
_MISSILE_WEIGHTS = {"ballistic": 2.2, "hypersonic": 1.6, "projectile": 1.6, "missile": 1.0}
_LAUNCH_WEIGHTS = {
    "launch_verb": 2.0,
    "launch_headline": 1.9,
    "alert": 1.6,
    "flight": 1.6,
    "incoming": 1.3,
    "strike": 1.2,
    # Blasts beside a ballistic missile alert or threat: a strike under way ("Blasts in Kyiv
    # as ballistic missile threat declared"), whose warning words are then no negative.
    "blast": 1.2,
    "launch_noun": 0.6,
}
_MIN_LAUNCH = 1.2  # a bare noun "launch" never suffices
_FLASH = 0.6
# A title with no missile, launch or flash cue is about something else ("Kim inspects navy
# destroyer"); its summary mentioning a launch is background, not the news.
_SILENT_TITLE = 1.0
_CORROBORATION = 0.3  # both title and summary carry the cue group
_LIKELY_LAUNCHER_BONUS = 0.8
# Launchers whose plain "missile"/"projectile" is, in practice, a ballistic one.
_LIKELY_BALLISTIC = frozenset({"KP", "IR", "YE"})
_NEG_STRONG = {
    "drill": 3.5, "cruise": 3.0, "artillery": 3.0, "space": 3.5, "engine_test": 3.5,
    "diplomacy": 3.0, "warning": 3.5, "analysis": 3.5, "arms_deal": 3.0, "sports": 4.0,
    "metaphor": 4.0, "reaction": 2.5, "display": 3.5,
}  # fmt: skip
_NEG_WEAK = 0.8
_WEAPON_TYPE_CATEGORIES = frozenset({"cruise", "artillery", "space"})
_STATEMENT_CATEGORIES = frozenset({"reaction", "diplomacy"})
_TYPE_DISCOUNT = 0.25  # weapon-type negatives beside a named ballistic missile
_FINITE_DISCOUNT = 0.35  # reaction/diplomacy beside a finite launch clause
_STATED_LAUNCH = frozenset({"launch_verb", "flight"})  # "fires ...", "landed in its EEZ"
# Context cues read in the title only, and those read in the summary too.
# A correction is a headline's news ("JCS revises flight range", "Japan retracts..."); a lede's
# "not two" or "아닌" is mostly background, so the lede counts only the words that say it
# outright ("corrected", "訂正": `corrects_lede`).
_SUMMARY_CONTEXT = frozenset({"corrects_lede", "retrospective"})
_FACT_BONUS = 0.5
_AUTHORITY_BONUS = 0.3
_SECOND_NEG = 0.25
_MAX_FACT_BONUS = _FACT_BONUS + _AUTHORITY_BONUS + _LIKELY_LAUNCHER_BONUS
# A headline's cue kinds that fire (`ctx:title_fires` and the marks of `_title_marks`).
_TITLE_FIRING_KINDS = frozenset({"launch_verb", "launch_headline", "alert", "flash"})
_OLD_NEWS_DAYS = 2  # a report naming only dates this many days back tells of an older launch
_DAYS_BACK_KEPT = 7  # ...and up to this many, which day (`DAYS_BACK`), for the event stage
DAYS_BACK = "ctx:days_back:"
# A headline's day that dates its launch ("Tuesday's missiles", "missile on Wednesday", "fired
# ... on Tuesday", "6일 발사", "7日にイランから弾道ミサイル"), not a meeting's, a drill's or a
# statement's ("defying UN vote on Tuesday", "한미 6일 연합훈련 돌입에 반발"); nor a headline of
# a further launch ("6일 ICBM 발사 뒤 또..."). A review's probes.
_WEEKDAY = "|".join(WEEKDAYS)
_TITLE_DAY_OF_LAUNCH = re.compile(
    rf"\b(?:{_WEEKDAY})(?:['’]s)? (?:[\w-]+ ){{0,3}}(?:launch|test|missiles?|barrage|strike|attack"
    rf"|firing|salvo)"
    rf"|\b(?:fired|launched|tested|test-fired|test-launched|missiles?|launch|test|barrage|strike"
    rf"|attack)(?: [\w-]+){{0,4}} on (?:{_WEEKDAY})\b"
    rf"|\b(?:missiles?|launch|barrage|strike|attack)(?: [\w-]+)? (?:{_WEEKDAY})\b"
    r"|\d{1,2}일\s?(?:[^\s…,]{0,6}\s?)?(?:발사|시험발사|미사일|icbm|탄도|쏜)"
    r"|\d{1,2}日[^、。\s]{0,8}?(?:発射|試射|ミサイル|icbm|弾道)"
)
_TITLE_AGAIN = re.compile(r"\bagain\b|또|다시|再び|再度|連続")
_DEFAULT: Any = object()  # classify_item's model argument when not given
# Full-width digits, Latin letters and the marks inside numbers and times read as ASCII:
# Japanese broadcasters title their copy so ("弾道ミサイル１発", "ＩＣＢＭ級", "約１，０００ｋｍ"),
# and counts, ranges, dates and classes are read in ASCII. Not NFKC, as `events.identity`
# reads text for its hashes: that would also turn the corpus's "㎞", "（）" and "～" into other
# features of the model.
_ASCII_WIDTH = {
    code: code - 0xFEE0
    for first, last in (("０", "９"), ("Ａ", "Ｚ"), ("ａ", "ｚ"), ("，", "．"), ("：", "："))
    for code in range(ord(first), ord(last) + 1)
}
_FULL_WIDTH = re.compile("[０-９Ａ-Ｚａ-ｚ，-．：]")


def _ascii_width(text: str) -> str:
    if text.isascii() or not _FULL_WIDTH.search(text):
        return text
    return text.translate(_ASCII_WIDTH)


# The most the summary's negatives can subtract beyond the title's: a strong category at half
# weight, plus its share as the second-ranked one.
_MAX_SUMMARY_NEG = _SUMMARY_NEG * max(_NEG_STRONG.values()) * (1 + _SECOND_NEG)


def classify_item(item: Item, model: ScoringModel | None = _DEFAULT) -> Verdict:
    """Verdict on one item: is it a report of a new ballistic missile launch, and why.

    Args:
        item: the feed item; `lang` is detected from the script when None. Title and summary
            are truncated (TITLE_CHARS, SUMMARY_CHARS) before analysis.
        model: the learned model that has the final say on items with a missile or launch
            cue (`model.py`); the shipped one by default, None for the rules alone.

    Returns:
        A Verdict whose reasons list the cues that fired and, for a launch candidate, whose
        facts hold what the text states.
    """
    if model is _DEFAULT:
        model = default_model()
    title, summary = strip_furniture(
        (item.title or "")[:TITLE_CHARS], (item.summary or "")[:SUMMARY_CHARS], item.published_at
    )
    title = _ascii_width(title.replace("\n", " "))
    summary = _ascii_width(summary.replace("\n", " "))
    lang = item.lang or detect_lang(title + " " + summary[:200])
    cues = cues_for(lang)
    folded = (title.lower(), summary.lower())
    segments = (_hits(folded[0], cues, title=True), _hits(folded[1], cues, title=False))
    reasons: list[str] = []
    missile, missile_kind = _missile_evidence(segments, cues.lang, reasons)
    launch = _launch_evidence(segments, cues.lang, reasons)
    candidate = missile > 0 and launch >= _MIN_LAUNCH
    score = missile + launch + _flash_bonus(segments[0], cues.lang, reasons)
    reasons += _title_marks(folded[0], segments[0], cues, bool(missile or launch))
    if title and not segments[0] and (missile or launch):
        reasons.append("ctx:title_silent")
        score -= _SILENT_TITLE
    negatives = _negative_scores(folded[0], segments[0], cues, 1.0)
    title_negatives = tuple(negatives)
    summary_negatives: tuple[str, ...] | None = None  # scanned below only when they may matter
    # A missile report that says no ballistic missile flew ("탄도미사일 아닌 순항미사일") is a
    # retraction, whatever else it states.
    reclassified = bool(missile) and any(
        search_cue(cues.context["not_ballistic"], text, cues.word_start) for text in folded
    )
    # It retracts a launch when its headline says so, or its lede in words that say outright
    # that an earlier report is corrected (Japan's ministry titles its revisions "（続報）"); a
    # lede's "rather than ballistic" or "denies firing" alone is a comparison or a denial.
    retracts = reclassified and (
        bool(search_cue(cues.context["not_ballistic"], folded[0], cues.word_start))
        or bool(search_cue(cues.context["corrects_lede"], folded[1], cues.word_start))
    )
    speakers: list[str] = []  # countries the title marks as speaking
    guessed: list[bool] = []  # whether the launcher is only a choice among named countries
    text = (title + "\n" + summary, lang, item.published_at)
    facts = Facts()
    # Facts are read only when they could still make a launch of it (they add to the score),
    # or when the report retracts one (the event stage needs its launcher).
    read_facts = (
        candidate and score + _MAX_FACT_BONUS - _negative_total(negatives, []) >= THRESHOLD
    ) or reclassified
    if read_facts:
        facts = _read_facts(text, speakers, guessed, reasons)
        score += _fact_bonus(facts, missile_kind, reasons)
    if folded[1] and (reclassified or _summary_may_matter(score, candidate, negatives)):
        in_summary = _negative_scores(folded[1], segments[1], cues, _SUMMARY_NEG)
        summary_negatives = tuple(in_summary)
        for category, weight in in_summary.items():
            negatives[category] = max(weight, negatives.get(category, 0.0))
    score -= _negative_total(negatives, reasons)
    is_launch = candidate and score >= THRESHOLD and not retracts
    probability = None
    places: tuple[str, ...] = ()  # the strike's places, where the model judged it
    if model is not None and (missile or launch):
        # The model judges every item with a missile or launch cue, the rules' say included.
        placed = _placed_cues(folded, segments, title_negatives, summary_negatives, cues)
        probability = _model_probability(
            model, (title, summary), folded, cues, item.published_at, is_launch, reasons, placed
        )
        if probability < model.threshold and _rules_stand(folded, is_launch, reasons):
            probability = None  # the rules' verdict and confidence stand
        else:
            is_launch = probability >= model.threshold and not retracts
            places = _places(folded, cues)
        why = None if read_facts else _why_read_facts(is_launch, probability, places)
        if why is not None:
            facts = _read_facts(text, speakers, guessed, reasons)
            reasons += why
    is_launch = is_launch and not _announced_space_launch(folded, cues, facts, reasons)
    corrects, another, retrospective = _flags(
        folded, cues, is_launch, retracts, facts, speakers, reasons
    )
    if is_launch:
        reasons += _event_cues(folded, cues, facts, item.published_at, reasons, segments)
    reasons += _headline_alone(bool(missile or launch), summary)
    verdict = _verdict(is_launch, score, reasons, facts, negatives, reclassified)
    if probability is not None:
        assert model is not None
        confidence = _confidence(probability, model.threshold, is_launch)
        verdict = dataclasses.replace(
            verdict,
            confidence=confidence,
            probability=probability,
            places=places,
        )
    if corrects or another or retrospective:
        verdict = dataclasses.replace(
            verdict, corrects=corrects, another=another, retrospective=retrospective
        )
    return verdict


def _announced_space_launch(
    folded: tuple[str, str], cues: LangCues, facts: Facts, reasons: list[str]
) -> bool:
    """Whether the report tells of the satellite launch its launcher announced (cue data
    `space_announced`: "弾道ミサイル技術を使用した発射", "北朝鮮は...「人工衛星」を打ち上げると
    通知していた"), naming no class of ballistic missile. Tokyo's first words for North Korea's
    satellite launches are a ballistic missile's ("弾道ミサイルの可能性があるもの", with a J-Alert),
    and the model read Tokyo's words for three of them in a review (two Japanese flashes, an
    English report of Tokyo's statement) as launch news (0.98 to 1.00) though they told of the
    satellite launch announced; decided after the model, which was trained without it."""
    if facts.missile_class not in (None, MissileClass.UNIDENTIFIED):
        return False
    pattern = cues.context["space_announced"]
    if not any(search_cue(pattern, text, cues.word_start) for text in folded if text):
        return False
    reasons.append("ctx:space_announced")
    return True


def _headline_alone(cued: bool, summary: str) -> list[str]:
    """`ctx:headline_alone` for a headline with a cue and no lede (or an aggregator's lede
    repeating it, which `strip_furniture` empties): less for the model to be sure of, so the
    event stage lets two such reports corroborate at a lower bar."""
    return ["ctx:headline_alone"] if cued and not summary.strip() else []


def _rules_stand(folded: tuple[str, str], rules_launch: bool, reasons: list[str]) -> bool:
    """Whether the rules' launch verdict stands against the model's: for a headline alone whose
    words fire ("N. Korea fires unidentified projectile", a flash carried with no lede). The
    model learned from reports with their ledes; a bare headline is outside what it saw."""
    return rules_launch and not folded[1] and "ctx:title_fires" in reasons


def _title_marks(
    folded_title: str, in_title: frozenset[str], cues: LangCues, about_missiles: bool
) -> list[str]:
    """What the headline itself does: fire or sound the alarm (`ctx:title_fires`), announce
    a launch still to come (`ctx:upcoming`: "Tonight's Minuteman III test launch", "발사 임박"),
    when no word of it fires, flashes or tells a firing ("N. Korea fires ballistic missile,
    says it will launch more" is a launch), or strike missiles where they are kept or fired
    from (`ctx:struck_arsenal`: "CENTCOM destroys three Houthi missile launchers"), again
    when no word of it fires ("北, 미사일 기지서 쏴 표적 타격" is a launch)."""
    marks = []
    if "launch_verb" in in_title or "alert" in in_title:
        marks.append("ctx:title_fires")
    if not about_missiles or not in_title.isdisjoint(_TITLE_FIRING_KINDS):
        return marks
    context = cues.context_set.present(folded_title, cues.word_start)
    if "upcoming" in context and "told" not in context:
        marks.append("ctx:upcoming")
    if "struck_arsenal" in context:
        marks.append("ctx:struck_arsenal")
    return marks


def _placed_cues(
    folded: tuple[str, str],
    segments: tuple[frozenset[str], frozenset[str]],
    in_title: tuple[str, ...],
    in_summary: tuple[str, ...] | None,
    cues: LangCues,
) -> list[str]:
    """Where the cues stand, for the model: the positive kinds and negative categories of the
    title (`p:t:`, `p:tn:`) and of the lede (`p:s:`, `p:sn:`) apart. The reasons name a cue
    once wherever it fired, but "ballistic" in a headline is a launch report's, and only in
    the lede, as often an aftermath story's; a headline's "drill" rules more than a lede's.
    `in_title`, `in_summary`: the negative categories found in each (None: not scanned)."""
    found = [f"p:t:{kind}" for kind in segments[0]] + [f"p:s:{kind}" for kind in segments[1]]
    found += [f"p:tn:{category}" for category in in_title]
    if in_summary is None and folded[1]:  # the rules did not need the lede's: scan it now
        in_summary = tuple(_negative_scores(folded[1], segments[1], cues, 1.0))
    found += [f"p:sn:{category}" for category in in_summary or ()]
    return found


def _read_facts(
    text: tuple[str, str, datetime | None],
    speakers: list[str],
    guessed: list[bool],
    reasons: list[str],
) -> Facts:
    body, lang, published_at = text
    facts = extract_facts(
        body, lang, published_at=published_at, title_speakers=speakers, guessed=guessed
    )
    if guessed:
        reasons.append("ctx:launcher_guessed")
    return facts


def _model_probability(
    model: ScoringModel,
    text: tuple[str, str],
    folded: tuple[str, str],
    cues: LangCues,
    published_at: datetime | None,
    rules_launch: bool,
    reasons: list[str],
    placed: list[str],
) -> float:
    """The model's probability that the item (title, summary) is a launch report; the cues
    it adds for it (the rules' verdict, a stated date of older news) join `reasons`."""
    if rules_launch:
        reasons.append("ctx:rules_launch")
    # Naming the day of an older launch: in the headline, it is what the story is about
    # ("missile that hit Kharkiv on Jan. 2 was North Korean", "Friday's strike" read on
    # Sunday); in the lede, maybe background.
    title_days = stated_day_offsets(folded[0], cues.lang, published_at)
    if "ctx:title_fires" not in reasons:
        title_days += _aftermath_days(folded[0], cues)  # "a week after strike"
    lede_days = stated_day_offsets(folded[1], cues.lang, published_at) if folded[1] else None
    title_gaps = [gap for gap in title_days if gap >= 0]
    lede_gaps = None if lede_days is None else [gap for gap in lede_days if gap >= 0]
    in_title = min(title_gaps, default=None)
    # The headline's day of its launch is the news's: a lede naming today besides ("...fired on
    # Wednesday; a third launch on Thursday fell short") tells of more than the story is about.
    if in_title and _TITLE_DAY_OF_LAUNCH.search(folded[0]) and not _TITLE_AGAIN.search(folded[0]):
        stated = [in_title]
    else:
        stated = [min(gaps) for gaps in (title_gaps, lede_gaps) if gaps]
    if in_title is not None and in_title >= _OLD_NEWS_DAYS:
        reasons.append("ctx:title_dated_days_ago")
    elif stated and min(stated) >= _OLD_NEWS_DAYS:
        reasons.append("ctx:text_dated_days_ago")
    elif stated and min(stated) >= 1:
        reasons.append("ctx:dated_yesterday")  # "29일 순천에서" read on the 30th: not a new launch
    days = _stated_days(title_days, lede_days)
    probability = model.probability(features(*text, reasons, days, placed))
    reasons.append(f"model:{probability:.2f}")
    if stated and _OLD_NEWS_DAYS <= min(stated) <= _DAYS_BACK_KEPT:
        # For the event stage (after the model, which was trained without it): the day an
        # older launch's report names, to join that day's event and no later one's.
        reasons.append(f"{DAYS_BACK}{min(stated)}")
    return probability


def _aftermath_days(folded_title: str, cues: LangCues) -> list[int]:
    """Days since a missile strike a headline that fires nothing tells its story after
    (`days_since_strike`: "Bat Yam mayor: rescue work still going five days after Iranian
    missile hit"), when the rest of it names no missile, strike or blast: "Ballistic missile
    strikes Kharkiv a week after deadly attack on hotel", "Russia strikes Kharkiv three days
    after deadly attack on hypermarket", "Explosions rock Kyiv 10 days after Okhmatdyt strike",
    "オデーサ攻撃から5日、ロシアが再び港を攻撃" are strikes of now."""
    days = []
    for gap, start, end in days_since_strike(folded_title, cues.lang):
        rest = folded_title[:start] + " " + folded_title[end:]
        present = cues.positive_set.present(rest, cues.word_start)
        if present.isdisjoint(_NOW_KINDS) and not _STRIKE_OF_NOW.search(rest):
            days.append(gap)
    return days


# What tells a strike of now beside the time since an older one: a missile, a strike cue, or
# these words ("hits city again", "Tehran retaliates", "キーウで爆発音", "警報", "報復").
_NOW_KINDS = frozenset(_MISSILE_WEIGHTS) | {"strike"}
_STRIKE_OF_NOW = re.compile(
    r"\bagain\b|\banother\b|\bexplosions?\b|\bblasts?\b|\bretaliat|\bwake to\b"
    r"|再び|再度|また|警報|報復|反撃|爆発|爆音|避難"
)


def _stated_days(title_days: list[int], lede_days: list[int] | None) -> list[str]:
    """How long before publication the title and the lede (None: the item has none) date
    their news, for the model: the nearest and the farthest past day each names
    (`stated_day_offsets`, weekdays included), in buckets (0, 1, 2 days, within a week, a
    month, more), or that it names none; and whether it names a day of the coming week. A
    launch report dates its news today or yesterday; an investigation, funeral or anniversary,
    days or months back; a notice of tests or drills, days ahead ("missile window November
    15-17")."""
    found = []
    for part, days in (("t", title_days), ("s", lede_days)):
        if days is None:
            continue
        gaps = [gap for gap in days if gap >= 0]
        if gaps:
            found += [f"{part}min{_days_bucket(min(gaps))}", f"{part}max{_days_bucket(max(gaps))}"]
        else:
            found.append(f"{part}none")
        if len(gaps) < len(days):
            found.append(f"{part}coming")
    return found


def _days_bucket(gap: int) -> str:
    if gap <= 2:
        return str(gap)
    return "w" if gap <= 7 else "m" if gap <= 45 else "y"


def _flags(
    folded: tuple[str, str],
    cues: LangCues,
    is_launch: bool,
    reclassified: bool,
    facts: Facts,
    speakers: list[str],
    reasons: list[str],
) -> tuple[bool, bool, bool]:
    """What a launch report says about its launch (cue data [context]): whether it corrects,
    announces another launch, or tells of one hours ago."""
    context = _context(folded, cues) if is_launch else frozenset()
    # A correction that keeps a ballistic missile (ICBM -> IRBM, outside the EEZ, one not two)
    # is a launch report; one that says no ballistic missile flew retracts the launch.
    # A retraction must name the launcher: the event stage matches it by country, and one
    # naming none ("Hawaii false missile alert") would retract any launch of the hour.
    corrects = (reclassified and facts.country is not None) or not context.isdisjoint(
        {"corrects", "corrects_lede"}
    )
    speaks = is_launch and facts.country is not None and facts.country in speakers
    if speaks:
        reasons.append("ctx:launcher_speaks")  # "Houthis say...", "North Korea says it tested"
    retrospective = corrects or (
        is_launch and ("retrospective" in context or "retrospective_title" in context or speaks)
    )
    # A headline telling another launch is no look-back for its lede's casualties ("Sirens in
    # northern Israel as another missile launch from Iran": "21 people had been injured"):
    # only the headline's own past tense, a correction or the launcher's account makes it one
    # (the headline scanned again only then: the common path never gets here).
    another = (
        is_launch
        and "another" in context
        and not (corrects or speaks)
        and cues.context_set.present(folded[0], cues.word_start).isdisjoint(_LOOKS_BACK)
    )
    for flag, on in (
        ("corrects", corrects),
        ("another", another),
        ("another_today", another and "another_today" in context and "another_day" not in context),
        ("retrospective", retrospective),
    ):
        if on:
            reasons.append(f"ctx:{flag}")
    return corrects, another, retrospective


_LOOKS_BACK = frozenset({"retrospective", "retrospective_title"})
_NEAR = 12  # characters around a night word where a word for the day before makes it that day's
_OLDER_NEWS = frozenset(
    {"ctx:dated_yesterday", "ctx:text_dated_days_ago", "ctx:title_dated_days_ago"}
)


# Cue kinds that tell of a missile flown, not only shown (`ctx:unveils`).
_TELLS_A_FIRING = frozenset((*FIRING_KINDS, "flight"))
# A headline's cue kinds that make it a launch's own news whatever else it says (an English
# launch verb too, unless told in the past tense: "N. Korea fires missile, says ready to fire
# more", "Houthis fire missile at Israel as nation honours fallen soldiers").
_HEADLINE_FIRES = _TITLE_FIRING_KINDS - {"launch_verb"}


def _no_launch_of_now(
    in_title: frozenset[str],
    kinds: tuple[frozenset[str], frozenset[str]],
    lang: str,
    folded_title: str,
    arsenal_only: bool = False,
) -> list[str]:
    """The event stage's marks of a launch report that is no news of a launch now: a headline
    celebrating a launch (`ctx:celebrates`: a rally, honours, a banquet or a stamp for it,
    news days later) or telling of missiles struck before they flew (`ctx:unfired`: "...
    destroyed Houthi ballistic missile before it could be fired", "발사 대기 중이던"), or only
    of a strike where they are kept or fired from (`arsenal_only`, `_struck_arsenal_only`:
    "Saudi TV airs strike footage as coalition hits Houthi missile sites"), or of a firing
    readied (`_READIED`, marked `ctx:upcoming`: "Seoul readies Hyunmoo-II firing as warning"),
    when the headline itself does not fire (`_HEADLINE_FIRES`, a flash's tag, an English launch verb
    not told in the past tense); a missile shown (`ctx:unveils`: "Iran presents 'Kheibar
    Shekan' missile", "신형 탄도미사일 '에테마드' 공개") when neither the headline tells of a
    firing or a flight or names a test, nor the lede has a launch verb. `kinds`: the positive
    cue kinds of the headline and of the lede; `folded_title`: the lower-cased headline."""
    title_kinds, lede_kinds = kinds
    fires = (
        not title_kinds.isdisjoint(_HEADLINE_FIRES)
        or "breaking" in in_title
        or (lang == "en" and "launch_verb" in title_kinds and "told" not in in_title)
    )
    found = []
    if not fires and "celebrates" in in_title:
        found.append("ctx:celebrates")
    called_off = "called_off" in in_title and not _FLEW_AFTER_ALL.search(folded_title)
    if not fires and ("unfired" in in_title or called_off or arsenal_only):
        found.append("ctx:unfired")
    if not fires and lang == "en" and _READIED.search(folded_title):
        found.append("ctx:upcoming")
    if (
        "unveils" in in_title
        and "tested" not in in_title
        and title_kinds.isdisjoint(_TELLS_A_FIRING)
        and "launch_verb" not in lede_kinds
    ):
        found.append("ctx:unveils")
    return found


# A headline of a launch called off or simulated (the `called_off` cue) that flew after all, or
# fired live before or after it ("Minuteman III test launch scrubbed, then launched hours
# later", "Twice-cancelled ... test finally lifts off", "After electronic launches, Iskander
# crews fire live missiles", "시험발사 취소했던 미니트맨3, 이틀 만에 발사 성공",
# "模擬発射訓練の後にイスカンデル実射"): a launch report (a review's probes).
_FLEW_AFTER_ALL = re.compile(
    r"\b(?:then|later|finally|lifts? off|flies|flew|succeeds?|live|after|previously|twice)\b"
    r"|-cancel|-scrub|했던|됐던|만에|이어|(?<!오)후\s|뒤\s|이후|성공|실사격"
    r"|の後|後に|に続|を経て|翌日|成功|実射"
)
# An English headline of a firing readied or prepared, still to come ("Seoul readies Hyunmoo-II
# firing as warning after North's ICBM launches", "North Korea may be readying a missile test"):
# Korean and Japanese say so in their `upcoming` cues ("발사 준비 중", "発射準備"), which the
# model reads; English copy gets it here, after the model, which was trained without it. Every
# development item whose headline says so is no launch report.
_READIED = re.compile(
    r"\b(?:read(?:ies|ying)|preparing(?: for)?) (?:an? |the )?(?:[\w-]+ ){0,3}"
    r"(?:firing|launch|test)\b"
)


def _struck_arsenal_only(title: str, cues: LangCues, launcher: str | None) -> bool:
    """Whether a headline tells of a strike on the guessed launcher's own missiles where they
    are kept or fired from (`struck_arsenal`: "coalition hits Houthi missile sites", "フーシ派
    弾道ミサイル発射拠点を破壊"), the launcher named in the stretch matched or just before it, and
    of no missile besides: not Russia's "이스칸데르 2기로 우크라 탄도미사일 발사대 파괴", nor a
    launch the strike answered ("…탄도미사일\"…사우디 \"요격 후 발사대 폭격\""). Asked only of
    a report whose launcher is a guess (`_event_cues`). A state striking another's missile
    bases is that state's launch ("IRGC says it struck Israeli missile bases", "Houthis claim
    strike on Israeli missile base"), and so is one striking from its own ("이란, 미사일 기지서
    이스라엘 타격"). On the development split (cached half models), such headlines the model took
    for launch news had opened one or two false `new` alerts a stream."""
    pattern = cues.context["struck_arsenal"]
    states = [(at, name) for name, at, _ in cues.countries.finditer(title, cues.word_start)]
    places = [at for _, at, _ in cues.theatres.finditer(title, cues.word_start)]
    owned = False
    for m in pattern.finditer(title):
        if _FIRED_FROM.search(m.group()):
            return False
        start = max(0, m.start() - _OWNER_BEFORE)
        if _ENEMY.search(title, start, m.end()):
            continue  # an enemy's or a mock base ("적의 미사일 기지", "敵のミサイル基地")
        owners = [(at, name) for at, name in states if start <= at < m.end()]
        if not owners:
            continue
        # the state named nearest before the missiles' word is their owner, unless a place
        # named after it is where they stand ("후티 \"텔아비브 미사일 기지 타격\"")
        at, owner = max(owners)
        placed = any(at < where < m.start() for where in places)
        owned = owned or (owner == launcher and not placed)
    if not owned:
        return False
    rest = pattern.sub(" ", title)
    return _MISSILE_WEIGHTS.keys().isdisjoint(_hits(rest, cues, title=True))


# How far before a struck-sites match its owner may be named ("the Houthis' ballistic missile
# sites", "フーシ派の弾道ミサイル"), and the words of missiles fired from the sites struck.
_OWNER_BEFORE = 16
_ENEMY = re.compile(r"敵|적의|적 |enemy|mock|모의|模擬|가상")
_FIRED_FROM = re.compile(r"(?:기지|시설|발사대|진지)(?:에)?서\b|から|\bfrom\b")


_BALLISTIC_KINDS = frozenset({"ballistic", "hypersonic"})
_BALLISTIC_WORD = re.compile(r"ballistic|탄도|弾道")


def _event_cues(
    folded: tuple[str, str],
    cues: LangCues,
    facts: Facts,
    published_at: datetime | None,
    reasons: list[str],
    kinds: tuple[frozenset[str], frozenset[str]],
) -> list[str]:
    """Cues of a launch report for the event stage alone (the model never sees them): the
    regions whose places it names when its launcher is not sure (cue data [theatres]: it may
    join only a launch of that region), a headline telling a firing in the past tense
    (`ctx:title_told`: "CENTCOM: Houthis fired...") or tagged as a first flash
    (`ctx:breaking`: "(속보)"), sirens or an alert in the headline (`ctx:title_alert`: "Sirens
    sound...", "텔아비브 일대 경보", "イスラエル中部で警報"), a headline striking with missiles
    (`ctx:title_strikes`) or naming a cruise missile and no ballistic one (`ctx:title_cruise`),
    no news of a launch now
    (`_no_launch_of_now`, from the positive cue `kinds` of the headline and the lede),
    whether it dates its news today ("on Thursday", "4일": a habitual launcher's new launch,
    not yesterday's), and whether it tells of the night just past (`ctx:overnight`:
    "overnight", "밤사이", "未明"). In English copy "today" is the launch site's day when the
    launcher is known: a report of missiles fired "on Sunday", read at 00:30 Monday in Tehran
    (still Sunday in UTC), is dated yesterday."""
    found: list[str] = []
    guessed = "ctx:launcher_guessed" in reasons
    if facts.country is None or guessed:
        regions = {
            n for text in folded for n, _, _ in cues.theatres.finditer(text, cues.word_start)
        }
        found += [f"theatre:{name}" for name in sorted(regions)]
    in_title = cues.context_set.present(folded[0], cues.word_start)
    if "told" in in_title:
        found.append("ctx:title_told")
    if "breaking" in in_title:
        found.append("ctx:breaking")  # a first flash, not an update's "(LEAD)"
    if "strikes_with" in in_title:
        found.append("ctx:title_strikes")  # "strikes Ukraine with ballistic missile": it fires
    if (
        "cruise_named" in in_title
        and kinds[0].isdisjoint(_BALLISTIC_KINDS)
        and not _BALLISTIC_WORD.search(folded[0])  # "ballistic and cruise missiles"
    ):
        found.append("ctx:title_cruise")  # "fires cruise missiles", no ballistic one named
    if cues.positive["alert"].search(folded[0]) or cues.live_alert.search(folded[0]):
        found.append("ctx:title_alert")  # live news: sirens, a shelter order, an alert somewhere
    arsenal_only = (
        guessed
        and "struck_arsenal" in in_title
        and _struck_arsenal_only(folded[0], cues, facts.country)
    )
    found += _no_launch_of_now(in_title, kinds, cues.lang, folded[0], arsenal_only)
    body = folded[0] + "\n" + folded[1]
    in_utc = stated_day_gaps(body, cues.lang, published_at)
    # A guessed launcher that seldom launches is most likely the target, not the launch site.
    trusted = not guessed or facts.country in HABITUAL_LAUNCHERS
    zone = launch_site_zone(facts.country) if trusted else None
    at_site = in_utc  # the same unless the launch site's date differs from UTC's
    if (
        zone is not None
        and cues.lang == "en"
        and published_at is not None
        and published_at.tzinfo is not None
        and published_at.astimezone(zone).date() != published_at.astimezone(UTC).date()
    ):
        at_site = stated_day_gaps(body, cues.lang, published_at, zone)
    if at_site and all(gap == 0 for gap in at_site):
        found.append("ctx:dated_today")
        # ...but maybe of the day before: "said on Friday the test had validated...",
        # "국방부 27일 발표…전날 시험발사" (the day of the saying; for a launcher that seldom
        # fires on consecutive days, not enough to tell a new launch: `cluster.py`).
        if cues.yesterday.search(body) or dates_only_the_saying(body, cues.lang, published_at):
            found.append("ctx:dated_saying")
    elif (
        "ctx:dated_yesterday" not in reasons
        and in_utc
        and all(gap == 0 for gap in in_utc)
        and all(gap == 1 for gap in at_site)
    ):
        # "Yesterday" on the launch site's calendar, not the reporter's: the event stage
        # counts it back from the site's day.
        found += ["ctx:dated_yesterday", "ctx:yesterday_at_site"]
    # The night just past ("overnight", "밤사이", "未明"), when the report names no earlier
    # day: no older date, no word for the day before next to it ("전날 새벽", "before dawn
    # yesterday": the night before; "overnight ... after yesterday's attack" is still last night).
    if (
        _OLDER_NEWS.isdisjoint(reasons)
        and _OLDER_NEWS.isdisjoint(found)
        and any(
            not cues.yesterday.search(body[max(0, m.start() - _NEAR) : m.end() + _NEAR])
            for m in cues.overnight.finditer(body)
        )
    ):
        found.append("ctx:overnight")
    return found


def _why_read_facts(
    is_launch: bool, probability: float | None, places: tuple[str, ...]
) -> list[str] | None:
    """Whether to read the facts of a report the rules did not weigh (None: no), and the cue
    that says why, if any. The model found a launch, or doubts one that the stream around it
    may yet make a launch report (`stream.py`: that needs its launcher); or by its places,
    unless it names another launcher for sure ("헤즈볼라, 텔아비브·하이파 향해 로켓 발사"
    the week of Iran's barrage on Tel Aviv and Haifa): a launcher read for that alone lifts
    nothing by itself (`ctx:launcher_for_place`, `stream.may_lift`)."""
    if is_launch or (probability is not None and probability >= LIFT_PROBABILITY):
        return []
    if places and (probability or 0.0) >= LIFT_PROBABILITY_BALLISTIC:
        return ["ctx:launcher_for_place"]
    return None


def _places(folded: tuple[str, str], cues: LangCues) -> tuple[str, ...]:
    """The places of a launch's theatre that the headline and lede name, by their English names
    (cue data [place_names]: "Kryvyi Rih", "바트얌", "ジザン"), less the broad ones ([places]:
    not "Ukraine" or "Seoul"). Two reports naming one within hours tell of the same strike
    (`stream.py`)."""
    found = {
        text[start:end]
        for text in folded
        for _, start, end in cues.theatres.finditer(text, cues.word_start)
    }
    return tuple(
        sorted({cues.place_names.get(p, p) for p in found if not cues.broad_places.fullmatch(p)})
    )


def _confidence(probability: float, threshold: float, is_launch: bool) -> float:
    """The model's probability rescaled so that its threshold reads 0.5, as the rules' does
    (ALERTS_MIN_CONFIDENCE is set against that scale); at most 0.45 for a negative verdict."""
    if probability >= threshold:
        value = 0.5 + 0.5 * (probability - threshold) / max(1e-9, 1.0 - threshold)
    else:
        value = 0.5 * probability / max(1e-9, threshold)
    return round(value if is_launch else min(value, 0.45), 3)


def _context(folded: tuple[str, str], cues: LangCues) -> frozenset[str]:
    """Context kinds (CONTEXT_KINDS) present: all of them read in the title, the
    corrections and past references in the summary too."""
    found = set(cues.context_set.present(folded[0], cues.word_start))
    if folded[1]:
        found.update(_SUMMARY_CONTEXT & cues.context_set.present(folded[1], cues.word_start))
    return frozenset(found)


def _verdict(
    is_launch: bool,
    score: float,
    reasons: list[str],
    facts: Facts,
    negatives: dict[str, float],
    reclassified: bool = False,
) -> Verdict:
    """The score as a probability-like confidence (0.5 at the threshold), capped below 0.5
    for a negative verdict, and the strongest negative category for one (for a report that
    reclassifies a launch as no ballistic missile, the weapon it now names)."""
    confidence = 1.0 / (1.0 + math.exp(-1.4 * (score - THRESHOLD)))
    if not is_launch:
        confidence = min(confidence, 0.45)
    category = None
    if not is_launch:
        weapons = {c: w for c, w in negatives.items() if c in _WEAPON_TYPE_CATEGORIES}
        category = _top_category(weapons if reclassified and weapons else negatives)
        if reclassified and category is None:
            category = "other"
    return Verdict(
        is_launch=is_launch,
        confidence=round(confidence, 3),
        reasons=tuple(reasons),
        facts=facts,
        category=category,
    )


def _flash_bonus(title_hits: frozenset[str], lang: str, reasons: list[str]) -> float:
    if "flash" not in title_hits:
        return 0.0
    reasons.append(f"{lang}:flash")
    return _FLASH


def _hits(folded: str, cues: LangCues, *, title: bool) -> frozenset[str]:
    """The strongest missile kind and launch kind present in one lower-cased segment (weaker
    kinds of the same group add nothing), and whether a title reads as a flash."""
    if not folded:
        return frozenset()
    present = cues.positive_set.present(folded, cues.word_start)
    found = set()
    for group in (_MISSILE_WEIGHTS, _LAUNCH_WEIGHTS):
        strongest = next((kind for kind in group if kind in present), None)
        if strongest:
            found.add(strongest)
    if title and "flash" in present:
        found.add("flash")
    return frozenset(found)


def _best(
    segments: tuple[frozenset[str], frozenset[str]], weights: dict[str, float]
) -> tuple[float, str | None, bool]:
    """Best weighted kind over title (full weight) and summary (reduced), and whether both
    segments carry one of the kinds."""
    best, best_kind = 0.0, None
    for factor, hits in zip((1.0, _SUMMARY_POS), segments, strict=True):
        for kind in hits:
            weight = weights.get(kind, 0.0) * factor
            if weight > best:
                best, best_kind = weight, kind
    kinds = weights.keys()
    both = not kinds.isdisjoint(segments[0]) and not kinds.isdisjoint(segments[1])
    return best, best_kind, both


def _missile_evidence(
    segments: tuple[frozenset[str], frozenset[str]], lang: str, reasons: list[str]
) -> tuple[float, str | None]:
    best, kind, both = _best(segments, _MISSILE_WEIGHTS)
    if kind is None:
        return 0.0, None
    reasons.append(f"{lang}:{kind}")
    return best + (_CORROBORATION if both else 0.0), kind


def _launch_evidence(
    segments: tuple[frozenset[str], frozenset[str]], lang: str, reasons: list[str]
) -> float:
    best, kind, both = _best(segments, _LAUNCH_WEIGHTS)
    if kind is None:
        return 0.0
    reasons.append(f"{lang}:{kind}")
    return best + (_CORROBORATION if both and best >= _MIN_LAUNCH else 0.0)


def _fact_bonus(facts: Facts, missile_kind: str | None, reasons: list[str]) -> float:
    """Stated flight data is what launch reports carry and commentary rarely does; a plain
    "missile" counts as ballistic when a habitual ballistic launcher fired it."""
    bonus = 0.0
    if missile_kind in ("missile", "projectile") and facts.country in _LIKELY_BALLISTIC:
        reasons.append("ctx:likely_launcher")
        bonus += _LIKELY_LAUNCHER_BONUS
    stated = [
        n
        for n in ("distance_km", "apogee_km", "inside_japan_eez", "speed_mach")
        if getattr(facts, n) is not None
    ]
    reasons.extend(f"fact:{name.removesuffix('_km')}" for name in stated)
    if stated:
        bonus += _FACT_BONUS
    if facts.authority:
        reasons.append("fact:authority")
        bonus += _AUTHORITY_BONUS
    return bonus


def _summary_may_matter(score: float, candidate: bool, title_negatives: dict[str, float]) -> bool:
    """Whether the summary's negative cues could change the verdict or name its category.

    They are read only then: the summary is most of the text, and at half weight its negatives
    cannot sink a clear launch report nor matter for an item that is no launch candidate and
    whose title already names its negative category.
    """
    if not candidate:
        return not title_negatives
    after_title = score - _negative_total(title_negatives, [])
    return after_title >= THRESHOLD and after_title - _MAX_SUMMARY_NEG < THRESHOLD


def _negative_scores(
    folded: str, hits: frozenset[str], cues: LangCues, factor: float
) -> dict[str, float]:
    """Weight of each negative category in one lower-cased segment, scaled by `factor`, with the
    discounts of the module docstring applied."""
    scores: dict[str, float] = {}
    present = cues.negative_set.present(folded, cues.word_start)
    for category in NEGATIVE_CATEGORIES:
        if category not in present:
            continue
        if category == "warning" and search_cue(cues.positive["blast"], folded, cues.word_start):
            continue  # the ballistic threat declared, then the blasts: a warning come true
        strong, weak = cues.negative[category]
        weight = _segment_weight(category, strong, weak, folded, hits, cues.word_start)
        if weight:
            scores[category] = weight * factor
    return scores


def _segment_weight(
    category: str,
    strong: re.Pattern[str],
    weak: re.Pattern[str],
    text: str,
    hits: frozenset[str],
    word_start: bool,
) -> float:
    """Weight of one negative category in one segment, discounts applied."""
    weight = _NEG_STRONG[category] if search_cue(strong, text, word_start) else 0.0
    if not weight and search_cue(weak, text, word_start):
        weight = _NEG_WEAK
    if category in _WEAPON_TYPE_CATEGORIES and "ballistic" in hits:
        weight *= _TYPE_DISCOUNT
    elif category in _STATEMENT_CATEGORIES and not _STATED_LAUNCH.isdisjoint(hits):
        weight *= _FINITE_DISCOUNT
    return weight


def _negative_total(negatives: dict[str, float], reasons: list[str]) -> float:
    ranked = sorted(negatives.items(), key=lambda kv: -kv[1])
    reasons.extend(f"neg:{category}" for category, _ in ranked)
    if not ranked:
        return 0.0
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][1] + _SECOND_NEG * second


def _top_category(negatives: dict[str, float]) -> str | None:
    if not negatives:
        return None
    return max(negatives.items(), key=lambda kv: kv[1])[0]
