"""Where people and services are, offline: postcode centroids, distances, rough journey times, areas.

Locations come from two bundled CSV files of postcode district and sector centroids (see data/README.md
for sources and attribution). A sector ("W10 6") is a few thousand addresses, so a person's full
postcode is never stored or needed beyond its sector.

Service areas follow HSDS 3.0 `service_area` (name, description, extent, extent_type). Only these
`extent_type` values are used for matching:

- ``postcode``: `extent` lists postcode districts and/or sectors, separated by commas or spaces,
  e.g. ``"W10, W11, W12 6"``. A district covers every place in it. A sector covers only places we
  located to that same sector: a place known only to district precision is never claimed by a sector
  rule, because we cannot tell which sector it is in.
- ``local_authority``: `extent` is a council name, e.g. ``"Kensington and Chelsea"``. This is how a
  "borough-wide" service is recorded. It covers places whose postcode district is mostly in that
  council (the district's `area_name`). Matching ignores case, punctuation, "&" versus "and", and
  common wrappers such as "Royal Borough of" or "Council".
- ``geojson``: `extent` is a GeoJSON Polygon or MultiPolygon, or a Feature or FeatureCollection of
  them, in WGS84 longitude/latitude order (RFC 7946). Holes are respected.

Any other `extent_type` (``topojson``, ``kml``, free text, ...) is kept and shown to people but never
used to match: `parse_area` returns None for it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from linkwork.core.errors import ValidationFailed

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius

# Journey estimates are rough guides for choosing between options, not timetables or route plans.
ROAD_FACTOR = 1.3  # straight-line distance to distance along roads and paths
WALKING_KMH = 4.8
BUS_KMH = 15.0  # average door-to-door speed on the bus itself, stops and traffic included
BUS_OVERHEAD_MINUTES = 10  # walking to the stop and waiting

_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_FULL = re.compile(rf"({_OUTWARD}) ?([0-9])([A-Z]{{2}})")
_SECTOR = re.compile(rf"({_OUTWARD}) ([0-9])")
_DISTRICT = re.compile(_OUTWARD)

_POSTCODE_HELP = "Enter a full postcode, like W10 6AB, or the first part, like W10."


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    precision: Literal["sector", "district"]
    key: str  # the sector ("W10 6") or district ("W10") whose centroid this is
    district: str
    area_name: str  # council holding most of the district; "" where unknown (Northern Ireland, E22)


@dataclass(frozen=True)
class _District:
    latitude: float
    longitude: float
    area_name: str


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("linkwork.directory").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def _districts() -> dict[str, _District]:
    return {
        row["district"]: _District(float(row["latitude"]), float(row["longitude"]), row["area_name"])
        for row in _read_csv("uk-postcode-districts.csv")
    }


@cache
def _sectors() -> dict[str, tuple[float, float]]:
    return {
        row["sector"]: (float(row["latitude"]), float(row["longitude"]))
        for row in _read_csv("uk-postcode-sectors.csv")
    }


def _postcode_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"postcode": message})


def _split(text: str) -> tuple[str, str | None, str | None]:
    """(district, sector digit or None, unit letters or None), or ValidationFailed."""
    cleaned = " ".join(text.upper().split())
    if not cleaned:
        raise _postcode_error(_POSTCODE_HELP)
    if match := _FULL.fullmatch(cleaned):
        return match[1], match[2], match[3]
    # A sector needs its space: without it "W106" could be a typo for anything.
    if match := _SECTOR.fullmatch(cleaned):
        return match[1], match[2], None
    if _DISTRICT.fullmatch(cleaned):
        return cleaned, None, None
    raise _postcode_error(_POSTCODE_HELP)


def normalise_postcode(text: str) -> str:
    """Canonical form of a full postcode ("W10 6AB"), sector ("W10 6") or district ("W10")."""
    district, digit, unit = _split(text)
    if digit is None:
        return district
    return f"{district} {digit}{unit or ''}"


def locate(postcode: str) -> Place:
    """The centroid of the smallest area we know for a postcode: its sector, else its district."""
    district, digit, _unit = _split(postcode)
    known = _districts().get(district)
    if known is None:
        message = f"We do not recognise that postcode ({district} is not a postcode area we know). Check it."
        raise _postcode_error(message)
    if digit is not None:
        sector = f"{district} {digit}"
        if (centre := _sectors().get(sector)) is not None:
            return Place(centre[0], centre[1], "sector", sector, district, known.area_name)
    return Place(known.latitude, known.longitude, "district", district, district, known.area_name)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def distances_km(
    lat: float, lon: float, latitudes: npt.NDArray[np.float64], longitudes: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """`distance_km` from one point to many at once, for ranking a whole directory in one go."""
    phi1 = math.radians(lat)
    phi2 = np.radians(np.asarray(latitudes, dtype=np.float64))
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = np.radians(np.asarray(longitudes, dtype=np.float64) - lon) / 2
    a = np.sin(half_dphi) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    result: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))
    return result


@dataclass(frozen=True)
class Journey:
    km: float  # the straight-line distance the estimate was made from
    walk_minutes: int
    bus_minutes: int


def _whole_minutes(minutes: float) -> int:
    # Rounding to 6 places first stops float noise (16.0000000001) from adding a minute.
    return max(1, math.ceil(round(minutes, 6)))


def journey(km: float) -> Journey:
    """Rough walking and bus times for a straight-line distance, to help people choose."""
    if not math.isfinite(km) or km < 0:
        raise ValueError(f"distance must be a finite number of km, not {km!r}")
    road_km = km * ROAD_FACTOR
    return Journey(
        km=km,
        walk_minutes=_whole_minutes(road_km / WALKING_KMH * 60),
        bus_minutes=_whole_minutes(road_km / BUS_KMH * 60 + BUS_OVERHEAD_MINUTES),
    )


# ---------------------------------------------------------------------------------------------------
# Service areas

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) points
Polygon = tuple[Ring, ...]  # the outer ring, then any holes


@dataclass(frozen=True)
class AreaRule:
    """A service area we can match places against. Build it with `parse_area`."""

    kind: Literal["postcode", "local_authority", "geojson"]
    districts: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    authority: str = ""  # the council's name as in our data ("Kensington and Chelsea")
    polygons: tuple[Polygon, ...] = ()


def _extent_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"extent": message})


def parse_area(extent: str, extent_type: str) -> AreaRule | None:
    """Turn an HSDS service_area into a rule, or None if it is of a type we do not match on."""
    kind = extent_type.strip().lower().replace("-", "_").replace(" ", "_")
    if kind == "postcode":
        return _parse_postcode_area(extent)
    if kind == "local_authority":
        return AreaRule(kind="local_authority", authority=_parse_authority(extent))
    if kind == "geojson":
        return AreaRule(kind="geojson", polygons=_parse_geojson(extent))
    return None


def area_covers(rule: AreaRule, place: Place) -> bool:
    if rule.kind == "postcode":
        return place.district in rule.districts or (place.precision == "sector" and place.key in rule.sectors)
    if rule.kind == "local_authority":
        return bool(place.area_name) and place.area_name.casefold() == rule.authority.casefold()
    return any(_in_polygon(place.longitude, place.latitude, polygon) for polygon in rule.polygons)


def _parse_postcode_area(extent: str) -> AreaRule:
    help_text = "List postcode districts like W10, or sectors like W12 6, separated by commas."
    tokens = [token for token in re.split(r"[\s,;]+", extent.upper()) if token]
    if not tokens:
        raise _extent_error(help_text)
    # Sectors contain a space ("W12 6"), so a lone digit belongs to the district before it.
    areas: list[str] = []
    for token in tokens:
        if token.isdigit() and len(token) == 1 and areas and " " not in areas[-1]:
            areas[-1] = f"{areas[-1]} {token}"
        else:
            areas.append(token)
    districts: set[str] = set()
    sectors: set[str] = set()
    for area in areas:
        if _DISTRICT.fullmatch(area):
            district = area
            districts.add(area)
        elif _SECTOR.fullmatch(area):
            district = area.split()[0]
            sectors.add(area)
        else:
            raise _extent_error(f"“{area}” is not a postcode district or sector. {help_text}")
        if district not in _districts():
            raise _extent_error(f"We do not recognise the postcode district {district}. {help_text}")
    return AreaRule(kind="postcode", districts=frozenset(districts), sectors=frozenset(sectors))


_COUNCIL_WRAPPERS = re.compile(
    r"^(the )?((royal|london|metropolitan|county) )?(borough|district|city|county) (council )?of "
    r"|^(the )?council of (the )?"
    r"|( (borough|district|city|county|metropolitan borough))? council$"
)


def _council_key(name: str) -> str:
    """A council name reduced for comparison: case, punctuation and "&" do not matter."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.casefold().replace("&", " and ")).split())


