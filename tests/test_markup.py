"""Text from the data is escaped wherever it becomes HTML; only http(s) URLs become links."""

import html
import json
import re
from datetime import date

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from conftest import HOSTILE, area, markdown_html, write_layer
from linkify_it import LinkifyIt

from layers.mapping import (
    ControlAreas,
    Legend,
    PlaceMarkers,
    TownDots,
    change_layers,
    control_data,
    control_layers,
    labelled_places,
    place_marks,
)
from layers.markup import html_text, link, markdown_literal, markup, quoted, script_json
from layers.registry import Faction
from layers.store import Store
from layers.summary import summary_html
from layers.timeline import state_at
from map_widget import swappable

EVIL = '<img src=x onerror="alert(1)">'


def rendered(*elements) -> str:
    fmap = folium.Map()
    for element in elements:
        element.add_to(fmap)
    return fmap.get_root().render()


def drawn(store: Store, day: date):
    return control_layers(control_data(state_at(store, day), store.registry, level=5))


def test_a_source_title_is_escaped_and_its_http_url_linked():
    html = link({"title": EVIL, "url": "https://example.org/?a=1&b=2", "published": "2015"})
    assert "<img" not in html and 'href="https://example.org/?a=1&amp;b=2"' in html


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_literal_text_is_shown_as_written_and_never_as_markup(text):
    shown = markdown_html(markdown_literal(text))
    assert "<a " not in shown and "<img" not in shown and "<em>" not in shown and "<code>" not in shown
    assert html.unescape(shown).replace("\u2060", "") == f"<p>{text}</p>\n"  # word joiners are invisible


@pytest.mark.parametrize("text", HOSTILE + ["write to editor@evil.example"])
def test_markdown_literal_text_holds_no_address_a_gfm_renderer_would_link(text):
    # remark-gfm, which Streamlit uses, finds addresses in text after character references are decoded
    assert not LinkifyIt().test(html.unescape(markdown_literal(text)))


# Streamlit's Markdown, per st.markdown's reference, turns these into icons, emoji and typographic symbols
STREAMLIT_SHAPES = re.compile(r":[A-Za-z0-9_+/-]+:|<->|<-|->|--|>=|<=|~=")


@pytest.mark.parametrize("text", [":tada:", ":streamlit:", ":material/lock:", "a -> b <- c <-> d", "a -- b >= c <= d ~= e"])
def test_markdown_literal_text_holds_nothing_streamlit_would_draw_as_a_symbol(text):
    assert not STREAMLIT_SHAPES.search(html.unescape(markdown_literal(text)))


def test_html_text_cannot_close_or_run_code_in_a_javascript_template_literal():
    shown = html_text("${alert(1)} ` \\u <b>")
    assert not any(mark in shown for mark in ("${", "`", "\\", "<"))
    assert html.unescape(shown) == "${alert(1)} ` \\u <b>"


def test_a_source_title_in_markdown_is_text_inside_its_own_link():
    shown = markdown_html(link({"title": "[Session expired](https://evil.example/login)", "url": "https://example.org"}))
    assert shown.count("<a ") == 1 and "evil.example/login" not in shown.split(">", 2)[1]
    assert "[Session expired](https://evil.example/login)" in html.unescape(shown).replace("\u2060", "")


def test_a_long_value_is_quoted_and_cut_short():
    assert quoted("x" * 500) == repr("x" * 60 + "…") and quoted("2015-02-30") == "'2015-02-30'"


@pytest.mark.parametrize("text", HOSTILE[:4])
def test_markup_is_found_in_names_and_descriptions(text):
    assert markup(f"Benghazi {text}") is not None


@pytest.mark.parametrize("text", ["Benghazi: al-Laithi", "Ajdabiya (south) & the coast road", "Es Sider [terminal]"])
def test_ordinary_names_hold_no_markup(text):
    assert markup(text) is None


def test_change_map_tooltips_escape_faction_names():
    registry = {"x": Faction("x", "X", EVIL, "#000000", "d")}
    gained = gpd.GeoDataFrame(
        {"faction": ["x"], "change": ["gained"], "km2": [12.0]}, geometry=[shapely.box(18, 27, 18.1, 27.1)], crs="EPSG:4326"
    )
    page = rendered(*change_layers(gained, registry))
    assert "<img src=x" not in page and "lt;img src=x" in page  # folium writes & as \\u0026 in its JSON


def test_a_non_http_url_is_not_linked():
    assert "href" not in link({"title": "x", "url": "javascript:alert(1)"})


def test_area_names_notes_and_sources_are_escaped_in_map_popups(empty_root):
    write_layer(
        empty_root,
        "tobruk",
        "2015-02-17",
        [area(18.0, 27.0, EVIL, note=EVIL, sources=[{"title": EVIL, "url": "https://example.org"}])],
    )
    store = Store(empty_root)
    page = rendered(drawn(store, date(2015, 2, 17)))
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_legend_names_are_escaped():
    faction = Faction("x", "X", EVIL, "#000000", "d")
    assert "<img" not in Legend([faction]).body


