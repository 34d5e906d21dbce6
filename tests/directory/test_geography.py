"""Postcodes to places, distances, journey estimates and service areas, checked against the bundled data."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from linkwork.core.errors import ValidationFailed
from linkwork.directory.geography import (
    Place,
    area_covers,
    distance_km,
    distances_km,
    journey,
    locate,
    normalise_postcode,
    parse_area,
)

DATA = Path(__file__).resolve().parents[2] / "src" / "linkwork" / "directory" / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


DISTRICTS = {row["district"]: row for row in _rows("uk-postcode-districts.csv")}
SECTORS = {row["sector"]: row for row in _rows("uk-postcode-sectors.csv")}


def _at(latitude: float, longitude: float) -> Place:
    return Place(latitude, longitude, "sector", "X1 1", "X1", "")


# --- postcodes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("w106ab", "W10 6AB"),
        ("  w10   6ab ", "W10 6AB"),
        ("sw1a1aa", "SW1A 1AA"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("m11ae", "M1 1AE"),
        ("w10  6", "W10 6"),
        (" w10 ", "W10"),
        ("sw1a", "SW1A"),
    ],
)
def test_normalise_postcode_tidies_full_postcodes_sectors_and_districts(typed: str, expected: str) -> None:
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", "hello", "W10 6A", "W10 6ABC", "12345", "W106", "W 10", "10W"])
def test_normalise_postcode_rejects_anything_that_is_not_a_postcode(typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalise_postcode(typed)
    assert "W10 6AB" in caught.value.message
    assert caught.value.fields == {"postcode": caught.value.message}


def test_a_full_postcode_is_placed_at_its_sector_centroid() -> None:
    place = locate("w106ab")
    row = SECTORS["W10 6"]
    assert (place.precision, place.key, place.district) == ("sector", "W10 6", "W10")
    assert (place.latitude, place.longitude) == (float(row["latitude"]), float(row["longitude"]))
    assert place.area_name == DISTRICTS["W10"]["area_name"]


def test_a_sector_is_placed_at_its_own_centroid() -> None:
    place = locate("W12 7")
    assert (place.precision, place.key) == ("sector", "W12 7")
    assert place.latitude == float(SECTORS["W12 7"]["latitude"])


def test_a_district_is_placed_at_the_district_centroid() -> None:
    place = locate("m1")
    assert (place.precision, place.key, place.district) == ("district", "M1", "M1")
    assert (place.latitude, place.longitude) == (
        float(DISTRICTS["M1"]["latitude"]),
        float(DISTRICTS["M1"]["longitude"]),
    )


def test_an_unknown_sector_falls_back_to_its_district() -> None:
    district, digit = next(
        (district, digit)
        for district in sorted(DISTRICTS)
        if normalise_postcode(district) == district
        for digit in "0123456789"
        if f"{district} {digit}" not in SECTORS
    )
    place = locate(f"{district} {digit}AA")
    assert (place.precision, place.key, place.district) == ("district", district, district)
    assert place.latitude == float(DISTRICTS[district]["latitude"])
    assert place.longitude == float(DISTRICTS[district]["longitude"])


@pytest.mark.parametrize("typed", ["ZZ9 9ZZ", "QQ1", "ZZ9 9"])
def test_an_unknown_district_is_rejected(typed: str) -> None:
    assert typed.split()[0] not in DISTRICTS
    with pytest.raises(ValidationFailed) as caught:
        locate(typed)
    assert caught.value.message.startswith("We do not recognise that postcode")
    assert "postcode" in caught.value.fields


# --- distances and journeys ----------------------------------------------------------------------------


def test_one_degree_of_latitude_is_the_earth_radius_times_pi_over_180() -> None:
    assert distance_km(51.0, -0.2, 52.0, -0.2) == pytest.approx(6371.0088 * math.pi / 180, rel=1e-12)
    assert distance_km(51.5, -0.2, 51.5, -0.2) == 0.0


def test_london_w10_to_manchester_m1_is_about_260_km() -> None:
    w10, m1 = locate("W10"), locate("M1")
    assert distance_km(w10.latitude, w10.longitude, m1.latitude, m1.longitude) == pytest.approx(260, abs=10)


def test_the_vectorised_distances_equal_the_one_at_a_time_ones() -> None:
    rng = np.random.default_rng(20260101)
    latitudes = rng.uniform(49.8, 60.9, 500)
    longitudes = rng.uniform(-8.2, 1.8, 500)
    here = locate("W10 6")
    many = distances_km(here.latitude, here.longitude, latitudes, longitudes)
    one_by_one = [
        distance_km(here.latitude, here.longitude, float(lat), float(lon))
        for lat, lon in zip(latitudes, longitudes, strict=True)
    ]
    assert many.dtype == np.float64
    assert many.shape == (500,)
    np.testing.assert_allclose(many, one_by_one, rtol=1e-12, atol=1e-9)


def test_journey_estimates_use_road_factor_walking_and_bus_speeds_rounded_up() -> None:
    # 1 km straight line is 1.3 km on the road: 16.25 minutes' walk, 5.2 on the bus plus 10 to get on it.
    assert journey(1.0).km == 1.0
    assert (journey(1.0).walk_minutes, journey(1.0).bus_minutes) == (17, 16)
    # 4 km is exactly 65 minutes' walk (5.2 km at 4.8 km/h); float noise must not add a minute.
    assert (journey(4.0).walk_minutes, journey(4.0).bus_minutes) == (65, 31)


def test_a_journey_is_never_less_than_a_minute() -> None:
    assert (journey(0.0).walk_minutes, journey(0.0).bus_minutes) == (1, 10)
    assert journey(0.001).walk_minutes == 1


def test_a_negative_distance_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="distance"):
        journey(-1.0)


# --- service areas -------------------------------------------------------------------------------------


def test_a_postcode_district_area_covers_every_place_in_the_district() -> None:
    rule = parse_area("W10, W11", "postcode")
    assert rule is not None
    assert area_covers(rule, locate("W10 6AB"))
    assert area_covers(rule, locate("W11"))
    assert not area_covers(rule, locate("W12 6AB"))


def test_a_postcode_sector_area_covers_only_places_located_to_that_sector() -> None:
    rule = parse_area("W12 6", "postcode")
    assert rule is not None
    assert area_covers(rule, locate("W12 6AB"))
    assert not area_covers(rule, locate("W12 7AB"))
    # Known only to the district, the place might be in any sector: do not claim it.
    assert not area_covers(rule, locate("W12"))


def test_postcode_areas_may_be_separated_by_commas_or_spaces() -> None:
    rule = parse_area("w10 W12 6,SE1;  ec1a", "postcode")
    assert rule is not None
    assert rule.districts == {"W10", "SE1", "EC1A"}
    assert rule.sectors == {"W12 6"}


@pytest.mark.parametrize("extent", ["", " , ", "W10, hello", "W10 6AB", "ZZ9", "ZZ9 1"])
def test_a_postcode_area_with_a_bad_or_unknown_entry_is_rejected(extent: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_area(extent, "postcode")
    assert "extent" in caught.value.fields


def test_a_local_authority_area_covers_the_districts_of_that_council() -> None:
    council = DISTRICTS["W10"]["area_name"]
    other = next(
        name for name in (row["area_name"] for row in DISTRICTS.values()) if name and name != council
    )
    elsewhere = next(code for code, row in DISTRICTS.items() if row["area_name"] == other)
    rule = parse_area(council.upper(), "local_authority")
    assert rule is not None
    assert area_covers(rule, locate("W10 6AB"))
    assert area_covers(rule, locate("W10"))
    assert not area_covers(rule, locate(elsewhere))


def test_a_local_authority_area_accepts_everyday_forms_of_the_name() -> None:
    official = parse_area("Kensington and Chelsea", "local_authority")
    assert parse_area("Royal Borough of Kensington & Chelsea", "local_authority") == official
    assert parse_area("kensington and chelsea council", "local_authority") == official
    bristol = parse_area("Bristol, City of", "local_authority")
    assert parse_area("Bristol City Council", "local_authority") == bristol
    assert parse_area("City of Bristol", "local_authority") == bristol


def test_a_local_authority_area_never_covers_a_place_with_no_council() -> None:
    rule = parse_area(
        next(row["area_name"] for row in DISTRICTS.values() if row["area_name"]), "local_authority"
    )
    assert rule is not None
    assert DISTRICTS["BT1"]["area_name"] == ""
    assert not area_covers(rule, locate("BT1"))


@pytest.mark.parametrize("extent", ["", "Narnia District Council"])
def test_an_unknown_council_is_rejected(extent: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_area(extent, "local_authority")
    assert "extent" in caught.value.fields


SQUARE_WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        [[-1.0, 50.0], [1.0, 50.0], [1.0, 52.0], [-1.0, 52.0], [-1.0, 50.0]],
        [[-0.5, 50.5], [0.5, 50.5], [0.5, 51.5], [-0.5, 51.5], [-0.5, 50.5]],
    ],
}


def test_a_geojson_polygon_covers_points_inside_it_but_not_in_its_hole() -> None:
    rule = parse_area(json.dumps(SQUARE_WITH_HOLE), "GeoJSON")
    assert rule is not None
    assert area_covers(rule, _at(50.2, 0.0))
    assert area_covers(rule, _at(51.0, 0.8))
    assert not area_covers(rule, _at(51.0, 0.0))  # in the hole
    assert not area_covers(rule, _at(53.0, 0.0))
    assert not area_covers(rule, _at(51.0, 1.5))


def test_geojson_is_read_as_longitude_then_latitude() -> None:
    rule = parse_area(
        '{"type": "Polygon", "coordinates": [[[10, 50], [11, 50], [11, 51], [10, 51]]]}', "geojson"
    )
    assert rule is not None
    assert area_covers(rule, _at(50.5, 10.5))
    assert not area_covers(rule, _at(10.5, 50.5))


def test_geojson_features_collections_and_multipolygons_are_all_understood() -> None:
    far_square = [[[5.0, 55.0], [6.0, 55.0], [6.0, 56.0], [5.0, 56.0], [5.0, 55.0]]]
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE_WITH_HOLE["coordinates"], far_square]}
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": SQUARE_WITH_HOLE},
            {"type": "Feature", "properties": {}, "geometry": None},
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": far_square}},
        ],
    }
    for shape in (multi, collection):
        rule = parse_area(json.dumps(shape), "geojson")
        assert rule is not None
        assert area_covers(rule, _at(50.2, 0.0))
        assert area_covers(rule, _at(55.5, 5.5))
        assert not area_covers(rule, _at(51.0, 0.0))


@pytest.mark.parametrize(
    "extent",
    [
        "not json",
        "[]",
        '{"type": "Point", "coordinates": [0, 51]}',
        '{"type": "Polygon", "coordinates": [[[0, 51], [1, 51]]]}',
        '{"type": "Polygon", "coordinates": [[[0, 51], [1, 51], [1, "north"]]]}',
        '{"type": "Polygon", "coordinates": [[[0, 51], [1, 51], [1, 95]]]}',
        '{"type": "Polygon", "coordinates": []}',
        '{"type": "FeatureCollection", "features": []}',
    ],
)
def test_invalid_geojson_is_rejected(extent: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_area(extent, "geojson")
    assert "GeoJSON" in caught.value.fields["extent"]


@pytest.mark.parametrize("extent_type", ["topojson", "kml", "", "free text", "wkt"])
def test_area_types_we_cannot_interpret_are_not_used_for_matching(extent_type: str) -> None:
    assert parse_area("anything at all", extent_type) is None
