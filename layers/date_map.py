"""The app's map of a date: a page of its own that draws the date in the browser, then tells the app.

Through Streamlit's round trip a date change waits for the server before the map moves. This page
(the frame of a Streamlit component) holds what the app sent: the date shown and, at the country
view, its neighbouring change dates, drawn in `control_data`'s form. Its date bar (layers.datebar)
draws a neighbour it holds at once, then reports the date; the app follows with the rest of the page
and the next neighbours. It reports the view only when the detail drawn no longer fits it (a zoom
to another level, a pan out of the drawn window), and each click, for the place history.

The page speaks Streamlit's component protocol, version 1 (messages posted to the parent page), in
the few lines it needs, so it takes no JavaScript build. Reports are JSON:
`{"id", "day", "zoom", "bounds": [west, south, east, north], "click": [lat, lon] | null}`, `id` new
for each report so the app can tell a new one from the last one it followed; the app sends that
one back (`seen`), and until it is the page's last, the date the app sends is an echo of an
older step and does not move the map.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import folium
from branca.element import MacroElement
from jinja2 import Template

from layers.datebar import DATE_BAR_CSS, DATE_BAR_JS
from layers.detail import MAX_LEVEL, MIN_LEVEL, Box
from layers.mapping import SHOW_AREAS_JS, SHOW_DOTS_JS, copy_leaflet, with_local_leaflet

SHARED = ("factions", "sources", "texts", "shapes")  # what `control_data` lists once and refers to by position
HELD_DATES = 24  # drawn dates a page keeps, at one detail: steps back and forth need no new data
FRAME_CSS = """<style>html,body{margin:0;height:100%}body{display:flex;flex-direction:column}
.folium-map{flex:1 1 auto;height:auto!important;min-height:0}</style>"""  # the date bar above, the map below


@dataclass(frozen=True)
class MapReport:
    """What the map of a date last reported: the day it shows, its view, and a click if that was the news."""

    id: str
    day: date
    zoom: float
    bounds: Box
    click: tuple[float, float] | None

    @classmethod
    def read(cls, value) -> MapReport | None:
        """The report in a component value, or None for no report or one not in the page's form
        (a value from the browser is checked, not trusted)."""
        try:
            click = value["click"]
            report = cls(
                str(value["id"]),
                date.fromisoformat(value["day"]),
                float(value["zoom"]),
                tuple(float(edge) for edge in value["bounds"]),
                (float(click[0]), float(click[1])) if click else None,
            )
        except (KeyError, TypeError, ValueError, IndexError, OverflowError):
            return None
        # degrees within bounds Leaflet can give (past ±180° when panned round the world); NaN fails every test
        on_earth = len(report.bounds) == 4 and all(abs(n) <= 1000 for n in (*report.bounds, *(report.click or ())))
        return report if on_earth and 0 <= report.zoom <= 30 else None


class Bridge(MacroElement):
    """The page's side of the component: draws what the app sends, reports what the reader does."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map, showAreas, showDots, dateBar) {
            var held = {}, detail = null, view = null, drawnKey = null, pending = null, bar = null, record = null;
            var instance = Math.random().toString(36).slice(2), reports = 0, marker = null, markerKey = "null";
            function send(type, fields) {
                window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, fields), "*");
            }
            function report(fields) {  // until the app has followed it, what it sends does not move the date
                var b = map.getBounds();
                pending = instance + "-" + (++reports);
                send("streamlit:setComponentValue", {dataType: "json", value: Object.assign({
                    id: pending, day: bar.day(), zoom: map.getZoom(),
                    bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], click: null}, fields)});
            }
            function draw(i) {  // the change date if held at the detail the app last sent, else wait for it
                var day = record.dates[i], data = held[day];
                if (!data || drawnKey === detail + day) return;
                showAreas(map, data);
                showDots(map, data);
                drawnKey = detail + day;
            }
            function levelFor(zoom) { return Math.min({{ this.max_level }}, Math.max({{ this.min_level }}, Math.floor(zoom))); }
            function fits() {  // whether what is drawn covers the view at its detail (layers.detail.detail_for)
                var b = map.getBounds(), w = view.window;
                return levelFor(map.getZoom()) === view.level &&
                    (!w || (b.getWest() >= w[0] && b.getSouth() >= w[1] && b.getEast() <= w[2] && b.getNorth() <= w[3]));
            }
            function place(picked) {  // a named place the reader chose: its name is data, so it goes in as text
                var key = JSON.stringify(picked);
                if (key === markerKey) return;
                markerKey = key;
                if (marker) map.removeLayer(marker);
                marker = null;
                if (!picked) return;
                var name = document.createElement("span");
                name.textContent = picked[2];
                marker = L.marker([picked[0], picked[1]], {icon: L.divIcon({className: "", iconSize: [18, 18],
                    html: '<div class="picked-place"></div>'})}).bindTooltip(name).addTo(map);
            }
            function render(args) {
                var first = !bar;
                if (first) {
                    record = args.record;
                    bar = dateBar(map, record, {draw: draw, settled: function () { report({}); }},
                                  document.getElementById("date-bar"));
                    document.getElementById("date-bar").addEventListener("input", function () { pending = "sliding"; });
                    map.invalidateSize();  // the bar above took its height
                    map.on("moveend", function () { if (view && !fits()) report({}); });
                    map.on("click", function (event) { report({click: [event.latlng.lat, event.latlng.lng]}); });
                    send("streamlit:setFrameHeight", {height: args.height});
                }
                if (args.detail !== detail) { held = {}; detail = args.detail; }
                var sent = args.held;  // layers.date_map.held_together
                Object.keys(sent.dates).forEach(function (day) {
                    delete held[day];  // kept in the order last sent: the oldest go first
                    held[day] = Object.assign({factions: sent.factions, sources: sent.sources, texts: sent.texts,
                                               grid: sent.grid, shapes: sent.shapes}, sent.dates[day]);
                });
                Object.keys(held).slice(0, -{{ this.held }}).forEach(function (day) { delete held[day]; });
                view = args.view;
                if (args.seen === pending) pending = null;  // the app has followed the reader's last report
                if (first || (pending === null && args.day !== bar.day())) bar.show(Date.parse(args.day));
                else bar.redraw();
                place(args.place);
                if (first && !fits()) report({});  // a new page at the country view, sent another view's detail
            }
            window.addEventListener("message", function (event) {
                if (event.data && event.data.type === "streamlit:render") render(event.data.args);
            });
            window.map = map;  // as streamlit-folium names it in its frames
            send("streamlit:componentReady", {apiVersion: 1});
        })({{ this._parent.get_name() }}, {{ this.areas }}, {{ this.dots }}, {{ this.date_bar }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "Bridge"
        self.areas, self.dots, self.date_bar = SHOW_AREAS_JS, SHOW_DOTS_JS, DATE_BAR_JS
        self.min_level, self.max_level, self.held = MIN_LEVEL, MAX_LEVEL, HELD_DATES


def held_together(drawings: dict[str, dict]) -> dict:
    """Several dates' `control_data` at one level (one or more), as the map is sent them: factions, sources, texts and
    shapes listed once for all (dates side by side share most of them), each date's areas and dots
    referring to those lists."""
    listed: dict[str, dict] = {key: {} for key in SHARED}

    def positions(key: str, values: list, ident=json.dumps) -> list[int]:
        return [listed[key].setdefault(ident(value), (len(listed[key]), value))[0] for value in values]

    dates = {}
    for day, data in drawings.items():
        faction, source = positions("factions", data["factions"], lambda f: f["id"]), positions("sources", data["sources"])
        text, shape = positions("texts", data["texts"], str), positions("shapes", data["shapes"])
        areas = data["areas"]
        dates[day] = {
            "areas": {
                **areas,
                "shape": [shape[i] for i in areas["shape"]],
                "faction": [faction[i] for i in areas["faction"]],
                "name": [text[i] for i in areas["name"]],
                "status": [text[i] for i in areas["status"]],
                "since": [text[i] for i in areas["since"]],
                "note": [[text[i] for i in note] for note in areas["note"]],
                "sources": [[source[i] for i in cited] for cited in areas["sources"]],
            },
            "dots": [[mark, [faction[i] for i in sides], contested] for mark, sides, contested in data["dots"]],
        }
    shared = {key: [value for _, value in listed[key].values()] for key in SHARED}
    return {"grid": next(iter(drawings.values()))["grid"], **shared, "dates": dates}  # one level: one grid


def date_map_page(base: folium.Map) -> folium.Map:
    """The base map (outline, places, legend) as the component's page: Leaflet beside it, the date bar on it."""
    page = with_local_leaflet(base)
    root = page.get_root()
    root.header.add_child(folium.Element(FRAME_CSS + DATE_BAR_CSS))
    root.html.add_child(folium.Element('<div class="above" id="date-bar"></div>'))  # before the map: drawn at its size
    Bridge().add_to(page)
    return page


def write_frame(page: str, folder: Path) -> None:
    """The page (rendered) as `folder`/index.html, with the Leaflet it loads."""
    (folder / "index.html").write_text(page, encoding="utf-8")
    copy_leaflet(folder)
