"""The map widget: streamlit-folium as the app uses it, its formats and its workarounds in one place.

`layers/mapping.py` builds folium maps and layers and knows nothing of Streamlit. Here they
are shown with `st_folium`: the base map stays, and only the layers are swapped on a date
change (`feature_group_to_add`), so pan and zoom survive; the map reports its zoom, bounds
and last click back under its key.
"""

from __future__ import annotations

import folium
import streamlit as st
from branca.element import MacroElement
from jinja2 import Template
from streamlit_folium import st_folium

from layers.detail import Box


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


def swappable(layers: list[folium.FeatureGroup]) -> list[folium.FeatureGroup]:
    """The layers, the first one starting with `ForgetRemovedGroups` (each group pushes itself once its script has run)."""
    if layers:
        layers[0].add_child(ForgetRemovedGroups(), index=0)
    return layers


def show(fmap: folium.Map, key: str, height: int, layers: list[folium.FeatureGroup] = (), clicks: bool = False) -> dict:
    """Draw `fmap` with `layers` on top; a rerun with other layers swaps them and keeps the map.

    With `clicks`, the map reports its last click, zoom and bounds (see `reported_view`).
    """
    returned = ["last_clicked", "zoom", "bounds"] if clicks else []
    swapped = swappable(list(layers)) or None
    return st_folium(
        fmap, feature_group_to_add=swapped, returned_objects=returned, height=height, use_container_width=True, key=key
    )


def reported_view(key: str) -> tuple[float | None, Box | None]:
    """The zoom and the (west, south, east, north) bounds the map under `key` last reported, if any."""
    view = st.session_state.get(key) or {}
    bounds = view.get("bounds")
    if not bounds:
        return view.get("zoom"), None
    south_west, north_east = bounds["_southWest"], bounds["_northEast"]
    return view.get("zoom"), (south_west["lng"], south_west["lat"], north_east["lng"], north_east["lat"])
