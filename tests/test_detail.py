"""The map's geometry follows the zoom: coarse for the country, finer closer in, borders always shared."""

from itertools import combinations

import numpy as np
import pytest
import shapely

from layers.detail import MIN_LEVEL, drawn_geometry, level_for, pixel_degrees, vertex_count, window_for
from layers.timeline import state_at

LEVELS = [5, 8, 11]
LIBYA = (9.3, 19.5, 25.2, 33.2)


@pytest.fixture(scope="module")
def states(shipped):
    return [state_at(shipped, day) for day in shipped.index.dates]


def unique(shapes):
    return shapely.from_wkb(np.unique(shapely.to_wkb(np.asarray(shapes, dtype=object))))


@pytest.mark.parametrize("level", LEVELS)
def test_drawn_areas_stay_a_coverage_with_no_overlaps_and_matching_borders(states, level):
    for state in states:
        assert shapely.coverage_is_valid(unique(drawn_geometry(state.geometry.values, level)))


@pytest.mark.parametrize("level", LEVELS)
def test_neighbours_still_share_their_border_after_simplification(states, level):
    state = states[-1]
    original = unique(state.geometry.values)
    drawn = drawn_geometry(original, level)
    for a, b in combinations(range(len(original)), 2):
        if shapely.length(shapely.intersection(original[a].boundary, original[b].boundary)) > 10 * pixel_degrees(level):
            shared = shapely.intersection(drawn[a].boundary, drawn[b].boundary)
            assert shapely.length(shared) > 0 and shapely.area(shapely.intersection(drawn[a], drawn[b])) < 1e-9


def test_detail_grows_as_the_map_zooms_in(states):
    geometry = states[-1].geometry.values
    counts = [vertex_count(drawn_geometry(geometry, level)) for level in LEVELS]
    assert counts == sorted(counts) and counts[0] * 3 < counts[-1]


@pytest.mark.parametrize("level", LEVELS)
def test_drawn_areas_stay_within_a_pixel_and_a_half_of_the_data(states, level):
    geometry = states[-1].geometry.values
    drawn = drawn_geometry(geometry, level)
    assert max(shapely.hausdorff_distance(geometry, drawn)) <= 1.5 * pixel_degrees(level)


def test_an_area_contested_by_two_factions_is_drawn_the_same_for_both(states):
    state = states[-1]
    shapes = state.geometry.values
    drawn = drawn_geometry(shapes, 5)
    twins = [(a, b) for a, b in combinations(range(len(shapes)), 2) if shapes[a].equals_exact(shapes[b], 0)]
    assert twins and all(drawn[a].equals_exact(drawn[b], 0) for a, b in twins)


def test_areas_outside_the_window_are_drawn_empty(states):
    state = states[-1]
    benghazi = (19.6, 31.8, 20.4, 32.4)
    drawn = drawn_geometry(state.geometry.values, 10, benghazi)
    names = set(state["name"][~shapely.is_empty(drawn)])
    assert any(name.startswith("Benghazi") for name in names) and "Tripoli" not in names


def test_the_zoom_level_is_a_whole_step_within_the_supported_range():
    assert level_for(5.5) == 5 and level_for(8.75) == 8 and level_for(2) == MIN_LEVEL and level_for(30) < 30


def test_a_view_of_the_whole_country_needs_no_window():
    assert window_for((5.0, 15.0, 30.0, 37.0), 5, LIBYA) is None


def test_a_close_view_gets_a_window_around_it_with_a_margin():
    view = (20.0, 32.0, 20.5, 32.3)
    west, south, east, north = window_for(view, 10, LIBYA)
    assert west < 20.0 - 0.1 and south < 32.0 - 0.1 and east > 20.5 + 0.1 and north > 32.3 + 0.1


def test_a_small_pan_keeps_the_same_window():
    assert window_for((20.0, 32.0, 20.5, 32.3), 10, LIBYA) == window_for((20.01, 32.01, 20.51, 32.31), 10, LIBYA)
