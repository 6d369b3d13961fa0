"""Checks that keep the store trustworthy; `validate` and `add` share them.

A problem always names the file and, where there is one, the feature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from layers.contract import (
    CONTESTED,
    HELD,
    STATUSES,
    VERSION_NAME,
    ZONE,
    StoreError,
    feature_label,
    parse_day,
    sole_ground,
)
from layers.geojson import GeoJSONError, is_temp_file, load_json, to_shape
from layers.geometry import M2_PER_KM2, WGS84, area_km2, to_equal_area, wrongly_oriented_rings
from layers.markup import HTTP_URL, markup
from layers.registry import Faction
from layers.store import Store, VersionRef

OUTLINE_TOLERANCE_M = 2_000  # how far past Libya's simplified 1:10m outline an area may reach
OUTSIDE_TOLERANCE_KM2 = 0.01
OVERLAP_TOLERANCE_KM2 = 0.5  # sole ground of two factions may touch, not overlap beyond this
PUBLISHED = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
FIRST_DAY = date(2011, 1, 1)  # nothing in this war's record predates the 2011 revolution


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def plausible_day(day: date) -> str | None:
    """Why a version date cannot be right (before 2011, or in the future), or None."""
    if day < FIRST_DAY:
        return f"{day} is before {FIRST_DAY}, earlier than anything this record covers"
    if day > date.today():
        return f"{day} is in the future"
    return None


def _real_published(text: str) -> bool:
    match = PUBLISHED.match(text)
    if not match:
        return False
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _check_sources(sources: Any, label: str) -> list[Problem]:
    if isinstance(sources, str):
        return [
            Problem(
                label,
                f"sources is not valid JSON ({len(sources)} characters of text); was it truncated by a "
                "Shapefile, which cuts text at 254 characters? Save the layer as GeoPackage or GeoJSON",
            )
        ]
    if not isinstance(sources, list) or not sources:
        return [Problem(label, "cites no source: 'sources' must list at least one {title, url, published}")]
    problems = []
    for index, source in enumerate(sources, start=1):
        if not isinstance(source, dict):
            problems.append(Problem(label, f"source #{index} is not an object with title and url"))
            continue
        if not str(source.get("title") or "").strip():
            problems.append(Problem(label, f"source #{index} has no title"))
        problems += _check_plain(source.get("title"), f"source #{index} title", label)
        url = str(source.get("url") or "")
        if not HTTP_URL.match(url):
            problems.append(Problem(label, f"source #{index} url {url[:80]!r} is not an http(s) address"))
        published = source.get("published")
        if published is not None and not _real_published(str(published)):
            problems.append(
                Problem(label, f"source #{index} published {str(published)[:20]!r} is not a real YYYY, YYYY-MM or YYYY-MM-DD")
            )
    return problems


def _check_plain(text: Any, field: str, label: str) -> list[Problem]:
    """Names and descriptions are plain text: markup in them is a mistake or an attack."""
    found = markup(text)
    return [Problem(label, f"{field} holds markup ({found}); names and descriptions must be plain text")] if found else []


def registry_problems(registry: dict[str, Faction]) -> list[Problem]:
    problems = []
    for number, faction in enumerate(registry.values(), start=1):
        label = f"factions.json, faction #{number} ({faction.id})"
        for field in ("name", "short_name", "description", "alliance_note"):
            problems += _check_plain(getattr(faction, field), field, label)
        for alias in faction.aliases:
            problems += _check_plain(alias, "an alias", label)
    return problems


def place_problems(store: Store) -> list[Problem]:
    """Places the app and compose cannot use, and markup in their names."""
    try:
        places = store.places
    except (GeoJSONError, OSError) as err:
        return [Problem("places.geojson", getattr(err, "what", str(err)))]
    problems = []
    for place in places.itertuples():
        problems += _check_plain(place.name, "name", f"places.geojson, place {place.id}")
    return problems


def _check_properties(properties: Any, label: str, faction: str, known: dict) -> list[Problem]:
    if not isinstance(properties, dict):
        return [Problem(label, "has no properties (name, status, sources)")]
    problems = []
    name = properties.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(label, "has no 'name' (text)" if name is None else f"'name' is not text: {str(name)[:40]}"))
    status = properties.get("status")
    if not isinstance(status, str) or status not in STATUSES:
        problems.append(Problem(label, f"status {str(status)[:40]!r} is not one of {', '.join(STATUSES)}"))
    others = properties.get("contested_with")
    if others is not None and (not isinstance(others, list) or not all(isinstance(o, str) for o in others)):
        problems.append(Problem(label, "'contested_with' is not a list of faction ids"))
    elif status == CONTESTED and not others:
        problems.append(Problem(label, "is contested but 'contested_with' names no other faction"))
    elif status in (CONTESTED, ZONE):
        for other in others or []:
            if other == faction:
                problems.append(Problem(label, "is contested with its own faction"))
            elif other not in known:
                problems.append(Problem(label, f"contested_with names unknown faction {other!r}"))
    elif others:
        problems.append(Problem(label, "is held but lists 'contested_with'; use status 'contested'"))
    note = properties.get("note")
    if note is not None and not isinstance(note, str):
        problems.append(Problem(label, "note is not text"))
    if not isinstance(properties.get("first_evidence", False), bool):
        problems.append(Problem(label, "'first_evidence' is not true or false"))
    problems += _check_plain(name, "name", label) + _check_plain(note, "note", label)
    return problems + _check_sources(properties.get("sources"), label)


def _share_inside(geometry: shapely.Geometry, zone: shapely.Geometry) -> float:
    inside, whole = area_km2([geometry.intersection(zone), geometry])
    return float(inside / whole) if whole else 0.0


def _check_geometry(geometry: shapely.Geometry, label: str, outline_zone: shapely.Geometry) -> list[Problem]:
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return [Problem(label, f"geometry is a {geometry.geom_type}; areas must be Polygon or MultiPolygon")]
    if geometry.is_empty:
        return [Problem(label, "geometry is empty")]
    if not geometry.is_valid:
        return [Problem(label, f"geometry is invalid: {shapely.is_valid_reason(geometry)}")]
    problems = []
    wrong = wrongly_oriented_rings(geometry)
    if wrong:
        problems.append(Problem(label, f"{wrong} ring(s) wound against RFC 7946 (exteriors counter-clockwise, holes clockwise)"))
    outside = geometry.difference(outline_zone)
    if not outside.is_empty:
        outside_km2 = float(area_km2([outside])[0])
        if outside_km2 > OUTSIDE_TOLERANCE_KM2:
            swapped = shapely.transform(geometry, lambda xy: xy[:, ::-1])
            if _share_inside(geometry, outline_zone) < 0.05 and _share_inside(swapped, outline_zone) > 0.05:
                problems.append(
                    Problem(
                        label,
                        "lies outside Libya, but inside it with latitude and longitude swapped: "
                        "coordinates must be [longitude, latitude]",
                    )
                )
            else:
                problems.append(Problem(label, f"{outside_km2:,.1f} km² lies outside Libya's outline"))
    return problems


def outline_zone(store: Store) -> shapely.Geometry:
    """Libya's outline widened by the tolerance, back in lon/lat."""
    widened = to_equal_area(gpd.GeoSeries([store.outline], crs=WGS84)).buffer(OUTLINE_TOLERANCE_M)
    return widened.to_crs(WGS84).iloc[0]


