"""The dashboard's flight map of one launch event as geometry: where it flew from and to.

Pure: takes the event's facts (launch_site, landing_area, inside_japan_eez, distance_km,
country) and returns coordinates in SVG user units; the template draws them, so every label
goes through the template's escaping. No tiles, no network: land comes from the outlines
shipped in alerts/geo (Natural Earth), places from alerts/geo's gazetteer.

The projection is equirectangular around the map's centre (x scaled by the cosine of the
centre's latitude), good enough for the few thousand kilometres a regional map spans. The
flight line follows the great circle. A landing area stated only as a sea ("East Sea") with a
stated distance is placed that far from the launch point toward the sea, when that point lies
in the sea's circle, and marked estimated. Without a launch site, the launcher's usual launch
region stands in, marked approximate; without a launch site or landing area there is no map.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from alerts.geo.gazetteer import (
    Location,
    bearing_between,
    destination,
    distance_km,
    load_gazetteer,
)
from alerts.geo.outlines import Polygon, load_outlines

WIDTH = 400.0
HEIGHT = 280.0
KM_PER_DEG = 111.32
PAD_FRACTION = 0.18  # space around the points, as a share of their span on each side
MIN_SPAN_KM = 500.0  # never zoom in closer than this across the map
EDGE = 2.0  # outlines are clipped just outside the box so they run off its edge
ESTIMATED_RADIUS_KM = 40.0  # uncertainty drawn around a point placed from a stated distance
_AREA_KINDS = ("sea", "area", "province", "country")
_LINE_STEPS = 24
LABEL_H = 14.0  # a label's height: closer labels overlap

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A point on the map with its label (placed beside it, anchored away from the edge)."""

    x: float
    y: float
    label: str
    label_x: float
    label_y: float
    anchor: str  # "start" | "end"
    approximate: bool


@dataclass(frozen=True, slots=True)
class FlightMap:
    """One event's map. Every label is a gazetteer name, never the report's own wording."""

    width: float
    height: float
    scale: float  # SVG units per kilometre at the map's centre
    land: str  # SVG path data, every land polygon in the box (fill-rule evenodd)
    eez: str  # SVG path data of Japan's EEZ outline, "" when not drawn
    launch: MapPoint | None
    landing: MapPoint | None
    landing_r: float  # radius (SVG units) of the landing area's circle; 0 for a point
    flight: str  # SVG path data of the flight line, "" without both points
    caption: str  # one line under the map naming the points
    description: str  # the text alternative for screen readers
    approximate: bool  # some point or outline is an estimate
    source: str  # credit for the outlines


