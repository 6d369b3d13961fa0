"""How much of Libya each faction held on a date: km² and share, beside the map."""

from __future__ import annotations

from typing import Callable

import geopandas as gpd
import pandas as pd
import shapely

from layers.contract import CONTESTED, HELD
from layers.geometry import M2_PER_KM2, to_equal_area
from layers.markup import markdown_literal
from layers.registry import Faction

COLUMNS = ["faction", "held_km2", "share", "contested_km2", "areas"]


def faction_ground(state: gpd.GeoDataFrame, status: str) -> dict[str, shapely.Geometry]:
    """Each faction's areas of one status merged, in the equal-area projection (for km²)."""
    rows = state[state["status"] == status]
    projected = to_equal_area(rows.geometry)
    return {faction: shapely.union_all(projected[rows["faction"] == faction].to_numpy()) for faction in rows["faction"].unique()}


def ground_km2(areas: gpd.GeoDataFrame) -> tuple[float, float]:
    """Held and contested km² of one faction's areas on a date (one version), overlaps counted once."""
    held, contested = faction_ground(areas, HELD), faction_ground(areas, CONTESTED)
    return (sum(shape.area for shape in held.values()) / M2_PER_KM2, sum(shape.area for shape in contested.values()) / M2_PER_KM2)


def control_summary(
    state: gpd.GeoDataFrame,
    libya_km2: float,
    registry: dict[str, Faction],
    ground: Callable[[gpd.GeoDataFrame], tuple[float, float]] = ground_km2,
) -> pd.DataFrame:
    """One row per faction present on the date, in registry order; contested ground is kept apart.

    `ground` measures one faction's areas; a faction's areas on a date are one
    version, so a caller can cache it per version and pay only for what changed.
    """
    rows = []
    for faction in registry:
        areas = state[state["faction"] == faction]
        if not areas.empty:
            held_km2, contested_km2 = ground(areas)
            rows.append([faction, held_km2, held_km2 / libya_km2, contested_km2, len(areas)])
    return pd.DataFrame(rows, columns=COLUMNS)


def summary_html(summary: pd.DataFrame, registry: dict[str, Faction]) -> str:
    """The summary as a compact table for `st.markdown`, with each faction's colour (names as literal text)."""

    def share(value: float) -> str:
        return "&lt;0.1%" if 0 < value < 0.001 else f"{value:.1%}"

    rows = "".join(
        f"<tr><td><span style='color:{registry[r.faction].colour}'>■</span> "
        f"{markdown_literal(registry[r.faction].short_name)}</td>"
        f"<td>{r.held_km2:,.0f}</td><td>{share(r.share)}</td><td>{r.contested_km2:,.0f}</td></tr>"
        for r in summary.itertuples()
    )
    return (
        "<table style='width:100%;font-size:0.9rem'><tr><th>Faction</th><th>km² held</th><th>of Libya</th>"
        f"<th>km² contested</th></tr>{rows}</table>"
    )
