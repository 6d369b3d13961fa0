"""`python -m layers …` as a user meets it: output, files written, and refusals that change nothing."""

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from conftest import SOURCE, area, tree_digest, write_layer
from shapely.geometry import shape

from layers.cli import main
from layers.geojson import feature_collection
from layers.store import SHIPPED_ROOT, Store
from layers.validation import check_store


def run(*argv: str, root: Path = SHIPPED_ROOT) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--geodata", str(root), *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def drawn(tmp_path: Path, document, name: str = "drawn.geojson") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


# ---------------------------------------------------------------- validate, dates


def test_validate_prints_a_one_line_summary_and_exits_0_when_clean():
    code, out, _ = run("validate")
    assert code == 0 and len(out.splitlines()) == 1 and "is clean" in out


def test_validate_lists_every_problem_and_exits_1(empty_root):
    (empty_root / "layers" / "tobruk").mkdir()
    (empty_root / "layers" / "tobruk" / "2015-02-17.geojson").write_text("{")
    code, out, _ = run("validate", root=empty_root)
    assert code == 1 and "layers/tobruk/2015-02-17.geojson" in out and "1 problem(s)" in out


def test_dates_lists_the_change_dates_in_order():
    code, out, _ = run("dates")
    lines = out.split()
    assert code == 0 and lines == sorted(set(lines))
    assert lines[0] == "2014-05-16" and "2015-05-20" in lines  # Operation Dignity; IS takes Sirte


# ---------------------------------------------------------------- who


def test_who_names_the_faction_holding_tobruk_on_17_february_2015():
    assert run("who", "--date", "2015-02-17", "--lat", "32.0896", "--lon", "23.9538")[1] == "tobruk\n"


def test_who_answers_none_in_the_empty_desert():
    assert run("who", "--date", "2015-02-17", "--lat", "19.95", "--lon", "23.5")[1] == "none\n"


def test_who_json_adds_status_version_date_area_name_and_sources():
    code, out, _ = run("who", "--date", "2015-06-01", "--lat", "31.2089", "--lon", "16.5887", "--json")
    answer = json.loads(out)
    [sirte] = answer["areas"]
    assert answer["faction"] == "islamic-state"
    assert (sirte["status"], sirte["name"]) == ("held", "Sirte")
    assert sirte["valid_from"] <= "2015-06-01" < sirte["valid_to"]
    assert sirte["sources"] and all(s["url"].startswith("http") for s in sirte["sources"])


def test_who_refuses_an_impossible_date():
    code, _, err = run("who", "--date", "2015-02-30", "--lat", "32", "--lon", "23")
    assert code == 1 and "not a real date" in err


def test_who_refuses_a_latitude_out_of_range():
    code, _, err = run("who", "--date", "2015-02-17", "--lat", "132", "--lon", "23")
    assert code == 1 and "--lat 132 is outside" in err


def test_who_csv_adds_faction_and_tier_columns_and_keeps_the_others(tmp_path):
    events = drawn(
        tmp_path,
        "event,date,lat,lon\nparliament,2015-02-17,32.0896,23.9538\n"
        "desert,2015-02-17,19.95,23.5\nsirte,2015-06-01,31.2089,16.5887\n",
        "events.csv",
    )
    code, out, _ = run("who", "--csv", str(events))
    assert code == 0
    assert out.splitlines() == [
        "event,date,lat,lon,faction,tier,note",
        "parliament,2015-02-17,32.0896,23.9538,tobruk,held,",
        "desert,2015-02-17,19.95,23.5,none,none,",
        "sirte,2015-06-01,31.2089,16.5887,islamic-state,held,",
    ]


def test_who_csv_names_the_line_of_a_bad_row(tmp_path):
    events = drawn(tmp_path, "date,lat,lon\n2015-02-17,32.0,23.9\n2015-02-17,north,23.9\n", "events.csv")
    code, _, err = run("who", "--csv", str(events))
    assert code == 1 and "line 3" in err and "north" in err


def test_who_csv_needs_date_lat_and_lon_columns(tmp_path):
    code, _, err = run("who", "--csv", str(drawn(tmp_path, "when,lat,lon\n", "events.csv")))
    assert code == 1 and "missing column(s) date" in err


def test_who_csv_will_not_overwrite_an_existing_faction_column(tmp_path):
    code, _, err = run("who", "--csv", str(drawn(tmp_path, "date,lat,lon,faction\n", "events.csv")))
    assert code == 1 and "already has a 'faction' column" in err


def test_python_dash_m_layers_is_the_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "layers", "who", "--date", "2015-02-17", "--lat", "32.0896", "--lon", "23.9538"],
        capture_output=True,
        text=True,
        cwd=SHIPPED_ROOT.parent,
    )
    assert result.returncode == 0 and result.stdout == "tobruk\n"


