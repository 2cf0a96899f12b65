"""A linear model over words, character n-grams and the rule cues: the detector's final say.

Why: hand-written cues fit the reporting patterns their authors imagined; real news cycles
(detail updates hours later, reactions and analysis that state the launch's facts, state-media
claims) are better told apart by weights learned from labelled real reporting
(tests/corpus/real, development split; `scripts/train_detector.py` writes `model/weights.json`).
The rules still run first: their cues are features here, their facts and context flags feed
the event stage, and an item with no missile or launch cue never reaches the model.

Features, all deterministic and cheap (a few hundred dict lookups an item):
- `r:<reason>`: every cue the rules fired ("en:ballistic", "neg:drill", "ctx:title_silent");
- `p:<t|s|tn|sn>:<kind>`: the positive cue kinds and negative categories of the title and of
  the lede apart (the reasons name each once, wherever it fired);
- `d:<part><min|max><bucket>`: the nearest and farthest day the title (`t`) and the lede (`s`)
  name, weekdays included, in days before publication (0, 1, 2, `w`eek, `m`onth, `y`ear), or
  `d:tnone`, `d:snone`;
- title and summary tokens, apart (`t:` and `s:`): Latin-script words and word pairs, with
  digits folded to 0 ("1,000 km" and "2,000 km" are one feature) and an -s, -es, -ed or -ing
  ending of words over four letters dropped ("launches", "launched": "launch"); for other
  scripts (Korean, Japanese) character bigrams and, in the title, trigrams of each run of letters.
The score is a logistic probability; `threshold` in the weights file is the decision point.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise, repeat
from typing import Protocol

SUMMARY_CHARS = 160  # ledes carry the news; the rest is background (no better at 400)
_RUN = re.compile(r"[^\W_]+")
_DIGITS = str.maketrans("0123456789０１２３４５６７８９", "0" * 20)


_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")
# Wire desks' tags ("(LEAD)", "(속보)", "【速報】", "BREAKING:"): they mark how a desk files a
# story, not what it is about. The corpus writers put them on launch flashes only, so a model
# that saw them learned them as launch words; real desks tag any breaking story.
_WIRE_TAG = re.compile(
    r"[(\[【<＜〈（]\s*(?:속보|긴급|단독|종합\d?보?|\d보|lead|urgent|update\s?\d*|breaking|flash"
    r"|\d*(?:st|nd|rd|th)\s?ld|速報|続報|詳報|更新|独自|第\d報|ニュース速報)\s*[)\]】>＞〉）]"
    # bare, a colon, a dash or a spaced hyphen after it ("BREAKING: ", "BREAKING— ", "Flash - "),
    # or Reuters' "UPDATE 2-": never a word's own hyphen ("Flash-flood", "Urgent-care clinics")
    r"|^\W{0,3}(?:(?:breaking(?:\s+news)?|urgent|flash|update(?:\s?\d+)?)(?:\s*[:–—]|\s+-\s)"
    r"|update\s?\d+\s?[-–—])\s*",
    re.IGNORECASE,
)
_TAG_REASONS = frozenset(
    {"en:flash", "ko:flash", "ja:flash", "ctx:breaking", "p:t:flash", "p:s:flash"}
)


def _stem(word: str) -> str:
    """A crude English stem: "fires" and "fired" share their weight, which a few thousand
    labelled items cannot learn for every form apart."""
    return _SUFFIX.sub("", word) if len(word) > 4 else word


def _grams(text: str, prefix: str, trigrams: bool) -> list[str]:
    grams: list[str] = []
    words: list[str] = []
    for run in _RUN.findall(text.lower().translate(_DIGITS)):
        if run.isascii():
            words.append(prefix + _stem(run))
            continue
        # Korean and Japanese: character n-grams of the run, edges marked.
        padded = f"<{run}>"
        grams += [prefix + padded[i : i + 2] for i in range(len(padded) - 1)]
        if trigrams:
            grams += [prefix + padded[i : i + 3] for i in range(len(padded) - 2)]
    grams += words
    grams += [f"{a}_{b[len(prefix) :]}" for a, b in pairwise(words)]
    return grams


def features(
    title: str,
    summary: str,
    reasons: Iterable[str],
    days: Iterable[str] = (),
    placed: Iterable[str] = (),
) -> set[str]:
    """The model's binary features of one item (`days`: how far back its title and lede date
    their news, `classify._stated_days`; `placed`: its cues by segment, `classify._placed_cues`,
    already prefixed `p:`). Wire tags and the cues they fire are left out (`_WIRE_TAG`);
    `x:nosum` marks a headline carried with no lede, which the model learns from title-only
    copies of the corpus (`scripts/train_detector.py`)."""
    found = {f"r:{r}" for r in reasons if r not in _TAG_REASONS}
    found.update(f"d:{d}" for d in days)
    found.update(p for p in placed if p not in _TAG_REASONS)
    found.update(_grams(_WIRE_TAG.sub(" ", title), "t:", True))
    if summary.strip():
        found.update(_grams(summary[:SUMMARY_CHARS], "s:", False))
    else:
        found.add("x:nosum")
    return found


class ScoringModel(Protocol):
    """What `classify_item` needs of a model: a probability for an item's features and the
    decision point (`LinearModel`; `FeatureRecorder` in training and tests)."""

    @property
    def threshold(self) -> float: ...

    def probability(self, found: Iterable[str]) -> float: ...


@dataclass(frozen=True, slots=True)
class LinearModel:
    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, found: Iterable[str]) -> float:
        z = self.bias + sum(map(self.weights.get, found, repeat(0.0)))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


class FeatureRecorder:
    """Stands in for the model and keeps the features `classify_item` would score: training
    (`scripts/train_detector.py`) and tests read features from the same code as inference."""

    threshold = 0.5

    def __init__(self) -> None:
        self.found: set[str] = set()

    def probability(self, found: Iterable[str]) -> float:
        self.found = set(found)
        return 0.0


@lru_cache(maxsize=1)
def default_model() -> LinearModel | None:
    """The shipped model, or None when the package carries none (the rules then decide)."""
    try:
        text = (
            resources.files("alerts.detection")
            .joinpath("model/weights.json")
            .read_text(encoding="utf-8")
        )
    except FileNotFoundError:
        return None
    data = json.loads(text)
    return LinearModel(weights=data["weights"], bias=data["bias"], threshold=data["threshold"])
