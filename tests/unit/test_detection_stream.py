"""Verdicts reconsidered against the stream around them (`alerts.detection.stream`)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest

from alerts.detection.classify import classify_item
from alerts.detection.stream import in_stream
from alerts.models import Facts, Item, Verdict

T0 = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)


def verdict(
    probability: float | None, country: str | None = "KP", *reasons: str, corrects: bool = False
) -> Verdict:
    """A verdict as the detector gives it: confidence is the probability rescaled so that the
    model's 0.6 threshold reads 0.5 (`classify._confidence`); 0.6 without a model."""
    is_launch = probability is not None and probability >= 0.6
    if probability is None:
        confidence = 0.6
    elif is_launch:
        confidence = round(0.5 + 0.5 * (probability - 0.6) / 0.4, 3)
    else:
        confidence = round(min(0.45, 0.5 * probability / 0.6), 3)
    return Verdict(
        is_launch=is_launch,
        confidence=confidence,
        reasons=reasons,
        facts=Facts(country=country),
        probability=probability,
        corrects=corrects,
        category=None if is_launch else "diplomacy",
    )


def report(title: str, summary: str = "") -> Item:
    return Item(id="a", source="s", title=title, summary=summary, published_at=T0)


class Fixed:
    """A model scoring every item alike."""

    threshold = 0.6

    def __init__(self, score: float) -> None:
        self.score = score

    def probability(self, found: object) -> float:
        return self.score


ANCHOR = verdict(0.99)
SATELLITE = dataclasses.replace(
    verdict(0.98, "KP", "ctx:space_announced"), is_launch=False, confidence=0.45
)
NEGATIVE = verdict(0.02, None)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


class TestLift:
    def test_doubted_report_after_a_sure_one_of_its_launcher_is_a_launch_report(self) -> None:
        """An analysis ("Analysts: Hwasong-12 on a flatter path could reach Guam") hours after
        the flash."""
        out = in_stream([(at(0), ANCHOR), (at(5), verdict(0.3))])
        assert out[0] == ANCHOR
        assert out[1].is_launch
        assert out[1].reasons[-1] == "ctx:stream_launch"
        assert out[1].confidence == 0.5
        assert out[1].category is None

    def test_a_less_likely_report_naming_a_ballistic_missile_is_lifted(self) -> None:
        """A writer the model never read gets lower scores for a launch's reactions and claims
        ("Tokyo protests the North's two ballistic missiles"): one naming a ballistic missile is
        lifted from 0.02, other reports from 0.1."""
        out = in_stream([(at(0), ANCHOR), (at(5), verdict(0.05, "KP", "ko:ballistic"))])
        assert out[1].reasons[-1] == "ctx:stream_launch"

    def test_a_flash_just_before_the_sure_reports_is_lifted(self) -> None:
        out = in_stream([(at(0.5), ANCHOR), (at(0), verdict(0.3))])
        assert out[1].reasons[-1] == "ctx:stream_launch"

    @pytest.mark.parametrize(
        ("entries", "why"),
        [
            ([(at(0), ANCHOR), (at(5), verdict(0.3, "IR"))], "another launcher's anchor"),
            ([(at(0), ANCHOR), (at(25), verdict(0.3))], "a day and more after it"),
            ([(at(1.5), ANCHOR), (at(0), verdict(0.3))], "over an hour before the anchor"),
            ([(at(0), ANCHOR), (at(5), verdict(0.05))], "too unlikely"),
            ([(at(0), ANCHOR), (at(5), verdict(0.01, "KP", "ja:ballistic"))], "even so"),
            (
                [
                    (at(0), ANCHOR),
                    (at(5), verdict(0.05, "KP", "ko:ballistic", "ctx:launcher_for_place")),
                ],
                "its launcher read only to tell whose strike its places saw",
            ),
            ([(at(0), ANCHOR), (at(5), verdict(0.3, None))], "no launcher named"),
            (
                [(at(0), ANCHOR), (at(5), SATELLITE)],
                "the satellite launch its launcher announced (sure by the model, no launch)",
            ),
            ([(at(0), verdict(0.9)), (at(5), verdict(0.3))], "the earlier report is not sure"),
        ],
    )
    def test_not_lifted(self, entries: list[tuple[datetime, Verdict]], why: str) -> None:
        out = in_stream(entries)
        assert not out[1].is_launch, why
        assert out[1] == entries[1][1]


def placed(base: Verdict, *places: str) -> Verdict:
    return dataclasses.replace(base, places=places)


STRIKE = placed(verdict(0.99, "RU"), "kryvyi rih")


