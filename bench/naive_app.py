"""The naive map, for the benchmark's comparison: on every date change, a new folium map with
full-detail `folium.GeoJson` layers, one per faction, so the browser rebuilds the whole map.

Same data, caches, base map, buttons and popups' content as app.py; only the map update differs.
The benchmark starts it from the repository root (`python -m streamlit run bench/naive_app.py`, so
`layers` imports); it reads LIBYA_CONTROL_GEODATA like the app.
"""

from datetime import date

import folium
import streamlit as st
from streamlit_folium import st_folium

from layers import Store, state_at
from layers.geojson import load_json
from layers.mapping import base_map, place_marks
from layers.markup import link

st.set_page_config(page_title="Naive map (benchmark)", layout="wide")


@st.cache_resource
def store() -> Store:
    return Store()


@st.cache_resource
def marks() -> list[list]:
    return place_marks(store().places)


@st.cache_resource(max_entries=256)
def state_on(day: date):
    return state_at(store(), day)


DATES = store().index.dates
if "day" not in st.session_state:
    st.session_state.day = date.fromisoformat(st.query_params.get("date", DATES[0].isoformat()))


def step(direction: int) -> None:
    st.session_state.day = store().index.step(st.session_state.day, direction) or st.session_state.day


back, forward = st.columns(2)
back.button("Previous", on_click=step, args=(-1,))
forward.button("Next", on_click=step, args=(1,))
st.title(f"Who controlled Libya on {st.session_state.day:%-d %B %Y}")

registry = store().registry
fmap = base_map(load_json(store().root / "libya.geojson"), marks(), registry)
state = state_on(st.session_state.day)
for faction, rows in state.groupby("faction", sort=False):
    colour = registry[faction].colour
    areas = rows.assign(sources=rows["sources"].map(lambda cited: "<br>".join(link(s) for s in cited)))
    folium.GeoJson(
        areas[["name", "status", "valid_from", "sources", "geometry"]],
        style_function=lambda item, colour=colour: {
            "color": colour,
            "fillColor": colour,
            "weight": 1 if item["properties"]["status"] == "held" else 2.5,
            "dashArray": None if item["properties"]["status"] == "held" else "6 4",
            "fillOpacity": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(["name", "status"]),
        popup=folium.GeoJsonPopup(["name", "status", "valid_from", "sources"]),
    ).add_to(fmap)
st_folium(fmap, returned_objects=["last_clicked"], height=620, use_container_width=True, key="naive-map")
