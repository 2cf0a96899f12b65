"""Run the fuzz properties of tests/fuzz with a large budget and report exact input counts.

    python bench/fuzz_report.py --examples 5000            # every property, random seed
    python bench/fuzz_report.py --examples 500 --seed 42   # replay a run
    python bench/fuzz_report.py -k render --examples 2000  # properties whose name has "render"

The properties are the very strategies and checks the pytest suite runs (each test module's
`PROPERTIES`). Here Hypothesis only generates (no shrinking, no example database): the check
is wrapped so a failing input is recorded and the run goes on, which makes "inputs tried" the
exact number of times the check ran. Failures are grouped by exception type and message head,
with the first (shortest) input shown for each.

Properties marked `known_bug` (strict xfails in the suite) are reported but do not fail the
run unless `--strict`. Exit status: 0 when no other property failed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests.fuzz import (  # noqa: E402
    test_fuzz_dashboard,
    test_fuzz_detect,
    test_fuzz_parse,
    test_fuzz_render,
)
from tests.fuzz.strategies import Property  # noqa: E402

MODULES = (test_fuzz_parse, test_fuzz_detect, test_fuzz_render, test_fuzz_dashboard)
# Properties that drive a live server are slow per input; they get at most this many.
SERVER_CAP = 300


@dataclass
class Outcome:
    name: str
    tried: int = 0
    failed: int = 0
    seconds: float = 0.0
    # where it failed -> (count, first message, first input)
    kinds: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    known_bug: str | None = None
    aborted: str | None = None


def _signature(exc: BaseException) -> tuple[str, str]:
    """(exception type and the line that raised it, first line of its message)."""
    head = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    where = "/".join(Path(frame.filename).parts[-2:])
    return f"{type(exc).__name__} at {where}:{frame.lineno}", head


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 400 else text[:400] + f"… ({len(text)} chars)"


def run_property(name: str, prop: Property, examples: int, run_seed: int) -> Outcome:
    outcome = Outcome(name, known_bug=prop.known_bug)
    budget = min(examples, SERVER_CAP) if prop.context is not None else examples
    with prop.checker() as check:

        def body(value: Any) -> None:
            outcome.tried += 1
            try:
                with warnings.catch_warnings():
                    # the suite's filterwarnings = error, and its one feedparser exception
                    warnings.simplefilter("error")
                    warnings.filterwarnings(
                        "ignore", "To avoid breaking existing software", DeprecationWarning
                    )
                    check(value)
            except Exception as exc:
                outcome.failed += 1
                key, message = _signature(exc)
                count, first_message, first = outcome.kinds.get(key, (0, message, _short(value)))
                outcome.kinds[key] = (count + 1, first_message, first)

        runner = settings(
            max_examples=budget,
            deadline=None,
            database=None,
            derandomize=False,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(seed(run_seed)(given(prop.strategy)(body)))
        start = time.perf_counter()
        try:
            runner()
        except Exception as exc:  # Hypothesis itself gave up (e.g. unsatisfiable)
            outcome.aborted = f"{type(exc).__name__}: {exc}"
        outcome.seconds = time.perf_counter() - start
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=5000, help="inputs per property")
    parser.add_argument("--seed", type=int, default=None, help="replay a run (default: random)")
    parser.add_argument("-k", dest="keyword", default="", help="only properties matching this")
    parser.add_argument(
        "--strict", action="store_true", help="known bugs (strict xfails) fail the run too"
    )
    args = parser.parse_args(argv)
    run_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"fuzz report: --examples {args.examples} --seed {run_seed}")
    print(f"(server-backed properties capped at {SERVER_CAP} inputs)\n")

    outcomes = []
    for module in MODULES:
        for name, prop in module.PROPERTIES.items():
            if args.keyword and args.keyword not in name:
                continue
            outcome = run_property(name, prop, args.examples, run_seed)
            outcomes.append(outcome)
            status = "ok" if not outcome.failed else "FAILED"
            if outcome.failed and outcome.known_bug:
                status = "known bug"
            print(
                f"{name:38} tried {outcome.tried:7d}  failed {outcome.failed:6d}  "
                f"{outcome.seconds:8.1f} s  {status}",
                flush=True,
            )
            if outcome.aborted:
                print(f"    hypothesis stopped: {outcome.aborted[:300]}")
            for key, (count, message, first) in outcome.kinds.items():
                print(f"    {count}x {key}\n       first: {message}\n       input: {first}")

    total = sum(o.tried for o in outcomes)
    seconds = sum(o.seconds for o in outcomes)
    unexpected = [o for o in outcomes if (o.failed or o.aborted) and not o.known_bug]
    known = [o for o in outcomes if o.failed and o.known_bug]
    print(
        f"\n{len(outcomes)} properties, {total} inputs tried in {seconds:.1f} s; "
        f"{len(unexpected)} failed, {len(known)} known bugs reproduced (seed {run_seed})"
    )
    for o in known:
        print(f"  known bug {o.name}: {o.known_bug}")
    failed = unexpected + (known if args.strict else [])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
