"""Score event grouping end to end: does one real launch give exactly one `new` alert?

Usage: python bench/eval_events.py [--corpus PATH] [--alerts FILE] [--save-alerts FILE]
                                   [--keep-env]

Runs `python -m workers replay` on the corpus (label fields stripped, so the product never
sees them; ALERTS_* variables removed unless --keep-env, so the defaults are measured)
unless --alerts names a saved replay output, then prints, overall and per stream:
real launches, `new` alerts per launch, missed, merged, false and duplicate `new` alerts,
update alerts per launch with precision and recall, and corrections expected vs emitted.
Exit status 0 whatever the scores; 1 only when replay itself fails.

The corpus (tests/corpus/launch_streams.jsonl)
----------------------------------------------
One JSON object per line: the replay item fields {"id", "title", "summary", "lang",
"published", "url", "source"} plus three labels:
- `launch`: the id of the true launch the item reports (country-date-letter, e.g.
  "kp-2026-03-14a"), or null when the item is not a report of a particular launch.
- `expect`: what a perfect product sends when this item arrives: "new", "update",
  "correction" or "none".
- `stream`: the scenario the item belongs to. Streams use disjoint dates, so replaying the
  whole file at once is the same as replaying each stream alone.
Items were written by hand in the style of Yonhap (EN/KO), KBS, NHK, Kyodo, Jiji, Asahi,
Japan's Defense Ministry, KCNA, Reuters/AP/AFP and their syndicators, the Times of Israel,
Ukraine's Air Force, CENTCOM, ISPR, PTI and Xinhua; none is copied, and none was written
from or checked against the detector's tuning data.

Labelling rules
- One launch = one firing event: every missile fired by one country from one area within
  minutes (a salvo, a barrage, "fires another missile minutes later") is ONE launch. A
  firing announced with a different launch time hours later ("fires another missile",
  "second launch today", "second night in a row", a new barrage after the sirens ended) is
  a separate launch, even within 3 hours. Separate nights of Russian strikes are separate
  launches.
- `launch` is set on every report of the launch in any language, including syndicated
  copies, follow-ups, next-day state-media claims and reactions whose headline states the
  launch as a clause. It is null for noise: drills, artillery and cruise-missile firings that
  were never reported as ballistic, engine tests, sanctions and diplomacy, analysis, market
  news, reactions that only name the launch as a noun ("Seoul convenes NSC after launch"),
  casualty and damage follow-ups that do not restate the launch, evacuation explainers.
- A launch first reported as ballistic and later reclassified (satellite, cruise missiles,
  rocket artillery, ICBM -> IRBM) keeps its launch id: the flash deserved a `new` alert and
  the reclassification a `correction`.
- `expect` is derived mechanically, in `published` order within the launch, from the facts
  each item states (the builder tags every item with facts, e.g. class:SRBM, count:2):
  * "new": the launch's first item.
  * "correction": the item retracts or reclassifies an earlier claim (not ballistic after
    all, outside rather than inside the EEZ, one missile not two, did not fly over Japan,
    IRBM not ICBM). A later item repeating an already-published correction is "none".
  * "update": the item states a fact no earlier item of the launch stated. Facts are:
    missile class or type name (a named type such as Hwasong-19 counts even when the class
    was known; "ballistic missile" alone is not a class), number of missiles, flight
    distance, apogee, speed, landing area / EEZ / target city / interception / failure in
    flight, launch site or launch area, and confirmation by a new authority. Authorities
    are counted per government: South Korea (JCS, ministry), Japan (MOD, cabinet, J-Alert),
    North Korea (KCNA), the US (INDOPACOM, CENTCOM, Air Force, officials), Israel (IDF),
    Ukraine (Air Force), Iran (IRGC), the Houthis, China, India, Pakistan, Russia.
  * "none": everything else: syndicated or translated copies, reports restating known
    facts, casualty or damage counts, launch times, flight times, reactions; every item
    with launch null.
  A refined value of a known fact (KCNA's 1,500 km after JCS's 1,100 km) is an update.

Metrics (alerts are matched to labels through `trigger_item_id`)
- launches: distinct non-null `launch` labels.
- new/launch: `new` alerts triggered by items of real launches, divided by launches
  (aim 1.0; false `new` alerts are counted apart).
- missed: launches none of whose items triggered a `new` alert.
- merged: launches that share an event with another launch. An event's items are the union
  of `item_ids` (else `sources[].item_id`, else the trigger) over all its alerts; each launch
  involved in a multi-launch event counts once. Output that has only `new` alerts (event
  grouping v1) lists just the opener in item_ids, so a merge there shows up as a miss.
- false new: `new` alerts triggered by items labelled launch null.
- duplicate new: a `new` alert for a launch that an earlier `new` already opened.
- updates/launch: `update` alerts triggered by items of real launches, divided by launches
  (the labels' own ratio is printed beside it).
- update precision: `update` alerts whose trigger is labelled "update", over all `update`
  alerts. Update recall: items labelled "update" that triggered an `update` or `correction`
  alert (either tells subscribers the new fact), over items labelled "update".
- corrections: items labelled "correction" vs `correction` alerts emitted; hits are
  labelled corrections that triggered a `correction` alert.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "tests" / "corpus" / "launch_streams.jsonl"
ITEM_FIELDS = ("id", "title", "summary", "lang", "published", "url", "source")
EXPECT_LABELS = ("new", "update", "correction", "none")


@dataclass(frozen=True, slots=True)
class Labels:
    """The corpus labels, keyed by item id."""

    launch: dict[str, str | None]
    expect: dict[str, str]
    stream: dict[str, str]

    @classmethod
    def from_items(cls, items: Iterable[dict]) -> Labels:
        launch: dict[str, str | None] = {}
        expect: dict[str, str] = {}
        stream: dict[str, str] = {}
        for item in items:
            launch[item["id"]] = item.get("launch")
            expect[item["id"]] = item.get("expect", "none")
            stream[item["id"]] = item.get("stream", "")
        return cls(launch, expect, stream)

    def launches(self, stream: str | None = None) -> set[str]:
        return {
            launch
            for item_id, launch in self.launch.items()
            if launch is not None and (stream is None or self.stream[item_id] == stream)
        }

    def items(self, stream: str | None = None) -> list[str]:
        return [i for i in self.launch if stream is None or self.stream[i] == stream]


@dataclass(slots=True)
class Scores:
    """Counts for one scope (whole corpus or one stream); ratios are derived."""

    items: int = 0
    launches: int = 0
    new_on_launches: int = 0
    missed: int = 0
    merged: int = 0
    false_new: int = 0
    duplicate_new: int = 0
    update_alerts: int = 0
    updates_on_launches: int = 0
    updates_correct: int = 0
    expected_updates: int = 0
    updates_recalled: int = 0
    correction_alerts: int = 0
    expected_corrections: int = 0
    corrections_hit: int = 0
    unknown_triggers: int = 0
    missed_launches: list[str] = field(default_factory=list)
    merged_launches: list[str] = field(default_factory=list)
    false_new_items: list[str] = field(default_factory=list)
    duplicate_new_items: list[str] = field(default_factory=list)

    @property
    def new_per_launch(self) -> float | None:
        return _ratio(self.new_on_launches, self.launches)

    @property
    def updates_per_launch(self) -> float | None:
        return _ratio(self.updates_on_launches, self.launches)

    @property
    def expected_updates_per_launch(self) -> float | None:
        return _ratio(self.expected_updates, self.launches)

    @property
    def update_precision(self) -> float | None:
        return _ratio(self.updates_correct, self.update_alerts)

    @property
    def update_recall(self) -> float | None:
        return _ratio(self.updates_recalled, self.expected_updates)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def event_items(alerts: Sequence[dict]) -> dict[str, set[str]]:
    """Every event's item ids: the union over its alerts of item_ids, sources or trigger."""
    events: dict[str, set[str]] = defaultdict(set)
    for alert in alerts:
        key = alert.get("event_id") or f"?{alert.get('trigger_item_id')}"
        ids = alert.get("item_ids")
        if not ids:
            ids = [s["item_id"] for s in alert.get("sources", []) if s.get("item_id")]
        trigger = trigger_of(alert)
        events[key].update(ids)
        if trigger:
            events[key].add(trigger)
    return dict(events)


