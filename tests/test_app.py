"""The dashboard, run headless with Streamlit's AppTest: controls, summary, downloads and URL state."""

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import shapely
import streamlit
import streamlit_folium
from streamlit.testing.v1 import AppTest

from layers import Store, state_at
from layers.change import change_table, changes
from layers.geometry import total_km2
from layers.summary import control_summary

APP = str(Path(__file__).resolve().parent.parent / "app.py")
DATES = Store().index.dates


def open_app(**query: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def maps(app: AppTest) -> list[dict]:
    return [json.loads(el.proto.json_args) for el in app.get("component_instance") if "st_folium" in el.proto.component_name]


def shown_groups(app: AppTest) -> str:
    return maps(app)[0]["feature_group"] or ""


def text(app: AppTest) -> str:
    return " ".join(md.value for md in app.markdown)


@pytest.fixture
def downloads(monkeypatch) -> dict[str, dict]:
    """Every download button the app draws, by label, with its arguments (data still lazy)."""
    made: dict[str, dict] = {}
    original = streamlit.download_button

    def record(label, data, **kwargs):
        made[label] = {"data": data, **kwargs}
        return original(label, data, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", record)
    return made


def geojson(button: dict) -> dict:
    return json.loads(button["data"]())


# ---------------------------------------------------------------- one date


def test_the_page_runs_without_errors():
    assert not open_app().exception


def test_the_date_control_spans_the_whole_data_at_day_precision():
    slider = open_app().slider[0]

    def day(microseconds: float) -> date:  # the slider proto counts microseconds since 1970
        return date(1970, 1, 1) + timedelta(microseconds=microseconds)

    assert (day(slider.min), day(slider.max), slider.value) == (DATES[0], DATES[-1], DATES[0])
    assert slider.proto.step == timedelta(days=1) / timedelta(microseconds=1)


def test_next_steps_to_the_next_change_date_and_previous_steps_back():
    app = open_app(date="2015-03-01")
    following = min(d for d in DATES if d > date(2015, 3, 1))
    [forward] = [b for b in app.button if b.label == "Next"]
    forward.click().run()
    assert app.slider[0].value == following
    [back] = [b for b in app.button if b.label == "Previous"]
    back.click().run()
    assert app.slider[0].value == max(d for d in DATES if d < following)


def test_previous_is_disabled_on_the_first_date():
    [back] = [b for b in open_app().button if b.label == "Previous"]
    assert back.disabled


def test_play_walks_through_every_change_date_then_stops(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    app = open_app(date=DATES[-4].isoformat())
    [play] = [b for b in app.button if b.label == "Play"]
    play.click().run()
    assert app.slider[0].value == DATES[-1]
    assert app.session_state["playing"] is False


def test_the_map_draws_the_factions_of_the_date():
    groups = shown_groups(open_app(date="2015-06-04"))
    assert "Sirte" in groups and "Tobruk and the Egyptian border" in groups and "Benghazi: al-Laithi" in groups


def test_moving_the_date_keeps_the_map_and_swaps_its_layers():
    app = open_app()
    before = maps(app)[0]
    app.slider[0].set_value(date(2015, 6, 4)).run()
    after = maps(app)[0]
    assert after["script"] == before["script"]  # the map itself is not rebuilt: pan and zoom stay
    assert after["feature_group"] != before["feature_group"]


def view(west: float, south: float, east: float, north: float, zoom: float) -> dict:
    """The map's report of its view, as streamlit-folium leaves it in session state."""
    return {"zoom": zoom, "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}}}


def drawn_areas(app: AppTest) -> list[dict]:
    """The areas in the map's layer script (its ControlAreas data)."""
    data = re.search(r"^\s*\}\)\((.*)\);$", shown_groups(app), re.MULTILINE).group(1)
    return json.loads(data)["areas"]["features"]


def vertices(areas: list[dict], name: str) -> int:
    shapes = [shapely.geometry.shape(a["geometry"]) for a in areas if a["properties"]["name"].startswith(name)]
    return sum(shapely.get_num_coordinates(shape) for shape in shapes)


def test_the_map_reports_only_clicks_and_zoom_changes():
    assert maps(open_app())[0]["returned_objects"] == ["last_clicked", "zoom", "bounds"]


def test_zooming_in_draws_finer_detail():
    app = open_app(date="2016-06-01")
    coarse = vertices(drawn_areas(app), "Benghazi")
    app.session_state["control-map"] = view(19.6, 31.8, 20.4, 32.4, zoom=10)
    assert vertices(drawn_areas(app.run()), "Benghazi") > 2 * coarse


def test_zoomed_in_only_the_ground_around_the_view_is_drawn():
    app = open_app(date="2016-06-01")
    app.session_state["control-map"] = view(19.6, 31.8, 20.4, 32.4, zoom=10)
    names = {area["properties"]["name"] for area in drawn_areas(app.run())}
    assert any(name.startswith("Benghazi") for name in names) and "Tripoli" not in names


def test_a_small_pan_draws_exactly_the_same_layers():
    app = open_app(date="2016-06-01")
    app.session_state["control-map"] = view(19.6, 31.8, 20.4, 32.4, zoom=10)
    before = shown_groups(app.run())
    app.session_state["control-map"] = view(19.61, 31.81, 20.41, 32.41, zoom=10)
    assert shown_groups(app.run()) == before


def test_hidden_factions_leave_the_map():
    app = open_app(date="2015-06-04")
    app.pills[0].set_value(["islamic-state"]).run()
    groups = shown_groups(app)
    assert "Nawfaliya" in groups and "Tobruk and the Egyptian border" not in groups


def test_the_summary_gives_km2_and_share_of_libya_per_faction():
    store = Store()
    expected = control_summary(state_at(store, date(2015, 6, 4)), total_km2([store.outline]), store.registry)
    summary = text(open_app(date="2015-06-04"))
    for row in expected.itertuples():
        name = store.registry[row.faction].short_name
        assert f"{name}</td><td>{row.held_km2:,.0f}</td>" in summary
    assert "&lt;0.1%" in summary  # a small share is not rounded to zero


# ---------------------------------------------------------------- place history


def test_picking_a_named_place_shows_who_held_it_through_time():
    app = open_app()
    app.selectbox[0].set_value("sirte").run()
    history = text(app)
    assert "<b>12 Feb 2015 – 20 May 2015</b>: Libya Dawn (contested, Sirte); IS (contested, Sirte)" in history
    assert "<b>20 May 2015 – 8 Jun 2016</b>: IS (held, Sirte)" in history
    assert "<b>6 Dec 2016 – the end of the data</b>: GNA (held, Sirte)" in history
    assert 'href="http://en.libyaschannel.com/2015/05/21/' in history


def test_clicking_the_map_shows_the_history_of_that_point(monkeypatch):
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda *a, **k: {"last_clicked": {"lat": 30.78306, "lng": 17.83306}})
    history = text(open_app())
    assert "30.7831° N, 17.8331° E" in history
    assert "<b>19 Mar 2015 – 20 Mar 2015</b>: Libya Dawn (held, Nawfaliya)" in history  # retaken for a day
    assert "<b>20 Mar 2015 – 28 Mar 2015</b>: no holder recorded" in history


# ---------------------------------------------------------------- compare


def test_compare_shows_two_synced_maps_and_the_change_map():
    app = open_app(view="compare", before="2015-02-17", after="2015-06-04")
    dual, change = maps(app)
    assert dual["script"].count("L.map(") == 2 and ".sync(" in dual["script"]
    assert "Sirte" in dual["script"]
    assert "gained" in change["feature_group"] and "lost" in change["feature_group"]


def test_compare_tabulates_km2_gained_and_lost_per_faction():
    table = open_app(view="compare", before="2015-02-17", after="2015-06-04").dataframe[0].value
    expected = change_table(Store(), date(2015, 2, 17), date(2015, 6, 4)).set_index("faction")
    islamic_state = table[table["faction"] == "IS"].iloc[0]
    assert islamic_state["gained_km2"] == round(expected.loc["islamic-state", "gained_km2"]) > 0
    assert islamic_state["lost_km2"] == 0


# ---------------------------------------------------------------- downloads


def test_every_download_is_geojson_named_for_what_and_when(downloads):
    open_app(date="2015-05-20", view="compare", before="2015-02-17", after="2015-06-04")
    names = {button["file_name"] for button in downloads.values()}
    assert names == {
        "libya-control_tobruk_2015-05-20.geojson",
        "libya-control_all_2015-05-20.geojson",
        "libya-control_changes_2015-02-17_to_2015-06-04.geojson",
        f"libya-control_history_{DATES[0]}_to_{DATES[-1]}.geojson",
    }
    assert {button["mime"] for button in downloads.values()} == {"application/geo+json"}


def test_the_one_faction_download_holds_that_factions_areas_on_the_date(downloads):
    app = open_app(date="2015-05-20")
    app.selectbox(key="download_faction").set_value("islamic-state").run()
    document = geojson(downloads["IS on 20 May 2015"])
    assert {f["properties"]["faction"] for f in document["features"]} == {"islamic-state"}
    expected = state_at(Store(), date(2015, 5, 20), ["islamic-state"])
    assert sorted(f["properties"]["name"] for f in document["features"]) == sorted(expected["name"])
    assert {"Sirte", "Nawfaliya", "Derna"} <= set(expected["name"])


def test_the_all_factions_download_names_the_faction_on_every_feature(downloads):
    open_app(date="2015-05-20", factions="islamic-state,pfg")
    document = geojson(downloads["All shown factions on 20 May 2015"])
    assert {f["properties"]["faction"] for f in document["features"]} == {"islamic-state", "pfg"}


def test_the_changes_download_holds_what_each_faction_gained_and_lost(downloads):
    open_app(view="compare", before="2015-02-17", after="2015-06-04")
    document = geojson(downloads["Changes 17 Feb 2015 → 4 Jun 2015"])
    found = {(f["properties"]["faction"], f["properties"]["change"]) for f in document["features"]}
    expected = changes(Store(), date(2015, 2, 17), date(2015, 6, 4))
    assert found == set(zip(expected["faction"], expected["change"]))
    assert {("islamic-state", "gained"), ("libya-dawn", "lost")} <= found  # Sirte, Gardabiya and Harawa


def test_the_history_download_gives_every_feature_its_validity(downloads):
    open_app()
    document = geojson(downloads["Full history (valid_from, valid_to)"])
    assert document["features"] and all(
        {"valid_from", "valid_to", "faction"} <= set(f["properties"]) for f in document["features"]
    )


# ---------------------------------------------------------------- URL state


def test_a_link_reopens_the_same_view():
    app = open_app(date="2015-05-20", factions="islamic-state,libya-dawn", place="sirte")
    assert app.slider[0].value == date(2015, 5, 20)
    assert app.pills[0].value == ["libya-dawn", "islamic-state"]
    assert "**Sirte**: who held it" in text(app)


def test_the_url_follows_the_view():
    app = open_app()
    app.slider[0].set_value(date(2015, 5, 28)).run()
    app.pills[0].set_value(["tobruk"]).run()
    assert (app.query_params["date"], app.query_params["factions"]) == ("2015-05-28", "tobruk")


def test_a_compare_link_keeps_both_dates():
    app = open_app(view="compare", before="2015-03-19", after="2015-05-28")
    assert (app.date_input[0].value, app.date_input[1].value) == (date(2015, 3, 19), date(2015, 5, 28))
    assert app.query_params["before"] == "2015-03-19"


def test_bad_values_in_the_url_get_clear_messages_not_a_traceback():
    app = open_app(date="2015-02-30", view="atlas", factions="tobruk,martians", place="atlantis")
    warnings = " ".join(w.value for w in app.warning)
    assert not app.exception
    assert "'date' '2015-02-30' is not a real date" in warnings and "'view' 'atlas'" in warnings
    assert "'martians'" in warnings and "'atlantis'" in warnings