def check_features(features: Any, where: str, faction: str, store: Store, zone: shapely.Geometry) -> list[Problem]:
    """Problems in one version's features (everything but overlaps with other factions)."""
    if not isinstance(features, list):
        return [Problem(where, "has no 'features' list")]
    problems: list[Problem] = []
    names: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        label = feature_label(where, number, properties)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(Problem(label, "is not a GeoJSON Feature"))
            continue
        problems += _check_properties(properties, label, faction, store.registry)
        try:
            geometry = to_shape(feature.get("geometry"), label)
        except GeoJSONError as err:
            problems.append(Problem(label, err.what))
            continue
        with np.errstate(all="ignore"):
            problems += _check_geometry(geometry, label, zone)
        name = properties.get("name") if isinstance(properties, dict) else None
        if isinstance(name, str) and name in names:
            problems.append(Problem(label, f"has the same name as feature #{names[name]}"))
        elif isinstance(name, str) and name:
            names[name] = number
    return problems


def check_file(store: Store, faction: str, file_name: str, zone: shapely.Geometry) -> list[Problem]:
    where = f"layers/{faction}/{file_name}"
    match = VERSION_NAME.match(file_name)
    if not match:
        return [Problem(where, "file name is not <YYYY-MM-DD>.geojson")]
    try:
        day = parse_day(match.group(1), "file date")
    except StoreError as err:
        return [Problem(where, str(err))]
    if plausible_day(day):
        return [Problem(where, plausible_day(day))]
    try:
        document = load_json(store.root / where)
    except GeoJSONError as err:
        return [Problem(where, err.what)]
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return [Problem(where, "is not a GeoJSON FeatureCollection")]
    problems = []
    if "crs" in document:
        problems.append(Problem(where, "has a 'crs' member, which RFC 7946 removed (coordinates are always WGS84)"))
    return problems + check_features(document.get("features"), where, faction, store, zone)


