"""The flight map's geometry: points in the box, the EEZ only when the facts mention it."""

from __future__ import annotations

import math
import re

import pytest

from alerts.web.flightmap import HEIGHT, WIDTH, FlightMap, build_flight_map, clip_to_box

SUNAN_TO_EAST_SEA = {
    "country": "KP",
    "launch_site": "평양 순안",
    "landing_area": "Sea of Japan (East Sea)",
    "distance_km": 1000.0,
    "inside_japan_eez": True,
}


def _numbers(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path)]


def _in_box(x: float, y: float, margin: float = 0.0) -> bool:
    return -margin <= x <= WIDTH + margin and -margin <= y <= HEIGHT + margin


def test_launch_landing_and_flight_line_are_inside_the_box() -> None:
    fm = build_flight_map(SUNAN_TO_EAST_SEA)
    assert isinstance(fm, FlightMap)
    assert fm.launch is not None
    assert fm.landing is not None
    assert _in_box(fm.launch.x, fm.launch.y)
    assert _in_box(fm.landing.x, fm.landing.y)
    assert fm.landing.x > fm.launch.x  # the East Sea lies east of Pyongyang
    line = _numbers(fm.flight)
    assert line[0] == (fm.launch.x, fm.launch.y)
    assert line[-1] == pytest.approx((fm.landing.x, fm.landing.y), abs=0.1)
    assert all(_in_box(x, y) for x, y in line)


def test_the_landing_point_is_placed_from_the_stated_distance() -> None:
    """1000 km toward the East Sea from Sunan: the line's length at the map's scale."""
    near = build_flight_map({**SUNAN_TO_EAST_SEA, "distance_km": 500.0})
    far = build_flight_map(SUNAN_TO_EAST_SEA)
    assert near is not None
    assert far is not None
    assert "estimated from the stated 1000 km flight" in far.caption
    for fm, km in ((near, 500), (far, 1000)):
        assert fm.launch is not None
        assert fm.landing is not None
        assert fm.landing.label == "Sea of Japan (East Sea)"
        assert fm.landing.approximate
        length = math.dist((fm.launch.x, fm.launch.y), (fm.landing.x, fm.landing.y))
        assert length / fm.scale == pytest.approx(km, rel=0.05)
    unstated = build_flight_map({**SUNAN_TO_EAST_SEA, "distance_km": None})
    assert unstated is not None
    assert unstated.landing is not None
    assert not unstated.landing.approximate
    assert unstated.landing_r > 100


def test_coastlines_are_drawn_and_clipped_to_the_box() -> None:
    fm = build_flight_map(SUNAN_TO_EAST_SEA)
    assert fm is not None
    land = _numbers(fm.land)
    assert len(land) > 100, "the Korean peninsula and Japan are on this map"
    assert all(_in_box(x, y, margin=2.01) for x, y in land)


def test_eez_is_drawn_only_when_the_facts_mention_it() -> None:
    inside = build_flight_map(SUNAN_TO_EAST_SEA)
    outside = build_flight_map({**SUNAN_TO_EAST_SEA, "inside_japan_eez": False})
    unstated = build_flight_map({k: v for k, v in SUNAN_TO_EAST_SEA.items() if "eez" not in k})
    assert inside is not None
    assert outside is not None
    assert unstated is not None
    assert inside.eez
    assert outside.eez
    assert unstated.eez == ""
    assert "inside Japan's EEZ (outline approximate)" in inside.caption
    assert "outside Japan's EEZ" in outside.caption
    assert "EEZ" not in unstated.caption


@pytest.mark.parametrize(
    "facts",
    [
        {},
        {"country": "KP"},
        {"country": "KP", "launch_site": "somewhere unknown", "landing_area": "the sea"},
        {"distance_km": 900.0, "inside_japan_eez": True},
    ],
)
def test_no_map_without_a_known_point(facts: dict[str, object]) -> None:
    assert build_flight_map(facts) is None


def test_only_a_landing_area_with_a_launcher_uses_its_launch_region_and_says_so() -> None:
    fm = build_flight_map({"landing_area": "Red Sea"}, country="YE")
    assert fm is not None
    assert fm.launch is not None
    assert fm.landing is not None
    assert fm.launch.approximate
    assert fm.launch.label == "Sanaa"
    assert "approximate: the usual launch region" in fm.caption
    assert fm.flight


def test_only_a_landing_area_without_a_launcher_draws_the_area_alone() -> None:
    fm = build_flight_map({"landing_area": "日本海"})
    assert fm is not None
    assert fm.launch is None
    assert fm.landing is not None
    assert fm.flight == ""
    assert fm.landing_r > 10
    assert _in_box(fm.landing.x, fm.landing.y)


def test_only_a_launch_site_draws_the_site_alone() -> None:
    fm = build_flight_map({"launch_site": "Plesetsk", "country": "RU"})
    assert fm is not None
    assert fm.landing is None
    assert fm.launch is not None
    assert fm.flight == ""
    assert fm.caption == "Launch: Plesetsk."
    assert (fm.launch.x, fm.launch.y) == pytest.approx((WIDTH / 2, HEIGHT / 2), abs=1)


def test_a_flight_across_the_date_line_stays_on_one_map() -> None:
    """Vandenberg (120 W) to Kwajalein (167 E) flies west over the Pacific, not round."""
    fm = build_flight_map({"launch_site": "Vandenberg", "landing_area": "Kwajalein"})
    assert fm is not None
    assert fm.launch is not None
    assert fm.landing is not None
    assert fm.landing.x < fm.launch.x
    assert all(_in_box(x, y) for x, y in _numbers(fm.flight))


def test_labels_of_close_points_do_not_overlap() -> None:
    fm = build_flight_map(
        {"launch_site": "Sunan", "landing_area": "Pacific Ocean", "inside_japan_eez": False}
    )
    assert fm is not None
    assert fm.launch is not None
    assert fm.landing is not None
    assert abs(fm.launch.label_y - fm.landing.label_y) >= 14


def test_the_text_alternative_names_the_points() -> None:
    fm = build_flight_map(SUNAN_TO_EAST_SEA)
    assert fm is not None
    assert fm.description.startswith("Map of the flight.")
    assert "Sunan (Pyongyang airport)" in fm.description
    assert "Sea of Japan (East Sea)" in fm.description


def test_clip_to_box_keeps_the_inside_part_of_a_ring() -> None:
    square = [(-10.0, -10.0), (10.0, -10.0), (10.0, 10.0), (-10.0, 10.0)]
    clipped = clip_to_box(square, 0, 0, 5, 5)
    assert sorted(clipped) == [(0.0, 0.0), (0.0, 5.0), (5.0, 0.0), (5.0, 5.0)]
    assert clip_to_box([(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)], 0, 0, 5, 5) == []
