"""Score detection and event grouping on real news cycles (tests/corpus/real), per split.

Usage: python bench/eval_real.py [--split dev|sealed|both|all|dev:a|dev:b] [--root DIR]
                                 [--no-before] [--wrong N] [--only now|before|keyword] [--keep-env]
                                 [--headlines-only] [--thin N] [--furniture]
                                 [--aggregated]

For each split it prints, for the detector now, the detector as main held it before issue 12
(commit BEFORE_COMMIT, extracted with `git archive` and run from that tree) and a keyword
baseline (a ballistic missile phrase in the title or summary), all in the same run:
- item precision and recall (`alerts classify`), overall, per language, per kind of launch
  report (flash, detail, reaction, analysis, state_claim, correction), and the false-positive
  rate of every kind of hard negative;
- event figures from `alerts replay` of the whole split in publish order: real launch events,
  `new` alerts per launch, launches missed, launches merged with another, false `new` alerts
  (from hard negatives), `update` alerts per launch, and how many facts stated by launch
  reports (class, count, distance, apogee) reached the event's alerts.
The keyword baseline has no event stage: its event figures are not computed.
`--headlines-only` blanks every summary first: feeds that carry a headline alone. Reactions and
analysis are launch reports by their ledes' facts, so their recall there says little.
`--thin N` keeps each launch event's first report and N-1 others drawn at random (fixed seeds),
and about as large a share of the negatives: sparse streams like the held-out ones (about five
reports a launch), where fewer reports can corroborate a launch or tell two launches apart.
`--furniture` adds what real feeds carry and the corpus's writers wrote none of (or, for
update marks, only on launch reports): a publisher after half the headlines, an update mark
("(LEAD)", "UPDATE 2-", "[종합]") before a quarter, a wire dateline or byline before every
lede, a trailer after a third, full-width digits and letters in half the Japanese items.
`--aggregated` gives every item as a news aggregator's feed does (Google News: three of the
default sources): the publisher after the headline, and for a lede the headline again with the
publisher's name.
`--wrong N` lists up to N misclassified items, the duplicate or false `new` alerts and the
items that triggered corrections.
Exit status 0 whatever the scores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_corpus import NEGATIVE_KINDS, POSITIVE_KINDS, Corpus, load, parse_time  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BEFORE_COMMIT = "fc76ce7"  # main as issue 12 found it
ITEM_FIELDS = ("id", "title", "summary", "lang", "published", "url", "source")
KEYWORDS = re.compile(r"ballistic missile|탄도미사일|탄도 미사일|弾道ミサイル", re.IGNORECASE)
FACT_KEYS = ("class", "count", "distance_km", "apogee_km")


# --- running the product -------------------------------------------------------------------


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def run_cli(tree: Path, command: str, items: Sequence[dict]) -> list[dict]:
    """`python -m workers COMMAND file` run from `tree`; its JSON output lines."""
    with tempfile.TemporaryDirectory(prefix="eval-real-") as tmp:
        feed = Path(tmp) / "items.jsonl"
        with feed.open("w", encoding="utf-8") as fh:
            for item in items:
                fh.write(json.dumps({k: item[k] for k in ITEM_FIELDS}, ensure_ascii=False) + "\n")
        keep = os.environ.get("EVAL_KEEP_ALERTS_ENV") == "1"  # to try settings: --keep-env
        env = {k: v for k, v in os.environ.items() if keep or not k.startswith("ALERTS_")}
        env["PYTHONPATH"] = str(tree)
        done = subprocess.run(
            [_python(), "-m", "workers", command, str(feed)],
            cwd=tree, env=env, capture_output=True, text=True, timeout=1200, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"{command} in {tree} failed with exit status {done.returncode}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


@contextmanager
def before_tree():
    """The product as it was at BEFORE_COMMIT, in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="eval-before-") as tmp:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", BEFORE_COMMIT, "alerts", "workers"],
            cwd=ROOT, capture_output=True, check=True,
        )  # fmt: skip
        tar_path = Path(tmp) / "tree.tar"
        tar_path.write_bytes(archive.stdout)
        with tarfile.open(tar_path) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