def overlap_problems(store: Store, only: VersionRef | None = None) -> list[Problem]:
    """Sole ground (held areas, uncontested zones) of different factions that overlaps while both versions hold.

    Each pair of versions is compared once, over the interval they share,
    rather than once per change date. Files that do not read are left out
    here (the file checks report them).
    """
    versions = store.versions()
    ends = store.index.ends
    held = {}
    for ref in versions:
        try:
            frame = store.frame(ref)
        except GeoJSONError:
            continue
        frame = frame[sole_ground(frame)]
        if not frame.empty:
            words = [f"{status} {'area' if status == HELD else 'ground'}" for status in frame["status"]]
            held[ref] = to_equal_area(frame.geometry).reset_index(drop=True), frame["name"].tolist(), words
    problems = []
    for a, b in combinations(held, 2):
        if a.faction == b.faction or (only is not None and only not in (a, b)):
            continue
        if b == only:
            a, b = b, a  # speak of the version being added first
        start = max(a.day, b.day)
        end = min(d for d in (ends[a], ends[b], date.max) if d is not None)
        if start >= end:
            continue
        shapes_a, names_a, words_a = held[a]
        shapes_b, names_b, words_b = held[b]
        left, right = shapes_b.sindex.query(shapes_a, predicate="intersects")
        for i, j in zip(left, right):
            overlap_km2 = shapes_a.iloc[i].intersection(shapes_b.iloc[j]).area / M2_PER_KM2
            if overlap_km2 > OVERLAP_TOLERANCE_KM2:
                until = "" if end == date.max else f" until {end.isoformat()}"
                problems.append(
                    Problem(
                        f"{a.relpath} ({names_a[i]})",
                        f"{words_a[i]} overlaps {b.faction}'s {words_b[j]} {names_b[j]!r} ({b.relpath}) by "
                        f"{overlap_km2:,.1f} km² from {start.isoformat()}{until}",
                    )
                )
    return problems


def check_store(store: Store) -> list[Problem]:
    """Every problem in the store; an empty list means it is clean."""
    try:
        _ = store.registry  # a registry that does not load makes every other check meaningless
    except (ValueError, OSError) as err:
        return [Problem("factions.json", str(err))]
    zone = outline_zone(store)
    problems = registry_problems(store.registry) + place_problems(store)
    layers = store.root / "layers"
    if not layers.is_dir():
        return [Problem("layers", "folder is missing")]
    for folder in sorted(layers.iterdir()):
        if not folder.is_dir():
            problems.append(Problem(f"layers/{folder.name}", "is a file; expected one folder per faction"))
            continue
        if folder.name not in store.registry:
            problems.append(Problem(f"layers/{folder.name}", f"faction id {folder.name!r} is not in factions.json"))
            continue
        for file in sorted(folder.iterdir()):
            if is_temp_file(file):
                problems.append(
                    Problem(
                        f"layers/{folder.name}/{file.name}",
                        "a temporary file left by an interrupted write; the next add or compose removes it (or delete it)",
                    )
                )
            if file.name.startswith("."):
                continue
            problems += check_file(store, folder.name, file.name, zone)
    return problems + overlap_problems(store)