# ---------------------------------------------------------------- export


def test_export_is_rfc7946_with_faction_and_validity_on_every_feature():
    document = json.loads(run("export", "--date", "2015-02-17")[1])
    assert document["type"] == "FeatureCollection" and "crs" not in document
    for item in document["features"]:
        assert {"faction", "valid_from", "valid_to", "name", "status", "sources"} <= set(item["properties"])
        for polygon in shapely.get_parts(shape(item["geometry"])):
            assert polygon.exterior.is_ccw and not any(ring.is_ccw for ring in polygon.interiors)
            assert all(len(repr(c).split(".")[-1]) <= 6 for xy in polygon.exterior.coords for c in xy)


def test_export_of_one_faction_holds_only_its_areas():
    document = json.loads(run("export", "--date", "2015-02-17", "--faction", "islamic-state")[1])
    assert {f["properties"]["faction"] for f in document["features"]} == {"islamic-state"}
    assert {"Derna", "Nawfaliya", "Sirte"} <= {f["properties"]["name"] for f in document["features"]}


def test_export_marks_a_current_version_with_a_null_valid_to(empty_root):
    write_layer(empty_root, "pfg", "2015-01-01", [area(23.75, 19.86, "Old")])
    write_layer(empty_root, "pfg", "2015-06-01", [area(23.75, 19.86, "New")])
    old, new = (
        json.loads(run("export", "--date", day, root=empty_root)[1])["features"][0]["properties"]
        for day in ("2015-03-01", "2015-06-01")
    )
    assert (old["valid_to"], new["valid_to"]) == ("2015-06-01", None)


def test_export_writes_the_file_named_by_out(tmp_path):
    code, out, _ = run("export", "--date", "2015-02-17", "--out", str(tmp_path / "state.geojson"))
    assert code == 0 and out == ""
    assert json.loads((tmp_path / "state.geojson").read_text())["features"]


def test_export_of_the_history_holds_every_version_of_the_factions_asked_for(shipped):
    code, out, _ = run("export", "--history", "--faction", "bdb", "--faction", "brsc")
    features = json.loads(out)["features"]
    versions = {(f["properties"]["faction"], f["properties"]["valid_from"]) for f in features}
    asked = [ref for ref in shipped.versions() if ref.faction in ("bdb", "brsc") and not shipped.frame(ref).empty]
    assert code == 0 and versions == {(ref.faction, ref.day.isoformat()) for ref in asked}


def test_export_of_changes_gives_ground_gained_and_lost_in_either_date_order():
    code, out, _ = run("export", "--changes", "2015-06-04", "2015-02-17", "--faction", "islamic-state")
    features = json.loads(out)["features"]
    assert code == 0 and {f["properties"]["change"] for f in features} >= {"gained"}  # Sirte, Harawa: IS's by June 2015
    assert {(f["properties"]["before"], f["properties"]["after"]) for f in features} == {("2015-02-17", "2015-06-04")}


def test_export_refuses_an_unknown_faction():
    code, _, err = run("export", "--date", "2015-02-17", "--faction", "martians")
    assert code == 1 and "unknown faction 'martians'" in err and "tobruk" in err


# ---------------------------------------------------------------- diff


def test_diff_reports_km2_gained_and_lost_consistently():
    rows = {r["faction"]: r for r in json.loads(run("diff", "2015-02-17", "2015-06-04", "--json")[1])}
    for row in rows.values():
        change = row["gained_km2"] + row["first_recorded_km2"] - row["lost_km2"]
        assert row["km2_after"] - row["km2_before"] == pytest.approx(change, abs=0.5)
    assert rows["islamic-state"]["gained_km2"] > 0 and rows["libya-dawn"]["lost_km2"] > 0  # Sirte, Gardabiya
    assert rows["pfg"]["contested_km2_after"] > rows["pfg"]["contested_km2_before"]  # Ajdabiya, fought over with the ARSC


def test_diff_counts_ground_first_recorded_apart_from_ground_gained():
    # Tobruk's record starts on 21 May 2014 with the earliest source found, not with a change of holder
    rows = {r["faction"]: r for r in json.loads(run("diff", "2014-05-16", "2014-06-01", "--json")[1])}
    assert rows["tobruk"]["first_recorded_km2"] > 0 and rows["tobruk"]["gained_km2"] == 0


def test_diff_measures_km2_in_an_equal_area_projection():
    rows = {r["faction"]: r for r in json.loads(run("diff", "2015-02-17", "2015-02-17", "--json")[1])}
    # Es Sider's disk of radius 12 km, clipped by the coast, is a few hundred km², not a fraction of a square degree
    assert 100 < rows["pfg"]["km2_before"] < 1500


