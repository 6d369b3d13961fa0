"""Geometry that must be measured, not eyeballed: areas in km², overlaps, orientation.

Areas are computed in a Lambert azimuthal equal-area projection centred on
Libya, never in degrees (a degree of longitude is 95 km on the coast and
106 km at the southern border).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

WGS84 = "EPSG:4326"
EQUAL_AREA = "+proj=laea +lat_0=27 +lon_0=17 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
M2_PER_KM2 = 1_000_000
MAX_EDGE_DEGREES = 0.1  # about 10 km


def to_equal_area(geometries: gpd.GeoSeries | list) -> gpd.GeoSeries:
    """Project to the equal-area CRS; reprojection can bend a valid ring invalid, so mend it.

    Long edges are split first (GeoJSON edges are straight in lon/lat, and only their ends would
    be projected): two shapes sharing a long border, one with an extra vertex on it, would
    otherwise overlap by a sliver of up to a km².
    """
    series = geometries if isinstance(geometries, gpd.GeoSeries) else gpd.GeoSeries(geometries, crs=WGS84)
    projected = series.segmentize(MAX_EDGE_DEGREES).to_crs(EQUAL_AREA)
    broken = ~projected.is_valid
    if broken.any():
        projected[broken] = projected[broken].make_valid()
    return projected


def from_equal_area(projected: gpd.GeoSeries) -> gpd.GeoSeries:
    """Back to WGS84, mended: a sliver left by an overlay can fold over itself on the way."""
    series = projected.to_crs(WGS84)
    broken = ~series.is_valid
    if broken.any():
        series[broken] = series[broken].make_valid().map(polygonal)
    return series


def area_km2(geometries: gpd.GeoSeries | list) -> np.ndarray:
    """Area of each geometry in km²."""
    return to_equal_area(geometries).area.to_numpy() / M2_PER_KM2


def total_km2(geometries: gpd.GeoSeries | list) -> float:
    """Area covered by the union of the geometries, in km²."""
    projected = to_equal_area(geometries)
    if projected.empty:
        return 0.0
    return float(projected.union_all().area / M2_PER_KM2)


def wrongly_oriented_rings(geometry: shapely.Geometry) -> int:
    """Rings that break RFC 7946's right-hand rule (exteriors counter-clockwise, holes clockwise)."""
    wrong = 0
    for polygon in shapely.get_parts(geometry):
        if polygon.geom_type != "Polygon":
            continue
        wrong += not polygon.exterior.is_ccw
        wrong += sum(ring.is_ccw for ring in polygon.interiors)
    return wrong


def polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Only the polygons of a geometry: overlays leave stray lines and points where shapes touch."""
    parts = shapely.get_parts(geometry)
    while any(shapely.get_num_geometries(parts) > 1) or any(shapely.get_type_id(parts) == 7):
        parts = shapely.get_parts(parts)  # collections may hold multi-geometries
    parts = [part for part in parts if part.geom_type == "Polygon" and not part.is_empty]
    if len(parts) == 1:
        return parts[0]
    return shapely.MultiPolygon(parts)


def multipolygons(geometries) -> np.ndarray:
    """Every polygon as a MultiPolygon, so an export has one geometry type throughout."""
    shapes = np.array(list(geometries), dtype=object)
    single = shapely.get_type_id(shapes) == shapely.GeometryType.POLYGON
    shapes[single] = [shapely.MultiPolygon([polygon]) for polygon in shapes[single]]
    return shapes
