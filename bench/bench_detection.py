"""Throughput of `classify_item` on one core, beside the keyword baseline in the same run.

Usage: python bench/bench_detection.py [--corpus PATH] [--items N] [--repeats R]

Three item mixes, each repeated to at least N items (default 20,000) and classified R times
(default 3), the best run reported so that a stray scheduler pause does not count:
- common path: real-corpus items (tests/corpus/real) with no missile or launch cue, which the
  cue scan settles without the model: what nearly every item of a general news feed is;
- missile items: the labelled corpus (--corpus, every item about missiles), where the model
  runs on almost every item: the worst case;
- the same missile items with the rules alone (`model=None`), the detector before issue 12.
Prints items per second for each, the keyword baseline and the ratios. Timing is wall-clock
on whatever machine runs it: compare the ratios across machines, not the absolute rates. The
rate by process CPU time is printed too: on a busy shared machine it is the steadier figure.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_detection import DEFAULT_CORPUS, is_launch_by_keyword, load_corpus  # noqa: E402
from real_corpus import load as load_real  # noqa: E402
from real_corpus import parse_time  # noqa: E402

from alerts.detection.classify import classify_item  # noqa: E402
from alerts.models import Item  # noqa: E402


def best_rate(
    predict: Callable[[Item], object],
    items: list[Item],
    repeats: int,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """Best items-per-second of `predict` over `repeats` passes of `items`, timed by `clock`."""
    best = 0.0
    for _ in range(repeats):
        start = clock()
        for item in items:
            predict(item)
        elapsed = clock() - start
        best = max(best, len(items) / elapsed)
    return best


def common_path_items() -> list[Item]:
    """Real-corpus items the cue scan settles without the model (no missile or launch cue)."""
    items = [
        Item(id=r["id"], source="bench", title=r["title"], summary=r["summary"], lang=r["lang"],
             published_at=parse_time(r["published"]))
        for r in load_real().items
    ]  # fmt: skip
    return [i for i in items if not any(r.startswith("model:") for r in classify_item(i).reasons)]


def _repeat(items: list[Item], n: int) -> list[Item]:
    return items * (-(-n // len(items)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    corpus = [e.item for e in load_corpus(args.corpus)]
    common = common_path_items()
    missile = _repeat(corpus, args.items)
    plain = _repeat(common, args.items)
    classify_item(missile[0])  # warm the regex caches and load the model before timing
    rules_only = partial(classify_item, model=None)
    rates = {
        "common path": best_rate(classify_item, plain, args.repeats),
        "missile items": best_rate(classify_item, missile, args.repeats),
        "missile items, rules alone": best_rate(rules_only, missile, args.repeats),
    }
    cpu = {
        "common path": best_rate(classify_item, plain, args.repeats, time.process_time),
        "missile items": best_rate(classify_item, missile, args.repeats, time.process_time),
    }
    baseline = best_rate(is_launch_by_keyword, missile, args.repeats)
    print(f"common path: {len(common)} real items without a missile or launch cue, "
          f"repeated to {len(plain)}; missile items: {len(corpus)} corpus items, repeated "
          f"to {len(missile)}")  # fmt: skip
    for name, rate in rates.items():
        by_cpu = f"  (by CPU time {cpu[name]:,.0f})" if name in cpu else ""
        print(f"classify_item, {name + ':':28} {rate:>10,.0f} items/s{by_cpu}")
    print(f"keyword baseline:{'':27} {baseline:>10,.0f} items/s")
    print(f"ratio missile items with model / rules alone: "
          f"{rates['missile items'] / rates['missile items, rules alone']:.2f}")  # fmt: skip
    print(f"ratio common path / keyword baseline: {rates['common path'] / baseline:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
