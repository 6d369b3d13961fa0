"""What users take away, as one table whatever the format: the state at a date, the history, or changes.

Every format (`layers.formats`) writes this table, so no property depends on the format:
- a stable `id` (faction, version date and area), the faction's name and colour, km²;
- lists (`contested_with`, `sources`) written as JSON text by every format, and also as flat
  text (`contested_with_text` is `a|b`; the sources' titles, addresses and dates joined by ` | `,
  in the same order);
- `valid_from` inclusive and `valid_to` exclusive, both dates, `valid_to` null while current;
  `record_to` is `valid_to` but never null: the day after the record's last day while current,
  for tools that cannot filter on a null date (GDAL 3.6 on GeoJSON, and so QGIS 3.22);
- MultiPolygon geometry throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

import geopandas as gpd
import pandas as pd

from layers.change import Comparison
from layers.geometry import WGS84, area_km2, multipolygons
from layers.record import Period, record_period
from layers.registry import Faction
from layers.store import Store
from layers.timeline import history, state_at

LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
ATTRIBUTION = "Libya control map project; cite it and the sources each area lists (sources, source_urls)"
SEPARATOR = " | "  # between sources; `contested_with_text` joins faction ids with a bare "|"

# The kind of every column, which each format writes as its own type (see layers/formats.py).
TEXT, LIST, FLAG, DATE, NUMBER = "text", "list", "flag", "date", "number"
IDENTITY = {"id": TEXT, "faction": TEXT, "faction_name": TEXT, "colour": TEXT}
AREA_SCHEMA = {
    **IDENTITY,
    "name": TEXT,
    "status": TEXT,
    "contested_with": LIST,
    "contested_with_text": TEXT,
    "note": TEXT,
    "first_evidence": FLAG,
    "sources": LIST,
    "source_titles": TEXT,
    "source_urls": TEXT,
    "source_dates": TEXT,
    "valid_from": DATE,
    "valid_to": DATE,
    "record_to": DATE,
    "km2": NUMBER,
}
CHANGE_SCHEMA = {**IDENTITY, "change": TEXT, "before": DATE, "after": DATE, "km2": NUMBER}
AREA_COLUMNS, CHANGE_COLUMNS = list(AREA_SCHEMA), list(CHANGE_SCHEMA)
KINDS = {**AREA_SCHEMA, **CHANGE_SCHEMA}


@dataclass(frozen=True)
class Export:
    """A table and the title it carries inside the file."""

    title: str
    table: gpd.GeoDataFrame


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _joined(sources: list[dict], key: str) -> str:
    return SEPARATOR.join(source.get(key) or "" for source in sources)


def _faction_columns(factions: pd.Series, registry: dict[str, Faction]) -> dict[str, list[str]]:
    return {
        "faction_name": [registry[f].name for f in factions],
        "colour": [registry[f].colour for f in factions],
    }


def _table(columns: dict, geometry, order: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(columns, columns=order), geometry=multipolygons(geometry), crs=WGS84)


def areas_table(frame: gpd.GeoDataFrame, registry: dict[str, Faction], period: Period) -> gpd.GeoDataFrame:
    """Areas with their faction and interval (from `state_at` or `history`) in the export schema."""
    ends = [_day(v) for v in frame["valid_to"]]
    contested = [list(others) if status != "held" else [] for status, others in zip(frame["status"], frame["contested_with"])]
    sources = [list(s) for s in frame["sources"]]
    columns = {
        "id": [f"{f}/{start}/{name}" for f, start, name in zip(frame["faction"], frame["valid_from"], frame["name"])],
        "faction": list(frame["faction"]),
        **_faction_columns(frame["faction"], registry),
        "name": list(frame["name"]),
        "status": list(frame["status"]),
        "contested_with": contested,
        "contested_with_text": ["|".join(others) for others in contested],
        "note": [note if isinstance(note, str) and note else None for note in frame["note"]],
        "first_evidence": [bool(flag) for flag in frame["first_evidence"]],
        "sources": sources,
        "source_titles": [_joined(s, "title") for s in sources],
        "source_urls": [_joined(s, "url") for s in sources],
        "source_dates": [_joined(s, "published") for s in sources],
        "valid_from": [_day(v) for v in frame["valid_from"]],
        "valid_to": ends,
        "record_to": [end or period.last + timedelta(days=1) for end in ends],
        "km2": area_km2(frame.geometry).round(1) if len(frame) else [],
    }
    return _table(columns, frame.geometry, AREA_COLUMNS)


def state_export(store: Store, day: date, factions: Iterable[str] | None = None) -> Export:
    title = f"Territorial control in Libya on {day.isoformat()}"
    return Export(title, areas_table(state_at(store, day, factions), store.registry, record_period(store)))


def history_export(store: Store, factions: Iterable[str] | None = None) -> Export:
    period = record_period(store)
    title = f"Territorial control in Libya, every version from {period.first.isoformat()} to {period.last.isoformat()}"
    return Export(title, areas_table(history(store, factions), store.registry, period))


def changes_export(comparison: Comparison, registry: dict[str, Faction], factions: Iterable[str] | None = None) -> Export:
    """Ground each faction (or each of `factions`) gained or lost between two dates (held ground only), with km²."""
    frame, before, after = comparison.shapes, comparison.before, comparison.after
    if factions is not None:
        frame = frame[frame["faction"].isin(list(factions))]
    columns = {
        "id": [f"{f}/{change}/{before.isoformat()}/{after.isoformat()}" for f, change in zip(frame["faction"], frame["change"])],
        "faction": list(frame["faction"]),
        **_faction_columns(frame["faction"], registry),
        "change": list(frame["change"]),
        "before": [before] * len(frame),
        "after": [after] * len(frame),
        "km2": [round(km2, 1) for km2 in frame["km2"]],
    }
    title = f"Ground gained and lost in Libya between {before.isoformat()} and {after.isoformat()}"
    return Export(title, _table(columns, frame.geometry, CHANGE_COLUMNS))


def file_name(what: str, *days: date) -> str:
    """Names that say what and when, without the format's extension: libya-control_tobruk_2015-02-17."""
    return f"libya-control_{what}_{'_to_'.join(day.isoformat() for day in days)}"
