"""The dashboard's view as a URL: a link reopens the same view, and a bad value explains itself.

    ?view=compare&date=2015-05-20&before=2015-02-17&after=2015-06-04&factions=tobruk,islamic-state&place=sirte

`place` is a place id from places.geojson or "lat,lon".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Iterable, Mapping

from layers.contract import StoreError, parse_day
from layers.markup import quoted

VIEWS = ("map", "compare", "numbers")
LAT_LON = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Place:
    """What a link's `place` names: a place id from places.geojson, or a point (a click on the map)."""

    id: str | None = None
    point: tuple[float, float] | None = None  # latitude, longitude, to 5 decimals (about a metre)

    @classmethod
    def parse(cls, text: str, place_ids: set[str]) -> "Place":
        """A place id or a "lat,lon" inside the world, or a ValueError saying which it is not."""
        match = LAT_LON.match(text)
        if match:
            lat, lon = float(match[1]), float(match[2])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"place {quoted(text)} is not a latitude,longitude on Earth")
            return cls.clicked(lat, lon)
        if text in place_ids:
            return cls(id=text)
        raise ValueError(f"place {quoted(text)} is neither a known place id nor 'lat,lon'")

    @classmethod
    def clicked(cls, lat: float, lon: float) -> "Place":
        return cls(point=(round(lat, 5), round(lon, 5)))

    def __str__(self) -> str:
        return self.id if self.id is not None else "{:.5f},{:.5f}".format(*self.point)

    def resolve(self, places) -> tuple[float, float, str]:
        """Latitude, longitude and a label: the place's name, or the point in degrees.

        `places` is places.geojson's frame indexed by id.
        """
        if self.id is not None:
            location = places.geometry[self.id]
            return location.y, location.x, places.loc[self.id, "name"]
        lat, lon = self.point
        return lat, lon, f"{lat:.4f}° N, {lon:.4f}° E"


@dataclass(frozen=True)
class ViewState:
    view: str
    day: date
    before: date
    after: date
    factions: tuple[str, ...]
    place: Place | None = None


def default_state(dates: list[date], factions: Iterable[str]) -> ViewState:
    return ViewState("map", dates[0], dates[0], dates[-1], tuple(factions))


def read_query(
    params: Mapping[str, str], dates: list[date], factions: list[str], place_ids: set[str]
) -> tuple[ViewState, list[str]]:
    """The view a URL asks for, and a message for every value that had to be replaced."""
    state, messages = default_state(dates, factions), []

    def day_param(key: str, fallback: date) -> date:
        if key not in params:
            return fallback
        try:
            day = parse_day(params[key], f"'{key}'")
        except StoreError as err:
            messages.append(f"{err}; showing {fallback:%-d %B %Y} instead.")
            return fallback
        clamped = min(max(day, dates[0]), dates[-1])
        if clamped != day:
            messages.append(f"'{key}' {day} is outside the data ({dates[0]} to {dates[-1]}); showing {clamped}.")
        return clamped

    view = params.get("view", "map")
    if view not in VIEWS:
        messages.append(f"'view' {quoted(view)} is not one of {', '.join(VIEWS)}; showing the map.")
        view = "map"
    chosen = state.factions
    if "factions" in params:
        asked = [f for f in params["factions"].split(",") if f]
        unknown = [f for f in asked if f not in factions]
        chosen = tuple(f for f in factions if f in asked)
        if unknown:
            named = ", ".join(quoted(f, 30) for f in unknown[:5]) + (f" and {len(unknown) - 5} more" if unknown[5:] else "")
            fallback = "" if chosen else "; showing every faction"
            chosen = chosen or state.factions
            messages.append(f"unknown faction id(s) {named} ignored{fallback}.")
    place = None
    if params.get("place"):
        try:
            place = Place.parse(params["place"], place_ids)
        except ValueError as err:
            messages.append(f"{err}; no place selected.")
    before, after = day_param("before", state.before), day_param("after", state.after)
    if before > after:
        messages.append(f"'before' {before} is later than 'after' {after}; swapped them, so gains are gains.")
        before, after = after, before
    state = replace(state, view=view, day=day_param("date", state.day), before=before, after=after, factions=chosen, place=place)
    return state, messages


def to_query(state: ViewState, factions: list[str]) -> dict[str, str]:
    """The URL parameters for a view; factions are listed only when some are hidden."""
    query = {"view": state.view, "date": state.day.isoformat()}
    if state.view == "compare":
        query |= {"before": state.before.isoformat(), "after": state.after.isoformat()}
    if list(state.factions) != list(factions):
        query["factions"] = ",".join(state.factions)
    if state.place:
        query["place"] = str(state.place)
    return query
