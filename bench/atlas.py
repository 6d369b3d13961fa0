"""A generated atlas for the scale benchmark: many factions, long histories, detailed polygons.

Fifty factions each hold one cell of a partition of Libya (a relaxed Voronoi
diagram, so cells are of similar size). Every cell boundary is densified and
then bent by one smooth deformation of the plane, so neighbouring cells keep
exactly shared, wiggly borders of thousands of vertices. Each version of a
faction is its cell less a bite whose place moves from version to version;
every fourth version is contested. The result is an ordinary store folder
(factions.json, layers/<faction>/<date>.geojson, the shipped outline and
places), written with the project's own GeoJSON writer.
"""

from __future__ import annotations

import json
import math
import shutil
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import shapely

from layers.geojson import dumps, feature, feature_collection
from layers.store import SHIPPED_ROOT, Store

FIRST_DAY = date(2014, 1, 1)
SPAN_DAYS = 2_600  # about seven years of days to spread the versions over
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def cells(count: int, outline: shapely.Geometry, seed: int) -> list[shapely.Geometry]:
    """`count` cells of similar size covering the outline: Voronoi, relaxed three times (Lloyd)."""
    rng = np.random.default_rng(seed)
    west, south, east, north = outline.bounds
    points = []
    while len(points) < count:
        x, y = rng.uniform(west, east), rng.uniform(south, north)
        if outline.contains(shapely.Point(x, y)):
            points.append((x, y))
    for _ in range(3):
        regions = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=outline.envelope.buffer(1))
        parts = [region.intersection(outline) for region in regions.geoms]
        points = [(part.centroid.x, part.centroid.y) for part in parts if not part.is_empty]
    return [shapely.make_valid(part) for part in parts if not part.is_empty]


def bend(xy: np.ndarray) -> np.ndarray:
    """A smooth, one-to-one deformation of the plane: wiggles of about a kilometre and of fifty metres."""
    x, y = xy[:, 0], xy[:, 1]
    dx = 0.006 * np.sin(41 * y + 1.3) + 0.0005 * np.sin(420 * y + 0.7 * x)
    dy = 0.006 * np.sin(37 * x + 0.4) + 0.0005 * np.sin(390 * x + 0.9 * y)
    return np.column_stack([x + dx, y + dy])


def detailed_cells(count: int, min_vertices: int, seed: int) -> list[shapely.Geometry]:
    outline = Store(SHIPPED_ROOT).outline
    plain = cells(count, outline, seed)
    shortest = min(shapely.length(shapely.get_exterior_ring(shapely.get_geometry(c, 0))) for c in plain)
    dense = shapely.segmentize(np.array(plain, dtype=object), shortest / (min_vertices + 200))
    return list(shapely.make_valid(shapely.transform(dense, bend)))


def version_days(faction_number: int, versions: int) -> list[date]:
    rng = np.random.default_rng(1000 + faction_number)
    offsets = np.sort(rng.choice(SPAN_DAYS, size=versions, replace=False))
    return [FIRST_DAY + timedelta(days=int(offset)) for offset in offsets]


def version_shape(cell: shapely.Geometry, number: int) -> shapely.Geometry:
    """The cell less an inner pocket that circles its centre as versions go by."""
    centre = cell.representative_point()
    size = math.sqrt(cell.area)
    angle = number * GOLDEN_ANGLE
    pocket = shapely.Point(centre.x + 0.15 * size * math.cos(angle), centre.y + 0.15 * size * math.sin(angle))
    return cell.difference(pocket.buffer(0.08 * size))


def write_faction(root: Path, faction: str, number: int, cell: shapely.Geometry, versions: int, neighbour: str) -> int:
    folder = root / "layers" / faction
    folder.mkdir(parents=True, exist_ok=True)
    for index, day in enumerate(version_days(number, versions)):
        contested = index % 4 == 3
        properties = {
            "name": f"Cell {number} as of version {index + 1}",
            "status": "contested" if contested else "held",
            "sources": [
                {
                    "title": f"Generated atlas, faction {number}, version {index + 1}",
                    "url": f"https://example.org/atlas/{faction}/{day.isoformat()}",
                    "published": day.isoformat(),
                }
            ],
            "note": "Synthetic data for the scale benchmark.",
        }
        if contested:
            properties["contested_with"] = [neighbour]
        # A plain write: the atlas is a cache, complete only once build() stamps it, so it skips the fsync.
        (folder / f"{day.isoformat()}.geojson").write_text(
            dumps(feature_collection([feature(version_shape(cell, index), properties)])), encoding="utf-8"
        )
    return versions


def registry(count: int) -> dict:
    factions = []
    for number in range(1, count + 1):
        hue = (number * GOLDEN_ANGLE / (2 * math.pi)) % 1
        red, green, blue = (round(255 * (0.45 + 0.35 * math.cos(2 * math.pi * (hue + shift)))) for shift in (0, 1 / 3, 2 / 3))
        factions.append(
            {
                "id": f"faction-{number:02d}",
                "name": f"Generated faction {number}",
                "short_name": f"F{number:02d}",
                "colour": f"#{red:02x}{green:02x}{blue:02x}",
                "description": "A faction of the generated benchmark atlas.",
            }
        )
    return {"factions": factions}


def build(
    root: Path, factions: int = 50, versions: int = 2_000, min_vertices: int = 5_000, seed: int = 7, workers: int = 2
) -> Path:
    """Write the atlas into `root` unless a complete one with the same parameters is there already."""
    parameters = {"factions": factions, "versions": versions, "min_vertices": min_vertices, "seed": seed}
    stamp = root / "atlas.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == parameters:
        return root
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name in ("libya.geojson", "places.geojson"):
        shutil.copy(SHIPPED_ROOT / name, root / name)
    (root / "factions.json").write_text(json.dumps(registry(factions), indent=1))
    shapes = detailed_cells(factions, min_vertices, seed)
    ids = [f"faction-{number:02d}" for number in range(1, factions + 1)]
    with ProcessPoolExecutor(workers) as pool:
        jobs = [
            pool.submit(write_faction, root, ids[i], i + 1, shapes[i], versions, ids[(i + 1) % factions]) for i in range(factions)
        ]
        for job in jobs:
            job.result()
    stamp.write_text(json.dumps(parameters))
    return root
