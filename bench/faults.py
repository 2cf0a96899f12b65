"""Run the fault scenarios of tests/faults repeatedly and print survived/tried per scenario.

    .venv/bin/python bench/faults.py [--repeat 5] [--only NAME [--only NAME ...]] [--keep]

Each run starts its own embedded Redis, feed server, receiver and real worker/beat processes
in a fresh temporary directory (kept with --keep, for the logs). Columns: tried, survived,
lost (expected alerts never accepted), doubled (a second distinct webhook-id / Message-ID for
one alert revision, or a second `new` for one launch), raw duplicates (extra accepted requests
with an id already accepted: a deduplicating receiver drops them), mean recovery time.
Exit status 0 only if every run of every scenario survived.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faults.scenarios import SCENARIOS, Outcome  # noqa: E402


def _one(name: str, attempt: int, *, keep: bool) -> tuple[str, Outcome]:
    tmp = Path(tempfile.mkdtemp(prefix=f"faults-{name}-"))
    t0 = time.monotonic()
    try:
        outcome = SCENARIOS[name](tmp)
    except Exception as err:  # a crash of the harness counts as not survived
        outcome = Outcome(name, problems=[f"{type(err).__name__}: {err}"])
    where = f" dir={tmp}" if keep or not outcome.survived else ""
    print(
        f"[{name} #{attempt}] {time.monotonic() - t0:5.1f}s {outcome.summary()}{where}", flush=True
    )
    if not keep and outcome.survived:
        shutil.rmtree(tmp, ignore_errors=True)
    return name, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", action="append", choices=sorted(SCENARIOS), default=None)
    parser.add_argument("--keep", action="store_true", help="keep each run's directory")
    parser.add_argument(
        "--jobs", type=int, default=1, help="runs at the same time (each has its own stack)"
    )
    args = parser.parse_args(argv)
    names = args.only or list(SCENARIOS)
    results: dict[str, list[Outcome]] = {}
    started = time.monotonic()
    runs = [(name, attempt) for name in names for attempt in range(1, max(1, args.repeat) + 1)]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for name, outcome in pool.map(lambda run: _one(*run, keep=args.keep), runs):
            results.setdefault(name, []).append(outcome)
    print()
    header = (
        "scenario",
        "tried",
        "survived",
        "lost",
        "doubled",
        "raw dups",
        "raw reqs",
        "mean recovery",
    )
    rows = [header]
    for name, outcomes in results.items():
        recoveries = [o.recovery_s for o in outcomes if o.recovery_s is not None]
        rows.append(
            (
                name,
                str(len(outcomes)),
                str(sum(o.survived for o in outcomes)),
                str(sum(o.lost for o in outcomes)),
                str(sum(o.doubled for o in outcomes)),
                str(sum(o.raw_duplicates for o in outcomes)),
                str(sum(o.raw_requests for o in outcomes)),
                f"{sum(recoveries) / len(recoveries):.1f}s" if recoveries else "-",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(f"\ntotal {time.monotonic() - started:.0f}s")
    ok = all(o.survived for outcomes in results.values() for o in outcomes)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
