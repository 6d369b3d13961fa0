"""`validate`: every file parses, every area is sound and sourced, and held areas never overlap."""

import json

import pytest
import shapely
from conftest import SOURCE, area, write_layer

from layers.geojson import feature_collection
from layers.store import Store
from layers.validation import check_store


def problems(root) -> list[str]:
    return [str(p) for p in check_store(Store(root))]


def test_the_shipped_geodata_is_clean(shipped):
    assert check_store(shipped) == []


def test_a_clean_store_has_no_problems(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Desert")])
    assert problems(empty_root) == []


def test_broken_json_is_reported_with_its_file_and_line(empty_root):
    (empty_root / "layers" / "tobruk").mkdir()
    (empty_root / "layers" / "tobruk" / "2015-02-17.geojson").write_text('{"type": "FeatureCollection",\n "features": [}')
    [problem] = problems(empty_root)
    assert "layers/tobruk/2015-02-17.geojson" in problem and "broken JSON at line 2" in problem


def test_an_invalid_geometry_is_reported_with_its_feature_name(empty_root):
    bowtie = {"type": "Polygon", "coordinates": [[[18, 27], [18.2, 27.2], [18.2, 27], [18, 27.2], [18, 27]]]}
    feature = area(18.0, 27.0, "Bow tie") | {"geometry": bowtie}
    write_layer(empty_root, "tobruk", "2015-02-17", [feature])
    [problem] = problems(empty_root)
    assert "(Bow tie)" in problem and "invalid" in problem and "Self-intersection" in problem


def test_an_area_outside_libya_is_reported_in_km2(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(30.0, 27.0, "Egypt", half=0.1)])
    [problem] = problems(empty_root)
    assert "(Egypt)" in problem and "km² lies outside Libya's outline" in problem


def test_a_clockwise_exterior_ring_is_reported(empty_root):
    feature = area(18.0, 27.0, "Clockwise")
    ring = feature["geometry"]["coordinates"][0]
    feature["geometry"] = {"type": "Polygon", "coordinates": [list(reversed(ring))]}
    write_layer(empty_root, "tobruk", "2015-02-17", [feature])
    [problem] = problems(empty_root)
    assert "(Clockwise)" in problem and "RFC 7946" in problem


