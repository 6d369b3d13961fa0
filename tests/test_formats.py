"""Exports in every format, opened by the tools our users have: GDAL's command line (Debian 12's GDAL 3.6,
as under QGIS 3.22), pyogrio, an XML parser, pandas."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import area, hostile_geodata, require, write_layer
from fastkml.validator import validate
from test_cli import run

from layers.change import compare
from layers.export import AREA_COLUMNS, CHANGE_COLUMNS, changes_export, history_export, state_export
from layers.formats import FORMATS
from layers.store import Store

KML = "{http://www.opengis.net/kml/2.2}"
DERNA_CONTESTED = date(2015, 2, 17)  # IS and the Mujahideen Shura Council both in Derna
LAST_DAY = date(2020, 10, 23)  # the ceasefire: every version current, every valid_to null


def write(tmp_path: Path, export, kind: str, name: str = "export") -> Path:
    path = tmp_path / f"{name}{FORMATS[kind].extension}"
    path.write_bytes(FORMATS[kind].write(export))
    return path


def features(export) -> dict[str, dict]:
    return {item["id"]: item for item in json.loads(FORMATS["geojson"].write(export))["features"]}


@pytest.fixture(scope="module")
def on_derna_day(shipped):
    return state_export(shipped, DERNA_CONTESTED)


@pytest.fixture(scope="module")
def history_gpkg(shipped, tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("history"), history_export(shipped), "gpkg", "history")


@pytest.fixture(scope="module")
def history_geojson(shipped, tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("history"), history_export(shipped), "geojson", "history")


def gdal(*argv: str) -> str:
    require(shutil.which("ogrinfo") is not None, "GDAL's command-line tools", "apt-get install gdal-bin")
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


# ---------------------------------------------------------------- one table, whatever the format


def test_an_area_version_has_the_same_id_in_every_export(shipped, on_derna_day):
    state = set(on_derna_day.table["id"])
    history = history_export(shipped).table["id"]
    assert history.is_unique and state <= set(history)
    assert "islamic-state/2015-02-17/Derna" in state  # faction / version date / area


def test_a_contested_area_lists_its_other_sides_as_a_list_and_as_flat_text(on_derna_day):
    derna = features(on_derna_day)["islamic-state/2015-02-17/Derna"]["properties"]
    others = json.loads(derna["contested_with"])
    assert derna["status"] == "contested" and "dmsc" in others and derna["contested_with_text"] == "|".join(others)


def test_the_flat_source_texts_line_up_with_the_sources(on_derna_day):
    for item in features(on_derna_day).values():
        properties = item["properties"]
        sources = json.loads(properties["sources"])
        assert properties["source_titles"].split(" | ") == [s["title"] for s in sources]
        assert properties["source_urls"].split(" | ") == [s["url"] for s in sources]
        assert properties["source_dates"].split(" | ") == [s.get("published", "") for s in sources]


def test_geojson_coordinates_have_at_most_six_decimals(shipped):
    """GEOS's own GeoJSON writer would print 16.671068 as 16.671068000000002."""
    text = FORMATS["geojson"].write(history_export(shipped, ["tebu", "tuareg"])).decode()
    coordinates = "".join(re.findall(r'"coordinates":([-0-9.,\[\]]+)', text))
    assert coordinates and not re.search(r"\.[0-9]{7}", coordinates)


def test_every_feature_has_every_property_and_a_multipolygon(on_derna_day):
    for item in features(on_derna_day).values():
        assert list(item["properties"]) == AREA_COLUMNS and item["geometry"]["type"] == "MultiPolygon"


def test_the_geojson_carries_its_licence_and_attribution(on_derna_day):
    document = json.loads(FORMATS["geojson"].write(on_derna_day))
    assert document["licence"].startswith("CC BY 4.0") and "sources" in document["attribution"]
    assert "crs" not in document and document["title"].endswith("2015-02-17")


def test_changes_give_faction_kind_dates_and_km2(shipped):
    export = changes_export(compare(shipped, date(2015, 2, 17), date(2015, 6, 4)), shipped.registry, ["islamic-state"])
    (gained,) = [f for f in features(export).values() if f["properties"]["change"] == "gained"]  # Sirte, Harawa
    assert list(gained["properties"]) == CHANGE_COLUMNS and gained["properties"]["km2"] > 0
    assert gained["id"] == "islamic-state/gained/2015-02-17/2015-06-04"


