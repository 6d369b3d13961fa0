"""The versioned store: one GeoJSON FeatureCollection per faction per version date.

    geodata/factions.json                      the registry
    geodata/libya.geojson                      Libya's outline (Natural Earth)
    geodata/places.geojson                     named places
    geodata/layers/<faction-id>/<YYYY-MM-DD>.geojson

The file names are the index: listing versions reads no geometry, and a
version's areas are parsed only when asked for, then kept in a bounded cache,
so the cost of a query grows with what it shows, not with the length of the
history. `LIBYA_CONTROL_GEODATA` points the app and the CLI at another folder.
"""

from __future__ import annotations

import copy
import os
from bisect import bisect_left, bisect_right
from collections import OrderedDict, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Iterator

import geopandas as gpd
import pandas as pd
import shapely
from filelock import FileLock, Timeout

from layers.contract import HELD, IDENTIFIER, PROPERTIES, VERSION_NAME, StoreError
from layers.geojson import GeoJSONError, is_temp_file, read_feature_shapes, read_features, to_shape
from layers.geometry import WGS84
from layers.markup import quoted
from layers.registry import Faction, load_registry

SHIPPED_ROOT = Path(__file__).resolve().parent.parent / "geodata"
LOCK_FILE = ".write.lock"  # in the data folder: one writer at a time
LOCK_WAIT_SECONDS = 30.0
FRAME_CACHE_SIZE = 1024  # versions kept parsed; a state needs one per faction
AREA_COLUMNS = list(PROPERTIES)


def default_root() -> Path:
    """The data folder: `LIBYA_CONTROL_GEODATA` when set (read when asked, so a test or a shell can switch), else geodata/."""
    return Path(os.environ.get("LIBYA_CONTROL_GEODATA") or SHIPPED_ROOT)


@dataclass(frozen=True, order=True)
class VersionRef:
    faction: str
    day: date

    @property
    def relpath(self) -> str:
        return f"layers/{self.faction}/{self.day.isoformat()}.geojson"


class VersionIndex:
    """Each faction's version dates in order: a state at a date is one bisection per faction."""

    def __init__(self, refs: Iterable[VersionRef], order: dict[str, int] | None = None):
        grouped: dict[str, list[VersionRef]] = defaultdict(list)
        for ref in sorted(set(refs)):
            grouped[ref.faction].append(ref)
        rank = order or {}
        self.by_faction = dict(sorted(grouped.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))
        self.refs = [ref for refs in self.by_faction.values() for ref in refs]
        self._days = {faction: [ref.day for ref in refs] for faction, refs in self.by_faction.items()}
        self.ends: dict[VersionRef, date | None] = {
            ref: successor.day if successor else None
            for refs in self.by_faction.values()
            for ref, successor in zip(refs, [*refs[1:], None])
        }
        self.dates: list[date] = sorted({ref.day for ref in self.refs})  # the change dates

    def at(self, day: date) -> list[VersionRef]:
        """Each faction's latest version dated on or before `day`."""
        current = []
        for faction, refs in self.by_faction.items():
            position = bisect_right(self._days[faction], day)
            if position:
                current.append(refs[position - 1])
        return current

    def last_change(self, day: date) -> date | None:
        """The change date on or before `day` (the one whose map `day` shows), or None before the first."""
        position = bisect_right(self.dates, day)
        return self.dates[position - 1] if position else None

    def step(self, day: date, direction: int) -> date | None:
        """The change date before (-1) or after (+1) `day`, or None at either end of the record."""
        if direction < 0:
            position = bisect_left(self.dates, day)
            return self.dates[position - 1] if position else None
        position = bisect_right(self.dates, day)
        return self.dates[position] if position < len(self.dates) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _items(value: Any, kind: type) -> list:
    return [item for item in value if isinstance(item, kind)] if isinstance(value, list) else []


def areas_frame(properties: list[dict[str, Any]], shapes: list[shapely.Geometry], where: str) -> gpd.GeoDataFrame:
    """A version's areas as a frame, from its features' properties and shapes (`feature_shapes`).

    Trusts the content (validation is separate) only as far as the code that
    reads the frame must: text is text, lists are lists, areas are polygons.
    """
    for number, shape in enumerate(shapes, start=1):
        if shape.geom_type not in ("Polygon", "MultiPolygon"):
            kind = shape.geom_type
            raise GeoJSONError(f"{where}, feature #{number}", f"geometry is a {kind}; areas must be Polygon or MultiPolygon")
    rows = [
        {
            "name": _text(found.get("name")) or "",
            "status": _text(found.get("status")) or HELD,
            "contested_with": _items(found.get("contested_with"), str),
            "sources": _items(found.get("sources"), dict),
            "note": _text(found.get("note")),
            "first_evidence": found.get("first_evidence") is True,
        }
        for found in properties
    ]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=AREA_COLUMNS), geometry=shapes, crs=WGS84)


