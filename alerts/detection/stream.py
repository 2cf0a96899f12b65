"""Verdicts in the light of the stream around them: was there a launch for an item to be news of?

Why: a launch report is news of a launch of the last 48 hours, and an item often cannot say so
itself. A reaction or an analysis names the launch but not its day ("US: Emad test appears to
violate UN resolution 1929", "Rajnath Singh: India joins select group with MIRV capability"),
and an aftermath story reads as surely as a flash ("Bedouin girl hit by interceptor shrapnel in
Iran attack still in serious condition", three days on). The stream tells them apart: a launch
has reports the model is sure of (anchors), and the rest of its news cycle comes within hours
of them. So, where the model judged an item (`Verdict.probability`):

- an item the model doubted, naming a launcher that an anchor reported in the day before it
  (or the hour after: a first flash), is a launch report (`ctx:stream_launch`: the reaction,
  the analysis, the state-media claim);
- an item the model doubted (from 0.02), naming a place of a strike that an anchor named in
  the 12 hours before it (or the hour after), of its launcher or naming none for sure, is one
  too (`ctx:stream_place`: "Kryvyi Rih toll rises to 16", "Coalition: 'aerial targets' over
  Jeddah and Taif were dealt with"; a place by its English name in any language, "키이우" or
  "Kiev" as "Kyiv"; not a state, a sea or a capital that speaks: cue data [places]). Measured
  on the development split (models trained without each fifth of the writers,
  `bench/eval_halves.py --joint --by-writer`): 68 launch reports more found for 10 false
  positives more; with the half models, 30 for 9; headlines alone, 67 for 3 and 51 for 7. The
  launcher it names is read for this (`ctx:launcher_for_place`: "헤즈볼라, 텔아비브·하이파 향해 로켓
  발사", Hezbollah's rockets, is no news of Iran's barrage on both cities), and lifts nothing by
  itself. A drone, rocket or glide-bomb story on the anchor's city the same night naming no
  launcher for sure is lifted too ("Israeli jets strike Iranian missile launchers", whose
  launcher is a guess);
- an item the model called a launch, short of anchor-sure, with no anchor of its launcher in
  the 48 hours before it or the few after (of any launcher, when its launcher is a guess), is
  not (`ctx:stream_silent`), provided the stream was listening: it has other items around
  it, or began hours before it (one item alone, or the first of a stream, stands as judged).

Measured on the development split of the corpus as it was then (526 events; each item scored
by a model that did not train on it, the whole split as one stream: `bench/eval_halves.py
--joint`): precision 0.916 -> 0.937, recall 0.887 -> 0.960 (flashes 0.962 -> 0.970, reactions
0.855 -> 0.956, analyses 0.792 -> 0.942).

`alerts classify` reads its input as one stream (the whole input before it writes a line). The
service's own stream is its open events: a doubted report naming its launcher (not a guess)
joins, silently and as a source only, an event of that launcher launched in the day before it
(`pipeline._join_follow_up`); it silences nothing, its opening rules being stricter than one
report's probability (a report two sources corroborate opens an event there, while here each
may be silenced).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta

from alerts.models import Verdict

# A report this sure is news of a launch on its own: the confidence at which the service opens
# an event on one report (ALERTS_NEW_EVENT_CONFIDENCE's default; a model probability of 0.92 at
# its 0.6 threshold), so that a report it alerts on is never silenced here.
ANCHOR_CONFIDENCE = 0.9
LIFT_PROBABILITY = 0.1  # a doubted report at least this likely may be lifted by an anchor
# ...or this likely, when it names a ballistic missile (a type or a system): a writer the model
# never read gets lower scores for the reactions and claims of a launch, seldom for the news
# beside it that names no ballistic missile (bench/eval_halves.py --joint --by-writer). Below
# LIFT_PROBABILITY the detector reads a doubted report's launcher only where the rules weighed
# it as a launch (`classify_item`), so only those reports are lifted from here.
LIFT_PROBABILITY_BALLISTIC = 0.02
_BALLISTIC = frozenset({"en:ballistic", "ko:ballistic", "ja:ballistic"})
LIFT_AFTER = timedelta(hours=24)  # ...published this soon after an anchor of its launcher
LIFT_BEFORE = timedelta(hours=1)  # ...or this soon before one (a flash ahead of the sure reports)
CYCLE_BEFORE = timedelta(hours=48)  # a launch report's anchor comes at most this long before it
CYCLE_AFTER = timedelta(hours=6)  # ...or this long after (a first flash before the sure reports)
LISTENING = timedelta(hours=6)  # a stream heard this long before an item can vouch for silence
PLACE_AFTER = timedelta(hours=12)  # a doubted report naming an anchor's place this soon after it


class _Anchors:
    """Anchors' publication times, by launcher and all together, sorted for range queries."""

    def __init__(self, entries: Sequence[tuple[datetime | None, Verdict]]) -> None:
        self.by_country: dict[str, list[datetime]] = {}
        self.every: list[datetime] = []
        placed: dict[str, list[tuple[datetime, str]]] = {}  # (time, launcher) by place
        for at, verdict in entries:
            country = verdict.facts.country
            if (
                at is not None
                and country
                and verdict.is_launch
                and verdict.probability is not None
                and verdict.confidence >= ANCHOR_CONFIDENCE
            ):
                self.by_country.setdefault(country, []).append(at)
                self.every.append(at)
                for place in verdict.places:
                    placed.setdefault(place, []).append((at, country))
        for times in (self.every, *self.by_country.values()):
            times.sort()
        # by place, the anchors' times in order and their launchers in the same order
        self.by_place: dict[str, tuple[list[datetime], list[str]]] = {
            place: ([at for at, _ in anchors], [code for _, code in anchors])
            for place, anchors in ((p, sorted(a)) for p, a in placed.items())
        }

    def near(self, country: str | None, at: datetime, before: timedelta, after: timedelta) -> bool:
        """Whether an anchor (of `country`, or of any launcher for None) was published in
        [at - before, at + after]. (An item reconsidered is never an anchor itself.)"""
        times = self.every if country is None else self.by_country.get(country, [])
        return bisect_right(times, at + after) > bisect_left(times, at - before)

    def at_place(self, verdict: Verdict, at: datetime) -> bool:
        """Whether an anchor naming one of the verdict's places was published in [at -
        PLACE_AFTER, at + LIFT_BEFORE], of the verdict's launcher unless that is unread or a
        guess."""
        country = verdict.facts.country
        anyone = not country or "ctx:launcher_guessed" in verdict.reasons
        for place in verdict.places:
            times, launchers = self.by_place.get(place, ([], []))
            first = bisect_left(times, at - PLACE_AFTER)
            last = bisect_right(times, at + LIFT_BEFORE)
            if first < last and (anyone or country in launchers[first:last]):
                return True
        return False


