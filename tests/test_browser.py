"""The dashboard in a real browser: Debian's Chromium driven by Playwright against `streamlit run app.py`.

No network: the map's CDN scripts come from npm packages (offline_assets.py),
and map tiles are answered empty, which is also how the map must cope when a
tile server cannot be reached.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import HOSTILE, Watch, hostile_geodata
from live_server import streamlit_server
from playwright.sync_api import Frame, Page

from layers import Store

ROOT = Path(__file__).resolve().parent.parent
DATES = Store().index.dates
MAP = 'iframe[title="map_widget.date_map"]'  # the map of a date (layers/date_map.py)
COMPARE_MAPS = 'iframe[title="streamlit_folium.st_folium"]'


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as url:
        yield url


def settle(page: Page) -> None:
    """Wait as Streamlit's own e2e suite does: connected, script finished, no skeletons."""
    page.wait_for_selector("[data-test-connection-state='CONNECTED']", timeout=60_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=60_000)


def map_frame(page: Page, index: int = 0, maps: str = MAP) -> Frame:
    """A map iframe's frame, once Leaflet has drawn areas in it."""
    page.locator(maps).nth(index).wait_for(timeout=60_000)
    frame = page.locator(maps).nth(index).element_handle().content_frame()
    frame.wait_for_selector("path.leaflet-interactive", state="attached", timeout=60_000)
    return frame


def drawn_areas(frame: Frame) -> list[tuple[str, str]]:
    """(fill colour, dash pattern) of every drawn area path, in drawing order."""
    return frame.eval_on_selector_all(
        "path.leaflet-interactive[fill-opacity]:not([fill='#ffffff'])",
        "paths => paths.map(p => [p.getAttribute('fill'), p.getAttribute('stroke-dasharray') || ''])",
    )


TOWN_DOTS = """map => Object.values(map._layers)
    .filter(l => l.options.icon && l.options.icon.options.className === "town-dot")
    .map(l => {
        var point = map.latLngToContainerPoint(l.getLatLng()), box = map.getContainer().getBoundingClientRect();
        var top = document.elementFromPoint(box.left + point.x, box.top + point.y);
        return [l.getTooltip().getContent(), getComputedStyle(l.getElement().firstChild).backgroundImage,
                top !== null && top.closest(".town-dot") === l.getElement()];
    })"""


def town_dots(frame: Frame, map_name: str = "map") -> dict[str, tuple[str, str, bool]]:
    """Place name -> (tooltip, the dot's CSS background, whether the dot is the topmost element at its place)."""
    frame.wait_for_function(f"({TOWN_DOTS})(window.{map_name}).length > 0", timeout=30_000)
    return {dot[0].split(" · ")[0]: tuple(dot) for dot in frame.evaluate(f"({TOWN_DOTS})(window.{map_name})")}


def rgb(colour: str) -> str:
    """A #rrggbb colour as the browser's computed style writes it."""
    return "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))


def page_point(page: Page, frame: Frame, lat: float, lon: float) -> tuple[float, float]:
    """Where a place is on the page: its pixel on the map, the map's place in its frame, the frame's on the page."""
    point = frame.evaluate(
        f"""(() => {{ const p = window.map.latLngToContainerPoint([{lat}, {lon}]);
                   const box = window.map.getContainer().getBoundingClientRect();
                   return [p.x + box.left, p.y + box.top]; }})()"""
    )
    box = frame.frame_element().bounding_box()
    return box["x"] + point[0], box["y"] + point[1]


def click_at(page: Page, frame: Frame, lat: float, lon: float) -> None:
    """Click the map where a person would to hit a place: at its pixel, not at an element's centre."""
    page.mouse.click(*page_point(page, frame, lat, lon))


def step_date(frame: Frame, label: str) -> None:
    """Click the map's Previous or Next change."""
    frame.get_by_role("button", name=f"{label} change").click()


def title_says(page: Page, words: str) -> None:
    title = "(document.querySelector('h1') || {innerText: ''}).innerText"  # none while a rerun redraws the page
    page.wait_for_function(f"{title}.includes({json.dumps(words)})", timeout=30_000)


def open_view(page: Page, server: str, query: str = "") -> None:
    page.goto(f"{server}/{query}")
    settle(page)


