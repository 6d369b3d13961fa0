"""Bringing a user-drawn GeoJSON (QGIS, geojson.io) into the store as a new version.

Normal variation is accepted and normalised (a single Feature or geometry,
clockwise rings, long decimals, a crs member that says WGS84, QGIS writing
lists as JSON text); anything else is refused with every problem listed, and
the store is left untouched until the new file is complete.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layers.geojson import (
    GeoJSONError,
    feature_collection,
    features_of,
    load_json,
    rfc7946_geometry,
    to_shape,
    write_feature_collection,
)
from layers.store import Store, StoreError, VersionRef, areas_frame, parse_day
from layers.validation import Problem, check_features, outline_zone, overlap_problems, plausible_day

PROPERTIES = ("name", "status", "contested_with", "sources", "note")
LISTS = ("contested_with", "sources")  # QGIS writes list fields as JSON text
WGS84_NAMES = re.compile(r"(CRS84|EPSG:(?:[0-9.]*:)?4326|EPSG/[0-9]+/4326)$", re.IGNORECASE)


class ImportRefused(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Imported:
    path: Path
    areas: int
    replaced: bool
    ignored_properties: tuple[str, ...]


def _declared_crs(document: Any) -> str | None:
    """The CRS a pre-2016 GeoJSON names, as text ("EPSG:4326" for the old {"type": "EPSG"} form)."""
    crs = document.get("crs") if isinstance(document, dict) else None
    if not crs:
        return None
    properties = crs.get("properties") if isinstance(crs, dict) else None
    if isinstance(properties, dict) and properties.get("name"):
        return str(properties["name"])[:80]
    if isinstance(properties, dict) and properties.get("code"):
        return f"EPSG:{properties['code']}"[:80]
    return "an unreadable 'crs' member"


def _json_list(value: Any) -> Any:
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _normalised(feature: Any, where: str) -> tuple[Any, set[str]]:
    """The feature with only the contract's properties and an RFC 7946 geometry (when readable)."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict):
        return feature, set()  # the checks say what is wrong with it
    kept = {key: _json_list(properties[key]) if key in LISTS else properties[key] for key in PROPERTIES if key in properties}
    try:
        geometry = to_shape(feature.get("geometry"), where)
    except GeoJSONError:
        return {**feature, "properties": kept}, set(properties) - set(PROPERTIES)
    if geometry.geom_type in ("Polygon", "MultiPolygon") and geometry.is_valid and not geometry.is_empty:
        shaped = rfc7946_geometry(geometry)
    else:
        shaped = feature.get("geometry")
    return {"type": "Feature", "properties": kept, "geometry": shaped}, set(properties) - set(PROPERTIES)


def import_version(store: Store, faction: str, day_text: str, source: Path, replace: bool = False) -> Imported:
    store.faction(faction)
    day = parse_day(day_text, "version date")
    if plausible_day(day):
        raise StoreError(f"version date {plausible_day(day)}")
    source = Path(source)
    where = source.name
    if not source.is_file():
        raise StoreError(f"{source}: no such file")
    try:
        document = load_json(source)
        crs = _declared_crs(document)
        if crs and not WGS84_NAMES.search(crs):
            raise ImportRefused(
                [
                    Problem(
                        where,
                        f"declares CRS {crs}; RFC 7946 GeoJSON must be WGS84 longitude/latitude "
                        "(EPSG:4326): reproject it before adding",
                    )
                ]
            )
        raw = features_of(document, where)
    except GeoJSONError as err:
        raise ImportRefused([Problem(where, err.what)]) from None
    normalised, ignored = [], set()
    for number, feature in enumerate(raw, start=1):
        clean, dropped = _normalised(feature, f"{where}, feature #{number}")
        normalised.append(clean)
        ignored |= dropped
    problems = check_features(normalised, where, faction, store, outline_zone(store))
    if problems:
        raise ImportRefused(problems)
    ref = VersionRef(faction, day)
    target = store.path(ref)
    existed = target.exists()
    if existed and not replace:
        raise StoreError(f"{ref.relpath} already exists; pass --replace to overwrite it")
    overlaps = overlap_problems(store.with_version(ref, areas_frame(normalised, ref.relpath)), only=ref)
    if overlaps:
        raise ImportRefused(overlaps)
    write_feature_collection(target, feature_collection(normalised))
    store.clear_cache()
    return Imported(target, len(normalised), existed, tuple(sorted(ignored)))
