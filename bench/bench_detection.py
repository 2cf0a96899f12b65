"""Throughput of `classify_item` on one core, beside the keyword baseline in the same run.

Usage: python bench/bench_detection.py [--corpus PATH] [--items N] [--repeats R]

The labelled corpus is repeated to at least N items (default 20,000); each predictor classifies
the whole list R times (default 3) and the best run is reported, so a stray scheduler pause does
not count against either. Prints items per second for both and the ratio. Timing is wall-clock
on whatever machine runs it: compare the ratio across machines, not the absolute rate. The
detector's rate by process CPU time is printed too: on a busy shared machine it is the steadier
figure (wall-clock counts the time other processes hold the core).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_detection import DEFAULT_CORPUS, is_launch_by_keyword, load_corpus  # noqa: E402

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    corpus = [e.item for e in load_corpus(args.corpus)]
    items = corpus * (-(-args.items // len(corpus)))
    classify_item(items[0])  # warm the regex caches before timing
    detector = best_rate(classify_item, items, args.repeats)
    baseline = best_rate(is_launch_by_keyword, items, args.repeats)
    detector_cpu = best_rate(classify_item, items, args.repeats, time.process_time)
    print(f"items per pass: {len(items)} ({len(corpus)} corpus items repeated)")
    print(f"classify_item:    {detector:>12,.0f} items/s")
    print(f"  by CPU time:    {detector_cpu:>12,.0f} items/s")
    print(f"keyword baseline: {baseline:>12,.0f} items/s")
    print(f"ratio detector/baseline: {detector / baseline:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