def build_flight_map(facts: Mapping[str, Any], country: str | None = None) -> FlightMap | None:
    """The map of an event's facts (`Facts.as_dict()`), or None when no point is known.

    `country` is the event's launcher when the facts do not state one."""
    distance = facts.get("distance_km")
    eez = facts.get("inside_japan_eez")
    return _cached_map(
        _text(facts.get("launch_site")),
        _text(facts.get("landing_area")),
        eez if isinstance(eez, bool) else None,
        float(distance) if isinstance(distance, int | float) and distance > 0 else None,
        _text(facts.get("country")) or _text(country),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


@lru_cache(maxsize=512)
def _cached_map(
    site: str | None,
    area: str | None,
    inside_eez: bool | None,
    distance: float | None,
    country: str | None,
) -> FlightMap | None:
    gazetteer = load_gazetteer()
    launch, landing = gazetteer.locate(site), gazetteer.locate(area)
    if launch is None and landing is None:
        return None
    fallback = False
    if launch is None and landing is not None:
        region = gazetteer.launch_region(country)
        if region is not None:
            launch = Location(region, region.lat, region.lon, region.name, approximate=True)
            fallback = True
    landing_radius_km = 0.0
    estimated = False
    if landing is not None:
        landing, landing_radius_km, estimated = _landing(landing, launch, distance)
    caption = _caption(launch, landing, fallback, estimated, inside_eez, distance)
    return _draw(launch, landing, landing_radius_km, inside_eez, caption)


def _landing(
    landing: Location, launch: Location | None, distance: float | None
) -> tuple[Location, float, bool]:
    """The landing point and the radius of its circle; placed from the stated distance when
    the area is a wide one and the launch point is known."""
    place = landing.place
    if landing.approximate:  # moved by a stated offset: uncertain by some tens of km
        return landing, ESTIMATED_RADIUS_KM, False
    if place.kind not in _AREA_KINDS:
        return landing, place.radius_km, False
    if launch is not None and distance is not None:
        bearing = bearing_between(launch.lat, launch.lon, place.lat, place.lon)
        lat, lon = destination(launch.lat, launch.lon, bearing, distance)
        if distance_km(lat, lon, place.lat, place.lon) <= place.radius_km:
            moved = Location(place, lat, lon, place.name, approximate=True)
            return moved, ESTIMATED_RADIUS_KM, True
    return landing, place.radius_km, False


def _draw(
    launch: Location | None,
    landing: Location | None,
    landing_radius_km: float,
    inside_eez: bool | None,
    caption: str,
) -> FlightMap:
    anchor_lon = launch.lon if launch else landing.lon if landing else 0.0
    points = [
        (loc.lat, _unwrap(loc.lon, anchor_lon), r)
        for loc, r in ((launch, 0.0), (landing, landing_radius_km))
        if loc is not None
    ]
    view = _View.around(points)
    outlines = load_outlines()
    launch_point = _point(view, launch, anchor_lon) if launch else None
    landing_point = _point(view, landing, anchor_lon) if landing else None
    if launch_point and landing_point:
        landing_point = _apart(landing_point, launch_point)
    flight = ""
    if launch is not None and landing is not None:
        flight = _polyline(view, _great_circle(launch, landing, anchor_lon))
    eez = _paths(view, outlines.japan_eez) if inside_eez is not None else ""
    approximate = bool((launch and launch.approximate) or (landing and landing.approximate) or eez)
    return FlightMap(
        width=WIDTH,
        height=HEIGHT,
        scale=view.scale,
        land=_paths(view, outlines.land),
        eez=eez,
        launch=launch_point,
        landing=landing_point,
        landing_r=round(landing_radius_km * view.scale, 1),
        flight=flight,
        caption=caption,
        description=f"Map of the flight. {caption}",
        approximate=approximate,
        source="Coastlines: Natural Earth",
    )


def _unwrap(lon: float, anchor: float) -> float:
    """`lon` shifted by a whole turn to lie within 180 degrees of `anchor` (across the date
    line a flight from 170 E to 170 W goes 20 degrees east, not 340 west)."""
    while lon - anchor > 180:
        lon -= 360
    while lon - anchor < -180:
        lon += 360
    return lon


@dataclass(frozen=True, slots=True)
class _View:
    """The box shown: its centre, and SVG units per kilometre."""

    lat0: float
    lon0: float
    cos0: float
    scale: float
    west: float
    east: float
    south: float
    north: float

    @classmethod
    def around(cls, points: Sequence[tuple[float, float, float]]) -> _View:
        """The box around (lat, lon, radius_km) points, padded, at least MIN_SPAN_KM wide,
        with the map's aspect ratio."""
        south = min(lat - r / KM_PER_DEG for lat, _, r in points)
        north = max(lat + r / KM_PER_DEG for lat, _, r in points)
        lat0 = max(-80.0, min(80.0, (south + north) / 2))
        cos0 = math.cos(math.radians(lat0))
        west = min(lon - r / (KM_PER_DEG * cos0) for _, lon, r in points)
        east = max(lon + r / (KM_PER_DEG * cos0) for _, lon, r in points)
        lon0 = (west + east) / 2
        span_x = max((east - west) * cos0 * KM_PER_DEG, MIN_SPAN_KM) * (1 + 2 * PAD_FRACTION)
        span_y = max((north - south) * KM_PER_DEG, MIN_SPAN_KM) * (1 + 2 * PAD_FRACTION)
        span_x = max(span_x, span_y * WIDTH / HEIGHT)
        scale = WIDTH / span_x
        half_lon = span_x / 2 / (KM_PER_DEG * cos0)
        half_lat = HEIGHT / scale / 2 / KM_PER_DEG
        return cls(
            lat0, lon0, cos0, scale, lon0 - half_lon, lon0 + half_lon,
            lat0 - half_lat, lat0 + half_lat,
        )  # fmt: skip

    def xy(self, lat: float, lon: float) -> Point:
        x = WIDTH / 2 + (lon - self.lon0) * self.cos0 * KM_PER_DEG * self.scale
        y = HEIGHT / 2 - (lat - self.lat0) * KM_PER_DEG * self.scale
        return x, y


def _point(view: _View, loc: Location, anchor_lon: float) -> MapPoint:
    x, y = view.xy(loc.lat, _unwrap(loc.lon, anchor_lon))
    right_half = x > WIDTH / 2
    return MapPoint(
        x=round(x, 1),
        y=round(y, 1),
        label=loc.label,
        label_x=round(x - 8 if right_half else x + 8, 1),
        label_y=round(min(max(y - 6, 12.0), HEIGHT - 4), 1),
        anchor="end" if right_half else "start",
        approximate=loc.approximate,
    )


def _apart(label: MapPoint, other: MapPoint) -> MapPoint:
    """`label` moved below its point when it would overlap the other point's label."""
    if abs(label.label_y - other.label_y) >= LABEL_H:
        return label
    below = round(min(label.y + LABEL_H + 4, HEIGHT - 4), 1)
    if abs(below - other.label_y) < LABEL_H:
        below = round(max(label.y - LABEL_H - 6, 12.0), 1)
    return replace(label, label_y=below)


def _great_circle(a: Location, b: Location, anchor_lon: float) -> list[tuple[float, float]]:
    """(lat, lon) points along the great circle from a to b, longitudes kept continuous."""
    total = distance_km(a.lat, a.lon, b.lat, b.lon)
    if total < 1:
        return [(a.lat, _unwrap(a.lon, anchor_lon)), (b.lat, _unwrap(b.lon, anchor_lon))]
    bearing = bearing_between(a.lat, a.lon, b.lat, b.lon)
    points = []
    last_lon = _unwrap(a.lon, anchor_lon)
    for step in range(_LINE_STEPS + 1):
        lat, lon = destination(a.lat, a.lon, bearing, total * step / _LINE_STEPS)
        last_lon = _unwrap(lon, last_lon)
        points.append((lat, last_lon))
    return points


def _polyline(view: _View, points: Iterable[tuple[float, float]]) -> str:
    xy = [view.xy(lat, lon) for lat, lon in points]
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in xy)


