"""The local calendar day at a launcher's launch sites: what makes two salvos one event.

A launch event is one launching actor's launch activity on one local calendar day at the launch
site (issue 12): North Korea's morning and afternoon salvos are one event, the next morning's
launch is another. Zones are the launcher's usual launch areas, with their history (Pyongyang
kept UTC+8:30 from 2015 to 2018), read from the IANA database (the `tzdata` package where the
system has none).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from alerts.models import LAUNCHER_ZONES

_DEFAULT_ZONE = "UTC"
_ZONES = {code: ZoneInfo(name) for code, name in LAUNCHER_ZONES.items()}
_UTC = ZoneInfo(_DEFAULT_ZONE)


def local_day(country: str, at: datetime) -> date:
    """The calendar day at `country`'s launch sites at the instant `at` (aware)."""
    return at.astimezone(_ZONES.get(country, _UTC)).date()
