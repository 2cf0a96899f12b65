"""Does a second stage over the shipped model's score and the rule features rank better?

Usage: python bench/model_variants.py [--folds K]

Needs the `train` extra (scikit-learn). Cross-validates, by event (folds as in
`scripts/train_detector.py`, on the same rows and features), the shipped linear model and a
stacked variant: gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier) over
the linear model's log-odds and the rule features (`r:`, `d:`, `p:`, `x:`: cues, stated days,
placed cues, no lede), which could learn what a linear model cannot: a cue that means
something only beside a date ("Friday's strike" read on Sunday). The stacked model's inputs
for its training rows are themselves out of fold (an inner split within each outer training
fold), so neither stage sees a test event. Prints average precision and precision / recall at
the shipped decision point, with ledes and headlines alone, for both: the question is whether
the learner, rather than the data, is where the detector's errors come from.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

import train_detector as train  # noqa: E402

_RULE_PREFIXES = ("r:", "d:", "p:", "x:")


def _linear(x: csr_matrix, y: np.ndarray, weight: np.ndarray) -> LogisticRegression:
    model = LogisticRegression(C=1.0, max_iter=20000, tol=1e-6, solver="lbfgs")
    return model.fit(x, y, sample_weight=weight)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def _report(name: str, scores: np.ndarray, y: np.ndarray, parts: dict[str, np.ndarray]) -> None:
    for part, rows in parts.items():
        s, t = scores[rows], y[rows]
        said = s >= 0.6
        tp, fp, fn = (said & t).sum(), (said & ~t).sum(), (~said & t).sum()
        print(f"{name:<8} {part:<11} AP {average_precision_score(t, s):.4f}  "
              f"at 0.60: P {tp / max(1, tp + fp):.3f} R {tp / max(1, tp + fn):.3f} "
              f"(fp {fp}, fn {fn})")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    dev = train.load().split("dev").items
    real = [{**r, "group": train.group_of(r)} for r in dev]
    extra = train.old_rows()
    bare = [{**r, "summary": ""} for r in real if r["kind"] not in train._LEDE_MADE_KINDS]
    rows = real + extra + bare
    feats = [train.featurise(r) for r in rows]
    vocab = {f: i for i, f in enumerate(sorted({f for fs in feats for f in fs}))}
    rule_names = sorted({f for fs in feats for f in fs if f.startswith(_RULE_PREFIXES)})
    rule_vocab = {f: i for i, f in enumerate(rule_names)}
    x, rules = train.to_matrix(feats, vocab), train.to_matrix(feats, rule_vocab).toarray()
    y = np.array([bool(r["label"]) for r in rows])
    groups = np.array([str(r["group"]) for r in rows])
    n = len(rows)
    parts = {
        "with ledes": np.arange(n) < len(real),
        "headlines": np.arange(n) >= len(real) + len(extra),
    }
    weight = np.where(parts["headlines"], 0.5, 1.0)
    linear = np.zeros(n)
    stacked = np.zeros(n)
    for train_idx, test_idx in GroupKFold(n_splits=args.folds).split(x, y, groups):
        inner = np.zeros(n)
        for a, b in GroupKFold(n_splits=args.folds - 1).split(
            x[train_idx], y[train_idx], groups[train_idx]
        ):
            fit_rows, score_rows = train_idx[a], train_idx[b]
            inner[score_rows] = _linear(x[fit_rows], y[fit_rows], weight[fit_rows]).predict_proba(
                x[score_rows]
            )[:, 1]
        linear[test_idx] = _linear(x[train_idx], y[train_idx], weight[train_idx]).predict_proba(
            x[test_idx]
        )[:, 1]
        trees = HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=0
        ).fit(
            np.column_stack([_logit(inner[train_idx]), rules[train_idx]]),
            y[train_idx],
            sample_weight=weight[train_idx],
        )
        stacked[test_idx] = trees.predict_proba(
            np.column_stack([_logit(linear[test_idx]), rules[test_idx]])
        )[:, 1]
    print(f"rows: {len(real)} real dev + {len(extra)} older + {len(bare)} headline-only copies; "
          f"{len(vocab)} features, {len(rule_vocab)} of them rule features")  # fmt: skip
    _report("linear", linear, y, parts)
    _report("stacked", stacked, y, parts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