# ---------------------------------------------------------------- GeoPackage


def test_geopackage_dates_are_dates_even_when_every_valid_to_is_null(shipped, tmp_path):
    info = pyogrio.read_info(write(tmp_path, state_export(shipped, LAST_DAY), "gpkg"), layer="areas")
    types = dict(zip(info["fields"], info["ogr_types"]))
    assert types["valid_from"] == types["valid_to"] == "OFTDate" and info["geometry_type"] == "MultiPolygon"


def test_an_empty_geopackage_types_its_fields_as_a_full_one(shipped, tmp_path):
    empty = state_export(shipped, date(2020, 1, 1), ["brsc"])  # the BRSC held nothing after 2017
    types = [
        dict(zip(info["fields"], info["ogr_types"]))
        for info in (
            pyogrio.read_info(write(tmp_path, export, "gpkg", name), layer="areas")
            for export, name in ((empty, "e"), (state_export(shipped, LAST_DAY), "f"))
        )
    ]
    assert empty.table.empty and types[0] == types[1]


def test_geopackage_opens_in_qgis_styled_by_faction_and_tier(on_derna_day, tmp_path):
    styles = pyogrio.read_dataframe(write(tmp_path, on_derna_day, "gpkg"), layer="layer_styles")
    (style,) = styles.itertuples()
    assert style.f_table_name == "areas" and style.useAsDefault
    rules = ET.fromstring(style.styleQML.split("\n", 1)[1]).iter("rule")
    filters = {tuple(re.findall(r"'([^']*)'", rule.get("filter"))) for rule in rules}
    table = on_derna_day.table
    assert filters == set(zip(table["faction"], table["status"]))


def test_geopackage_history_opens_ready_for_qgis_temporal_controller(history_gpkg):
    (style,) = pyogrio.read_dataframe(history_gpkg, layer="layer_styles").itertuples()
    temporal = ET.fromstring(style.styleQML.split("\n", 1)[1]).find("temporal")
    # QGIS 3.22's ModeFeatureDateTimeStartAndEndFromFields (2) and IncludeBeginExcludeEnd (0); checked in QGIS 3.22
    wanted = {
        "enabled": "1",
        "mode": "2",
        "startField": "valid_from",
        "endField": "record_to",
        "limitMode": "0",
    }
    assert {key: temporal.get(key) for key in wanted} == wanted


def test_geopackage_carries_licence_and_title_in_its_metadata(on_derna_day, tmp_path):
    info = pyogrio.read_info(write(tmp_path, on_derna_day, "gpkg"), layer="areas")
    assert info["dataset_metadata"]["LICENCE"].startswith("CC BY 4.0")
    assert info["layer_metadata"]["TITLE"] == "Territorial control in Libya on 2015-02-17"


# ---------------------------------------------------------------- KML


def test_kml_gives_every_area_a_time_span_from_its_interval(shipped):
    export = history_export(shipped, ["pfg", "tuareg"])
    placemarks = ET.fromstring(FORMATS["kml"].write(export)).iter(f"{KML}Placemark")
    spans = [(p.findtext(f"{KML}TimeSpan/{KML}begin"), p.findtext(f"{KML}TimeSpan/{KML}end")) for p in placemarks]
    intervals = zip(export.table["valid_from"], export.table["valid_to"])
    assert spans == [(start.isoformat(), end.isoformat() if end else None) for start, end in intervals]
    assert (None in {end for _, end in spans}) and len(spans) > 2  # the Tuareg's last areas are current at the ceasefire


def test_kml_polygons_are_valid_and_counter_clockwise(shipped):
    """Change shapes come from overlays, off the grid: plain rounding would fold some of them."""
    export = changes_export(compare(shipped, date(2014, 6, 1), date(2020, 10, 23)), shipped.registry)
    for ring_set in ET.fromstring(FORMATS["kml"].write(export)).iter(f"{KML}Polygon"):
        rings = [
            [tuple(map(float, pair.split(","))) for pair in ring.text.split()] for ring in ring_set.iter(f"{KML}coordinates")
        ]
        polygon = shapely.Polygon(rings[0], rings[1:])
        assert polygon.is_valid and polygon.exterior.is_ccw