def test_the_map_draws_every_factions_areas_in_its_colour(page, server):
    open_view(page, server, "?date=2015-06-04")
    fills = {fill for fill, _ in drawn_areas(map_frame(page))}
    assert {"#d55e00", "#009e73", "#1a1a1a", "#99ddff", "#332288"} <= fills  # HoR, Dawn, IS, BRSC, PFG


def test_contested_areas_are_drawn_dashed(page, server):
    open_view(page, server, "?date=2015-02-17&factions=islamic-state")
    dashes = {dash for _, dash in drawn_areas(map_frame(page))}
    assert "" in dashes and any(dashes - {""})  # Nawfaliya held (solid); Sirte and Derna contested (dashed)


def test_towns_are_dotted_over_the_areas_in_their_holders_colours(page, server):
    open_view(page, server, "?date=2015-02-17")
    dots = town_dots(map_frame(page))
    tooltip, fill, on_top = dots["Tobruk"]
    assert tooltip == "Tobruk · HoR / LNA · held" and rgb("#d55e00") in fill and on_top
    tooltip, fill, on_top = dots["Derna"]  # contested: a dot split between IS and the DMSC
    assert tooltip == "Derna · IS / DMSC · contested" and rgb("#1a1a1a") in fill and rgb("#f0e442") in fill and on_top


def test_town_labels_sit_beside_their_dots_without_overlapping(page, server):
    open_view(page, server, "?date=2015-02-17")
    frame = map_frame(page)
    labels = frame.evaluate(
        """Array.from(document.querySelectorAll('.place-label')).map(function (label) {
            var box = label.getBoundingClientRect();
            return [label.textContent, box.left, box.top, box.right, box.bottom];
        })"""
    )
    named = {name: box for name, *box in labels}
    width = frame.evaluate("window.map.getContainer().getBoundingClientRect().right")
    assert {"Tripoli", "Bayda", "Derna"} <= set(named)
    assert all(0 <= left and right <= width for left, _, right, _ in named.values())  # on the map, left-hand ones too
    assert named["Bayda"][2] < named["Derna"][0]  # Bayda's label to the left of its dot, clear of Derna's
    boxes = list(named.values())
    for i, (left, top, right, bottom) in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert right <= other[0] or other[2] <= left or bottom <= other[1] or other[3] <= top


def test_each_compare_map_dots_the_towns_for_its_own_date(page, server):
    open_view(page, server, "?view=compare&before=2015-02-17&after=2016-06-01")
    frame = map_frame(page, 0, COMPARE_MAPS)
    before, after = town_dots(frame, "map_div")["Tripoli"], town_dots(frame, "map_div2")["Tripoli"]
    assert before[0] == "Tripoli · Libya Dawn · held" and rgb("#0072b2") not in before[1]
    assert after[0] == "Tripoli · Libya Dawn / GNA · contested" and rgb("#009e73") in after[1] and rgb("#0072b2") in after[1]


def test_moving_the_date_changes_the_areas_without_resetting_pan_and_zoom(page, server):
    open_view(page, server, "?date=2015-05-19")
    frame = map_frame(page)
    frame.evaluate("window.map.setView([31.1, 16.9], 8, {animate: false})")
    before = drawn_areas(frame)
    step_date(frame, "Next")
    title_says(page, "20 May 2015")
    settle(page)
    deadline = time.monotonic() + 20
    while drawn_areas(frame) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert drawn_areas(frame) != before  # Sirte passed to the Islamic State on 20 May 2015
    view = frame.evaluate("[window.map.getZoom(), window.map.getCenter().lat, window.map.getCenter().lng]")
    assert view[0] == 8 and abs(view[1] - 31.1) < 0.01 and abs(view[2] - 16.9) < 0.01


BENGHAZI_VERTICES = """Object.values(window.map._layers)
    .filter(l => l.feature && "faction" in l.feature.properties && l.feature.properties.name.startsWith("Benghazi"))
    .reduce((n, l) => n + l.getLatLngs().flat(3).length, 0)"""


