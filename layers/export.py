"""GeoJSON documents users take away: the state at a date, or the whole history.

Every feature says which faction it belongs to and the interval it holds for
(`valid_from` inclusive, `valid_to` exclusive and null while current), so a
file still makes sense once it has left the app.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

import geopandas as gpd

from layers.geojson import feature, feature_collection
from layers.store import Store
from layers.timeline import history, state_at


def _properties(row) -> dict[str, Any]:
    properties = {"faction": row.faction, "name": row["name"], "status": row.status}
    if row.status == "contested":
        properties["contested_with"] = list(row.contested_with)
    properties |= {"valid_from": row.valid_from, "valid_to": row.valid_to, "sources": list(row.sources)}
    if isinstance(row.note, str) and row.note:
        properties["note"] = row.note
    return properties


def frame_to_geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    return feature_collection(feature(row.geometry, _properties(row)) for _, row in frame.iterrows())


def export_state(store: Store, day: date, factions: Iterable[str] | None = None) -> dict[str, Any]:
    return frame_to_geojson(state_at(store, day, factions))


def export_history(store: Store, factions: Iterable[str] | None = None) -> dict[str, Any]:
    return frame_to_geojson(history(store, factions))
