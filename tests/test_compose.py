"""The layers are composed from geodata/control/areas.toml, deterministically."""

import json
import shutil
from pathlib import Path

import pytest
import shapely
from conftest import area, tree_digest, write_layer

from layers.compose import DescriptionError, area_shapes, compose, differences, load_description, write
from layers.geojson import feature_collection
from layers.geometry import area_km2
from layers.importing import import_version
from layers.store import Store


def test_the_committed_layers_are_exactly_what_the_description_produces(shipped):
    assert differences(shipped, compose(shipped)) == []


def test_composing_twice_gives_identical_text(shipped):
    assert compose(shipped) == compose(shipped)


def test_no_two_areas_overlap(shipped):
    shapes = area_shapes(load_description(shipped.root / "control" / "areas.toml", shipped), shipped)
    names = list(shapes)
    tree = shapely.STRtree(list(shapes.values()))
    for i, j in zip(*tree.query(list(shapes.values()), predicate="intersects")):
        if i < j:
            overlap = shapes[names[i]].intersection(shapes[names[j]])
            assert area_km2([overlap])[0] < 0.01, (names[i], names[j])


def test_every_area_lies_within_libya(shipped):
    shapes = area_shapes(load_description(shipped.root / "control" / "areas.toml", shipped), shipped)
    outside = [name for name, shape in shapes.items() if area_km2([shape.difference(shipped.outline)])[0] > 0.01]
    assert outside == []


@pytest.fixture
def description_copy(shipped_copy):
    return shipped_copy / "control" / "areas.toml"


def refused(description: Path, addition: str, match: str) -> None:
    """Compose refuses the shipped description with `addition` appended, with a message matching `match`."""
    description.write_text(description.read_text() + addition)
    with pytest.raises(DescriptionError, match=match):
        compose(Store(description.parent.parent))


def test_a_place_claimed_by_two_areas_is_refused(description_copy):
    refused(description_copy, '\n[[area]]\nname = "Tobruk again"\nplaces = ["tobruk"]\n', "belongs to both")


def test_an_unknown_place_is_refused_with_its_area(description_copy):
    atlantis = '\n[[area]]\nname = "Atlantis"\nplaces = ["atlantis"]\n'
    refused(description_copy, atlantis, "area 'Atlantis': unknown place 'atlantis'")


def test_a_holder_without_a_source_is_refused(description_copy):
    unsourced = '\n[[area]]\nname = "Unsourced"\nplaces = ["jalu"]\n[[area.control]]\nfrom = "2015-02-17"\nholders = ["tobruk"]\n'
    refused(description_copy, unsourced, "'Unsourced', from 2015-02-17: cites no source")


def test_a_faction_that_loses_its_last_area_gets_an_empty_version(shipped_copy, description_copy):
    description_copy.write_text(
        '[sources.s]\ntitle = "A report"\nurl = "https://example.org/report"\n'
        '[[area]]\nname = "Jalu"\nplaces = ["jalu"]\n'
        '[[area.control]]\nfrom = "2015-02-17"\nholders = ["tebu"]\nsources = ["s"]\n'
        '[[area.control]]\nfrom = "2015-03-01"\nholders = []\n'
    )
    produced = compose(Store(shipped_copy))
    assert sorted(produced) == ["layers/tebu/2015-02-17.geojson", "layers/tebu/2015-03-01.geojson"]
    assert '"features": []' in produced["layers/tebu/2015-03-01.geojson"]


def test_check_reports_a_hand_edited_layer(shipped_copy):
    store = Store(shipped_copy)
    layer = shipped_copy / "layers" / "pfg" / "2015-02-17.geojson"
    layer.write_text(layer.read_text().replace("Ras Lanuf", "Ras Lanouf"))
    assert differences(store, compose(store)) == ["layers/pfg/2015-02-17.geojson: differs from what the description produces"]


def test_check_reports_a_composed_layer_the_description_no_longer_makes(shipped_copy):
    store = Store(shipped_copy)
    shutil.copy(shipped_copy / "layers" / "pfg" / "2015-02-17.geojson", shipped_copy / "layers" / "pfg" / "2015-09-11.geojson")
    assert differences(store, compose(store)) == [
        "layers/pfg/2015-09-11.geojson: composed earlier but no longer produced (run python -m layers compose)"
    ]


def test_compose_leaves_a_version_added_by_hand_alone(shipped_copy, tmp_path):
    drawn = tmp_path / "drawn.geojson"
    drawn.write_text(json.dumps(feature_collection([area(18.0, 23.3, "Desert outpost")])))
    import_version(Store(shipped_copy), "tebu", "2015-07-01", drawn)
    store = Store(shipped_copy)
    assert differences(store, compose(store)) == [] and write(store, compose(store)) == []
    assert (shipped_copy / "layers" / "tebu" / "2015-07-01.geojson").exists()


def test_compose_refuses_to_overwrite_a_version_added_by_hand(shipped_copy):
    write_layer(shipped_copy, "pfg", "2015-02-17", [area(18.0, 23.3, "Desert outpost")])  # the description also makes it
    store = Store(shipped_copy)
    before = tree_digest(shipped_copy)
    with pytest.raises(DescriptionError, match="layers/pfg/2015-02-17.geojson: added by hand"):
        write(store, compose(store))
    assert tree_digest(shipped_copy) == before


def test_a_first_evidence_start_is_marked_on_the_area_and_on_its_zone(shipped):
    # The Tobruk airbase backed Dignity in its first week (Libya Herald, 21 May 2014): the earliest source, not a change
    features = json.loads(compose(shipped)["layers/tobruk/2014-05-21.geojson"])["features"]
    marked = {f["properties"]["name"] for f in features if f["properties"].get("first_evidence") is True}
    assert {"Tobruk and the Egyptian border", "Tobruk and the Egyptian border: surrounding ground"} <= marked


def test_a_first_evidence_start_after_an_earlier_holder_is_refused(description_copy):
    late = (
        '\n[[area]]\nname = "Late evidence"\nplaces = ["ghat"]\n'
        '[[area.control]]\nfrom = "2015-02-17"\nholders = ["tuareg"]\nsources = ["orton-2015"]\n'
        '[[area.control]]\nfrom = "2015-03-01"\nholders = ["tuareg"]\nsources = ["orton-2015"]\nfirst_evidence = true\n'
    )
    refused(description_copy, late, "'Late evidence', from 2015-03-01: only the first holder")


def test_a_misspelt_control_key_is_refused_by_name(description_copy):
    typo = (
        '\n[[area]]\nname = "Typo"\nplaces = ["ghat"]\n'
        '[[area.control]]\nfrom = "2015-02-17"\nholders = ["tuareg"]\nsources = ["orton-2015"]\nfirst_evidense = true\n'
    )
    refused(description_copy, typo, "'Typo', from 2015-02-17: unknown key\\(s\\) 'first_evidense'")


def test_a_source_no_entry_cites_is_refused_by_key(description_copy):
    stray = '\n[sources.stray]\ntitle = "Unused"\nurl = "https://example.org/stray"\n'
    refused(description_copy, stray, "source\\(s\\) 'stray' cited by no control entry")