def trigger_of(alert: dict) -> str | None:
    """The item that caused the alert; for output without the field, the newest source."""
    if alert.get("trigger_item_id"):
        return alert["trigger_item_id"]
    ids = alert.get("item_ids") or [s.get("item_id") for s in alert.get("sources", [])]
    if not ids:
        return None
    return ids[0] if alert.get("kind") == "new" else ids[-1]


def check_corpus(items: Sequence[dict]) -> list[str]:
    """Label problems: duplicate ids or urls, bad labels, not exactly one first `new`."""
    problems = []
    for key in ("id", "url"):
        values = [item.get(key) for item in items]
        problems += [f"duplicate {key} {v}" for v in sorted(set(values)) if values.count(v) > 1]
    firsts: dict[str, dict] = {}
    for item in sorted(items, key=lambda i: i.get("published", "")):
        expect, launch = item.get("expect"), item.get("launch")
        if expect not in EXPECT_LABELS:
            problems.append(f"{item['id']}: expect {expect!r}")
        elif launch is None and expect != "none":
            problems.append(f"{item['id']}: launch null but expect {expect}")
        elif launch is not None and (expect == "new") != (launch not in firsts):
            problems.append(f"{item['id']}: expect {expect} but first of {launch} is new")
        if launch is not None:
            firsts.setdefault(launch, item)
    return problems


