"""Land outlines and Japan's (approximate) EEZ, shipped with the package for offline maps.

Pure: reads `coastlines.json` beside this module once. The file is made by
scripts/build_geo.py from Natural Earth 1:50m land (public domain), as redistributed by the
npm package world-atlas 2.0.2 (ISC), simplified to ~4 km and cut into 10-degree tiles so a map
touches only the tiles it shows. The EEZ outline is an approximation (200 nautical miles from
Japan's coast, cut at median lines with the neighbours), not the legal boundary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Ring:
    """One closed outline, (lon, lat) points, with its bounding box."""

    points: tuple[tuple[float, float], ...]
    west: float
    south: float
    east: float
    north: float


Polygon = tuple[Ring, ...]  # the exterior ring, then its holes


@dataclass(frozen=True, slots=True)
class Outlines:
    land: tuple[Polygon, ...]
    japan_eez: tuple[Polygon, ...]
    source: str
    japan_eez_note: str


def _ring(flat: list[float]) -> Ring:
    points = tuple(zip(flat[0::2], flat[1::2], strict=True))
    lons, lats = flat[0::2], flat[1::2]
    return Ring(points, min(lons), min(lats), max(lons), max(lats))


def _polygons(raw: list[list[list[float]]]) -> tuple[Polygon, ...]:
    return tuple(tuple(_ring(r) for r in polygon) for polygon in raw)


def parse_outlines(data: dict[str, Any]) -> Outlines:
    """Outlines from the decoded JSON document (see scripts/build_geo.py for its shape)."""
    return Outlines(
        land=_polygons(data["land"]),
        japan_eez=_polygons(data["japan_eez"]),
        source=str(data["source"]),
        japan_eez_note=str(data["japan_eez_note"]),
    )


@lru_cache(maxsize=1)
def load_outlines() -> Outlines:
    """The packaged outlines, parsed once per process (~30k points, a few MB in memory)."""
    raw = resources.files("alerts.geo").joinpath("coastlines.json").read_text(encoding="utf-8")
    return parse_outlines(json.loads(raw))
