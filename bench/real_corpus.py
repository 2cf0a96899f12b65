"""Load, split and check the real-news corpus under tests/corpus/real (its README is the schema).

Usage: python bench/real_corpus.py check [FILE ...]   validate (all files when none given)
       python bench/real_corpus.py stats               counts per actor, kind, language, split

Importable: `load()` returns events and items with their split, for bench/eval_real.py and the
regression test.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# REAL_CORPUS_ROOT points every tool (eval, training) at another copy, e.g. a frozen one.
ROOT = Path(
    os.environ.get("REAL_CORPUS_ROOT")
    or Path(__file__).resolve().parent.parent / "tests" / "corpus" / "real"
)
POSITIVE_KINDS = ("flash", "detail", "reaction", "analysis", "state_claim", "correction")
NEGATIVE_KINDS = (
    "interceptor_test", "satellite", "cruise", "artillery", "ship_launch", "parade",
    "engine_test", "drill", "threat", "diplomacy", "retrospective", "old_strike", "metaphor",
    "sports", "other",
)  # fmt: skip
LANGS = ("en", "ko", "ja")
EAST_ASIAN = frozenset({"KP", "KR", "CN", "JP", "TW"})
ITEM_KEYS = {"id", "event", "label", "kind", "lang", "published", "source", "title", "summary",
             "url"}  # fmt: skip
SEALED_BELOW = 90  # of 256: about 35% of events sealed
WRITER_FOLDS = 5


def split_of(key: str) -> str:
    """'sealed' or 'dev', fixed by the id alone (chosen before any tuning)."""
    return "sealed" if hashlib.sha256(key.encode()).digest()[0] < SEALED_BELOW else "dev"


def half_of(key: str) -> str:
    """'a' or 'b': two halves of the dev split by id, for out-of-sample tuning (eval_halves)."""
    return "a" if hashlib.sha256(key.encode()).digest()[1] < 128 else "b"


def writer_fold(row: dict[str, Any]) -> int:
    """0 to WRITER_FOLDS - 1, by the file an item came in: each file is one researcher's batch,
    so a model trained without a fold has never read its writers (`eval_halves.py
    --by-writer`: how the detector reads a writer new to it, as the held-out streams are)."""
    batch = row["_where"].partition(":")[0].rpartition("/")[2]
    return hashlib.sha256(batch.removesuffix(".jsonl").encode()).digest()[2] % WRITER_FOLDS


def without_writers(items: list[dict[str, Any]], fold: int) -> list[dict[str, Any]]:
    """The items of the other writer folds, less every item of an event or story the fold's
    items report: a model trained on them has read neither the fold's writers nor its
    launches (`scripts/train_detector.py --leave-out-writers`)."""
    gone = {group_of(r) for r in items if writer_fold(r) == fold}
    return [r for r in items if writer_fold(r) != fold and group_of(r) not in gone]


def group_of(row: dict[str, Any]) -> str:
    """What cross-validation keeps together: an item's event, else its story."""
    return str(row["event"] or row.get("story") or row["id"])


def event_balance(
    groups: list[str],
    labels: list[bool],
    weighed: list[bool],
    power: float,
    *,
    sized: list[bool] | None = None,
) -> list[float]:
    """A training weight for each item: for a `weighed` item, its group's (`group_of`) number of
    `sized` items (default: the weighed ones) to the -`power`, scaled so that each label's
    weighed items weigh as much in all as unweighted; any other item (an older corpus's) 1. So a
    launch written up in 60 reports teaches the detector no more than one of 5
    (`scripts/train_detector.py --event-balance`, which sizes groups by their real items alone,
    not their title-only copies)."""
    sized = weighed if sized is None else sized
    sizes = Counter(g for g, s in zip(groups, sized, strict=True) if s)
    factor = [sizes[g] ** -power if w else 1.0 for g, w in zip(groups, weighed, strict=True)]
    for label in (True, False):
        part = [i for i, (y, w) in enumerate(zip(labels, weighed, strict=True)) if w and y == label]
        total = sum(factor[i] for i in part)
        for i in part:
            factor[i] *= len(part) / total
    return factor


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass
class Corpus:
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def split(self, name: str) -> Corpus:
        """Events and items of one split ('dev', 'sealed', 'all', or a dev half 'dev:a')."""
        if name == "all":
            return self
        name, _, half = name.partition(":")
        events = {
            k: v for k, v in self.events.items() if v["split"] == name and half in ("", v["half"])
        }
        items = [i for i in self.items if i["split"] == name and half in ("", i["half"])]
        return Corpus(events, items)


def _read(path: Path, errors: list[str]) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path.name}:{n}: bad JSON: {exc}")
            continue
        row["_where"] = f"{path.parent.name}/{path.name}:{n}"
        rows.append(row)
    return rows