def merged_launches(labels: Labels, alerts: Sequence[dict]) -> set[str]:
    """Launches that share an event with at least one other launch."""
    merged: set[str] = set()
    for ids in event_items(alerts).values():
        launches = {labels.launch[i] for i in ids if labels.launch.get(i) is not None}
        if len(launches) > 1:
            merged |= launches
    return merged


def score(labels: Labels, alerts: Sequence[dict], stream: str | None = None) -> Scores:
    """Score the alerts against the labels, for the whole corpus or one stream."""
    launches = labels.launches(stream)
    scope = set(labels.items(stream))
    s = Scores(items=len(scope), launches=len(launches))
    s.expected_updates = sum(labels.expect[i] == "update" for i in scope)
    s.expected_corrections = sum(labels.expect[i] == "correction" for i in scope)
    opened: set[str] = set()
    recalled: set[str] = set()
    corrected: set[str] = set()
    for alert in alerts:
        trigger = trigger_of(alert)
        if trigger not in labels.launch:
            s.unknown_triggers += stream is None
            continue
        if trigger not in scope:
            continue
        launch, kind = labels.launch[trigger], alert.get("kind")
        if kind == "new":
            _count_new(s, trigger, launch, opened)
        elif kind == "update":
            s.update_alerts += 1
            s.updates_on_launches += launch is not None
            s.updates_correct += labels.expect[trigger] == "update"
        elif kind == "correction":
            s.correction_alerts += 1
            if labels.expect[trigger] == "correction":
                corrected.add(trigger)
        if kind in ("update", "correction") and labels.expect[trigger] == "update":
            recalled.add(trigger)
    s.updates_recalled = len(recalled)
    s.corrections_hit = len(corrected)
    s.missed_launches = sorted(launches - opened)
    s.missed = len(s.missed_launches)
    s.merged_launches = sorted(merged_launches(labels, alerts) & launches)
    s.merged = len(s.merged_launches)
    return s


def _count_new(s: Scores, trigger: str, launch: str | None, opened: set[str]) -> None:
    if launch is None:
        s.false_new += 1
        s.false_new_items.append(trigger)
        return
    s.new_on_launches += 1
    if launch in opened:
        s.duplicate_new += 1
        s.duplicate_new_items.append(trigger)
    opened.add(launch)


# --- input ---------------------------------------------------------------------------------


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def parse_alerts(text: str) -> list[dict]:
    """Alert objects from replay output, skipping anything that is not a JSON object line."""
    alerts = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and "kind" in obj:
            alerts.append(obj)
    return alerts


