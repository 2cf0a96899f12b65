"""Would a learned launcher, stream stage or first-news model beat the rules? Cross-fitted on dev.

Usage: python bench/stage_variants.py [--sure P] [--first-news-only]

Needs the `train` extra (scikit-learn); a few minutes. As `eval_halves.py --joint`, it trains the
detector without each dev half and classifies the whole dev split as one stream, each item by
the model that did not see it. Then, cross-fitted by dev half again (each second stage trained
on one half, scoring the other):
- a launcher model: multinomial logistic regression over the detector's features and the
  rules' launcher (`rule:<code>`, and whether the rules only guessed it), trained on the other
  half's launch reports with the event table's launcher as the label. Prints how often the rules
  and the model name that launcher, what overriding a launcher the rules named, where the model
  is at least `--sure` P sure of another, fixes and breaks, and the joint stream's event figures
  replayed without and with those overrides;
- a learned stream stage: logistic regression over the model's probability (in tenths), how
  many anchors (reports the model is sure of) of the item's launcher and of any launcher stand
  in windows around it, and the item's context and negative cues, in place of the rules of
  `alerts.detection.stream`: item precision and recall of both at several decision points.
- a learned first-news model: logistic regression over the detector's features, trained on the
  other half's launch reports with their kind as the label (a first flash against a later
  report: a detail, reaction, analysis, claim or correction), standing in for the hand-written
  tests of a habitual launcher's news of a new day: a report stating no time, 8 to 36 hours
  after its launcher's latest launch, that the rules would open a new event with, is kept with
  that launch when the model gives it less than T of being a first flash. Prints the model's
  ranking (area under the ROC curve by half) and the joint stream's event figures as the rules
  read it and at two T.
The question is whether any of these stages, written by hand now, is where the errors come from.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import functools
import json
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts"))

import eval_halves  # noqa: E402
import eval_real as er  # noqa: E402
from real_corpus import Corpus, load  # noqa: E402
from train_detector import to_matrix  # noqa: E402

import alerts.cli as cli  # noqa: E402
import alerts.events.cluster as cluster  # noqa: E402
from alerts.detection.classify import classify_item  # noqa: E402
from alerts.detection.model import LinearModel  # noqa: E402
from alerts.detection.stream import ANCHOR_CONFIDENCE, in_stream  # noqa: E402
from alerts.models import Item, Verdict  # noqa: E402

_WINDOWS_H = ((-1, 1), (-6, 0), (-24, -6), (-48, -24), (-96, -48), (0, 6))


class _Recording:
    """A half model that keeps the features of the item it last scored."""

    def __init__(self, model: LinearModel) -> None:
        self.model, self.found = model, set[str]()
        self.threshold = model.threshold

    def probability(self, found: Iterable[str]) -> float:
        self.found = set(found)
        return self.model.probability(self.found)


def _fit(x: object, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=1.0, max_iter=20000, tol=1e-6).fit(x, y)


def _cross_fitted(
    feats: Sequence[set[str]], halves: np.ndarray, train_rows: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's most likely label and its probability, from a model trained on the
    `train_rows` of the other half."""
    pred = np.empty(len(feats), dtype=object)
    sure = np.zeros(len(feats))
    for half in ("a", "b"):
        fit_on = np.where((halves != half) & train_rows)[0]
        score = np.where(halves == half)[0]
        vocab = {f: i for i, f in enumerate(sorted({f for i in fit_on for f in feats[i]}))}
        model = _fit(to_matrix([feats[i] for i in fit_on], vocab), labels[fit_on])
        p = model.predict_proba(to_matrix([feats[i] for i in score], vocab))
        pred[score] = model.classes_[p.argmax(1)]
        sure[score] = p.max(1) if p.shape[1] > 1 else 1.0
    return pred, sure


def _replay(corpus: Corpus, items: list[Item], verdict_of: dict[str, Verdict]) -> None:
    alerts = eval_halves.replay_alerts(items, lambda item: verdict_of[item.id])
    er.print_events("joint", er.event_figures(corpus, alerts), 0)


