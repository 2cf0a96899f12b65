"""Where a launch report's place names are: launch sites and landing areas with coordinates.

Pure: the data is `gazetteer.toml` beside this module (read once); free text in, a place out.
The detector copies place names as the report writes them ("평양 순안", "北朝鮮が元山",
"Pyongyang's Sunan", "Sea of Japan (East Sea)"), so matching folds case and width (NFKC) and
finds a known name inside the text: Latin names as whole words, Korean names as a word or a word's
start before a particle or place suffix (Korean writes spaces), Japanese names anywhere. Of several
names found, the most specific kind wins (a site beats its city, a city its province, a
province the sea it is named after), then the one ending last (reports go from the general
to the particular: "평양 순안", "平壌北方の粛川"), then the longest ("North Hwanghae").

A landing area stated relative to a place ("200 km west of Oshima-Oshima", "奥尻島の西約250
キロ", "襟裳岬東方約2200キロ") is moved by that distance and direction, and marked approximate.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

EARTH_KM = 6371.0088
KIND_RANK = {"site": 0, "city": 1, "area": 2, "province": 3, "sea": 4, "country": 5}
# Compass directions, by the words of each language, to bearings in degrees.
_BEARINGS = {
    "north": 0, "north-northeast": 22.5, "northeast": 45, "east-northeast": 67.5, "east": 90,
    "east-southeast": 112.5, "southeast": 135, "south-southeast": 157.5, "south": 180,
    "south-southwest": 202.5, "southwest": 225, "west-southwest": 247.5, "west": 270,
    "west-northwest": 292.5, "northwest": 315, "north-northwest": 337.5,
    "北": 0, "北東": 45, "東": 90, "南東": 135, "南": 180, "南西": 225, "西": 270, "北西": 315,
    "북쪽": 0, "북동쪽": 45, "동쪽": 90, "남동쪽": 135, "남쪽": 180, "남서쪽": 225,
    "서쪽": 270, "북서쪽": 315,
}  # fmt: skip
_EN_DIRECTION = r"(?:north|south|east|west)(?:-?(?:north|south|east|west)){0,2}"
_OFFSET_PATTERNS = (
    # "200 km west of", "some 250 kilometers north-northwest of"
    re.compile(
        r"(?P<km>\d[\d,]*(?:\.\d+)?)\s?(?:km|kilomet(?:er|re)s?)\s(?:to\s(?:the\s)?)?"
        rf"(?P<dir>{_EN_DIRECTION})\s(?:of|from)\b"
    ),
    # "西約250キロ", "西方約200km", "北西150キロ", "東1180キロ", "西200~250キロ"
    re.compile(
        r"(?P<dir>北東|北西|南東|南西|北|南|東|西)(?:方向?|側)?(?:の)?(?:約|およそ)?"
        r"(?P<km>\d[\d,]*)(?:\s?[~〜～-]\s?\d+)?\s?(?:キロ|km)"
    ),
    # "서쪽 약 250km", "서쪽으로 250㎞"
    re.compile(
        r"(?P<dir>북동쪽|북서쪽|남동쪽|남서쪽|북쪽|남쪽|동쪽|서쪽)(?:으로)?\s?(?:약\s?)?"
        r"(?P<km>\d[\d,]*)\s?(?:km|킬로미터)"
    ),
)
_LATIN_WORD = re.compile(r"[\w'-]")
# What may follow a Korean place name inside its word: particles and place suffixes
# ("숙천군", "숙천과", "동해상", "벵골만의"); anything else makes another word ("구성원").
_KOREAN_SUFFIXES = (
    "에서", "으로", "로", "에", "과", "와", "의", "은", "는", "이", "가", "을", "를", "도",
    "군", "시", "읍", "면", "리", "주", "항", "섬", "곶", "만", "상", "쪽", "일대", "인근",
    "부근", "지역", "해상", "앞바다", "비행장", "공항", "반도", "기지", "공군기지", "환초",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Place:
    """One entry of the gazetteer (see gazetteer.toml for the fields)."""

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    radius_km: float
    country: str | None
    names: tuple[str, ...]
    fallback_for: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a stated place puts a point: the place itself, or a point offset from it."""

    place: Place
    lat: float
    lon: float
    label: str  # "Sunan (Pyongyang airport)", "about 250 km W of Okushiri Island"
    approximate: bool


@dataclass(frozen=True, slots=True)
class _Name:
    folded: str
    place: Place
    script: str  # "latin" | "hangul" | "cjk"


