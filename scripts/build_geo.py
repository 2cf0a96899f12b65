"""Regenerate alerts/geo/coastlines.json: simplified land outlines and an approximate Japan EEZ.

Why a build step: the dashboard's flight maps must work offline, with no tile server and no
heavy geo dependency at run time, so the land outlines ship in the package as a small JSON
file. This script makes that file once from Natural Earth (public domain), as redistributed
in TopoJSON by the npm package `world-atlas` (ISC, Mike Bostock; Natural Earth 4.1.0, 1:50m).

Usage (shapely is needed here only, never at run time):

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz      # gives package/
    .venv/bin/pip install 'shapely>=2.0'
    .venv/bin/python scripts/build_geo.py package/countries-50m.json

Japan's exclusive economic zone has no offline public source, so it is approximated: the sea
within 200 nautical miles of Japan's land (Natural Earth 1:50m, which omits the smallest
outlying islets such as Okinotorishima and Minamitorishima) and nearer to Japan than to any
neighbour's land (a median line). The real, negotiated and disputed boundaries differ; the
map labels it "approximate".
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import shapely  # type: ignore[import-untyped]  # build-time only; ships no type stubs
from shapely.geometry import MultiPolygon, Polygon, box  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]
from shapely.ops import unary_union  # type: ignore[import-untyped]

OUT = Path(__file__).resolve().parents[1] / "alerts" / "geo" / "coastlines.json"
LAND_TOLERANCE_DEG = 0.04  # ~4 km: below one pixel of the dashboard's smallest maps
MIN_LAND_AREA_DEG2 = 0.003  # drops islets under ~30 km2; keeps Ulleung, Okushiri, Oki
EEZ_NM = 200.0
NM_KM = 1.852
EARTH_KM = 6371.0088
JAPAN_ID = "392"
# Land whose nearness cuts Japan's zone at the median line (ISO 3166-1 numeric codes):
# South and North Korea, China, Russia, Taiwan, Philippines, Northern Mariana Islands.
NEIGHBOUR_IDS = ("410", "408", "156", "643", "158", "608", "580")
JAPAN_CENTRE = (36.0, 138.0)  # lat, lon of the equidistant projection used for the zone
GRID_KM = 15.0
DECIMALS = 2
TILE_DEG = 10  # land is cut into tiles so a map projects only the few tiles it shows


def decode_topology(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Every arc of a quantized TopoJSON topology as absolute (lon, lat) points."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def _ring(
    indexes: Sequence[int], arcs: list[list[tuple[float, float]]]
) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def geometry_of(obj: dict[str, Any], arcs: list[list[tuple[float, float]]]) -> BaseGeometry:
    """A TopoJSON Polygon / MultiPolygon / GeometryCollection as one shapely geometry."""
    kind = obj["type"]
    if kind == "GeometryCollection":
        return unary_union([geometry_of(g, arcs) for g in obj["geometries"]])
    polygons = [obj["arcs"]] if kind == "Polygon" else obj["arcs"] if kind == "MultiPolygon" else []
    shapes = []
    for rings in polygons:
        exterior, *holes = (_ring(r, arcs) for r in rings)
        shapes.append(Polygon(exterior, holes).buffer(0))
    return unary_union(shapes)


def aeqd(lat0: float, lon0: float) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Forward and inverse azimuthal equidistant projection (km) centred on (lat0, lon0):
    distances from the centre are true, so a buffer in km is close to a geodesic buffer."""
    p0, l0 = math.radians(lat0), math.radians(lon0)

    def forward(lon: float, lat: float) -> tuple[float, float]:
        p, dl = math.radians(lat), math.radians(lon) - l0
        cos_c = math.sin(p0) * math.sin(p) + math.cos(p0) * math.cos(p) * math.cos(dl)
        c = math.acos(max(-1.0, min(1.0, cos_c)))
        k = c / math.sin(c) if c > 1e-12 else 1.0
        x = k * math.cos(p) * math.sin(dl)
        y = k * (math.cos(p0) * math.sin(p) - math.sin(p0) * math.cos(p) * math.cos(dl))
        return x * EARTH_KM, y * EARTH_KM

    def inverse(x: float, y: float) -> tuple[float, float]:
        x, y = x / EARTH_KM, y / EARTH_KM
        c = math.hypot(x, y)
        if c < 1e-12:
            return lon0, lat0
        lat = math.asin(math.cos(c) * math.sin(p0) + y * math.sin(c) * math.cos(p0) / c)
        lon = l0 + math.atan2(
            x * math.sin(c), c * math.cos(p0) * math.cos(c) - y * math.sin(p0) * math.sin(c)
        )
        return math.degrees(lon), math.degrees(lat)

    return forward, inverse


def _mapped(geometry: BaseGeometry, point: Callable[[float, float], tuple[float, float]]) -> Any:
    """`geometry` with `point` applied to every (x, y)."""
    return shapely.transform(geometry, lambda xy: [point(x, y) for x, y in xy])


