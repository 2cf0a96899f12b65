"""The fuzz properties of every channel (tests/fuzz/test_fuzz_render.py) hold in Korean and
Japanese too: translated wording and far-off time zones (times near year 1 or 9999 cannot
move into Asia/Tokyo) keep every payload within the platform's limits and feed text inert."""

from __future__ import annotations

import dataclasses
from unittest.mock import patch

from hypothesis import given
from hypothesis import strategies as st

from alerts.models import Alert
from tests.fuzz import test_fuzz_render as fuzz
from tests.fuzz.strategies import fuzz_settings

ZONES = {"ko": "Asia/Seoul", "ja": "Asia/Tokyo"}
LOCALISED = {
    language: {
        name: dataclasses.replace(destination, language=language, timezone=zone)
        for name, destination in fuzz.DESTINATIONS.items()
    }
    for language, zone in ZONES.items()
}


@fuzz_settings(15)
@given(fuzz.alerts, st.sampled_from(sorted(ZONES)))
def test_every_channel_in_korean_and_japanese(alert: Alert, language: str) -> None:
    with patch.dict(fuzz.DESTINATIONS, LOCALISED[language]):
        for check in fuzz.CHECKS.values():
            check(alert)