def run_replay(items: Sequence[dict], *, keep_env: bool = False) -> str:
    """Replay the items (label fields stripped) through the product; return its stdout."""
    python = ROOT / ".venv" / "bin" / "python"
    exe = str(python) if python.exists() else sys.executable
    with tempfile.TemporaryDirectory(prefix="eval-events-") as tmp:
        feed = Path(tmp) / "items.jsonl"
        with feed.open("w", encoding="utf-8") as fh:
            for item in items:
                clean = {k: item[k] for k in ITEM_FIELDS if k in item}
                fh.write(json.dumps(clean, ensure_ascii=False) + "\n")
        env = {k: v for k, v in os.environ.items() if keep_env or not k.startswith("ALERTS_")}
        done = subprocess.run(
            [exe, "-m", "workers", "replay", str(feed)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"replay failed with exit status {done.returncode}")
    return done.stdout


# --- output --------------------------------------------------------------------------------

COLUMNS = (
    ("scope", 33),
    ("items", 5),
    ("launch", 6),
    ("new/L", 5),
    ("miss", 4),
    ("merge", 5),
    ("falseN", 6),
    ("dupN", 4),
    ("upd/L", 9),
    ("updP", 4),
    ("updR", 4),
    ("corr", 5),
)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def row(name: str, s: Scores) -> list[str]:
    return [
        name,
        str(s.items),
        str(s.launches),
        _fmt(s.new_per_launch),
        str(s.missed),
        str(s.merged),
        str(s.false_new),
        str(s.duplicate_new),
        f"{_fmt(s.updates_per_launch, 1)}/{_fmt(s.expected_updates_per_launch, 1)}",
        _fmt(s.update_precision),
        _fmt(s.update_recall),
        f"{s.correction_alerts}/{s.expected_corrections}",
    ]


def render(rows: Iterable[list[str]]) -> str:
    lines = []
    for cells in [[name for name, _ in COLUMNS], *rows]:
        parts = [
            cell.ljust(width) if n == 0 else cell.rjust(width)
            for n, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=True))
        ]
        lines.append(" ".join(parts))
    return "\n".join(lines)


def report(labels: Labels, alerts: Sequence[dict]) -> str:
    total = score(labels, alerts)
    streams = sorted(set(labels.stream.values()))
    rows = [row(name, score(labels, alerts, name)) for name in streams]
    kinds = defaultdict(int)
    for alert in alerts:
        kinds[alert.get("kind", "?")] += 1
    out = [
        f"alerts: {len(alerts)} ("
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        + f"); triggers not in corpus: {total.unknown_triggers}",
        "",
        render([*rows, row("ALL", total)]),
        "",
        "new/L = new alerts on launch items per launch (aim 1.00); upd/L = emitted/labelled "
        "updates per launch; updP/updR = update precision/recall; corr = emitted/labelled "
        "corrections",
        f"overall: launches {total.launches}, new/launch {_fmt(total.new_per_launch)}, "
        f"missed {total.missed}, merged {total.merged}, false new {total.false_new}, "
        f"duplicate new {total.duplicate_new}",
        f"updates: emitted {total.update_alerts}, labelled {total.expected_updates}, "
        f"precision {_fmt(total.update_precision)}, recall {_fmt(total.update_recall)}; "
        f"corrections: emitted {total.correction_alerts}, labelled "
        f"{total.expected_corrections}, hit {total.corrections_hit}",
    ]
    if total.missed_launches:
        out.append("missed: " + " ".join(total.missed_launches))
    if total.merged_launches:
        out.append("merged: " + " ".join(total.merged_launches))
    if total.false_new_items:
        out.append("false new (trigger items): " + " ".join(total.false_new_items))
    if total.duplicate_new_items:
        out.append("duplicate new (trigger items): " + " ".join(total.duplicate_new_items))
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--alerts", type=Path, help="saved replay output instead of running it")
    parser.add_argument("--save-alerts", type=Path, help="write the replay output here")
    parser.add_argument("--keep-env", action="store_true", help="pass ALERTS_* to replay")
    args = parser.parse_args(argv)
    items = load_jsonl(args.corpus)
    for problem in check_corpus(items):
        print(f"corpus: {problem}", file=sys.stderr)
    labels = Labels.from_items(items)
    if args.alerts:
        text = args.alerts.read_text(encoding="utf-8")
    else:
        text = run_replay(items, keep_env=args.keep_env)
        if args.save_alerts:
            args.save_alerts.write_text(text, encoding="utf-8")
    print(report(labels, parse_alerts(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