# ---------------------------------------------------------------- add


def test_add_imports_a_drawing_and_normalises_it_to_rfc7946(shipped_copy, tmp_path):
    item = area(23.75, 19.86, "Desert outpost")
    ring = [[x + 1e-9, y] for x, y in reversed(item["geometry"]["coordinates"][0])]  # clockwise, 15 decimals
    item["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    item["properties"] |= {"stroke": "#555555", "sources": json.dumps([SOURCE])}  # as QGIS writes lists
    code, out, _ = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, feature_collection([item]))), root=shipped_copy)
    assert code == 0 and "added layers/tebu/2015-07-01.geojson: 1 area(s)" in out and "stroke" in out
    written = json.loads((shipped_copy / "layers" / "tebu" / "2015-07-01.geojson").read_text())
    assert set(written["features"][0]["properties"]) == {"name", "status", "sources"}
    assert check_store(Store(shipped_copy)) == []


def test_add_accepts_a_single_feature(shipped_copy, tmp_path):
    code, _, err = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, area(23.75, 19.86, "Outpost"))), root=shipped_copy)
    assert code == 0, err


def test_add_refuses_to_overwrite_a_version_without_replace(shipped_copy, tmp_path):
    run("add", "tebu", "2015-07-01", str(drawn(tmp_path, feature_collection([area(23.75, 19.86, "Outpost")]))), root=shipped_copy)
    before = tree_digest(shipped_copy)
    source = drawn(tmp_path, feature_collection([area(23.65, 19.86, "Camp")]), "second.geojson")
    code, _, err = run("add", "tebu", "2015-07-01", str(source), root=shipped_copy)
    assert code == 1 and "already exists; pass --replace" in err and tree_digest(shipped_copy) == before


def test_add_with_replace_overwrites_a_version_added_by_hand(shipped_copy, tmp_path):
    run("add", "tebu", "2015-07-01", str(drawn(tmp_path, feature_collection([area(23.75, 19.86, "Outpost")]))), root=shipped_copy)
    source = drawn(tmp_path, feature_collection([area(23.65, 19.86, "Second outpost")]), "second.geojson")
    code, out, _ = run("add", "tebu", "2015-07-01", str(source), "--replace", root=shipped_copy)
    assert code == 0 and out.startswith("replaced")
    assert [
        f["properties"]["name"]
        for f in json.loads((shipped_copy / "layers" / "tebu" / "2015-07-01.geojson").read_text())["features"]
    ] == ["Second outpost"]


BAD_INPUTS = {
    "broken JSON": ("tebu", "2015-07-01", '{"type": "FeatureCollection", "features": [', "broken JSON at line 1"),
    "lat/lon swapped": (
        "tebu",
        "2015-07-01",
        feature_collection([area(31.2, 16.6, "Swapped")]),
        "latitude and longitude swapped",
    ),
    "projected coordinates": (
        "tebu",
        "2015-07-01",
        feature_collection([area(1_850_000, 3_650_000, "Metres", half=5000)]),
        "not longitude/latitude degrees",
    ),
    "another CRS declared": (
        "tebu",
        "2015-07-01",
        feature_collection(
            [area(1_850_000, 3_650_000, "Metres", half=5000)],
            crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
        ),
        "declares CRS urn:ogc:def:crs:EPSG::3857",
    ),
    "self-intersecting polygon": (
        "tebu",
        "2015-07-01",
        feature_collection(
            [
                area(23.75, 19.86, "Bow tie")
                | {
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[23.7, 19.8], [23.8, 19.9], [23.8, 19.8], [23.7, 19.9], [23.7, 19.8]]],
                    }
                }
            ]
        ),
        "(Bow tie): geometry is invalid: Self-intersection",
    ),
    "unknown faction": ("warlords", "2015-07-01", feature_collection([area(23.75, 19.86, "X")]), "unknown faction 'warlords'"),
    "impossible date": ("tebu", "2015-02-30", feature_collection([area(23.75, 19.86, "X")]), "'2015-02-30' is not a real date"),
    "path in the faction id": ("../x", "2015-07-01", feature_collection([area(23.75, 19.86, "X")]), "unknown faction '../x'"),
    "area without sources": (
        "tebu",
        "2015-07-01",
        feature_collection([area(23.75, 19.86, "Bare", sources=[])]),
        "(Bare): cites no source",
    ),
    "overlap with another faction": (
        "tebu",
        "2015-07-01",
        feature_collection([area(13.19, 32.86, "Tripoli grab", half=0.02)]),
        "overlaps libya-dawn's held area 'Tripoli'",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_add_refuses_bad_input_with_a_clear_message_and_leaves_the_store_untouched(case, shipped_copy, tmp_path):
    faction, day, document, message = BAD_INPUTS[case]
    before = tree_digest(shipped_copy)
    code, out, err = run("add", faction, day, str(drawn(tmp_path, document)), root=shipped_copy)
    assert code == 1 and message in err, err
    assert out == "" and tree_digest(shipped_copy) == before


def test_add_reports_a_missing_file(shipped_copy, tmp_path):
    code, _, err = run("add", "tebu", "2015-07-01", str(tmp_path / "nothing.geojson"), root=shipped_copy)
    assert code == 1 and "no such file" in err


# ---------------------------------------------------------------- inputs that must never end in a traceback

MALFORMED_FEATURES = {
    "properties that are text": (
        {"type": "Feature", "properties": "name", "geometry": area(23.75, 19.86, "x")["geometry"]},
        "has no properties",
    ),
    "a name that is a list": (
        area(23.75, 19.86, "x") | {"properties": {"name": ["Sector 1"], "status": "held", "sources": [SOURCE]}},
        "'name' is not text",
    ),
    "contested_with holding a list": (
        area(23.75, 19.86, "Front", status="contested", contested_with=[["tobruk"]]),
        "'contested_with' is not a list of faction ids",
    ),
    "a publication date that is not a date": (
        area(23.75, 19.86, "x", sources=[SOURCE | {"published": "2015-13-45"}]),
        "'2015-13-45' is not a real",
    ),
}


@pytest.mark.parametrize("case", MALFORMED_FEATURES, ids=list(MALFORMED_FEATURES))
def test_add_explains_malformed_properties(case, shipped_copy, tmp_path):
    item, message = MALFORMED_FEATURES[case]
    code, _, err = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, feature_collection([item]))), root=shipped_copy)
    assert code == 1 and message in err and "Traceback" not in err


