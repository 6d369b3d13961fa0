"""Control layers composed from a hand-kept description of areas and who held them when.

`geodata/control/areas.toml` describes each area as a set of anchors (named
places, and points sampled along the road between places) and a timeline of
holders. Every anchor owns the ground nearest to it (its Voronoi cell) out to
a radius, clipped to Libya's outline. So areas made of different anchors can
never overlap, neighbours share borders exactly, and land no area names stays
blank. A faction's versions follow from the timelines: whenever the set of
areas it holds or contests changes, it gets a new version holding all of them.

Regenerating is deterministic; `python -m layers compose --check` proves the
committed layers are exactly what the description produces. Composed files
say so (the foreign member `composed_from`), and compose only ever rewrites
or removes files that say so: a version added by hand (`add`) is left alone.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Callable

import geopandas as gpd
import numpy as np
import shapely

from layers.contract import CONTESTED, HELD, ZONE, StoreError, area_properties, parse_day
from layers.geojson import dumps, feature, feature_collection, write_atomic
from layers.geometry import EQUAL_AREA, WGS84, polygonal
from layers.store import Store, VersionRef

DESCRIPTION = "control/areas.toml"
ROAD_SPACING_KM = 4
ROAD_HALF_WIDTH_KM = 8
SITE_RADIUS_KM = 5
DISTRICT_RADIUS_KM = 4
ZONE_REACH_KM = 450  # how far a zone reaches from the area it goes with
PLANE_SCALE = np.array([math.cos(math.radians(27)), 1.0])  # Libya's middle latitude


class DescriptionError(ValueError):
    pass


def default_radius_km(place: dict) -> float:
    """How far a place's hinterland reaches when the description does not say."""
    if place["kind"] == "district":
        return DISTRICT_RADIUS_KM
    if place["kind"] not in ("city", "town"):
        return SITE_RADIUS_KM
    population = place.get("population") or 0
    return 25 if population >= 500_000 else 18 if population >= 100_000 else 12 if population >= 20_000 else 8


CONTROL_KEYS = {"from", "holders", "attackers", "sources", "note", "first_evidence"}


@dataclass(frozen=True)
class Control:
    """From `day` on: one holder (held), several (contested between them), or none (nobody known).

    `attackers` contest ground that the single holder still holds ("contested, LNA-held").
    `first_evidence`: the holder was there already when the earliest source found shows it,
    so `day` is that source's date, not a change of holder.
    """

    day: date
    holders: tuple[str, ...]
    sources: tuple[str, ...]
    note: str | None
    attackers: tuple[str, ...] = ()
    first_evidence: bool = False


@dataclass(frozen=True)
class Area:
    name: str
    places: tuple[str, ...]
    roads: tuple[tuple[str, ...], ...]
    radius_km: float | None
    timeline: tuple[Control, ...]


@dataclass(frozen=True)
class Description:
    sources: dict[str, dict[str, str]]
    areas: tuple[Area, ...]


