"""Territorial control in Libya's 2014–2020 war: factions, versioned layers, timeline queries.

The domain package: no Streamlit here, so the CLI, the tests and the app share it.
"""

from layers.contract import StoreError, parse_day
from layers.store import Store, VersionRef
from layers.timeline import history, state_at, who

__all__ = ["Store", "StoreError", "VersionRef", "history", "parse_day", "state_at", "who"]