def test_add_explains_an_empty_file(shipped_copy, tmp_path):
    code, _, err = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, "")), root=shipped_copy)
    assert code == 1 and "the file is empty" in err


def test_add_explains_json_nested_too_deep(shipped_copy, tmp_path):
    code, _, err = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, "[" * 100_000)), root=shipped_copy)
    assert code == 1 and "nested too deeply" in err


def test_add_refuses_a_date_before_the_war_or_in_the_future(shipped_copy, tmp_path):
    source = str(drawn(tmp_path, feature_collection([area(23.75, 19.86, "X")])))
    assert "earlier than anything" in run("add", "tebu", "0001-01-01", source, root=shipped_copy)[2]
    assert "in the future" in run("add", "tebu", "9999-12-31", source, root=shipped_copy)[2]


@pytest.mark.parametrize("crs", ["urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG:6.6:4326", "EPSG:4326"])
def test_add_accepts_a_crs_member_that_names_wgs84(crs, shipped_copy, tmp_path):
    document = feature_collection([area(23.75, 19.86, "X")], crs={"type": "name", "properties": {"name": crs}})
    assert run("add", "tebu", "2015-07-01", str(drawn(tmp_path, document)), root=shipped_copy)[0] == 0


def test_add_accepts_a_file_with_a_byte_order_mark(shipped_copy, tmp_path):
    source = tmp_path / "bom.geojson"
    source.write_text("\ufeff" + json.dumps(feature_collection([area(23.75, 19.86, "X")])), encoding="utf-8")
    assert run("add", "tebu", "2015-07-01", str(source), root=shipped_copy)[0] == 0


def test_add_keeps_holes_and_winds_them_clockwise(shipped_copy, tmp_path):
    ring = shapely.Polygon(shapely.box(23.6, 19.73, 23.9, 19.99).exterior, [shapely.box(23.72, 19.83, 23.78, 19.89).exterior])
    item = area(23.75, 19.86, "Ring") | {"geometry": shapely.geometry.mapping(shapely.MultiPolygon([ring]))}
    run("add", "tebu", "2015-07-01", str(drawn(tmp_path, feature_collection([item]))), root=shipped_copy)
    written = json.loads((shipped_copy / "layers" / "tebu" / "2015-07-01.geojson").read_text())["features"][0]
    [polygon] = shapely.get_parts(shape(written["geometry"]))
    assert polygon.exterior.is_ccw and len(polygon.interiors) == 1 and not polygon.interiors[0].is_ccw