def load_description(path: Path, store: Store) -> Description:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise DescriptionError(f"{path}: {err}") from None
    sources = raw.get("sources", {})
    places = set(store.places["id"])
    areas, seen = [], set()
    for number, entry in enumerate(raw.get("area", []), start=1):
        name = entry.get("name") or f"area #{number}"
        where = f"{path.name}: area {name!r}"
        if name in seen:
            raise DescriptionError(f"{where} is described twice")
        seen.add(name)
        roads = tuple(tuple(road) for road in entry.get("roads", []))
        for place in [*entry.get("places", []), *(p for road in roads for p in road)]:
            if place not in places:
                raise DescriptionError(f"{where}: unknown place {place!r} (see geodata/places.geojson)")
        timeline = []
        for control in entry.get("control", []):
            try:
                day = parse_day(str(control.get("from", "")), "control date")
            except StoreError as err:
                raise DescriptionError(f"{where}: {err}") from None
            unknown = sorted(set(control) - CONTROL_KEYS)
            if unknown:
                raise DescriptionError(f"{where}, from {day}: unknown key(s) {', '.join(map(repr, unknown))}")
            holders = tuple(control.get("holders", []))
            attackers = tuple(control.get("attackers", []))
            for holder in holders + attackers:
                if holder not in store.registry:
                    raise DescriptionError(f"{where}, from {day}: unknown faction {holder!r}")
            if attackers and len(holders) != 1:
                raise DescriptionError(f"{where}, from {day}: attackers need exactly one holder to attack")
            cited = tuple(control.get("sources", []))
            if holders and not cited:
                raise DescriptionError(f"{where}, from {day}: cites no source")
            for key in cited:
                if key not in sources:
                    raise DescriptionError(f"{where}, from {day}: unknown source {key!r}")
            first_evidence = control.get("first_evidence", False)
            if not isinstance(first_evidence, bool):
                raise DescriptionError(f"{where}, from {day}: first_evidence must be true or false")
            if first_evidence and (not holders or any(c.holders for c in timeline)):
                raise DescriptionError(f"{where}, from {day}: only the first holder of an area can be a first-evidence start")
            timeline.append(Control(day, holders, cited, control.get("note"), attackers, first_evidence))
        if [c.day for c in timeline] != sorted({c.day for c in timeline}):
            raise DescriptionError(f"{where}: control dates must be unique and in order")
        areas.append(Area(name, tuple(entry.get("places", [])), roads, entry.get("radius_km"), tuple(timeline)))
    uncited = sorted(set(sources) - {key for area in areas for control in area.timeline for key in control.sources})
    if uncited:
        raise DescriptionError(f"{path.name}: source(s) {', '.join(map(repr, uncited))} cited by no control entry")
    return Description(sources, tuple(areas))


def _road_points(start: np.ndarray, end: np.ndarray, length_m: float) -> list[np.ndarray]:
    """Points every ROAD_SPACING_KM between two places (in lon/lat), the places themselves excluded."""
    steps = max(1, math.ceil(length_m / (ROAD_SPACING_KM * 1000)))
    return [start + (end - start) * i / steps for i in range(1, steps)]


def _to_plane(geometry):
    """lon/lat scaled to roughly equal km both ways: an affine map, so straight edges stay straight."""
    return shapely.transform(geometry, lambda xy: xy * PLANE_SCALE)


def _from_plane(geometry):
    return shapely.transform(geometry, lambda xy: xy / PLANE_SCALE)


@dataclass(frozen=True)
class Anchors:
    """Every anchor of the description: the area it belongs to, where it is (lon/lat) and its radius (m)."""

    owners: np.ndarray
    points: np.ndarray  # shapely Points
    radii_m: np.ndarray


def anchors(description: Description, store: Store) -> Anchors:
    """The places and the points along roads that areas are made of; one area per anchor."""
    places = store.places.set_index("id")
    metric = places.to_crs(EQUAL_AREA).geometry
    claimed: dict[Any, tuple[str, np.ndarray, float]] = {}  # key -> (area, lon/lat, radius m)

    def claim(key: Any, area: str, lonlat: np.ndarray, radius_km: float) -> None:
        if key in claimed and claimed[key][0] != area:
            raise DescriptionError(
                f"{key} belongs to both {claimed[key][0]!r} and {area!r}; "
                "split the ground into areas that do not share places or road stretches"
            )
        claimed[key] = (area, lonlat, radius_km * 1000)

    def lonlat(place: str) -> np.ndarray:
        point = places.geometry[place]
        return np.array([point.x, point.y])

    for area in description.areas:
        for place in area.places:
            radius = area.radius_km or default_radius_km(places.loc[place])
            claim(("place", place), area.name, lonlat(place), radius)
        for road in area.roads:
            for a, b in zip(road, road[1:]):
                first, second = sorted((a, b))  # a stretch is the same whichever way it is listed
                length = metric[first].distance(metric[second])
                for index, point in enumerate(_road_points(lonlat(first), lonlat(second), length)):
                    claim(("road", first, second, index), area.name, point, ROAD_HALF_WIDTH_KM)
    values = list(claimed.values())
    return Anchors(
        owners=np.array([v[0] for v in values]),
        points=shapely.points([v[1] for v in values]),
        radii_m=np.array([v[2] for v in values]),
    )


