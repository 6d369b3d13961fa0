"""An export (`layers.export`) written in the formats our users' tools read.

Every format holds the same fields with the same values. Lists (`contested_with`, `sources`) are
JSON text, which every format and every client holds (see `_typed`), beside their flat text.
- GeoJSON (RFC 7946): a feature `id`; licence, attribution and title as top-level members.
- GeoPackage: typed fields (dates as Date, null while current, so a `-where` on `valid_to`
  works in GDAL 3.6), MultiPolygon geometry, the licence in its metadata and a QGIS style
  (`layer_styles`) so QGIS opens it coloured by faction and tier, and areas time-enabled.
- KML for Google Earth: a folder per faction, a style per faction and tier, a TimeSpan per
  area for the time slider, every field as ExtendedData and a description with the sources.
- CSV for spreadsheets: one row per feature, a point inside it instead of the shape, and
  text a spreadsheet would run as a formula prefixed with `'`.
"""

from __future__ import annotations

import html
import json
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

import geopandas as gpd
import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely

from layers.export import ATTRIBUTION, DATE, FLAG, KINDS, LICENCE, LIST, NUMBER, Export
from layers.geojson import PRECISION, dumps, geometry_texts, rfc7946_shapes
from layers.geometry import multipolygons
from layers.markup import spreadsheet_safe

KML_NS = "http://www.opengis.net/kml/2.2"
QGIS_VERSION = "3.22.0"  # the oldest QGIS we test against (Debian 12)
TIER_KEYS = ("status", "change")  # what sets an area's look beside its faction: held/contested/zone, gained/lost


class Look(NamedTuple):
    """How a tier is drawn in the GeoPackage's QGIS style and in KML, beside its faction's colour."""

    opacity: float  # of the fill
    fill: str  # QGIS brush style: solid, no, or a hatching such as b_diagonal
    outline: str  # QGIS pen style: solid, dash, dot or no


LOOKS = {
    "held": Look(0.55, "solid", "solid"),
    "contested": Look(0.45, "b_diagonal", "dash"),
    "zone": Look(0.18, "solid", "no"),
    "gained": Look(0.55, "solid", "solid"),
    "lost": Look(0.0, "no", "dash"),
    "first recorded": Look(0.3, "solid", "dot"),
}


def _missing(value) -> bool:
    return value is None or (not isinstance(value, (list, str)) and bool(pd.isna(value)))


def _as_written(column: str, value):
    """A value as every format writes it: lists as JSON text, dates as ISO text, no NaN."""
    if KINDS.get(column) == LIST:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _records(table: gpd.GeoDataFrame) -> Iterator[dict]:
    columns = [column for column in table.columns if column != "geometry"]
    for row in zip(*(table[column] for column in columns)):
        yield {column: _as_written(column, value) for column, value in zip(columns, row)}


def to_geojson(export: Export) -> bytes:
    """Properties encoded by msgspec, geometries as text made once for all (`geometry_texts`)."""
    texts = geometry_texts(multipolygons(rfc7946_shapes(export.table.geometry)))
    features = (
        {"type": "Feature", "id": properties["id"], "properties": properties, "geometry": msgspec.Raw(text)}
        for properties, text in zip(_records(export.table), texts)
    )
    members = {"title": export.title, "licence": LICENCE, "attribution": ATTRIBUTION}
    return dumps({"type": "FeatureCollection", **members, "features": features}).encode("utf-8")


ARROW_TYPES = {DATE: pa.date32(), FLAG: pa.bool_(), NUMBER: pa.float64()}


