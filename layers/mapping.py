"""Folium pieces for the control maps; no Streamlit here.

The base map (Libya's outline, named places, legend) never changes between
dates: the app's map of a date (layers/date_map.py) and the static site draw
each date's areas on it in the browser, and the compare maps swap their
layers (map_widget.py beside the app), so pan and zoom survive a date change.
The areas travel to the browser in a compact form (`control_data`): geometry
drawn to the zoom's detail in steps of its grid, each source, text and shape
once, and the towns' holders as indexes into the places the base map already
marks. Everything that comes from the data is escaped before it becomes HTML
(see markup.py).
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Iterable, Sequence

import folium
import geopandas as gpd
import numpy as np
import shapely
import xyzservices
from branca.element import Element, MacroElement
from folium.plugins import DualMap
from jinja2 import Template

from layers.contract import CONTESTED, HELD, ZONE
from layers.detail import Box, drawn_geometry, encoded_shapes, grid
from layers.geojson import feature, feature_collection
from layers.markup import html_text, script_json, source_parts
from layers.registry import Faction

LIBYA_CENTRE = (26.9, 17.3)
LIBYA_ZOOM = 5.5  # the whole country in a map about 600 px high
COMPARE_ZOOM = LIBYA_ZOOM - 0.5  # two maps side by side, each half as wide
LABELLED_KINDS = ("city", "terminal")
MARKED_KINDS = ("city", "terminal", "airbase", "airport")
LEAFLET_JS = [entry for entry in folium.Map.default_js if entry[0] == "leaflet"]
LEAFLET_CSS = [entry for entry in folium.Map.default_css if entry[0] == "leaflet_css"]
LEAFLET_COPY = Path(__file__).resolve().parent / "site_assets" / "leaflet"  # from the npm registry (README)
TILES = xyzservices.providers.OpenStreetMap.Mapnik  # looked up once: folium looks a name up on every map
OUTLINE_DETAIL = 0.002  # degrees, about 200 m: a tenth of a pixel at the country view
LABEL_PX = (6.2, 12, 6)  # a .place-label's width per character, its height and its gap from the dot, in pixels
SENTENCE_END = re.compile(r"(?<=[.:;])\s+")  # where control_data cuts notes, to send each sentence once
LABEL_CSS = """<style>
html .leaflet-container{font-size:12px}
.leaflet-tooltip.place-label{background:transparent;border:0;box-shadow:none;padding:0 0 0 2px;font:600 11px/1.1 sans-serif;
color:#222;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff}
.leaflet-tooltip.place-label:before{display:none}
.control-legend{background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;font:12px/1.5 sans-serif;
box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:240px}
.control-legend .factions{display:grid;grid-template-columns:auto auto;column-gap:10px}
.control-legend i{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px;border:1px solid #555}
.control-legend i.contested{background:repeating-linear-gradient(45deg,#888 0 2px,transparent 2px 5px);border-style:dashed}
.control-legend i.held{background:#888}
.control-legend i.zone{background:#88888840;border-color:transparent}
.control-legend i.dot{width:9px;height:9px;margin-right:2px;border-radius:50%;border-color:#222;background:#555}
.control-legend i.dot.split{background:linear-gradient(90deg,#555 50%,#bbb 50%)}
.control-legend i.dot.none{background:#fff;margin-right:6px}
.picked-place{width:18px;height:18px;box-sizing:border-box;border-radius:50%;background:#d62728;border:3px solid #fff;
box-shadow:0 0 0 1px #222,0 1px 4px rgba(0,0,0,.5)}
.town-dot i{display:block;width:100%;height:100%;box-sizing:border-box;border-radius:50%;border:1px solid #222}
</style>"""


def _status_words(status: str, others: str) -> str:
    """How a popup names the tier."""
    if status == ZONE:
        return "zone (by rule)" + (f", contested with {others}" if others else "")
    return f"contested with {others}" if status == CONTESTED else status


def town_dots(state: gpd.GeoDataFrame, marks: Sequence[list], position: dict[str, int]) -> list[list]:
    """[mark index, faction positions, contested?] for every marked place inside a held or contested area.

    A town takes the colours of the areas it stands in, held ones first; zones
    are the rule's guess, not a report, so a town in a zone or in no area gets
    no dot and keeps the base map's white one. Ground of several factions, or
    an area marked contested, makes the town contested.
    """
    ground = state.loc[state["status"] != ZONE, ["faction", "status", "geometry"]]
    if not marks or ground.empty:
        return []
    lats, lons = zip(*((mark[0], mark[1]) for mark in marks))
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lons, lats), crs=state.crs)
    hits = points.sjoin(ground, predicate="intersects")
    hits = hits.assign(
        place=hits.index, side=hits["faction"].map(position), held=hits["status"] == HELD, contested=hits["status"] == CONTESTED
    )
    hits = hits.sort_values(["place", "held", "side"], ascending=[True, False, True])
    places = hits.groupby("place").agg(sides=("side", "unique"), contested=("contested", "any"))
    return [
        [int(place), [int(side) for side in row.sides], bool(row.contested or len(row.sides) > 1)]
        for place, row in places.iterrows()
    ]


def faction_entries(registry: dict[str, Faction], factions: Iterable[str]) -> list[dict]:
    """Factions as the drawing scripts read them: id, escaped names, colour."""
    return [
        {
            "id": f,
            "name": html.escape(registry[f].name),
            "short": html.escape(registry[f].short_name),
            "colour": registry[f].colour,
        }
        for f in factions
    ]


def control_data(
    state: gpd.GeoDataFrame, registry: dict[str, Faction], level: int, window: Box | None = None, marks: Sequence[list] = ()
) -> dict:
    """The areas of a timeline state, ready for `ControlAreas`, and its towns' holders for `TownDots`:
    JSON-able, escaped, drawn at `level`.

    Every date change sends it, so nothing travels twice: factions, sources, texts and shapes
    are listed once and referred to by position, and the areas are columns. Notes are split
    into sentences (HTML shows them joined again the same), so the zone rule that every
    zone's note repeats travels once; a shape contested by two factions travels once, in
    grid steps (`encoded_shapes`). Towns are positions in `marks`.
    """
    state = state.iloc[np.argsort(state["status"].to_numpy() != ZONE, kind="stable")]  # zones first: drawn underneath
    drawn = drawn_geometry(state.geometry.values, level, window)
    shown = ~shapely.is_empty(drawn)
    state, drawn = state[shown], drawn[shown]
    shapes, shape = np.unique(shapely.to_wkb(drawn), return_inverse=True)
    factions = [faction for faction in registry if faction in set(state["faction"])]
    position = {faction: index for index, faction in enumerate(factions)}
    sources: dict[str, int] = {}
    texts: dict[str, int] = {}

    def text(words: str) -> int:
        return texts.setdefault(html.escape(words), len(texts))

    others = [", ".join(registry[o].short_name if o in registry else o for o in sides) for sides in state["contested_with"]]
    first = " (its record starts with the earliest source found, not a change of holder)"
    since = [
        f"since {start}" + (f", until {end}" if end else "") + (first if evidence else "")
        for start, end, evidence in zip(state["valid_from"], state["valid_to"], state["first_evidence"])
    ]
    notes = [SENTENCE_END.split(note) if isinstance(note, str) and note else [] for note in state["note"]]
    areas = {
        "shape": shape.ravel().tolist(),
        "name": [text(name) for name in state["name"]],
        "faction": [position[faction] for faction in state["faction"]],
        "contested": [bool(words) for words in others],
        "zone": (state["status"] == ZONE).tolist(),
        "status": [text(_status_words(status, words)) for status, words in zip(state["status"], others)],
        "since": [text(words) for words in since],
        "sources": [[sources.setdefault(source_parts(source), len(sources)) for source in cited] for cited in state["sources"]],
        "note": [[text(sentence) for sentence in sentences] for sentences in notes],
    }
    return {
        "factions": faction_entries(registry, factions),
        "sources": list(sources),
        "texts": list(texts),
        "grid": grid(level),
        "shapes": encoded_shapes(shapely.from_wkb(shapes), level),
        "areas": areas,
        "dots": town_dots(state, marks, position),
    }


def shown_only(data: dict, factions: Iterable[str]) -> dict:
    """`control_data` cut down to some of its factions: their areas and dots drawn as with all shown,
    and only the shapes, texts and sources those areas use.

    A town another faction shares stays contested: hiding a side does not end the fight.
    """
    wanted = set(factions)
    kept = [i for i, entry in enumerate(data["factions"]) if entry["id"] in wanted]
    if len(kept) == len(data["factions"]):
        return data
    areas = data["areas"]
    shown = set(kept)
    rows = [i for i, faction in enumerate(areas["faction"]) if faction in shown]
    cut = {column: [values[i] for i in rows] for column, values in areas.items()}
    shape_at = _renumbered(cut["shape"])
    text_at = _renumbered([*cut["name"], *cut["status"], *cut["since"], *(t for note in cut["note"] for t in note)])
    source_at = _renumbered([s for cited in cut["sources"] for s in cited])
    faction_at = {old: new for new, old in enumerate(kept)}
    cut.update(
        faction=[faction_at[f] for f in cut["faction"]],
        shape=[shape_at[s] for s in cut["shape"]],
        name=[text_at[t] for t in cut["name"]],
        status=[text_at[t] for t in cut["status"]],
        since=[text_at[t] for t in cut["since"]],
        note=[[text_at[t] for t in note] for note in cut["note"]],
        sources=[[source_at[s] for s in cited] for cited in cut["sources"]],
    )
    dots = [[mark, [faction_at[f] for f in sides if f in faction_at], contested] for mark, sides, contested in data["dots"]]
    return {
        **data,
        "factions": [data["factions"][i] for i in kept],
        "shapes": [data["shapes"][s] for s in shape_at],
        "texts": [data["texts"][t] for t in text_at],
        "sources": [data["sources"][s] for s in source_at],
        "areas": cut,
        "dots": [dot for dot in dots if dot[1]],
    }


def _renumbered(positions: Iterable[int]) -> dict[int, int]:
    """Positions into a list, old to new, for the list cut down to those positions in their order."""
    return {old: new for new, old in enumerate(sorted(set(positions)))}


# The scripts that draw a date's areas and town dots from `control_data`: used by the app's map
# (ControlAreas, TownDots) and by the static site (layers/site.py), so both draw alike.
AREAS_JS = """function (data) {
    function ring(code) {  // detail.encoded_shapes, back to degrees
        var points = [], x = 0, y = 0, i = 0;
        function step() {
            var natural = 0, shift = 0, bits;
            do { bits = code.charCodeAt(i++) - 63; natural |= (bits & 31) << shift; shift += 5; } while (bits >= 32);
            return natural & 1 ? ~(natural >> 1) : natural >> 1;
        }
        while (i < code.length) {
            x += step(); y += step();
            points.push([x * data.grid, y * data.grid]);
        }
        return points;
    }
    var shapes = data.shapes.map(function (polygons) {
        return {type: "MultiPolygon", coordinates: polygons.map(function (rings) { return rings.map(ring); })};
    });
    var areas = data.areas, text = function (i) { return data.texts[i]; };
    function link(source) {  // markup.source_parts: title, href (http(s) or empty) and date, each escaped
        var anchor = '<a href="' + source[1] + '" target="_blank" rel="noopener noreferrer">';
        return (source[1] ? anchor + source[0] + "</a>" : source[0]) + (source[2] ? " (" + source[2] + ")" : "");
    }
    var features = areas.shape.map(function (shape, i) {
        return {type: "Feature", geometry: shapes[shape], properties: {
            name: text(areas.name[i]), faction: areas.faction[i], contested: areas.contested[i], zone: areas.zone[i],
            status: text(areas.status[i]), since: text(areas.since[i]),
            sources: areas.sources[i].map(function (s) { return data.sources[s]; }),
            note: areas.note[i].map(text).join(" ")}};
    });
    var layer = L.geoJSON(features, {
        style: function (feature) {
            var colour = data.factions[feature.properties.faction].colour;
            var contested = feature.properties.contested, zone = feature.properties.zone;
            return {color: colour, fillColor: colour, weight: zone ? (contested ? 1 : 0) : (contested ? 2.5 : 1),
                    dashArray: contested ? "6 4" : null,
                    fillOpacity: zone ? (contested ? 0.08 : 0.18) : (contested ? 0.2 : 0.6)};
        },
        onEachFeature: function (feature, area) {
            var p = feature.properties, faction = data.factions[p.faction];
            area.bindTooltip("<b>" + p.name + "</b><br>" + faction.short + " · " + p.status);
            area.bindPopup(function () {
                return "<b>" + p.name + "</b><br>" + faction.name + "<br>" + p.status + ", " + p.since +
                    (p.note ? "<p>" + p.note + "</p>" : "") + "<ul>" +
                    p.sources.map(function (source) { return "<li>" + link(source) + "</li>"; }).join("") +
                    "</ul>";
            }, {maxWidth: 360});
            area.on({mouseover: function () { area.setStyle({weight: 3, fillOpacity: p.zone ? 0.3 : 0.75}); },
                     mouseout: function () { layer.resetStyle(area); }});
        }
    });
    return layer;
}"""
DOTS_JS = """function (data) {
    var dots = L.layerGroup();
    dots.once("add", function () {
        var marks = dots._map.placeMarks;  // the map this group was just added to
        data.dots.forEach(function (dot) {
            var place = marks[dot[0]], contested = dot[2], size = place[3] ? 11 : 8;
            var sides = dot[1].map(function (i) { return data.factions[i]; });
            var colours = sides.map(function (side) { return side.colour; });
            if (contested && colours.length == 1) colours.push("#ffffff");  // the other side is not shown
            var fill = colours.map(function (colour, k) {
                return colour + " " + (100 * k / colours.length) + "% " + (100 * (k + 1) / colours.length) + "%";
            });
            L.marker([place[0], place[1]], {
                icon: L.divIcon({className: "town-dot", iconSize: [size, size],
                                 html: '<i style="background:linear-gradient(90deg,' + fill.join(",") + ')"></i>'}),
                bubblingMouseEvents: true  // a click on a town is a click on the map there
            }).bindTooltip(place[2] + " · " + sides.map(function (side) { return side.short; }).join(" / ") +
                           " · " + (contested ? "contested" : "held"))
              .addTo(dots);
        });
    });
    return dots;
}"""
# What a map shows, by key, so that drawing another date adds and removes only what differs: an area
# stays while it looks the same, its popup's dates, sources and note refreshed (a new version of a
# faction often changes only those). The app's map of a date and the static site keep it across
# their date bar's steps.
KEEP_JS = """function (map, kind, keys, draw, refresh) {
    var shown = map.controlShown;
    if (!shown) {
        shown = map.controlShown = {areas: {}, dots: {}};
        map.createPane("zones").style.zIndex = 401;  // over the outline's tint, under the areas (control_data's order)
        map.createPane("areas").style.zIndex = 402;
    }
    var wanted = {}, fresh = [];
    keys.forEach(function (key, k) {
        if (wanted[key]) return;  // the same thing twice is drawn once
        wanted[key] = true;
        if (shown[kind][key]) refresh(shown[kind][key].layer, k); else fresh.push(k);
    });
    Object.keys(shown[kind]).forEach(function (key) {
        if (wanted[key]) return;
        var item = shown[kind][key];
        item.group.removeLayer(item.layer);
        if (!item.group.getLayers().length) map.removeLayer(item.group);
        delete shown[kind][key];
    });
    if (!fresh.length) return;
    var group = draw(fresh);
    group.getLayers().forEach(function (layer, j) { shown[kind][keys[fresh[j]]] = {layer: layer, group: group}; });
    keys.slice(fresh[0]).forEach(function (key) {  // new ones went on top: from the first, restack in the data's order
        var item = shown[kind][key];
        if (item && item.layer.bringToFront) item.layer.bringToFront();
    });
}"""
SHOW_AREAS_JS = (
    """function (map, data) {  // control_data's areas on the map, drawing only those it does not show yet
    var keep = """
    + KEEP_JS
    + """, drawAreas = """
    + AREAS_JS
    + """;
    var areas = data.areas, text = function (i) { return data.texts[i]; };
    var keys = areas.shape.map(function (shape, k) {
        return JSON.stringify([text(areas.name[k]), data.factions[areas.faction[k]].id, areas.contested[k], areas.zone[k],
                               text(areas.status[k]), data.grid, data.shapes[shape]]);
    });
    keep(map, "areas", keys, function (fresh) {
        var cut = {shape: fresh.map(function (k, j) { return j; })};
        Object.keys(areas).forEach(function (column) {
            if (column !== "shape") cut[column] = fresh.map(function (k) { return areas[column][k]; });
        });
        var group = drawAreas({factions: data.factions, sources: data.sources, texts: data.texts, grid: data.grid,
                               shapes: fresh.map(function (k) { return data.shapes[areas.shape[k]]; }), areas: cut});
        group.getLayers().forEach(function (layer, j) {
            layer.options.pane = cut.zone[j] ? "zones" : "areas";
            // opening its popup stops a click at the area: the map is told too (the app's place history)
            layer.on("click", function (event) { map.fire("click", {latlng: event.latlng}); });
        });
        return group.addTo(map);
    }, function (layer, k) {
        var p = layer.feature.properties;
        p.since = text(areas.since[k]);
        p.sources = areas.sources[k].map(function (s) { return data.sources[s]; });
        p.note = areas.note[k].map(text).join(" ");
        if (layer.isPopupOpen()) layer.getPopup().update();  // an open popup shows the date now shown
    });
}"""
)
SHOW_DOTS_JS = (
    """function (map, data) {  // control_data's town dots on the map, drawing only those it does not show yet
    var keep = """
    + KEEP_JS
    + """, drawDots = """
    + DOTS_JS
    + """;
    var keys = data.dots.map(function (dot) {
        return JSON.stringify([dot[0], dot[1].map(function (i) { return data.factions[i].id; }), dot[2]]);
    });
    keep(map, "dots", keys, function (fresh) {  // the group makes its markers as it is added
        return drawDots({factions: data.factions, dots: fresh.map(function (k) { return data.dots[k]; })}).addTo(map);
    }, function () {});
}"""
)


class _Rendered(Element):
    """Page text that is already rendered."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class ScriptElement(MacroElement):
    """A MacroElement whose `script` macro goes on the page as rendered text.

    branca compiles every macro's output again as a Jinja template before rendering it; for a
    date's areas (about 100 KB of JSON) that second pass cost more server time than the
    rest of the rerun's map, and would run any template syntax in the data.
    """

    def map_name(self) -> str:
        """The variable of the map this element draws on, from within a group or not."""
        parent = self._parent
        while not isinstance(parent, folium.Map):
            parent = parent._parent
        return parent.get_name()

    def render(self, **kwargs) -> None:
        script = self._template.module.script(self, kwargs)
        self.get_root().script.add_child(_Rendered(script), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class ControlAreas(ScriptElement):
    """Every faction's areas drawn on the map (`SHOW_AREAS_JS`): faction colours, contested ground
    dashed, a tooltip, and a popup with the sources that is put together only when opened.

    They go on the map, not in the group that carries this script: the app swaps that group
    on every date change, and what still looks the same is kept, not drawn again.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        ({{ this.draw }})({{ this.map_name() }},
        {{ this.json }});
        {% endmacro %}
    """)

    def __init__(self, data: dict):
        super().__init__()
        self._name = "ControlAreas"
        self.draw = SHOW_AREAS_JS
        self.json = script_json({key: value for key, value in data.items() if key != "dots"})  # TownDots sends those


class TownDots(ScriptElement):
    """The towns of `control_data` as dots in their holders' colours, split when contested, above the areas
    (`SHOW_DOTS_JS`, kept across date changes like the areas).

    Markers sit in Leaflet's marker pane, over the areas and under the base
    map's labels. The places themselves are the base map's (`PlaceMarkers`
    leaves them on the map), so a date change sends only indexes.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        ({{ this.draw }})({{ this.map_name() }},
        {{ this.json }});
        {% endmacro %}
    """)

    def __init__(self, data: dict):
        super().__init__()
        self._name = "TownDots"
        self.draw = SHOW_DOTS_JS
        factions = [{"id": f["id"], "colour": f["colour"], "short": f["short"]} for f in data["factions"]]
        self.json = script_json({"factions": factions, "dots": data["dots"]})


class Legend(ScriptElement):
    """A Leaflet control listing the factions' colours, then each tier and the towns' dots in a line."""

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
        colours = "".join(f'<span><i style="background:{f.colour}"></i>{html_text(f.short_name)}</span>' for f in factions)
        tiers = [
            '<i class="held"></i>held: solid',
            '<i class="contested"></i>contested: dashed',
            '<i class="zone"></i>zone: light tint, land given by rule to the nearest area',
            '<i class="dot"></i><i class="dot split"></i><i class="dot none"></i>'
            "town: holder's colour, split if contested, white if no area holds it",
        ]
        self.body = f'<div class="factions">{colours}</div>' + "<br>".join(tiers)


def control_layers(data: dict) -> folium.FeatureGroup:
    """The map layer of `control_data`, as a group streamlit-folium can swap without rebuilding the map."""
    group = folium.FeatureGroup(name="Control areas")
    ControlAreas(data).add_to(group)
    TownDots(data).add_to(group)
    return group


def change_layers(change_frame: gpd.GeoDataFrame, registry: dict[str, Faction]) -> list[folium.FeatureGroup]:
    """Gained ground filled in the gaining faction's colour, lost ground dashed in the losing one's."""
    groups = []
    for kind, filled in (("gained", True), ("lost", False)):
        rows = change_frame[change_frame["change"] == kind]
        if rows.empty:
            continue
        document = feature_collection(
            feature(
                row.geometry,
                {
                    "faction": html_text(registry[row.faction].short_name),
                    "colour": registry[row.faction].colour,
                    "change": kind,
                    "km2": f"{row.km2:,.0f} km²",
                },
            )
            for _, row in rows.iterrows()
        )
        group = folium.FeatureGroup(name=kind.capitalize())
        folium.GeoJson(
            document,
            style_function=lambda item, filled=filled: {
                "color": item["properties"]["colour"],
                "fillColor": item["properties"]["colour"],
                "weight": 1 if filled else 2.5,
                "dashArray": None if filled else "5 4",
                "fillOpacity": 0.65 if filled else 0.1,
            },
            tooltip=folium.GeoJsonTooltip(fields=["faction", "change", "km2"], labels=False),
        ).add_to(group)
        groups.append(group)
    return groups


def labelled_places(places: gpd.GeoDataFrame, zoom: float = LIBYA_ZOOM) -> dict[str, str]:
    """The places to label, each with the side of its dot its label goes on ("right" or "left").

    The largest place first; a label goes right of its dot, or left if that side would overlap
    a label already placed or cover another place's dot, measured as drawn (web-map pixels) at
    `zoom`, the view the map opens at; closer in, labels only move apart. A place whose label
    fits on neither side keeps its dot and tooltip.
    """
    candidates = places[places["kind"].isin(LABELLED_KINDS)]
    candidates = candidates.assign(size=candidates["population"].fillna(0)).sort_values("size", ascending=False, kind="stable")
    scale = 256 * 2**zoom
    lat = np.radians(candidates.geometry.y.to_numpy())
    x = (candidates.geometry.x.to_numpy() + 180) / 360 * scale
    y = (1 - np.log(np.tan(lat) + 1 / np.cos(lat)) / np.pi) / 2 * scale
    per_character, height, gap = LABEL_PX
    width = candidates["name"].str.len().to_numpy() * per_character
    sides = {
        "right": shapely.box(x + gap, y - height / 2, x + gap + width, y + height / 2),
        "left": shapely.box(x - gap - width, y - height / 2, x - gap, y + height / 2),
    }
    dots = shapely.points(x, y)
    kept: list[shapely.Geometry] = []
    chosen: dict[str, str] = {}
    for number, place in enumerate(candidates["id"]):
        free = [side for side, boxes in sides.items() if not any(boxes[number].intersects(other) for other in kept)]
        clear = [side for side in free if not shapely.intersects(sides[side][number], dots).any()]
        for side in (clear or free)[:1]:
            kept.append(sides[side][number])
            chosen[place] = side
    return chosen


class PlaceMarkers(ScriptElement):
    """Named places as small circles, the labelled ones with a permanent label: one compact script.

    The marks stay on the map as `placeMarks`, for `TownDots` to colour by index.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        {{ this._parent.get_name() }}.placeMarks = {{ this.json }};
        {{ this._parent.get_name() }}.placeMarks.forEach(function (place) {
            var labelled = place[3];
            L.circleMarker([place[0], place[1]], {radius: labelled ? 3 : 2, color: "#222222", weight: 1,
                                                  fillColor: "#ffffff", fillOpacity: 1})
             .bindTooltip(place[2], labelled ? {permanent: true, direction: labelled, className: "place-label"} : {})
             .addTo({{ this.get_name() }});
        });
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        (function (group) {  // a label is placed by its size, none in a frame not shown yet: place it again when that changes
            var labels = [];
            group.eachLayer(function (marker) {
                var label = marker.getTooltip();
                if (label.options.permanent) { labels.push(label); }
            });
            var watch = new ResizeObserver(function () { labels.forEach(function (label) { label.update(); }); });
            labels.forEach(function (label) { watch.observe(label.getElement()); });
        })({{ this.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, marks: list[list]):
        super().__init__()
        self._name = "PlaceMarkers"
        self.json = script_json(marks)


def place_marks(places: gpd.GeoDataFrame) -> list[list]:
    """[lat, lon, escaped name, label side or ""] for every place the maps mark: worked out once, drawn on every map."""
    labels = labelled_places(places)
    shown = places[places["kind"].isin(MARKED_KINDS)]
    return [
        [round(p.geometry.y, 4), round(p.geometry.x, 4), html.escape(p["name"]), labels.get(p["id"], "")]
        for _, p in shown.iterrows()
    ]


def outline_shape(outline: shapely.Geometry) -> dict:
    """Libya's outline as the maps draw it: its shape only, so no text from the file reaches the page,
    simplified within OUTLINE_DETAIL degrees, which the base tiles' own border makes plain; every rerun re-sends it."""
    drawn = shapely.set_precision(shapely.simplify(outline, OUTLINE_DETAIL), OUTLINE_DETAIL / 2)
    return feature_collection([feature(drawn, {})])


class Outline(ScriptElement):
    """Libya's outline, lightly filled so the country reads even without tiles; not clickable."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.json }}, {interactive: false,
            style: {color: "#444444", weight: 1.5, fillColor: "#f7f4ec", fillOpacity: 0.35}});
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, outline: dict):
        super().__init__()
        self._name = "Outline"
        self.json = script_json(outline)


def _decorate(fmap: folium.Map, outline: dict, marks: list[list], registry: dict[str, Faction], legend: bool = True) -> None:
    """Outline (lightly filled, so Libya reads even without tiles), places with labels, legend; Leaflet alone.

    folium's maps load jQuery, Bootstrap and an icon library besides Leaflet, none of which these
    maps use; streamlit-folium loads scripts one after another, so each delays the first map.
    """
    fmap.default_js, fmap.default_css = LEAFLET_JS, LEAFLET_CSS
    fmap.get_root().header.add_child(folium.Element(LABEL_CSS))
    Outline(outline).add_to(fmap)
    PlaceMarkers(marks).add_to(fmap)
    if legend:
        Legend(registry.values()).add_to(fmap)


def base_map(outline: dict, marks: list[list], registry: dict[str, Faction]) -> folium.Map:
    """Libya with its outline, the places that matter and the legend, centred on the country."""
    fmap = folium.Map(location=LIBYA_CENTRE, zoom_start=LIBYA_ZOOM, tiles=TILES, control_scale=True, min_zoom=4, zoom_snap=0.25)
    _decorate(fmap, outline, marks, registry)
    return fmap


def dual_map(
    outline: dict, marks: list[list], registry: dict[str, Faction], left: folium.FeatureGroup, right: folium.FeatureGroup
) -> DualMap:
    """Two dates side by side, pan and zoom synced."""
    maps = DualMap(location=LIBYA_CENTRE, zoom_start=COMPARE_ZOOM, tiles=TILES, control_scale=True, min_zoom=4, zoom_snap=0.25)
    for side, group in ((maps.m1, left), (maps.m2, right)):
        _decorate(side, outline, marks, registry, legend=side is maps.m2)
        group.add_to(side)
    return maps


def with_local_leaflet(fmap: folium.Map) -> folium.Map:
    """`fmap` loading Leaflet from `lib/leaflet` beside its page (`copy_leaflet`), not from a CDN."""
    fmap.default_js = [("leaflet", "lib/leaflet/leaflet.js")]
    fmap.default_css = [("leaflet_css", "lib/leaflet/leaflet.css")]
    return fmap


def copy_leaflet(folder: Path) -> None:
    """Leaflet into `folder`/lib/leaflet, for a page made `with_local_leaflet`."""
    shutil.copytree(LEAFLET_COPY, folder / "lib" / "leaflet")