def _cells(points: np.ndarray, outline: shapely.Geometry) -> np.ndarray:
    """Each point's Voronoi cell in the plane, clipped to the (plane) outline, in the points' order."""
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(_to_plane(points)), extend_to=outline.envelope.buffer(2), ordered=True)
    )
    return shapely.intersection(cells, outline)


def _back(cells: np.ndarray) -> shapely.Geometry:
    return polygonal(shapely.make_valid(_from_plane(shapely.union_all(cells))))


def area_shapes(description: Description, store: Store, found: Anchors | None = None) -> dict[str, shapely.Geometry]:
    """Each area's ground in WGS84: the union of its anchors' Voronoi cells, each cut to its radius.

    Cells are cut in a plane that is an affine scaling of lon/lat, so the edge
    two neighbours share is the same straight segment in both and survives the
    way back exactly; only the radius disks are drawn in the equal-area
    projection, where a kilometre is a kilometre.
    """
    found = found or anchors(description, store)
    disks = gpd.GeoSeries(found.points, crs=WGS84).to_crs(EQUAL_AREA).buffer(found.radii_m, quad_segs=16).to_crs(WGS84)
    outline = _to_plane(store.outline)
    shapely.prepare(outline)
    clipped = shapely.intersection(_cells(found.points, outline), _to_plane(disks.to_numpy()))
    return {area.name: _back(clipped[found.owners == area.name]) for area in description.areas}


def zone_shapes(
    active: frozenset[str],
    on_map: frozenset[str],
    found: Anchors,
    shapes: dict[str, shapely.Geometry],
    reach: dict[str, shapely.Geometry],
    store: Store,
) -> dict[str, shapely.Geometry]:
    """The zone rule: land no area covers goes with the nearest area held or contested that day, within ZONE_REACH_KM.

    "Nearest" is the Voronoi partition of the `active` areas' anchors, so the
    partition, and each zone, changes only when such an area appears or goes;
    every zone is cut from its own area's cells, so no two overlap. An area
    nobody is known to hold is on the map (`on_map`) but anchors no zone: it
    stays blank, and the land around it goes with the nearest side that holds ground.
    """
    keep = np.isin(found.owners, sorted(active))
    outline = _to_plane(store.outline)
    cells = _cells(found.points[keep], outline)
    owners = found.owners[keep]
    drawn = shapely.union_all([shapes[name] for name in on_map])
    return {
        name: polygonal(shapely.difference(shapely.intersection(_back(cells[owners == name]), reach[name]), drawn))
        for name in sorted(active)
    }


def reaches(shapes: dict[str, shapely.Geometry]) -> dict[str, shapely.Geometry]:
    """Each area's ground widened by ZONE_REACH_KM (measured in the equal-area projection)."""
    names = list(shapes)
    widened = gpd.GeoSeries([shapes[n] for n in names], crs=WGS84).to_crs(EQUAL_AREA).buffer(ZONE_REACH_KM * 1000, 8)
    return dict(zip(names, widened.to_crs(WGS84).make_valid().to_numpy()))


ZONE_NOTE = (
    "Zone, by rule: land that no area on the map covers goes with the nearest area held or contested that day "
    "(nearest by its places and roads), out to {reach} km from it, and is held or contested as that area is. "
    "Inferred from who held {name}: "
    "the sources are that area's, and none of them describes this ground itself."
)


