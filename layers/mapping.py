"""Folium pieces for the control map; no Streamlit here.

The base map (Libya's outline, named places) never changes between dates,
so the app can keep it and only swap the faction layers
(streamlit-folium's `feature_group_to_add`): pan and zoom survive a date change.
"""

from __future__ import annotations

import html
import re
from typing import Any

import folium
import geopandas as gpd

from layers.geojson import feature, feature_collection
from layers.registry import Faction

LIBYA_BOUNDS = [[19.5, 9.3], [33.2, 25.2]]
MAJOR_PLACE_KINDS = ("terminal", "airbase", "airport")


def link(source: dict) -> str:
    """A source as HTML: a link only for http(s) URLs, everything escaped."""
    title = html.escape(str(source.get("title", "")))
    url = str(source.get("url", ""))
    published = f" ({html.escape(str(source['published']))})" if source.get("published") else ""
    if re.match(r"^https?://", url):
        return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{title}</a>{published}'
    return title + published


def area_popup(row: Any, faction: Faction) -> str:
    status = "held" if row.status == "held" else "contested with " + ", ".join(row.contested_with)
    since = f"since {row.valid_from}" + (f", until {row.valid_to}" if row.valid_to else "")
    note = f"<p>{html.escape(row.note)}</p>" if isinstance(row.note, str) and row.note else ""
    sources = "".join(f"<li>{link(s)}</li>" for s in row.sources)
    return (f"<b>{html.escape(row['name'])}</b><br>{html.escape(faction.name)}<br>"
            f"{html.escape(status)}, {html.escape(since)}{note}<ul>{sources}</ul>")


def _style(colour: str):
    def style(item: dict) -> dict:
        contested = item["properties"]["status"] == "contested"
        return {"color": colour, "weight": 2 if contested else 1, "dashArray": "6 4" if contested else None,
                "fillColor": colour, "fillOpacity": 0.25 if contested else 0.55}
    return style


def control_layers(state: gpd.GeoDataFrame, registry: dict[str, Faction]) -> list[folium.FeatureGroup]:
    """One FeatureGroup per faction present in `state` (a timeline state frame), in registry order."""
    groups = []
    for faction_id, faction in registry.items():
        rows = state[state["faction"] == faction_id]
        if rows.empty:
            continue
        document = feature_collection(
            feature(row.geometry, {"name": row["name"], "status": row.status, "popup": area_popup(row, faction)})
            for _, row in rows.iterrows()
        )
        group = folium.FeatureGroup(name=faction.short_name)
        folium.GeoJson(
            document,
            name=faction.short_name,
            style_function=_style(faction.colour),
            highlight_function=lambda item: {"weight": 3, "fillOpacity": 0.7},
            tooltip=folium.GeoJsonTooltip(fields=["name", "status"], aliases=[faction.short_name, "status"]),
            popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=360),
        ).add_to(group)
        groups.append(group)
    return groups


def base_map(outline: dict, places: gpd.GeoDataFrame) -> folium.Map:
    """Libya with its outline and the places that matter, fitted to the country."""
    fmap = folium.Map(tiles="OpenStreetMap", control_scale=True, min_zoom=4, max_bounds=True, zoom_snap=0.25)
    folium.GeoJson(outline, name="Libya", control=False, interactive=False,
                   style_function=lambda item: {"color": "#555555", "weight": 1.5, "fill": False}).add_to(fmap)
    shown = places[(places["kind"] == "city") | places["kind"].isin(MAJOR_PLACE_KINDS)]
    markers = folium.FeatureGroup(name="Places", control=False)
    for _, place in shown.iterrows():
        folium.CircleMarker(
            location=[place.geometry.y, place.geometry.x], radius=3, color="#222222", weight=1,
            fill=True, fill_color="#ffffff", fill_opacity=1, tooltip=html.escape(place["name"]),
        ).add_to(markers)
    markers.add_to(fmap)
    fmap.fit_bounds(LIBYA_BOUNDS)
    return fmap
