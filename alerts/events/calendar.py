"""The local calendar day at a launcher's launch sites: what makes two salvos one event.

A launch event is one launching actor's launch activity on one local calendar day at the launch
site (issue 12): North Korea's morning and afternoon salvos are one event, the next morning's
launch is another. The zones are `launch_sites.py`'s.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from alerts.launch_sites import launch_site_zone

_UTC = ZoneInfo("UTC")


def local_day(country: str, at: datetime) -> date:
    """The calendar day at `country`'s launch sites at the instant `at` (aware)."""
    return at.astimezone(launch_site_zone(country) or _UTC).date()