class Gazetteer:
    """Places and the names that find them in free text."""

    def __init__(self, places: list[Place]) -> None:
        self.places = tuple(places)
        self._names = tuple(
            _Name(folded, place, _script(folded))
            for place in places
            for folded in dict.fromkeys(fold(n) for n in (*place.names, place.name))
        )
        self._by_id = {p.id: p for p in places}

    def get(self, place_id: str) -> Place | None:
        return self._by_id.get(place_id)

    def find(self, text: str | None) -> Place | None:
        """The place `text` names, or None (see the module docstring for which one wins)."""
        if not text:
            return None
        folded = fold(text)
        best: tuple[int, int, int] | None = None
        found: Place | None = None
        for name in self._names:
            start = _last_match(folded, name)
            if start < 0:
                continue
            end = start + len(name.folded)
            score = (KIND_RANK.get(name.place.kind, 9), -end, -len(name.folded))
            if best is None or score < best:
                best, found = score, name.place
        return found

    def locate(self, text: str | None) -> Location | None:
        """Where `text` puts a point: its place, moved by a stated distance and direction."""
        place = self.find(text)
        if place is None or text is None:
            return None
        offset = stated_offset(fold(text))
        if offset is None:
            return Location(place, place.lat, place.lon, place.name, approximate=False)
        km, bearing = offset
        lat, lon = destination(place.lat, place.lon, bearing, km)
        label = f"about {km:.0f} km {_compass(bearing)} of {place.name}"
        return Location(place, lat, lon, label, approximate=True)

    def launch_region(self, country: str | None) -> Place | None:
        """The usual launch region of `country` (ISO code), for a report naming no site."""
        if not country:
            return None
        return next((p for p in self.places if country in p.fallback_for), None)


def fold(text: str) -> str:
    """Case- and width-folded text: "ＥＥＺ" and "eez", "Sunan" and "SUNAN" compare equal."""
    return unicodedata.normalize("NFKC", text).casefold()


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def _script(name: str) -> str:
    if any(_is_hangul(ch) for ch in name):
        return "hangul"
    if any(ord(ch) >= 0x3000 for ch in name):
        return "cjk"
    return "latin"


_LANGUAGE_SCRIPT = {"en": "latin", "ko": "hangul", "ja": "cjk"}


def script_of(text: str) -> str:
    """The script a text is in: "hangul", "cjk" (Japanese or Chinese characters) or "latin"."""
    return _script(text)


def name_for(place: Place, lang: str) -> str | None:
    """The place's name in a language (`en`, `ko`, `ja`): the English `name` (without its
    parenthesis), else the first of its `names` written in that language's script (Japanese:
    kana first); None if it has none."""
    if lang == "en":
        return place.name.split(" (")[0]  # "Sunan", not "Sunan (Pyongyang airport)"
    script = _LANGUAGE_SCRIPT.get(lang)
    written = [n for n in place.names if script is not None and _script(n) == script]
    if lang == "ja":
        written.sort(key=lambda n: not any("\u3040" <= ch <= "\u30ff" for ch in n))
    return written[0] if written else None


def _last_match(text: str, name: _Name) -> int:
    """Start of the last occurrence of `name` in `text` that its script accepts, else -1."""
    end = len(text)
    while True:
        start = text.rfind(name.folded, 0, end)
        if start < 0:
            return -1
        if _accepted(text, start, start + len(name.folded), name.script):
            return start
        end = start + len(name.folded) - 1


def _accepted(text: str, start: int, end: int, script: str) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if script == "latin":
        return not _LATIN_WORD.match(before) and not _LATIN_WORD.match(after)
    if script == "hangul":
        if _is_hangul(before) or before.isalnum():
            return False
        return not _is_hangul(after) or text.startswith(_KOREAN_SUFFIXES, end)
    return True


def stated_offset(folded: str) -> tuple[float, float] | None:
    """(km, bearing) of a "N km <direction> of" phrase in folded text, else None."""
    for pattern in _OFFSET_PATTERNS:
        m = pattern.search(folded)
        if m is None:
            continue
        direction = m.group("dir").replace("-", "")
        bearing = _BEARINGS.get(direction, _BEARINGS.get(m.group("dir")))
        km = float(m.group("km").replace(",", ""))
        if bearing is not None and 0 < km < 20_000:
            return km, float(bearing)
    return None


def _compass(bearing: float) -> str:
    points = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
              "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")  # fmt: skip
    return points[round(bearing / 22.5) % 16]


def destination(lat: float, lon: float, bearing: float, km: float) -> tuple[float, float]:
    """The point `km` from (lat, lon) along the great circle leaving at `bearing` degrees."""
    d = km / EARTH_KM
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


def bearing_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial great-circle bearing (degrees) from the first point to the second."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _place(entry: dict[str, Any]) -> Place:
    return Place(
        id=str(entry["id"]),
        name=str(entry["name"]),
        kind=str(entry["kind"]),
        lat=float(entry["lat"]),
        lon=float(entry["lon"]),
        radius_km=float(entry.get("radius_km", 0.0)),
        country=entry.get("country"),
        names=tuple(str(n) for n in entry.get("names", ())),
        fallback_for=tuple(str(c) for c in entry.get("fallback_for", ())),
    )


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The packaged gazetteer, parsed once per process."""
    raw = resources.files("alerts.geo").joinpath("gazetteer.toml").read_text(encoding="utf-8")
    return Gazetteer([_place(e) for e in tomllib.loads(raw)["places"]])
