"""The app's first page, run headless with Streamlit's AppTest."""

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def map_args(app: AppTest) -> dict:
    [component] = [el for el in app.get("component_instance") if "st_folium" in el.proto.component_name]
    return json.loads(component.proto.json_args)


def test_the_page_runs_without_errors(app):
    assert not app.exception


def test_the_map_draws_the_factions_of_the_first_date(app):
    layers = map_args(app)["feature_group"]
    assert "HoR / LNA" in layers and "Libya Dawn" in layers and "IS" in layers


def test_moving_the_date_keeps_the_map_and_swaps_its_layers(app):
    before = map_args(app)
    app.select_slider[0].set_value(date(2015, 6, 4)).run()
    after = map_args(app)
    assert after["script"] == before["script"]  # the map itself is not rebuilt: pan and zoom stay
    assert after["feature_group"] != before["feature_group"]


def test_the_summary_gives_km2_and_share_of_libya_per_faction(app):
    summary = " ".join(md.value for md in app.markdown)
    assert "HoR / LNA" in summary and "km²" in summary and "%" in summary
