"""The gazetteer finds the places launch reports name, in English, Korean and Japanese."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from alerts.detection.cues import cues_for
from alerts.detection.extract import extract_facts
from alerts.geo.gazetteer import (
    Gazetteer,
    Place,
    destination,
    distance_km,
    load_gazetteer,
    name_for,
    stated_offset,
)
from alerts.geo.outlines import load_outlines


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        # As the detector copies launch sites: noise around the name, any case or width.
        ("Sunan", "sunan"),
        ("SUNAN", "sunan"),
        ("Pyongyang's Sunan", "sunan"),
        ("평양 순안", "sunan"),
        ("분께 순안", "sunan"),
        ("平壌・順安", "sunan"),
        ("7時52分ごろ平壌の順安", "sunan"),
        ("북한이 평양", "pyongyang"),
        ("12日に平壌", "pyongyang"),
        ("Tongchang-ri", "sohae"),
        ("평안북도 동창리", "sohae"),
        ("韓国軍は北西部の東倉里", "sohae"),
        ("함경남도 신포", "sinpo"),
        ("新浦", "sinpo"),
        ("강원도 원산", "wonsan"),
        ("北朝鮮が8日に元山", "wonsan"),
        ("원산 호도반도", "hodo"),
        ("平壌北方の粛川", "sukchon"),
        ("평안남도 숙천군", "sukchon"),
        ("北朝鮮が咸興", "hamhung"),
        ("平安北道亀城の芳峴", "panghyon"),
        ("Kusong", "kusong"),
        ("韓国軍によると開川", "kaechon"),
        ("14日朝に黄海南道・長淵", "jangyon"),
        ("North Hwanghae", "north_hwanghae"),
        # Landing areas: canonical names, free text and the other seas the corpus names.
        ("Sea of Japan (East Sea)", "east_sea"),
        ("동해", "east_sea"),
        ("日本海", "east_sea"),
        ("Yellow Sea (West Sea)", "yellow_sea"),
        ("Pacific Ocean", "pacific"),
        ("태평양", "pacific"),
        ("waters off its east coast", "kp_east"),
        ("Japan's EEZ off Hokkaido", "hokkaido"),
        ("このうち5発が日本のEEZ内", "japan"),
        ("Red Sea", "red_sea"),
        ("Gulf of Aden ten miles from American destroyer", "gulf_of_aden"),
        ("a cement factory in Kermanshah city", "kermanshah"),
        ("셈난", "semnan"),
        ("Kapustin Yar", "kapustin_yar"),
        ("Plesetsk", "plesetsk"),
        ("Odisha formerly known as Wheeler Island", "abdul_kalam"),
        ("콰절레인 환초", "kwajalein"),
        ("Ｓｏｎｍｉａｎｉ", "sonmiani"),
    ],
)
def test_finds_the_place_a_report_names(gazetteer: Gazetteer, text: str, place_id: str) -> None:
    place = gazetteer.find(text)
    assert place is not None, text
    assert place.id == place_id


@pytest.mark.parametrize(
    "text",
    ["the sea", "an open area", "목표 수역", "予定の海域", "구성원", "Tongchangri-style", ""],
)
def test_names_no_place_when_the_text_names_none(gazetteer: Gazetteer, text: str) -> None:
    """Latin names match whole words only, Korean names at a word start: "구성원" (member)
    is not Kusong (구성)."""
    assert gazetteer.find(text) is None


def test_a_site_beats_its_city_and_a_province_the_sea_named_after_it(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("Sunan, Pyongyang").id == "sunan"  # type: ignore[union-attr]
    assert gazetteer.find("黄海南道").id == "south_hwanghae"  # type: ignore[union-attr]
    assert gazetteer.find("동해안").id == "kp_east"  # type: ignore[union-attr]


def test_every_canonical_landing_name_of_the_cue_files_is_in_the_gazetteer(
    gazetteer: Gazetteer,
) -> None:
    """canonical_area gives these names in every language: each must have a point."""
    names = {n for lang in ("en", "ko", "ja") for n in cues_for(lang).landing_names.names}
    for name in names - {"-"}:
        assert gazetteer.find(name) is not None, name


@pytest.mark.parametrize(
    ("text", "lang", "site", "landing"),
    [
        (
            "N. Korea fires ballistic missile from Sunan area into East Sea",
            "en", "sunan", "east_sea",
        ),
        ("북한, 평양 순안 일대에서 동해상으로 탄도미사일 발사", "ko", "sunan", "east_sea"),
        ("北朝鮮が平壌の順安付近から弾道ミサイル　日本海に落下", "ja", "sunan", "east_sea"),
    ],
)  # fmt: skip
def test_the_detectors_facts_find_their_places(
    gazetteer: Gazetteer, text: str, lang: str, site: str, landing: str
) -> None:
    """End to end from report text: whatever the detector extracts, the gazetteer places."""
    facts = extract_facts(text, lang)
    assert gazetteer.find(facts.launch_site).id == site  # type: ignore[union-attr]
    assert gazetteer.find(facts.landing_area).id == landing  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "km", "bearing"),
    [
        ("200 km west of Oshima-Oshima island", 200, 270),
        ("80 km north-northwest of Yonaguni Island", 80, 337.5),
        ("奥尻島の西約250キロ", 250, 270),
        ("襟裳岬東方約2200キロ", 2200, 90),
        ("奥尻島北西150キロのEEZ内", 150, 315),
        ("오시마오시마 서쪽 약 200km", 200, 270),
    ],
)
def test_reads_a_stated_offset(text: str, km: float, bearing: float) -> None:
    assert stated_offset(text.lower()) == (km, bearing)


def test_a_landing_stated_from_a_place_is_moved_and_marked_approximate(
    gazetteer: Gazetteer,
) -> None:
    okushiri = gazetteer.get("okushiri")
    assert okushiri is not None
    loc = gazetteer.locate("北海道奥尻島の西約250キロの日本のEEZ外")
    assert loc is not None
    assert loc.approximate
    assert loc.label == "about 250 km W of Okushiri Island"
    assert distance_km(okushiri.lat, okushiri.lon, loc.lat, loc.lon) == pytest.approx(250, 0.01)
    assert loc.lon < okushiri.lon
    plain = gazetteer.locate("Okushiri")
    assert plain is not None
    assert not plain.approximate
    assert plain.lat == okushiri.lat


def test_launch_region_of_a_launcher(gazetteer: Gazetteer) -> None:
    assert gazetteer.launch_region("KP").id == "pyongyang"  # type: ignore[union-attr]
    assert gazetteer.launch_region("ZZ") is None
    assert gazetteer.launch_region(None) is None


def test_destination_and_distance_agree() -> None:
    lat, lon = destination(39.224, 125.670, 90, 1000)
    assert distance_km(39.224, 125.670, lat, lon) == pytest.approx(1000, abs=0.5)
    lat, lon = destination(10, 179, 90, 500)  # across the date line
    assert -180 <= lon < 0


def test_gazetteer_data_is_well_formed() -> None:
    """Ids unique, coordinates on Earth, kinds known, areas with a radius, no stray fields."""
    raw = resources.files("alerts.geo").joinpath("gazetteer.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(raw)["places"]
    fields = set(Place.__slots__)
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    for e in entries:
        assert set(e) <= fields, e["id"]
        assert -90 <= e["lat"] <= 90, e["id"]
        assert -180 <= e["lon"] <= 180, e["id"]
        assert e["kind"] in {"site", "city", "area", "province", "sea", "country"}, e["id"]
        assert e["names"], e["id"]
        if e["kind"] in {"sea", "area", "country"}:
            assert e.get("radius_km", 0) > 0, e["id"]


def test_packaged_outlines_cover_the_korean_peninsula_and_japan() -> None:
    outlines = load_outlines()
    assert len(outlines.land) > 500
    assert outlines.japan_eez, "the EEZ outline ships too"
    assert "approximate" in outlines.japan_eez_note
    assert "Natural Earth" in outlines.source

    def on_land(lat: float, lon: float) -> bool:
        return any(_inside(lat, lon, polygon[0].points) for polygon in outlines.land)

    assert on_land(39.04, 125.76)  # Pyongyang
    assert on_land(35.68, 139.69)  # Tokyo
    assert not on_land(40.0, 134.0)  # the Sea of Japan
    assert _inside(40.0, 136.0, outlines.japan_eez[0][0].points)  # west of Akita, in the EEZ
    assert not _inside(39.0, 125.7, outlines.japan_eez[0][0].points)  # Pyongyang is not


def _inside(lat: float, lon: float, ring: tuple[tuple[float, float], ...]) -> bool:
    """Even-odd ray casting; ring points are (lon, lat)."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_a_place_is_named_in_each_language() -> None:
    """What alert texts use to name a stated place in the reader's language."""
    sunan = load_gazetteer().find("순안")
    assert sunan is not None
    assert (name_for(sunan, "en"), name_for(sunan, "ko"), name_for(sunan, "ja")) == (
        "Sunan", "순안", "順安",
    )  # fmt: skip
    assert name_for(sunan, "fr") is None