class TestPlaceLift:
    def test_a_doubted_report_naming_the_strikes_place_is_a_launch_report(self) -> None:
        """A toll update naming no launcher ("Kryvyi Rih toll rises to 16 including six
        children") hours after a sure report of the strike on that city."""
        out = in_stream([(at(0), STRIKE), (at(6), placed(verdict(0.05, None), "kryvyi rih"))])
        assert out[1].is_launch
        assert out[1].reasons[-1] == "ctx:stream_place"
        assert out[1].confidence == 0.5

    def test_a_flash_just_before_the_sure_report_is_lifted(self) -> None:
        out = in_stream([(at(0.5), STRIKE), (at(0), placed(verdict(0.05, None), "kryvyi rih"))])
        assert out[1].reasons[-1] == "ctx:stream_place"

    def test_a_launcher_only_guessed_is_no_bar(self) -> None:
        doubted = placed(verdict(0.05, "UA", "ctx:launcher_guessed"), "kryvyi rih")
        assert in_stream([(at(0), STRIKE), (at(6), doubted)])[1].is_launch

    @pytest.mark.parametrize(
        ("entries", "why"),
        [
            ([(at(0), STRIKE), (at(6), placed(verdict(0.05, None), "odesa"))], "another place"),
            ([(at(0), STRIKE), (at(13), placed(verdict(0.05, None), "kryvyi rih"))], "too late"),
            ([(at(2), STRIKE), (at(0), placed(verdict(0.05, None), "kryvyi rih"))], "too early"),
            ([(at(0), STRIKE), (at(6), placed(verdict(0.01, None), "kryvyi rih"))], "unlikely"),
            ([(at(0), STRIKE), (at(6), placed(verdict(0.3, "IR"), "kryvyi rih"))], "another's"),
            (
                [(at(0), placed(verdict(0.9, "RU"), "kryvyi rih")),
                 (at(6), placed(verdict(0.05, None), "kryvyi rih"))],
                "the earlier report is not sure",
            ),
            (
                [(at(0), STRIKE),
                 (at(6), placed(verdict(0.05, None, corrects=True), "kryvyi rih"))],
                "a correction",
            ),
        ],
    )  # fmt: skip
    def test_not_lifted(self, entries: list[tuple[datetime, Verdict]], why: str) -> None:
        out = in_stream(entries)
        assert out[1] == entries[1][1], why

    @pytest.mark.parametrize(
        ("title", "places"),
        [
            ("Kryvyi Rih missile strike toll rises to 16 in Ukraine", ("kryvyi rih",)),
            ("Seoul: North Korea fires missile into East Sea", ()),
            ("Missile debris falls on Kiev as Odessa port is hit", ("kyiv", "odesa")),
            ("사우디 지잔에 미사일 파편…예멘 반군 소행", ("jizan",)),
            ("イスラエル中部バトヤムにミサイル、死者8人に", ("bat yam",)),
            ("Kryvyi Rih council votes on new school budget", ()),
            # ...not a name a place's begins ("Netanyahu"), nor words ending as one does
            # (문제다: "is a problem", not Jeddah; 중간자: "go-between", not Ganja), nor a sea
            # named after a port (아덴만, アデン湾: the Gulf of Aden)
            ("Netanyahu says Iranian missile barrage will be answered", ()),
            ("Missile strike video recalls Bin Laden raid", ()),  # English places start a word
            ("ネタニヤフ首相、イランの弾道ミサイル攻撃に報復を表明", ()),
            ("후티 미사일 문제다…중간자 역할 나선 오만", ()),
            ("후티, 아덴만 상선에 대함탄도미사일", ()),
            ("フーシ派、アデン湾の商船に対艦弾道ミサイル", ()),
        ],
    )
    def test_places_a_report_names(self, title: str, places: tuple[str, ...]) -> None:
        """The places of the strike it tells of, by their English names (cue data
        [place_names]), less those too wide to tie it to one (a state, a sea, a capital that
        speaks: [places]); read only where the model judged it (a missile or launch cue)."""
        item = report(title)
        assert classify_item(item).places == places

    def test_a_place_named_in_the_lede_counts(self) -> None:
        item = report(
            "Toll rises after missile strike",
            "The missile hit a five-storey block in Kryvyi Rih overnight.",
        )
        assert classify_item(item).places == ("kryvyi rih",)

    @pytest.mark.parametrize("probability", [0.03, 0.3])
    def test_a_doubted_report_naming_a_place_names_its_launcher(self, probability: float) -> None:
        """So that another launcher's fire at the same city does not lift it: Hezbollah's
        rockets at Tel Aviv and Haifa the week of Iran's barrage on both."""
        item = report(
            "Hezbollah fires rockets at Tel Aviv and Haifa, its second barrage this week",
            "Hezbollah said it fired a salvo of rockets at Tel Aviv and Haifa on Tuesday evening.",
        )
        doubted = classify_item(item, model=Fixed(probability))
        assert doubted.places == ("haifa", "tel aviv")
        assert doubted.facts.country == "LB"
        assert "ctx:launcher_guessed" not in doubted.reasons


