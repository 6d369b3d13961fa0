"""How much geometry the map draws: detail that follows the zoom, borders that stay shared.

At web-map zoom z a degree of longitude spans 256·2^z/360 pixels. The areas on
a date are simplified together, as one polygonal coverage (shapely's coverage
simplification), to half a pixel at the zoom level, and put on a grid of about a
tenth of a pixel: neighbours keep one shared border, and a date change sends
only what the eye can see, as steps on that grid of a couple of characters each.
Zoomed in closer than the whole country, only a window around the view is drawn,
snapped to a grid so that small pans draw the same.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import shapely

MIN_LEVEL, MAX_LEVEL = 5, 15  # below 5 Libya is a few dozen pixels; beyond 15 the data has no more detail
WINDOW_STEP_PIXELS = 512  # the grid windows snap to: two 256-pixel tiles

Box = tuple[float, float, float, float]  # west, south, east, north in degrees
Detail = tuple[int, Box | None]  # a level, and the window drawn at it (None: all of the data)


def level_for(zoom: float) -> int:
    """The detail level for a map zoom: whole zoom steps, within MIN_LEVEL..MAX_LEVEL."""
    return min(MAX_LEVEL, max(MIN_LEVEL, math.floor(zoom)))


def pixel_degrees(level: int) -> float:
    """Degrees of longitude in one screen pixel at this level."""
    return 360 / (256 * 2**level)


def tolerance(level: int) -> float:
    return pixel_degrees(level) / 2


def grid(level: int) -> float:
    """The step drawn coordinates are rounded to: the largest power of two of a degree within a tenth
    of a pixel, so that every coordinate on it is exact in binary, in GEOS and in the browser alike."""
    return 2.0 ** math.floor(math.log2(pixel_degrees(level) / 10))


def window_for(view: Box, level: int, extent: Box) -> Box | None:
    """The box to draw around the `view`, or None when it takes in all of `extent` (the data's bounds).

    The view is widened by one grid step on every side, then snapped outward
    to the grid, so a pan within a step draws exactly the same window.
    """
    step = pixel_degrees(level) * WINDOW_STEP_PIXELS
    west, south, east, north = view
    box = (
        math.floor(west / step - 1) * step,
        math.floor(south / step - 1) * step,
        math.ceil(east / step + 1) * step,
        math.ceil(north / step + 1) * step,
    )
    covers = box[0] <= extent[0] and box[1] <= extent[1] and box[2] >= extent[2] and box[3] >= extent[3]
    return None if covers else box


def detail_for(zoom: float, view: Box, extent: Box, drawn: Detail) -> Detail:
    """The level and window to draw a map's `view` at: what is `drawn` already while it covers the view
    at the view's level (a pan within it, or a click, draws nothing new), else the view's own.
    The map of a date's page asks by the same rule (`fits` in layers/date_map.py)."""
    level, (drawn_level, window) = level_for(zoom), drawn
    covered = window is None or (window[0] <= view[0] and window[1] <= view[1] and view[2] <= window[2] and view[3] <= window[3])
    return drawn if level == drawn_level and covered else (level, window_for(view, level, extent))


def drawn_geometry(geometries, level: int, window: Box | None = None) -> np.ndarray:
    """The geometry to draw for each input polygon, aligned with the input; empty where nothing shows.

    Identical polygons (one area contested by two factions) are simplified
    once. Borders that almost match (the data's 6-decimal rounding leaves
    them a few centimetres apart) are snapped together first, because the
    simplification keeps shared only what is exactly shared. The result is
    put on the level's `grid` (see `on_grid`), still a coverage.
    """
    shapes = np.asarray(geometries, dtype=object)
    if window is not None:
        shapes = shapely.clip_by_rect(shapes, *window)
    drawn = np.full(len(shapes), shapely.Polygon(), dtype=object)
    present = np.flatnonzero(~shapely.is_empty(shapes))
    if not present.size:
        return drawn
    unique, inverse = np.unique(shapely.to_wkb(shapes[present]), return_inverse=True)
    cover = shapely.from_wkb(unique)
    if not shapely.coverage_is_valid(cover):
        cover = shapely.coverage_clean(cover)
    simplified = shapely.coverage_simplify(cover, tolerance(level))
    drawn[present] = on_grid(simplified, grid(level))[inverse.ravel()]
    return drawn


def on_grid(coverage: np.ndarray, step: float) -> np.ndarray:
    """The polygons of a coverage with every vertex on a grid of `step`, still a coverage; empty where one vanishes.

    Rounding each vertex on its own keeps shared vertices shared, but folds a border over its
    neighbour's wherever two run closer than a step. So the borders are snap-rounded together
    (GEOS's fixed-precision overlay, which also nodes them where they come to touch), the
    faces they enclose are rebuilt, and each face goes back to the polygon that held it;
    what is narrower than a step falls away.
    """
    lines = shapely.union_all(shapely.boundary(coverage), grid_size=step)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    face, owner = shapely.STRtree(coverage).query(shapely.point_on_surface(faces), predicate="within")
    order = np.argsort(owner, kind="stable")
    groups = np.split(faces[face[order]], np.searchsorted(owner[order], np.arange(1, len(coverage))))
    rounded = np.empty(len(coverage), dtype=object)
    rounded[:] = [shapely.coverage_union_all(group) if group.size else shapely.Polygon() for group in groups]
    return rounded


def encoded_shapes(shapes, level: int) -> list:
    """Polygons on the level's grid as the map's script sends them: about two characters a coordinate.

    Per shape its polygons, per polygon its rings, each ring one string: its vertices as whole
    grid steps from the vertex before (the first from 0, 0), x then y, without the closing vertex
    (Leaflet closes rings), in the encoded-polyline characters: each number zigzagged to a natural
    one (0, -1, 1, -2 … as 0, 1, 2, 3 …) and written five bits a character from the lowest, 32 added
    to every character but a number's last and 63 to all, so that each is printable, from ? to ~.
    """
    parts, index = shapely.get_parts(np.asarray(shapes, dtype=object), return_index=True)
    if not parts.size:
        return [[] for _ in range(len(shapes))]
    _, coordinates, (rings, polygons, multipolygons) = shapely.to_ragged_array(shapely.multipolygons(parts, indices=index))
    whole = np.rint(coordinates / grid(level)).astype(np.int64)
    opened = np.delete(whole, rings[1:] - 1, axis=0)
    starts = rings[:-1] - np.arange(len(rings) - 1)  # where each ring begins once the closing vertices are gone
    moves = np.diff(opened, axis=0, prepend=np.zeros((1, 2), np.int64))
    moves[starts] = opened[starts]
    natural = np.where(moves < 0, ~(moves << 1), moves << 1).ravel()
    digits = 1 + (natural[:, None] >= 32 ** np.arange(1, 13)).sum(axis=1)
    number = np.repeat(np.arange(len(natural)), digits)
    place = np.arange(len(number)) - np.repeat(np.cumsum(digits) - digits, digits)
    characters = (natural[number] >> (5 * place)) % 32 + 32 * (place < digits[number] - 1) + 63
    text = characters.astype(np.uint8).tobytes().decode("ascii")
    ends = np.concatenate([[0], np.cumsum(digits)])[2 * np.append(starts, len(opened))]
    codes = [text[a:b] for a, b in pairwise(ends)]
    polygon_codes = [codes[a:b] for a, b in pairwise(polygons)]
    return [polygon_codes[a:b] for a, b in pairwise(multipolygons)]


def vertex_count(geometries) -> int:
    return int(shapely.get_num_coordinates(np.asarray(geometries, dtype=object)).sum())
