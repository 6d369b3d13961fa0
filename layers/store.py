"""The versioned store: one GeoJSON FeatureCollection per faction per version date.

    geodata/factions.json                      the registry
    geodata/libya.geojson                      Libya's outline (Natural Earth)
    geodata/places.geojson                     named places
    geodata/layers/<faction-id>/<YYYY-MM-DD>.geojson

The file names are the index: listing versions reads no geometry, and a
version's areas are parsed only when asked for, then kept.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from layers.geojson import GeoJSONError, read_features, to_shape
from layers.geometry import WGS84
from layers.registry import Faction, load_registry

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "geodata"
VERSION_NAME = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\.geojson$")
AREA_COLUMNS = ["name", "status", "contested_with", "sources", "note"]


class StoreError(ValueError):
    """A request the store refuses, with the reason."""


def parse_day(text: str, what: str = "date") -> date:
    """A real calendar date written YYYY-MM-DD, or a StoreError that says which part is wrong."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        raise StoreError(f"{what} {text!r} is not written YYYY-MM-DD")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as err:
        raise StoreError(f"{what} {text!r} is not a real date ({err})") from None


@dataclass(frozen=True, order=True)
class VersionRef:
    faction: str
    day: date

    @property
    def relpath(self) -> str:
        return f"layers/{self.faction}/{self.day.isoformat()}.geojson"


def areas_frame(features: list[dict[str, Any]], where: str) -> gpd.GeoDataFrame:
    """A version's areas as a frame; trusts the content (validation is separate) but not the syntax."""
    rows, shapes = [], []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        label = f"{where}, feature #{number}"
        if not isinstance(properties, dict):
            raise GeoJSONError(label, "is not a Feature with properties")
        shapes.append(to_shape(feature.get("geometry"), label))
        rows.append(
            {
                "name": properties.get("name", ""),
                "status": properties.get("status", "held"),
                "contested_with": list(properties.get("contested_with") or []),
                "sources": list(properties.get("sources") or []),
                "note": properties.get("note"),
            }
        )
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=AREA_COLUMNS), geometry=shapes, crs=WGS84)


class Store:
    def __init__(self, root: Path = DEFAULT_ROOT, overrides: dict[VersionRef, gpd.GeoDataFrame] | None = None):
        self.root = Path(root)
        self._overrides = dict(overrides or {})
        self._frames: dict[VersionRef, gpd.GeoDataFrame] = {}

    @cached_property
    def registry(self) -> dict[str, Faction]:
        return load_registry(self.root / "factions.json")

    @cached_property
    def outline(self) -> shapely.Geometry:
        features = read_features(self.root / "libya.geojson")
        return shapely.union_all([to_shape(f["geometry"], "libya.geojson") for f in features])

    @cached_property
    def places(self) -> gpd.GeoDataFrame:
        return gpd.read_file(self.root / "places.geojson")

    def path(self, ref: VersionRef) -> Path:
        return self.root / ref.relpath

    def versions(self) -> list[VersionRef]:
        """Every version in the store, ordered by faction (registry order) then date."""
        refs = set(self._overrides)
        layers = self.root / "layers"
        if layers.is_dir():
            for folder in layers.iterdir():
                if folder.is_dir() and folder.name in self.registry:
                    for file in folder.iterdir():
                        match = VERSION_NAME.match(file.name)
                        if match and file.is_file():
                            try:
                                refs.add(VersionRef(folder.name, date.fromisoformat(match.group(1))))
                            except ValueError:
                                continue  # an impossible date in a file name: validation reports it
        order = {faction: index for index, faction in enumerate(self.registry)}
        return sorted(refs, key=lambda ref: (order[ref.faction], ref.day))

    def frame(self, ref: VersionRef) -> gpd.GeoDataFrame:
        """The areas of one version (cached; callers must not mutate it)."""
        if ref in self._overrides:
            return self._overrides[ref]
        if ref not in self._frames:
            self._frames[ref] = areas_frame(read_features(self.path(ref)), ref.relpath)
        return self._frames[ref]

    def with_version(self, ref: VersionRef, frame: gpd.GeoDataFrame) -> "Store":
        """The store as it would be with `ref` added or replaced, without touching disk.

        A shallow copy: it shares the loaded registry, outline, places and frames.
        """
        overlay = copy.copy(self)
        overlay._overrides = {**self._overrides, ref: frame}
        return overlay

    def faction(self, faction_id: str) -> Faction:
        """The registry entry, or a StoreError that lists the ids there are."""
        if faction_id not in self.registry:
            known = ", ".join(self.registry)
            raise StoreError(f"unknown faction {faction_id!r}; known ids: {known}")
        return self.registry[faction_id]

    def clear_cache(self) -> None:
        self._frames.clear()