def load(root: Path = ROOT, files: list[Path] | None = None) -> Corpus:
    """Every event and item, with `split` set and problems listed in `errors`."""
    corpus = Corpus()
    errors = corpus.errors
    event_files = sorted((root / "events").glob("*.jsonl"))
    item_files = sorted((root / "items").glob("*.jsonl"))
    if files:
        wanted = {p.resolve() for p in files}
        item_files = [p for p in item_files if p.resolve() in wanted]
    for path in event_files:
        for row in _read(path, errors):
            _check_event(row, errors)
            if row.get("event") in corpus.events:
                errors.append(f"{row['_where']}: event {row['event']} defined twice")
            row["split"] = split_of(str(row.get("event")))
            row["half"] = half_of(str(row.get("event")))
            corpus.events[str(row.get("event"))] = row
    seen_ids: set[str] = set()
    seen_titles: set[str] = set()
    for path in item_files:
        for row in _read(path, errors):
            _check_item(row, corpus.events, errors)
            if row.get("id") in seen_ids:
                errors.append(f"{row['_where']}: id {row.get('id')} used twice")
            seen_ids.add(str(row.get("id")))
            if row.get("title") in seen_titles:
                errors.append(f"{row['_where']}: title repeated: {row.get('title')!r}")
            seen_titles.add(str(row.get("title")))
            event = corpus.events.get(str(row.get("event")))
            key = str(row.get("event") if row.get("event") else row.get("story") or row.get("id"))
            row["split"] = event["split"] if event else split_of(key)
            row["half"] = event["half"] if event else half_of(key)
            corpus.items.append(row)
    return corpus


def _check_event(row: dict[str, Any], errors: list[str]) -> None:
    where = row["_where"]
    for key in ("event", "actor", "local_date", "tz", "launches", "source_url"):
        if not row.get(key):
            errors.append(f"{where}: event lacks {key}")
    launches = row.get("launches") or []
    for launch in launches:
        try:
            parse_time(launch["utc"])
        except (KeyError, TypeError, ValueError):
            errors.append(f"{where}: each launch needs a 'utc' ISO time")
    if not str(row.get("source_url", "")).startswith("http"):
        errors.append(f"{where}: source_url is not a URL")


def _check_item(row: dict[str, Any], events: dict[str, dict[str, Any]], errors: list[str]) -> None:
    where = row["_where"]
    missing = ITEM_KEYS - row.keys()
    if missing:
        errors.append(f"{where}: missing {sorted(missing)}")
        return
    if row["lang"] not in LANGS:
        errors.append(f"{where}: lang {row['lang']!r}")
    if not str(row["url"]).startswith("http"):
        errors.append(f"{where}: url is not a URL")
    if not str(row["title"]).strip():
        errors.append(f"{where}: empty title")
    try:
        published = parse_time(row["published"])
    except (TypeError, ValueError):
        errors.append(f"{where}: published {row['published']!r} is not ISO 8601")
        return
    if row["label"] is True:
        _check_launch_report(row, published, events, errors)
    elif row["label"] is False:
        if row["event"] is not None:
            errors.append(f"{where}: a negative has event null")
        if row["kind"] not in NEGATIVE_KINDS:
            errors.append(f"{where}: negative kind {row['kind']!r}")
    else:
        errors.append(f"{where}: label must be true or false")


def _check_launch_report(
    row: dict[str, Any], published: datetime, events: dict[str, dict[str, Any]], errors: list[str]
) -> None:
    where = row["_where"]
    if row["kind"] not in POSITIVE_KINDS:
        errors.append(f"{where}: positive kind {row['kind']!r}")
    event = events.get(str(row["event"]))
    if event is None:
        errors.append(f"{where}: unknown event {row['event']!r}")
        return
    times = [parse_time(x["utc"]) for x in event.get("launches", []) if x.get("utc")]
    if times and not (
        min(times) - timedelta(minutes=1) <= published <= max(times) + timedelta(hours=48)
    ):
        errors.append(f"{where}: published outside launch..+48h of {row['event']}")


def stats(corpus: Corpus) -> None:
    pos = [i for i in corpus.items if i["label"]]
    neg = [i for i in corpus.items if not i["label"]]
    actors = Counter(e["actor"] for e in corpus.events.values())
    print(f"events {len(corpus.events)} ({dict(actors.most_common())})")
    print(f"split of events: {dict(Counter(e['split'] for e in corpus.events.values()))}")
    print(f"launch reports {len(pos)}: {dict(Counter(i['kind'] for i in pos))}")
    print(f"  by language {dict(Counter(i['lang'] for i in pos))}")
    east = [i for i in pos if corpus.events.get(i["event"], {}).get("actor") in EAST_ASIAN]
    if east:
        langs = Counter(i["lang"] for i in east)
        print(
            f"  East Asian events' reports {len(east)}: "
            + ", ".join(f"{k} {v} ({v / len(east):.0%})" for k, v in langs.most_common())
        )
    print(f"hard negatives {len(neg)}: {dict(Counter(i['kind'] for i in neg))}")
    print(f"  by language {dict(Counter(i['lang'] for i in neg))}")
    print(f"split of items: {dict(Counter((i['split'], i['label']) for i in corpus.items))}")
    empty = [e for e in corpus.events if not any(i["event"] == e for i in pos)]
    if empty:
        print(f"events with no reports: {empty}")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("check", "stats"):
        print(__doc__)
        return 2
    files = [Path(a) for a in argv[1:]]
    corpus = load(files=files or None)
    if argv[0] == "stats":
        stats(corpus)
    for error in corpus.errors:
        print(error)
    print(f"{len(corpus.events)} events, {len(corpus.items)} items, {len(corpus.errors)} problems")
    return 1 if corpus.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
