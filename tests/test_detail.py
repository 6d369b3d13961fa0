"""The map's geometry follows the zoom: coarse for the country, finer closer in, borders always shared."""

import math
from itertools import accumulate, combinations

import numpy as np
import pytest
import shapely

from layers.detail import (
    MIN_LEVEL,
    detail_for,
    drawn_geometry,
    encoded_shapes,
    grid,
    level_for,
    pixel_degrees,
    vertex_count,
    window_for,
)
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


@pytest.mark.parametrize("level", LEVELS)
def test_drawn_coordinates_lie_on_a_power_of_two_grid_of_about_a_tenth_of_a_pixel(states, level):
    step = grid(level)
    assert math.log2(step).is_integer() and pixel_degrees(level) / 20 < step <= pixel_degrees(level) / 10
    for state in states:
        steps = shapely.get_coordinates(drawn_geometry(state.geometry.values, level)) / step
        assert np.array_equal(steps, np.round(steps))


def test_a_border_within_a_grid_step_of_its_neighbours_is_rounded_onto_it_not_across_it():
    step = grid(11)
    left = shapely.Polygon([(0, 0), (1, 0), (1 + step, 1), (0, 1)])
    # the right one's border bends a twentieth of a step short of the left one's: rounded on its own, it would cross it
    right = shapely.Polygon([(1, 0), (2, 0), (2, 1), (1 + step, 1), (1 + 0.3 * step, 0.25)])
    drawn = drawn_geometry([left, right], 11)
    assert shapely.coverage_is_valid(drawn)
    assert shapely.length(shapely.intersection(drawn[0].boundary, drawn[1].boundary)) > 1


def test_a_ring_is_sent_as_the_steps_between_its_vertices_in_encoded_polyline_characters():
    step = grid(5)
    # from (16, 0) anticlockwise, in steps: 16, 0 | 0, 1 | -16, 0 | 0, -1, zigzagged 32, 0 | 0, 2 | 31, 0 | 0, 1;
    # 32 takes two characters: 0 + 32 + 63 = "_" (more follows), then 1 + 63 = "@"
    wide = shapely.box(0, 0, 16 * step, step)
    further = shapely.MultiPolygon([shapely.box(5 * step, 4 * step, 6 * step, 5 * step)])  # 6, 4 | 0, 1 | -1, 0 | 0, -1
    assert encoded_shapes([wide, further], 5) == [[["_@??A^??@"]], [["KG?A@??@"]]]


def decoded(code: str) -> list[tuple[int, int]]:
    """Encoded-polyline characters back to vertices in grid steps (the format as Google documents it)."""
    numbers, natural, shift = [], 0, 0
    for character in code:
        bits = ord(character) - 63
        natural, shift = natural | (bits & 31) << shift, shift + 5
        if bits < 32:
            numbers.append(~(natural >> 1) if natural & 1 else natural >> 1)
            natural, shift = 0, 0
    return list(accumulate(zip(numbers[::2], numbers[1::2]), lambda a, b: (a[0] + b[0], a[1] + b[1])))


@pytest.mark.parametrize("level", LEVELS)
def test_the_sent_shapes_give_back_every_drawn_vertex(states, level):
    drawn = unique(drawn_geometry(states[-1].geometry.values, level))
    drawn = drawn[~shapely.is_empty(drawn)]
    sent = encoded_shapes(drawn, level)
    assert any(len(polygons) > 1 for polygons in sent) and any(len(rings) > 1 for polygons in sent for rings in polygons)
    for shape, polygons in zip(drawn, sent, strict=True):
        for part, rings in zip(shapely.get_parts(shape), polygons, strict=True):
            for ring, code in zip([part.exterior, *part.interiors], rings, strict=True):
                assert decoded(code) == [(round(x / grid(level)), round(y / grid(level))) for x, y in ring.coords[:-1]]


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


BENGHAZI = (19.6, 31.8, 20.4, 32.4)


def test_a_pan_within_the_window_drawn_keeps_it():
    drawn = detail_for(10, BENGHAZI, LIBYA, (5, None))
    assert detail_for(10, (19.7, 31.9, 20.5, 32.5), LIBYA, drawn) == drawn


def test_a_pan_out_of_the_window_drawn_draws_another():
    drawn = detail_for(10, BENGHAZI, LIBYA, (5, None))
    level, window = detail_for(10, (13.0, 32.6, 13.8, 33.2), LIBYA, drawn)  # Tripoli
    assert level == 10 and window[0] <= 13.0 and window[2] >= 13.8 and window != drawn[1]


def test_a_zoom_to_another_level_draws_at_that_level():
    assert detail_for(5.5, LIBYA, LIBYA, detail_for(10, BENGHAZI, LIBYA, (5, None))) == (5, None)