def zoomed_into_benghazi(page: Page, server: str) -> Frame:
    """The map of 1 June 2016 zoomed to Benghazi at level 10, once the finer detail it asked for is drawn."""
    open_view(page, server, "?date=2016-06-01")
    frame = map_frame(page)
    coarse = frame.evaluate(BENGHAZI_VERTICES)
    frame.evaluate("window.map.setView([32.1, 20.1], 10, {animate: false})")  # another level: the map asks for it
    frame.wait_for_function(f"({BENGHAZI_VERTICES}) > {2 * coarse}", timeout=30_000)
    settle(page)
    return frame


def test_zooming_in_brings_finer_detail_and_keeps_the_view(page, server):
    frame = zoomed_into_benghazi(page, server)
    view = frame.evaluate("[window.map.getZoom(), window.map.getCenter().lat, window.map.getCenter().lng]")
    assert view[0] == 10 and abs(view[1] - 32.1) < 0.01 and abs(view[2] - 20.1) < 0.01


HOLD_ANSWERS = """
// The server's messages to the page are held while window.heldAnswers is a list, and passed on
// by window.releaseAnswers(spacing), all at once or one every `spacing` ms (window.answersLeft
// counts those still to come); window.sentMessages counts what the page sends.
(() => {
  const Native = window.WebSocket;
  window.sentMessages = 0;
  window.WebSocket = function (...args) {
    const socket = new Native(...args), handlers = [];
    const pass = event => {
      if (window.heldAnswers) window.heldAnswers.push(event); else handlers.forEach(handler => handler.call(socket, event));
    };
    Native.prototype.addEventListener.call(socket, "message", pass);
    socket.addEventListener = (type, handler, ...rest) =>
      type === "message" ? handlers.push(handler) : Native.prototype.addEventListener.call(socket, type, handler, ...rest);
    Object.defineProperty(socket, "onmessage", {set: handler => handlers.push(handler)});
    const send = socket.send.bind(socket);
    socket.send = data => { window.sentMessages += 1; send(data); };
    window.releaseAnswers = spacing => {
      const held = window.heldAnswers;
      window.heldAnswers = null;
      window.answersLeft = held.length;
      held.forEach((event, k) => setTimeout(() => { pass(event); window.answersLeft -= 1; }, k * (spacing || 0)));
    };
    return socket;
  };
  Object.assign(window.WebSocket, Native);
  window.WebSocket.prototype = Native.prototype;
})();
"""


def test_next_draws_the_following_change_date_before_the_server_answers(page, server):
    """The map holds the change dates either side of the one shown and draws a step at once; the rest of
    the page follows the server's answer."""
    page.add_init_script(HOLD_ANSWERS)
    open_view(page, server, "?date=2015-05-19")
    frame = map_frame(page)
    before = drawn_areas(frame)
    page.evaluate("window.heldAnswers = []")
    step_date(frame, "Next")
    frame.wait_for_function("document.querySelector('.date-bar b').textContent === '20 May 2015'")
    assert drawn_areas(frame) != before  # Sirte passed to the Islamic State on 20 May 2015
    assert "19 May 2015" in page.locator("h1").inner_text()  # the server's answer is still held
    page.evaluate("window.releaseAnswers(100)")
    title_says(page, "20 May 2015")


WATCH_DATE_LABEL = """() => {  // every date the map's bar shows, in order
    window.shownDates = [];
    new MutationObserver(() => window.shownDates.push(document.querySelector(".date-bar b").textContent))
        .observe(document.querySelector(".date-bar b"), {childList: true, characterData: true, subtree: true});
}"""


def test_the_servers_answers_to_earlier_steps_do_not_move_the_map(page, server):
    """Next, Next, Previous, each answered by the server before the next, the answers held back, then let
    through one message at a time, as a slow network would: the map stays on the date of the last step,
    and the answers only catch the page up."""
    page.add_init_script(HOLD_ANSWERS)
    open_view(page, server, "?date=2015-05-19")
    frame = map_frame(page)
    frame.evaluate(WATCH_DATE_LABEL)
    page.evaluate("window.heldAnswers = []")
    for label in ("Next", "Next", "Previous"):
        held = page.evaluate("window.heldAnswers.length")
        step_date(frame, label)
        page.wait_for_function(f"window.heldAnswers.length > {held}", timeout=30_000)  # the server answered
        time.sleep(0.5)  # all of it
    page.evaluate("window.releaseAnswers(30)")
    page.wait_for_function("window.answersLeft === 0", timeout=30_000)
    settle(page)
    time.sleep(0.5)
    second = min(d for d in DATES if d > date(2015, 5, 20))
    assert frame.evaluate("window.shownDates") == ["20 May 2015", f"{second:%-d %B %Y}", "20 May 2015"]