def test_add_refuses_an_empty_layer_unless_told_it_empties_the_faction(shipped_copy, tmp_path):
    before = tree_digest(shipped_copy)
    code, out, err = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, feature_collection([]))), root=shipped_copy)
    assert code == 1 and out == "" and tree_digest(shipped_copy) == before
    assert "has no features" in err and "would remove all of tebu's ground from 2015-07-01" in err and "--empty" in err
    assert "Ubari" in err  # what tebu held then, by name


def test_add_with_empty_says_what_it_removes(shipped_copy, tmp_path):
    empty = str(drawn(tmp_path, feature_collection([])))
    code, out, _ = run("add", "tebu", "2015-07-01", empty, "--empty", root=shipped_copy)
    assert code == 0 and "tebu holds nothing from 2015-07-01" in out and "Ubari" in out
    assert run("who", "--date", "2015-07-02", "--lat", "26.5901", "--lon", "12.7805", root=shipped_copy)[1] == "tuareg\n"


def test_add_with_empty_refuses_a_layer_that_has_features(shipped_copy, tmp_path):
    source = str(drawn(tmp_path, feature_collection([area(23.75, 19.86, "Outpost")])))
    code, _, err = run("add", "tebu", "2015-07-01", source, "--empty", root=shipped_copy)
    assert code == 1 and "--empty" in err and "1 feature" in err


def test_add_names_a_feature_without_geometry(shipped_copy, tmp_path):
    item = area(23.75, 19.86, "Ghost") | {"geometry": None}
    code, _, err = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, feature_collection([item]))), root=shipped_copy)
    assert code == 1 and "(Ghost): geometry is missing" in err


def test_who_csv_names_a_row_with_too_many_fields(tmp_path):
    events = drawn(tmp_path, "date,lat,lon\n2015-02-17,32.0,23.9\n\n2015-02-17,32.0,23.9,extra\n", "events.csv")
    code, out, err = run("who", "--csv", str(events))
    assert code == 1 and "line 4: expected 3 fields" in err and out == ""


def test_who_csv_names_a_row_with_too_few_fields(tmp_path):
    code, _, err = run("who", "--csv", str(drawn(tmp_path, "date,lat,lon\n2015-02-17,32.0\n", "events.csv")))
    assert code == 1 and "line 2: expected 3 fields" in err


def test_who_csv_explains_a_file_that_is_not_utf8(tmp_path):
    events = tmp_path / "events.csv"
    events.write_bytes("date,lat,lon,place\n2015-02-17,32.0,23.9,Agedábia\n".encode("latin-1"))
    code, _, err = run("who", "--csv", str(events))
    assert code == 1 and "not UTF-8 text" in err


def test_who_csv_accepts_header_names_in_any_case(tmp_path):
    code, out, _ = run("who", "--csv", str(drawn(tmp_path, "Date, Lat, Lon\n2015-02-17,32.0896,23.9538\n", "e.csv")))
    assert code == 0 and out.splitlines()[1].endswith(",tobruk,held,")


def test_who_csv_refuses_point_flags_as_well(tmp_path):
    code, _, err = run("who", "--csv", str(drawn(tmp_path, "date,lat,lon\n", "e.csv")), "--date", "2015-02-17")
    assert code == 1 and "leave out --date" in err


def test_who_notes_a_point_whose_latitude_and_longitude_look_swapped():
    code, out, err = run("who", "--date", "2015-02-17", "--lat", "23.9538", "--lon", "32.0896")
    assert out == "none\n" and "outside Libya (latitude and longitude swapped?)" in err


def test_who_refuses_a_date_before_the_record():
    code, out, err = run("who", "--date", "2014-01-01", "--lat", "32.0896", "--lon", "23.9538")
    assert code == 1 and out == "" and "2014-01-01 is before the record begins (2014-05-16)" in err


def test_who_refuses_a_date_after_the_records_last_day_rather_than_carry_the_last_map_forward():
    code, out, err = run("who", "--date", "2021-06-01", "--lat", "32.8872", "--lon", "13.1913")  # Tripoli
    assert code == 1 and out == "" and "after the record's last day (2020-10-23)" in err


def test_export_and_diff_refuse_dates_after_the_records_last_day():
    export_code, _, export_err = run("export", "--date", "2020-10-24")
    diff_code, _, diff_err = run("diff", "2016-06-01", "2021-06-01")
    assert export_code == diff_code == 1
    assert "2020-10-24 is after the record's last day" in export_err and "2021-06-01 is after" in diff_err


def test_dates_says_the_period_of_the_record():
    code, out, err = run("dates")
    assert code == 0 and out.splitlines()[0] == "2014-05-16" and "the record runs from 2014-05-16 to 2020-10-23" in err


def test_who_lists_contesting_factions_in_registry_order():
    _, out, _ = run("who", "--date", "2015-02-17", "--lat", "32.767", "--lon", "22.6367")  # Derna
    assert out == "islamic-state|dmsc\n"