def _typed(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every column as an Arrow array of its kind, so GDAL types each field the same even when the
    table is empty or a column all null (dates as Date fields; lists as JSON text, which every
    client holds: a JSON-typed field stops QGIS 3.22 saving the layer in any format)."""
    typed = table.copy()
    for column in table.columns.drop("geometry"):
        kind = KINDS[column]
        values = [None if _missing(v) else _as_written(column, v) if kind != DATE else v for v in table[column]]
        typed[column] = pd.array(values, dtype=pd.ArrowDtype(ARROW_TYPES.get(kind, pa.string())))
    return typed


def _tiers(table: gpd.GeoDataFrame) -> tuple[str, list[tuple[str, str, str, str]]]:
    """The column that sets each area's look, and every (faction, name, colour, tier) the table holds."""
    key = next(column for column in TIER_KEYS if column in table)
    looks = table[["faction", "faction_name", "colour", key]].drop_duplicates().itertuples(index=False, name=None)
    return key, sorted(looks, key=lambda look: (look[0], list(LOOKS).index(look[3])))


def _rgba(colour: str, opacity: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{red},{green},{blue},{round(opacity * 255)}"


def _option(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, "Option", name=name, type="QString", value=value)


def qgis_style(table: gpd.GeoDataFrame) -> str:
    """QML with one rule per faction and tier (faction colour, tiers told apart by opacity and hatching),
    and areas' intervals set up for QGIS's Temporal Controller."""
    key, looks = _tiers(table)
    qgis = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology|Temporal")
    if "valid_from" in table:  # ready for the Temporal Controller: a feature shows from valid_from until record_to
        temporal = ET.SubElement(
            qgis,
            "temporal",
            enabled="1",
            mode="2",  # start and end from fields (QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields)
            startField="valid_from",
            endField="record_to",
            limitMode="0",  # the end is exclusive
            accumulate="0",
            durationUnit="d",
            fixedDuration="0",
            durationField="",
            startExpression="",
            endExpression="",
        )
        ET.SubElement(temporal, "fixedRange")
    renderer = ET.SubElement(qgis, "renderer-v2", type="RuleRenderer", symbollevels="0", enableorderby="0", forceraster="0")
    rules = ET.SubElement(renderer, "rules", key="root")
    symbols = ET.SubElement(renderer, "symbols")
    for number, (faction, name, colour, tier) in enumerate(looks):
        quoted = faction.replace("'", "''")
        ET.SubElement(
            rules,
            "rule",
            key=f"rule-{number}",
            symbol=str(number),
            label=f"{name}: {tier}",
            filter=f"\"faction\" = '{quoted}' AND \"{key}\" = '{tier}'",
        )
        look = LOOKS[tier]
        symbol = ET.SubElement(symbols, "symbol", type="fill", name=str(number), alpha="1", clip_to_extent="1", force_rhr="0")
        layer = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
        options = ET.SubElement(layer, "Option", type="Map")
        _option(options, "color", _rgba(colour, look.opacity if look.fill == "solid" else 1.0))
        _option(options, "style", look.fill)
        _option(options, "outline_color", _rgba(colour, 1.0))
        _option(options, "outline_style", look.outline)
        _option(options, "outline_width", "0.4")
        _option(options, "outline_width_unit", "MM")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(qgis, encoding="unicode")


def _style_table(table_name: str, export: Export, qml: str) -> pd.DataFrame:
    """QGIS's `layer_styles` table, which QGIS reads a GeoPackage layer's default style from."""
    row = {
        "f_table_catalog": "",
        "f_table_schema": "",
        "f_table_name": table_name,
        "f_geometry_column": "geom",
        "styleName": table_name,
        "styleQML": qml,
        "styleSLD": "",
        "useAsDefault": True,
        "description": f"{export.title}: coloured by faction, tiers by opacity and hatching",
        "owner": "",
        "ui": "",
        "update_time": pd.Timestamp.now(tz="UTC").floor("s"),  # QGIS orders styles by it
    }
    return pd.DataFrame([row])


def to_gpkg(export: Export) -> bytes:
    layer = "changes" if "change" in export.table else "areas"
    metadata = {"TITLE": export.title, "LICENCE": LICENCE, "ATTRIBUTION": ATTRIBUTION}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.gpkg"
        pyogrio.write_dataframe(
            _typed(export.table),
            path,
            layer=layer,
            driver="GPKG",
            geometry_type="MultiPolygon",
            use_arrow=True,
            dataset_options={"VERSION": "1.2"},  # 1.4, GDAL 3.12's default, makes GDAL 3.6 (QGIS 3.22) warn
            dataset_metadata=metadata,
            layer_metadata=metadata,
            layer_options={"IDENTIFIER": export.title[:100], "DESCRIPTION": f"{LICENCE}. {ATTRIBUTION}"},
        )
        if len(export.table):
            pyogrio.write_dataframe(_style_table(layer, export, qgis_style(export.table)), path, layer="layer_styles")
        return path.read_bytes()


def _kml_colour(colour: str, opacity: float) -> str:
    """KML writes colours as aabbggrr."""
    return f"{round(opacity * 255):02x}{colour[5:7]}{colour[3:5]}{colour[1:3]}"


def _style_id(faction: str, tier: str) -> str:
    return f"{faction}-{tier}".replace(" ", "-")


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _extended_data(parent: ET.Element, values: dict) -> None:
    """Every field, an empty value where there is none (so a reader finds every field in every file)."""
    data = ET.SubElement(parent, "ExtendedData")
    for name, value in values.items():
        field = ET.SubElement(data, "Data", name=name)
        _text(field, "value", "" if value is None else value if isinstance(value, str) else json.dumps(value))


def _html(text: str) -> str:
    """Escaped for HTML, and `$[` too, which Google Earth would fill in from the feature's fields."""
    return html.escape(text).replace("$[", "&#36;[")


def _description(record: dict, sources: list[dict], tier_key: str) -> str:
    """The popup: HTML built from escaped text, every address a link only when it is a web address."""
    lines = [f"<b>{_html(record['faction_name'])}</b>: {_html(record[tier_key])}"]
    if "valid_from" in record:
        lines.append(f"from {record['valid_from']} until {record['valid_to'] or 'the next change'} (exclusive)")
    if record.get("note"):
        lines.append(_html(record["note"]))
    for source in sources:
        title, url = _html(source.get("title") or ""), source.get("url") or ""
        when = f" ({_html(source['published'])})" if source.get("published") else ""
        link = f'<a href="{_html(url)}">{title}</a>' if url.startswith(("https://", "http://")) else title
        lines.append(link + when)
    return "<br/>".join(lines)


def _kml_geometry(parent: ET.Element, geometry: shapely.Geometry) -> None:
    """Polygons (RFC 7946-ready, see `rfc7946_shapes`) as KML rings, coordinates from the rounded WKT."""
    multi = ET.SubElement(parent, "MultiGeometry")
    for polygon in shapely.get_parts(geometry):
        element = ET.SubElement(multi, "Polygon")
        rings = shapely.to_wkt([polygon.exterior, *polygon.interiors], rounding_precision=PRECISION, trim=True)
        for number, wkt in enumerate(rings):
            boundary = ET.SubElement(element, "innerBoundaryIs" if number else "outerBoundaryIs")
            pairs = wkt[wkt.index("(") + 1 : -1].replace(", ", ";").replace(" ", ",").replace(";", " ")
            _text(ET.SubElement(boundary, "LinearRing"), "coordinates", pairs)


def to_kml(export: Export) -> bytes:
    ET.register_namespace("", KML_NS)
    kml = ET.Element(f"{{{KML_NS}}}kml")
    document = ET.SubElement(kml, "Document")
    _text(document, "name", export.title)
    _text(document, "description", _html(f"{LICENCE}. {ATTRIBUTION}."))
    key, looks = _tiers(export.table)  # styles, then ExtendedData: the order KML 2.2's schema gives
    for faction, _, colour, tier in looks:
        look = LOOKS[tier]
        style = ET.SubElement(document, "Style", id=_style_id(faction, tier))
        line = ET.SubElement(style, "LineStyle")
        _text(line, "color", _kml_colour(colour, 0.0 if look.outline == "no" else 1.0))
        _text(line, "width", "1.5")
        poly = ET.SubElement(style, "PolyStyle")
        _text(poly, "color", _kml_colour(colour, look.opacity if look.fill == "solid" else look.opacity / 2))
        _text(poly, "fill", "0" if look.fill == "no" else "1")
    _extended_data(document, {"title": export.title, "licence": LICENCE, "attribution": ATTRIBUTION})
    folders: dict[str, ET.Element] = {}
    sources = export.table["sources"] if "sources" in export.table else [[]] * len(export.table)
    for record, cited, shape in zip(_records(export.table), sources, rfc7946_shapes(export.table.geometry)):
        if record["faction"] not in folders:
            folders[record["faction"]] = ET.SubElement(document, "Folder")
            _text(folders[record["faction"]], "name", record["faction_name"])
        placemark = ET.SubElement(folders[record["faction"]], "Placemark")
        _text(placemark, "name", record.get("name") or f"{record['faction_name']}: {record[key]}")
        _text(placemark, "description", _description(record, cited, key))
        if record.get("valid_from"):
            span = ET.SubElement(placemark, "TimeSpan")
            _text(span, "begin", record["valid_from"])
            if record.get("valid_to"):
                _text(span, "end", record["valid_to"])
        _text(placemark, "styleUrl", "#" + _style_id(record["faction"], record[key]))
        _extended_data(placemark, record)
        _kml_geometry(placemark, shape)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(kml, encoding="utf-8", xml_declaration=False) + b"\n"


def to_csv(export: Export) -> bytes:
    """UTF-8 with a byte-order mark, without which Excel reads the text as the system's code page."""
    rows = pd.DataFrame(_typed(export.table).drop(columns="geometry"))
    points = export.table.geometry.representative_point()
    rows["lon"], rows["lat"] = points.x.round(PRECISION), points.y.round(PRECISION)
    rows["licence"] = f"{LICENCE}; {ATTRIBUTION}"
    for column in rows.columns:
        if pd.api.types.is_string_dtype(rows[column]):
            rows[column] = [spreadsheet_safe(v) if isinstance(v, str) else v for v in rows[column]]
    return rows.to_csv(index=False).encode("utf-8-sig")


@dataclass(frozen=True)
class Format:
    """A format users can choose: its name in the app, file extension, media type and writer."""

    label: str
    extension: str
    media_type: str
    write: Callable[[Export], bytes]


FORMATS = {
    "geojson": Format("GeoJSON", ".geojson", "application/geo+json", to_geojson),  # RFC 7946, section 12
    "gpkg": Format("GeoPackage", ".gpkg", "application/geopackage+sqlite3", to_gpkg),
    "kml": Format("KML", ".kml", "application/vnd.google-earth.kml+xml", to_kml),
    "csv": Format("CSV", ".csv", "text/csv", to_csv),
}
