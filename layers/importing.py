"""Bringing a user-drawn GeoJSON (QGIS, geojson.io) into the store as a new version.

Normal variation is accepted and normalised (a single Feature or geometry,
clockwise rings, long decimals, a crs member that says WGS84, QGIS writing
lists as JSON text, GDAL writing them as "(2:a,b)"); anything else is refused
with every problem listed, and the store is left untouched until the new file
is complete. The checks that depend on the store run again under its write
lock, so two commands at once cannot both pass them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Sequence

import shapely

from layers.compose import DESCRIPTION, is_composed
from layers.contract import LISTS, PROPERTIES, StoreError, parse_day
from layers.geojson import (
    GeoJSONError,
    feature_collection,
    feature_shapes,
    features_of,
    load_json,
    rfc7946_geometry,
    to_shape,
    write_feature_collection,
)
from layers.store import Store, VersionRef, areas_frame
from layers.validation import Problem, check_features, outline_zone, overlap_problems, plausible_day

GDAL_LIST = re.compile(r"^\(([0-9]{1,9}):(.*)\)$", re.DOTALL)  # GDAL's "(2:a,b)"; longer counts are not GDAL's
NAMES_SHOWN = 8
WGS84_NAMES = re.compile(r"(CRS84|EPSG:(?:[0-9.]*:)?4326|EPSG/[0-9]+/4326)$", re.IGNORECASE)


class ImportRefused(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Limits:
    """How large a layer `add` takes: far above any layer of this record, far below one that makes the map crawl."""

    max_mb: float = 20
    max_vertices: int = 200_000


@dataclass(frozen=True)
class Imported:
    path: Path
    areas: int
    replaced: bool
    ignored_properties: tuple[str, ...]
    removed: tuple[str, ...] = ()  # for an empty layer: the areas the faction held until then


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


def _list(value: Any) -> Any:
    """A list that a GIS tool wrote as text, as a list again; other values as they are (the checks judge them)."""
    if not isinstance(value, str):
        return value
    gdal = GDAL_LIST.match(value.strip())
    if gdal:
        items = gdal[2].split(",") if gdal[2] else []
        return items if len(items) == int(gdal[1]) else value
    if value.strip().startswith("["):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):  # not JSON, a number too long to read, or nested past Python's limit
            return value
    return value


def _normalised(feature: Any, where: str) -> tuple[Any, set[str], int]:
    """The feature with only the contract's properties and an RFC 7946 geometry (when readable), and its vertices."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict):
        return feature, set(), 0  # the checks say what is wrong with it
    kept = {key: _list(properties[key]) if key in LISTS else properties[key] for key in PROPERTIES if key in properties}
    dropped = set(properties) - set(PROPERTIES)
    try:
        geometry = to_shape(feature.get("geometry"), where)
    except GeoJSONError:
        return {**feature, "properties": kept}, dropped, 0
    if geometry.geom_type in ("Polygon", "MultiPolygon") and geometry.is_valid and not geometry.is_empty:
        shaped = rfc7946_geometry(geometry)
    else:
        shaped = feature.get("geometry")
    return {"type": "Feature", "properties": kept, "geometry": shaped}, dropped, int(shapely.get_num_coordinates(geometry))


def _held_then(store: Store, faction: str, day: date) -> tuple[str, ...]:
    """The areas an empty layer would remove; read only then, so an unreadable version never blocks its own repair."""
    try:
        return tuple(name for r in store.index.at(day) if r.faction == faction for name in store.frame(r)["name"])
    except GeoJSONError as err:
        return (f"an unreadable version ({err.what})",)


def _check_source_file(source: Path, limits: Limits) -> None:
    """A regular file within the size limit, checked before a byte of it is read."""
    if source.is_dir():
        raise StoreError(f"{source} is a folder; give the GeoJSON file to add")
    if not source.exists():
        raise StoreError(f"{source}: no such file")
    if not source.is_file():
        raise StoreError(f"{source} is not a regular file (a device, pipe or socket); save the layer to a file first")
    size_mb = source.stat().st_size / 1e6
    if size_mb > limits.max_mb:
        raise StoreError(
            f"{source} is {size_mb:,.1f} MB, over the limit of {limits.max_mb:g} MB for one layer; "
            "simplify it, or --max-mb raises the limit"
        )


def listed(names: Sequence[str]) -> str:
    """Names for a message: the first few, then how many more."""
    more = f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
    return ", ".join(names[:NAMES_SHOWN]) + more


def import_version(
    store: Store,
    faction: str,
    day_text: str,
    source: Path,
    replace: bool = False,
    empty: bool = False,
    limits: Limits = Limits(),
) -> Imported:
    store.faction(faction)
    day = parse_day(day_text, "version date")
    if plausible_day(day):
        raise StoreError(f"version date {plausible_day(day)}")
    source = Path(source)
    where = source.name
    _check_source_file(source, limits)
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
    normalised, ignored, vertices = [], set(), 0
    for number, feature in enumerate(raw, start=1):
        clean, dropped, count = _normalised(feature, f"{where}, feature #{number}")
        normalised.append(clean)
        ignored |= dropped
        vertices += count
    if vertices > limits.max_vertices:
        raise ImportRefused(
            [
                Problem(
                    where,
                    f"has {vertices:,} vertices, over the limit of {limits.max_vertices:,} for "
                    "one layer (the map would crawl); simplify it, or --max-vertices raises the limit",
                )
            ]
        )
    if empty and normalised:
        raise StoreError(f"--empty was given, but {where} has {len(normalised)} feature(s); leave out --empty to add them")
    problems = check_features(normalised, where, faction, store, outline_zone(store))
    if problems:
        raise ImportRefused(problems)
    ref = VersionRef(faction, day)
    with store.writing():  # from here on, what the store holds cannot change under us
        target = store.path(ref)
        existed = target.exists()
        if existed and is_composed(target):
            raise StoreError(
                f"{ref.relpath} already exists and is composed from {DESCRIPTION}: change that version "
                "there and run `python -m layers compose` (add would make it a hand-made file that "
                "compose then refuses to touch)"
            )
        if existed and not replace:
            raise StoreError(f"{ref.relpath} already exists; pass --replace to overwrite it")
        held_then = () if normalised else _held_then(store, faction, day)
        if not normalised and not empty:
            then = f"it holds {listed(held_then)} then" if held_then else "it holds nothing then anyway"
            raise ImportRefused(
                [
                    Problem(
                        where,
                        f"has no features: adding it would remove all of {faction}'s ground from "
                        f"{day} ({then}); pass --empty if that is what you mean",
                    )
                ]
            )
        frame = areas_frame(*feature_shapes(normalised, ref.relpath), ref.relpath)
        overlaps = overlap_problems(store.with_version(ref, frame), only=ref)
        if overlaps:
            raise ImportRefused(overlaps)
        write_feature_collection(target, feature_collection(normalised))
    return Imported(target, len(normalised), existed, tuple(sorted(ignored)), held_then)
