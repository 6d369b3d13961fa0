"""The static site (`python -m layers site`): a folder that shows the whole record with no server of ours."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import HOSTILE, Watch, hostile_geodata
from test_cli import run

from layers.site import write_site
from layers.store import Store

AREAS = "path.leaflet-interactive"


@pytest.fixture(scope="module")
def site(shipped, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    write_site(shipped, out, levels=(5, 7))  # two levels: what the tests need, in half the time of three
    return out


def atlas(site: Path) -> dict:
    return json.loads((site / "data" / "atlas.json").read_text(encoding="utf-8"))


class Loads(HTMLParser):
    def __init__(self):
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.loaded.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.loaded.append(attrs["href"])


def test_the_page_loads_only_files_in_its_folder(site):
    parser = Loads()
    parser.feed((site / "index.html").read_text(encoding="utf-8"))
    assert parser.loaded and all((site / path).is_file() for path in parser.loaded)  # nothing from a CDN


def test_the_atlas_holds_each_change_date_as_the_record_does(site, shipped):
    data = atlas(site)
    day = data["dates"].index("2015-02-17")
    rows, texts = data["rows"], data["texts"]
    shown = {
        (texts[rows["name"][r]], data["factions"][rows["faction"][r]]["id"]) for r in data["states"][day]["areas"]["5"]["rows"]
    }
    assert ("Derna", "islamic-state") in shown and ("Derna", "dmsc") in shown  # contested by both on that day
    assert data["dates"] == [d.isoformat() for d in shipped.index.dates] and data["record"]["last"] == "2020-10-23"


def test_site_refuses_a_folder_holding_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run("site", "--out", str(tmp_path))
    assert code == 1 and "not an empty folder or a site written by this command" in err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def open_site(page, site: Path, fragment: str = "") -> None:
    page.goto((site / "index.html").as_uri() + fragment)
    page.wait_for_selector(AREAS, timeout=30_000)


def signature(page) -> str:
    return page.eval_on_selector_all(AREAS, "els => els.map(e => e.getAttribute('d').length + e.getAttribute('fill')).join()")


def test_the_site_opens_from_a_folder_on_the_records_last_day(page, site):
    open_site(page, site)
    assert page.inner_text(".date-bar b") == "23 October 2020" and page.locator(AREAS).count() > 50
    assert "GNA" in page.inner_text(".site-km2")


def test_a_date_change_redraws_the_areas_without_any_request(page, site):
    open_site(page, site, "#date=2015-02-17")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    before = signature(page)
    page.click(".date-bar [data-step='1']")
    page.wait_for_function("document.querySelector('.date-bar b').textContent !== '17 February 2015'")
    after = signature(page)
    page.locator(".date-bar input").fill("400")  # the slider, at day precision
    assert after != before and signature(page) != after and requests == []


def test_previous_goes_to_the_change_before_the_day_shown(page, site):
    open_site(page, site, "#date=2016-01-10")  # a change date; the next is on 21 February
    slider = page.locator(".date-bar input")
    slider.fill(str(int(slider.input_value()) + 10))
    assert page.inner_text(".date-bar b") == "20 January 2016"
    page.click(".date-bar [data-step='-1']")
    assert page.inner_text(".date-bar b") == "10 January 2016"


def test_a_date_drawn_again_after_others_has_the_same_areas_and_no_more(page, site):
    """A change draws only what differs from the date before (layers.site.Timeline): nothing may pile up."""
    open_site(page, site, "#date=2016-05-04")
    first = sorted(signature(page).split(","))
    for day in ("2016-06-01", "2016-08-01", "2017-03-01", "2016-05-04"):
        page.evaluate(f"window.libyaSite.show('{day}')")
    assert sorted(signature(page).split(",")) == first


def test_an_area_kept_across_a_new_version_shows_the_new_versions_dates(page, site):
    """Tobruk's ground looked the same before and after the LNA's version of 4 January 2016; its popup
    must still say which version holds on the date shown."""
    name = "Tobruk and the Egyptian border"
    find = f"Object.values(window.libyaSite.map._layers).find(l => l.feature && l.feature.properties.name === '{name}')"
    open_site(page, site, "#date=2015-12-15")
    page.evaluate(f"{find}.kept = true")
    page.evaluate("window.libyaSite.show('2016-01-04')")
    assert page.evaluate(f"{find}.kept") is True  # not drawn again
    assert page.evaluate(f"{find}.feature.properties.since").startswith("since 2016-01-04")


def test_a_link_reopens_the_same_date(page, site):
    open_site(page, site, "#date=2016-12-06")  # the day Sirte was declared taken from IS
    assert page.inner_text(".date-bar b") == "6 December 2016"
    page.click(".date-bar [data-step='1']")
    moved = page.evaluate("location.hash")
    page.reload()
    page.wait_for_selector(AREAS)
    assert re.fullmatch(r"#date=\d{4}-\d{2}-\d{2}", moved) and page.evaluate("location.hash") == moved
    assert page.inner_text(".date-bar b") != "6 December 2016"


def test_the_sites_popups_and_table_show_hostile_text_as_text(page, tmp_path):
    store = Store(hostile_geodata(tmp_path / "geodata"))
    out = tmp_path / "site"
    write_site(store, out, levels=(5,))
    watch = Watch(page)
    open_site(page, out, "#date=2015-06-04")
    page.evaluate(
        """() => { let opened = 0; window.libyaSite.map.eachLayer(layer => {
               if (layer.feature && layer.getPopup() && opened < 5) { layer.openPopup(); opened += 1; } }); }"""
    )
    popup = page.locator(".leaflet-popup-content").first
    popup.wait_for(timeout=10_000)
    written = " ".join(HOSTILE)
    assert written in popup.inner_text() and HOSTILE[0] in page.inner_text(".site-km2")
    watch.assert_clean()