def test_export_explains_an_output_path_that_is_a_folder(tmp_path):
    code, _, err = run("export", "--date", "2015-02-17", "--out", str(tmp_path))
    assert code == 1 and "error:" in err and "Traceback" not in err


def test_diff_explains_dates_before_the_data():
    code, _, err = run("diff", "2013-01-01", "2013-02-01")
    assert code == 1 and "2013-01-01 is before the record begins (2014-05-16)" in err


FORMULAS = 'event,date,lat,lon\n"=HYPERLINK(""https://evil.example"",""x"")",2015-02-17,32.0896,23.9538\n+1+2,2015-02-17,32.0896,23.9538\n@SUM(A1),2015-02-17,32.0896,23.9538\n-12.5,2015-02-17,32.0896,23.9538\n'


def test_who_csv_keeps_every_cell_as_given_by_default(tmp_path):
    code, out, _ = run("who", "--csv", str(drawn(tmp_path, FORMULAS, "events.csv")))
    assert code == 0 and out.splitlines()[1].startswith('"=HYPERLINK(""https://evil.example"",""x"")"')


def test_who_safe_csv_keeps_spreadsheets_from_running_cells_as_formulas(tmp_path):
    code, out, _ = run("who", "--csv", str(drawn(tmp_path, FORMULAS, "events.csv")), "--safe-csv")
    firsts = [line.split(",")[0] for line in out.splitlines()[1:]]
    assert code == 0 and firsts == ['"\'=HYPERLINK(""https://evil.example""', "'+1+2", "'@SUM(A1)", "-12.5"]


def test_who_csv_refuses_a_header_that_names_a_column_twice(tmp_path):
    events = drawn(tmp_path, "date,lat,lon,Lat\n2015-02-17,32.0896,23.9538,27.0\n", "events.csv")
    code, out, err = run("who", "--csv", str(events))
    assert code == 1 and out == "" and "columns 2 and 4 are both named 'lat'" in err


def test_who_csv_notes_why_a_row_may_answer_none(tmp_path):
    events = drawn(
        tmp_path,
        "date,lat,lon\n2014-01-01,32.0896,23.9538\n2015-02-17,23.9538,32.0896\n2015-02-17,32.0896,23.9538\n"
        "2021-06-01,32.0896,23.9538\n",
        "events.csv",
    )
    rows = run("who", "--csv", str(events))[1].splitlines()
    assert rows[0] == "date,lat,lon,faction,tier,note"
    assert rows[1].startswith("2014-01-01,32.0896,23.9538,none,none,") and "before the record begins (2014-05-16)" in rows[1]
    assert rows[4].startswith("2021-06-01,32.0896,23.9538,none,none,") and "after the record's last day" in rows[4]
    assert rows[2].endswith(",none,none,the point lies outside Libya (latitude and longitude swapped?)")
    assert rows[3] == "2015-02-17,32.0896,23.9538,tobruk,held,"


# ---------------------------------------------------------------- add: careless, concurrent and outsized writes


def test_add_refuses_to_replace_a_composed_version_and_names_the_description(shipped_copy, tmp_path):
    before = tree_digest(shipped_copy)
    source = drawn(tmp_path, feature_collection([area(23.75, 19.86, "Outpost")]))
    code, _, err = run("add", "tobruk", "2015-02-17", str(source), "--replace", root=shipped_copy)
    assert code == 1 and "composed from control/areas.toml" in err and tree_digest(shipped_copy) == before


def test_add_refuses_while_another_command_writes_to_the_data(shipped_copy, tmp_path, monkeypatch):
    monkeypatch.setattr("layers.store.LOCK_WAIT_SECONDS", 0.2)
    before = tree_digest(shipped_copy)
    with Store(shipped_copy).writing():
        code, _, err = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, area(23.75, 19.86, "X"))), root=shipped_copy)
    assert code == 1 and "another command is writing" in err and ".write.lock" in err
    assert tree_digest(shipped_copy) == before


