"""Reading and writing GeoJSON the way RFC 7946 asks for it.

Every geometry the project writes goes through `rfc7946_shapes` and every
file through `write_atomic`, so orientation, precision and atomicity are
decided in one place.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterable, Literal

import msgspec
import numpy as np
import shapely
from shapely.geometry import mapping, shape

from layers.geometry import polygonal

WKT_POINT = re.compile(r"(-?[0-9.]+) (-?[0-9.]+)")
GEOJSON_TYPES = {shapely.GeometryType.POLYGON: "Polygon", shapely.GeometryType.MULTIPOLYGON: "MultiPolygon"}
PRECISION = 6  # decimal places: about 0.1 m, far below what the sources support
TEMP_SUFFIX = ".tmp"


class GeoJSONError(ValueError):
    """A GeoJSON document that cannot be used: where (file, feature) and what is wrong."""

    def __init__(self, where: str, what: str):
        super().__init__(f"{where}: {what}")
        self.where, self.what = where, what


def rfc7946_shapes(geometries: Iterable[shapely.Geometry]) -> np.ndarray:
    """Geometries as RFC 7946 wants them: on a 1e-6° grid (staying valid), counter-clockwise exteriors.

    Plain rounding can fold thin parts onto themselves; GEOS snap-rounding
    (`set_precision`) keeps the result valid. Only geometries off the grid are
    snapped (stored layers are on it already, and snapping is the slow part).
    The final `np.round` only cleans float noise such as 13.318320000000001.
    """
    shapes = np.array(list(geometries), dtype=object)
    coordinates, owner = shapely.get_coordinates(shapes, return_index=True)
    scaled = coordinates * 10.0**PRECISION
    off_grid = np.zeros(len(shapes), dtype=bool)
    off_grid[owner[np.abs(scaled - np.round(scaled)).max(axis=1, initial=0) > 1e-6]] = True
    for at in np.flatnonzero(off_grid):
        snapped = shapely.set_precision(shapes[at], 10.0**-PRECISION)
        polygons = shapes[at].geom_type in ("Polygon", "MultiPolygon", "GeometryCollection")
        shapes[at] = polygonal(snapped) if polygons else snapped
    oriented = shapely.orient_polygons(shapes, exterior_cw=False)
    return shapely.transform(oriented, lambda xy: np.round(xy, PRECISION))


def geometry_texts(shapes: np.ndarray) -> list[str]:
    """GeoJSON text of each (RFC 7946-ready) shape, coordinates to 6 decimals at most.

    GEOS's GeoJSON writer prints 17 significant digits (16.671068000000002 for 16.671068),
    its WKT writer rounds and trims, so the text is made from the WKT, bracket by bracket.
    """
    texts = []
    for kind, wkt in zip(shapely.get_type_id(shapes), shapely.to_wkt(shapes, rounding_precision=PRECISION, trim=True)):
        body = wkt[wkt.find("(") :] if "(" in wkt else "()"
        coordinates = WKT_POINT.sub(r"[\1,\2]", body).replace("(", "[").replace(")", "]").replace(", ", ",")
        texts.append(f'{{"type":"{GEOJSON_TYPES[kind]}","coordinates":{coordinates}}}')
    return texts


def rfc7946_geometry(geometry: shapely.Geometry) -> dict[str, Any]:
    """One geometry as a GeoJSON dict (see `rfc7946_shapes`)."""
    return mapping(rfc7946_shapes([geometry])[0])


def feature(geometry: shapely.Geometry, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": rfc7946_geometry(geometry)}


def feature_collection(features: Iterable[dict[str, Any]], **members: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", **members, "features": list(features)}


def dumps(document: dict[str, Any]) -> str:
    """Compact but diff-friendly: one feature per line. `features` may be any iterable, read once."""
    features = document.get("features")
    if features is None:
        return json.dumps(document, ensure_ascii=False) + "\n"
    head = {k: v for k, v in document.items() if k != "features"}
    lines = [msgspec.json.encode(f).decode("utf-8") for f in features]  # as json.dumps, compact; takes msgspec.Raw
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    opening += (", " if head else "") + '"features": ['
    if not lines:
        return opening + "]}\n"
    return opening + "\n" + ",\n".join(lines) + "\n]}\n"


def is_temp_file(path: Path) -> bool:
    """A temporary file of `write_atomic`'s, which a killed process may leave behind."""
    return path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX) and path.is_file()


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8") if isinstance(text, str) else text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_feature_collection(path: Path, document: dict[str, Any]) -> None:
    write_atomic(path, dumps(document))


