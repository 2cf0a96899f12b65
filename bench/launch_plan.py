"""Planted launch reports for the load and latency benches: each one a distinct launch event.

A launch event is one launcher's launches on one local calendar day at the launch site, so a
bench that plants many launches at once gives each launcher at most one a day: 14 launchers
the detector names, today and up to two days back (an event stays joinable three days), each
report dated and stating its launch time on its day. The benches measure latency from the
wall-clock moment they publish, never from these dates, and raise ALERTS_MAX_ITEM_AGE_SECONDS
to MAX_ITEM_AGE_S so the older dates are not taken for old news.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# Country names the English detector maps to one launcher each (checked with `alerts classify`).
COUNTRIES = [
    ("North Korea", "KP"), ("Iran", "IR"), ("Russia", "RU"), ("Yemen's Houthis", "YE"),
    ("China", "CN"), ("India", "IN"), ("Pakistan", "PK"), ("Israel", "IL"), ("France", "FR"),
    ("Britain", "GB"), ("Hezbollah", "LB"), ("Ukraine", "UA"), ("South Korea", "KR"),
    ("United States", "US"),
]  # fmt: skip
DAYS_BACK = 3
MAX_LAUNCHES = len(COUNTRIES) * DAYS_BACK
MAX_ITEM_AGE_S = 4 * 86400


def launch_time(n: int, base: datetime) -> datetime:
    """The stated launch time of planted launch `n`: its launcher's n-th day back (and as
    many minutes earlier, so that every planted title is different)."""
    back = (n // len(COUNTRIES)) % DAYS_BACK
    return base - timedelta(days=back, minutes=back)


def launch_title(n: int, stated: datetime) -> str:
    """ "Iran fires ballistic missile at 7:54 a.m. (0754 GMT), officials say" ("a.m./p.m." then
    the GMT time: the detector reads the zone only after them)."""
    country = COUNTRIES[n % len(COUNTRIES)][0]
    clock = f"at {stated:%-I:%M} {'a.m.' if stated.hour < 12 else 'p.m.'} ({stated:%H%M} GMT)"
    return f"{country} fires ballistic missile {clock}, officials say"