@cache
def _councils() -> dict[str, str]:
    """Comparison key -> official name, with the everyday forms of names like "Bristol, City of"."""
    councils: dict[str, str] = {}
    for name in sorted({d.area_name for d in _districts().values() if d.area_name}):
        councils[_council_key(name)] = name
        if inverted := re.fullmatch(r"(.+), ((?:city|county) of)", name, flags=re.IGNORECASE):
            councils.setdefault(_council_key(inverted[1]), name)
            councils.setdefault(_council_key(f"{inverted[2]} {inverted[1]}"), name)
    return councils


def _parse_authority(extent: str) -> str:
    key = _council_key(extent)
    if not key:
        raise _extent_error("Enter the council's name, like Kensington and Chelsea.")
    councils = _councils()
    # Try the name as given first: "City of Edinburgh" is the official name, not a wrapper.
    for candidate in (key, _COUNCIL_WRAPPERS.sub("", key).strip()):
        if candidate in councils:
            return councils[candidate]
    raise _extent_error(
        f"We do not recognise the council “{extent.strip()}”. "
        "Use its usual name, like Kensington and Chelsea or City of Edinburgh."
    )


_GEOJSON_HELP = "The area map must be GeoJSON: a Polygon or MultiPolygon in longitude, latitude order."


def _parse_geojson(extent: str) -> tuple[Polygon, ...]:
    try:
        data = json.loads(extent)
    except (json.JSONDecodeError, RecursionError):
        raise _extent_error(f"The area map could not be read. {_GEOJSON_HELP}") from None
    polygons = tuple(_geojson_polygons(data))
    if not polygons:
        raise _extent_error(f"The area map has no shapes in it. {_GEOJSON_HELP}")
    return polygons