def test_an_impossible_date_in_a_file_name_is_reported(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-30", [area(18.0, 27.0, "Desert")])
    [problem] = problems(empty_root)
    assert "2015-02-30" in problem and "not a real date" in problem


def test_a_folder_for_an_unknown_faction_is_reported(empty_root):
    write_layer(empty_root, "warlords", "2015-02-17", [area(18.0, 27.0, "Desert")])
    [problem] = problems(empty_root)
    assert "layers/warlords" in problem and "not in factions.json" in problem


def test_an_area_without_sources_is_reported(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Unsourced", sources=[])])
    [problem] = problems(empty_root)
    assert "(Unsourced)" in problem and "cites no source" in problem


def test_a_source_link_must_be_http(empty_root):
    source = {"title": "Script", "url": "javascript:alert(1)"}
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Odd link", sources=[source])])
    [problem] = problems(empty_root)
    assert "not an http(s) address" in problem


def test_a_contested_area_must_name_the_other_side(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Front", status="contested")])
    [problem] = problems(empty_root)
    assert "(Front)" in problem and "contested_with" in problem


def test_a_crs_member_is_reported(empty_root):
    path = write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Desert")])
    document = json.loads(path.read_text()) | {"crs": {"type": "name", "properties": {"name": "EPSG:4326"}}}
    path.write_text(json.dumps(document))
    [problem] = problems(empty_root)
    assert "'crs' member" in problem


def test_overlapping_held_areas_of_two_factions_are_reported_in_km2(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "East side", half=0.1)])
    write_layer(empty_root, "libya-dawn", "2015-03-01", [area(18.1, 27.0, "West side", half=0.1)])
    [problem] = problems(empty_root)
    assert "'West side'" in problem and "(East side)" in problem
    assert "from 2015-03-01" in problem and "km²" in problem


def test_overlaps_are_only_checked_while_both_versions_hold(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Town")])
    write_layer(empty_root, "tobruk", "2015-03-01", [])
    write_layer(empty_root, "libya-dawn", "2015-03-01", [area(18.0, 27.0, "Town")])
    assert problems(empty_root) == []


def test_contested_ground_may_overlap_the_holders_area(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Airport")])
    write_layer(empty_root, "brsc", "2015-02-17", [area(18.0, 27.0, "Airport", status="contested", contested_with=["tobruk"])])
    assert problems(empty_root) == []


def test_an_empty_feature_collection_is_a_valid_version(empty_root):
    (empty_root / "layers" / "tobruk").mkdir()
    (empty_root / "layers" / "tobruk" / "2015-02-17.geojson").write_text(json.dumps(feature_collection([])))
    assert problems(empty_root) == []


def test_every_problem_is_reported_not_only_the_first(empty_root):
    write_layer(
        empty_root,
        "tobruk",
        "2015-02-17",
        [
            area(18.0, 27.0, "Unsourced", sources=[]),
            area(30.0, 27.0, "Egypt"),
        ],
    )
    assert len(problems(empty_root)) == 2


def test_the_outline_tolerance_admits_areas_traced_on_a_finer_coastline(empty_root):
    tripoli_coast = shapely.box(13.15, 32.85, 13.25, 32.92)  # reaches a little past the 1:10m coast
    write_layer(
        empty_root,
        "libya-dawn",
        "2015-02-17",
        [
            area(13.2, 32.88, "Tripoli")
            | {"geometry": shapely.geometry.mapping(tripoli_coast.intersection(Store(empty_root).outline.buffer(0.01)))}
        ],
    )
    assert not [p for p in problems(empty_root) if "outside" in p]


def test_overlaps_are_still_reported_when_another_file_is_broken(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "East side", half=0.1)])
    write_layer(empty_root, "libya-dawn", "2015-02-17", [area(18.1, 27.0, "West side", half=0.1)])
    (empty_root / "layers" / "tuareg").mkdir()
    (empty_root / "layers" / "tuareg" / "2015-02-17.geojson").write_text("{")
    found = problems(empty_root)
    assert any("broken JSON" in p for p in found) and any("overlaps" in p for p in found)


def test_a_folder_named_like_a_version_is_not_taken_for_one(empty_root):
    (empty_root / "layers" / "tobruk" / "2015-02-17.geojson").mkdir(parents=True)
    assert Store(empty_root).versions() == []


def test_a_version_dated_in_the_future_is_reported(empty_root):
    write_layer(empty_root, "tobruk", "2999-01-01", [area(18.0, 27.0, "Desert")])
    [problem] = problems(empty_root)
    assert "2999-01-01 is in the future" in problem


@pytest.mark.parametrize(
    "properties",
    [
        {"name": '<img src=x onerror="alert(1)">'},
        {"name": "Sirte ![](https://evil.example/pixel.png)"},
        {"note": "[Session expired](https://evil.example/login)"},
        {"sources": [SOURCE | {"title": "<script>alert(1)</script>"}]},
    ],
    ids=["HTML in a name", "Markdown image in a name", "Markdown link in a note", "HTML in a source title"],
)
def test_markup_in_an_areas_text_is_reported(empty_root, properties):
    write_layer(
        empty_root,
        "tobruk",
        "2015-02-17",
        [area(18.0, 27.0, "Desert") | {"properties": {"name": "Desert", "status": "held", "sources": [SOURCE], **properties}}],
    )
    [problem] = problems(empty_root)
    assert "markup" in problem and "layers/tobruk/2015-02-17.geojson" in problem


@pytest.mark.parametrize("field", ["name", "short_name", "description", "alliance_note"])
def test_markup_in_the_registry_is_reported(empty_root, field):
    registry = json.loads((empty_root / "factions.json").read_text())
    registry["factions"][0][field] = "HoR [Session expired](https://evil.example/login)"
    (empty_root / "factions.json").write_text(json.dumps(registry))
    [problem] = problems(empty_root)
    assert problem.startswith("factions.json, faction #1 (tobruk)") and field in problem and "Markdown link" in problem


def test_a_temporary_file_left_by_an_interrupted_write_is_reported(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Desert")])
    (empty_root / "layers" / "tobruk" / ".2015-03-01.geojson.k2j4x9.tmp").write_text('{"type": "Feat')
    [problem] = problems(empty_root)
    assert "layers/tobruk/.2015-03-01.geojson.k2j4x9.tmp" in problem and "interrupted write" in problem


def test_a_coordinate_that_is_not_a_finite_number_is_reported(empty_root):
    path = write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Desert")])
    path.write_text(path.read_text().replace("18.05", "1e999", 1))  # JSON's way to write infinity
    [problem] = problems(empty_root)
    assert "layers/tobruk/2015-02-17.geojson" in problem and "not a finite number" in problem


def spoil_places(root, *changes: tuple[int, dict]) -> None:
    """Give the shipped places at these positions other properties or geometry."""
    path = root / "places.geojson"
    document = json.loads(path.read_text(encoding="utf-8"))
    for number, change in changes:
        place = document["features"][number]
        place["properties"].update(change.get("properties", {}))
        place["geometry"] = change.get("geometry", place["geometry"])
    path.write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"properties": {"name": None}}, "name is not text"),
        ({"properties": {"kind": 7}}, "kind is not text"),
        ({"properties": {"id": "Tripoli City"}}, "id is not lowercase words"),
        ({"properties": {"id": ["tripoli"]}}, "id is not lowercase words"),
        ({"properties": {"id": "tripoli"}}, "id appears twice"),  # place #1's
        ({"geometry": shapely.geometry.mapping(shapely.box(13, 32, 14, 33))}, "geometry is not a Point"),
        ({"geometry": {"type": "Point", "coordinates": [1e999, 32]}}, "not a finite number"),
    ],
    ids=["null-name", "numeric-kind", "bad-id", "list-id", "duplicate-id", "polygon", "infinite"],
)
def test_a_place_the_app_cannot_use_is_reported_with_its_position(change, expected, empty_root):
    spoil_places(empty_root, (1, change))
    [problem] = problems(empty_root)
    assert problem.startswith("places.geojson") and "place #2" in problem and expected in problem


def test_markup_in_a_place_name_is_reported(empty_root):
    spoil_places(empty_root, (0, {"properties": {"name": "Tripoli [login](https://evil.example/)"}}))
    [problem] = problems(empty_root)
    assert "places.geojson, place tripoli" in problem and "Markdown link" in problem
