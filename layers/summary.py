"""How much of Libya each faction held on a date: km² and share, beside the map."""

from __future__ import annotations

from typing import Callable

import geopandas as gpd
import pandas as pd
import shapely

from layers.contract import HELD, ZONE, sole_ground
from layers.geometry import M2_PER_KM2, to_equal_area
from layers.markup import markdown_literal
from layers.registry import Faction
from layers.store import Store

COLUMNS = ["faction", "held_km2", "zone_km2", "share", "contested_km2", "areas"]
SERIES_COLUMNS = ["date", "faction", "held_km2", "zone_km2", "contested_km2", "share"]


def faction_ground(state: gpd.GeoDataFrame, status: str) -> dict[str, shapely.Geometry]:
    """Each faction's areas of one status merged, in the equal-area projection (for km²)."""
    rows = state[state["status"] == status]
    projected = to_equal_area(rows.geometry)
    return {faction: shapely.union_all(projected[rows["faction"] == faction].to_numpy()) for faction in rows["faction"].unique()}


def ground_km2(areas: gpd.GeoDataFrame) -> tuple[float, float, float]:
    """Held, zone and contested km² of one faction's areas on a date (one version), overlaps counted once.

    A zone around a contested area is contested ground, and counts there.
    """
    sole = sole_ground(areas)
    kinds = (areas[sole & (areas["status"] == HELD)], areas[sole & (areas["status"] == ZONE)], areas[~sole])
    return tuple(float(shapely.union_all(to_equal_area(kind.geometry).to_numpy()).area) / M2_PER_KM2 for kind in kinds)


def control_summary(
    state: gpd.GeoDataFrame,
    libya_km2: float,
    registry: dict[str, Faction],
    ground: Callable[[gpd.GeoDataFrame], tuple[float, float]] = ground_km2,
) -> pd.DataFrame:
    """One row per faction present on the date, in registry order; contested ground is kept apart.

    `share` is held and zone ground, which no two factions share, so the shares add up to at most 100 %.

    `ground` measures one faction's areas; a faction's areas on a date are one
    version, so a caller can cache it per version and pay only for what changed.
    """
    rows = []
    for faction in registry:
        areas = state[state["faction"] == faction]
        if not areas.empty:
            held_km2, zone_km2, contested_km2 = ground(areas)
            rows.append([faction, held_km2, zone_km2, (held_km2 + zone_km2) / libya_km2, contested_km2, len(areas)])
    return pd.DataFrame(rows, columns=COLUMNS)


def war_in_numbers(store: Store, libya_km2: float) -> pd.DataFrame:
    """km² per faction on every change date, one row per date and faction present, in registry order.

    A faction's areas on a date are one version, so each version is measured
    once (`ground_km2`), whatever number of dates it lasts.
    """
    measured = {ref: ground_km2(store.frame(ref)) for ref in store.versions() if not store.frame(ref).empty}
    rows = [
        [day, ref.faction, held, zone, contested, (held + zone) / libya_km2]
        for day in store.index.dates
        for ref in store.index.at(day)
        if ref in measured
        for held, zone, contested in [measured[ref]]
    ]
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def summary_html(summary: pd.DataFrame, registry: dict[str, Faction]) -> str:
    """The summary as a compact table for `st.markdown`, with each faction's colour (names as literal text)."""

    def share(value: float) -> str:
        return "&lt;0.1%" if 0 < value < 0.001 else f"{value:.1%}"

    rows = "".join(
        f"<tr><td><span style='color:{registry[r.faction].colour}'>■</span> "
        f"{markdown_literal(registry[r.faction].short_name)}</td>"
        f"<td>{r.held_km2:,.0f}</td><td>{r.zone_km2:,.0f}</td><td>{share(r.share)}</td><td>{r.contested_km2:,.0f}</td></tr>"
        for r in summary.itertuples()
    )
    total = (
        f"<tr><th>All</th><th>{summary.held_km2.sum():,.0f}</th><th>{summary.zone_km2.sum():,.0f}</th>"
        f"<th>{share(summary.share.sum())}</th><th></th></tr>"
    )
    return (
        "<table style='width:100%;font-size:0.9rem'><tr><th>Faction</th><th>km² held</th><th>km² zone</th>"
        f"<th>of Libya</th><th>km² contested</th></tr>{rows}{total}</table>"
    )