class TestSilence:
    def test_launch_verdict_with_no_sure_report_around_it_is_not_a_launch(self) -> None:
        """A postponement ("Range safety glitch pushes Vandenberg Minuteman test to
        Wednesday") in a stream where nothing sure of a US launch came."""
        entries = [(at(0), NEGATIVE), (at(3), verdict(0.77, "US"))]
        out = in_stream(entries)
        assert out[0] == NEGATIVE
        assert not out[1].is_launch
        assert out[1].reasons[-1] == "ctx:stream_silent"
        assert out[1].confidence <= 0.45

    @pytest.mark.parametrize(
        ("anchor_hours", "kept"),
        [(-47, True), (-49, False), (5.5, True), (7, False)],
    )
    def test_anchor_span(self, anchor_hours: float, kept: bool) -> None:
        """An anchor up to 48 hours before or 6 hours after keeps it (a flash before the sure
        reports); the stream has other items in the span (the anchor, or a negative)."""
        entries = [(at(1), NEGATIVE), (at(anchor_hours), ANCHOR), (at(0), verdict(0.8))]
        assert in_stream(entries)[2].is_launch is kept

    def test_guessed_launcher_is_kept_by_any_launchers_anchor(self) -> None:
        """A report guessed to be of South Korea's launch ("Seoul: missiles flew 1,000 km")
        is kept by North Korea's flash."""
        guessed = verdict(0.8, "KR", "ctx:launcher_guessed")
        named = verdict(0.8, "KR")
        out = in_stream([(at(0), ANCHOR), (at(2), guessed), (at(2), named)])
        assert out[1].is_launch
        assert not out[2].is_launch

    def test_alone_it_stands(self) -> None:
        """Silence means nothing where the stream was not listening: one item alone, or the
        first hours of a stream with nothing else around, is judged as it stands."""
        lone = verdict(0.8)
        assert in_stream([(at(0), lone)]) == [lone]
        assert in_stream([(at(0), lone), (at(7), NEGATIVE)])[0] == lone
        assert in_stream([(at(-5), NEGATIVE), (at(0), lone)])[1] != lone  # others around

    def test_a_quiet_stretch_of_a_long_stream_is_silence(self) -> None:
        """An item days into a stream, with nothing else within its span: silenced."""
        out = in_stream([(at(-60), NEGATIVE), (at(0), verdict(0.8)), (at(7), NEGATIVE)])
        assert out[1].reasons[-1] == "ctx:stream_silent"

    def test_sure_reports_are_never_silenced(self) -> None:
        entries = [(at(0), NEGATIVE), (at(1), verdict(0.9198, "US"))]  # confidence 0.9
        assert in_stream(entries)[1] == entries[1][1]


RULES_LAUNCH = Verdict(  # the rules' verdict stood (a bare headline that fires), or no model
    is_launch=True, confidence=0.6, reasons=("ctx:rules_launch",), facts=Facts(country="US")
)


class TestUntouched:
    @pytest.mark.parametrize(
        "item", [RULES_LAUNCH, verdict(0.8, "US", corrects=True)], ids=["rules", "correction"]
    )
    def test_rules_verdicts_and_corrections(self, item: Verdict) -> None:
        entries = [(at(0), NEGATIVE), (at(1), item)]
        assert in_stream(entries)[1] == item

    def test_a_sure_rules_verdict_anchors_nothing(self) -> None:
        sure_rules = dataclasses.replace(RULES_LAUNCH, confidence=0.95)
        doubted = verdict(0.3, "US")
        assert in_stream([(at(0), sure_rules), (at(5), doubted)])[1] == doubted

    def test_dates_out_of_range_are_undated(self) -> None:
        """No overflow computing a news cycle's span around year 1 or 9999."""
        early = datetime(1, 1, 1, tzinfo=UTC)
        late = datetime(9999, 12, 31, 23, tzinfo=UTC)
        entries = [(early, verdict(0.8)), (at(0), ANCHOR), (late, verdict(0.3)), (at(1), NEGATIVE)]
        assert in_stream(entries) == [e[1] for e in entries]

    def test_undated_items_neither_anchor_nor_change(self) -> None:
        entries = [(None, ANCHOR), (at(1), verdict(0.3)), (None, verdict(0.8, "US"))]
        assert in_stream(entries) == [e[1] for e in entries]

    def test_order_is_kept(self) -> None:
        entries = [(at(h), verdict(p)) for h, p in ((3, 0.99), (0, 0.02), (2, 0.99))]
        assert in_stream(entries) == [e[1] for e in entries]


