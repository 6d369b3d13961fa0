"""Folium pieces for the control maps; no Streamlit here.

The base map (Libya's outline, named places, legend) never changes between
dates, so the app keeps it and only swaps the faction layers
(streamlit-folium's `feature_group_to_add`): pan and zoom survive a date change.
Everything that comes from the data is escaped before it becomes HTML
(see markup.py).
"""

from __future__ import annotations

import html
import math
from typing import Any, Iterable

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.plugins import DualMap
from jinja2 import Template

from layers.geojson import feature, feature_collection
from layers.markup import link
from layers.registry import Faction

LIBYA_CENTRE = (26.9, 17.3)
LIBYA_ZOOM = 5.5  # the whole country in a map about 600 px high
LABELLED_KINDS = ("city", "terminal")
MARKED_KINDS = ("city", "terminal", "airbase", "airport")
LABEL_SPACING_KM = 40  # a smaller place this close to a labelled one keeps only its tooltip
LABEL_CSS = """<style>
.place-label{background:transparent;border:0;box-shadow:none;padding:0 0 0 2px;font:600 11px/1.1 sans-serif;
color:#222;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff}
.place-label:before{display:none}
.control-legend{background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;font:12px/1.5 sans-serif;
box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:230px}
.control-legend i{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px;border:1px solid #555}
.control-legend i.contested{background:repeating-linear-gradient(45deg,#888 0 2px,transparent 2px 5px);border-style:dashed}
</style>"""


def area_popup(row: Any, registry: dict[str, Faction]) -> str:
    faction = registry[row.faction]
    others = ", ".join(registry[o].short_name if o in registry else o for o in row.contested_with)
    status = "held" if row.status == "held" else f"contested with {others}"
    since = f"since {row.valid_from}" + (f", until {row.valid_to}" if row.valid_to else "")
    note = f"<p>{html.escape(row.note)}</p>" if isinstance(row.note, str) and row.note else ""
    sources = "".join(f"<li>{link(s)}</li>" for s in row.sources)
    return (f"<b>{html.escape(row['name'])}</b><br>{html.escape(faction.name)}<br>"
            f"{html.escape(status)}, {html.escape(since)}{note}<ul>{sources}</ul>")


