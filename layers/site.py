"""A static site of the whole record: the map of any date drawn in the browser, with no server of ours.

`write_site` makes a folder that works opened from disk, from any static host or behind a CDN:
- `index.html`: the app's base map made with folium (outline, places, legend), the areas and
  popups drawn by the app's own scripts (`SHOW_AREAS_JS`, `SHOW_DOTS_JS`), a date slider at day
  precision, previous and next change, play, the km² of the date, and the date in the URL
  fragment (`#date=2016-05-04`), so a link reopens the same view;
- `lib/leaflet/`: Leaflet, copied into the repository from the npm registry;
- `data/atlas.json`: the whole record drawn at a few zoom levels (README documents it as a
  read-only data API), and `data/atlas.js`, the same for the page itself: a page opened
  from a folder may load a script beside it but not fetch a file.

Everything a date change needs is loaded with the page, so changing the date makes no request.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import folium
from branca.element import MacroElement
from jinja2 import Template

from layers.contract import StoreError
from layers.datebar import DATE_BAR_CSS, DATE_BAR_JS
from layers.detail import grid
from layers.export import ATTRIBUTION, LICENCE
from layers.geojson import write_atomic
from layers.geometry import total_km2
from layers.mapping import (
    SHOW_AREAS_JS,
    SHOW_DOTS_JS,
    base_map,
    control_data,
    copy_leaflet,
    faction_entries,
    outline_shape,
    place_marks,
    with_local_leaflet,
)
from layers.markup import script_json
from layers.record import record_period
from layers.store import Store
from layers.summary import war_in_numbers
from layers.timeline import state_at

LEVELS = (5, 7, 9)  # detail levels (layers.detail): the country, a region, a city
MARKER = "data/atlas.json"  # what shows a folder is a site this module wrote, safe to replace
TITLE = "Territorial control in Libya, 2014-2020"
AREA_COLUMNS = ("name", "faction", "contested", "zone", "status", "since", "sources", "note")


class _Interned(dict):
    """Values listed once, each referred to by its position."""

    def at(self, value) -> int:
        return self.setdefault(value, len(self))

    def listed(self) -> list:
        return list(self)


def _global_text(texts: _Interned, local: list[str]):
    """A date's text positions to the atlas's."""
    return lambda i: texts.at(local[i])


def atlas(store: Store, levels: tuple[int, ...] = LEVELS) -> dict:
    """Every change date drawn at each level, in the form `control_data` gives one date, with texts,
    sources, shapes and area rows listed once for the whole record (most areas last many dates)."""
    registry, marks = store.registry, place_marks(store.places)
    factions = list(registry)
    texts, sources, rows = _Interned(), _Interned(), _Interned()
    shapes = {level: _Interned() for level in levels}
    numbers = war_in_numbers(store, total_km2([store.outline]))
    states = []
    for day in store.index.dates:
        state, drawn = state_at(store, day), {}
        for level in levels:
            data = control_data(state, registry, level, None, marks)
            position = [factions.index(entry["id"]) for entry in data["factions"]]
            area, text = data["areas"], _global_text(texts, data["texts"])
            picked = [
                rows.at(
                    (
                        text(area["name"][i]),
                        position[area["faction"][i]],
                        area["contested"][i],
                        area["zone"][i],
                        text(area["status"][i]),
                        text(area["since"][i]),
                        tuple(sources.at(tuple(data["sources"][s])) for s in area["sources"][i]),
                        tuple(text(t) for t in area["note"][i]),
                    )
                )
                for i in range(len(area["shape"]))
            ]
            shape_at = [shapes[level].at(json.dumps(shape)) for shape in data["shapes"]]
            drawn[str(level)] = {"rows": picked, "shapes": [shape_at[s] for s in area["shape"]]}
            dots = [[mark, [position[f] for f in held], contested] for mark, held, contested in data["dots"]]
        on_day = numbers[numbers["date"] == day]
        km2 = [
            [factions.index(row.faction), round(row.held_km2), round(row.zone_km2), round(row.contested_km2), round(row.share, 4)]
            for row in on_day.itertuples()
        ]
        states.append({"areas": drawn, "dots": dots, "km2": km2})
    period = record_period(store)
    listed_rows = rows.listed()
    return {
        "about": {"title": TITLE, "licence": LICENCE, "attribution": ATTRIBUTION},
        "record": {"first": period.first.isoformat(), "last": period.last.isoformat()},
        "dates": [day.isoformat() for day in store.index.dates],
        "factions": faction_entries(registry, factions),
        "texts": texts.listed(),
        "sources": [list(source) for source in sources.listed()],
        "rows": {column: [row[k] for row in listed_rows] for k, column in enumerate(AREA_COLUMNS)},
        "levels": {
            str(level): {"grid": grid(level), "shapes": [json.loads(shape) for shape in shapes[level].listed()]}
            for level in levels
        },
        "states": states,
    }


class Timeline(MacroElement):
    """The site's date control (layers.datebar) with the date's km² and the date in the URL fragment;
    each date drawn from the atlas by the app's scripts, at the atlas's level nearest the zoom."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map, atlas, showAreas, showDots, dateBar) {
            var levels = Object.keys(atlas.levels).map(Number).sort(function (a, b) { return a - b; });
            var drawn = {state: -1, level: -1}, panel = L.control({position: "topright"}), table;
            function levelFor(zoom) {  // layers.detail.level_for, then the finest level the atlas has within it
                var wanted = Math.floor(zoom), level = levels[0];
                levels.forEach(function (l) { if (l <= wanted) level = l; });
                return level;
            }
            function draw(i) {  // in the form control_data gives; the maps' scripts keep what looks the same
                var level = levelFor(map.getZoom());
                if (i === drawn.state && level === drawn.level) return;
                var picked = atlas.states[i].areas[level], areas = {shape: picked.shapes};
                {{ this.columns|tojson }}.forEach(function (column) {
                    areas[column] = picked.rows.map(function (row) { return atlas.rows[column][row]; });
                });
                showAreas(map, {factions: atlas.factions, sources: atlas.sources, texts: atlas.texts,
                                grid: atlas.levels[level].grid, shapes: atlas.levels[level].shapes, areas: areas});
                showDots(map, {factions: atlas.factions, dots: atlas.states[i].dots});
                if (i !== drawn.state) table.innerHTML = km2Table(atlas.states[i]);
                drawn = {state: i, level: level};
            }
            panel.onAdd = function () {
                table = L.DomUtil.create("div", "site-km2");
                L.DomEvent.disableClickPropagation(table);
                return table;
            };
            function km2Table(state) {
                var rows = state.km2.map(function (r) {
                    var f = atlas.factions[r[0]];
                    return '<tr><td><i style="background:' + f.colour + '"></i>' + f.short + "</td><td>" +
                        r.slice(1, 4).map(function (km2) { return km2.toLocaleString("en-GB") + "</td><td>"; }).join("") +
                        (r[4] < 0.001 && r[4] > 0 ? "&lt;0.1" : (100 * r[4]).toFixed(1)) + "%</td></tr>";
                });
                var head = "<tr><th>Faction</th><th>km² held</th><th>km² zone</th><th>km² contested</th><th>of Libya</th></tr>";
                return "<table>" + head + rows.join("") + "</table>";
            }
            function fromLink() {
                var asked = /(?:^#|&)date=(\\d{4}-\\d{2}-\\d{2})/.exec(location.hash), ms = asked ? Date.parse(asked[1]) : NaN;
                return isNaN(ms) ? Date.parse(atlas.record.last) : ms;
            }
            panel.addTo(map);
            var bar = dateBar(map, {first: atlas.record.first, last: atlas.record.last, dates: atlas.dates}, {
                draw: draw, shown: function (day) { history.replaceState(null, "", "#date=" + day); }});
            map.attributionControl.addAttribution({{ this.attribution|tojson }});
            map.on("zoomend", bar.redraw);
            window.addEventListener("hashchange", function () { bar.show(fromLink()); });
            bar.show(fromLink());
            window.libyaSite = {map: map, show: function (isoDay) { bar.stop(); bar.show(Date.parse(isoDay)); }};
        })({{ this._parent.get_name() }}, window.LIBYA_ATLAS, {{ this.areas }}, {{ this.dots }}, {{ this.date_bar }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "Timeline"
        self.areas, self.dots, self.date_bar, self.columns = SHOW_AREAS_JS, SHOW_DOTS_JS, DATE_BAR_JS, AREA_COLUMNS
        self.attribution = "Control data: Libya control map project, CC BY 4.0, every area citing its sources"


SITE_CSS = """<style>
html,body{margin:0;height:100%}
.site-km2{background:rgba(255,255,255,.92);padding:4px 6px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);
font:11px/1.3 sans-serif}
.site-km2 td,.site-km2 th{padding:0 4px;text-align:right}.site-km2 td:first-child,.site-km2 th:first-child{text-align:left}
.site-km2 i{display:inline-block;width:9px;height:9px;margin-right:4px;border:1px solid #555}
</style>"""


def site_page(store: Store) -> folium.Map:
    """The app's base map with local Leaflet, the atlas loaded as a script beside it, and the timeline."""
    fmap = with_local_leaflet(base_map(outline_shape(store.outline), place_marks(store.places), store.registry))
    root = fmap.get_root()
    root.title = TITLE
    root.header.add_child(folium.Element(SITE_CSS + DATE_BAR_CSS))
    root.header.add_child(folium.JavascriptLink("data/atlas.js"))
    Timeline().add_to(fmap)
    return fmap


def write_site(store: Store, out: Path, levels: tuple[int, ...] = LEVELS) -> None:
    """Write the site to `out`, whole or not at all: built beside it, then swapped in.

    A folder that is not empty and holds no site of ours is refused, so nobody's files are replaced.
    """
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise StoreError(f"{out} is not an empty folder or a site written by this command: give another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    built = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    built.chmod(0o755)  # mkdtemp makes it private; a static host must read it
    try:
        data = atlas(store, levels)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        write_atomic(built / MARKER, text + "\n")
        write_atomic(built / "data" / "atlas.js", f"window.LIBYA_ATLAS = {script_json(data)};\n")
        copy_leaflet(built)
        site_page(store).save(str(built / "index.html"))
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            out.rename(old / "site")
            built.rename(out)
            shutil.rmtree(old)
        else:
            built.rename(out)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
