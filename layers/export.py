"""GeoJSON documents users take away: the state at a date, or the whole history.

Every feature says which faction it belongs to and the interval it holds for
(`valid_from` inclusive, `valid_to` exclusive and null while current), so a
file still makes sense once it has left the app.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

import geopandas as gpd

from layers.change import Comparison
from layers.contract import area_properties
from layers.geojson import feature, feature_collection
from layers.store import Store
from layers.timeline import history, state_at

MEDIA_TYPE = "application/geo+json"  # RFC 7946, section 12


def _properties(row) -> dict[str, Any]:
    area = area_properties(row["name"], row.status, row.sources, row.contested_with, row.note, row.first_evidence)
    return {"faction": row.faction, **area, "valid_from": row.valid_from, "valid_to": row.valid_to}


def frame_to_geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    return feature_collection(feature(row.geometry, _properties(row)) for _, row in frame.iterrows())


def export_state(store: Store, day: date, factions: Iterable[str] | None = None) -> dict[str, Any]:
    return frame_to_geojson(state_at(store, day, factions))


def export_history(store: Store, factions: Iterable[str] | None = None) -> dict[str, Any]:
    return frame_to_geojson(history(store, factions))


def export_changes(comparison: Comparison, factions: Iterable[str] | None = None) -> dict[str, Any]:
    """Ground each faction (or each of `factions`) gained or lost between two dates (held ground only), with km²."""
    frame, before, after = comparison.shapes, comparison.before, comparison.after
    if factions is not None:
        frame = frame[frame["faction"].isin(list(factions))]
    return feature_collection(
        feature(
            row.geometry,
            {
                "faction": row.faction,
                "change": row.change,
                "km2": round(row.km2, 1),
                "before": before.isoformat(),
                "after": after.isoformat(),
            },
        )
        for _, row in frame.iterrows()
    )


def file_name(what: str, *days: date) -> str:
    """Names that say what and when: libya-control_tobruk_2015-02-17.geojson."""
    when = "_to_".join(day.isoformat() for day in days)
    return f"libya-control_{what}_{when}.geojson"
