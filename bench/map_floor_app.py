"""The floor with this app's map, for the benchmark: Streamlit's floor (bench/floor_app.py), the same
date slider and two buttons and nothing else on the page, but the map is app.py's: its base map and
each change date's prepared areas and town dots, swapped and kept as the app does.

Beside the floor and the app, it splits a date change's cost between the map (this) and the rest
of the app's page (title, date controls, km², downloads, what changed). Started from the repository
root like the naive map, so `layers` imports; it reads LIBYA_CONTROL_CACHE like the app.
"""

from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from layers import Store
from layers.mapping import base_map, control_layers, outline_shape, place_marks
from layers.prepared import Prepared

st.set_page_config(page_title="Floor with this app's map (benchmark)", layout="wide")


@st.cache_resource
def loaded():
    store = Store()
    return store, outline_shape(store.outline), place_marks(store.places), Prepared(store)


store, outline, marks, prepared = loaded()
DATES = store.index.dates
if "day" not in st.session_state:
    st.session_state.day = store.index.last_change(date.fromisoformat(st.query_params.get("date", DATES[0].isoformat())))


def move(direction: int) -> None:
    st.session_state.day = store.index.step(st.session_state.day, direction) or st.session_state.day


back, forward = st.columns(2)
back.button("Previous", on_click=move, args=(-1,))
forward.button("Next", on_click=move, args=(1,))
st.slider("Date", DATES[0], DATES[-1], key="day", format="D MMM YYYY")
layers = control_layers(prepared.on(st.session_state.day).drawn)
st_folium(
    base_map(outline, marks, store.registry),
    feature_group_to_add=layers,
    returned_objects=[],
    height=620,
    use_container_width=True,
    key="map-floor",
)
