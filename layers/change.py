"""What each faction gained and lost between two dates, as shapes and as km².

Only `held` areas count toward a faction's territory; contested ground is
reported beside it so that no km² is counted for two factions. Ground whose
record starts between the dates with a first-evidence start is "first
recorded", not gained: the source found is new, not the holder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import geopandas as gpd
import pandas as pd
import shapely

from layers.contract import CONTESTED, HELD
from layers.geometry import EQUAL_AREA, M2_PER_KM2, from_equal_area
from layers.store import Store
from layers.summary import faction_ground
from layers.timeline import state_at

TABLE_COLUMNS = [
    "faction",
    "km2_before",
    "km2_after",
    "gained_km2",
    "lost_km2",
    "first_recorded_km2",
    "contested_km2_before",
    "contested_km2_after",
]
EMPTY = shapely.Polygon()


@dataclass(frozen=True)
class FactionChange:
    """One faction's ground at two dates, in the equal-area projection."""

    faction: str
    held_before: shapely.Geometry
    held_after: shapely.Geometry
    contested_before: shapely.Geometry
    contested_after: shapely.Geometry
    first_recorded: shapely.Geometry

    @property
    def gained(self) -> shapely.Geometry:
        return self.held_after.difference(self.held_before).difference(self.first_recorded)

    @property
    def lost(self) -> shapely.Geometry:
        return self.held_before.difference(self.held_after)


@dataclass(frozen=True)
class Comparison:
    """Every faction's ground at two dates, compared once; the change map, the table and the download share it."""

    before: date
    after: date
    factions: tuple[FactionChange, ...]  # every faction present at either date, in registry order

    @cached_property
    def shapes(self) -> gpd.GeoDataFrame:
        """One row per faction and kind of change ('gained', 'lost' or 'first recorded'), with its shape in WGS84."""
        rows, shapes = [], []
        for change in self.factions:
            for kind, shape in (("gained", change.gained), ("lost", change.lost), ("first recorded", change.first_recorded)):
                if shape.area > 0:
                    rows.append({"faction": change.faction, "change": kind, "km2": shape.area / M2_PER_KM2})
                    shapes.append(shape)
        projected = gpd.GeoSeries(shapes, crs=EQUAL_AREA)
        return gpd.GeoDataFrame(pd.DataFrame(rows, columns=["faction", "change", "km2"]), geometry=from_equal_area(projected))

    @cached_property
    def table(self) -> pd.DataFrame:
        """Per faction: km² held at each date, gained, lost, first recorded, and contested km² at each date."""
        rows = [
            [
                c.faction,
                *(
                    shape.area / M2_PER_KM2
                    for shape in (c.held_before, c.held_after, c.gained, c.lost, c.first_recorded)
                    + (c.contested_before, c.contested_after)
                ),
            ]
            for c in self.factions
        ]
        return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def compare(store: Store, before: date, after: date) -> Comparison:
    state_before, state_after = state_at(store, before), state_at(store, after)
    known = set(zip(state_before["faction"], state_before["name"]))
    new = ~pd.Series([pair in known for pair in zip(state_after["faction"], state_after["name"])], index=state_after.index)
    recorded = faction_ground(state_after[state_after["first_evidence"].astype(bool) & new], HELD)
    held = faction_ground(state_before, HELD), faction_ground(state_after, HELD)
    contested = faction_ground(state_before, CONTESTED), faction_ground(state_after, CONTESTED)
    factions = tuple(
        FactionChange(
            faction,
            held[0].get(faction, EMPTY),
            held[1].get(faction, EMPTY),
            contested[0].get(faction, EMPTY),
            contested[1].get(faction, EMPTY),
            recorded.get(faction, EMPTY),
        )
        for faction in store.registry
        if any(faction in side for side in (*held, *contested))
    )
    return Comparison(before, after, factions)
