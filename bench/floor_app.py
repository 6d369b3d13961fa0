"""Streamlit's floor, for the benchmark: the least a date change through streamlit-folium can cost.

A trivial app, as issue 13 defines the floor, that swaps one small layer on a slider change: a slider
holding the step and Previous and Next buttons moving it (as on this app's map, so the benchmark walks
both alike), and a map whose one small layer (a square that moves and changes colour with the step)
is swapped on the same base map, with nothing computed. What remains of a change is Streamlit's
round trip, streamlit-folium's update and Leaflet drawing one path.
The benchmark starts it like the naive map (`python -m streamlit run bench/floor_app.py`).
"""

import folium
import streamlit as st
from streamlit_folium import st_folium

if "step" not in st.session_state:
    st.session_state.step = 0


def move(direction: int) -> None:
    st.session_state.step += direction


back, forward = st.columns(2)
back.button("Previous", on_click=move, args=(-1,))
forward.button("Next", on_click=move, args=(1,))
st.slider("Step", -1000, 1000, key="step")
step = st.session_state.step
fmap = folium.Map(location=(26.9, 17.3), zoom_start=5.5, tiles=None)
layer = folium.FeatureGroup(name="step")
west, south, colour = 12 + step % 10, 22 + step % 7, ("#c0392b", "#2e86c1")[step % 2]  # each step draws another path
folium.Polygon([(south, west), (south, west + 1), (south + 1, west + 1), (south + 1, west)], color=colour, fill=True).add_to(
    layer
)
st_folium(fmap, feature_group_to_add=layer, returned_objects=[], height=620, use_container_width=True, key="floor-map")