class Legend(MacroElement):
    """A Leaflet control listing the factions' colours and how contested ground is drawn."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "control-legend");
            div.innerHTML = {{ this.body|tojson }};
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, factions: Iterable[Faction], position: str = "bottomright"):
        super().__init__()
        self._name = "Legend"
        self.position = position
        rows = [f'<i style="background:{f.colour}"></i>{html.escape(f.short_name)}' for f in factions]
        rows.append('<i class="contested"></i>contested (dashed)')
        self.body = "<br>".join(rows)


class ForgetRemovedGroups(MacroElement):
    """Empties streamlit-folium's list of drawn groups before new ones are pushed.

    The frontend removes the previous groups from the map but keeps them in
    `window.feature_group` (streamlit-folium issues #245/#247), so memory grows
    with every date change. Relies on that internal name: the version is pinned
    and a browser test watches it.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.feature_group = [];
        {% endmacro %}
    """)


def _style(colour: str):
    def style(item: dict) -> dict:
        contested = item["properties"]["status"] == "contested"
        return {"color": colour, "weight": 2.5 if contested else 1, "dashArray": "6 4" if contested else None,
                "fillColor": colour, "fillOpacity": 0.2 if contested else 0.6}
    return style


def control_layers(state: gpd.GeoDataFrame, registry: dict[str, Faction]) -> list[folium.FeatureGroup]:
    """One FeatureGroup per faction present in `state` (a timeline state frame), in registry order."""
    groups = []
    for faction_id, faction in registry.items():
        rows = state[state["faction"] == faction_id]
        if rows.empty:
            continue
        document = feature_collection(
            feature(row.geometry, {"name": row["name"], "status": row.status, "popup": area_popup(row, registry)})
            for _, row in rows.iterrows()
        )
        group = folium.FeatureGroup(name=faction.short_name)
        folium.GeoJson(
            document,
            name=faction.short_name,
            style_function=_style(faction.colour),
            highlight_function=lambda item: {"weight": 3, "fillOpacity": 0.75},
            tooltip=folium.GeoJsonTooltip(fields=["name", "status"], aliases=[faction.short_name, "status"]),
            popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=360),
        ).add_to(group)
        groups.append(group)
    if groups:
        ForgetRemovedGroups().add_to(groups[0])
    return groups


def change_layers(change_frame: gpd.GeoDataFrame, registry: dict[str, Faction]) -> list[folium.FeatureGroup]:
    """Gained ground filled in the gaining faction's colour, lost ground dashed in the losing one's."""
    groups = []
    for kind, filled in (("gained", True), ("lost", False)):
        rows = change_frame[change_frame["change"] == kind]
        if rows.empty:
            continue
        document = feature_collection(
            feature(row.geometry, {"faction": registry[row.faction].short_name, "colour": registry[row.faction].colour,
                                   "change": kind, "km2": f"{row.km2:,.0f} km²"})
            for _, row in rows.iterrows()
        )
        group = folium.FeatureGroup(name=kind.capitalize())
        folium.GeoJson(
            document,
            style_function=lambda item, filled=filled: {
                "color": item["properties"]["colour"], "fillColor": item["properties"]["colour"],
                "weight": 1 if filled else 2.5, "dashArray": None if filled else "5 4",
                "fillOpacity": 0.65 if filled else 0.1},
            tooltip=folium.GeoJsonTooltip(fields=["faction", "change", "km2"], labels=False),
        ).add_to(group)
        groups.append(group)
    return groups


def place_marker(lat: float, lon: float, label: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Selected place", control=False)
    folium.Marker([lat, lon], tooltip=html.escape(label), icon=folium.Icon(color="red", icon="info-sign")).add_to(group)
    return group


def labelled_places(places: gpd.GeoDataFrame) -> set[str]:
    """Ids of the places to label: the largest first, none within LABEL_SPACING_KM of another label."""
    candidates = places[places["kind"].isin(LABELLED_KINDS)]
    candidates = candidates.assign(size=candidates["population"].fillna(0)).sort_values("size", ascending=False, kind="stable")
    kept: list[tuple[float, float]] = []
    chosen = set()
    for _, place in candidates.iterrows():
        x, y = place.geometry.x, place.geometry.y
        if all(math.hypot((x - kx) * math.cos(math.radians(y)), y - ky) * 111 > LABEL_SPACING_KM for kx, ky in kept):
            kept.append((x, y))
            chosen.add(place["id"])
    return chosen


def _decorate(fmap: folium.Map, outline: dict, places: gpd.GeoDataFrame, registry: dict[str, Faction],
              legend: bool = True) -> None:
    """Outline (lightly filled, so Libya reads even without tiles), places with labels, legend."""
    fmap.get_root().header.add_child(folium.Element(LABEL_CSS))
    folium.GeoJson(outline, name="Libya", control=False, interactive=False,
                   style_function=lambda item: {"color": "#444444", "weight": 1.5,
                                                "fillColor": "#f7f4ec", "fillOpacity": 0.35}).add_to(fmap)
    markers = folium.FeatureGroup(name="Places", control=False)
    labels = labelled_places(places)
    for _, place in places[places["kind"].isin(MARKED_KINDS)].iterrows():
        name = html.escape(place["name"])
        labelled = place["id"] in labels
        folium.CircleMarker(
            location=[place.geometry.y, place.geometry.x], radius=3 if labelled else 2, color="#222222", weight=1,
            fill=True, fill_color="#ffffff", fill_opacity=1,
            tooltip=folium.Tooltip(name, permanent=True, direction="right", class_name="place-label") if labelled else name,
        ).add_to(markers)
    markers.add_to(fmap)
    if legend:
        Legend(registry.values()).add_to(fmap)


def base_map(outline: dict, places: gpd.GeoDataFrame, registry: dict[str, Faction]) -> folium.Map:
    """Libya with its outline, the places that matter and the legend, centred on the country."""
    fmap = folium.Map(location=LIBYA_CENTRE, zoom_start=LIBYA_ZOOM, tiles="OpenStreetMap", control_scale=True,
                      min_zoom=4, zoom_snap=0.25)
    _decorate(fmap, outline, places, registry)
    return fmap


def dual_map(outline: dict, places: gpd.GeoDataFrame, registry: dict[str, Faction],
             left: list[folium.FeatureGroup], right: list[folium.FeatureGroup]) -> DualMap:
    """Two dates side by side, pan and zoom synced."""
    maps = DualMap(location=LIBYA_CENTRE, zoom_start=LIBYA_ZOOM - 0.5, tiles="OpenStreetMap", control_scale=True,
                   min_zoom=4, zoom_snap=0.25)
    for side, groups in ((maps.m1, left), (maps.m2, right)):
        _decorate(side, outline, places, registry, legend=side is maps.m2)
        for group in groups:
            group.add_to(side)
    return maps
