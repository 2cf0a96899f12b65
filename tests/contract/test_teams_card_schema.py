"""Every Teams card is valid against the official Adaptive Card schema of the version it
declares (tests/contract/schemas/, vendored from microsoft/AdaptiveCards).

Teams drops or refuses a card it cannot read; a property from a later version than the card
declares (1.5's `TextBlock.style: "heading"` in a 1.4 card) is exactly that, so the schema of
the declared version is the contract, not the newest one.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from alerts.models import Alert, AlertKind, Destination, Facts, SourceRef
from alerts.notify import teams
from alerts.redact import Secret

SCHEMAS = Path(__file__).parent / "schemas"
SCHEMA_FILES = {"1.4": "adaptive-card-1.4.json"}  # declared version -> official schema
DESTINATION = Destination("ops", "teams", url=Secret("https://teams.example/workflows/XXX"))
T0 = datetime(2026, 11, 25, 7, 15, tzinfo=UTC)
BASE = Alert(
    event_id="kp-20261125-0712-ab12",
    kind=AlertKind.NEW,
    revision=1,
    title="N. Korea fires ballistic missile into East Sea",
    url="https://en.yna.co.kr/view/AEN20261125000100315",
    facts=Facts(country="KP", missile_class="ICBM", count=2, apogee_km=6000.0,
                distance_km=1000.0, landing_area="East Sea", inside_japan_eez=False,
                authority="South Korea JCS", launch_time=T0, speed_mach=10.5),
    confidence=0.93,
    detected_at=T0 + timedelta(minutes=1),
    first_published_at=T0,
    sources=(SourceRef("yonhap", "y1", "https://en.yna.co.kr/view/AEN1", "N. Korea fires", T0),),
)  # fmt: skip
HOSTILE = "**[x](javascript:alert(1))** <at>everyone</at> # heading\r\n- list `code` " * 40
ALERTS = {
    "new": BASE,
    "update": dataclasses.replace(BASE, kind=AlertKind.UPDATE, revision=2,
                                  changes=("missile_class", "apogee_km")),
    "correction": dataclasses.replace(BASE, kind=AlertKind.CORRECTION, revision=3,
                                      changes=("retracted",)),
    "test": dataclasses.replace(BASE, test=True, event_id="test-20261125071500"),
    "no facts, no link": dataclasses.replace(BASE, facts=Facts(), url="ftp://x", sources=(),
                                             first_published_at=None),
    "hostile": dataclasses.replace(BASE, title=HOSTILE, url=HOSTILE, event_id=HOSTILE,
                                   facts=Facts(country=HOSTILE, landing_area=HOSTILE),
                                   sources=(SourceRef(HOSTILE, "i", HOSTILE, HOSTILE, None),)),
    "many sources": dataclasses.replace(BASE, sources=tuple(
        SourceRef(f"s{n}", str(n), f"https://news.example/{'a' * 500}/{n}", f"Report {n}", T0)
        for n in range(60)
    )),
}  # fmt: skip


@cache
def validator(version: str) -> jsonschema.protocols.Validator:
    """The official schema of `version`; a version without a vendored schema fails the test."""
    assert version in SCHEMA_FILES, f"no official schema vendored for Adaptive Card {version}"
    schema = json.loads((SCHEMAS / SCHEMA_FILES[version]).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def card_of(alert: Alert) -> dict[str, Any]:
    [attachment] = teams.render(alert, DESTINATION)["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card: dict[str, Any] = attachment["content"]
    return card


@pytest.mark.parametrize("alert", ALERTS.values(), ids=ALERTS.keys())
def test_card_is_valid_against_the_schema_of_its_declared_version(alert: Alert) -> None:
    card = card_of(alert)
    error = jsonschema.exceptions.best_match(validator(card["version"]).iter_errors(card))
    assert error is None, f"{error.json_path}: {error.message}"


def test_the_vendored_schema_is_the_official_1_4_one() -> None:
    """The copy is whole, and strict where it matters: it rejects what 1.4 does not have."""
    text = (SCHEMAS / SCHEMA_FILES["1.4"]).read_text(encoding="utf-8")
    assert len(text) == 72_451
    schema = json.loads(text)
    assert schema["id"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert schema["definitions"]["Refresh"]["version"] == "1.4"  # new in 1.4
    assert "style" not in schema["definitions"]["TextBlock"]["properties"]  # came in 1.5
    card = card_of(BASE)
    card["body"][0]["style"] = "heading"
    assert not validator("1.4").is_valid(card)