def japan_eez(countries: dict[str, BaseGeometry]) -> BaseGeometry:
    """Sea within 200 nmi of Japan's land and nearer to it than to its neighbours' (see above)."""
    forward, inverse = aeqd(*JAPAN_CENTRE)
    japan = _mapped(countries[JAPAN_ID], forward).simplify(2.0)
    reach = japan.buffer(EEZ_NM * NM_KM, quad_segs=16)
    near = reach.buffer(EEZ_NM * NM_KM * 1.2)  # neighbours farther than this cannot cut it
    others = unary_union(
        [
            _mapped(countries[code].intersection(box(90, -10, 180, 70)), forward).simplify(2.0)
            for code in NEIGHBOUR_IDS
            if code in countries
        ]
    ).intersection(near)
    min_x, min_y, max_x, max_y = reach.bounds
    xs = [min_x + GRID_KM * (i + 0.5) for i in range(int((max_x - min_x) / GRID_KM) + 1)]
    ys = [min_y + GRID_KM * (j + 0.5) for j in range(int((max_y - min_y) / GRID_KM) + 1)]
    centres = shapely.points([(x, y) for x in xs for y in ys])
    inside = shapely.contains_xy(reach, [(x, y) for x in xs for y in ys])
    to_japan = shapely.distance(centres, japan)
    to_others = shapely.distance(centres, others)
    half = GRID_KM / 2
    cells = [
        box(p.x - half, p.y - half, p.x + half, p.y + half)
        for p, keep, dj, do in zip(centres, inside, to_japan, to_others, strict=True)
        if keep and dj <= do
    ]
    zone = unary_union(cells).intersection(reach)
    zone = zone.buffer(GRID_KM).buffer(-GRID_KM).simplify(6.0)  # smooth the grid's steps
    outline = [Polygon(p.exterior) for p in getattr(zone, "geoms", [zone])]
    return _mapped(MultiPolygon(outline), inverse)


def rings_of(geometry: BaseGeometry, min_area: float) -> list[list[list[float]]]:
    """Polygons as [exterior, *holes], each ring a flat [lon, lat, lon, lat...] list."""
    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    out = []
    for polygon in polygons:
        if not isinstance(polygon, Polygon) or polygon.is_empty or polygon.area < min_area:
            continue
        rings = [polygon.exterior, *polygon.interiors]
        flat = [_flat(ring.coords) for ring in rings]
        out.append([r for r in flat if len(r) >= 8])
    return [p for p in out if p]


def _flat(coords: Sequence[Sequence[float]]) -> list[float]:
    flat: list[float] = []
    last = None
    for lon, lat in coords:
        point = (round(lon, DECIMALS), round(lat, DECIMALS))
        if point != last:
            flat.extend(point)
            last = point
    return flat


def _without_islets(geometry: BaseGeometry) -> BaseGeometry:
    polygons = getattr(geometry, "geoms", [geometry])
    return MultiPolygon([p for p in polygons if p.area >= MIN_LAND_AREA_DEG2])


def tiled(geometry: BaseGeometry) -> BaseGeometry:
    """`geometry` cut along a TILE_DEG grid (the continents become many small polygons)."""
    pieces: list[BaseGeometry] = []
    for lon in range(-180, 180, TILE_DEG):
        for lat in range(-90, 90, TILE_DEG):
            piece = geometry.intersection(box(lon, lat, lon + TILE_DEG, lat + TILE_DEG))
            pieces.extend(getattr(piece, "geoms", [piece]))
    return MultiPolygon([p for p in pieces if isinstance(p, Polygon) and not p.is_empty])


def build(countries_path: Path) -> dict[str, Any]:
    topology = json.loads(countries_path.read_text(encoding="utf-8"))
    arcs = decode_topology(topology)
    land = geometry_of(topology["objects"]["land"], arcs)
    land = land.simplify(LAND_TOLERANCE_DEG, preserve_topology=True)
    countries = {
        str(g.get("id")): geometry_of(g, arcs)
        for g in topology["objects"]["countries"]["geometries"]
    }
    return {
        "source": "Natural Earth 1:50m land (public domain), via the npm package world-atlas "
        "2.0.2 (ISC); simplified by scripts/build_geo.py",
        "land_tolerance_deg": LAND_TOLERANCE_DEG,
        "tile_deg": TILE_DEG,
        "land": rings_of(tiled(_without_islets(land)), 0.0),
        "japan_eez_note": "approximate: sea within 200 nautical miles of Japan's land (Natural "
        "Earth 1:50m) and nearer to Japan than to its neighbours; not the legal boundary",
        "japan_eez": rings_of(japan_eez(countries), 0.0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("countries_50m", type=Path, help="world-atlas's countries-50m.json")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = build(args.countries_50m)
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    points = sum(len(r) // 2 for p in data["land"] for r in p)
    print(f"{args.out}: {len(data['land'])} land polygons, {points} points, "
          f"{args.out.stat().st_size // 1024} KiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