def _geojson_polygons(data: Any) -> list[Polygon]:
    if not isinstance(data, dict):
        raise _extent_error(_GEOJSON_HELP)
    kind = data.get("type")
    if kind == "FeatureCollection" and isinstance(data.get("features"), list):
        return [polygon for feature in data["features"] for polygon in _geojson_polygons(feature)]
    if kind == "Feature":
        # A feature may have no geometry (RFC 7946 3.2); it then adds nothing to the area.
        return [] if data.get("geometry") is None else _geojson_polygons(data["geometry"])
    if kind == "GeometryCollection" and isinstance(data.get("geometries"), list):
        return [polygon for geometry in data["geometries"] for polygon in _geojson_polygons(geometry)]
    coordinates = data.get("coordinates")
    if kind == "Polygon":
        return [_polygon(coordinates)]
    if kind == "MultiPolygon" and isinstance(coordinates, list):
        return [_polygon(part) for part in coordinates]
    shape = f" ({kind})" if isinstance(kind, str) else ""
    raise _extent_error(f"The area map has a shape we cannot use{shape}. {_GEOJSON_HELP}")


def _polygon(rings: Any) -> Polygon:
    if not isinstance(rings, list) or not rings:
        raise _extent_error(f"A shape in the area map has no outline. {_GEOJSON_HELP}")
    return tuple(_ring(ring) for ring in rings)


def _ring(points: Any) -> Ring:
    bad = _extent_error(f"An outline in the area map is not a list of at least 3 points. {_GEOJSON_HELP}")
    if not isinstance(points, list) or len(points) < 3:
        raise bad
    ring: list[tuple[float, float]] = []
    for point in points:
        if not (
            isinstance(point, list)
            and len(point) >= 2
            and all(isinstance(n, int | float) and not isinstance(n, bool) for n in point[:2])
        ):
            raise bad
        lon, lat = float(point[0]), float(point[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise _extent_error(f"The area map has a point off the globe ({lon}, {lat}). {_GEOJSON_HELP}")
        ring.append((lon, lat))
    return tuple(ring)


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    """Ray casting: a point is inside when a ray from it crosses the outline an odd number of times."""
    inside = False
    x1, y1 = ring[-1]  # works whether or not the ring repeats its first point at the end
    for x2, y2 in ring:
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        x1, y1 = x2, y2
    return inside


def _in_polygon(x: float, y: float, polygon: Polygon) -> bool:
    outer, *holes = polygon
    return _in_ring(x, y, outer) and not any(_in_ring(x, y, hole) for hole in holes)