def places_frame(path: Path) -> gpd.GeoDataFrame:
    """Named places, or a GeoJSONError naming every place the code that reads them could not use.

    Each place has an id (lowercase words joined by '-', unique), a name and a kind as
    text, and a point inside longitude/latitude bounds.
    """
    where = path.name
    try:
        features = read_features(path)
    except GeoJSONError as err:
        raise GeoJSONError(where, err.what) from None
    faults, seen = [], set()
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        place_id = properties.get("id")
        label = f"place #{number}" + (f" ({quoted(place_id)})" if place_id else "")
        wrong = [f"{key} is not text" for key in ("name", "kind") if not _text(properties.get(key))]
        if not isinstance(place_id, str) or not IDENTIFIER.match(place_id):  # links and areas.toml name places by it
            wrong.append("id is not lowercase words joined by '-'")
        elif place_id in seen:
            wrong.append("id appears twice")
        else:
            seen.add(place_id)
        try:
            if to_shape(feature.get("geometry"), label).geom_type != "Point":
                wrong.append("geometry is not a Point")
        except GeoJSONError as err:
            wrong.append(err.what)
        faults += [f"{label}: {'; '.join(wrong)}"] if wrong else []
    if faults:
        shown = "; ".join(faults[:5]) + (f"; and {len(faults) - 5} more" if len(faults) > 5 else "")
        raise GeoJSONError(where, shown)
    return gpd.GeoDataFrame.from_features(features, crs=WGS84)


class Store:
    def __init__(
        self,
        root: Path | None = None,
        overrides: dict[VersionRef, gpd.GeoDataFrame] | None = None,
        skip_unreadable: bool = False,
    ):
        """`skip_unreadable`: a version file that cannot be read counts as holding nothing and is
        listed in `unreadable` (the app shows the rest and says what is missing); otherwise it raises."""
        self.root = Path(root) if root is not None else default_root()
        self._overrides = dict(overrides or {})
        self._frames: OrderedDict[VersionRef, gpd.GeoDataFrame] = OrderedDict()
        self.skip_unreadable = skip_unreadable
        self.unreadable: dict[VersionRef, str] = {}

    @cached_property
    def registry(self) -> dict[str, Faction]:
        return load_registry(self.root / "factions.json")

    @cached_property
    def outline(self) -> shapely.Geometry:
        features = read_features(self.root / "libya.geojson")
        return shapely.union_all([to_shape(f["geometry"], "libya.geojson") for f in features])

    @cached_property
    def places(self) -> gpd.GeoDataFrame:
        return places_frame(self.root / "places.geojson")

    def path(self, ref: VersionRef) -> Path:
        return self.root / ref.relpath

    def on_disk(self, ref: VersionRef) -> bool:
        """Whether the version is its file's (not one held only in memory, as a check of an edit builds)."""
        return ref not in self._overrides

    @cached_property
    def index(self) -> VersionIndex:
        """Every version in the store, read from the file names once."""
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
        return VersionIndex(refs, {faction: rank for rank, faction in enumerate(self.registry)})

    def versions(self) -> list[VersionRef]:
        """Every version in the store, ordered by faction (registry order) then date."""
        return list(self.index.refs)

    def frame(self, ref: VersionRef) -> gpd.GeoDataFrame:
        """The areas of one version (cached; callers must not mutate it)."""
        if ref in self._overrides:
            return self._overrides[ref]
        if ref in self._frames:
            self._frames.move_to_end(ref)
        else:
            self._frames[ref] = self._read(ref)
            if len(self._frames) > FRAME_CACHE_SIZE:
                self._frames.popitem(last=False)
        return self._frames[ref]

    def _read(self, ref: VersionRef) -> gpd.GeoDataFrame:
        try:
            return areas_frame(*read_feature_shapes(self.path(ref), ref.relpath), ref.relpath)
        except GeoJSONError as err:
            if not self.skip_unreadable:
                raise
            self.unreadable[ref] = self.in_words(err)
            return areas_frame([], [], ref.relpath)

    def in_words(self, problem: Exception) -> str:
        """A problem as a reader may see it: paths inside the data folder, not the server's."""
        return str(problem).replace(f"{self.root}{os.sep}", "")

    def with_version(self, ref: VersionRef, frame: gpd.GeoDataFrame) -> "Store":
        """The store as it would be with `ref` added or replaced, without touching disk.

        A shallow copy: it shares the loaded registry, outline, places and frames.
        """
        overlay = copy.copy(self)
        overlay.__dict__.pop("index", None)
        overlay._overrides = {**self._overrides, ref: frame}
        return overlay

    def faction(self, faction_id: str) -> Faction:
        """The registry entry, or a StoreError that lists the ids there are."""
        if faction_id not in self.registry:
            known = ", ".join(self.registry)
            raise StoreError(f"unknown faction {faction_id!r}; known ids: {known}")
        return self.registry[faction_id]

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the data folder's write lock while checking and writing, so that two commands
        cannot both pass a check that only one of them may pass.

        Whatever was read before is forgotten (another writer may have changed
        it), and temporary files left by a writer that was killed are removed:
        under the lock nobody else is writing them.
        """
        lock = FileLock(self.root / LOCK_FILE)
        try:
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except Timeout:
            raise StoreError(
                f"another command is writing to {self.root} (it holds {LOCK_FILE}, and still did after "
                f"{LOCK_WAIT_SECONDS:g} s); try again when it has finished"
            ) from None
        try:
            self.clear_cache()
            for stray in (self.root / "layers").glob("*/.*"):
                if is_temp_file(stray):
                    stray.unlink()
            yield
        finally:
            self.clear_cache()
            lock.release()

    def clear_cache(self) -> None:
        """Forget parsed versions and the index, after files were written."""
        self._frames.clear()
        self.__dict__.pop("index", None)