def load_json(path: Path) -> Any:
    """Parsed JSON (a leading byte-order mark is fine), or a GeoJSONError naming the file and the fault."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise GeoJSONError(str(path), f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise GeoJSONError(str(path), err.strerror or str(err)) from None
    if not text.strip():
        raise GeoJSONError(str(path), "the file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise GeoJSONError(str(path), f"broken JSON at line {err.lineno}, column {err.colno}: {err.msg}") from None
    except ValueError as err:  # Python refuses integers of more than 4,300 digits
        raise GeoJSONError(str(path), f"holds a number that cannot be read ({str(err).split(':')[0]})") from None
    except RecursionError:
        raise GeoJSONError(str(path), "JSON nested too deeply to be GeoJSON") from None


def read_features(path: Path) -> list[dict[str, Any]]:
    return features_of(load_json(path), str(path))


def features_of(document: Any, where: str) -> list[dict[str, Any]]:
    """The features of a FeatureCollection, a single Feature, or a bare geometry."""
    if not isinstance(document, dict) or "type" not in document:
        raise GeoJSONError(where, "not a GeoJSON object (no 'type' member)")
    kind = document["type"]
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise GeoJSONError(where, "FeatureCollection without a 'features' list")
        return features
    if kind == "Feature":
        return [document]
    if kind in {"Polygon", "MultiPolygon", "Point", "LineString", "MultiPoint", "MultiLineString", "GeometryCollection"}:
        return [{"type": "Feature", "properties": {}, "geometry": document}]
    raise GeoJSONError(where, f"unknown GeoJSON type {str(kind)[:40]!r}")


def to_shape(geometry: Any, where: str) -> shapely.Geometry:
    """A shapely geometry from a GeoJSON geometry dict, or a GeoJSONError saying why not."""
    if not isinstance(geometry, dict):
        raise GeoJSONError(where, "geometry is missing")
    try:
        shaped = shape(geometry)
    except Exception as err:  # shapely raises several kinds for malformed coordinates
        raise GeoJSONError(where, f"geometry cannot be read ({str(err)[:120]})") from None
    problem = _coordinate_problem(shapely.get_coordinates(shaped))
    if problem:
        raise GeoJSONError(where, problem)
    return shaped


def _coordinate_problem(coordinates: np.ndarray) -> str | None:
    """Why these coordinates are not RFC 7946 longitude/latitude, or None when they are."""
    if not np.isfinite(coordinates).all():
        return "has a coordinate that is not a finite number (NaN or Infinity)"
    lon, lat = coordinates.T
    if not ((abs(lon) <= 180).all() and (abs(lat) <= 90).all()):
        (west, south), (east, north) = coordinates.min(axis=0), coordinates.max(axis=0)
        return (
            f"coordinates ({west:.6g}, {south:.6g}) … ({east:.6g}, {north:.6g}) are not longitude/latitude "
            "degrees; RFC 7946 GeoJSON must be WGS84 lon/lat (reproject it)"
        )
    return None


def feature_shapes(features: list[Any], where: str) -> tuple[list[dict[str, Any]], list[shapely.Geometry]]:
    """Each feature's properties and geometry, or a GeoJSONError naming the first feature lacking either."""
    properties, shapes = [], []
    for number, feature in enumerate(features, start=1):
        label = f"{where}, feature #{number}"
        found = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(found, dict):
            raise GeoJSONError(label, "is not a Feature with properties")
        properties.append(found)
        shapes.append(to_shape(feature.get("geometry"), label))
    return properties, shapes


class _Feature(msgspec.Struct):
    properties: dict[str, Any]
    geometry: msgspec.Raw  # left as text for GEOS to parse


class _Collection(msgspec.Struct):
    type: Literal["FeatureCollection"]
    features: list[_Feature]


_COLLECTION = msgspec.json.Decoder(_Collection)


def read_feature_shapes(path: Path, where: str) -> tuple[list[dict[str, Any]], list[shapely.Geometry]]:
    """`feature_shapes` of a file, at C speed for a FeatureCollection as this project writes it.

    Parsing coordinates into Python floats and shapely's `shape` cost most of
    reading a version, so the geometries stay text (msgspec) until GEOS parses
    them, and are checked all at once. Anything unusual or wrong takes the
    careful path, which gives the same result or says what is wrong.
    """
    try:
        collection = _COLLECTION.decode(Path(path).read_bytes())
        shapes = shapely.from_geojson([bytes(feature.geometry) for feature in collection.features])
    except (OSError, msgspec.MsgspecError, shapely.errors.GEOSException):
        return feature_shapes(read_features(path), where)
    if _coordinate_problem(shapely.get_coordinates(shapes)):
        return feature_shapes(read_features(path), where)
    return [feature.properties for feature in collection.features], list(shapes)
