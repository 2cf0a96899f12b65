"""bench/eval_events.py: the event-grouping metrics on small hand-made alert lists, and the
launch-stream corpus obeys its own labelling rules."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "launch_streams.jsonl"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_events", ROOT / "bench" / "eval_events.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ev = _load()

# Two launches in stream "a" (A: a1..a4, B: b1..b2), one noise item, one launch in stream "b".
ITEMS = [
    {"id": "a1", "launch": "A", "expect": "new", "stream": "a"},
    {"id": "a2", "launch": "A", "expect": "update", "stream": "a"},
    {"id": "a3", "launch": "A", "expect": "none", "stream": "a"},
    {"id": "a4", "launch": "A", "expect": "correction", "stream": "a"},
    {"id": "b1", "launch": "B", "expect": "new", "stream": "a"},
    {"id": "b2", "launch": "B", "expect": "update", "stream": "a"},
    {"id": "n1", "launch": None, "expect": "none", "stream": "a"},
    {"id": "c1", "launch": "C", "expect": "new", "stream": "b"},
]
LABELS = ev.Labels.from_items(ITEMS)


def alert(kind: str, event: str, trigger: str, items: list[str] | None = None) -> dict:
    return {"event_id": event, "kind": kind, "trigger_item_id": trigger, "item_ids": items}


def perfect() -> list[dict]:
    return [
        alert("new", "e1", "a1", ["a1"]),
        alert("update", "e1", "a2", ["a1", "a2"]),
        alert("correction", "e1", "a4", ["a1", "a2", "a3", "a4"]),
        alert("new", "e2", "b1", ["b1"]),
        alert("update", "e2", "b2", ["b1", "b2"]),
        alert("new", "e3", "c1", ["c1"]),
    ]


class TestScore:
    def test_perfect_output_scores_perfectly(self) -> None:
        s = ev.score(LABELS, perfect())
        assert (s.launches, s.new_per_launch, s.missed, s.merged) == (3, 1.0, 0, 0)
        assert (s.false_new, s.duplicate_new) == (0, 0)
        assert (s.update_precision, s.update_recall) == (1.0, 1.0)
        assert (s.correction_alerts, s.expected_corrections, s.corrections_hit) == (1, 1, 1)
        assert s.updates_per_launch == pytest.approx(2 / 3)

    def test_merge_counts_each_launch_involved_and_misses_the_second(self) -> None:
        """B's first report joins A's event: both launches are merged, and B is missed."""
        alerts = [
            alert("new", "e1", "a1", ["a1"]),
            alert("update", "e1", "b1", ["a1", "b1"]),
            alert("new", "e3", "c1", ["c1"]),
        ]
        s = ev.score(LABELS, alerts)
        assert s.merged_launches == ["A", "B"]
        assert s.merged == 2
        assert s.missed_launches == ["B"]
        assert s.new_per_launch == pytest.approx(2 / 3)
        assert s.updates_correct == 0  # b1 is labelled new, not update

    def test_merge_seen_through_union_of_item_ids_across_alerts(self) -> None:
        """Each alert lists only part of the event; the union still spans two launches."""
        alerts = [alert("new", "e1", "a1", ["a1"]), alert("update", "e1", "b2", ["b2"])]
        assert ev.merged_launches(LABELS, alerts) == {"A", "B"}

    def test_miss_when_no_new_is_triggered_by_the_launch(self) -> None:
        alerts = [a for a in perfect() if a["trigger_item_id"] != "c1"]
        s = ev.score(LABELS, alerts)
        assert s.missed_launches == ["C"]
        assert s.merged == 0

    def test_duplicate_new_for_an_already_opened_launch(self) -> None:
        alerts = [*perfect(), alert("new", "e9", "a3", ["a3"])]
        s = ev.score(LABELS, alerts)
        assert s.duplicate_new == 1
        assert s.duplicate_new_items == ["a3"]
        assert s.new_per_launch == pytest.approx(4 / 3)
        assert s.missed == 0

    def test_false_new_on_a_noise_item_is_not_a_launch_alert(self) -> None:
        alerts = [*perfect(), alert("new", "e9", "n1", ["n1"])]
        s = ev.score(LABELS, alerts)
        assert s.false_new == 1
        assert s.false_new_items == ["n1"]
        assert s.new_per_launch == 1.0
        assert s.merged == 0  # launch-null items never make a merge

    def test_update_precision_and_recall(self) -> None:
        """An update on a restating report is wrong; a labelled update sent as a correction
        still counts for recall; a missing update lowers recall."""
        alerts = [
            alert("new", "e1", "a1"),
            alert("update", "e1", "a3"),
            alert("correction", "e1", "a2"),
            alert("new", "e2", "b1"),
            alert("new", "e3", "c1"),
        ]
        s = ev.score(LABELS, alerts)
        assert (s.update_alerts, s.updates_correct, s.update_precision) == (1, 0, 0.0)
        assert (s.expected_updates, s.updates_recalled, s.update_recall) == (2, 1, 0.5)
        assert (s.correction_alerts, s.corrections_hit) == (1, 0)

    def test_scores_per_stream(self) -> None:
        alerts = [*perfect(), alert("new", "e9", "n1")]
        a, b = ev.score(LABELS, alerts, "a"), ev.score(LABELS, alerts, "b")
        assert (a.items, a.launches, a.false_new, a.update_alerts) == (7, 2, 1, 2)
        assert (b.items, b.launches, b.false_new, b.update_alerts) == (1, 1, 0, 0)

    def test_triggers_outside_the_corpus_are_counted_apart(self) -> None:
        s = ev.score(LABELS, [*perfect(), alert("new", "e9", "zz")])
        assert s.unknown_triggers == 1
        assert s.false_new == 0

    def test_no_alerts_at_all(self) -> None:
        s = ev.score(LABELS, [])
        assert (s.missed, s.new_per_launch) == (3, 0.0)
        assert (s.update_precision, s.update_recall) == (None, 0.0)


class TestAlertShapes:
    def test_sources_stand_in_for_missing_item_ids_and_trigger(self) -> None:
        """Older replay output: no item_ids or trigger_item_id, only sources."""
        old = [
            {"event_id": "e1", "kind": "new", "sources": [{"item_id": "a1"}]},
            {"event_id": "e1", "kind": "update", "sources": [{"item_id": "a1"}, {"item_id": "b1"}]},
        ]
        assert ev.trigger_of(old[0]) == "a1"
        assert ev.trigger_of(old[1]) == "b1"
        assert ev.event_items(old) == {"e1": {"a1", "b1"}}

    def test_parse_alerts_skips_non_alert_lines(self) -> None:
        text = "\n".join([
            "starting redis",
            json.dumps({"event_id": "e1", "kind": "new", "trigger_item_id": "a1"}),
            "{not json",
            json.dumps({"event": "log line"}),
            "",
        ])  # fmt: skip
        assert [a["event_id"] for a in ev.parse_alerts(text)] == ["e1"]

    def test_report_prints_a_row_per_stream_and_a_total(self) -> None:
        out = ev.report(LABELS, perfect())
        lines = out.splitlines()
        assert any(line.startswith("a ") for line in lines)
        assert any(line.startswith("b ") for line in lines)
        assert any(line.startswith("ALL ") for line in lines)
        assert "missed 0, merged 0, false new 0, duplicate new 0" in out

    def test_main_with_saved_alerts_exits_zero(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        corpus = tmp_path / "c.jsonl"
        corpus.write_text("\n".join(json.dumps(i) for i in ITEMS), encoding="utf-8")
        saved = tmp_path / "alerts.jsonl"
        saved.write_text("\n".join(json.dumps(a) for a in perfect()), encoding="utf-8")
        assert ev.main(["--corpus", str(corpus), "--alerts", str(saved)]) == 0
        assert "ALL" in capsys.readouterr().out


class TestCheckCorpus:
    def test_flags_label_mistakes(self) -> None:
        items = [
            {"id": "x1", "url": "u1", "published": "1", "launch": "A", "expect": "update"},
            {"id": "x2", "url": "u1", "published": "2", "launch": "A", "expect": "new"},
            {"id": "x3", "url": "u3", "published": "3", "launch": None, "expect": "update"},
            {"id": "x3", "url": "u4", "published": "4", "launch": None, "expect": "maybe"},
        ]
        problems = ev.check_corpus(items)
        assert "duplicate id x3" in problems
        assert "duplicate url u1" in problems
        assert any(p.startswith("x1:") for p in problems)
        assert any(p.startswith("x2:") for p in problems)
        assert "x3: launch null but expect update" in problems
        assert "x3: expect 'maybe'" in problems


class TestLaunchStreamCorpus:
    items: ClassVar[list[dict]] = [
        json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()
    ]

    def test_labels_are_consistent(self) -> None:
        assert ev.check_corpus(self.items) == []

    def test_size_and_mix(self) -> None:
        streams = {i["stream"] for i in self.items}
        launches = {i["launch"] for i in self.items if i["launch"]}
        langs = Counter(i["lang"] for i in self.items)
        expects = Counter(i["expect"] for i in self.items)
        assert len(streams) >= 30
        assert len(self.items) >= 400
        assert expects["new"] == len(launches)
        assert min(langs["en"], langs["ko"], langs["ja"]) >= 50
        assert expects["update"] > 0
        assert expects["correction"] > 0

    def test_every_stream_has_noise_and_publish_times_are_utc(self) -> None:
        for stream in {i["stream"] for i in self.items}:
            assert any(i["launch"] is None for i in self.items if i["stream"] == stream), stream
        assert all(i["published"].endswith("Z") for i in self.items)

    def test_streams_do_not_overlap_in_time(self) -> None:
        """So replaying the whole file equals replaying each stream alone."""
        spans = {}
        for i in self.items:
            lo, hi = spans.get(i["stream"], (i["published"], i["published"]))
            spans[i["stream"]] = (min(lo, i["published"]), max(hi, i["published"]))
        ordered = sorted(spans.values())
        assert all(a[1] < b[0] for a, b in itertools.pairwise(ordered))
