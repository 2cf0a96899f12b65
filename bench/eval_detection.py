"""Score the launch detector against the labelled corpus, beside a plain keyword baseline.

Usage: python bench/eval_detection.py [--corpus PATH] [--quiet]

Prints precision, recall and F1 overall, per language and for the check set, and the false
positive rate of every negative category, for `classify_item` and for the keyword baseline
(an item is a launch when its title or summary contains "ballistic missile", "탄도미사일" or
"弾道ミサイル"), then lists the items the detector gets wrong with the cues that fired.

The corpus (tests/corpus/detection.jsonl)
-----------------------------------------
One JSON object per line:
  {"id", "lang", "title", "summary", "published", "label", "category", "note"?}
- `label` is true for a report that a ballistic missile launch has just happened or is
  happening (flashes, follow-ups adding facts, state-media claims of a test, attack reports
  such as "Iran fires ballistic missiles at Israel", interceptions of an incoming missile).
- `category` is "launch" for positives; for negatives one of drill, cruise, artillery, space,
  engine_test, diplomacy, warning, analysis, arms_deal, sports, metaphor, reaction.
- `published` is an ISO 8601 UTC time; it only matters for resolving stated clock times.
- Optional, where a row states them: what the verdict should say for the event stage:
  `country` (the launching state), `corrects`, `another`, `retrospective` (booleans),
  `landing_area` (canonical name) and `launch_time` (ISO 8601). They are scored apart
  ("Context and facts"); a row without the key is not scored on it.
- Items were written by hand in the style of Yonhap, NHK, Kyodo, Reuters, AP, AFP, KCNA and
  the Times of Israel, from real reporting patterns; none is copied.
- Labelling rules where reasonable people differ (the detector follows the same rules):
  * Reactions: an item whose headline only reacts to a launch named as a noun ("Seoul
    condemns North Korea's launch", "北朝鮮のミサイル発射を受け...") is a `reaction` negative;
    a headline that itself states the launch as a clause ("Japan protests as North Korea fires
    ballistic missile") is a launch report.
  * Drills that really fire ballistic missiles (Yars in strategic exercises, Hyunmoo response
    drills) are launches; missile-defence drills, interceptor tests and evacuation drills are
    `drill` negatives.
  * A plain "missile" fired by North Korea, Iran or the Houthis counts as ballistic (it almost
    always is); the same word for Russia or others needs a ballistic type or name.
  * Satellite launches are `space` negatives even by North Korea, unless the headline itself
    reports a ballistic missile launch (as J-Alert texts do).
- Batches were written at different times, and each was scored before the detector was tuned
  on it. Ids without a prefix: the first corpus (the second half, 217 items, scored
  P=0.92 R=0.93 on first sight). "chk-": the check set, written after tuning and never tuned on
  (60 items, P=R=1.00 on first sight). "r2-" to "r6-": later probes of weak spots, mostly bare
  headlines (167 items; 16 of them misclassified on first sight, then fixed). Over everything
  scored on first sight (444 items): P=0.93, R=0.93; expect held-out real reports nearer
  that than the 1.00 this corpus now shows.
  "r7-" (34 items) carry the optional context fields and were written together with the rules
  for launcher, corrections, further launches and past references: not a first-sight test.
  "r8-" (28 items) probed those rules after they were written; on first sight 4 of 30 probes
  were misclassified and 5 of 29 launchers wrong (missing verbs "launch"/"intercepts",
  "ballistic threat", "이스라엘 향해", "two dead"), then fixed; 2 probes whose labels were
  doubtful were dropped.
  "r9-" (42 items): a third probe round; on first sight 4 of 22 launches were wrong (a Korean
  target country before its city, "5명 부상", "어디까지 왔나" analysis, "conducts rare ICBM
  test") and 1 of 20 hard negatives fired ("탄도미사일 아냐"), then fixed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alerts.detection.classify import classify_item  # noqa: E402
from alerts.models import Item, Verdict  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus" / "detection.jsonl"
BASELINE_KEYWORDS = ("ballistic missile", "탄도미사일", "弾道ミサイル")
CHECK_PREFIX = "chk-"
CHECKED_FIELDS = ("country", "corrects", "another", "retrospective", "landing_area",
                  "launch_time")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled corpus line as an Item plus its label and category."""

    item: Item
    label: bool
    category: str
    expect: dict[str, object] = dataclasses.field(default_factory=dict)  # CHECKED_FIELDS


