"""What the control map draws for a date: towns as dots in their holders' colours, and a legend for every tier."""

from datetime import date

import pytest

from layers.contract import ZONE
from layers.mapping import Legend, TownDots, control_data, place_marks
from layers.markup import script_json
from layers.store import Store
from layers.timeline import state_at


@pytest.fixture(scope="module")
def marks(shipped) -> list[list]:
    return place_marks(shipped.places)


def dots_on(store, marks, day: date, factions=None) -> dict[str, tuple[list[str], bool]]:
    """Place name -> (the colours of its dot, contested?) for the towns that get a dot on `day`."""
    data = control_data(state_at(store, day, factions), store.registry, level=5, marks=marks)
    colours = [faction["colour"] for faction in data["factions"]]
    return {marks[place][2]: ([colours[i] for i in sides], contested) for place, sides, contested in data["dots"]}


def colour(store, faction: str) -> str:
    return store.registry[faction].colour


def test_a_town_is_dotted_in_the_colour_of_the_faction_holding_its_ground(shipped, marks):
    dots = dots_on(shipped, marks, date(2015, 2, 17))
    assert dots["Tobruk"] == ([colour(shipped, "tobruk")], False)
    assert dots["Tripoli"] == ([colour(shipped, "libya-dawn")], False)


def test_a_town_on_contested_ground_gets_a_split_dot_in_every_sides_colour(shipped, marks):
    dots = dots_on(shipped, marks, date(2015, 2, 17))  # IS and the Mujahideen Shura Council fought for Derna
    assert dots["Derna"] == ([colour(shipped, "islamic-state"), colour(shipped, "dmsc")], True)


def test_a_town_held_by_one_side_and_contested_by_another_is_split_holder_first(shipped, marks):
    dots = dots_on(shipped, marks, date(2015, 2, 17))  # the PFG held Es Sider against Libya Dawn's Sunrise offensive
    assert dots["Es Sider"] == ([colour(shipped, "pfg"), colour(shipped, "libya-dawn")], True)


def test_a_towns_dot_follows_the_date(shipped, marks):
    dots = dots_on(shipped, marks, date(2016, 6, 1))  # the GNA had come to Tripoli; Sirte was the Islamic State's
    assert dots["Tripoli"] == ([colour(shipped, "libya-dawn"), colour(shipped, "gna")], True)
    assert dots["Sirte"] == ([colour(shipped, "islamic-state")], False)


def test_a_town_only_a_zone_reaches_gets_no_dot(shipped, marks):
    state = state_at(shipped, date(2014, 5, 16))
    tobruk = shipped.places.set_index("id").geometry["tobruk"]
    assert set(state.loc[state.intersects(tobruk), "status"]) == {ZONE}  # no area yet: the rule's nearest holder
    assert "Tobruk" not in dots_on(shipped, marks, date(2014, 5, 16))


def test_a_town_nobody_is_known_to_hold_gets_no_dot(shipped, marks):
    # Misratan forces were in Jufra from early 2014, but Libya Dawn, whose they became, only from 13 July
    assert "Jufra airbase" not in dots_on(shipped, marks, date(2014, 5, 16))


def test_a_town_contested_with_a_hidden_faction_stays_contested(shipped, marks):
    dots = dots_on(shipped, marks, date(2015, 2, 17), factions=["islamic-state"])
    assert dots["Derna"] == ([colour(shipped, "islamic-state")], True) and "Tripoli" not in dots


def test_a_dates_town_dots_travel_in_under_two_kilobytes(shipped, marks):
    data = control_data(state_at(shipped, date(2016, 6, 1)), shipped.registry, level=5, marks=marks)
    assert len(TownDots(data).json) < 2_000 and len(script_json(data["dots"])) < 1_000


def test_the_legend_gives_each_tier_and_the_towns_one_line(shipped):
    lines = Legend(shipped.registry.values()).body.split("</div>")[1].split("<br>")
    assert [line.split("</i>")[-1].split(":")[0] for line in lines] == ["held", "contested", "zone", "town"]
    assert "nearest area" in lines[2] and "split if contested" in lines[3]


def test_a_date_with_no_areas_draws_an_empty_map(empty_root):
    store = Store(empty_root)  # the shipped registry and places, no layers
    data = control_data(state_at(store, date(2015, 2, 17)), store.registry, level=5, marks=place_marks(store.places))
    assert data["shapes"] == [] and data["areas"]["name"] == [] and data["dots"] == []
