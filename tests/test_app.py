"""The dashboard, run headless with Streamlit's AppTest: controls, summary, downloads and URL state."""

import html
import io
import itertools
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import streamlit
from conftest import HOSTILE, hostile_geodata, markdown_html
from streamlit.testing.v1 import AppTest

from layers import Store, state_at
from layers.change import compare
from layers.geometry import total_km2
from layers.mapping import LIBYA_ZOOM, place_marks
from layers.summary import control_summary, ground_km2

APP = str(Path(__file__).resolve().parent.parent / "app.py")
DATES = Store().index.dates


def open_app(**query: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def maps(app: AppTest) -> list[dict]:
    """The compare view's maps (streamlit-folium's arguments)."""
    return [json.loads(el.proto.json_args) for el in app.get("component_instance") if "st_folium" in el.proto.component_name]


def date_map(app: AppTest) -> dict:
    """What the map of a date was last sent (layers/date_map.py), each date it holds whole again."""
    [sent] = [json.loads(el.proto.json_args) for el in app.get("component_instance") if "date_map" in el.proto.component_name]
    held = sent.pop("held")
    shared = {key: held[key] for key in ("grid", "factions", "sources", "texts", "shapes")}
    return {**sent, "dates": {day: {**shared, **drawn} for day, drawn in held["dates"].items()}}


REPORTS = itertools.count()
COUNTRY = (9.0, 19.0, 26.0, 34.0)  # west, south, east, north: the whole of Libya


def report(app: AppTest, day: str | None = None, zoom: float = LIBYA_ZOOM, bounds=COUNTRY, click=None) -> AppTest:
    """The map's report, as its page sends it (layers/date_map.py), and the run it causes; the day
    is the one shown unless the reader moved it."""
    shown = day or app.session_state["day"].isoformat()
    value = {"id": f"test-{next(REPORTS)}", "day": shown, "zoom": zoom, "bounds": list(bounds), "click": click}
    app.session_state["control-map"] = value
    return app.run()


def text(app: AppTest) -> str:
    """The Markdown on the page as a reader sees its characters (character references decoded)."""
    return html.unescape(" ".join(md.value for md in app.markdown)).replace("\u2060", "")  # word joiners are invisible


def warnings(app: AppTest) -> str:
    return html.unescape(" ".join(w.value for w in app.warning)).replace("\u2060", "")


def live_markup(markdown: str) -> bool:
    """Whether Markdown from the page would show a link or image that points at evil.example."""
    shown = markdown_html(markdown)
    return bool(re.search(r"<(a|img)\b[^>]*evil\.example", shown))


@pytest.fixture
def hostile_data(tmp_path, monkeypatch):
    """A data folder whose every text is hostile (conftest.hostile_geodata), the app pointed at it.

    The app's caches are shared by the whole process, so they are cleared on the way in and out.
    """
    root = hostile_geodata(tmp_path / "geodata")
    monkeypatch.setenv("LIBYA_CONTROL_GEODATA", str(root))
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()
    yield root
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()


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


def test_the_map_is_given_the_whole_record_and_every_change_date():
    sent = date_map(open_app())
    assert sent["record"] == {"first": "2014-05-16", "last": "2020-10-23", "dates": [d.isoformat() for d in DATES]}
    assert sent["day"] == DATES[0].isoformat()


def test_a_date_the_map_reports_becomes_the_date_of_the_page():
    app = report(open_app(date="2015-03-01"), day="2015-06-04")
    assert date_map(app)["day"] == "2015-06-04" and app.title[0].value == "Who controlled Libya on 4 June 2015"
    assert "Sirte" in drawn_names(app) and app.query_params["date"] == "2015-06-04"


def test_at_the_country_view_the_map_also_holds_the_change_dates_either_side():
    held = date_map(open_app(date="2015-06-04"))["dates"]
    before, after = max(d for d in DATES if d < date(2015, 6, 4)), min(d for d in DATES if d > date(2015, 6, 4))
    assert sorted(held) == [before.isoformat(), "2015-06-04", after.isoformat()]


def test_zoomed_in_the_map_is_sent_the_date_shown_alone():
    app = report(open_app(date="2015-06-04"), zoom=10, bounds=BENGHAZI)
    assert list(date_map(app)["dates"]) == ["2015-06-04"]


@pytest.mark.parametrize(
    "value",
    [
        {"id": "x", "day": "the ides of March", "zoom": "near", "bounds": None, "click": None},
        {"id": "x", "day": "2016-01-01", "zoom": float("nan"), "bounds": list(COUNTRY), "click": None},
        {"id": "x", "day": "2016-01-01", "zoom": 5.5, "bounds": [9, 19, 26], "click": None},
        {"id": "x", "day": "2016-01-01", "zoom": 5.5, "bounds": [9, 19, 26, 1e308], "click": None},
        {"id": "x", "day": "2016-01-01", "zoom": 1e300, "bounds": list(COUNTRY), "click": None},
        ["2016-01-01"],
    ],
    ids=["words", "not a number", "three edges", "off the earth", "zoomed past any map", "a list"],
)
def test_a_report_not_in_the_maps_form_is_ignored(value):
    app = open_app(date="2015-06-04")
    app.session_state["control-map"] = value
    assert not app.run().exception and date_map(app)["day"] == "2015-06-04"


def test_the_map_draws_the_factions_of_the_date():
    shown = drawn_names(open_app(date="2015-06-04"))
    assert "Sirte" in shown and "Tobruk and the Egyptian border" in shown and "Benghazi: al-Laithi" in shown


BENGHAZI = (19.6, 31.8, 20.4, 32.4)


def drawn_areas(app: AppTest) -> dict:
    """The drawing of the date shown: the last change date the map holds on or before it."""
    sent = date_map(app)
    return sent["dates"][max(day for day in sent["dates"] if day <= sent["day"])]


def names(data: dict) -> list[str]:
    return [data["texts"][name] for name in data["areas"]["name"]]


def drawn_names(app: AppTest) -> str:
    """The names of the areas drawn for the date shown, in one text."""
    return " | ".join(names(drawn_areas(app)))


def vertices(data: dict, name: str) -> int:
    """Vertices of the shapes drawn for areas whose name starts with `name`.

    A ring sends two numbers a vertex, in encoded-polyline characters: a number's last is below "_".
    """
    shapes = {shape for shape, area in zip(data["areas"]["shape"], names(data)) if area.startswith(name)}
    return sum(sum(c < "_" for c in ring) // 2 for shape in shapes for polygon in data["shapes"][shape] for ring in polygon)


def test_zooming_in_draws_finer_detail():
    app = open_app(date="2016-06-01")
    coarse = vertices(drawn_areas(app), "Benghazi")
    assert vertices(drawn_areas(report(app, zoom=10, bounds=BENGHAZI)), "Benghazi") > 2 * coarse


def test_zoomed_in_only_the_ground_around_the_view_is_drawn():
    drawn = set(names(drawn_areas(report(open_app(date="2016-06-01"), zoom=10, bounds=BENGHAZI))))
    assert any(name.startswith("Benghazi") for name in drawn) and "Tripoli" not in drawn


def test_a_small_pan_draws_exactly_the_same_layers():
    app = report(open_app(date="2016-06-01"), zoom=10, bounds=BENGHAZI)
    before = date_map(app)["dates"]
    assert date_map(report(app, zoom=10, bounds=(19.61, 31.81, 20.41, 32.41)))["dates"] == before


def test_a_click_within_the_ground_drawn_keeps_the_drawing():
    """Redrawing would close the popup the click opened."""
    app = report(open_app(date="2016-06-01"), zoom=10, bounds=BENGHAZI)
    before = date_map(app)["dates"]
    assert date_map(report(app, zoom=10, bounds=(19.7, 31.9, 20.5, 32.5), click=[32.1, 20.1]))["dates"] == before


def test_hidden_factions_leave_the_map():
    app = open_app(date="2015-06-04")
    app.pills[0].set_value(["islamic-state"]).run()
    shown = drawn_names(app)
    assert "Nawfaliya" in shown and "Tobruk and the Egyptian border" not in shown


def town_dot(app: AppTest, town: str) -> tuple[set[str], bool]:
    """The factions and the contested flag of a town's dot on the map."""
    data, marks = drawn_areas(app), place_marks(Store().places)
    [(sides, contested)] = [(s, c) for mark, s, c in data["dots"] if marks[mark][2] == town]
    return {data["factions"][side]["id"] for side in sides}, contested


def test_a_town_shared_with_a_hidden_faction_stays_contested_when_zoomed_in():
    app = open_app(date="2015-02-17", factions="brsc")  # Benghazi: the BRSC and the LNA each held parts of it
    assert town_dot(app, "Benghazi") == ({"brsc"}, True)
    assert town_dot(report(app, zoom=10, bounds=BENGHAZI), "Benghazi") == ({"brsc"}, True)


def test_the_summary_gives_km2_and_share_of_libya_per_faction():
    store = Store()
    day, libya = date(2015, 6, 4), total_km2([store.outline])
    expected = control_summary(store.index.at(day), libya, lambda ref: ground_km2(store.frame(ref)))
    summary = text(open_app(date="2015-06-04"))
    for row in expected.itertuples():
        name = store.registry[row.faction].short_name
        assert f"{name}</td><td>{row.held_km2:,.0f}</td>" in summary


def test_the_summary_shares_held_and_zone_ground_add_up_to_at_most_all_of_libya():
    store = Store()
    day, libya = date(2016, 6, 4), total_km2([store.outline])
    summary = control_summary(store.index.at(day), libya, lambda ref: ground_km2(store.frame(ref)))
    assert 0.5 < summary["share"].sum() <= 1.0


# ---------------------------------------------------------------- place history


def test_picking_a_named_place_shows_who_held_it_through_time():
    app = open_app()
    app.selectbox[0].set_value("sirte").run()
    history = text(app)
    assert "<b>12 Feb 2015 – 20 May 2015</b>: Libya Dawn (contested, Sirte); IS (contested, Sirte)" in history
    assert "<b>20 May 2015 – 8 Jun 2016</b>: IS (held, Sirte)" in history
    assert "<b>6 Dec 2016 – 6 Jan 2020</b>: GNA (held, Sirte)" in history
    assert "<b>6 Jan 2020 – 7 Jun 2020</b>: HoR / LNA (held, Sirte)" in history
    assert 'href="http://en.libyaschannel.com/2015/05/21/' in history


def test_clicking_the_map_shows_the_history_of_that_point():
    history = text(report(open_app(), click=[30.78306, 17.83306]))
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
    expected = compare(Store(), date(2015, 2, 17), date(2015, 6, 4)).table.set_index("faction")
    islamic_state = table[table["faction"] == "IS"].iloc[0]
    assert islamic_state["gained_km2"] == round(expected.loc["islamic-state", "gained_km2"]) > 0
    assert islamic_state["lost_km2"] == 0


def test_under_the_map_each_area_that_changed_hands_that_day_is_listed_with_its_sources():
    app = open_app(date="2020-01-08")  # not a change date: the last one before it, 6 January 2020
    page = text(app)
    assert "What changed on 6 January 2020" in " ".join(expander.label for expander in app.expander)
    assert "<b>Sirte</b>: GNA (held) → HoR / LNA (held)" in page and "defenceweb.co.za" in page


# ---------------------------------------------------------------- the war in numbers


def test_the_war_in_numbers_charts_every_change_date_and_tabulates_the_date(downloads):
    app = open_app(view="numbers", date="2015-06-04")
    table = app.dataframe[0].value.set_index("faction")
    assert app.get("vega_lite_chart") and "IS" in table.index and table.loc["IS", "held_km2"] > 0
    series = pd.read_csv(io.StringIO(downloads["The war in numbers (CSV)"]["data"]()), parse_dates=["date"])
    assert sorted(series["date"].dt.date.unique()) == Store().index.dates


def test_the_changelog_download_lists_every_change_with_its_sources(downloads):
    open_app(view="numbers")
    log = pd.read_csv(io.StringIO(downloads["What changed hands, every date (CSV)"]["data"]()), parse_dates=["date"])
    sirte = log[(log["area"] == "Sirte") & (log["date"] == "2020-01-06")].iloc[0]
    assert (sirte.before, sirte.after) == ("GNA (held)", "HoR / LNA (held)") and "<http" in sirte.sources


# ---------------------------------------------------------------- downloads


def test_every_download_is_geojson_named_for_what_and_when(downloads):
    open_app(date="2015-05-20", view="compare", before="2015-02-17", after="2015-06-04")
    names = {button["file_name"] for button in downloads.values()}
    assert names == {  # the compare view's one-date downloads are for its two dates, not the map's
        "libya-control_tobruk_2015-02-17.geojson",
        "libya-control_tobruk_2015-06-04.geojson",
        "libya-control_all_2015-02-17.geojson",
        "libya-control_all_2015-06-04.geojson",
        "libya-control_changes_2015-02-17_to_2015-06-04.geojson",
        f"libya-control_history_{DATES[0]}_to_{DATES[-1]}.geojson",
    }
    assert {button["mime"] for button in downloads.values()} == {"application/geo+json"}


def test_a_format_chosen_names_types_and_writes_every_download(downloads, tmp_path):
    app = open_app(date="2015-05-20")
    app.selectbox(key="download_format").set_value("gpkg").run()
    assert all(b["file_name"].endswith(".gpkg") and b["mime"] == "application/geopackage+sqlite3" for b in downloads.values())
    path = tmp_path / "all.gpkg"
    path.write_bytes(downloads["All shown factions on 20 May 2015"]["data"]())
    areas = pyogrio.read_dataframe(path, layer="areas")
    assert len(areas) == len(state_at(Store(), date(2015, 5, 20))) and "Sirte" in set(areas["name"])


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
    expected = compare(Store(), date(2015, 2, 17), date(2015, 6, 4)).shapes
    assert found == set(zip(expected["faction"], expected["change"]))
    assert {("islamic-state", "gained"), ("libya-dawn", "lost")} <= found  # Sirte, Gardabiya and Harawa


def test_the_changes_download_keeps_to_the_factions_shown(downloads):
    open_app(view="compare", before="2015-02-17", after="2015-06-04", factions="islamic-state")
    document = geojson(downloads["Changes 17 Feb 2015 → 4 Jun 2015"])
    assert document["features"] and {f["properties"]["faction"] for f in document["features"]} == {"islamic-state"}


def test_the_history_download_gives_every_feature_its_validity(downloads):
    open_app()
    document = geojson(downloads["Full history (valid_from, valid_to)"])
    assert document["features"] and all(
        {"valid_from", "valid_to", "faction"} <= set(f["properties"]) for f in document["features"]
    )


# ---------------------------------------------------------------- URL state


def test_a_link_reopens_the_same_view():
    app = open_app(date="2015-05-20", factions="islamic-state,libya-dawn", place="sirte")
    lat, lon, name = date_map(app)["place"]  # marked on the map
    assert date_map(app)["day"] == "2015-05-20" and name == "Sirte" and (lat, lon) == pytest.approx((31.209, 16.589), abs=1e-3)
    assert app.pills[0].value == ["libya-dawn", "islamic-state"]
    assert "**Sirte**: who held it" in text(app)


def test_the_url_follows_the_view():
    app = report(open_app(), day="2015-05-28")
    app.pills[0].set_value(["tobruk"]).run()
    assert (app.query_params["date"], app.query_params["factions"]) == ("2015-05-28", "tobruk")


def test_a_compare_link_keeps_both_dates():
    app = open_app(view="compare", before="2015-03-19", after="2015-05-28")
    assert (app.date_input[0].value, app.date_input[1].value) == (date(2015, 3, 19), date(2015, 5, 28))
    assert app.query_params["before"] == "2015-03-19"


def test_bad_values_in_the_url_get_clear_messages_not_a_traceback():
    app = open_app(date="2015-02-30", view="atlas", factions="tobruk,martians", place="atlantis")
    shown = warnings(app)
    assert not app.exception
    assert "'date' '2015-02-30' is not a real date" in shown and "'view' 'atlas'" in shown
    assert "'martians'" in shown and "'atlantis'" in shown


@pytest.mark.parametrize(
    "query",
    [
        {"view": "compare", "before": "[Session expired](https://evil.example/login)"},
        {"view": "![](https://evil.example/pixel.png)"},
    ],
    ids=["a link in a date", "an image in the view"],
)
def test_a_bad_value_in_the_url_is_shown_as_text_never_as_a_link_or_image(query):
    app = open_app(**query)
    assert app.warning and not any(live_markup(w.value) for w in app.warning)
    assert next(iter(query.values())) in warnings(app) or "evil.example" in warnings(app)


def test_link_problems_stay_while_the_map_reports_its_view_and_go_when_the_view_changes():
    app = open_app(date="2015-02-30")
    assert "not a real date" in warnings(report(app, zoom=6, bounds=(12, 28, 20, 33)))  # a zoom: the view is the same
    assert not report(app, day="2015-06-04").warning


def test_compare_dates_picked_in_the_wrong_order_are_swapped_with_a_note():
    app = open_app(view="compare", before="2015-02-17", after="2015-06-04")
    app.date_input[0].set_value(date(2015, 8, 1)).run()
    assert "Before is later than after" in " ".join(i.value for i in app.info)
    islamic_state = app.dataframe[0].value.set_index("faction").loc["IS"]
    expected = compare(Store(), date(2015, 6, 4), date(2015, 8, 1)).table.set_index("faction").loc["islamic-state"]
    assert islamic_state["km2_before"] == round(expected["km2_before"])


# ---------------------------------------------------------------- hostile or broken data


def test_hostile_names_in_the_data_show_as_text_in_labels_and_place_history(hostile_data, downloads):
    app = open_app(place="sirte")
    assert not app.exception
    labels = [option.content for option in app.pills[0].proto.options]
    assert labels and not any(live_markup(label) for label in labels)
    assert downloads and not any(live_markup(label) for label in downloads)
    assert not any(live_markup(md.value) for md in app.markdown)
    assert f"Sirte {' '.join(HOSTILE)}" in text(app)  # shown, as written


def test_an_unreadable_layer_file_is_named_and_the_rest_of_the_page_works(hostile_data):
    (hostile_data / "layers" / "islamic-state" / "2015-05-20.geojson").write_text('{"type": "FeatureCollection", "feat')
    app = open_app(date="2015-05-25")
    assert not app.exception
    errors = html.unescape(" ".join(e.value for e in app.error))
    assert "layers/islamic-state/2015-05-20.geojson" in errors and "broken JSON" in errors
    assert "Tobruk and the Egyptian border" in drawn_names(app)  # the other factions are still drawn
    app.selectbox[0].set_value("sirte").run()
    assert not app.exception and "who held it" in text(app)


def test_a_registry_that_does_not_read_gets_a_message_not_a_traceback(hostile_data):
    (hostile_data / "factions.json").write_text('{"factions": [{"id": "tobruk"}]}')
    app = open_app()
    shown = html.unescape(app.error[0].value)
    assert not app.exception and "factions.json" in shown and "missing name" in shown


def test_a_layer_with_an_infinite_coordinate_is_named_and_the_rest_of_the_page_works(hostile_data):
    path = hostile_data / "layers" / "islamic-state" / "2015-05-20.geojson"
    document = json.loads(path.read_text())
    document["features"][0]["geometry"]["coordinates"][0][0][0] = float("inf")  # written as Infinity
    path.write_text(json.dumps(document))
    app = open_app(date="2015-05-25")
    errors = html.unescape(" ".join(e.value for e in app.error))
    assert not app.exception and "layers/islamic-state/2015-05-20.geojson" in errors and "not a finite number" in errors
    assert "Tobruk and the Egyptian border" in drawn_names(app)


def test_a_short_name_that_is_not_text_gets_a_message_not_a_traceback(hostile_data):
    registry = json.loads((hostile_data / "factions.json").read_text())
    registry["factions"][0]["short_name"] = 5
    (hostile_data / "factions.json").write_text(json.dumps(registry))
    app = open_app()
    shown = html.unescape(app.error[0].value)
    assert not app.exception and "factions.json" in shown and "short_name is not text" in shown


def test_a_places_file_the_app_cannot_use_gets_a_message_not_a_traceback(hostile_data):
    places = json.loads((hostile_data / "places.geojson").read_text())
    places["features"][0]["properties"]["name"] = None
    (hostile_data / "places.geojson").write_text(json.dumps(places))
    app = open_app()
    shown = html.unescape(app.error[0].value)
    assert not app.exception and "places.geojson" in shown and "place #1" in shown and "name is not text" in shown
