"""How much geometry the map draws: detail that follows the zoom, borders that stay shared.

At web-map zoom z a degree of longitude spans 256·2^z/360 pixels. The areas on
a date are simplified together, as one polygonal coverage (shapely's coverage
simplification), to half a pixel at the zoom level: neighbours keep one shared
border, and a date change sends only what the eye can see. Zoomed in closer
than the whole country, only a window around the view is drawn, snapped to a
grid so that small pans draw the same.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

MIN_LEVEL, MAX_LEVEL = 5, 15  # below 5 Libya is a few dozen pixels; beyond 15 the data has no more detail
WINDOW_STEP_PIXELS = 512  # the grid windows snap to: two 256-pixel tiles

Box = tuple[float, float, float, float]  # west, south, east, north in degrees


def level_for(zoom: float) -> int:
    """The detail level for a map zoom: whole zoom steps, within MIN_LEVEL..MAX_LEVEL."""
    return min(MAX_LEVEL, max(MIN_LEVEL, math.floor(zoom)))


def pixel_degrees(level: int) -> float:
    """Degrees of longitude in one screen pixel at this level."""
    return 360 / (256 * 2**level)


def tolerance(level: int) -> float:
    return pixel_degrees(level) / 2


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


def drawn_geometry(geometries, level: int, window: Box | None = None) -> np.ndarray:
    """The geometry to draw for each input polygon, aligned with the input; empty where nothing shows.

    Identical polygons (one area contested by two factions) are simplified
    once. Borders that almost match (the data's 6-decimal rounding leaves
    them a few centimetres apart) are snapped together first, because the
    simplification keeps shared only what is exactly shared. Simplifying only
    drops vertices, so the result stays on the data's 6-decimal grid, but for
    the few that cleaning adds where a zone meets an area: those are left as
    they are, since rounding them would fold a border over its neighbour's.
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
    drawn[present] = simplified[inverse.ravel()]
    return drawn


def vertex_count(geometries) -> int:
    return int(shapely.get_num_coordinates(np.asarray(geometries, dtype=object)).sum())