@dataclass(frozen=True, slots=True)
class Scores:
    """Counts and derived rates of one predictor on one slice of the corpus."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_corpus(path: Path) -> list[Example]:
    """Parse the JSONL corpus into Examples."""
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        published = row.get("published")
        item = Item(
            id=row["id"],
            source="corpus",
            title=row["title"],
            summary=row.get("summary", ""),
            lang=row.get("lang"),
            published_at=datetime.fromisoformat(published.replace("Z", "+00:00"))
            if published
            else None,
        )
        expect = {k: row[k] for k in CHECKED_FIELDS if k in row}
        examples.append(Example(item, bool(row["label"]), row["category"], expect))
    return examples


def is_launch_by_keyword(item: Item) -> bool:
    """The baseline: any of the plain keywords in the title or summary."""
    text = f"{item.title} {item.summary}".lower()
    return any(k in text for k in BASELINE_KEYWORDS)


def score(pairs: Iterable[tuple[bool, bool]]) -> Scores:
    """Scores from (label, predicted) pairs."""
    tp = fp = fn = tn = 0
    for label, predicted in pairs:
        tp += label and predicted
        fp += (not label) and predicted
        fn += label and not predicted
        tn += not label and not predicted
    return Scores(tp, fp, fn, tn)


def _row(name: str, s: Scores) -> str:
    return (
        f"  {name:<22} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}"
        f"  (tp={s.tp} fp={s.fp} fn={s.fn} tn={s.tn})"
    )


def _slice_report(
    title: str,
    examples: list[Example],
    predictions: dict[str, dict[str, bool]],
    select: Callable[[Example], str | None],
) -> None:
    print(title)
    keys = sorted({k for e in examples if (k := select(e)) is not None})
    for key in keys:
        chosen = [e for e in examples if select(e) == key]
        for name, predicted in predictions.items():
            s = score((e.label, predicted[e.item.id]) for e in chosen)
            print(_row(f"{key} {name}", s))


def _category_report(examples: list[Example], predictions: dict[str, dict[str, bool]]) -> None:
    print("Negative categories: false-positive rate (n)")
    for category in sorted({e.category for e in examples if not e.label}):
        chosen = [e for e in examples if e.category == category]
        rates = "  ".join(
            f"{name}={sum(p[e.item.id] for e in chosen) / len(chosen):.3f}"
            for name, p in predictions.items()
        )
        print(f"  {category:<12} n={len(chosen):<4} {rates}")


def _stated(verdict: Verdict, name: str) -> object:
    if name in ("corrects", "another", "retrospective"):
        return getattr(verdict, name)
    value = getattr(verdict.facts, name)
    return value.isoformat() if isinstance(value, datetime) else value


def _context_report(examples: list[Example], verdicts: dict[str, Verdict]) -> None:
    """Agreement on the optional per-row fields, and the rows that disagree."""
    print("Context and facts (rows that state them): correct/n")
    misses = []
    for name in CHECKED_FIELDS:
        rows = [e for e in examples if name in e.expect]
        if not rows:
            continue
        wrong = [e for e in rows if _stated(verdicts[e.item.id], name) != e.expect[name]]
        print(f"  {name:<14} {len(rows) - len(wrong)}/{len(rows)}")
        misses += [(e, name) for e in wrong]
    for e, name in misses:
        got = _stated(verdicts[e.item.id], name)
        print(f"    {e.item.id} {name}: want {e.expect[name]!r} got {got!r}  {e.item.title[:60]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--quiet", action="store_true", help="do not list misclassified items")
    args = parser.parse_args(argv)
    examples = load_corpus(args.corpus)
    verdicts = {e.item.id: classify_item(e.item) for e in examples}
    predictions = {
        "detector": {i: v.is_launch for i, v in verdicts.items()},
        "baseline": {e.item.id: is_launch_by_keyword(e.item) for e in examples},
    }
    positives = sum(e.label for e in examples)
    print(f"Corpus: {args.corpus} ({len(examples)} items, {positives} launches)")
    print("Overall")
    for name, predicted in predictions.items():
        print(_row(name, score((e.label, predicted[e.item.id]) for e in examples)))
    _slice_report("Per language", examples, predictions, lambda e: e.item.lang)
    _slice_report(
        "Tuning set vs check set (ids chk-*: written after tuning)",
        examples,
        predictions,
        lambda e: "check" if e.item.id.startswith(CHECK_PREFIX) else "tuning",
    )
    _category_report(examples, predictions)
    _context_report(examples, verdicts)
    wrong = [e for e in examples if verdicts[e.item.id].is_launch != e.label]
    print(f"Misclassified by the detector: {len(wrong)}")
    if not args.quiet:
        for e in wrong:
            v = verdicts[e.item.id]
            print(f"  {e.item.id} [{e.category}] conf={v.confidence} {e.item.title[:80]}")
            print(f"      reasons={','.join(v.reasons)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
