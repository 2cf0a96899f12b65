"""Every CAP message we render is valid against the official OASIS CAP 1.2 schema
(tests/contract/schemas/CAP-v1.2.xsd) and says what the alert means: msgType, references,
status, the urgency/severity/certainty mapping, the area. Hostile feed text stays text."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from alerts.models import Alert, AlertKind, Facts, SourceRef
from alerts.web.cap import (
    CAP_NS,
    cap_identifier,
    parse_cap_identifier,
    render_cap,
    xml_text,
)

SCHEMA_PATH = Path(__file__).parents[1] / "contract" / "schemas" / "CAP-v1.2.xsd"
SENDER = "missile-alerts@alerts.example.org"
NOW = datetime(2026, 12, 2, 8, 10, 5, 987654, tzinfo=UTC)
NS = {"cap": CAP_NS}
HOSTILE = 'KP FIRES <script>alert("x")</script> & ]]> \x00\x07\x1b[31m\x7f\x85\u2028 end'


@cache
def cap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def valid_message(xml: bytes) -> etree._Element:
    """The parsed message, after asserting the official schema accepts it."""
    root = etree.fromstring(xml)
    schema = cap_schema()
    assert schema.validate(root), "\n".join(str(e) for e in schema.error_log)
    return root


def text(root: etree._Element, path: str) -> str | None:
    found = root.find(path, NS)
    return None if found is None else found.text


def parameters(root: etree._Element) -> dict[str, str]:
    return {
        p.findtext("cap:valueName", namespaces=NS): p.findtext("cap:value", namespaces=NS)
        for p in root.findall("cap:info/cap:parameter", NS)
    }


def alert(revision: int = 1, kind: AlertKind = AlertKind.NEW, **changes: object) -> Alert:
    facts = Facts(
        country="KP",
        missile_class="SRBM",
        count=2,
        launch_time=NOW - timedelta(minutes=20),
        launch_site="Sunan",
        landing_area="East Sea",
        inside_japan_eez=False,
        apogee_km=50.0,
        distance_km=350.5,
        authority=None,
    )
    base = Alert(
        event_id="kp-20261202-0750-r00001",
        kind=kind,
        revision=revision,
        title="North Korea fires two ballistic missiles",
        url="https://news.example/kp?id=1&lang=en",
        facts=facts,
        confidence=0.9,
        detected_at=NOW + timedelta(minutes=revision),
        first_published_at=NOW - timedelta(minutes=5),
        sources=(SourceRef("feed-a", "a1", "https://news.example/kp", "t", NOW),),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def first_two() -> list[Alert]:
    return [alert(1), alert(2, AlertKind.UPDATE, changes=("apogee_km",))]


class TestSchemaValid:
    @pytest.mark.parametrize(
        ("message", "msg_type"),
        [
            (alert(1), "Alert"),
            (alert(2, AlertKind.UPDATE, changes=("apogee_km",)), "Update"),
            (alert(3, AlertKind.CORRECTION, changes=("retracted",)), "Cancel"),
            (alert(3, AlertKind.CORRECTION, changes=("missile_class",)), "Update"),
            (alert(1, test=True), "Alert"),
        ],
        ids=["new", "update", "retraction", "fact-correction", "test"],
    )
    def test_every_kind_is_valid_cap_with_its_msg_type(self, message: Alert, msg_type: str) -> None:
        root = valid_message(render_cap(message, sender=SENDER, earlier=first_two()))
        assert text(root, "cap:msgType") == msg_type
        assert text(root, "cap:status") == ("Test" if message.test else "Actual")
        assert text(root, "cap:scope") == "Public"
        assert text(root, "cap:info/cap:category") == "Security"
        assert text(root, "cap:identifier") == f"kp-20261202-0750-r00001-r{message.revision}"
        assert text(root, "cap:incidents") == "kp-20261202-0750-r00001"

    def test_with_and_without_an_area(self) -> None:
        with_area = valid_message(render_cap(alert(1), sender=SENDER))
        assert text(with_area, "cap:info/cap:area/cap:areaDesc") == (
            "East Sea (outside Japan's EEZ)"
        )
        nowhere = alert(1, facts=Facts(country="KP"), first_published_at=None)
        bare = valid_message(render_cap(nowhere, sender=SENDER))
        assert bare.find("cap:info/cap:area", NS) is None
        assert text(bare, "cap:info/cap:urgency") == "Unknown"
        eez_only = alert(1, facts=Facts(country="KP", inside_japan_eez=True))
        root = valid_message(render_cap(eez_only, sender=SENDER))
        assert text(root, "cap:info/cap:area/cap:areaDesc") == (
            "Japan's exclusive economic zone (EEZ)"
        )

    def test_hostile_text_everywhere_stays_valid_text(self) -> None:
        """XML specials, NUL, escape sequences and C1 controls in every field that comes from
        a feed: the message is well-formed, valid, and shows the text without the controls."""
        hostile = alert(
            2,
            AlertKind.UPDATE,
            title=HOSTILE,
            url='https://x.example/a b"<c>&d\x00',
            facts=Facts(
                country="K<P>&\x00",
                landing_area=HOSTILE,
                launch_site=HOSTILE,
                authority=HOSTILE,
                count_text=HOSTILE,
                missile_class="ICBM</info>",
            ),
            changes=("landing_area", "</cap:alert>\x01"),
            sources=(SourceRef("<feed>&", "a", "u", HOSTILE),),
        )
        xml = render_cap(hostile, sender=SENDER, earlier=[alert(1)])
        assert not any(ch in xml.decode() for ch in "\x00\x07\x1b\x7f\x85\x01")
        root = valid_message(xml)
        assert 'KP FIRES <script>alert("x")</script> & ]]>' in text(
            root, "cap:info/cap:description"
        )
        assert text(root, "cap:info/cap:area/cap:areaDesc").startswith("KP FIRES <script>")
        assert parameters(root)["missile_class"] == "ICBM</info>"
        assert text(root, "cap:info/cap:web") == "https://x.example/a%20b%22%3Cc%3E&d"

    def test_the_schema_is_strict_enough_to_catch_a_wrong_message(self) -> None:
        """The check can fail: a fractional `sent` or an unknown msgType is refused."""
        good = render_cap(alert(1), sender=SENDER)
        for wrong in (
            good.replace(b"<msgType>Alert<", b"<msgType>Retract<"),
            good.replace(b"08:11:05+00:00</sent>", b"08:11:05.987+00:00</sent>"),
            good.replace(b"<category>Security<", b"<category>Missile<"),
        ):
            assert wrong != good
            assert not cap_schema().validate(etree.fromstring(wrong))


class TestMeaning:
    def test_updates_reference_every_earlier_revision_as_sender_identifier_sent(self) -> None:
        update = alert(3, AlertKind.UPDATE, changes=("count",))
        root = valid_message(render_cap(update, sender=SENDER, earlier=[*first_two(), update]))
        assert text(root, "cap:references") == (
            f"{SENDER},kp-20261202-0750-r00001-r1,2026-12-02T08:11:05+00:00 "
            f"{SENDER},kp-20261202-0750-r00001-r2,2026-12-02T08:12:05+00:00"
        )
        assert text(root, "cap:sent") == "2026-12-02T08:13:05+00:00"

    def test_a_new_alert_references_nothing(self) -> None:
        root = valid_message(render_cap(alert(1), sender=SENDER, earlier=first_two()))
        assert root.find("cap:references", NS) is None

    def test_a_retraction_cancels_and_gives_the_all_clear(self) -> None:
        retraction = alert(3, AlertKind.CORRECTION, changes=("retracted",))
        root = valid_message(render_cap(retraction, sender=SENDER, earlier=first_two()))
        assert text(root, "cap:msgType") == "Cancel"
        assert text(root, "cap:references").count(SENDER) == 2
        assert text(root, "cap:info/cap:responseType") == "AllClear"
        assert [text(root, f"cap:info/cap:{n}") for n in ("urgency", "severity", "certainty")] == [
            "Past",
            "Minor",
            "Unlikely",
        ]
        assert text(root, "cap:note").startswith("Retracted: the reported launch by North Korea")

    @pytest.mark.parametrize(
        ("facts", "confidence", "detected_after_launch", "expected"),
        [
            (Facts(missile_class="SRBM"), 0.9, timedelta(minutes=20),
             ("Immediate", "Moderate", "Likely")),
            (Facts(missile_class="ICBM"), 0.6, timedelta(minutes=20),
             ("Immediate", "Severe", "Possible")),
            (Facts(missile_class="SRBM", inside_japan_eez=True), 0.9, timedelta(hours=3),
             ("Past", "Severe", "Likely")),
            (Facts(missile_class="ICBM", inside_japan_eez=True, authority="Japan MOD"), 0.5,
             timedelta(minutes=5), ("Immediate", "Extreme", "Observed")),
        ],
    )  # fmt: skip
    def test_urgency_severity_certainty_follow_the_documented_mapping(
        self,
        facts: Facts,
        confidence: float,
        detected_after_launch: timedelta,
        expected: tuple[str, str, str],
    ) -> None:
        launched = NOW - detected_after_launch
        message = alert(
            1,
            facts=dataclasses.replace(facts, launch_time=launched),
            confidence=confidence,
            detected_at=NOW,
        )
        root = valid_message(render_cap(message, sender=SENDER))
        got = tuple(text(root, f"cap:info/cap:{n}") for n in ("urgency", "severity", "certainty"))
        assert got == expected
        assert text(root, "cap:info/cap:onset") == launched.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    def test_facts_are_parameters_and_the_source_is_the_web_link(self) -> None:
        root = valid_message(render_cap(alert(1), sender=SENDER))
        params = parameters(root)
        assert params["country"] == "KP"
        assert params["count"] == "2"
        assert params["distance_km"] == "350.5"
        assert params["inside_japan_eez"] == "false"
        assert params["launch_time"] == "2026-12-02T07:50:05+00:00"
        assert params["confidence"] == "0.90"
        assert text(root, "cap:info/cap:web") == "https://news.example/kp?id=1&lang=en"
        assert text(root, "cap:info/cap:headline") == "Ballistic missile launch — North Korea"
        assert "Launch site: Sunan" in text(root, "cap:info/cap:description")

    def test_a_javascript_link_is_left_out(self) -> None:
        root = valid_message(render_cap(alert(1, url="javascript:alert(1)"), sender=SENDER))
        assert root.find("cap:info/cap:web", NS) is None


class TestIdentifiers:
    @pytest.mark.parametrize(
        "event_id", ["kp-20261202-0750-r00001", "ir-x-r5", "odd id,<&>é", "a-r"]
    )
    def test_round_trip_and_no_forbidden_characters(self, event_id: str) -> None:
        identifier = cap_identifier(event_id, 12)
        assert not set(identifier) & set(" ,<&")
        assert parse_cap_identifier(identifier) == (event_id, 12)

    @pytest.mark.parametrize("identifier", ["", "kp", "kp-r0", "kp-r", "kp-r1x", "%6bp-r1"])
    def test_anything_else_is_not_an_identifier(self, identifier: str) -> None:
        assert parse_cap_identifier(identifier) is None

    def test_xml_text_drops_controls_and_keeps_lines_only_when_asked(self) -> None:
        assert xml_text("a\x00b\tc\r\nd\x85e\ud800") == "a b c d e"
        assert xml_text("a\x00b\r\nc\n\n d ", multiline=True) == "a b\nc\n\nd"