# --- item figures --------------------------------------------------------------------------


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, label: bool, said: bool) -> None:
        if label and said:
            self.tp += 1
        elif label:
            self.fn += 1
        elif said:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def item_figures(items: Sequence[dict], said: dict[str, bool]) -> dict[str, Counts]:
    groups: dict[str, Counts] = defaultdict(Counts)
    for item in items:
        label, guess = bool(item["label"]), said[item["id"]]
        for key in ("all", f"lang:{item['lang']}", f"kind:{item['kind']}"):
            groups[key].add(label, guess)
    return groups


def _f(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def _found(corpus: Corpus, verdicts: Sequence[dict]) -> list[tuple[dict, dict]]:
    """(verdict, item) of every launch report the detector found."""
    by_id = {i["id"]: i for i in corpus.items}
    return [(v, by_id[v["id"]]) for v in verdicts if v.get("is_launch") and by_id[v["id"]]["label"]]


def launcher_figures(corpus: Corpus, verdicts: Sequence[dict]) -> tuple[int, int]:
    """Of the launch reports the detector found, how many name the event's launcher: the
    country an alert's update carries and a subscriber's country filter reads."""
    found = _found(corpus, verdicts)
    right = sum(
        (v.get("facts") or {}).get("country") == corpus.events[item["event"]]["actor"]
        for v, item in found
    )
    return right, len(found)


def class_figures(corpus: Corpus, verdicts: Sequence[dict]) -> tuple[int, int]:
    """Of the launch reports found that state a class (SRBM, ICBM...; not bare "ballistic"),
    how many the detector gives that class: the class an alert shows and a subscriber's class
    filter reads."""
    stated = [
        (v, cls)
        for v, item in _found(corpus, verdicts)
        if (cls := str((item.get("facts") or {}).get("class", "ballistic"))) != "ballistic"
    ]
    right = sum((v.get("facts") or {}).get("missile_class") == cls for v, cls in stated)
    return right, len(stated)


def count_figures(corpus: Corpus, verdicts: Sequence[dict]) -> tuple[int, int, int]:
    """Of the launch reports found that state a count, how many the detector gives that
    count, and how many a larger one (a tally or another launch's read as the count): the
    count an alert shows comes from these."""
    stated = [
        (v, n)
        for v, item in _found(corpus, verdicts)
        if isinstance(n := (item.get("facts") or {}).get("count"), int)
    ]
    said = [((v.get("facts") or {}).get("count"), n) for v, n in stated]
    right = sum(got == n for got, n in said)
    more = sum(isinstance(got, int) and got > n for got, n in said)
    return right, more, len(stated)


def flight_figures(corpus: Corpus, verdicts: Sequence[dict], key: str) -> tuple[int, int, int]:
    """Of the launch reports found that state a flight distance or apogee (`key`: distance_km,
    apogee_km), how many the detector reads within 15% of it, and how many another value: the
    figures an alert's update carries come from these."""
    stated = [
        (v, km)
        for v, item in _found(corpus, verdicts)
        if isinstance(km := (item.get("facts") or {}).get(key), int | float)
    ]
    right = sum(_carried(key, km, v.get("facts") or {}) for v, km in stated)
    read = sum((v.get("facts") or {}).get(key) is not None for v, _ in stated)
    return right, read - right, len(stated)


def stream_figures(corpus: Corpus, verdicts: Sequence[dict]) -> dict[str, tuple[int, int]]:
    """Verdicts the stream around them changed (`alerts.detection.stream`): how many were
    lifted to launch reports (by their launcher, by their places) and how many of those are,
    how many silenced and how many of those are not."""
    label = {i["id"]: bool(i["label"]) for i in corpus.items}
    out = {}
    for reason, right in (
        ("ctx:stream_launch", True),
        ("ctx:stream_place", True),
        ("ctx:stream_silent", False),
    ):
        changed = [v for v in verdicts if reason in (v.get("reasons") or ())]
        out[reason] = (sum(label[v["id"]] is right for v in changed), len(changed))
    return out


def print_found(corpus: Corpus, verdicts: Sequence[dict]) -> None:
    """The launcher, class and stream lines under the item figures."""
    right, found = launcher_figures(corpus, verdicts)
    print(f"           launcher right on {right} of {found} launch reports found")
    right, stated = class_figures(corpus, verdicts)
    print(f"           class right on {right} of {stated} launch reports found that state one")
    right, more, stated = count_figures(corpus, verdicts)
    print(f"           count right on {right} of {stated} launch reports found that state one"
          f" (more on {more})")  # fmt: skip
    flights = [
        (name, *flight_figures(corpus, verdicts, f"{name}_km")) for name in ("distance", "apogee")
    ]
    print("           " + "; ".join(f"{name} right on {right} of {stated} launch reports found"
                                   f" that state one (another on {other})"
                                   for name, right, other, stated in flights))  # fmt: skip
    stream = stream_figures(corpus, verdicts)
    if any(n for _, n in stream.values()):
        (lifted_right, lifted), (placed_right, placed), (silenced_right, silenced) = stream.values()
        print(f"           stream: {lifted_right} of {lifted} lifted are launch reports"
              f" (by their places: {placed_right} of {placed} more),"
              f" {silenced_right} of {silenced} silenced are not")  # fmt: skip


def print_items(name: str, groups: dict[str, Counts]) -> None:
    a = groups["all"]
    print(f"  {name:8} items: P {_f(a.precision)}  R {_f(a.recall)}"
          f"  (tp {a.tp} fp {a.fp} fn {a.fn} tn {a.tn})")  # fmt: skip
    langs = "  ".join(
        f"{k[5:]} P {_f(g.precision)} R {_f(g.recall)}"
        for k, g in sorted(groups.items()) if k.startswith("lang:")
    )  # fmt: skip
    print(f"           by language: {langs}")
    kinds = "  ".join(
        f"{k} {_f(groups[f'kind:{k}'].recall)} ({groups[f'kind:{k}'].tp + groups[f'kind:{k}'].fn})"
        for k in POSITIVE_KINDS if f"kind:{k}" in groups
    )  # fmt: skip
    print(f"           recall by kind: {kinds}")
    negs = "  ".join(
        f"{k} {groups[f'kind:{k}'].fp}/{groups[f'kind:{k}'].fp + groups[f'kind:{k}'].tn}"
        for k in NEGATIVE_KINDS if f"kind:{k}" in groups
    )  # fmt: skip
    print(f"           false positives by negative kind: {negs}")


# --- event figures -------------------------------------------------------------------------


@dataclass
class EventScores:
    launches: int = 0
    new_on_launches: int = 0
    missed: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    false_new: list[str] = field(default_factory=list)
    duplicate_new: list[str] = field(default_factory=list)
    updates: int = 0
    # `update`s saying "another launch the same day", and those of them on no further salvo:
    # their report is no launch report, or of the launch the event opened with, one salvo
    another_launch: int = 0
    another_launch_wrong: int = 0
    corrections: int = 0
    correction_triggers: list[str] = field(default_factory=list)
    facts_stated: int = 0
    facts_carried: int = 0
    wrong_launcher: list[str] = field(default_factory=list)  # first `new` names another state
    no_launcher: list[str] = field(default_factory=list)  # ...or none
    # the class and launch time each launch's event ended with: right against the class most of
    # the launch's reports state, and within 30 minutes of one of its launches in the event table
    class_right: int = 0
    class_judged: int = 0
    time_right: int = 0
    time_judged: int = 0
    count_right: int = 0  # the event's final count: the launches' total in the event table
    count_over: int = 0  # ...more than that (a running tally or a name read as a count)
    count_none: int = 0  # ...no count stated
    count_judged: int = 0  # launches whose table gives every launch's count
    value_changes: int = 0  # alerts changing an event's class or launch time
    changes_back: int = 0  # ...back to one it had before
    distance_right: int = 0  # the event's final distance within 15% of a launch's in the table
    distance_judged: int = 0  # launches whose event ends with a distance and whose table has one
    flight_changes: int = 0  # alerts changing an event's distance or apogee
    flight_back: int = 0  # ...back to one it had before
    # how long after the launch's first report in the stream its first `new` alert's report came
    # out, in minutes, by launch: 0 when the first report opened it
    alert_delay_min: dict[str, float] = field(default_factory=dict)


def _alert_items(alert: dict) -> list[str]:
    ids = list(alert.get("item_ids") or [])
    trigger = alert.get("trigger_item_id")
    return [*ids, trigger] if trigger and trigger not in ids else ids


def event_figures(corpus: Corpus, alerts: Sequence[dict]) -> EventScores:
    launch_of = {i["id"]: i["event"] for i in corpus.items}
    launches = {i["event"] for i in corpus.items if i["label"]}
    s = EventScores(launches=len(launches))
    opened: set[str] = set()
    members: dict[str, set[str]] = defaultdict(set)
    final: dict[str, dict] = {}
    first_trigger: dict[str, str] = {}  # launch -> the report its first `new` alert came on
    opened_with: dict[str, str | None] = {}  # event -> the launch its `new` alert came on
    for alert in alerts:
        members[alert["event_id"]].update(_alert_items(alert))
        final[alert["event_id"]] = alert
        launch = launch_of.get(alert.get("trigger_item_id"))
        if alert["kind"] == "new":
            opened_with[alert["event_id"]] = launch
        if alert["kind"] == "new" and launch is not None and launch not in opened:
            _count_launcher(s, launch, corpus.events[launch]["actor"], alert)
            first_trigger[launch] = alert["trigger_item_id"]
        _count_alert(s, alert, launch, opened)
        if alert["kind"] == "update" and "another_launch" in (alert.get("changes") or ()):
            s.another_launch += 1
            s.another_launch_wrong += launch is None or (
                launch == opened_with.get(alert["event_id"])
                and len(corpus.events[launch].get("launches", [])) <= 1
            )
    s.missed = sorted(launches - opened)
    s.alert_delay_min = _alert_delays(corpus, first_trigger)
    merged: set[str] = set()
    for ids in members.values():
        found = {launch_of[i] for i in ids if launch_of.get(i)}
        if len(found) > 1:
            merged |= found
    s.merged = sorted(merged)
    _count_final_facts(s, corpus, alerts, final)
    by_id = {i["id"]: i for i in corpus.items}
    for event_id, ids in members.items():
        for item_id in ids:
            item = by_id.get(item_id)
            if item and item["label"]:
                _count_facts(s, item, final[event_id].get("facts") or {})
    return s


_TIME_RIGHT_S = 30 * 60
_DELAY_BANDS_MIN = (30, 180)  # an alert a report or two later; one hours later


def _alert_delays(corpus: Corpus, first_trigger: dict[str, str]) -> dict[str, float]:
    """For each launch alerted, the minutes from its first report in the stream to the report
    its first `new` alert came on (publication times): what a bar on the first report costs."""
    first: dict[str, datetime] = {}
    published: dict[str, datetime] = {}
    for item in corpus.items:
        if item["label"] and item.get("published"):
            at = published[item["id"]] = parse_time(item["published"])
            if item["event"] not in first or at < first[item["event"]]:
                first[item["event"]] = at
    return {
        launch: (published[trigger] - first[launch]).total_seconds() / 60
        for launch, trigger in first_trigger.items()
        if trigger in published
    }


def _count_final_facts(
    s: EventScores, corpus: Corpus, alerts: Sequence[dict], final: dict[str, dict]
) -> None:
    """Whether the event each launch opened ended with its class, launch time, count and
    distance, and how often alerts changed an event's class or time, and its distance or
    apogee (back to an earlier one, too)."""
    stated: dict[str, Counter[str]] = defaultdict(Counter)
    for item in corpus.items:
        cls = (item.get("facts") or {}).get("class")
        if item["label"] and cls and str(cls).lower() != "ballistic":
            stated[item["event"]][str(cls).lower()] += 1
    launch_of = {i["id"]: i["event"] for i in corpus.items}
    opened: dict[str, str] = {}
    for alert in alerts:
        launch = launch_of.get(alert.get("trigger_item_id"))
        if alert["kind"] == "new" and launch is not None:
            opened.setdefault(launch, alert["event_id"])
    _count_changes(s, alerts)
    for launch, event_id in opened.items():
        facts = final[event_id].get("facts") or {}
        launches = corpus.events[launch].get("launches", [])
        counts = [x.get("count") for x in launches]
        if counts and all(isinstance(n, int) for n in counts):
            s.count_judged += 1
            said_count = facts.get("count")
            s.count_right += said_count == sum(counts)
            s.count_over += said_count is not None and said_count > sum(counts)
            s.count_none += said_count is None
        if stated[launch]:
            s.class_judged += 1
            want = stated[launch].most_common(1)[0][0]
            s.class_right += str(facts.get("missile_class", "")).lower() == want
        distances = [x["distance_km"] for x in launches if x.get("distance_km")]
        if distances and facts.get("distance_km"):
            s.distance_judged += 1
            s.distance_right += any(_carried("distance_km", d, facts) for d in distances)
        if facts.get("launch_time"):
            s.time_judged += 1
            said = parse_time(facts["launch_time"])
            s.time_right += any(
                abs((said - parse_time(x["utc"])).total_seconds()) <= _TIME_RIGHT_S
                for x in launches
            )


def _count_changes(s: EventScores, alerts: Sequence[dict]) -> None:
    """How often alerts changed an event's class or time, and its distance or apogee, each
    to a value it had already had ("back") or not."""
    seen: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for alert in alerts:
        for key in ("missile_class", "launch_time", "distance_km", "apogee_km"):
            value = (alert.get("facts") or {}).get(key)
            had = seen[alert["event_id"], key]
            if value is None or (had and had[-1] == value):
                continue
            if had and key in ("distance_km", "apogee_km"):
                s.flight_changes += 1
                s.flight_back += value in had
            elif had:
                s.value_changes += 1
                s.changes_back += value in had
            had.append(value)


def _count_launcher(s: EventScores, launch: str, actor: str, alert: dict) -> None:
    """Whether the launch's first `new` alert names its launcher: the state a subscriber
    filters on and reads first."""
    country = (alert.get("facts") or {}).get("country")
    if country is None:
        s.no_launcher.append(launch)
    elif country != actor:
        s.wrong_launcher.append(launch)


def _count_alert(s: EventScores, alert: dict, launch: str | None, opened: set[str]) -> None:
    trigger = alert.get("trigger_item_id")
    if alert["kind"] == "new":
        if launch is None:
            s.false_new.append(trigger)
            return
        s.new_on_launches += 1
        if launch in opened:
            s.duplicate_new.append(trigger)
        opened.add(launch)
    elif alert["kind"] == "update" and launch is not None:
        s.updates += 1
    elif alert["kind"] == "correction" and launch is not None:
        s.corrections += 1
        s.correction_triggers.append(trigger)


def _count_facts(s: EventScores, item: dict, facts: dict) -> None:
    """Facts the item states (class, count, distance, apogee) that its event's last alert
    carries."""
    for key, value in (item.get("facts") or {}).items():
        if key not in FACT_KEYS or (key == "class" and str(value).lower() == "ballistic"):
            continue
        s.facts_stated += 1
        s.facts_carried += _carried(key, value, facts)


def _carried(key: str, value: Any, facts: dict) -> bool:
    if key == "class":
        return str(facts.get("missile_class", "")).lower() == str(value).lower()
    got = facts.get(key if key != "count" else "count")
    if got is None or not isinstance(value, int | float):
        return False
    if key == "count":
        return got >= value
    return abs(got - value) <= 0.15 * max(value, 1)


def print_events(name: str, s: EventScores, wrong: int) -> None:
    per = s.new_on_launches / s.launches if s.launches else 0.0
    upd = s.updates / s.launches if s.launches else 0.0
    carried = f"{s.facts_carried}/{s.facts_stated}" if s.facts_stated else "-"
    print(f"  {name:8} events: launches {s.launches}  new/launch {per:.2f}"
          f" (duplicate {len(s.duplicate_new)})  missed {len(s.missed)}  merged {len(s.merged)}"
          f"  false new {len(s.false_new)}  updates/launch {upd:.2f}"
          f"  another launch {s.another_launch} ({s.another_launch_wrong} of one salvo)"
          f"  corrections {s.corrections}  facts carried {carried}"
          f"  launcher wrong {len(s.wrong_launcher)} (none {len(s.no_launcher)})")  # fmt: skip
    print(f"  {name:8} final facts: class right {s.class_right}/{s.class_judged}"
          f"  time right {s.time_right}/{s.time_judged}  count right"
          f" {s.count_right}/{s.count_judged} (over {s.count_over}, none {s.count_none})"
          f"  class or time changed {s.value_changes} times ({s.changes_back} back)"
          f"  distance right {s.distance_right}/{s.distance_judged}"
          f"  distance or apogee changed {s.flight_changes} times"
          f" ({s.flight_back} back)")  # fmt: skip
    delays = s.alert_delay_min
    late = sorted(((d, launch) for launch, d in delays.items() if d > 0), reverse=True)
    short, long_ = _DELAY_BANDS_MIN
    bands = (sum(d <= short for d, _ in late), sum(short < d <= long_ for d, _ in late),
             sum(d > long_ for d, _ in late))  # fmt: skip
    print(f"  {name:8} first alerts: on the launch's first report {len(delays) - len(late)} of"
          f" {len(delays)} launches alerted; later by up to {short} min {bands[0]},"
          f" up to {long_ // 60} h {bands[1]}, more {bands[2]}")  # fmt: skip
    if wrong:
        wrongs = (("missed", s.missed), ("merged", s.merged),
                  ("duplicate new", s.duplicate_new), ("false new", s.false_new),
                  ("correction triggers", s.correction_triggers),
                  ("launcher wrong", s.wrong_launcher),
                  ("launcher none", s.no_launcher),
                  ("alerted later than the first report (minutes)",
                   [f"{launch} {d:.1f}" for d, launch in late]))  # fmt: skip
        for label, ids in wrongs:
            if ids:
                print(f"           {label}: {', '.join(map(str, ids[:wrong]))}")


# --- main ----------------------------------------------------------------------------------


def headlines_only(corpus: Corpus) -> Corpus:
    """The corpus with every summary blanked: feeds that carry a headline alone."""
    return Corpus(corpus.events, [{**i, "summary": ""} for i in corpus.items], corpus.errors)


# Feed furniture as real feeds carry it (`with_furniture`): an aggregator's publisher after the
# headline, a wire dateline or byline opening the lede, a trailer closing it.
_PUBLISHERS = {
    "en": ("Reuters", "AP News", "Yonhap News Agency", "The Korea Herald", "NK News",
           "The Times of Israel", "Al Jazeera", "The Japan Times", "Kyiv Independent"),
    "ko": ("연합뉴스", "뉴시스", "조선일보", "KBS 뉴스", "한겨레", "중앙일보"),
    "ja": ("日本経済新聞", "NHKニュース", "共同通信", "読売新聞オンライン", "時事通信"),
}  # fmt: skip
# Marks of a story updated, on any kind of story (not first flashes: "(URGENT)", "속보").
_UPDATE_TAGS = {
    "en": ("(LEAD) ", "(2nd LD) ", "UPDATE 1-", "UPDATE 2-"),
    "ko": ("(종합) ", "[종합] ", "[종합2보] "),
    "ja": ("【更新】", "【続報】", "【詳報】"),
}
_CITIES = {
    "en": ("SEOUL", "TOKYO", "WASHINGTON", "DUBAI", "JERUSALEM", "KYIV", "MOSCOW", "NEW DELHI",
           "ISLAMABAD", "BEIJING", "UNITED NATIONS"),
    "ko": ("서울", "도쿄", "워싱턴", "카이로", "모스크바", "베이징"),
    "ja": ("ソウル", "ワシントン", "カイロ", "モスクワ", "北京", "ニューデリー"),
}  # fmt: skip
_TRAILERS = {
    "en": (" The post {title} appeared first on Defense Daily.",
           " Copyright {year} The Associated Press. All rights reserved."),
    "ko": (" <저작권자(c) 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지>",
           " 무단 전재 및 재배포 금지."),
    "ja": (" 無断転載・複製を禁じます。",),
}  # fmt: skip


def with_furniture(corpus: Corpus) -> Corpus:
    """The corpus as aggregators and wire feeds carry it: half the headlines end with the
    publisher's name ("... - Reuters", as news aggregators title entries), a quarter open with a
    mark of an updated story ("(LEAD)", "UPDATE 2-", "[종합]", "【更新】"), every lede opens with
    a dateline or byline ("SEOUL, Jan 5 (Reuters) -", "(서울=연합뉴스) 김기자 기자 =",
    "【ソウル共同】") and a third close with a trailer ("The post ... appeared first on ...",
    "<저작권자(c) 연합뉴스 ...>"); half the Japanese items are in full-width digits and letters
    as broadcasters write them ("弾道ミサイル１発"). Each is drawn from the item's id. The
    corpus's writers wrote none of it."""
    return Corpus(corpus.events, [_furnished(i) for i in corpus.items], corpus.errors)


def _furnished(item: dict) -> dict:
    lang = item["lang"] if item["lang"] in _PUBLISHERS else "en"
    draw = random.Random(f"furniture:{item['id']}")
    title, summary = item["title"], item["summary"]
    if draw.random() < 0.5:
        title = f"{title} - {draw.choice(_PUBLISHERS[lang])}"
    if draw.random() < 0.25:
        title = draw.choice(_UPDATE_TAGS[lang]) + title
    if summary:
        city, at = draw.choice(_CITIES[lang]), parse_time(item["published"])
        opening = {
            "en": draw.choice((f"{city}, {at:%b} {at.day} (Reuters) - ", f"{city} (AP) — ",
                               f"{city}, {at:%b}. {at.day} (Yonhap) -- ", f"{city} (AFP) - ")),
            "ko": draw.choice((f"({city}=연합뉴스) 김철수 기자 = ",
                               f"[{city}=뉴시스]이영희 특파원 = ")),
            "ja": draw.choice((f"【{city}共同】", f"【{city}時事】")),
        }[lang]  # fmt: skip
        summary = opening + summary
        if draw.random() < 1 / 3:
            trailer = draw.choice(_TRAILERS[lang])
            summary += trailer.format(title=item["title"], year=at.year)
    if lang == "ja" and draw.random() < 0.5:  # a broadcaster's full-width digits and letters
        title, summary = title.translate(_FULL_WIDTH), summary.translate(_FULL_WIDTH)
    return {**item, "title": title, "summary": summary}


_FULL_WIDTH = {
    code: code + 0xFEE0
    for first, last in (("0", "9"), ("A", "Z"), ("a", "z"))
    for code in range(ord(first), ord(last) + 1)
}


def as_aggregated(corpus: Corpus) -> Corpus:
    """The corpus as a news aggregator's feed carries it (Google News, three of the default
    sources): each headline followed by its publisher, and for a lede the headline again with
    the publisher's name (the entry's description, a link and the name, read as text)."""
    items = []
    for item in corpus.items:
        lang = item["lang"] if item["lang"] in _PUBLISHERS else "en"
        publisher = random.Random(f"aggregated:{item['id']}").choice(_PUBLISHERS[lang])
        title = f"{item['title']} - {publisher}"
        items.append({**item, "title": title, "summary": f"{item['title']}  {publisher}"})
    return Corpus(corpus.events, items, corpus.errors)


def thinned(corpus: Corpus, per_launch: int, seed: int = 0) -> Corpus:
    """Each launch event's first report and `per_launch - 1` others at random, and about the
    same share of the negatives: the corpus as a sparse stream. Each event draws from its own
    seed and each negative is kept by a hash of its id, so adding items to one event leaves
    the others' draws alone."""
    reports: dict[str, list[dict]] = defaultdict(list)
    for item in corpus.items:
        if item["label"]:
            reports[item["event"]].append(item)
    kept: list[dict] = []
    for event in sorted(reports):
        first, *rest = sorted(reports[event], key=lambda i: (parse_time(i["published"]), i["id"]))
        draw = random.Random(f"{seed}:{event}")
        kept += [first, *draw.sample(rest, min(per_launch - 1, len(rest)))]
    share = len(kept) / max(1, sum(len(r) for r in reports.values()))
    kept += [i for i in corpus.items if not i["label"] and _unit_hash(f"{seed}:{i['id']}") < share]
    return Corpus(corpus.events, kept, corpus.errors)


def _unit_hash(text: str) -> float:
    """A number in [0, 1) fixed by `text` (not by Python's per-process string hash)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) / 16**12


def evaluate(tree: Path | None, name: str, corpus: Corpus, args: argparse.Namespace) -> None:
    items = sorted(corpus.items, key=lambda i: i["published"])
    if tree is None:
        said = {i["id"]: bool(KEYWORDS.search(i["title"] + " " + i["summary"])) for i in items}
        print_items(name, item_figures(items, said))
        print(f"  {name:8} events: - (no event stage)")
        return
    verdicts = run_cli(tree, "classify", items)
    said = {v["id"]: bool(v.get("is_launch")) for v in verdicts}
    print_items(name, item_figures(items, said))
    print_found(corpus, verdicts)
    if args.wrong:
        by_id = {v["id"]: v for v in verdicts}
        bad = [i for i in items if said[i["id"]] != bool(i["label"])]
        for item in bad[: args.wrong]:
            reasons = ",".join(by_id[item["id"]].get("reasons", []))
            print(f"           {'FN' if item['label'] else 'FP'} {item['id']} [{item['kind']}] "
                  f"{item['title'][:90]!r} <{reasons}>")  # fmt: skip
    alerts = [a for a in run_cli(tree, "replay", items) if "kind" in a]
    print_events(name, event_figures(corpus, alerts), args.wrong)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"--thin needs a positive number of reports, not {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--split", choices=("dev", "sealed", "both", "all", "dev:a", "dev:b"), default="both"
    )
    parser.add_argument("--root", type=Path, default=None, help="another corpus folder")
    parser.add_argument("--no-before", action="store_true", help="skip the pre-issue detector")
    parser.add_argument("--only", choices=("now", "before", "keyword"))
    parser.add_argument(
        "--tree",
        type=Path,
        default=None,
        help="score another checkout's detector as 'now' (a worktree of an earlier release)",
    )
    parser.add_argument("--wrong", type=int, default=0, help="list up to N errors")
    parser.add_argument(
        "--headlines-only", action="store_true", help="blank every summary (headline feeds)"
    )
    parser.add_argument(
        "--thin", type=_positive, default=0, help="N reports a launch event, its first kept"
    )
    parser.add_argument(
        "--furniture", action="store_true", help="add datelines, publishers and trailers"
    )
    parser.add_argument(
        "--aggregated", action="store_true", help="as an aggregator's feed (Google News)"
    )
    parser.add_argument(
        "--keep-env",
        action="store_true",
        help="pass ALERTS_* variables to the product (default: its defaults)",
    )
    args = parser.parse_args(argv)
    if args.keep_env:
        os.environ["EVAL_KEEP_ALERTS_ENV"] = "1"
    corpus = load(args.root) if args.root else load()
    if args.headlines_only:
        corpus = headlines_only(corpus)
    if args.thin:
        corpus = thinned(corpus, args.thin)
    if args.furniture:
        corpus = with_furniture(corpus)
    if args.aggregated:
        corpus = as_aggregated(corpus)
    if corpus.errors:
        print(f"corpus has {len(corpus.errors)} problems; run bench/real_corpus.py check")
    splits = ("dev", "sealed") if args.split == "both" else (args.split,)
    with before_tree() as old:
        runs = [("now", args.tree or ROOT), ("before", old), ("keyword", None)]
        if args.no_before:
            runs = [r for r in runs if r[0] != "before"]
        if args.only:
            runs = [r for r in runs if r[0] == args.only]
        for split in splits:
            part = corpus.split(split)
            pos = sum(1 for i in part.items if i["label"])
            print(f"== {split}: {len(part.events)} events, {pos} launch reports, "
                  f"{len(part.items) - pos} hard negatives")  # fmt: skip
            for name, tree in runs:
                evaluate(tree, name, part, args)
            counts = Counter(i["lang"] for i in part.items)
            print(f"  languages: {dict(counts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
