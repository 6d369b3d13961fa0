"""How much of Libya each faction held on a date: km² and share, beside the map."""

from __future__ import annotations

from datetime import date
from typing import Callable, Iterable

import geopandas as gpd
import pandas as pd
import shapely

from layers.contract import HELD, ZONE, sole_ground
from layers.geometry import M2_PER_KM2, to_equal_area
from layers.markup import markdown_literal
from layers.registry import Faction
from layers.store import Store, VersionRef

COLUMNS = ["faction", "held_km2", "zone_km2", "share", "contested_km2"]
SERIES_COLUMNS = ["date", *COLUMNS]
Ground = Callable[[VersionRef], tuple[float, float, float]]  # a version's held, zone and contested km²


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


def control_summary(refs: Iterable[VersionRef], libya_km2: float, ground: Ground) -> pd.DataFrame:
    """One row per faction holding or contesting ground in these versions (a date's, in registry order).

    `share` is held and zone ground, which no two factions share, so the shares add up to at most 100 %.
    A faction's areas on a date are one version, so `ground` can be measured once per version
    and cached by it: a date change pays only for the versions it has not seen.
    """
    rows = []
    for ref in refs:
        held_km2, zone_km2, contested_km2 = ground(ref)
        if held_km2 or zone_km2 or contested_km2:
            rows.append([ref.faction, held_km2, zone_km2, (held_km2 + zone_km2) / libya_km2, contested_km2])
    return pd.DataFrame(rows, columns=COLUMNS)


def war_in_numbers(store: Store, libya_km2: float) -> pd.DataFrame:
    """`control_summary` on every change date, one row per date and faction, each version measured once."""
    measured = {ref: ground_km2(store.frame(ref)) for ref in store.versions()}
    frames = [control_summary(store.index.at(day), libya_km2, measured.__getitem__).assign(date=day) for day in store.index.dates]
    return pd.concat(frames, ignore_index=True)[SERIES_COLUMNS]


def war_chart(series: pd.DataFrame, registry: dict[str, Faction], day: date):
    """The share of Libya each faction held (held and zone ground) over the record, stacked in its colour.

    Control changes on change dates and holds until the next, so the areas step. A rule
    marks `day`; clicking near a change date selects it (the `picked` selection).
    Altair is imported here: only this chart and the place history draw with it.
    """
    import altair as alt

    shown = [f for f in registry.values() if f.id in set(series["faction"])]
    names = [f.short_name for f in shown]
    rank = {f.id: number for number, f in enumerate(shown)}
    data = series.assign(
        order=series["faction"].map(rank),
        faction=series["faction"].map(lambda f: registry[f].short_name),
        date=pd.to_datetime(series["date"]),
    )
    colour = alt.Color("faction:N", title=None, sort=names, scale=alt.Scale(domain=names, range=[f.colour for f in shown]))
    picked = alt.selection_point(name="picked", fields=["date"], on="click", nearest=True, empty=False)
    areas = (
        alt.Chart(data)
        .mark_area(interpolate="step-after")
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("share:Q", stack=True, title="share of Libya (held and zone)", axis=alt.Axis(format="%")),
            color=colour,
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("date:T"),
                "faction",
                alt.Tooltip("share:Q", format=".1%"),
                alt.Tooltip("held_km2:Q", format=",.0f"),
                alt.Tooltip("zone_km2:Q", format=",.0f"),
            ],
        )
    )
    dates = alt.Chart(data[["date"]].drop_duplicates()).mark_rule(opacity=0).encode(x="date:T").add_params(picked)
    marked = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(day)]})).mark_rule(color="black", strokeDash=[4, 3]).encode(x="date:T")
    return alt.layer(areas, dates, marked).properties(height=320)


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
