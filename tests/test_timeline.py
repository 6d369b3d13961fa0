"""The timeline's semantics: a version holds from its date until its faction's next one."""

from datetime import date, timedelta

import pytest
import shapely
from conftest import area, write_layer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers.geojson import GeoJSONError
from layers.store import Store, VersionIndex, VersionRef
from layers.timeline import answer, state_at, tag_points, tier, who

FACTIONS = ["tobruk", "libya-dawn", "islamic-state"]
days = st.dates(min_value=date(2014, 5, 16), max_value=date(2016, 12, 31))
version_sets = st.sets(st.builds(VersionRef, st.sampled_from(FACTIONS), days), max_size=25)
DAYS_WITH_DATA = {date(2015, 2, 17), date(2015, 3, 19), date(2015, 3, 20), date(2015, 5, 20), date(2016, 1, 1)}


@given(version_sets, days)
def test_state_at_a_date_is_each_factions_latest_version_on_or_before_it(versions, day):
    current = VersionIndex(versions).at(day)
    for ref in current:
        later = [v for v in versions if v.faction == ref.faction and ref.day < v.day <= day]
        assert ref.day <= day and not later
    assert {ref.faction for ref in current} == {v.faction for v in versions if v.day <= day}


@given(version_sets, days)
def test_a_version_is_current_exactly_from_its_date_until_valid_to(versions, day):
    index = VersionIndex(versions)
    ends, current = index.ends, set(index.at(day))
    for ref in versions:
        holds = ref.day <= day and (ends[ref] is None or day < ends[ref])
        assert (ref in current) == holds


@given(version_sets, days)
def test_the_state_only_changes_on_a_change_date(versions, day):
    index = VersionIndex(versions)
    earlier = [d for d in index.dates if d <= day]
    if earlier:
        assert set(index.at(day)) == set(index.at(earlier[-1]))
    else:
        assert index.at(day) == []


@given(version_sets)
def test_only_each_factions_last_version_is_open_ended(versions):
    ends = VersionIndex(versions).ends
    for faction in FACTIONS:
        refs = sorted(v for v in versions if v.faction == faction)
        assert [ends[r] for r in refs] == [r.day for r in refs[1:]] + ([None] if refs else [])


@given(version_sets, days, st.sampled_from([-1, 1]))
def test_stepping_goes_to_the_nearest_change_date_on_that_side_or_nowhere(versions, day, direction):
    index = VersionIndex(versions)
    on_that_side = [d for d in index.dates if (d - day).days * direction > 0]
    nearest = min(on_that_side, key=lambda d: abs((d - day).days)) if on_that_side else None
    assert index.step(day, direction) == nearest


@given(version_sets, days)
def test_the_last_change_of_a_day_is_the_latest_change_date_on_or_before_it(versions, day):
    index = VersionIndex(versions)
    assert index.last_change(day) == max((d for d in index.dates if d <= day), default=None)


def test_a_date_before_any_version_has_an_empty_state(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Desert")])
    assert state_at(Store(empty_root), date(2015, 2, 16)).empty


def test_an_empty_version_means_the_faction_holds_nothing_from_that_date(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Desert")])
    write_layer(empty_root, "tobruk", "2015-03-01", [])
    store = Store(empty_root)
    assert answer(who(store, date(2015, 2, 28), 18.0, 27.0)) == "tobruk"
    assert answer(who(store, date(2015, 3, 1), 18.0, 27.0)) == "none"


def test_a_hand_written_layer_with_open_rings_reads_as_shapely_closes_them(empty_root):
    square = area(18.0, 27.0, "Desert")
    square["geometry"]["coordinates"] = [list(square["geometry"]["coordinates"][0])[:-1]]  # GEOS refuses it, shapely closes it
    write_layer(empty_root, "tobruk", "2015-02-17", [square])
    frame = Store(empty_root).frame(VersionRef("tobruk", date(2015, 2, 17)))
    assert frame.geometry.iat[0].equals(shapely.box(17.95, 26.95, 18.05, 27.05))


def test_a_layer_in_projected_metres_is_refused_naming_the_feature(empty_root):
    metres = area(18.0, 27.0, "Metres")
    metres["geometry"]["coordinates"] = [[[x * 1e5, y * 1e5] for x, y in metres["geometry"]["coordinates"][0]]]
    write_layer(empty_root, "tobruk", "2015-02-17", [area(20.0, 27.0, "Degrees"), metres])
    with pytest.raises(GeoJSONError, match=r"2015-02-17.geojson, feature #2: coordinates .* are not longitude/latitude"):
        Store(empty_root).frame(VersionRef("tobruk", date(2015, 2, 17)))


def test_who_prefers_the_holder_over_a_faction_contesting_the_same_ground(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Base")])
    write_layer(empty_root, "brsc", "2015-02-17", [area(18.0, 27.0, "Base", status="contested", contested_with=["tobruk"])])
    assert answer(who(Store(empty_root), date(2015, 2, 17), 18.0, 27.0)) == "tobruk"


def test_who_names_every_side_of_contested_ground(shipped):
    sirte = who(shipped, date(2015, 2, 17), 16.5887, 31.2089)
    assert answer(sirte) == "libya-dawn|islamic-state"
    assert {h.status for h in sirte} == {"contested"}


def test_state_rows_carry_faction_and_validity(shipped):
    state = state_at(shipped, date(2015, 3, 20))
    nawfaliya = state[state["name"] == "Nawfaliya"]
    assert nawfaliya.empty  # abandoned between 20 and 28 March 2015
    sirte = state[(state["name"] == "Sirte") & (state["faction"] == "islamic-state")].iloc[0]
    assert (sirte.valid_from, sirte.valid_to) == ("2015-03-19", "2015-03-28")  # IS lost Nawfaliya on the 19th


def test_state_can_be_limited_to_some_factions(shipped):
    state = state_at(shipped, date(2015, 2, 17), factions=["pfg"])
    assert set(state["faction"]) == {"pfg"}
    held = {"Zueitina terminal", "Es Sider terminal", "Ras Lanuf", "Brega", "Ajdabiya"}  # Jadhran's base and the ports it guarded
    assert set(state.loc[state["status"] == "held", "name"]) == held


def test_the_day_after_a_change_still_shows_it(shipped):
    one_day = timedelta(days=1)
    assert answer(who(shipped, date(2015, 5, 20) - one_day, 16.5887, 31.2089)) == "libya-dawn|islamic-state"
    assert answer(who(shipped, date(2015, 5, 20), 16.5887, 31.2089)) == "islamic-state"
    assert answer(who(shipped, date(2015, 5, 20) + one_day, 16.5887, 31.2089)) == "islamic-state"


PLACE_POINTS = [(p.y, p.x) for p in Store().places.geometry]  # towns, terminals and districts, where areas are
points = st.one_of(
    st.tuples(st.floats(24.0, 33.0), st.floats(10.0, 25.0)),
    st.builds(
        lambda place, dy, dx: (place[0] + dy, place[1] + dx),
        st.sampled_from(PLACE_POINTS),
        st.floats(-0.1, 0.1),
        st.floats(-0.1, 0.1),
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(days, points), min_size=1, max_size=40))
def test_tagging_many_points_at_once_answers_as_who_does_one_by_one(shipped, rows):
    days_, lats, lons = [d for d, _ in rows], [p[0] for _, p in rows], [p[1] for _, p in rows]
    one_by_one = [who(shipped, d, lon, lat) for d, lat, lon in zip(days_, lats, lons)]
    assert tag_points(shipped, days_, lons, lats) == ([answer(h) for h in one_by_one], [tier(h) for h in one_by_one])