def test_summary_names_are_escaped():
    registry = {"x": Faction("x", "X", EVIL, "#000000", "d")}
    table = pd.DataFrame(
        [["x", 10.0, 5.0, 0.0005, 0.0, 1]], columns=["faction", "held_km2", "zone_km2", "share", "contested_km2", "areas"]
    )
    shown = summary_html(table, registry)
    assert "<img" not in shown and "&lt;0.1%" in shown  # a small share is not rounded to zero


def test_labels_go_to_the_largest_place_of_a_cluster(shipped):
    labels = labelled_places(shipped.places)
    assert "tripoli" in labels and "tajura" not in labels and "benghazi" in labels


def test_place_names_are_escaped(shipped):
    places = shipped.places.head(3).assign(name=EVIL, kind="city")
    page = rendered(PlaceMarkers(place_marks(places)))
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_town_dot_tooltips_escape_place_and_faction_names(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(13.187, 32.887, "Tripoli")])
    store = Store(empty_root)
    registry = {"tobruk": Faction("tobruk", EVIL, EVIL, "#000000", "d")}
    marks = place_marks(store.places.assign(name=EVIL))
    data = control_data(state_at(store, date(2015, 2, 17)), registry, level=5, marks=marks)
    page = rendered(PlaceMarkers(marks), TownDots(data))
    assert data["dots"] and "<img src=x" not in page and "&lt;img src=x" in page


def test_data_in_a_map_script_cannot_close_the_script_element():
    assert "</script>" not in script_json({"title": "</script><script>alert(1)</script>"})


def test_the_map_widget_resets_the_frontends_list_of_drawn_groups_before_drawing(shipped):
    page = rendered(*swappable([drawn(shipped, date(2015, 2, 17))]))
    assert page.count("window.feature_group = [];") == 1
    assert page.index("window.feature_group = [];") < page.index("L.geoJSON(")


def test_a_popup_names_the_other_side_of_contested_ground(shipped):
    page = rendered(drawn(shipped, date(2015, 2, 17)))
    assert "contested with HoR / LNA" in page and "contested with tobruk" not in page


@pytest.mark.parametrize("text", ["{{ 7*7 }}", "{{ this.__class__ }}", "{% if true %}x{% endif %}", "a {# b #} c", "\\{{x}}"])
def test_text_that_reads_as_a_template_reaches_the_map_script_as_written(text):
    # branca compiles each rendered script again as a Jinja template
    page = rendered(ControlAreas({"note": text}))
    sent = re.search(r'"note":("(?:[^"\\]|\\.)*")', page).group(1)
    assert json.loads(sent) == text


def test_a_source_cited_by_many_areas_is_sent_once(shipped):
    data = control_data(state_at(shipped, date(2016, 6, 1)), shipped.registry, level=5)
    cited = [i for sources in data["areas"]["sources"] for i in sources]
    assert len(cited) > len(data["sources"]) == len(set(data["sources"])) == len(set(cited))


def test_the_wars_main_towns_are_labelled_and_neighbours_that_would_run_into_them_are_not(shipped):
    labels = labelled_places(shipped.places)
    assert {"tripoli", "misrata", "sirte", "benghazi", "bayda", "derna", "tobruk", "sabha", "ajdabiya"} <= set(labels)
    assert "al-jumayl" not in labels  # 100 km west of Tripoli: its label would cross Zawiya's and Tripoli's
    assert labels["bayda"] == "left"  # to its right lies Derna


def test_the_rule_every_zone_note_states_is_sent_once_and_each_note_reads_as_written(shipped):
    state = state_at(shipped, date(2016, 6, 1))
    data = control_data(state, shipped.registry, level=5)
    texts, areas = data["texts"], data["areas"]
    rule = [i for i, words in enumerate(texts) if words.startswith("Zone, by rule")]
    zone_notes = [note for note, zone in zip(areas["note"], areas["zone"]) if zone]
    assert len(rule) == 1 and len(zone_notes) > 10 and all(rule[0] in note for note in zone_notes)
    written = {html.escape(note) for note in state["note"] if isinstance(note, str)}
    assert {" ".join(texts[i] for i in note) for note in areas["note"] if note} == written


def test_ground_contested_by_two_factions_is_sent_as_one_shape(shipped):
    data = control_data(state_at(shipped, date(2015, 2, 17)), shipped.registry, level=5)
    shapes = data["areas"]["shape"]
    assert len(data["shapes"]) == len(set(shapes)) < len(shapes)


def test_template_tags_in_faction_names_reach_the_legend_and_tooltips_as_written():
    # branca compiles every rendered script again as a Jinja template: a tag left in would run on the server
    faction = Faction("x", "X", "{{ 7*7 }} {% if 1 %}run{% endif %}", "#123456", "x")
    page = rendered(Legend([faction]))
    legend = json.loads(re.search(r"innerHTML = (.*);", page).group(1))
    assert "{" not in legend and "{{ 7*7 }} {% if 1 %}run{% endif %}" in html.unescape(legend)