def test_a_pan_within_the_ground_drawn_sends_nothing(page, server):
    page.add_init_script(HOLD_ANSWERS)
    frame = zoomed_into_benghazi(page, server)
    sent = page.evaluate("window.sentMessages")
    frame.evaluate("window.map.panBy([40, 30], {animate: false})")
    time.sleep(1)
    assert page.evaluate("window.sentMessages") == sent


def test_a_map_opened_again_after_zooming_in_draws_the_whole_country(page, server):
    """The server still holds the zoomed-in view; the new map, at the country view, asks for its own."""
    zoomed_into_benghazi(page, server)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Compare two dates", exact=True).click()
    settle(page)
    sidebar.get_by_text("Map on a date", exact=True).click()
    settle(page)
    tripoli = "Object.values(window.map._layers).some(l => l.feature && String(l.feature.properties.name).startsWith('Tripoli'))"
    map_frame(page).wait_for_function(tripoli, timeout=30_000)


def test_the_slider_moves_the_date_by_the_day(page, server):
    open_view(page, server)
    frame = map_frame(page)
    frame.locator(".date-bar input").fill("400")  # days after 16 May 2014
    title_says(page, "20 June 2015")
    page.wait_for_function("location.href.endsWith('date=2015-06-20')", timeout=30_000)  # a link to it


def test_previous_is_disabled_on_the_first_date(page, server):
    open_view(page, server, "?date=2014-05-16")
    frame = map_frame(page)
    assert frame.get_by_role("button", name="Previous change").is_disabled()
    assert frame.get_by_role("button", name="Next change").is_enabled()


def test_compare_maps_do_not_pile_up_old_layers_in_the_browser(page, server):
    open_view(page, server, "?view=compare&before=2015-03-19&after=2015-06-04")
    frame = map_frame(page, 1, COMPARE_MAPS)  # the change map, whose layers are swapped as the dates change
    for _ in range(4):  # hiding or showing a faction sends the change map other layers
        page.get_by_test_id("stSidebar").get_by_role("button", name="IS", exact=True).click()
        settle(page)
    time.sleep(1)
    kept = frame.evaluate("window.feature_group.length")
    shown = frame.evaluate("Object.values(window.map._layers).filter(l => window.feature_group.includes(l)).length")
    assert kept == shown  # the frontend holds only the groups on the map, not every past date's


AREA_PATHS = """map => Object.values(map._layers).filter(l => l.feature && l._path)
    .map(l => l._path.getAttribute("d").length + l._path.getAttribute("fill")).sort()"""


def test_a_date_walked_back_to_has_the_same_areas_and_no_more(page, server):
    """A change draws only what differs from the date before (layers.mapping.KEEP_JS): nothing may pile up."""
    open_view(page, server, "?date=2016-05-04")
    frame = map_frame(page)
    first = frame.evaluate(f"({AREA_PATHS})(window.map)")
    for label in ["Next"] * 3 + ["Previous"] * 3:
        step_date(frame, label)
        settle(page)
    drawn_again = f"JSON.stringify(({AREA_PATHS})(window.map)) === {json.dumps(json.dumps(first, separators=(',', ':')))}"
    frame.wait_for_function(drawn_again, timeout=30_000)  # the date's last rerun may still be on its way
    time.sleep(1)
    assert frame.evaluate(f"({AREA_PATHS})(window.map)") == first  # and nothing drawn after it


AREA_STACK = """map => Object.values(map._layers).filter(l => l.feature && l._path)
    .map(l => [l.options.pane, Array.prototype.indexOf.call(l._path.parentNode.children, l._path),
               l.feature.properties.name + " · " + l.feature.properties.faction])
    .sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]).map(l => l[0] + ": " + l[2])"""