def add_at_once(root: Path, *commands: list[str]) -> list[subprocess.CompletedProcess]:
    """Start every `add` while the test holds the write lock, then let them run: the race a user meets."""
    with Store(root).writing():
        started = [
            subprocess.Popen(
                [sys.executable, "-m", "layers", "--geodata", str(root), "add", *command],
                cwd=SHIPPED_ROOT.parent,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for command in commands
        ]
        time.sleep(4)  # each has loaded and checked its file and is at the lock
    return [subprocess.CompletedProcess(p.args, p.wait(60), *p.communicate()) for p in started]


def test_two_adds_at_once_cannot_both_take_the_same_ground(shipped_copy, tmp_path):
    first = drawn(tmp_path, feature_collection([area(23.75, 19.86, "Outpost", half=0.12)]), "first.geojson")
    second = drawn(tmp_path, feature_collection([area(23.75, 19.86, "Camp", half=0.1)]), "second.geojson")
    results = add_at_once(shipped_copy, ["tebu", "2015-07-01", str(first)], ["tuareg", "2015-07-01", str(second)])
    assert sorted(r.returncode for r in results) == [0, 1]
    assert "overlaps" in next(r.stderr for r in results if r.returncode)
    assert check_store(Store(shipped_copy)) == []


def test_two_adds_of_the_same_version_at_once_do_not_overwrite_each_other(shipped_copy, tmp_path):
    first = drawn(tmp_path, feature_collection([area(23.75, 19.86, "Outpost")]), "first.geojson")
    second = drawn(tmp_path, feature_collection([area(23.65, 19.86, "Camp")]), "second.geojson")
    results = add_at_once(shipped_copy, ["tebu", "2015-07-01", str(first)], ["tebu", "2015-07-01", str(second)])
    assert sorted(r.returncode for r in results) == [0, 1]
    assert "already exists" in next(r.stderr for r in results if r.returncode)


def test_add_removes_temporary_files_an_interrupted_write_left(shipped_copy, tmp_path):
    stray = shipped_copy / "layers" / "tebu" / ".2015-03-01.geojson.k2j4x9.tmp"
    stray.write_text('{"type": "Feat')
    assert run("add", "tebu", "2015-07-01", str(drawn(tmp_path, area(23.75, 19.86, "X"))), root=shipped_copy)[0] == 0
    assert not stray.exists() and check_store(Store(shipped_copy)) == []


def test_add_reads_list_fields_as_gdal_writes_them_into_a_geopackage(shipped_copy, tmp_path):
    item = area(23.75, 19.86, "Front", status="contested", contested_with="(2:tuareg,tebu)")
    code, _, err = run("add", "zintan", "2015-07-01", str(drawn(tmp_path, item)), root=shipped_copy)
    assert code == 0, err
    written = json.loads((shipped_copy / "layers" / "zintan" / "2015-07-01.geojson").read_text())["features"][0]
    assert written["properties"]["contested_with"] == ["tuareg", "tebu"]


def test_add_says_sources_text_that_is_not_json_may_have_been_cut_by_a_shapefile(shipped_copy, tmp_path):
    item = area(23.75, 19.86, "Outpost", sources=json.dumps([SOURCE] * 4)[:254])
    code, _, err = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, item)), root=shipped_copy)
    assert code == 1 and "sources is not valid JSON" in err and "Shapefile" in err and "cites no source" not in err


def test_add_refuses_a_layer_over_the_vertex_limit_and_states_it(shipped_copy, tmp_path):
    turn = np.linspace(0, 2 * np.pi, 210_000, endpoint=False)
    circle = shapely.Polygon(np.column_stack([23.75 + 0.15 * np.cos(turn), 19.86 + 0.15 * np.sin(turn)]))  # 210,001 vertices
    item = area(23.75, 19.86, "Circle") | {"geometry": shapely.geometry.mapping(circle)}
    before = tree_digest(shipped_copy)
    code, _, err = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, item)), root=shipped_copy)
    assert code == 1 and "210,001 vertices" in err and "limit of 200,000" in err and "--max-vertices" in err
    assert tree_digest(shipped_copy) == before


def test_max_vertices_raises_the_limit(shipped_copy, tmp_path):
    circle = shapely.Point(23.75, 19.86).buffer(0.15, quad_segs=2_500)
    item = area(23.75, 19.86, "Circle") | {"geometry": shapely.geometry.mapping(circle)}
    source = str(drawn(tmp_path, item))
    assert "limit of 5,000" in run("add", "tebu", "2015-07-01", source, "--max-vertices", "5000", root=shipped_copy)[2]
    assert run("add", "tebu", "2015-07-01", source, "--max-vertices", "20000", root=shipped_copy)[0] == 0


def test_add_refuses_a_file_over_the_size_limit_before_reading_it(shipped_copy, tmp_path):
    source = drawn(tmp_path, "{" + " " * 200_000)  # not even JSON: the size is checked first
    code, _, err = run("add", "tebu", "2015-07-01", str(source), "--max-mb", "0.1", root=shipped_copy)
    assert code == 1 and "0.2 MB" in err and "limit of 0.1 MB" in err and "--max-mb" in err


