"""Libya control map: who held what on a date of the 2014-2016 war."""

import streamlit as st
from streamlit_folium import st_folium

from layers import Store, change_dates, state_at
from layers.geojson import load_json
from layers.geometry import area_km2, total_km2
from layers.mapping import base_map, control_layers

st.set_page_config(page_title="Libya control map", layout="wide")


@st.cache_resource
def store() -> Store:
    return Store()


@st.cache_resource
def outline() -> dict:
    return load_json(store().root / "libya.geojson")


dates = change_dates(store().versions())
st.title("Who controlled Libya")
day = st.select_slider("Date", options=dates, value=dates[0], format_func=lambda d: d.strftime("%-d %B %Y"))
state = state_at(store(), day)

left, right = st.columns([3, 1])
with left:
    st_folium(base_map(outline(), store().places),  # built afresh: st_folium mutates the map it renders
              feature_group_to_add=control_layers(state, store().registry),
              returned_objects=[], height=620, use_container_width=True, key="control-map")
with right:
    libya_km2 = total_km2([store().outline])
    held = state[state["status"] == "held"].assign(km2=lambda f: area_km2(f.geometry))
    for faction_id, faction in store().registry.items():
        km2 = held.loc[held["faction"] == faction_id, "km2"].sum()
        if faction_id in set(state["faction"]):
            st.markdown(f"<span style='color:{faction.colour}'>■</span> **{faction.short_name}**: "
                        f"{km2:,.0f} km² ({km2 / libya_km2:.2%})", unsafe_allow_html=True)
    st.caption("Held ground only; contested areas are dashed on the map. Sources: click an area.")
