"""Where each launcher launches from, as a time zone: its calendar day is the day of its launch
events (events/calendar.py), and the day English copy of its launches calls "today"
(detection/classify.py; Korean and Japanese copy dates by KST/JST). Zones are the launcher's
usual launch areas, with their history (Pyongyang kept UTC+8:30 from 2015 to 2018), read from
the IANA database (the `tzdata` package where the system has none).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

LAUNCHER_ZONES = {
    "KP": "Asia/Pyongyang", "KR": "Asia/Seoul", "JP": "Asia/Tokyo", "CN": "Asia/Shanghai",
    "TW": "Asia/Taipei", "RU": "Europe/Moscow", "UA": "Europe/Kyiv", "IR": "Asia/Tehran",
    "IQ": "Asia/Baghdad", "SY": "Asia/Damascus", "LB": "Asia/Beirut", "IL": "Asia/Jerusalem",
    "PS": "Asia/Gaza", "YE": "Asia/Aden", "SA": "Asia/Riyadh", "IN": "Asia/Kolkata",
    "PK": "Asia/Karachi", "US": "America/Los_Angeles", "FR": "Europe/Paris",
    "GB": "Europe/London", "AM": "Asia/Yerevan", "AZ": "Asia/Baku", "LY": "Africa/Tripoli",
}  # fmt: skip
_ZONES = {code: ZoneInfo(name) for code, name in LAUNCHER_ZONES.items()}


def launch_site_zone(country: str | None) -> ZoneInfo | None:
    """The zone of `country`'s launch sites, or None for a state the table does not know."""
    return _ZONES.get(country or "")