def test_a_date_stepped_to_stacks_its_areas_as_when_opened(page, server):
    """Areas kept from the date before and areas drawn new sit in the order of the date opened afresh:
    the BRSC's new Benina airport area of 1 August 2014 goes under its later areas, not on top of all."""
    open_view(page, server, "?date=2014-08-01")
    opened = map_frame(page).evaluate(f"({AREA_STACK})(window.map)")
    open_view(page, server, "?date=2014-07-31")
    frame = map_frame(page)
    step_date(frame, "Next")
    settle(page)
    same_areas = f"expected => JSON.stringify(({AREA_STACK})(window.map).sort()) === JSON.stringify(expected)"
    frame.wait_for_function(same_areas, arg=sorted(opened), timeout=30_000)
    assert frame.evaluate(f"({AREA_STACK})(window.map)") == opened


def test_an_area_kept_across_a_new_version_shows_the_new_versions_dates(page, server):
    """Tobruk's ground looked the same before and after the LNA's version of 4 January 2016: the date change
    keeps its path, and its popup must still say which version holds on the date shown."""
    name = "Tobruk and the Egyptian border"
    find = f"Object.values(window.map._layers).find(l => l.feature && l.feature.properties.name === '{name}')"
    open_view(page, server, "?date=2016-01-03")
    frame = map_frame(page)
    frame.evaluate(f"{find}.kept = true")
    step_date(frame, "Next")
    settle(page)
    frame.wait_for_function(f"{find}.feature.properties.since.startsWith('since 2016-01-04')", timeout=30_000)
    assert frame.evaluate(f"{find}.kept") is True  # not drawn again


def test_clicking_an_area_shows_its_faction_status_and_sources(page, server):
    open_view(page, server, "?date=2015-06-04&factions=pfg")
    frame = map_frame(page)
    frame.evaluate("window.map.setView([30.55, 18.35], 10, {animate: false})")
    time.sleep(0.5)
    click_at(page, frame, 30.55, 18.35)  # inland of the Es Sider terminal
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert "Petroleum Facilities Guard" in popup.inner_text() and "held, since" in popup.inner_text()
    assert popup.locator("a[href^='http']").count() >= 1


def test_clicking_an_area_also_shows_the_history_of_that_point(page, server):
    open_view(page, server, "?date=2015-06-04&factions=pfg")
    frame = map_frame(page)
    frame.evaluate("window.map.setView([30.55, 18.35], 10, {animate: false})")
    time.sleep(0.5)
    click_at(page, frame, 30.55, 18.35)  # inland of the Es Sider terminal: its popup opens, and the point is picked
    heading = page.get_by_text(re.compile(r"° E: who held it from"))
    heading.wait_for(timeout=30_000)
    lat, lon = map(float, re.findall(r"(\d+\.\d+)°", heading.inner_text()))
    assert abs(lat - 30.55) < 0.001 and abs(lon - 18.35) < 0.001
    assert frame.locator(".leaflet-popup-content").is_visible()
    settle(page)
    history = page.get_by_test_id("stMainBlockContainer").inner_text().split("who held it from")[1]
    assert "PFG (held, Es Sider" in history


def test_play_walks_forward_and_stop_holds_the_date(page, server):
    open_view(page, server, "?date=2015-02-17")
    frame = map_frame(page)
    frame.get_by_role("button", name="Play").click()
    page.wait_for_function("!document.querySelector('h1').innerText.includes('17 February 2015')", timeout=30_000)
    frame.get_by_role("button", name="Stop").click()
    settle(page)
    held = page.locator("h1").inner_text()
    time.sleep(4)
    assert page.locator("h1").inner_text() == held and "2015" in held


def test_compare_shows_two_maps_side_by_side(page, server):
    open_view(page, server, "?view=compare&before=2015-02-17&after=2015-06-04")
    frame = map_frame(page, 0, COMPARE_MAPS)
    assert frame.locator(".leaflet-container").count() == 2
    frame.wait_for_function("document.querySelectorAll('.leaflet-container')[1].querySelector('path.leaflet-interactive')")