def _launcher_model(
    rows: list[dict], items: list[Item], verdicts: list[Verdict], feats: list[set[str] | None],
    dev: Corpus, actor: dict[str, str], sure_at: float,
) -> None:  # fmt: skip
    judged = [i for i, f in enumerate(feats) if f is not None]
    rule = [verdicts[i].facts.country for i in judged]
    guessed = ["ctx:launcher_guessed" in verdicts[i].reasons for i in judged]
    x = [
        feats[i] | {f"rule:{c or '-'}", f"rule{'g' if g else 's'}:{c or '-'}"}
        for i, c, g in zip(judged, rule, guessed, strict=True)
    ]
    gold = np.array([actor.get(rows[i]["event"] or "", "") for i in judged])
    halves = np.array([rows[i]["half"] for i in judged])
    pred, sure = _cross_fitted(x, halves, gold != "", gold)
    ruled = np.array([c or "" for c in rule])
    reports = gold != ""
    print(f"launch reports the model judged: {reports.sum()}; launcher right by the rules "
          f"{(ruled == gold)[reports].mean():.4f}, by the launcher model "
          f"{(pred == gold)[reports].mean():.4f}")  # fmt: skip
    override = (ruled != "") & (pred != ruled) & (sure >= sure_at)
    fixed = (override & reports & (pred == gold)).sum()
    broke = (override & reports & (ruled == gold)).sum()
    print(f"overriding a launcher the rules named where the model is {sure_at:.2f} sure of "
          f"another: {override.sum()} items ({(override & ~reports).sum()} negatives), "
          f"{fixed} launch reports fixed, {broke} broken")  # fmt: skip
    base = {item.id: v for item, v in zip(items, verdicts, strict=True)}
    print("== the joint stream as the rules read it")
    _replay(dev, items, base)
    changed = dict(base)
    for k, i in enumerate(judged):
        if override[k]:
            v = verdicts[i]
            changed[items[i].id] = dataclasses.replace(
                v, facts=dataclasses.replace(v.facts, country=str(pred[k]))
            )
    print("== the joint stream with the launcher model's overrides")
    _replay(dev, items, changed)


_FIRST_NEWS_WINDOW_S = (8 * 3600, 36 * 3600)


def _first_news_model(
    rows: list[dict], items: list[Item], verdicts: list[Verdict], feats: list[set[str] | None],
    dev: Corpus,
) -> None:  # fmt: skip
    judged = [i for i, f in enumerate(feats) if f is not None]
    kind = np.array([rows[i]["kind"] if rows[i]["label"] else "" for i in judged])
    halves = np.array([rows[i]["half"] for i in judged])
    x = [feats[i] or set() for i in judged]
    pred, sure = _cross_fitted(x, halves, kind != "", kind == "flash")
    p_flash = np.where(pred.astype(bool), sure, 1 - sure)
    for half in ("a", "b"):
        part = (halves == half) & (kind != "")
        auc = roc_auc_score(kind[part] == "flash", p_flash[part])
        print(f"half {half}: {part.sum()} launch reports, first flash against later: AUC {auc:.3f}")
    p_of = {items[i].id: float(p) for i, p in zip(judged, p_flash, strict=True)}
    base = {item.id: v for item, v in zip(items, verdicts, strict=True)}
    original = cluster.best_match
    low, high = _FIRST_NEWS_WINDOW_S

    def kept_with_latest(
        report: cluster.Report, candidates: Sequence[cluster.LaunchEvent], *,
        policy: cluster.EventPolicy, cut: float,
    ) -> cluster.LaunchEvent | None:  # fmt: skip
        match = original(report, candidates, policy=policy)
        if (
            match is not None
            or report.country not in cluster.HABITUAL_LAUNCHERS
            or report.stated_time
            or report.verdict.another
            or cluster._yesterday(report) is not None
        ):
            return match
        own = [e for e in candidates
               if e.country == report.country and e.launch_at <= report.launch_at]  # fmt: skip
        latest = max(own, key=lambda e: e.launch_at, default=None)
        if latest is None:
            return None
        gap = (report.published_at - latest.launch_at).total_seconds()
        first_news = p_of.get(report.item.id, 1.0)
        return latest if low < gap <= high and first_news < cut else None

    print("== the joint stream as the rules read it")
    _replay(dev, items, base)
    for cut in (0.05, 0.3):
        print(f"== the joint stream, a habitual launcher's report kept with its latest launch "
              f"when the first-news model gives it under {cut}")  # fmt: skip
        cluster.best_match = functools.partial(kept_with_latest, cut=cut)  # type: ignore[assignment]
        try:
            _replay(dev, items, base)
        finally:
            cluster.best_match = original