def in_stream(entries: Sequence[tuple[datetime | None, Verdict]]) -> list[Verdict]:
    """Each entry's verdict (publication time, verdict) reconsidered against the others, in
    the same order. Undated items (or dated within days of year 1 or 9999), and verdicts the
    model did not judge, stay as they are."""
    usable = [(at if _usable(at) else None, verdict) for at, verdict in entries]
    anchors = _Anchors(usable)
    dated = sorted(at for at, _ in usable if at is not None)
    out = []
    for at, verdict in usable:
        if at is None or verdict.probability is None or verdict.corrects:
            out.append(verdict)
        elif not verdict.is_launch:
            out.append(_lifted(verdict, at, anchors))
        else:
            out.append(_silenced(verdict, at, anchors, dated))
    return out


_MARGIN = timedelta(days=7)


def _usable(at: datetime | None) -> bool:
    """A time whose news cycle's span can be computed (not within days of year 1 or 9999)."""
    return (
        at is not None and datetime.min + _MARGIN < at.replace(tzinfo=None) < datetime.max - _MARGIN
    )


def may_lift(verdict: Verdict) -> bool:
    """Whether a verdict is one a sure report of its launcher's launch in the day before would
    lift: the model doubted it, not out of hand, and it names its launcher (read for the
    report's own sake, not only to tell whose strike its places saw)."""
    probability = verdict.probability or 0.0
    return (
        not verdict.is_launch
        and not verdict.corrects
        and bool(verdict.facts.country)
        and "ctx:launcher_for_place" not in verdict.reasons
        and "ctx:space_announced" not in verdict.reasons
        and (
            probability >= LIFT_PROBABILITY
            or (
                probability >= LIFT_PROBABILITY_BALLISTIC
                and not _BALLISTIC.isdisjoint(verdict.reasons)
            )
        )
    )


def lift(verdict: Verdict, reason: str = "ctx:stream_launch") -> Verdict:
    """The verdict as a launch report, at the decision point (`reason`: by its launcher, or
    `ctx:stream_place`, by its places)."""
    return dataclasses.replace(
        verdict,
        is_launch=True,
        confidence=0.5,
        category=None,
        reasons=(*verdict.reasons, reason),
    )


def _lifted(verdict: Verdict, at: datetime, anchors: _Anchors) -> Verdict:
    """A doubted report of a launcher an anchor reported within the day before it, or within
    the hour after (a first flash, "Missile launched from North Korea: NHK"), or of a place an
    anchor named within the 12 hours before it or the hour after: a launch report."""
    if may_lift(verdict) and anchors.near(verdict.facts.country, at, LIFT_AFTER, LIFT_BEFORE):
        return lift(verdict)
    if (
        verdict.places
        and (verdict.probability or 0.0) >= LIFT_PROBABILITY_BALLISTIC
        and anchors.at_place(verdict, at)
    ):
        return lift(verdict, "ctx:stream_place")
    return verdict


def _silenced(verdict: Verdict, at: datetime, anchors: _Anchors, dated: list[datetime]) -> Verdict:
    """A launch verdict short of anchor-sure, with no anchor of its launcher (of any, if its
    launcher is a guess or unknown) in its news cycle's span while the stream has other items
    in that span: not news of a launch."""
    if verdict.confidence >= ANCHOR_CONFIDENCE:
        return verdict
    # Silence means something where the stream was listening: other items in the span (the
    # item itself is one of `dated`), or the stream's first item well before it (a quiet
    # stretch of a long stream).
    around = bisect_right(dated, at + CYCLE_AFTER) - bisect_left(dated, at - CYCLE_BEFORE)
    if around < 2 and at - dated[0] < LISTENING:
        return verdict
    country = verdict.facts.country
    guessed = not country or "ctx:launcher_guessed" in verdict.reasons
    if anchors.near(None if guessed else country, at, CYCLE_BEFORE, CYCLE_AFTER):
        return verdict
    return dataclasses.replace(
        verdict,
        is_launch=False,
        confidence=min(verdict.confidence, 0.45),
        reasons=(*verdict.reasons, "ctx:stream_silent"),
    )
