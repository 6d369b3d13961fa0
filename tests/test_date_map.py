"""The map of a date's page (layers/date_map.py): what it is sent and what it loads."""

from __future__ import annotations

import json
from datetime import date

from test_site import Loads

from layers.date_map import date_map_page, held_together, write_frame
from layers.mapping import base_map, control_data, outline_shape, place_marks
from layers.timeline import state_at

DAYS = (date(2015, 5, 19), date(2015, 5, 20), date(2015, 5, 28))  # Sirte passed to the Islamic State on 20 May


def drawings(store) -> dict[str, dict]:
    marks = place_marks(store.places)
    return {day.isoformat(): control_data(state_at(store, day), store.registry, 5, None, marks) for day in DAYS}


def as_read(data: dict) -> list:
    """What a date's drawing says, area by area and dot by dot, in words rather than positions."""
    areas, text = data["areas"], data["texts"].__getitem__
    rows = [
        (
            text(areas["name"][i]),
            data["factions"][areas["faction"][i]]["id"],
            areas["contested"][i],
            areas["zone"][i],
            text(areas["status"][i]),
            text(areas["since"][i]),
            [text(t) for t in areas["note"][i]],
            [data["sources"][s] for s in areas["sources"][i]],
            data["shapes"][areas["shape"][i]],
        )
        for i in range(len(areas["shape"]))
    ]
    dots = [(mark, [data["factions"][f]["id"] for f in sides], contested) for mark, sides, contested in data["dots"]]
    return [rows, dots, data["grid"]]


def test_dates_held_together_each_read_as_drawn_alone(shipped):
    alone = drawings(shipped)
    held = held_together(alone)
    shared = {key: held[key] for key in ("grid", "factions", "sources", "texts", "shapes")}
    for day, drawn in alone.items():
        assert as_read({**shared, **held["dates"][day]}) == as_read(drawn)


def test_dates_held_together_send_what_they_share_once(shipped):
    alone = drawings(shipped)
    held = held_together(alone)
    assert len(held["shapes"]) < sum(len(drawn["shapes"]) for drawn in alone.values())
    assert len(json.dumps(held)) < 0.6 * sum(len(json.dumps(drawn)) for drawn in alone.values())


def test_the_page_loads_only_files_in_its_folder(shipped, tmp_path):
    base = base_map(outline_shape(shipped.outline), place_marks(shipped.places), shipped.registry)
    write_frame(date_map_page(base).get_root().render(), tmp_path)
    parser = Loads()
    parser.feed((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert parser.loaded and all((tmp_path / path).is_file() for path in parser.loaded)  # nothing from a CDN
