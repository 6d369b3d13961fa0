"""The benchmark's generated atlas is a store like the shipped one: valid, detailed, borders shared."""

from datetime import date

import pytest
import shapely

from bench.atlas import build
from layers.store import Store
from layers.timeline import state_at
from layers.validation import check_store


@pytest.fixture(scope="module")
def atlas(tmp_path_factory):
    return Store(build(tmp_path_factory.mktemp("atlas"), factions=4, versions=3, min_vertices=600, workers=1))


def test_the_atlas_passes_validation(atlas):
    assert check_store(atlas) == []


def test_the_atlas_has_every_faction_with_its_versions(atlas):
    assert len(atlas.registry) == 4 and len(atlas.versions()) == 12


def test_every_atlas_polygon_has_at_least_the_vertices_asked_for(atlas):
    state = state_at(atlas, date(2030, 1, 1))
    assert len(state) == 4 and shapely.get_num_coordinates(state.geometry.values).min() >= 600


def test_atlas_neighbours_share_their_borders_exactly(atlas):
    for day in atlas.index.dates:
        assert shapely.coverage_is_valid(state_at(atlas, day).geometry.values)


def test_a_built_atlas_is_reused_not_rewritten(atlas):
    stamp = atlas.root / "atlas.json"
    written = stamp.stat().st_mtime_ns
    build(atlas.root, factions=4, versions=3, min_vertices=600, workers=1)
    assert stamp.stat().st_mtime_ns == written
