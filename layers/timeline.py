"""What the store says about time: change dates, the state at a date, who held a point.

A version holds from its date until the same faction's next version; the
state at date D is, for every faction, its latest version dated on or before D.
`valid_to` is the first day a version no longer holds (an exclusive end), or
None while it is current.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.contract import is_sole, sole_ground
from layers.geometry import WGS84
from layers.store import AREA_COLUMNS, Store, VersionRef

STATE_COLUMNS = ["faction", *AREA_COLUMNS, "valid_from", "valid_to"]


def version_frame(store: Store, ref: VersionRef, end: date | None) -> gpd.GeoDataFrame:
    """One version's areas with the faction and interval on every row."""
    frame = store.frame(ref).copy()
    frame.insert(0, "faction", ref.faction)
    frame["valid_from"] = ref.day.isoformat()
    frame["valid_to"] = end.isoformat() if end else None
    return frame


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    if not frames:
        return gpd.GeoDataFrame(pd.DataFrame(columns=STATE_COLUMNS), geometry=[], crs=WGS84)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)


def _frames(store: Store, refs: Iterable[VersionRef], factions: Iterable[str] | None) -> gpd.GeoDataFrame:
    ends = store.index.ends
    wanted = None if factions is None else set(factions)
    return _concat([version_frame(store, ref, ends[ref]) for ref in refs if wanted is None or ref.faction in wanted])


def state_at(store: Store, day: date, factions: Iterable[str] | None = None) -> gpd.GeoDataFrame:
    """Every area held or contested on `day`, one row each, in registry order."""
    return _frames(store, store.index.at(day), factions)


def history(store: Store, factions: Iterable[str] | None = None) -> gpd.GeoDataFrame:
    """Every area of every version, with the interval it holds for."""
    return _frames(store, store.versions(), factions)


@dataclass(frozen=True)
class Holder:
    """One area that contains a point on a date."""

    faction: str
    status: str
    name: str
    valid_from: str
    valid_to: str | None
    sources: tuple[dict, ...]
    contested_with: tuple[str, ...]
    note: str | None
    first_evidence: bool = False


def holders_in(state: gpd.GeoDataFrame, lon: float, lat: float) -> list[Holder]:
    """Areas and zones of `state` containing the point, sole ground (held, or an uncontested zone) first."""
    if state.empty:
        return []
    hits = np.sort(state.sindex.query(shapely.Point(lon, lat), predicate="intersects"))  # keep registry order
    rows = state.iloc[hits]
    rows = rows.assign(_contested=~sole_ground(rows)).sort_values("_contested", kind="stable")
    return [
        Holder(
            faction=row.faction,
            status=row.status,
            name=row["name"],
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            sources=tuple(row.sources),
            contested_with=tuple(row.contested_with),
            note=row.note if isinstance(row.note, str) else None,
            first_evidence=bool(row.first_evidence),
        )
        for _, row in rows.iterrows()
    ]


def who(store: Store, day: date, lon: float, lat: float) -> list[Holder]:
    return holders_in(state_at(store, day), lon, lat)


def answer(holders: list[Holder]) -> str:
    """The one-word answer: the faction holding the ground (or its zone), contested factions joined by '|', or 'none'."""
    sole = [h.faction for h in holders if is_sole(h.status, h.contested_with)]
    if sole:
        return sole[0]
    contested = list(dict.fromkeys(h.faction for h in holders))
    return "|".join(contested) if contested else "none"


def tier(holders: list[Holder]) -> str:
    """How the answer was drawn: held, contested or zone (by rule), or none."""
    return holders[0].status if holders else "none"


def tag_points(store: Store, days: list[date], lons: Sequence[float], lats: Sequence[float]) -> tuple[list[str], list[str]]:
    """`answer` and `tier` for many points at once: one vectorised spatial query per version, not one per point.

    Each version is asked only about the points dated within its interval, so
    a year of daily events costs as many queries as the store has versions.
    """
    points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    ordinals = np.array([day.toordinal() for day in days], dtype=np.int64)
    by_date = np.argsort(ordinals, kind="stable")
    sorted_ordinals = ordinals[by_date]
    hits = []
    for rank, ref in enumerate(store.versions()):  # registry order, then date: the order `answer` reads areas in
        frame, end = store.frame(ref), store.index.ends[ref]
        first = np.searchsorted(sorted_ordinals, ref.day.toordinal())
        last = np.searchsorted(sorted_ordinals, end.toordinal()) if end else len(ordinals)
        if frame.empty or first == last:
            continue
        rows = by_date[first:last]
        point, area = frame.sindex.query(points[rows], predicate="intersects")
        hits.append(
            pd.DataFrame(
                {
                    "row": rows[point],
                    "rank": rank,
                    "area": area,
                    "faction": ref.faction,
                    "sole": sole_ground(frame).to_numpy()[area],
                    "status": frame["status"].to_numpy()[area],
                }
            )
        )
    answers, tiers = np.full(len(days), "none", dtype=object), np.full(len(days), "none", dtype=object)
    if not hits:
        return answers.tolist(), tiers.tolist()
    found = pd.concat(hits).sort_values(["row", "rank", "area"])
    sole = found[found["sole"]].drop_duplicates("row")  # the first sole ground, as `answer` takes it
    answers[sole["row"].to_numpy()] = sole["faction"].to_numpy()
    tiers[sole["row"].to_numpy()] = sole["status"].to_numpy()
    contested = found[~found["row"].isin(sole["row"])].drop_duplicates(["row", "faction"])
    joined = contested.groupby("row", sort=False)["faction"].agg("|".join)
    answers[joined.index.to_numpy()] = joined.to_numpy()
    first = contested.drop_duplicates("row")
    tiers[first["row"].to_numpy()] = first["status"].to_numpy()
    return answers.tolist(), tiers.tolist()