def test_kml_leaves_no_field_placeholder_for_google_earth_to_fill(empty_root):
    write_layer(empty_root, "pfg", "2015-01-01", [area(23.75, 19.86, "Kufra", note="$[faction_name] and $[id]")])
    document = ET.fromstring(FORMATS["kml"].write(state_export(Store(empty_root), date(2015, 1, 1))))
    (description,) = [d.text for d in document.iter(f"{KML}description") if "Kufra" not in d.text and "faction_name" in d.text]
    assert "$[" not in description and "&#36;[faction_name]" in description


def test_kml_is_valid_against_the_ogc_kml_2_2_schema(shipped, on_derna_day, tmp_path):
    """Google Earth forgives; the schema (bundled with fastkml, read with lxml) does not."""
    changes = changes_export(compare(shipped, date(2015, 2, 17), date(2016, 2, 17)), shipped.registry)
    for export in (on_derna_day, changes):
        assert validate(file_to_validate=write(tmp_path, export, "kml")) is True


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_kml_descriptions_show_hostile_text_as_text(tmp_path):
    store = Store(hostile_geodata(tmp_path / "geodata"))
    document = ET.fromstring(FORMATS["kml"].write(state_export(store, DERNA_CONTESTED)))
    for description in document.iter(f"{KML}description"):
        parser = Tags()
        parser.feed(description.text)
        assert {tag for tag, _ in parser.tags} <= {"b", "br", "a"}
        assert all(attrs["href"] == 'https://sources.example/"onmouseover="alert(1)' for tag, attrs in parser.tags if tag == "a")


# ---------------------------------------------------------------- CSV


def test_csv_has_a_row_per_area_with_a_point_inside_it(on_derna_day):
    rows = pd.read_csv(io.BytesIO(FORMATS["csv"].write(on_derna_day)))
    shapes = on_derna_day.table.geometry
    assert list(rows["id"]) == list(on_derna_day.table["id"])
    assert all(shape.contains(shapely.Point(lon, lat)) for shape, lon, lat in zip(shapes, rows["lon"], rows["lat"]))


def test_csv_starts_with_the_byte_order_mark_excel_needs_for_utf8(on_derna_day):
    assert FORMATS["csv"].write(on_derna_day).startswith(b"\xef\xbb\xbfid,")


def test_csv_cells_a_spreadsheet_would_run_as_formulas_start_with_a_quote(empty_root):
    write_layer(empty_root, "pfg", "2015-01-01", [area(23.75, 19.86, "Kufra", note='=HYPERLINK("https://evil.example")')])
    rows = pd.read_csv(io.BytesIO(FORMATS["csv"].write(state_export(Store(empty_root), date(2015, 1, 1)))))
    assert rows.loc[0, "note"] == '\'=HYPERLINK("https://evil.example")'


# ---------------------------------------------------------------- the command line


def test_export_takes_its_format_from_the_out_suffix(tmp_path):
    code, _, _ = run("export", "--date", "2015-02-17", "--faction", "brsc", "--out", str(tmp_path / "brsc.kml"))
    assert code == 0 and ET.parse(tmp_path / "brsc.kml").getroot().tag == f"{KML}kml"


def test_export_refuses_a_format_other_than_the_out_suffix_says(tmp_path):
    code, _, err = run("export", "--date", "2015-02-17", "--format", "geojson", "--out", str(tmp_path / "state.gpkg"))
    assert code == 1 and "names a GeoPackage file but --format is geojson" in err and not (tmp_path / "state.gpkg").exists()


def test_export_asks_for_a_file_for_a_geopackage():
    code, out, err = run("export", "--date", "2015-02-17", "--format", "gpkg")
    assert code == 1 and out == "" and "give --out FILE.gpkg" in err


# ---------------------------------------------------------------- real clients: GDAL 3.6