def _stream_features(
    at: datetime, verdict: Verdict, anchors: dict[str, list[datetime]], every: list[datetime]
) -> set[str]:
    tenth = min(9, int((verdict.probability or 0.0) * 10))
    found = {f"p{tenth}", f"launch:{verdict.is_launch}"}
    country = verdict.facts.country
    guessed = "ctx:launcher_guessed" in verdict.reasons
    found.add("guessed" if guessed else "named" if country else "none")
    own = anchors.get(country or "", []) if country and not guessed else every
    hour = timedelta(hours=1)
    for start, end in _WINDOWS_H:
        low, high = at + start * hour, at + end * hour
        mine = bisect.bisect_right(own, high) - bisect.bisect_left(own, low)
        anyone = bisect.bisect_right(every, high) - bisect.bisect_left(every, low)
        found |= {f"own{start},{end}:{min(mine, 3)}", f"any{start},{end}:{min(anyone, 3)}"}
    for reason in verdict.reasons:
        if reason.startswith(("ctx:", "neg:")):
            found |= {reason, f"{reason}&p{tenth}"}
    return found


def _stream_stage(rows: list[dict], items: list[Item], verdicts: list[Verdict]) -> None:
    anchors: dict[str, list[datetime]] = defaultdict(list)
    every: list[datetime] = []
    for item, v in zip(items, verdicts, strict=True):
        sure = v.is_launch and v.probability is not None and v.confidence >= ANCHOR_CONFIDENCE
        if sure and v.facts.country and item.published_at is not None:
            anchors[v.facts.country].append(item.published_at)
            every.append(item.published_at)
    for times in (*anchors.values(), every):
        times.sort()
    judged = [
        i for i, v in enumerate(verdicts)
        if v.probability is not None and items[i].published_at is not None
    ]  # fmt: skip
    x = [_stream_features(items[i].published_at, verdicts[i], anchors, every) for i in judged]
    label = np.array([bool(r["label"]) for r in rows])
    halves = np.array([rows[i]["half"] for i in judged])
    pred, sure = _cross_fitted(x, halves, np.ones(len(judged), dtype=bool), label[judged])
    p_launch = np.where(pred.astype(bool), sure, 1 - sure)
    stream = in_stream([(i.published_at, v) for i, v in zip(items, verdicts, strict=True)])
    rules = np.array([v.is_launch for v in stream])

    def figures(said: np.ndarray) -> str:
        tp, fp = (said & label).sum(), (said & ~label).sum()
        fn = (~said & label).sum()
        return f"P {tp / (tp + fp):.4f} R {tp / (tp + fn):.4f} ({fp} false positives, {fn} misses)"

    print(f"stream rules (stream.py):      {figures(rules)}")
    for cut in (0.4, 0.5, 0.6):
        said = rules.copy()
        said[judged] = p_launch >= cut
        print(f"learned stream stage at {cut:.1f}:  {figures(said)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sure", type=float, default=0.8, help="launcher override bar")
    parser.add_argument("--first-news-only", action="store_true",
                        help="skip the launcher and stream stages")  # fmt: skip
    args = parser.parse_args(argv)
    corpus = load()
    dev = corpus.split("dev")
    half_of = {i["id"]: h for h in ("a", "b") for i in corpus.split(f"dev:{h}").items}
    models = {}
    with tempfile.TemporaryDirectory(prefix="stage-variants-") as tmp:
        for half in ("a", "b"):
            out = Path(tmp) / f"without-{half}.json"
            eval_halves._train_half(
                half, out, argparse.Namespace(threshold=None, no_old=False, by_writer=False)
            )
            data = json.loads(out.read_text(encoding="utf-8"))
            models[half] = LinearModel(data["weights"], data["bias"], data["threshold"])
    rows = sorted(dev.items, key=lambda i: i["published"])
    items = [cli.item_from_json({k: r[k] for k in er.ITEM_FIELDS}, line_no=n)
             for n, r in enumerate(rows, start=1)]  # fmt: skip
    verdicts, feats = [], []
    for item in items:
        recording = _Recording(models[half_of[item.id]])
        verdict = classify_item(item, model=recording)
        verdicts.append(verdict)
        feats.append(recording.found if verdict.probability is not None else None)
    actor = {event: table["actor"] for event, table in corpus.events.items()}
    if not args.first_news_only:
        print("== a learned launcher, cross-fitted by dev half")
        _launcher_model(rows, items, verdicts, feats, dev, actor, args.sure)
        print("== a learned stream stage, cross-fitted by dev half")
        _stream_stage(rows, items, verdicts)
    print("== a learned first-news model, cross-fitted by dev half")
    _first_news_model(rows, items, verdicts, feats, dev)
    counts = Counter(bool(r["label"]) for r in rows)
    print(f"dev split: {counts[True]} launch reports, {counts[False]} negatives")
    return 0


if __name__ == "__main__":
    sys.exit(main())
