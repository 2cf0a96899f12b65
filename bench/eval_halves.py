"""Out-of-sample figures on the development split: train on one half, score the other.

Usage: python bench/eval_halves.py [--wrong N] [--threshold T] [--c C] [--no-old]
                                   [--joint [--tree PATH | --by-writer] [--thin N [--seed S]]
                                            [--headlines-only] [--furniture]
                                            [--aggregated]]

The shipped model is trained on the whole dev split, so `eval_real.py --split dev` scores it
in-sample. For tuning rules and settings without touching the sealed split, this trains the
model without dev half a (`scripts/train_detector.py --leave-out-half a`), scores half a with
`bench/eval_real.py --split dev:a`, then the same for half b. The shipped weights file is put
back afterwards, whatever happens. Needs the `train` extra.

`--joint` scores the whole dev split in one stream instead, each item by the half model that
did not see it: a launch's neighbours of the other half (the next day's launch by the same
launcher, another state's launch the same night) are in the stream, as in production, so
merges and duplicates between events of the two halves show (per half, they cannot). With
`--tree PATH` (a worktree of an earlier release) that release's detector, event rules and
training script are scored on this checkout's corpus with this checkout's measures. With
`--thin N` the stream is thinned as `eval_real.py --thin N` thins it (each launch's first report
and N-1 others, about as large a share of the negatives), drawn with seed S (`--seed`, 0 by
default): sparse streams, in which fewer reports corroborate a launch or tell two apart.
`--headlines-only` blanks every summary of the stream scored (feeds that carry a headline
alone), as `eval_real.py --headlines-only` does; `--furniture` adds datelines, publishers and
trailers as `eval_real.py --furniture` does, `--aggregated` gives each item as a news
aggregator's feed does (`eval_real.py --aggregated`); the half models train as always.

`--joint --by-writer` scores each item by a model that has read neither its writer nor its
launch: five models, each trained without one fifth of the corpus's files (each file one
researcher's batch: `real_corpus.writer_fold`) and without every item of an event or story
those files report. Split by event, a half model has read other reports of the launch's kind by
the same writers; the held-out streams are written by others, and this is the nearer measure
of how the detector reads them. It trains five models: a few minutes.

The half and writer models train at the L2 strength that makes them score as sharply as the
shipped model, trained on the whole split, does (`scripts/train_detector.py`: C over the share
of the split read); `--c C` emulates a shipped model trained at C instead (with `--tree`, a
release before 7290286 reads `--c` as its half models' own C).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported at run time from the tree scored (`--tree`), not this checkout
    from alerts.models import Item, Verdict

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "alerts" / "detection" / "model" / "weights.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong", type=int, default=0, help="list up to N errors a half")
    parser.add_argument("--threshold", type=float, default=None, help="model decision point")
    parser.add_argument("--c", type=float, default=None,
                        help="the shipped model's L2 strength to emulate")  # fmt: skip
    parser.add_argument("--no-old", action="store_true", help="train on the real corpus only")
    parser.add_argument("--joint", action="store_true", help="both halves in one stream")
    parser.add_argument("--tree", type=Path, default=None, help="--joint: another checkout")
    parser.add_argument("--by-writer", action="store_true",
                        help="--joint: models that never read the item's writer")  # fmt: skip
    parser.add_argument("--thin", type=int, default=0, help="--joint: N reports a launch")
    parser.add_argument("--seed", type=int, default=0, help="--thin: the sample's seed")
    parser.add_argument("--headlines-only", action="store_true",
                        help="--joint: blank every summary (headline feeds)")  # fmt: skip
    parser.add_argument("--furniture", action="store_true",
                        help="--joint: add datelines, publishers and trailers")  # fmt: skip
    parser.add_argument("--aggregated", action="store_true",
                        help="--joint: as an aggregator's feed (Google News)")  # fmt: skip
    args = parser.parse_args(argv)
    python = sys.executable
    if args.by_writer and args.tree:
        parser.error("--by-writer scores this checkout only")
    if args.joint:
        return joint(args)
    if args.thin or args.headlines_only or args.furniture or args.aggregated or args.tree:
        parser.error("--thin, --headlines-only, --furniture, --aggregated and --tree need --joint")
    if args.by_writer:
        parser.error("--by-writer needs --joint")
    with tempfile.TemporaryDirectory(prefix="eval-halves-") as tmp:
        shipped = Path(tmp) / "shipped.json"
        shutil.copyfile(WEIGHTS, shipped)
        try:
            for half in ("a", "b"):
                train = [python, str(ROOT / "scripts" / "train_detector.py"), "--folds", "2",
                         "--leave-out-half", half, "--out", str(WEIGHTS),
                         *_train_options(args)]  # fmt: skip
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


def _train_options(args: argparse.Namespace) -> list[str]:
    """The options this run passes on to `scripts/train_detector.py`."""
    options = []
    if args.threshold is not None:
        options += ["--threshold", str(args.threshold)]
    if args.c is not None:
        options += ["--c", str(args.c)]
    if args.no_old:
        options.append("--no-old")
    return options


def _train_half(half: str, out: Path, args: argparse.Namespace, tree: Path = ROOT) -> None:
    """Train without dev half `half`, or (`--by-writer`) without writer fold `half` ("0".."4")."""
    leave_out = ["--leave-out-writers", half] if args.by_writer else ["--leave-out-half", half]
    train = [sys.executable, str(tree / "scripts" / "train_detector.py"), "--folds", "2",
             *leave_out, "--out", str(out), *_train_options(args)]  # fmt: skip
    corpus = {"REAL_CORPUS_ROOT": str(ROOT / "tests" / "corpus" / "real"), "PYTHONPATH": str(tree)}
    subprocess.run(train, check=True, capture_output=True, env={**os.environ, **corpus})


def joint(args: argparse.Namespace) -> int:
    """The dev split in one stream, each item classified by the model trained without its half
    (the code of this checkout or of `--tree`, imported in this process; the replay as `alerts
    replay` runs it)."""
    tree = (args.tree or ROOT).resolve()
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(tree))  # first on the path: the `alerts` package scored
    import eval_real as er
    from real_corpus import WRITER_FOLDS, load, writer_fold

    import alerts.cli as cli
    from alerts.detection.classify import classify_item
    from alerts.detection.model import LinearModel

    corpus = load()
    dev = corpus.split("dev")
    if args.thin:
        dev = er.thinned(dev, args.thin, seed=args.seed)
    if args.headlines_only:
        dev = er.headlines_only(dev)
    if args.furniture:
        dev = er.with_furniture(dev)
    if args.aggregated:
        dev = er.as_aggregated(dev)
    if args.by_writer:
        parts = [str(k) for k in range(WRITER_FOLDS)]
        half_of = {i["id"]: str(writer_fold(i)) for i in corpus.split("dev").items}
    else:
        parts = ["a", "b"]
        half_of = {i["id"]: h for h in parts for i in corpus.split(f"dev:{h}").items}
    models = {}
    with tempfile.TemporaryDirectory(prefix="eval-joint-") as tmp:
        for half in parts:
            out = Path(tmp) / f"without-{half}.json"
            _train_half(half, out, args, tree)
            data = json.loads(out.read_text(encoding="utf-8"))
            models[half] = LinearModel(data["weights"], data["bias"], data["threshold"])
    if args.by_writer:
        print("== models trained without each fifth of the writers and their launches; "
              "the whole dev split in one stream")  # fmt: skip
    else:
        print("== models trained without each dev half; the whole dev split in one stream")

    def cross_fitted(item: Item) -> Verdict:
        return classify_item(item, model=models[half_of[item.id]])

    rows = sorted(dev.items, key=lambda i: i["published"])
    items = [cli.item_from_json({k: r[k] for k in er.ITEM_FIELDS}, line_no=n)
             for n, r in enumerate(rows, start=1)]  # fmt: skip
    judged = [cross_fitted(item) for item in items]
    try:  # as `alerts classify` reads its input: one stream
        from alerts.detection.stream import in_stream
    except ImportError:  # a release before it judged each item alone
        pass
    else:
        judged = in_stream([(item.published_at, v) for item, v in zip(items, judged, strict=True)])
    verdicts = [{"id": item.id, "is_launch": verdict.is_launch, "facts": verdict.facts.as_dict(),
                 "reasons": list(verdict.reasons)}
                for item, verdict in zip(items, judged, strict=True)]  # fmt: skip
    said = {v["id"]: bool(v["is_launch"]) for v in verdicts}
    er.print_items("joint", er.item_figures(rows, said))
    er.print_found(corpus, verdicts)
    alerts = replay_alerts(items, cross_fitted)
    er.print_events("joint", er.event_figures(dev, alerts), args.wrong)
    return 0


def replay_alerts(items: list[Item], judge: Callable[[Item], Verdict]) -> list[dict]:
    """The alerts `alerts replay` sends for `items`, in their order, each item judged by
    `judge` instead of the shipped model, in a scratch namespace of the configured Redis (the
    `alerts` package imported first: `joint`'s `--tree`)."""
    import alerts.cli as cli
    from alerts.config import load_settings
    from alerts.events.keys import Keys
    from alerts.events.store import EventStore

    settings = load_settings()
    out = io.StringIO()
    with cli._redis_for(settings) as client, contextlib.redirect_stdout(out):
        store = EventStore(client, keys=Keys("alerts:eval-joint:"), seen_ttl_s=86400)
        original = cli.classify_item
        cli.classify_item = judge
        try:
            cli._replay(items, store, cli.policy_from(settings))
        finally:
            cli.classify_item = original
            store.delete_namespace()
    return [a for a in map(json.loads, out.getvalue().splitlines()) if "kind" in a]


if __name__ == "__main__":
    sys.exit(main())