def _paths(view: _View, polygons: Iterable[Polygon]) -> str:
    """SVG path data of every ring in the view, clipped to the box (in whole turns of
    longitude too, so a map across the date line shows both sides)."""
    parts: list[str] = []
    for shift in (-360.0, 0.0, 360.0):
        west, east = view.west - shift, view.east - shift
        for polygon in polygons:
            outer = polygon[0]
            if outer.east < west or outer.west > east:
                continue
            if outer.north < view.south or outer.south > view.north:
                continue
            for ring in polygon:
                projected = [view.xy(lat, lon + shift) for lon, lat in ring.points]
                clipped = clip_to_box(projected, -EDGE, -EDGE, WIDTH + EDGE, HEIGHT + EDGE)
                if len(clipped) >= 3:
                    parts.append("M" + " L".join(f"{x:.0f},{y:.0f}" for x, y in clipped) + "Z")
    return "".join(parts)


def clip_to_box(
    ring: Sequence[Point], left: float, top: float, right: float, bottom: float
) -> list[Point]:
    """The part of a closed ring inside the box (Sutherland-Hodgman, one edge at a time)."""
    points = list(ring)
    for axis, limit, keep_above in ((0, left, True), (0, right, False),
                                    (1, top, True), (1, bottom, False)):  # fmt: skip
        points = _clip_edge(points, axis, limit, keep_above=keep_above)
    return points


def _clip_edge(points: list[Point], axis: int, limit: float, *, keep_above: bool) -> list[Point]:
    """The ring cut by one box edge: points on the kept side, plus where it crosses the edge."""

    def inside(p: Point) -> bool:
        return p[axis] >= limit if keep_above else p[axis] <= limit

    kept: list[Point] = []
    previous = points[-1] if points else (0.0, 0.0)
    for current in points:
        if inside(current) != inside(previous):
            kept.append(_crossing(previous, current, axis, limit))
        if inside(current):
            kept.append(current)
        previous = current
    return kept


def _crossing(p: Point, q: Point, axis: int, limit: float) -> Point:
    return _at_x(p, q, limit) if axis == 0 else _at_y(p, q, limit)


def _at_x(p: Point, q: Point, x: float) -> Point:
    t = (x - p[0]) / (q[0] - p[0])
    return x, p[1] + t * (q[1] - p[1])


def _at_y(p: Point, q: Point, y: float) -> Point:
    t = (y - p[1]) / (q[1] - p[1])
    return p[0] + t * (q[0] - p[0]), y


def _caption(
    launch: Location | None,
    landing: Location | None,
    fallback: bool,
    estimated: bool,
    inside_eez: bool | None,
    distance: float | None,
) -> str:
    """One sentence per point: what the map shows, and which parts are estimates."""
    parts = []
    if launch is not None:
        how = " (approximate: the usual launch region, no site stated)" if fallback else ""
        parts.append(f"Launch: {launch.label}{how}.")
    if landing is not None:
        how = ""
        if estimated and distance is not None:
            how = f" (point estimated from the stated {distance:.0f} km flight)"
        elif landing.approximate:
            how = " (approximate)"
        parts.append(f"Landing: {landing.label}{how}.")
    if inside_eez is not None:
        where = "inside" if inside_eez else "outside"
        parts.append(f"Reported {where} Japan's EEZ (outline approximate).")
    return " ".join(parts)
