"""The dashboard's launch timeline as geometry: one lane per country, one dot per launch.

Pure: takes (country, launch time) pairs and `now`, returns coordinates in SVG user units. The
template draws them, so every label goes through the template's escaping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

WIDTH = 720.0
LABEL_W = 80.0
LANE_H = 26.0
AXIS_H = 28.0
PAD = 8.0


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    label: str  # tooltip: "KP 2026-11-25 03:10 UTC"
    retracted: bool


@dataclass(frozen=True, slots=True)
class Lane:
    country: str
    y: float
    count: int


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class Timeline:
    width: float
    height: float
    plot_left: float
    plot_right: float
    lanes: tuple[Lane, ...]
    dots: tuple[Dot, ...]
    ticks: tuple[Tick, ...]
    days: int


def build_timeline(
    launches: Iterable[tuple[str, datetime, bool]], *, now: datetime, days: int = 30
) -> Timeline:
    """Lay out launches (country, launch time, retracted) of the last `days` days up to `now`.

    Lanes are ordered by launch count, busiest first; launches outside the window are left out.
    """
    start = now - timedelta(days=days)
    span_s = (now - start).total_seconds()
    left, right = LABEL_W + PAD, WIDTH - PAD
    shown = [(c or "??", at, r) for c, at, r in launches if start <= at <= now]
    counts: dict[str, int] = {}
    for country, _, _ in shown:
        counts[country] = counts.get(country, 0) + 1
    order = sorted(counts, key=lambda c: (-counts[c], c))
    lane_y = {c: PAD + LANE_H * (i + 0.5) for i, c in enumerate(order)}
    lanes = tuple(Lane(c, lane_y[c], counts[c]) for c in order)

    def x_of(at: datetime) -> float:
        return round(left + (right - left) * (at - start).total_seconds() / span_s, 1)

    dots = tuple(Dot(x_of(at), lane_y[c], f"{c} {at:%Y-%m-%d %H:%M} UTC", r) for c, at, r in shown)
    axis_y = PAD + LANE_H * max(len(lanes), 1)
    ticks = tuple(
        Tick(x_of(start + timedelta(days=d)), f"{start + timedelta(days=d):%b %d}")
        for d in range(0, days + 1, 7)
    )
    return Timeline(
        width=WIDTH,
        height=axis_y + AXIS_H,
        plot_left=left,
        plot_right=right,
        lanes=lanes,
        dots=dots,
        ticks=ticks,
        days=days,
    )
