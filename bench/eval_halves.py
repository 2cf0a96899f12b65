"""Out-of-sample figures on the development split: train on one half, score the other.

Usage: python bench/eval_halves.py [--wrong N] [--threshold T] [--no-old]

The shipped model is trained on the whole dev split, so `eval_real.py --split dev` scores it
in-sample. For tuning rules and settings without touching the sealed split, this trains the
model without dev half a (`scripts/train_detector.py --leave-out-half a`), scores half a with
`bench/eval_real.py --split dev:a`, then the same for half b. The shipped weights file is put
back afterwards, whatever happens. Needs the `train` extra.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "alerts" / "detection" / "model" / "weights.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong", type=int, default=0, help="list up to N errors a half")
    parser.add_argument("--threshold", type=float, default=None, help="model decision point")
    parser.add_argument("--no-old", action="store_true", help="train on the real corpus only")
    args = parser.parse_args(argv)
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="eval-halves-") as tmp:
        shipped = Path(tmp) / "shipped.json"
        shutil.copyfile(WEIGHTS, shipped)
        try:
            for half in ("a", "b"):
                train = [python, str(ROOT / "scripts" / "train_detector.py"), "--folds", "2",
                         "--leave-out-half", half, "--out", str(WEIGHTS)]  # fmt: skip
                if args.threshold is not None:
                    train += ["--threshold", str(args.threshold)]
                if args.no_old:
                    train.append("--no-old")
                subprocess.run(train, check=True, capture_output=True)
                print(f"== model trained without dev half {half}; scoring half {half}", flush=True)
                subprocess.run(
                    [python, str(ROOT / "bench" / "eval_real.py"), "--split", f"dev:{half}",
                     "--no-before", "--only", "now", "--wrong", str(args.wrong)],
                    check=True,
                )  # fmt: skip
        finally:
            shutil.copyfile(shipped, WEIGHTS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