def test_a_download_is_a_geojson_file_with_the_expected_features(page, server):
    open_view(page, server, "?date=2015-06-04&factions=islamic-state,pfg")
    with page.expect_download(timeout=120_000) as download:  # the file is built when clicked; 30 s ran out on a loaded machine
        page.get_by_role("button", name="All shown factions on 4 Jun 2015").click()
    assert download.value.suggested_filename == "libya-control_all_2015-06-04.geojson"
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"
    assert {f["properties"]["faction"] for f in document["features"]} == {"islamic-state", "pfg"}
    assert "Sirte" in {f["properties"]["name"] for f in document["features"]}


COUNT_REPORTS = """window.mapReports = 0;  // what the map of a date tells the page it sits in
window.addEventListener("message", event => {
  if (event.data && event.data.type === "streamlit:setComponentValue") window.mapReports += 1;
});"""


def test_the_map_reports_nothing_when_it_opens_so_a_download_clicked_then_arrives(page, server):
    """A report from the map would rerun the date's part of the page and give its downloads new links."""
    page.add_init_script(COUNT_REPORTS)
    open_view(page, server, "?date=2015-06-04&factions=islamic-state,pfg")
    map_frame(page)
    time.sleep(2)
    assert page.evaluate("window.mapReports") == 0
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="All shown factions on 4 Jun 2015").click()
    assert download.value.suggested_filename == "libya-control_all_2015-06-04.geojson"


def test_the_map_shows_libya_without_a_tile_server(page, server):
    open_view(page, server, "?date=2015-02-17")
    frame = map_frame(page)
    assert frame.locator("path[fill='#f7f4ec']").count() == 1  # Libya's outline, filled so it reads on a blank map
    assert frame.locator(".place-label", has_text="Tripoli").count() == 1


# ---------------------------------------------------------------- hostile data and links


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The app on a data folder whose every shown text is hostile markup (conftest.hostile_geodata)."""
    root = hostile_geodata(tmp_path_factory.mktemp("hostile") / "geodata")
    with streamlit_server(env={"LIBYA_CONTROL_GEODATA": str(root)}) as url:
        yield url


def test_hostile_names_notes_and_sources_stay_text_in_the_map_popups_and_place_history(page, hostile_server):
    watch = Watch(page)
    open_view(page, hostile_server, "?date=2015-06-04&place=sirte")
    frame = map_frame(page)
    written = " ".join(HOSTILE)
    marked = frame.evaluate(
        """Object.values(window.map._layers).filter(l => l.options.icon && String(l.options.icon.options.html).includes("picked"))
           .map(l => { l.openTooltip(); return l.getTooltip().getElement().textContent; })"""
    )
    assert marked == [f"Sirte {written}"]  # the place picked, marked on the map: its name as text
    frame.evaluate("window.map.setView([31.12, 16.95], 9, {animate: false})")  # the legend, long here, sits right
    time.sleep(0.5)
    click_at(page, frame, 31.12, 16.65)  # Sirte's ground, off the town's own marker
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    popup.locator("a").first.dispatch_event("mouseover")  # fires a handler, if the address had broken out into one
    assert f"Sirte {written}" in page.inner_text("body").replace("\u2060", "")  # word joiners are invisible
    assert written in popup.inner_text().replace("\u2060", "")  # the markup is shown, as text
    watch.assert_clean()


def test_hostile_faction_names_stay_text_in_the_compare_views_tooltips(page, hostile_server):
    watch = Watch(page)
    open_view(page, hostile_server, "?view=compare&before=2015-02-17&after=2015-06-04")
    map_frame(page, 0, COMPARE_MAPS)
    change_map = map_frame(page, 1, COMPARE_MAPS)
    page.mouse.move(*page_point(page, change_map, 31.12, 16.65))  # Sirte's ground, off its marker
    tooltip = change_map.locator(".leaflet-tooltip:not(.place-label)")
    tooltip.wait_for(timeout=10_000)
    assert "IS" in tooltip.inner_text() or "Libya Dawn" in tooltip.inner_text()
    watch.assert_clean()


@pytest.mark.parametrize(
    "query", ["?view=compare&before=[Session expired](https://evil.example/login)", "?view=![](https://evil.example/pixel.png)"]
)
def test_hostile_values_in_a_link_are_shown_as_text(page, hostile_server, query):
    watch = Watch(page)
    open_view(page, hostile_server, query)
    assert "evil.example" in page.get_by_test_id("stAlert").first.inner_text()
    watch.assert_clean()