@pytest.mark.parametrize("kind", list(FORMATS))
def test_every_format_opens_in_gdal_with_every_property(shipped, on_derna_day, kind, tmp_path):
    changes = changes_export(compare(shipped, date(2015, 2, 17), date(2016, 2, 17)), shipped.registry)
    for export, columns in ((on_derna_day, AREA_COLUMNS), (changes, CHANGE_COLUMNS)):
        summary = gdal("ogrinfo", "-ro", "-so", "-al", str(write(tmp_path, export, kind)))
        layers = [layer for layer in summary.split("Layer name: ")[1:] if not layer.startswith("layer_styles")]
        counts = [int(re.search(r"Feature Count: (\d+)", layer)[1]) for layer in layers]  # KML: a folder per faction
        fields = dict(re.findall(r"^(\w+): (\w+(?:\(\w+\))?)", "".join(layers), re.MULTILINE))
        assert sum(counts) == len(export.table) and set(columns) - {"name"} <= set(fields)
        assert "String(JSON)" not in fields.values()  # QGIS 3.22 cannot save a layer with a JSON field


DAYS = ["2014-06-01", "2015-02-17", "2016-12-06", "2019-04-10", "2020-10-23"]


def filtered_ids(path: Path, layer: str, where: str) -> list[str]:
    listing = gdal("ogrinfo", "-ro", "-q", "-geom=NO", "-where", where, str(path), layer)
    return sorted(re.findall(r"^  id \(String\) = (.*)$", listing, re.MULTILINE))


def exported_ids(day: str) -> list[str]:
    return sorted(item["id"] for item in json.loads(run("export", "--date", day)[1])["features"])


@pytest.mark.parametrize("day", DAYS)
def test_a_date_filter_on_the_geopackage_history_gives_the_state_on_that_date(history_gpkg, day):
    where = f"valid_from <= '{day}' AND (valid_to IS NULL OR valid_to > '{day}')"
    assert filtered_ids(history_gpkg, "areas", where) == exported_ids(day) != []


@pytest.mark.parametrize("day", DAYS)
def test_a_date_filter_on_record_to_works_in_the_geojson_history_too(history_geojson, day):
    """GDAL 3.6 fails on GeoJSON's null dates ("Failed to parse date ''"); `record_to` is never null."""
    assert filtered_ids(history_geojson, "history", f"valid_from <= '{day}' AND record_to > '{day}'") == exported_ids(day)


def test_a_geopackage_made_from_the_geojson_keeps_lists_sources_and_dates(on_derna_day, tmp_path):
    converted = tmp_path / "converted.gpkg"
    gdal("ogr2ogr", "-f", "GPKG", str(converted), str(write(tmp_path, on_derna_day, "geojson")))
    back = pyogrio.read_dataframe(converted).set_index("id")
    for key, item in features(on_derna_day).items():
        assert back.loc[key, "contested_with"] == item["properties"]["contested_with"]
        assert back.loc[key, "sources"] == item["properties"]["sources"]
        assert back.loc[key, "source_urls"] == item["properties"]["source_urls"]
    info = pyogrio.read_info(converted)
    assert dict(zip(info["fields"], info["ogr_types"]))["valid_from"] == "OFTDate"


def test_a_shapefile_made_from_the_geojson_keeps_the_other_sides_and_the_ids(on_derna_day, tmp_path):
    converted = tmp_path / "converted.shp"
    gdal("ogr2ogr", "-lco", "ENCODING=UTF-8", str(converted), str(write(tmp_path, on_derna_day, "geojson")))
    back = pyogrio.read_dataframe(converted).set_index("id").fillna({"conteste_1": ""})  # names cut to 10 characters
    for key, item in features(on_derna_day).items():
        assert back.loc[key, "conteste_1"] == item["properties"]["contested_with_text"]
        titles, kept = item["properties"]["source_titles"], back.loc[key, "source_tit"]
        assert kept == titles if len(titles.encode()) <= 254 else titles.startswith(kept)  # the format's limit


def test_flatgeobuf_made_from_the_geojson_holds_every_feature(on_derna_day, tmp_path):
    converted = tmp_path / "converted.fgb"
    gdal("ogr2ogr", "-f", "FlatGeobuf", str(converted), str(write(tmp_path, on_derna_day, "geojson")))
    assert pyogrio.read_info(converted)["features"] == len(on_derna_day.table)