class TestProbability:
    def test_set_when_the_model_judged(self) -> None:
        item = report(
            "N. Korea fires ballistic missile into East Sea: JCS",
            "South Korea's Joint Chiefs of Staff said the missile flew about 400 km.",
        )
        judged = classify_item(item)
        assert judged.probability is not None
        assert f"model:{judged.probability:.2f}" in judged.reasons
        assert classify_item(item, model=None).probability is None

    @pytest.mark.parametrize(("probability", "launcher"), [(0.3, "KP"), (0.05, None)])
    def test_a_doubted_report_names_its_launcher(
        self, probability: float, launcher: str | None
    ) -> None:
        """A report the model doubts, not out of hand, has its facts read: the stream around
        it may make a launch report of it, and that needs its launcher."""
        item = report(
            "Analysts: North Korea's new missile could reach Guam",
            "Analysts said the North Korean missile had a range of about 4,500 km.",
        )
        doubted = classify_item(item, model=Fixed(probability))
        assert not doubted.is_launch
        assert doubted.probability == probability
        assert doubted.facts.country == launcher


def classify_lines(
    monkeypatch: pytest.MonkeyPatch, verdicts: dict[str, Verdict], lines: list[str], *args: str
) -> tuple[int, list[dict]]:
    """`alerts classify [ARGS] -` on these input lines, with fixed verdicts (by item id) in
    place of the detector: its exit code and output records."""
    from click.testing import CliRunner

    from alerts import cli

    monkeypatch.setattr(cli, "classify_item", lambda item: verdicts[item.id])
    result = CliRunner().invoke(cli.classify, [*args, "-"], input="\n".join(lines) + "\n")
    return result.exit_code, [json.loads(line) for line in result.output.splitlines()]


STREAM = {"flash": ANCHOR, "analysis": verdict(0.3), "delay": verdict(0.8, "US")}
STREAM_LINES = [
    '{"id": "analysis", "title": "t", "published": "2026-11-25T05:00:00Z"}',
    "{oops",
    '{"id": "flash", "title": "t", "published": "2026-11-25T00:00:00Z"}',
    '{"id": "delay", "title": "t", "published": "2026-11-25T03:00:00Z"}',
]


class TestClassifyCommand:
    def test_reads_its_input_as_one_stream(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """`alerts classify` reconsiders each verdict against the others in its input, keeps
        the input's order, and still reports a bad line in its place."""
        code, out = classify_lines(monkeypatch, STREAM, STREAM_LINES)
        assert code == 1
        assert [o["id"] for o in out] == ["analysis", "line-2", "flash", "delay"]
        assert "line 2" in out[1]["error"]
        assert (out[0]["is_launch"], out[0]["reasons"][-1]) == (True, "ctx:stream_launch")
        assert (out[2]["is_launch"], out[2]["reasons"]) == (True, [])
        assert (out[3]["is_launch"], out[3]["reasons"][-1]) == (False, "ctx:stream_silent")

    def test_alone_judges_each_item_as_it_stands(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """`--alone` (for `tail -f`): the detector's verdicts, line by line, unchanged."""
        code, out = classify_lines(monkeypatch, STREAM, STREAM_LINES, "--alone")
        assert code == 1
        assert [o["id"] for o in out] == ["analysis", "line-2", "flash", "delay"]
        assert [o.get("is_launch") for o in out] == [False, None, True, True]
        assert not any(r.startswith("ctx:stream") for o in out for r in o.get("reasons", ()))

    def test_a_date_out_of_range_is_a_bad_line(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Not an overflow that would lose every verdict of the input."""
        code, out = classify_lines(monkeypatch, {"b": NEGATIVE}, [
            '{"id": "a", "title": "t", "published": "0001-01-01T00:00:00Z"}',
            '{"id": "b", "title": "t", "published": "2026-11-25T00:00:00Z"}',
            '{"id": "c", "title": "t", "published": "9999-12-31T23:00:00Z"}',
        ])  # fmt: skip
        assert code == 1
        assert ["error" in o for o in out] == [True, False, True]
        assert "out of range" in out[0]["error"]
