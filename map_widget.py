"""The map widgets: the map of a date, and streamlit-folium for the compare view's maps, in one place.

`layers/` builds the maps and knows nothing of Streamlit. The map of a date is a component of
its own (`layers/date_map.py`): it draws a date in the browser and reports the date, the view
and clicks (`MapReport` there). The compare view's maps are shown with `st_folium`; the change
map keeps its base map and only has its layers swapped (`feature_group_to_add`), so pan and zoom
survive a change of dates.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import folium
import streamlit.components.v1 as components
from branca.element import MacroElement
from jinja2 import Template
from streamlit_folium import st_folium

from layers.date_map import date_map_page, write_frame


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


def show(fmap: folium.Map, key: str, height: int, layers: list[folium.FeatureGroup] = ()) -> None:
    """Draw `fmap` with `layers` on top; a rerun with other layers swaps them and keeps the map."""
    swapped = swappable(list(layers)) or None
    st_folium(fmap, feature_group_to_add=swapped, returned_objects=[], height=height, use_container_width=True, key=key)


class DateMap:
    """The map of a date as a component: its page made once per server and written, with Leaflet, to a
    temporary folder the component serves; written again if a cleaner of temporary files removed it."""

    def __init__(self, base: folium.Map):
        self.page = date_map_page(base).get_root().render()
        self._declare()

    def _declare(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="libya-date-map-"))
        write_frame(self.page, self.folder)
        self.component = components.declare_component("date_map", path=str(self.folder))

    def __call__(self, **arguments):
        if not (self.folder / "index.html").is_file():
            self._declare()
        return self.component(**arguments)