def test_add_explains_a_number_too_long_to_read(shipped_copy, tmp_path):
    source = drawn(tmp_path, '{"type": "Polygon", "coordinates": [[[1' + "0" * 5_000 + ", 27]]]}")
    code, _, err = run("add", "tebu", "2015-07-01", str(source), root=shipped_copy)
    assert code == 1 and "error:" in err and "number" in err and "Traceback" not in err


def test_add_explains_a_folder_given_for_a_file(shipped_copy, tmp_path):
    code, _, err = run("add", "tebu", "2015-07-01", str(tmp_path), root=shipped_copy)
    assert code == 1 and "is a folder" in err and "no such file" not in err


def test_add_explains_a_device_given_for_a_file(shipped_copy):
    code, _, err = run("add", "tebu", "2015-07-01", "/dev/zero", root=shipped_copy)
    assert code == 1 and "not a regular file" in err and "no such file" not in err


def test_diff_with_the_later_date_first_swaps_them_and_says_so():
    code, out, err = run("diff", "2015-06-04", "2015-02-17", "--json")
    rows = {r["faction"]: r for r in json.loads(out)}
    assert code == 0 and "swapped" in err
    assert rows["islamic-state"]["gained_km2"] > 0 and rows["islamic-state"]["lost_km2"] == 0  # Sirte was gained


def test_add_with_replace_repairs_a_version_that_no_longer_reads(shipped_copy, tmp_path):
    assert run("add", "tebu", "2015-07-01", str(drawn(tmp_path, area(23.75, 19.86, "Outpost"))), root=shipped_copy)[0] == 0
    (shipped_copy / "layers" / "tebu" / "2015-07-01.geojson").write_text('{"type": "FeatureCollection", "feat')
    repair = drawn(tmp_path, area(23.75, 19.86, "Outpost"), "repair.geojson")
    code, _, err = run("add", "tebu", "2015-07-01", str(repair), "--replace", root=shipped_copy)
    assert code == 0, err
    assert check_store(Store(shipped_copy)) == []


def test_add_with_empty_names_an_unreadable_version_it_would_end(shipped_copy, tmp_path):
    (shipped_copy / "layers" / "tebu" / "2016-01-10.geojson").write_text('{"type": "FeatureCollection", "feat')
    empty = drawn(tmp_path, feature_collection([]), "empty.geojson")
    code, _, err = run("add", "tebu", "2016-06-01", str(empty), root=shipped_copy)
    assert code == 1 and "unreadable version" in err and "broken JSON" in err and "--empty" in err


@pytest.mark.parametrize(
    "properties",
    [
        {"contested_with": "(" + "9" * 5_000 + ":tuareg)"},  # a GDAL-like count too long to be a number
        {"sources": "[" + "1" * 5_000 + "]"},  # JSON holding a number Python will not read
        {"sources": "[" * 100_000},  # nested past Python's recursion limit
    ],
    ids=["gdal-count", "huge-number", "deep-nesting"],
)
def test_add_explains_list_text_it_cannot_read(properties, shipped_copy, tmp_path):
    item = area(23.75, 19.86, "Front", **properties)
    before = tree_digest(shipped_copy)
    code, _, err = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, item)), root=shipped_copy)
    assert code == 1 and "error:" in err and "Traceback" not in err
    assert tree_digest(shipped_copy) == before


def test_add_refuses_a_coordinate_that_is_not_a_finite_longitude_or_latitude(shipped_copy, tmp_path):
    text = json.dumps(area(23.75, 19.86, "Front")).replace("23.8", "1e999", 1)  # JSON's way to write infinity
    code, _, err = run("add", "tebu", "2015-07-01", str(drawn(tmp_path, text)), root=shipped_copy)
    assert code == 1 and "not a finite number" in err


def test_who_json_says_a_desert_point_is_in_a_zone_by_rule():
    # Jaghbub oasis country, 130 km south of Tobruk's ground: no area names it, the LNA held everything around it
    code, out, _ = run("who", "--date", "2016-06-01", "--lat", "30.9", "--lon", "24.5", "--json")
    result = json.loads(out)
    assert code == 0 and result["tier"] == "zone" and result["faction"] == "tobruk"
    assert "by rule" in result["areas"][0]["note"] and result["areas"][0]["sources"]


def test_a_stated_last_day_before_the_last_change_is_refused_by_name(shipped_copy):
    description = shipped_copy / "control" / "areas.toml"
    description.write_text(description.read_text().replace('last_day = "2020-10-23"', 'last_day = "2016-01-01"'))
    code, _, err = run("who", "--date", "2015-02-17", "--lat", "32.0896", "--lon", "23.9538", root=shipped_copy)
    assert code == 1 and "[record] last_day 2016-01-01 is before the last change (2020-10-23)" in err
