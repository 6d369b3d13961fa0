"""The faction registry: fixed ids, colours told apart by colour-blind readers too."""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from layers.registry import RegistryError, load_registry

FIXED_IDS = ["tobruk", "libya-dawn", "brsc", "islamic-state", "dmsc", "gna", "pfg", "zintan", "tuareg", "tebu", "amazigh"]
MIN_DELTA_E = 12  # CIECAM02-UCS; neighbouring areas must not read as one faction


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def as_seen(colour: str, deficiency: str | None) -> np.ndarray:
    if deficiency is None:
        return rgb(colour)
    simulated = cspace_convert(rgb(colour), {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}, "sRGB1")
    return np.clip(simulated, 0, 1)


def test_the_registry_holds_every_fixed_faction_id(shipped):
    assert set(FIXED_IDS) <= set(shipped.registry)


def test_every_faction_has_names_a_colour_a_description_and_aliases(shipped):
    for faction in shipped.registry.values():
        assert faction.name and faction.short_name and faction.description and faction.aliases


def test_regional_forces_say_whom_they_were_allied_with(shipped):
    for faction_id in ("zintan", "tuareg", "tebu", "amazigh", "pfg"):
        faction = shipped.registry[faction_id]
        assert faction.allied_with and faction.alliance_note


@pytest.mark.parametrize("deficiency", [None, "deuteranomaly", "protanomaly"])
def test_faction_colours_stay_distinct_under_colour_blindness(shipped, deficiency):
    colours = {f.id: as_seen(f.colour, deficiency) for f in shipped.registry.values()}
    closest = min((deltaE(colours[a], colours[b], input_space="sRGB1"), a, b) for a, b in itertools.combinations(colours, 2))
    assert closest[0] >= MIN_DELTA_E, closest


def test_the_islamic_state_is_drawn_near_black(shipped):
    assert rgb(shipped.registry["islamic-state"].colour).max() < 0.2


def test_a_registry_with_a_bad_id_is_refused_with_its_position(tmp_path):
    path = tmp_path / "factions.json"
    path.write_text(
        json.dumps({"factions": [{"id": "../x", "name": "X", "short_name": "X", "colour": "#000000", "description": "x"}]})
    )
    with pytest.raises(RegistryError, match=r"faction #1: id '\.\./x'"):
        load_registry(path)


def test_a_registry_ally_must_be_a_known_faction(tmp_path):
    path = tmp_path / "factions.json"
    path.write_text(
        json.dumps(
            {
                "factions": [
                    {"id": "a", "name": "A", "short_name": "A", "colour": "#000000", "description": "a", "allied_with": ["b"]}
                ]
            }
        )
    )
    with pytest.raises(RegistryError, match="unknown faction"):
        load_registry(path)


def registry_with(tmp_path, **fields) -> Path:
    path = tmp_path / "factions.json"
    entry = {"id": "a", "name": "A", "short_name": "A", "colour": "#000000", "description": "a"} | fields
    path.write_text(json.dumps({"factions": [entry]}))
    return path


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"short_name": 5}, "short_name is not text"),
        ({"name": ["A"]}, "name is not text"),
        ({"id": 1}, "id is not text"),
        ({"colour": ["#000000"]}, "colour is not text"),
        ({"alliance_note": {"x": 1}}, "alliance_note is not text"),
        ({"aliases": "A"}, "aliases is not a list of text"),
        ({"allied_with": [1]}, "allied_with is not a list of text"),
    ],
    ids=["short-name", "name", "id", "colour", "alliance-note", "aliases", "allied-with"],
)
def test_a_registry_field_of_the_wrong_type_is_refused_by_name(fields, expected, tmp_path):
    with pytest.raises(RegistryError, match=f"faction #1: {expected}"):
        load_registry(registry_with(tmp_path, **fields))