def version_features(
    description: Description,
    shapes: dict[str, shapely.Geometry],
    zones: Callable[[frozenset[str], frozenset[str]], dict[str, shapely.Geometry]],
    registry: dict,
) -> dict[VersionRef, list[dict]]:
    """Every faction's versions: a new one whenever its areas or zones (or what is said of them) change.

    `zones` gives each held or contested area's zone, given those areas and all the areas on the
    map; a held area's zone goes to its holder, a contested area's is contested between the same
    sides. Ground nobody is known to hold stays blank and has no zone.
    """
    order = list(registry)
    days = sorted({control.day for area in description.areas for control in area.timeline})
    previous: dict[str, list[dict]] = {}
    versions: dict[VersionRef, list[dict]] = {}
    for day in days:
        now: dict[str, list[dict]] = {faction: [] for faction in order}
        zoned: dict[str, list[dict]] = {faction: [] for faction in order}
        current = {area.name: [c for c in area.timeline if c.day <= day] for area in description.areas}
        on_map = frozenset(name for name, controls in current.items() if controls)
        held = frozenset(name for name in on_map if current[name][-1].holders)
        zone_shapes_now = zones(held, on_map) if held else {}
        for area in description.areas:
            if not current[area.name] or not current[area.name][-1].holders:
                continue
            control = current[area.name][-1]
            holders = sorted(control.holders, key=order.index)
            sides = sorted(control.holders + control.attackers, key=order.index)
            sources = [description.sources[key] for key in control.sources]
            for holder in sides:
                held = len(holders) == 1 and holder in holders
                properties = area_properties(
                    area.name,
                    HELD if held else CONTESTED,
                    sources,
                    holders if holder in control.attackers else [h for h in sides if h != holder],
                    control.note,
                    control.first_evidence,
                )
                now[holder].append(feature(shapes[area.name], properties))
            zone = zone_shapes_now.get(area.name)
            if zone is None or zone.is_empty:
                continue
            note = ZONE_NOTE.format(reach=ZONE_REACH_KM, name=area.name)
            for holder in holders:  # a contested area's zone is contested between the same sides
                others = [h for h in holders if h != holder]
                zoned[holder].append(
                    feature(
                        zone,
                        area_properties(f"{area.name}: surrounding ground", ZONE, sources, others, note, control.first_evidence),
                    )
                )
        for faction in order:
            now[faction] += zoned[faction]
            if now[faction] != previous.get(faction, []):
                versions[VersionRef(faction, day)] = now[faction]
        previous = now
    return versions


def compose(store: Store, description_path: Path | None = None) -> dict[str, str]:
    """The text of every layer file the description produces, by path relative to the store."""
    description = load_description(description_path or store.root / DESCRIPTION, store)
    found = anchors(description, store)
    shapes = area_shapes(description, store, found)
    reach = reaches(shapes)

    @cache
    def zones(active: frozenset[str], on_map: frozenset[str]) -> dict[str, shapely.Geometry]:
        return zone_shapes(active, on_map, found, shapes, reach, store)

    return {
        ref.relpath: dumps(feature_collection(features, composed_from=DESCRIPTION))
        for ref, features in version_features(description, shapes, zones, store.registry).items()
    }


def is_composed(path: Path) -> bool:
    """Whether a layer file was composed from the description (the marker sits on its first line)."""
    with path.open("rb") as handle:
        return b'"composed_from"' in handle.readline()


def _on_disk(store: Store) -> dict[str, bool]:
    """Every layer file, and whether it was composed."""
    return {str(file.relative_to(store.root)): is_composed(file) for file in sorted((store.root / "layers").glob("*/*.geojson"))}


def differences(store: Store, produced: dict[str, str]) -> list[str]:
    """How the composed layers on disk differ from what the description produces."""
    on_disk = _on_disk(store)
    report = [
        f"{path}: composed earlier but no longer produced (run python -m layers compose)"
        for path, composed in on_disk.items()
        if composed and path not in produced
    ]
    for path, text in sorted(produced.items()):
        if path not in on_disk:
            report.append(f"{path}: missing (run python -m layers compose)")
        elif not on_disk[path]:
            report.append(f"{path}: added by hand, but the description also produces it")
        elif (store.root / path).read_text(encoding="utf-8") != text:
            report.append(f"{path}: differs from what the description produces")
    return report


def write(store: Store, produced: dict[str, str]) -> list[str]:
    """Write every produced file (atomically) and remove composed files no longer produced.

    Refuses, before writing anything, to overwrite a version added by hand.
    Holds the write lock, so an `add` cannot slip in between the check and the writing.
    """
    with store.writing():
        on_disk = _on_disk(store)
        clashes = sorted(path for path in produced if path in on_disk and not on_disk[path])
        if clashes:
            raise DescriptionError(
                f"{', '.join(clashes)}: added by hand, and the description also produces it; "
                "move that version into the description or give it another date"
            )
        removed = [path for path, composed in on_disk.items() if composed and path not in produced]
        for path in removed:
            (store.root / path).unlink()
        for path, text in produced.items():
            file = store.root / path
            if not file.exists() or file.read_text(encoding="utf-8") != text:
                write_atomic(file, text)
    return removed
